"""What every wizard step shares: a message area, a busy state, and handlers that never crash.

A step's message is the model's notice for that step (:meth:`WizardModel.notice`): the step
renders it whenever the model's notices change, so a message made from other settings is gone
as soon as the model drops it. Handlers call model actions; the actions set the notices.

A handler decorated with :func:`handler` shows a :class:`~widgets.errors.WebhookAuthError` as its
message and hint, and anything unexpected as one generic line with the exception's type (the
details go to the DEBUG log, scrubbed). A traceback never reaches the notebook.
"""

from __future__ import annotations

import functools
import logging
import traceback
from contextlib import contextmanager

import ipywidgets as ipw

from ...core.errors import WebhookAuthError
from ...core.redact import install_log_redaction, scrub
from ..markup import message_html, spinner_html
from ..model import WizardModel

__all__ = ["Step", "handler"]

log = logging.getLogger(__name__)
install_log_redaction()  # this logger is newer than the package's own call


def handler(method):
    """Wrap a ``_on_<event>`` method: errors become the step's message, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: "Step", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except WebhookAuthError as exc:
            self.show_error(exc)
        except Exception as exc:  # a bug or an unforeseen failure: say so briefly, log the rest
            log.debug("%s.%s failed: %s", type(self).__name__, method.__name__,
                      scrub("".join(traceback.format_exception(exc))))
            self.say(
                f"Something unexpected went wrong ({type(exc).__name__}). Nothing was changed; "
                "details are in the DEBUG log.",
                "error",
                hint="Try again; if it keeps happening, restart the wizard and report the exception type.",
            )
        return None

    return wrapper


class Step(ipw.VBox):
    """One page of the wizard. Subclasses set ``name`` and ``title`` and build their children."""

    name = ""
    title = ""

    def __init__(self, model: WizardModel, **kwargs):
        super().__init__(**kwargs)
        self._model = model
        self._message = ipw.HTML()
        self._message.add_class("wal-message")
        self._busy_html = ipw.HTML(layout=ipw.Layout(display="none"))
        self._busy_html.add_class("wal-busy")
        #: Buttons disabled while a request runs.
        self._buttons: list[ipw.Button] = []
        self.add_class("wal-step")
        self.add_class(f"wal-step-{self.name}")
        self.layout.padding = "4px 2px"
        model.observe(self._on_notices, names="notices")
        self._render_message()

    # -- what tests and the wizard read ---------------------------------------------------------
    @property
    def message(self) -> str:
        """The text of the message area (message, then ``Hint: ...``), empty when none."""
        notice = self._model.notice(self.name)
        if notice is None or not notice.text:
            return ""
        return notice.text + (f"\nHint: {notice.hint}" if notice.hint else "")

    @property
    def message_kind(self) -> str:
        notice = self._model.notice(self.name)
        return notice.kind if notice is not None and notice.text else ""

    @handler
    def show(self) -> None:
        """Re-read the model as the step becomes visible; a failure becomes the step's message."""
        self.on_show()
        self._render_message()

    @handler
    def hide(self) -> None:
        self.on_hide()

    def on_show(self) -> None:
        """Called when the step becomes visible: re-read the model."""

    def on_hide(self) -> None:
        """Called when the step is left: hide anything revealed."""

    # -- messages (model state: WizardModel.notices) ----------------------------------------------
    def say(self, text: str, kind: str = "info", hint: str | None = None) -> None:
        self._model.notify(self.name, text, kind, hint or "")

    def clear_message(self) -> None:
        self._model.clear_notice(self.name)

    def show_error(self, exc: WebhookAuthError, hint: str | None = None) -> None:
        self._model.notify_error(self.name, exc, hint)

    def _on_notices(self, change) -> None:
        if change["old"].get(self.name) is not change["new"].get(self.name):
            self._render_message()

    def _render_message(self) -> None:
        notice = self._model.notice(self.name)
        value = "" if notice is None else message_html(notice.kind, notice.text, notice.hint or None)
        if self._message.value != value:
            self._message.value = value

    # -- busy ------------------------------------------------------------------------------------
    @contextmanager
    def working(self, button: ipw.Button | None, label: str):
        """Show a spinner, disable the buttons (relabelling ``button``) until the block ends."""
        was = {b: b.disabled for b in self._buttons}
        old_description = button.description if button is not None else None
        self.clear_message()
        self._busy_html.value = spinner_html(label)
        self._busy_html.layout.display = None
        for b in self._buttons:
            b.disabled = True
        if button is not None:
            button.description = "Working…"
        self._model.busy = True
        try:
            yield
        finally:
            self._model.busy = False
            if button is not None:
                button.description = old_description
            for b, disabled in was.items():
                b.disabled = disabled
            self._busy_html.layout.display = "none"
            self._busy_html.value = ""
            self._update_buttons()

    def _update_buttons(self) -> None:
        """Enable or disable buttons from the model's state (after a request, on show)."""

    def _button(self, description: str, dom_class: str, *, style: str = "", icon: str = "",
                tooltip: str = "", width: str = "auto") -> ipw.Button:
        # align_self: in a VBox a button would otherwise stretch across the whole step
        button = ipw.Button(description=description, button_style=style, icon=icon, tooltip=tooltip,
                          layout=ipw.Layout(width=width, align_self="flex-start"))
        button.add_class(dom_class)
        self._buttons.append(button)
        return button
