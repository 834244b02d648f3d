"""Helpers for the wizard tests: walk the widget tree like a browser test walks the DOM."""

from __future__ import annotations

import json

import ipywidgets

from widgets.demo import DemoProvider
from widgets.ui import Wizard

__all__ = ["tree", "with_class", "one", "saved_state", "tree_state", "run_code_flow", "run_device_flow"]


def tree(widget):
    """The widget and everything under it (children, layouts, styles)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from tree(child)
    for name in ("layout", "style"):
        sub = getattr(widget, name, None)
        if isinstance(sub, ipywidgets.Widget):
            yield sub


def with_class(root, dom_class: str) -> list:
    return [w for w in tree(root) if dom_class in getattr(w, "_dom_classes", ())]


def one(root, dom_class: str):
    found = with_class(root, dom_class)
    assert len(found) == 1, f"{dom_class}: {len(found)} widgets"
    return found[0]


# ensure_ascii=False: the canaries hold non-ASCII characters, which \uXXXX escapes would hide.


def saved_state() -> str:
    """Everything a notebook could save of every live widget, as text."""
    return json.dumps(ipywidgets.Widget.get_manager_state(drop_defaults=False), default=str, ensure_ascii=False)


def tree_state(root) -> str:
    return json.dumps([w.get_state() for w in tree(root)], default=str, ensure_ascii=False)


def run_code_flow(wizard: Wizard, provider: DemoProvider) -> None:
    """Build the link, let the demo play the browser, paste where it lands, exchange."""
    run = wizard.run_step
    one(run, "wal-build-link").click()
    assert run.authorize_url, run.message
    one(run, "wal-paste").value = provider.approve(run.authorize_url)
    one(run, "wal-exchange").click()


def run_device_flow(wizard: Wizard) -> None:
    """Get a code, let the demo play the person at its verification page, poll for the token."""
    run = wizard.run_step
    one(run, "wal-device-begin").click()
    assert run.device_panel.device is not None, run.message
    one(run, "wal-device-approve-demo").click()
    one(run, "wal-device-poll").click()
