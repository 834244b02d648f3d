"""Step 2: the fields the chosen auth type needs, each validated in place.

Secrets never stay in a widget. A ``Password`` widget's value is moved into the in-memory
config as soon as it reaches the kernel (when the field loses focus, or on Next / Run), and the
widget is emptied: the widget state that nbclient or JupyterLab can save into the notebook
never holds it. A small hint says a secret is stored; an empty field keeps the stored one.
"""

from __future__ import annotations

import ipywidgets as ipw

from ...core.config import CLIENT_AUTH_METHODS, FIELD_LABELS, FORM_FIELDS, SECRET_FIELDS, THOUSANDEYES_REDIRECT_URI
from ...core.errors import ConfigError
from ..markup import COLOURS, esc, field_error_html
from ..text import secret_hint
from .base import Step, handler

__all__ = ["DetailsStep"]

_LABEL_WIDTH = "160px"
_STYLE = {"description_width": _LABEL_WIDTH}
_PLACEHOLDERS = {
    "issuer": "https://login.example.com (optional; enables the iss check)",
    "auth_url": "https://login.example.com/oauth2/authorize",
    "token_url": "https://login.example.com/oauth2/token",
    "client_id": "the client's ID at the provider",
    "redirect_uri": THOUSANDEYES_REDIRECT_URI,
    "scope": "space-separated, e.g. alerts:write (optional)",
    "audience": "extra parameter audience= (optional, e.g. Auth0)",
    "resource": "extra parameter resource= (optional, RFC 8707 / Azure AD v1)",
    "username": "the receiver's user",
    "webhook_url": "https://receiver.example.com/hooks/alerts (for the test delivery)",
    # file paths only: a key is read when it signs or connects, and never enters a widget
    "client_key_file": "path of the PEM private key that signs the assertion",
    "client_key_id": "kid the provider registered the key under (optional)",
    "client_assertion_alg": "RS256, ES256, PS256 … (empty: the key decides)",
    "tls_client_cert": "path of the client certificate (PEM)",
    "tls_client_key": "path of the certificate's private key (PEM)",
    "tls_ca_file": "path of the CA that signed the server's certificate (optional)",
}
_CLIENT_AUTH_LABELS = {
    "client_secret_basic": "HTTP Basic header (client_secret_basic)",
    "client_secret_post": "In the form body (client_secret_post)",
    "client_secret_jwt": "JWT signed with the secret (client_secret_jwt)",
    "private_key_jwt": "JWT signed with a private key (private_key_jwt)",
    "tls_client_auth": "Client certificate from a CA (tls_client_auth, mTLS)",
    "self_signed_tls_client_auth": "Self-signed client certificate (self_signed_tls_client_auth, mTLS)",
}


def _wide() -> ipw.Layout:
    return ipw.Layout(width="640px")  # a fresh Layout per widget: a shared one would tie them together


def _input(name: str) -> ipw.Widget:
    """The input widget of one form field: secrets get a Password box, which _Field empties."""
    if name in SECRET_FIELDS:
        return ipw.Password(description=FIELD_LABELS[name], continuous_update=False, style=_STYLE, layout=_wide())
    if name == "client_auth":
        return ipw.Dropdown(description=FIELD_LABELS[name],
                            options=[(_CLIENT_AUTH_LABELS[m], m) for m in CLIENT_AUTH_METHODS],
                            style=_STYLE, layout=_wide())
    if name == "pkce":
        return ipw.Checkbox(description="PKCE (S256 code challenge; keep on unless the provider refuses it)",
                            value=True, indent=True, style=_STYLE, layout=_wide())
    return ipw.Text(description=FIELD_LABELS[name], placeholder=_PLACEHOLDERS.get(name, ""),
                    continuous_update=False, style=_STYLE, layout=_wide())


class _Field:
    """One input with, under it, a stored-secret hint (secrets only) and its error line."""

    def __init__(self, name: str, widget: ipw.Widget, *, extra: ipw.Widget | None = None):
        self.name = name
        self.label = FIELD_LABELS[name]
        self.widget = widget
        widget.add_class(f"wal-field-{name.replace('_', '-')}")
        self.secret = name in SECRET_FIELDS
        self.hint = ipw.HTML()
        self.error = ipw.HTML()
        self.error.add_class("wal-field-error")
        row = ipw.HBox([widget, extra]) if extra is not None else widget
        self.box = ipw.VBox([row, self.hint, self.error] if self.secret else [row, self.error])


class DetailsStep(Step):
    """The settings form. ``config`` and ``errors`` are read-only views of what it holds."""

    name = "details"
    title = "Details"

    def __init__(self, model):
        super().__init__(model)
        self._checked = False  # errors are shown after the first check (Next), then live
        self._syncing = False  # True while widgets and config are being copied either way
        self._problems: dict[str, list[str]] = {}

        self._fill_demo = self._button(
            "Fill from the demo provider", "wal-fill-demo", icon="magic",
            tooltip="Use the local demo authorization server (started on first use)")
        self._fill_issuer = self._button(
            "Fill from issuer (.well-known)", "wal-fill-issuer", icon="search",
            tooltip="Read the Auth URL and Token URL from the issuer's metadata (RFC 8414)")

        self._fields = {name: _Field(name, _input(name), extra=self._fill_issuer if name == "issuer" else None)
                        for name in FORM_FIELDS}
        self._fields["issuer"].widget.add_class("wal-issuer")
        self._fields["client_secret"].widget.add_class("wal-client-secret")
        for field in self._fields.values():
            field.widget.observe(self._on_value, names="value")
        self._fill_demo.on_click(self._on_fill_demo)
        self._fill_issuer.on_click(self._on_fill_issuer)

        model.observe(self._on_config, names="config")
        model.observe(self._on_auth_type, names="auth_type")
        self._heading = ipw.HTML()
        self.children = [
            self._heading,
            ipw.HBox([self._fill_demo], layout=ipw.Layout(margin="0 0 6px 0")),
            *(f.box for f in self._fields.values()),
            self._busy_html,
            self._message,
        ]
        self._load()
        self._layout_fields()

    # -- read-only views ---------------------------------------------------------------------
    @property
    def config(self):
        return self._model.config

    @property
    def errors(self) -> dict[str, list[str]]:
        """The problems currently shown, per field (empty before the first check)."""
        return {k: list(v) for k, v in self._problems.items()} if self._checked else {}

    def field(self, name: str) -> ipw.Widget:
        """The input widget of a field (for tests and notebooks that fill the form)."""
        return self._fields[name].widget

    def field_error(self, name: str) -> str:
        """The text shown under a field ("" when fine)."""
        msgs = self.errors.get(name, [])
        return "\n".join(f"{self._fields[name].label} {m}" for m in msgs)

    def secret_hint(self, name: str) -> str:
        """``"secret stored (ends …abcd)"`` for a stored secret field, ``""`` when none is stored."""
        if name not in SECRET_FIELDS:
            raise ValueError(f"{name} is not a secret field")
        return secret_hint(getattr(self._model.config, name))

    # -- config <-> widgets ------------------------------------------------------------------
    def commit(self, show: bool = True) -> dict[str, list[str]]:
        """Copy the form into the config, empty the secret widgets, and return the problems.

        ``show=True`` (Next, Run) starts showing problems under the fields; from then on they
        follow every change.
        """
        values = {name: f.widget.value for name, f in self._fields.items() if not f.secret}
        secrets = {name: self._fields[name].widget.value for name in SECRET_FIELDS}
        self._syncing = True
        try:
            for name in SECRET_FIELDS:
                self._fields[name].widget.value = ""
            problems = self._model.apply(values, secrets)
        finally:
            self._syncing = False
        self._refresh_hints()
        self._checked = self._checked or show
        self._show_problems(problems)
        return problems

    def _load(self) -> None:
        """Put the config's non-secret values into the widgets."""
        self._syncing = True
        try:
            for name, f in self._fields.items():
                if f.secret:
                    continue
                value = self._model.field_value(name)
                if name == "client_auth" and value not in [v for _, v in f.widget.options]:
                    # keep an unknown method visible so its error makes sense
                    f.widget.options = [*f.widget.options, (str(value) or "(none)", value)]
                f.widget.value = value
        finally:
            self._syncing = False
        self._refresh_hints()

    def _refresh_hints(self) -> None:
        for name in SECRET_FIELDS:
            f = self._fields[name]
            said = self.secret_hint(name)
            f.widget.placeholder = "stored: type to replace" if said else ""
            f.hint.value = (
                f"<div class='wal-secret-hint' style='color:{COLOURS['ok'][0]};font-size:12px;"
                f"margin:0 0 2px {_LABEL_WIDTH}'>{esc(said)}</div>" if said else ""
            )

    def _layout_fields(self) -> None:
        wanted = self._model.fields
        for name, f in self._fields.items():
            f.box.layout.display = None if name in wanted else "none"
        self._heading.value = (f"<b>Details for {esc(self._model.auth_type.label)}</b> "
                               "<span style='color:#6b7280;font-size:12px'>(only the fields this type needs)</span>")

    def _show_problems(self, problems: dict[str, list[str]]) -> None:
        self._problems = {k: list(v) for k, v in problems.items()}
        if not self._checked:
            return
        wanted = self._model.fields
        for name, f in self._fields.items():
            f.error.value = field_error_html(f.label, problems.get(name, [])) if name in wanted else ""
        # problems() names only settings of this type; those without a field (timeout, extra
        # parameters other than audience and resource) came with the config the wizard was given.
        elsewhere = [f"{FIELD_LABELS.get(name, name)} {m}" for name, msgs in problems.items()
                     if name not in wanted for m in msgs]
        if elsewhere:
            self.say("Settings this form has no field for have problems: " + "; ".join(elsewhere),
                     "error", hint="Fix them in the WebhookAuthConfig the wizard was started with.")
        elif problems:
            self.say("Some fields need attention: see the red lines under them.", "error")
        elif self.message_kind == "error":
            self.clear_message()

    # -- events --------------------------------------------------------------------------------
    @handler
    def _on_value(self, change) -> None:
        if not self._syncing:
            self.commit(show=False)
            if change["owner"] is self._fields["client_auth"].widget:
                self._layout_fields()  # each method has its own fields (AuthType.fields_for)

    @handler
    def _on_config(self, change) -> None:
        if not self._syncing:
            self._load()
            self._show_problems(self._model.problems())

    @handler
    def _on_auth_type(self, change) -> None:
        self._layout_fields()
        self._show_problems(self._model.problems())

    def on_show(self) -> None:
        self._layout_fields()
        self._refresh_hints()

    def show_error(self, exc, hint=None) -> None:
        if isinstance(exc, ConfigError):  # e.g. discovery refusing the issuer: show it at the field
            self._checked = True
            self._show_problems({**self._model.problems(), **exc.problems})
            hint = hint or exc.hint
        super().show_error(exc, hint)

    @handler
    def _on_fill_demo(self, _button=None) -> None:
        self.commit(show=False)
        label = "Starting the demo provider…" if self._model.provider is None else "Filling…"
        with self.working(self._fill_demo, label):
            said = self._model.fill_from_provider()
        self.say(said, "ok")

    @handler
    def _on_fill_issuer(self, _button=None) -> None:
        self.commit(show=False)
        issuer = self._fields["issuer"].widget.value
        with self.working(self._fill_issuer, "Reading the issuer's metadata…"):
            notes = self._model.fill_from_issuer(issuer)
        self.say(" ".join(notes), "ok")
