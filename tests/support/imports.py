"""What importing a module drags in, asked of a fresh interpreter (this one has loaded everything)."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["loaded_by"]


def loaded_by(modules: list[str], watched: tuple[str, ...]) -> list[str]:
    """The ``watched`` top-level modules that are in ``sys.modules`` after importing ``modules``
    in a new interpreter (same executable and environment as this one)."""
    code = (f"import sys, {', '.join(modules)}; "
            f"print(','.join(m for m in {watched!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [name for name in out.stdout.strip().split(",") if name]
