"""The command line: ``python -m widgets <command> ...`` (installed as ``webhook-oauth-lab``).

Commands::

    discover ISSUER      read the provider's metadata (RFC 8414, then OpenID Connect)
    probe                run the safe checks of widgets.diagnose.probe, print a verdict per question
    token                get a token with the client credentials grant (RFC 6749 §4.4)
    authorize            print an authorize link; keep its state and PKCE verifier in a 0600 file
                         (--loopback: catch the redirect on 127.0.0.1 and finish at once)
    exchange PASTED|-    check the address the browser landed on against that file, then
                         exchange the code; the file is deleted once used
    inspect TOKEN|-      decode a token, verify it against a JWKS, ask introspection (RFC 7662)
    device               the device grant (RFC 8628): print a code, poll until it is approved
    demo                 run the demo provider in the foreground until Ctrl-C

Secrets never go on the command line, where ``ps`` shows them to every user of the machine:
the client secret comes from ``--client-secret-env VAR`` or ``--client-secret-file PATH``; a
token or pasted address can be given as ``-`` and read from standard input. Output is for
people by default, ``--json`` for scripts; tokens are masked unless ``--reveal``.

Exit codes::

    0  success
    1  anything else (an unexpected error, a loopback wait that timed out)
    2  usage or configuration error: bad options, missing settings, an unusable paste or token
    3  the provider refused or answered nonsense: TokenEndpointError, AuthorizationDenied,
       DiscoveryError (no or malformed metadata), a failed introspection
    4  state or issuer mismatch: StateMismatchError, IssuerMismatchError (incl. discovery)
    5  transport error: no HTTP answer (timeout, refused, DNS, TLS, redirect)
    130 interrupted (Ctrl-C), except for ``demo``, where Ctrl-C is the normal way out (0)

This module runs a command and turns its outcome into one of these codes (defined in
:mod:`.exits`). The rest of the package: :mod:`.parser` (the options), :mod:`.commands` (one
``_cmd_*`` function per command), :mod:`.output` (text or ``--json``, masked) and
:mod:`.pending` (the 0600 pending-authorization file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..core.transcript import Transcript
from .exits import (
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_REFUSED,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    _UsageError,
    exit_code_for,
)
from .output import _Out
from .parser import build_parser
from .pending import open_private

__all__ = ["main", "exit_code_for", "EXIT_OK", "EXIT_OTHER", "EXIT_USAGE", "EXIT_REFUSED", "EXIT_MISMATCH",
           "EXIT_TRANSPORT", "EXIT_INTERRUPTED"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.timeout_given = any(a == "--timeout" or a.startswith("--timeout=") for a in argv)
    out = _Out(getattr(args, "json", False))
    transcript = Transcript()
    transcript_file = None
    try:
        if getattr(args, "transcript", None):
            # Opened before anything is sent: a path that is refused stops the command here.
            transcript_file = open_private(Path(args.transcript).expanduser(), field="transcript", replace=True)
        return args.handler(args, out, transcript)
    except _UsageError as exc:
        out.note(f"{parser.prog} {args.command}: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        out.note("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure ends as a message and an exit code
        code = exit_code_for(exc)
        out.error(exc, code)
        return code
    finally:
        if transcript_file is not None:
            try:
                with os.fdopen(transcript_file, "w", encoding="utf-8", newline="") as fh:
                    fh.write(transcript.to_csv())
            except OSError as exc:
                out.warn(f"could not write the transcript to {args.transcript}: {exc.strerror or exc}")
