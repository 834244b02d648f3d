"""``python -m widgets``: the command line of :mod:`widgets.cli` (exit codes documented there)."""

from __future__ import annotations

import sys

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
