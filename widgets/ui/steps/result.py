"""Step 4: the token as a person needs it (masked, revealable, copyable), what it says, when it
expires, and a test delivery to the webhook receiver with it.

Revealing and copying: the unmasked token and header never enter widget state (which a saved
notebook keeps). Two :class:`~widgets.ui.reveal.SecretView` widgets sync only labels, masked forms
and a flag; the values reach the browser in a custom widget message while (and only while) the
token is revealed, where one shows them in read-only text boxes and the other copies them
(``navigator.clipboard``, with a ``document.execCommand`` fallback). Hiding again (or leaving the
step, a new token, or 30 s) wipes them in the browser and forgets them in the view.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as ipw

from ...core.config import AuthType
from ...core.redact import mask
from ..markup import COLOURS, esc, mono
from ..reveal import SecretView, auto_hide
from ..text import claim_rows, expiry_text
from .base import Step, handler
from .id_token import id_token_table_html

__all__ = ["ResultStep"]

class ResultStep(Step):
    """What came out of Run. ``token``, ``delivery``, ``expiry`` and ``message`` are read-only."""

    name = "result"
    title = "Result"

    def __init__(self, model, before_run: Callable[[], object] | None = None):
        super().__init__(model)
        self._before_run = before_run or (lambda: None)
        self._token_line = ipw.HTML()
        self._token_line.add_class("wal-token-masked")
        self._header_line = ipw.HTML()
        self._header_line.add_class("wal-auth-header")
        self._reveal = ipw.ToggleButton(description="Reveal", icon="eye", value=False, layout=ipw.Layout(width="auto"),
                                      tooltip="Show the token unmasked, to copy it (hidden again after 30 s, or when you leave)")
        self._reveal.add_class("wal-reveal")
        self._reveal.observe(self._on_reveal, names="value")
        auto_hide(self._reveal)  # on screen for seconds only; never in widget state
        self._revealed = SecretView("boxes")
        self._revealed.add_class("wal-revealed")
        self._copy = SecretView("buttons")
        self._copy.add_class("wal-copy")
        self._expiry = ipw.HTML()
        self._expiry.add_class("wal-expiry")
        self._refresh = self._button("refresh", "wal-refresh-expiry", icon="refresh",
                                     tooltip="Recompute the time left")
        self._refresh.on_click(self._on_refresh)
        self._facts = ipw.HTML()
        self._facts.add_class("wal-token-facts")
        self._claims = ipw.HTML()
        self._claims.add_class("wal-claims")
        self._id_token = ipw.HTML()
        self._id_token.add_class("wal-id-token-checks")
        self._send_button = self._button("Send test webhook", "wal-send-webhook", style="primary", icon="paper-plane")
        self._send_button.on_click(self._on_send)
        self._delivery = ipw.HTML()
        self._delivery.add_class("wal-delivery")
        self._secret_row = ipw.HBox([self._reveal, self._copy], layout=ipw.Layout(align_items="center"))
        self._expiry_row = ipw.HBox([self._expiry, self._refresh], layout=ipw.Layout(align_items="center"))
        model.observe(self._on_model_change, names=["token", "auth_type", "config", "delivery", "id_token_checks"])
        self.children = [
            ipw.HTML("<b>Result</b>"),
            self._token_line,
            self._header_line,
            self._secret_row,
            self._revealed,
            self._expiry_row,
            self._facts,
            self._claims,
            self._id_token,
            ipw.HTML("<div style='font-size:13px;margin-top:8px'>Send a sample alert to the Webhook URL, "
                   "authenticated as the platform would:</div>"),
            self._send_button,
            self._delivery,
            self._busy_html,
            self._message,
        ]
        self.on_show()

    # -- read-only views ---------------------------------------------------------------------
    @property
    def token(self):
        return self._model.token

    @property
    def delivery(self):
        """The last :class:`~widgets.webhook.DeliveryResult`, or None."""
        return self._model.delivery

    @property
    def expiry(self) -> str:
        return expiry_text(self._model.token)

    @property
    def revealed(self) -> bool:
        return self._reveal.value

    # -- showing -------------------------------------------------------------------------------
    def on_show(self) -> None:
        self._render()

    def on_hide(self) -> None:
        self._reveal.value = False

    @handler
    def _on_model_change(self, change) -> None:
        if change["name"] in ("token", "auth_type"):
            self._reveal.value = False
        if change["name"] == "delivery":
            self._render_delivery()
        else:
            self._render()

    def _render(self) -> None:
        model, token = self._model, self._model.token
        basic = model.auth_type is AuthType.BASIC
        if basic:
            self._token_line.value = ("<div style='font-size:13px'>Basic authentication has no token: the "
                                      "username and password travel with every delivery.</div>")
        elif token is None:
            where = "Details" if model.auth_type is AuthType.TOKEN else "Run"
            self._token_line.value = (f"<div style='font-size:13px;color:#6b7280'>No token yet: go back to "
                                      f"{where} and get one.</div>")
        else:
            self._token_line.value = (f"<div style='font-size:13px'>Access token ({esc(token.token_type)}): "
                                      f"{mono(token.masked)}</div>")
        masked = model.masked_header()
        self._header_line.value = (
            f"<div style='font-size:13px'>Ready to paste as the <code>Authorization</code> header: "
            f"{mono(masked)}</div>" if masked else ""
        )
        self._secret_row.layout.display = None if masked else "none"
        self._render_revealed()
        self._render_expiry()
        self._render_facts()
        self._id_token.value = id_token_table_html(model.id_token_checks) if model.id_token_checks else ""
        self._render_delivery()

    def _render_revealed(self) -> None:
        header = self._model.authorization_header() if self._reveal.value else None
        if header is None:
            self._revealed.hide()
            self._copy.hide()
            return
        token = self._model.token if self._model.auth_type is not AuthType.BASIC else None
        boxes, buttons = [], []
        if token is not None:
            boxes.append(("Access token", token.access_token, token.masked))
            buttons.append(("Copy token", token.access_token, token.masked))
        masked = self._model.masked_header() or ""
        boxes.append(("Authorization header value", header, masked))
        buttons.append(("Copy header", header, masked))
        self._revealed.show(boxes)
        self._copy.show(buttons)

    def _render_expiry(self) -> None:
        token = self._model.token
        text = "" if token is None or self._model.auth_type is AuthType.BASIC else expiry_text(token)
        expired = token is not None and token.is_expired()
        colour = COLOURS["error"][0] if expired else "#374151"
        self._expiry.value = f"<span style='font-size:13px;color:{colour}'>Token {esc(text)}</span>" if text else ""
        self._expiry_row.layout.display = None if text else "none"

    def _render_facts(self) -> None:
        token = self._model.token
        if token is None or self._model.auth_type is AuthType.BASIC:
            self._facts.value = self._claims.value = ""
            return
        facts = [f"scope: {mono(token.scope) if token.scope else '<i>none stated</i>'}"]
        if token.refresh_token:
            facts.append(f"refresh token: {mono(mask(token.refresh_token))} (kept in memory)")
        notes = "".join(f"<li>{esc(n)}</li>" for n in token.notes)
        if notes:
            facts.append(f"notes:<ul style='margin:2px 0'>{notes}</ul>")
        self._facts.value = "<div style='font-size:13px;line-height:1.6'>" + "<br>".join(facts) + "</div>"
        claims = token.claims
        if claims is None:
            self._claims.value = ("<div style='font-size:13px;color:#6b7280'>The token is opaque (not a JWT): "
                                  "only the provider can say what it grants.</div>")
            return
        header = token.header or {}
        rows = "".join(f"<tr><th style='text-align:left;padding:1px 8px'>{esc(k)}</th>"
                       f"<td style='padding:1px 8px;word-break:break-all'>{esc(v)}</td></tr>"
                       for k, v in claim_rows(claims))
        alg = ", ".join(f"{esc(k)}={esc(v)}" for k, v in header.items() if k in ("alg", "kid", "typ"))
        self._claims.value = (
            "<div style='font-size:13px;margin-top:6px'>JWT claims, decoded but <b>not verified</b> "
            f"(anyone can mint a token that decodes){' · ' + alg if alg else ''}</div>"
            f"<table style='font-size:12px;border-collapse:collapse;margin-top:2px'>{rows}</table>"
        )

    def _render_delivery(self) -> None:
        result = self._model.delivery
        if result is None:
            self._delivery.value = ""
            return
        kind = "ok" if result.ok else "error"
        fg, bg, border = COLOURS[kind]
        hint = f"<div><b>Hint:</b> {esc(result.hint)}</div>" if result.hint and not result.ok else ""
        self._delivery.value = (
            f"<div style='font-size:13px;color:{fg};background:{bg};border:1px solid {border};"
            f"border-radius:4px;padding:6px 10px;margin:6px 0'>"
            f"<div><b>HTTP {esc(result.status)}</b> {'accepted' if result.ok else 'not accepted'} "
            f"in {result.elapsed_ms:.0f} ms{(' · ' + esc(result.content_type)) if result.content_type else ''}</div>"
            f"<div>answer: {mono(result.body_preview) if result.body_preview else '<i>empty</i>'}</div>"
            f"{hint}</div>"
        )

    # -- events --------------------------------------------------------------------------------
    @handler
    def _on_reveal(self, change) -> None:
        self._reveal.description = "Hide" if change["new"] else "Reveal"
        self._reveal.icon = "eye-slash" if change["new"] else "eye"
        self._render_revealed()

    @handler
    def _on_refresh(self, _button=None) -> None:
        self._render_expiry()

    @handler
    def _on_send(self, _button=None) -> None:
        with self.working(self._send_button, "Sending a sample alert…"):
            self._before_run()
            self._model.send_test_webhook()
