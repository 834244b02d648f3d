"""The exit codes of the command line (the table is in :mod:`widgets.cli.main`), and the
usage error a command raises after parsing.

Its own module so that the parser and the commands, which :mod:`.main` imports, can use the
codes without importing :mod:`.main` back.
"""

from __future__ import annotations

from ..core.errors import WebhookAuthError

__all__ = ["exit_code_for", "EXIT_OK", "EXIT_OTHER", "EXIT_USAGE", "EXIT_REFUSED", "EXIT_MISMATCH",
           "EXIT_TRANSPORT", "EXIT_INTERRUPTED"]

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_MISMATCH = 4
EXIT_TRANSPORT = 5
EXIT_INTERRUPTED = 130


# -- errors and exit codes ----------------------------------------------------------------------


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an exception (see the module docstring)."""
    if isinstance(exc, WebhookAuthError):
        return exc.exit_code  # each class of widgets.core.errors carries its own
    return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OTHER


class _UsageError(Exception):
    """A usage problem found after parsing (reported like argparse's own, exit 2)."""
