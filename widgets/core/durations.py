"""How long something lasts, as a person reads it: one formatter for every place that says it.

The wizard, token inspection and the command line all say a token's time left with
:func:`format_duration`, so the same token reads the same everywhere.
"""

from __future__ import annotations

import math

__all__ = ["format_duration"]

_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def format_duration(seconds: float) -> str:
    """``"42 s"``, ``"59 min 58 s"``, ``"3 h 5 min"``, ``"3 d 4 h"``; negative: ``"3 min ago"``.

    The two largest units, whole seconds counted down (59.9 s is ``"59 s"``: never more time
    than there is); a second unit of 0 is left out (``"10 min"``, ``"3 d"``). Raises
    ``ValueError`` for NaN or an infinity, which are no duration.
    """
    if not math.isfinite(seconds):
        raise ValueError(f"{seconds!r} seconds is not a duration")
    rest = int(abs(seconds))
    parts = []
    for name, size in _UNITS:
        count, rest = divmod(rest, size)
        if count or (parts and len(parts) < 2):
            parts.append((count, name))
        if len(parts) == 2:
            break
    if parts and parts[-1][0] == 0:
        parts.pop()
    text = " ".join(f"{count} {name}" for count, name in parts) or "0 s"
    return f"{text} ago" if seconds < 0 else text
