"""The guided UI: a step-by-step :class:`Wizard` (ipywidgets 8) over the core.

:class:`WizardModel` holds the state and does the work (no ipywidgets import, so it can be
tested and scripted on its own); :mod:`.text` says that state in words; :class:`Wizard` is
the GUI over both and loads ipywidgets on first use::

    from widgets.ui import Wizard
    wizard = Wizard()   # the last expression of a cell displays it
"""

from __future__ import annotations

from .model import STEP_TITLES, STEPS, WizardModel
from .text import expiry_text, secret_hint

__all__ = ["Wizard", "WizardModel", "STEPS", "STEP_TITLES", "expiry_text", "secret_hint"]


def __getattr__(name: str):
    if name == "Wizard":
        from .wizard import Wizard

        return Wizard
    raise AttributeError(f"module 'widgets.ui' has no attribute {name!r}")
