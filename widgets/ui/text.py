"""What the wizard's steps say about the model's state, as plain text (HTML is :mod:`.markup`'s).

Pure functions of their arguments: the steps call them, and they are tested without widgets.
Nothing here returns more of a secret than its last 4 characters.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from ..core.durations import format_duration
from ..core.secret import reveal
from ..core.token import Token

__all__ = ["secret_hint", "expiry_text", "claim_rows"]

_TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")


def secret_hint(secret: str | None) -> str:
    """What the form may say about a stored secret: its last 4 characters only when it has 16+."""
    if not secret:
        return ""
    if len(secret) >= 16:
        return f"secret stored (ends …{reveal(secret)[-4:]})"
    return "secret stored"


def _utc(seconds: float, fmt: str) -> str | None:
    """``seconds`` since the epoch formatted in UTC; None when the platform cannot (too far)."""
    try:
        return time.strftime(fmt, time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return None


def expiry_text(token: Token | None, now: float | None = None) -> str:
    """``"expires in 59 min 58 s (at 14:05 UTC)"``, ``"expired 3 min ago (...)"``, or why it is unknown."""
    if token is None:
        return ""
    left = token.expires_in(now)
    if left is None:
        return "expiry unknown: the provider gave no lifetime (expires_in)"
    if left != left or abs(left) > 100 * 365 * 86400:  # NaN, or a lifetime no provider means
        return f"expiry implausible: {token.expires_at!r} is more than a century away"
    at = (_utc(token.expires_at, "%H:%M") or "?") + " UTC"
    if left <= 0:
        return f"expired {format_duration(left)} (at {at})"
    return f"expires in {format_duration(left)} (at {at})"


def claim_rows(claims: Mapping[str, object] | None) -> list[tuple[str, str]]:
    """JWT claims as (name, text) rows; times also shown as UTC dates."""
    rows = []
    for name, value in (claims or {}).items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        if name in _TIME_CLAIMS and isinstance(value, (int, float)) and not isinstance(value, bool):
            when = _utc(value, "%Y-%m-%d %H:%M:%S UTC")
            text += f"  ({when})" if when else "  (not a date this system can show)"
        rows.append((str(name), text))
    return rows
