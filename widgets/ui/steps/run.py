"""Step 3: get the token (client credentials), or run the authorization code flow by hand, or
(Basic, Token) see the exact ``Authorization`` header a delivery will carry: masked, and on
Reveal in full, in the browser only (a :class:`~widgets.ui.reveal.SecretView` line: the full header
is never widget state, which a saved notebook keeps).

The code flow by hand: build the authorize link (with a fresh ``state`` and a PKCE challenge),
log in with it in a browser, paste back the address the browser landed on; the state is
checked before the code is exchanged. Exchanging a bare code (no state to check) is a choice the
person makes with a checkbox, whose warning shows before the exchange.

The handlers only call model actions; what the step shows is rendered from the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import ipywidgets as ipw
import traitlets

from ...core.config import AuthType
from ..catch import CatchOption
from ..kernel import kernel_loop
from ..markup import attr, esc, message_html, mono
from ..reveal import SecretView, auto_hide
from .base import Step, handler
from .device import DevicePanel

#: Seconds a click on Exchange waits, inside a kernel, for the pasted text it overtook.
PASTE_GRACE = 0.5
#: How long a click on Exchange with an empty field stays wanted: the pasted text may still be on
#: its way (held back by the front end behind an unanswered update); it is exchanged when it lands.
#: Short, so that a paste a person makes later waits for their own click.
PASTE_WAIT = 3.0

__all__ = ["RunStep"]

_MARK = "background:#fff4ce;padding:1px 4px;border-radius:3px"


class RunStep(Step):
    """Buttons that make the requests. ``token``, ``authorization`` and ``message`` are read-only."""

    name = "run"
    title = "Run"

    def __init__(self, model, before_run: Callable[[], object] | None = None, page=None):
        super().__init__(model)
        #: Called before any request, to store what the Details form holds (and empty its secrets).
        self._before_run = before_run or (lambda: None)
        self._heading = ipw.HTML()

        # client credentials
        self._get_token = self._button("Get token", "wal-get-token", style="primary", icon="key")
        self._get_token.on_click(self._on_get_token)
        self._cc_box = ipw.VBox([
            ipw.HTML("<div style='font-size:13px'>The client ID and secret are exchanged for a token "
                   "at the Token URL; no person logs in.</div>"),
            self._get_token,
        ])

        # authorization code
        self._build_link = self._button("Build authorize link", "wal-build-link", style="primary", icon="link")
        self._build_link.on_click(self._on_build_link)
        self._link = ipw.HTML()
        self._link.add_class("wal-authorize-link")
        self._link_details = ipw.HTML()
        self._link_details.add_class("wal-link-details")
        self._demo_hint = ipw.HTML()
        self._demo_hint.add_class("wal-demo-hint")
        # continuous_update=False: the pasted address (it holds a code) reaches the kernel, and so
        # the widget state a save writes, on Enter or when the field loses focus (pressing
        # Exchange does both in order: blur, then click), not on every keystroke; it is
        # cleared as the exchange starts.
        self._paste = ipw.Text(description="Paste the address you landed on", continuous_update=False,
                             placeholder="https://…/callback?code=…&state=…",
                             style={"description_width": "230px"}, layout=ipw.Layout(width="760px"))
        self._paste.add_class("wal-paste")
        self._exchange_wanted: float | None = None  # monotonic time of a click that found no paste
        self._exchanged_on_arrival: float | None = None  # ... and of the exchange its late paste made
        self._paste.observe(self._on_paste_arrived, names="value")
        self._exchange = self._button("Exchange", "wal-exchange", style="primary", icon="exchange")
        self._exchange.on_click(self._on_exchange)
        # Optional: the answer caught by the kernel (through the Jupyter server when it can), no paste.
        self._catch = CatchOption(model, page, on_caught=self._on_caught, on_failed=self.show_error)
        self._bare = ipw.Checkbox(description="I only have the code (the provider sends no state back)",
                                  value=model.allow_bare_code, indent=False, layout=ipw.Layout(width="auto"))
        self._bare.add_class("wal-bare-code")
        self._bare_link = traitlets.link((self._bare, "value"), (model, "allow_bare_code"))
        self._bare_warning = ipw.HTML()
        self._bare_warning.add_class("wal-bare-code-warning")
        self._code_box = ipw.VBox([
            ipw.HTML("<ol style='font-size:13px;margin:2px 0 6px 0;padding-left:20px'>"
                   "<li>Build the authorize link and open it (it opens in a new tab).</li>"
                   "<li>Log in and approve.</li>"
                   "<li>Copy the whole address of the page you land on (it holds <code>code=</code> and "
                   "<code>state=</code>; the page itself may show an error, only the address matters).</li>"
                   "<li>Paste it below and press Exchange: the state is checked, then the code is "
                   "exchanged for a token.</li></ol>"),
            self._catch,
            self._build_link,
            self._link,
            self._link_details,
            self._demo_hint,
            self._bare,
            self._bare_warning,
            ipw.HBox([self._paste, self._exchange]),
        ])

        # basic / token: nothing to request, only the header to see
        self._header = SecretView("line")  # syncs the masked header; the full one goes in a message
        self._header.add_class("wal-auth-header")
        self._missing = ipw.HTML()
        self._missing.add_class("wal-auth-header-missing")
        self._reveal = ipw.ToggleButton(description="Reveal", icon="eye", value=False,
                                      tooltip="Show the header unmasked (hidden again after 30 s, or when you leave this step)",
                                      layout=ipw.Layout(width="auto"))
        self._reveal.add_class("wal-reveal")
        self._reveal.observe(self._on_reveal, names="value")
        auto_hide(self._reveal)  # on screen for seconds only; never in widget state
        self._header_box = ipw.VBox([
            ipw.HTML("<div style='font-size:13px'>Nothing to request: every delivery carries this header.</div>"),
            ipw.HBox([self._missing, self._header, self._reveal], layout=ipw.Layout(align_items="center")),
        ])

        # the device grant (teaching only): its own panel
        self._device_box = DevicePanel(self, model)

        model.observe(self._on_model_change, names=["auth_type", "authorization", "config", "token",
                                                    "allow_bare_code"])
        self.children = [self._heading, self._cc_box, self._code_box, self._header_box, self._device_box,
                         self._busy_html, self._message]
        self.on_show()

    # -- read-only views ---------------------------------------------------------------------
    @property
    def token(self):
        return self._model.token

    @property
    def authorization(self):
        """The last :class:`~widgets.authorize.AuthorizationRequest` built here, or None."""
        return self._model.authorization

    @property
    def authorize_url(self) -> str | None:
        return None if self._model.authorization is None else self._model.authorization.url

    @property
    def header_text(self) -> str:
        """What the header line shows now (masked unless revealed)."""
        header = self._model.authorization_header() if self._reveal.value else self._model.masked_header()
        return self._missing_text() if header is None else f"Authorization: {header}"

    # -- showing -------------------------------------------------------------------------------
    @property
    def device_panel(self) -> DevicePanel:
        return self._device_box

    def on_show(self) -> None:
        kind = self._model.auth_type
        show = {self._cc_box: kind is AuthType.OAUTH_CLIENT_CREDENTIALS,
                self._code_box: kind is AuthType.OAUTH_CODE,
                self._header_box: kind in (AuthType.BASIC, AuthType.TOKEN),
                self._device_box: kind is AuthType.DEVICE}
        for box, visible in show.items():
            box.layout.display = None if visible else "none"
        self._heading.value = f"<b>Run: {esc(kind.label)}</b>"
        self._render_link()
        self._render_bare()
        self._render_header()
        self._update_buttons()

    def on_hide(self) -> None:
        self._reveal.value = False  # clears the revealed header

    @handler
    def _on_model_change(self, change) -> None:
        if change["name"] == "auth_type":
            self._paste.value = ""
        self.on_show()

    def _render_bare(self) -> None:
        allowed = self._model.allow_bare_code
        self._paste.placeholder = ("the code alone, e.g. SplxlOBeZQQYbYS6WxSbIA" if allowed
                                   else "https://…/callback?code=…&state=…")
        self._paste.description = "Paste the code" if allowed else "Paste the address you landed on"
        said = ("State will not be checked: a bare code carries no state, so nothing shows that it answers the "
                "link built here (a forged or stale code would be exchanged too). Paste the whole address "
                "instead whenever the provider sends state back.")
        if self._model.config.require_iss is True:
            said += (" This provider also sends iss with every answer, which a code alone lacks: it will refuse "
                     "a bare code, so paste the whole address.")
        self._bare_warning.value = message_html("warning", said) if allowed else ""

    def _update_buttons(self) -> None:
        self._exchange.disabled = self._model.busy or self._model.authorization is None
        self._device_box.update_buttons()

    def _render_link(self) -> None:
        request = self._model.authorization
        if request is None:
            self._link.value = self._link_details.value = self._demo_hint.value = ""
            return
        self._link.value = (
            "<div style='margin:6px 0;font-size:13px;word-break:break-all'>"
            f"<a href=\"{attr(request.url)}\" target=\"_blank\" rel=\"noopener\" referrerpolicy=\"no-referrer\" "
            f"style='color:#1d4ed8;text-decoration:underline'>{esc(request.url)}</a></div>"
        )
        if request.code_challenge:
            pkce = (f"PKCE challenge ({esc(request.code_challenge_method)}): "
                    f"<span class='wal-challenge' style='{_MARK}'>{mono(request.code_challenge)}</span> "
                    "<span style='color:#6b7280'>(its verifier stays here, in memory)</span>")
        else:
            pkce = "PKCE: off"
        self._link_details.value = (
            "<div style='font-size:13px;line-height:1.8'>"
            f"state: <span class='wal-state' style='{_MARK}'>{mono(request.state)}</span>"
            " <span style='color:#6b7280'>(must come back unchanged)</span><br>"
            f"{pkce}</div>"
        )
        provider = self._model.provider
        if self._model.using_demo_provider:
            from ...demo.provider import DEMO_PASSWORD

            # Only the built-in teaching password is shown: widget values can be saved into the
            # notebook, and a password someone chose is a secret like any other.
            shown = (f"<b>{esc(provider.username)}</b> / <b>{esc(provider.password)}</b>"
                     if provider.password == DEMO_PASSWORD else
                     f"<b>{esc(provider.username)}</b> with the password you gave the demo provider")
            self._demo_hint.value = (
                f"<div style='font-size:13px;color:#374151'>Demo provider: log in as {shown}</div>"
            )
        else:
            self._demo_hint.value = ""

    def _missing_text(self) -> str:
        missing = "username and password" if self._model.auth_type is AuthType.BASIC else "token"
        return f"(enter the {missing} in Details first)"

    def _render_header(self) -> None:
        masked = self._model.masked_header()
        if masked is None:
            self._header.hide()
            self._missing.value = f"<span style='color:#6b7280'>{esc(self._missing_text())}</span>"
            self._missing.layout.display = None
            return
        self._missing.value = ""
        self._missing.layout.display = "none"
        item = ("Authorization header", f"Authorization: {masked}")
        header = self._model.authorization_header() if self._reveal.value else None
        if header is None:
            self._header.conceal([item])
        else:
            self._header.show([(item[0], f"Authorization: {header}", item[1])])

    # -- events --------------------------------------------------------------------------------
    @handler
    def _on_reveal(self, change) -> None:
        self._reveal.description = "Hide" if change["new"] else "Reveal"
        self._reveal.icon = "eye-slash" if change["new"] else "eye"
        self._render_header()

    @handler
    def _on_get_token(self, _button=None) -> None:
        with self.working(self._get_token, "Asking the token endpoint…"):
            self._before_run()
            self._model.fetch_token()

    @handler
    def _on_build_link(self, _button=None) -> None:
        with self.working(self._build_link, "Building the link…"):
            self._before_run()
            self._catch.prepare()
            self._model.begin_authorization()
            self._catch.arm()
        if self._catch.enabled:  # the model's notice says to paste; here nothing needs pasting
            self.say("Open the link above and log in: the answer comes back here by itself.", "info")

    @handler
    def _on_caught(self, url: str) -> None:
        with self.working(self._exchange, "Caught the answer; checking the state, exchanging the code…"):
            token = self._model.complete_authorization(url)
        self.say(f"The answer was caught (no paste); state checked, the code was exchanged for a "
                 f"{token.token_type} token {token.masked}. Press Next to see it.", "ok")

    def _on_exchange(self, _button=None) -> None:
        # The field syncs on blur (continuous_update=False), and ipywidgets may hold that update
        # back while an earlier one is unanswered, whereas a click goes out at once: so a click can
        # reach the kernel before the text pasted just before it. Inside a kernel, such a click is
        # wanted for PASTE_WAIT s: the text is exchanged when it lands (_on_paste_arrived), and
        # after PASTE_GRACE s with nothing there the person reads that nothing was pasted.
        if not self._paste.value:
            now, arrived = time.monotonic(), self._exchanged_on_arrival
            if arrived is not None and now - arrived < PASTE_WAIT:
                self._exchanged_on_arrival = None
                return  # the click whose paste arrived first (and was exchanged): nothing more to do
            loop = kernel_loop()  # None outside a kernel (scripts, headless tests): nothing in flight
            if loop is not None:
                self._exchange_wanted = now
                loop.call_later(PASTE_GRACE, self._nothing_arrived)
                return
        self._exchange_pasted()

    def _nothing_arrived(self) -> None:
        if self._exchange_wanted is not None and not self._paste.value:
            self._exchange_pasted()  # "Nothing was pasted"; the click stays wanted until PASTE_WAIT

    def _on_paste_arrived(self, change) -> None:
        wanted, self._exchange_wanted = self._exchange_wanted, None
        if change["new"] and wanted is not None and time.monotonic() - wanted < PASTE_WAIT:
            self._exchanged_on_arrival = time.monotonic()
            self._exchange_pasted()

    @handler
    def _exchange_pasted(self) -> None:
        pasted = self._paste.value
        if pasted:
            self._exchange_wanted = None
        self._paste.value = ""  # it carries a one-time code: not kept in the widget
        with self.working(self._exchange, "Checking the state, exchanging the code…"):
            self._model.complete_authorization(pasted)
