"""What the command line prints: text for people by default, one JSON document with ``--json``.

Tokens are masked unless ``--reveal``; error messages and hints pass through :func:`scrub`.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone

from ..core.errors import WebhookAuthError
from ..core.redact import mask, scrub


class _Out:
    """One per run: ``--json`` decides whether stdout gets text for people or one JSON document."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def result(self, human: str, data: dict) -> None:
        if self.as_json:
            print(json.dumps({"ok": True, **data}, indent=2, ensure_ascii=False, default=str))
        else:
            print(human)
        sys.stdout.flush()

    def info(self, text: str) -> None:
        """Progress for people: stdout normally, stderr in --json mode (stdout is the document)."""
        print(text, file=sys.stderr if self.as_json else sys.stdout)
        (sys.stderr if self.as_json else sys.stdout).flush()

    def warn(self, text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    def error(self, exc: BaseException, code: int) -> None:
        if isinstance(exc, WebhookAuthError):
            kind, message, hint = type(exc).__name__, exc.message, exc.hint
        else:
            kind, message, hint = type(exc).__name__, str(exc), "This is a bug or an unexpected situation; " \
                "please report it with the command you ran (secrets are never needed to reproduce it)."
        message, hint = scrub(message), scrub(hint)
        if self.as_json:
            print(json.dumps({"ok": False, "exit_code": code,
                              "error": {"type": kind, "message": message, "hint": hint}}, indent=2))
            sys.stdout.flush()
        else:
            print(f"error: {message}\nhint: {hint}", file=sys.stderr)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "unknown"
    from ..core.durations import format_duration

    moment = datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")
    left = epoch - time.time()
    return f"{moment} ({'in ' + format_duration(left) if left > 0 else 'expired ' + format_duration(left)})"


def _token_text(token, *, reveal: bool, heading: str) -> str:
    lines = [heading,
             f"  access token   {token.access_token if reveal else token.masked}"
             + ("" if reveal else "   (--reveal to show it)"),
             f"  type           {token.token_type}",
             f"  expires        {_when(token.expires_at)}",
             f"  scope          {token.scope or '(none named)'}",
             f"  refresh token  {(token.refresh_token if reveal else mask(token.refresh_token)) or '-'}"]
    lines += [f"note: {n}" for n in token.notes]
    return "\n".join(lines)

