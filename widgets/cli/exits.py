"""The exit codes of the command line (the table is in :mod:`widgets.cli.main`), and the
usage error a command raises after parsing.

Its own module so that the parser and the commands, which :mod:`.main` imports, can use the
codes without importing :mod:`.main` back.
"""

from __future__ import annotations

from ..core.errors import (
    AuthorizationDenied,
    ConfigError,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    TransportError,
)

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
    from ..diagnose.discovery import DiscoveryError
    from ..diagnose.inspect_token import InspectionError, IntrospectionError

    if isinstance(exc, (StateMismatchError, IssuerMismatchError)):
        return EXIT_MISMATCH
    if isinstance(exc, (ConfigError, PastedRedirectError, InspectionError)):
        return EXIT_USAGE
    if isinstance(exc, (TokenEndpointError, AuthorizationDenied, DiscoveryError, IntrospectionError)):
        return EXIT_REFUSED
    if isinstance(exc, TransportError):
        return EXIT_TRANSPORT
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_OTHER


class _UsageError(Exception):
    """A usage problem found after parsing (reported like argparse's own, exit 2)."""
