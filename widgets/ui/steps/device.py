"""The Run step's panel for the Device type (RFC 8628, teaching only): the code big, a QR code of
``verification_uri_complete``, a countdown, and the polling as it happens.

A webhook cannot use this grant (nobody is there to type a code), and the panel says so; the
token it gets can be pasted as a Token. The QR code is drawn by segno as an SVG data URI (no
script, no network); the countdown is a CSS animation, since an ``HTML`` widget runs no script,
and its text is recomputed at every poll. Polling runs in the handler, so each poll's answer
reaches the page while it happens; approve the code in another tab (or with the demo's button)
before pressing "Poll until approved".
"""

from __future__ import annotations

import ipywidgets as ipw

from ...core.durations import format_duration
from ..markup import attr, esc, mono
from .base import Step, handler

__all__ = ["DevicePanel", "qr_data_uri", "code_html"]

_POLL_LIMIT = 300.0  # seconds one press of "Poll until approved" polls at most


def qr_data_uri(text: str) -> str | None:
    """An SVG QR code of ``text`` as a ``data:`` URI, or None when segno is not installed."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def code_html(user_code: str) -> str:
    """The user code, big and letter-spaced (escaped: it is provider text)."""
    return ("<div class='wal-user-code' style='font:700 34px/1.2 ui-monospace,monospace;letter-spacing:.25em;"
            "padding:6px 14px;border:2px solid #4f46e5;border-radius:8px;display:inline-block;margin:4px 0'>"
            f"{esc(user_code)}</div>")


class DevicePanel(ipw.VBox):
    """Get a code, show it, poll. ``device`` and ``events`` (what polling said) are read-only.

    A part of ``step`` (the Run step): its buttons, busy state and message area are the step's.
    """

    def __init__(self, step: Step, model):
        super().__init__()
        self._step = step
        self._model = model
        self.add_class("wal-device-panel")
        self._button = step._button
        self._begin = self._button("Get a code", "wal-device-begin", style="primary", icon="mobile")
        self._begin.on_click(self._on_begin)
        self._approve_demo = self._button("Approve as the demo user", "wal-device-approve-demo", icon="check",
                                          tooltip="Plays the person at the demo's verification page")
        self._approve_demo.on_click(self._on_approve_demo)
        self._poll = self._button("Poll until approved", "wal-device-poll", style="primary", icon="refresh")
        self._poll.on_click(self._on_poll)
        self._code = ipw.HTML()
        self._code.add_class("wal-device-code")
        self._qr = ipw.HTML()
        self._qr.add_class("wal-device-qr")
        self._countdown = ipw.HTML()
        self._countdown.add_class("wal-device-countdown")
        self._log = ipw.HTML()
        self._log.add_class("wal-device-log")
        self._events: list[str] = []
        self.children = [
            ipw.HTML("<div style='font-size:13px;max-width:760px'><b>Teaching only: a webhook cannot use the "
                     "device grant</b> (nobody is there to type a code). Here a device asks for a code, you "
                     "type it at the provider's verification page (or scan the QR code) and approve, and the "
                     "device polls the token endpoint until it gets the token (RFC 8628). The token can then "
                     "be pasted as a <i>Token</i>.</div>"),
            ipw.HBox([self._begin, self._approve_demo, self._poll]),
            ipw.HBox([ipw.VBox([self._code, self._countdown]), self._qr]),
            self._log,
        ]
        model.observe(self._on_model_change, names=["device", "config", "auth_type"])
        self._render()

    # the step shows messages and runs the busy state (what @handler and working() use)
    def say(self, text: str, kind: str = "info", hint: str | None = None) -> None:
        self._step.say(text, kind, hint=hint)

    def show_error(self, exc, hint: str | None = None) -> None:
        self._step.show_error(exc, hint)

    def working(self, button, label: str):
        return self._step.working(button, label)

    # -- read-only views ---------------------------------------------------------------------
    @property
    def device(self):
        return self._model.device

    @property
    def events(self) -> list[str]:
        return list(self._events)

    @property
    def countdown_text(self) -> str:
        device = self._model.device
        if device is None:
            return ""
        left = self._model.device_seconds_left()
        return "the code has expired" if left <= 0 else f"the code expires in {format_duration(left)}"

    # -- showing -------------------------------------------------------------------------------
    def on_show(self) -> None:
        self._render()

    @handler
    def _on_model_change(self, change) -> None:
        if change["name"] != "device":
            self._events.clear()
        self._render()

    def update_buttons(self) -> None:
        busy = self._model.busy
        self._poll.disabled = busy or self._model.device is None
        self._approve_demo.disabled = busy or self._model.device is None
        self._approve_demo.layout.display = None if self._model.using_demo_provider else "none"

    def _render(self) -> None:
        device = self._model.device
        self.update_buttons()
        if device is None:
            self._code.value = self._qr.value = self._countdown.value = self._log.value = ""
            return
        link = device.link
        self._code.value = (
            "<div style='font-size:13px'>Open "
            f"<a href=\"{attr(device.verification_uri)}\" target=\"_blank\" rel=\"noopener noreferrer\" "
            f"style='color:#1d4ed8;text-decoration:underline'>{esc(device.verification_uri)}</a> "
            "and type in this code:</div>" + code_html(device.user_code)
            + (f"<div style='font-size:12px;word-break:break-all'>or open {mono(device.verification_uri_complete)}, "
               "which carries the code</div>" if device.verification_uri_complete else "")
        )
        uri = qr_data_uri(link)
        self._qr.value = (
            f"<img src=\"{attr(uri)}\" alt=\"QR code of {attr(link)}\" width=\"180\" height=\"180\" "
            "style='margin-left:16px;image-rendering:pixelated'>" if uri else
            "<div style='font-size:12px;color:#6b7280;margin-left:16px'>(install segno for a QR code)</div>")
        self._render_countdown()
        self._render_log()

    def _render_countdown(self) -> None:
        device = self._model.device
        if device is None:
            self._countdown.value = ""
            return
        left = max(0.0, self._model.device_seconds_left())
        share = 100 * left / device.expires_in if device.expires_in else 0
        # the bar shrinks by itself (CSS), the text is recomputed at each poll
        self._countdown.value = (
            "<style>@keyframes wal-device-shrink{to{width:0%}}</style>"
            f"<div style='font-size:12px;color:#374151'>{esc(self.countdown_text)}; "
            f"polling every {esc(self._model._device_flow.interval if self._model._device_flow else device.interval)} s"
            "</div><div style='width:260px;height:6px;background:#e5e7eb;border-radius:3px'>"
            f"<div style='width:{share:.1f}%;height:6px;background:#4f46e5;border-radius:3px;"
            f"animation:wal-device-shrink {left:.0f}s linear forwards'></div></div>"
        )

    def _render_log(self) -> None:
        rows = "".join(f"<li>{esc(e)}</li>" for e in self._events[-12:])
        self._log.value = (f"<ol class='wal-device-events' style='font-size:12px;margin:4px 0'>{rows}</ol>"
                           if rows else "")

    # -- events --------------------------------------------------------------------------------
    @handler
    def _on_begin(self, _button=None) -> None:
        with self.working(self._begin, "Asking for a code…"):
            device = self._model.begin_device()
        self._events.clear()
        self._render()
        self.say(f"Type {device.user_code} at the verification page and approve, then press Poll until approved.",
                 "info")

    @handler
    def _on_approve_demo(self, _button=None) -> None:
        with self.working(self._approve_demo, "Approving at the demo's verification page…"):
            said = self._model.approve_device_as_demo()
        self._events.append(f"the demo user typed the code and pressed Approve ({said})")
        self._render_log()
        self.say("Approved at the demo's verification page; press Poll until approved.", "ok")

    @handler
    def _on_poll(self, _button=None) -> None:
        def follow(event) -> None:
            if event.kind != "waiting":
                self._events.append(f"poll {event.polls}: {event.message}")
            else:
                self._events.append(event.message)
            self._render_countdown()
            self._render_log()

        with self.working(self._poll, "Polling the token endpoint…"):
            token = self._model.poll_device(on_event=follow, timeout=_POLL_LIMIT)
        self.say(f"Approved: got a {token.token_type} token {token.masked}. Press Next to see it.", "ok")
