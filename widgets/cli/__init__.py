"""The command line: ``python -m widgets <command> ...`` (installed as ``webhook-oauth-lab``).

The commands and their exit codes are listed in :mod:`widgets.cli.main`.
"""

from .main import main

__all__ = ["main"]
