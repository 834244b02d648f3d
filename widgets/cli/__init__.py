"""The command line: ``python -m widgets <command> ...`` (installed as ``webhook-oauth-lab``)."""

from .commands import main

__all__ = ["main"]
