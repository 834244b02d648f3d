"""A Reveal toggle that turns itself off: a revealed secret stays in widget state only briefly.

While a secret is revealed it sits in an ``HTML`` widget's value, which is synced widget state:
JupyterLab (with saveState on), nbconvert and nbclient write it into the .ipynb. No built-in
widget can show text without holding it in state, so the reveal is kept short: it ends on
Hide, when its step is left, and by itself after :data:`REVEAL_SECONDS`; then the value is
re-rendered masked and the state holds the masked form again.
"""

from __future__ import annotations

import threading

import ipywidgets as ipw

__all__ = ["REVEAL_SECONDS", "auto_hide"]

#: How long a revealed secret stays shown before the toggle turns itself off.
REVEAL_SECONDS = 30.0


def auto_hide(toggle: ipw.ToggleButton, seconds: float | None = None) -> None:
    """Turn ``toggle`` off after ``seconds`` (default :data:`REVEAL_SECONDS`) whenever it turns on."""
    timers: list[threading.Timer] = []

    def hide() -> None:
        toggle.value = False

    def on_change(change) -> None:
        while timers:
            timers.pop().cancel()
        if change["new"]:
            timer = threading.Timer(REVEAL_SECONDS if seconds is None else seconds, hide)
            timer.daemon = True
            timers.append(timer)
            timer.start()

    toggle.observe(on_change, names="value")
