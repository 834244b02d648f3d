"""The wizard's state and logic, without any GUI.

The widget steps read and call a :class:`WizardModel`; every check and every request happens
here, through the public core API, so the logic is tested without ipywidgets. The model is a
``traitlets.HasTraits`` so that widgets can ``link`` to it and ``observe`` it.

Which fields each auth type has, requires and keeps secret is the config's to say
(:class:`~widgets.core.config.AuthType`); how the state reads as text is the view's
(:mod:`widgets.ui.text`). Secrets (client secret, Basic password, pasted token) live only in
:attr:`WizardModel.config`, in memory; the GUI shows them masked (:meth:`WizardModel.masked_header`,
:func:`widgets.ui.text.secret_hint`) unless a person asks to reveal them.

Everything the steps show comes from here, and every result is tagged with the settings it
was made from (:meth:`WizardModel.settings_key`): a token, an authorize link, a delivery, a
probe report or a notice whose settings are not today's is dropped as soon as the settings
change, so no step can show a result of other settings. Notices (the message each step shows)
are model state too (:attr:`WizardModel.notices`); the steps render them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Dict, Enum, HasTraits, Instance, List, Unicode, UseEnum, default, observe, validate

from ..core.headers import basic_authorization
from ..core.authorization_code import AuthorizationCodeFlow, CodeExchange
from ..core.authorize import AuthorizationRequest
from ..core.client_credentials import ClientCredentialsFlow
from ..core.config import (CLIENT_AUTH_FIELDS, CLIENT_AUTH_METHODS, EXTRA_PARAM_FIELDS, FORM_FIELDS, SECRET_FIELDS,
                           AuthType, WebhookAuthConfig)
from ..core.device import DeviceAuthorization, DeviceFlow
from ..core.errors import ConfigError, StateMismatchError, WebhookAuthError
from ..core.id_token import IdTokenValidation
from ..core.redact import mask, remember
from ..core.token import Token
from ..core.transcript import Transcript
from ..core.webhook import DeliveryResult, send_test_webhook

__all__ = ["STEPS", "STEP_TITLES", "WizardModel", "Notice", "NOTICE_SCOPES", "ScorecardLogin"]

STEPS = ("auth_type", "details", "run", "result", "results_table", "diagnose")
STEP_TITLES = {
    "auth_type": "Auth type",
    "details": "Details",
    "run": "Run",
    "result": "Result",
    "results_table": "Results table",
    "diagnose": "Diagnose",
}

# Non-secret form fields that are an attribute of the config (apply() sets them as given).
_PLAIN_FIELDS = tuple(name for name in FORM_FIELDS if name not in SECRET_FIELDS and name not in EXTRA_PARAM_FIELDS)
_GRANT_FOR = {AuthType.OAUTH_CODE: "authorization_code", AuthType.OAUTH_CLIENT_CREDENTIALS: "client_credentials",
              AuthType.DEVICE: "urn:ietf:params:oauth:grant-type:device_code"}


#: Which settings each step's notice is about (a step not named here: none in particular).
#: ``grant``: what a token is made from; ``delivery``: that, the token and the webhook URL;
#: ``probe``: the provider's endpoints and client, whatever the auth type.
NOTICE_SCOPES = {"run": "grant", "result": "delivery", "diagnose": "probe"}
_PROBE_SETTINGS = tuple(n for n in AuthType.OAUTH_CODE.settings if n != "webhook_url") + ("verify_tls",)


@dataclass(frozen=True)
class Notice:
    """A step's message: ``kind`` is ok, info, warning or error; ``settings`` the key it was made
    from (None: not tied to the settings)."""

    text: str
    kind: str = "info"
    hint: str = ""
    scope: str | None = None
    settings: str | None = None


@dataclass(frozen=True)
class ScorecardLogin:
    """The login a scorecard run waits for: ``login`` (a :class:`~widgets.diagnose.scorecard.Login`),
    its ``number`` in the run and the ``most`` logins the run asks for."""

    login: object
    number: int
    most: int


def _token_from_paste(raw: str) -> Token:
    """A token a person pasted (auth type Token): its expiry is known only from a JWT ``exp``."""
    token = Token(access_token=raw, notes=("You pasted this token; it was not requested here.",))
    exp = (token.claims or {}).get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp == exp and abs(exp) < 1e15:
        token = Token(access_token=raw, expires_at=float(exp), notes=token.notes + (
            "Its expiry comes from the JWT's exp claim (not verified).",))
    return token


def _assertion_signer(config: WebhookAuthConfig):
    """The client assertion signer of the *_jwt methods (PyJWT is loaded only for them), else None."""
    if config.client_auth not in ("private_key_jwt", "client_secret_jwt"):
        return None
    from ..diagnose.client_assertion import assertion_signer

    return assertion_signer(config)


def _started(provider) -> bool:
    """Whether a DemoProvider has been started (its URLs exist only then)."""
    try:
        provider.issuer
    except RuntimeError:
        return False
    return True


class WizardModel(HasTraits):
    """Config, transcript, token and current step of one wizard, and the actions on them.

    Every action raises :class:`~widgets.errors.WebhookAuthError` (with a ``hint``) when it
    cannot succeed; the GUI shows it. ``provider`` is a :class:`~widgets.demo.DemoProvider`
    used by :meth:`fill_from_provider`; one is started on demand when none was given, and
    :meth:`close` stops it.
    """

    step = Enum(STEPS, default_value=STEPS[0])
    auth_type = UseEnum(AuthType, default_value=AuthType.OAUTH_CLIENT_CREDENTIALS)
    config = Instance(WebhookAuthConfig)
    token = Instance(Token, allow_none=True)
    authorization = Instance(AuthorizationRequest, allow_none=True)
    #: What the last code exchange checked (state, iss), for the token it gave.
    exchange = Instance(CodeExchange, allow_none=True)
    delivery = Instance(DeliveryResult, allow_none=True)
    #: The device grant's codes (RFC 8628 §3.2), once asked for; the device code stays masked.
    device = Instance(DeviceAuthorization, allow_none=True)
    #: OpenID Connect: each check of the last code flow's ID token.
    id_token_checks = Instance(IdTokenValidation, allow_none=True)
    #: The last probe of the provider (a :class:`~widgets.diagnose.probe.ProbeReport`), or None.
    probe_report = Instance(object, allow_none=True)
    #: The last ready-to-paste values (a :class:`~widgets.diagnose.paste_ready.PasteReady`), or None.
    ready = Instance(object, allow_none=True)
    #: The checks the next scorecard runs (keys of :data:`widgets.diagnose.scorecard.CHECKS`), in card order.
    scorecard_checks = List(Unicode())
    #: The login a scorecard run at another provider waits for (:class:`ScorecardLogin`), or None.
    scorecard_login = Instance(ScorecardLogin, allow_none=True)
    #: The last scorecard (a :class:`~widgets.diagnose.scorecard.Scorecard`) of today's provider settings, or None.
    scorecard_card = Instance(object, allow_none=True)
    #: The person's explicit choice to exchange a bare code, whose state cannot be checked.
    allow_bare_code = Bool(False)
    #: Each step's message, by step name (:class:`Notice`); replaced, never mutated.
    notices = Dict()
    #: True while a request runs; the GUI disables its buttons meanwhile.
    busy = Bool(False)

    def __init__(self, provider=None, transcript: Transcript | None = None,
                 config: WebhookAuthConfig | None = None):
        super().__init__()
        self.provider = provider
        self._owns_provider = False
        #: Called with the provider right after :meth:`ensure_provider` starts one (the wizard
        #: routes the browser to it through the Jupyter server when it can).
        self.on_provider_start = None
        self.transcript = transcript if transcript is not None else Transcript()
        config = config if config is not None else WebhookAuthConfig()
        remember(*(getattr(config, name) for name in SECRET_FIELDS), known=True)
        self._flow: AuthorizationCodeFlow | None = None
        self._flow_config: WebhookAuthConfig | None = None
        self._device_flow: DeviceFlow | None = None
        #: result trait name -> (scope, settings key) it was made from
        self._made_from: dict[str, tuple[str, str]] = {}
        if not isinstance(config.auth_type, AuthType):  # unparseable: start from the default type
            config = config.replace(auth_type=self.auth_type)
        self.config = config
        self.auth_type = config.auth_type
        self._keep("token", self._pasted_token(), "grant")

    # -- navigation ------------------------------------------------------------------------
    @property
    def index(self) -> int:
        return STEPS.index(self.step)

    def go_to(self, name: str) -> None:
        if name not in STEPS:
            raise ValueError(f"unknown step {name!r}; the steps are {', '.join(STEPS)}")
        self.step = name

    def next(self) -> bool:
        """Move one step on; False on the last step."""
        if self.index + 1 >= len(STEPS):
            return False
        self.step = STEPS[self.index + 1]
        return True

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.step = STEPS[self.index - 1]
        return True

    # -- the form ---------------------------------------------------------------------------
    @observe("auth_type")
    def _auth_type_changed(self, change) -> None:
        if self.config is not None and self.config.auth_type is not change["new"]:
            self.config = self.config.replace(auth_type=change["new"])
        # For the Token type the token is the one configured; for the others, one made here.
        if self.token is None:
            self._keep("token", self._pasted_token(), "grant")

    # -- results and the settings they were made from ------------------------------------------
    def settings_key(self, scope: str) -> str:
        """A digest of the settings a result of ``scope`` depends on (no secret can be read back).

        ``grant``: the auth type and its settings but the webhook URL; ``delivery``: those, the
        webhook URL and the token; ``probe``: the provider's endpoints, client and TLS setting.
        """
        cfg = self.config
        if cfg is None:
            return ""
        if scope == "grant":
            kind = self.auth_type
            values = [kind.value, *[getattr(cfg, n) for n in kind.settings if n != "webhook_url"], cfg.verify_tls]
        elif scope == "delivery":
            token = self.token.access_token if self.token is not None else None
            values = [self.settings_key("grant"), cfg.webhook_url, token]
        elif scope == "probe":
            values = [getattr(cfg, n) for n in _PROBE_SETTINGS]
        else:
            raise ValueError(f"unknown scope {scope!r}")
        text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def made_from(self, name: str) -> str | None:
        """The settings key the result ``name`` (token, delivery, ...) was made from, or None."""
        tag = self._made_from.get(name)
        return tag[1] if tag else None

    def _keep(self, name: str, value, scope: str) -> None:
        """Store a result, tagged with today's settings of ``scope``."""
        self._made_from.pop(name, None)  # before the change: observers prune on it
        setattr(self, name, value)
        if value is not None:
            self._made_from[name] = (scope, self.settings_key(scope))
        self._prune()

    @observe("config", "auth_type", "token")
    def _settings_changed(self, change) -> None:
        self._prune()

    def _prune(self) -> None:
        """Drop every result and notice whose settings are not today's."""
        if not hasattr(self, "_made_from"):
            return  # still in __init__
        for name, (scope, key) in list(self._made_from.items()):
            if self._made_from.get(name) == (scope, key) and key != self.settings_key(scope):
                del self._made_from[name]
                setattr(self, name, None)  # may prune again (the delivery follows the token)
        if self.authorization is None:
            self._flow = self._flow_config = None
        if self.device is None:
            self._device_flow = None
        kept = {step: n for step, n in self.notices.items()
                if n.scope is None or n.settings == self.settings_key(n.scope)}
        if kept != self.notices:
            self.notices = kept

    # -- notices ---------------------------------------------------------------------------------
    def notice(self, step: str) -> Notice | None:
        """The message step ``step`` shows now, or None."""
        return self.notices.get(step)

    def notify(self, step: str, text: str, kind: str = "info", hint: str = "") -> Notice:
        """Set step ``step``'s message, tagged with today's settings of that step's scope."""
        scope = NOTICE_SCOPES.get(step)
        notice = Notice(text, kind, hint or "", scope, self.settings_key(scope) if scope else None)
        self.notices = {**self.notices, step: notice}
        return notice

    def clear_notice(self, step: str) -> None:
        if step in self.notices:
            self.notices = {k: v for k, v in self.notices.items() if k != step}

    def notify_error(self, step: str, exc: WebhookAuthError, hint: str | None = None) -> Notice:
        if isinstance(exc, ConfigError) and hint is None and exc.hint == ConfigError.default_hint and step != "details":
            hint = "Go back to Details: each field says what it expects."  # the fields are on another step
        # message and hint are plain text (provider text included); the views escape them once
        return self.notify(step, exc.message, "error", hint or exc.hint)

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields of the current auth type and client-authentication method
        (:meth:`AuthType.fields_for`)."""
        return self.auth_type.fields_for(self.config.client_auth)

    def field_value(self, name: str) -> object:
        """The stored value of a non-secret field, as the form shows it."""
        if name in SECRET_FIELDS:
            raise ValueError(f"{name} is a secret: it is never put back into the form")
        if name in EXTRA_PARAM_FIELDS:
            return self.config.extra_params.get(name, "")
        return getattr(self.config, name)

    def apply(self, values: Mapping[str, object] | None = None,
              secrets: Mapping[str, str] | None = None) -> dict[str, list[str]]:
        """Store form values into the config and return its problems (empty when usable).

        ``values`` holds non-secret fields (``audience`` and ``resource`` go into
        ``extra_params``, removed when empty). ``secrets`` holds secret fields; an empty one
        keeps the secret already stored.
        """
        changes: dict[str, object] = {}
        extra = dict(self.config.extra_params)
        for name, value in (values or {}).items():
            if name in EXTRA_PARAM_FIELDS:
                text = str(value or "").strip()
                if text:
                    extra[name] = text
                else:
                    extra.pop(name, None)
            elif name in _PLAIN_FIELDS:
                changes[name] = value
            else:
                raise ValueError(f"unknown or secret field {name!r}")
        for name, value in (secrets or {}).items():
            if name not in SECRET_FIELDS:
                raise ValueError(f"{name!r} is not a secret field")
            if value:
                remember(value, known=True)  # so any later message or log line masks it
                changes[name] = value
        config = self.config.replace(auth_type=self.auth_type, extra_params=extra, **changes)
        self._set_config(config)
        return self.problems()

    def _set_config(self, config: WebhookAuthConfig) -> None:
        old = self.config
        self.config = config
        if self.auth_type is AuthType.TOKEN and (old is None or old.token != config.token or self.token is None):
            self._keep("token", self._pasted_token(), "grant")

    def _pasted_token(self) -> Token | None:
        """For the Token type, the configured token as a :class:`Token` (None when unusable)."""
        cfg = self.config
        if self.auth_type is not AuthType.TOKEN or not cfg.token or "token" in cfg.problems():
            return None
        return _token_from_paste(cfg.token.reveal())

    def problems(self) -> dict[str, list[str]]:
        """What is wrong with the config for the current auth type, per field."""
        return self.config.problems()

    # -- filling the form -------------------------------------------------------------------
    def ensure_provider(self):
        """The demo provider, started here (and stopped by :meth:`close`) when none was given
        or the one given was never started."""
        if self.provider is None:
            from ..demo import DemoProvider

            # every client-authentication method the form offers, the mTLS endpoint included
            self.provider = DemoProvider(client_auth_methods=CLIENT_AUTH_METHODS, mtls=True)
        if not _started(self.provider):
            self.provider.start()
            self._owns_provider = True  # we started it, so we stop it
            if self.on_provider_start is not None:
                self.on_provider_start(self.provider)
        return self.provider

    @property
    def using_demo_provider(self) -> bool:
        """True when the config points at this wizard's demo provider: every provider address of
        its auth type (Auth, Token, Device URL; for Basic and Token the Webhook URL) is the demo's.

        Only the type's own fields count: a form filled from the demo keeps its device URL (not a
        field of OAuth Code) when a person types in another provider's addresses."""
        provider = self.provider
        if provider is None or not _started(provider):
            return False
        cfg = self.config
        fields = cfg.auth_type.fields
        names = [n for n in ("auth_url", "token_url", "device_authorization_url") if n in fields] or ["webhook_url"]
        urls = [getattr(cfg, name) for name in names if getattr(cfg, name)]
        bases = tuple(f"{base}/" for base in (provider.issuer, getattr(provider, "browser_base", None)) if base)
        return bool(urls) and all(url.startswith(bases) for url in urls)

    def fill_from_provider(self) -> str:
        """Fill every field from the demo provider; return a sentence saying what was done.

        For the Token type, a token is fetched from the demo by client credentials, standing
        in for "a token obtained elsewhere".
        """
        p = self.ensure_provider()
        remember(p.client_secret, p.webhook_password, known=True)
        config = self.config.replace(
            auth_type=self.auth_type,
            issuer=p.issuer,
            require_iss=True,  # the demo's metadata says it sends iss (RFC 9207)
            auth_url=p.auth_url,
            device_authorization_url=p.device_authorization_url,
            token_url=p.token_url,
            client_id=p.client_id,
            client_secret=p.client_secret,
            redirect_uri=p.callback_url,
            webhook_url=p.webhook_url,
            username=p.webhook_username,
            password=p.webhook_password,
        )
        said = f"Filled from the demo provider at {p.issuer}."
        method = self.config.client_auth
        if method in CLIENT_AUTH_FIELDS and self.auth_type in _GRANT_FOR:
            try:
                beyond = p.client_settings(_GRANT_FOR[self.auth_type], client_auth=method)
            except (ValueError, RuntimeError) as exc:  # a provider given to the wizard without it
                said += f" It cannot do {method} ({exc}); the shared secret was filled instead."
            else:
                config = config.replace(**{k: v for k, v in beyond.items() if k != "client_secret"})
                said += (f" For {method} it made the client's "
                         + ("key and registered its public half." if "jwt" in method else
                            "certificate, and the Token URL is its mTLS endpoint (the Server CA file is the demo's CA)."))
        if self.auth_type is AuthType.TOKEN:
            fetched = ClientCredentialsFlow(config, self.transcript).fetch_token()
            config = config.replace(token=fetched.access_token)
            said += (" For the Token type, a token was fetched from it with client credentials, "
                     "as if you had obtained it elsewhere.")
        self._set_config(config)
        return said

    def fill_from_issuer(self, issuer_url: str) -> list[str]:
        """Fill Auth URL, Token URL and issuer from the provider's metadata (RFC 8414 / OIDC
        discovery); return notes for the reader."""
        from ..diagnose.discovery import discover  # only this action needs it

        cfg = self.config
        meta = discover(issuer_url, transcript=self.transcript, timeout=cfg.timeout, verify_tls=cfg.verify_tls)
        config = meta.apply_to(cfg)
        notes = [f"Read the metadata of {meta.issuer}: Auth URL and Token URL filled."]
        if config.client_auth != cfg.client_auth:
            notes.append(f"Client authentication set to {config.client_auth}, the one the provider lists.")
        elif meta.token_endpoint_auth_methods_supported and cfg.client_auth not in meta.usable_client_auth:
            notes.append(f"The provider lists {', '.join(meta.token_endpoint_auth_methods_supported)} for client "
                         f"authentication, not {cfg.client_auth}.")
        notes.extend(meta.notes)
        wanted = _GRANT_FOR.get(self.auth_type)
        if wanted and meta.grant_types_supported and wanted not in meta.grant_types_supported:
            notes.append(f"The provider does not list the {wanted} grant "
                         f"({', '.join(meta.grant_types_supported)}): this auth type may not work with it.")
        if meta.scopes_supported:
            notes.append("Scopes it offers: " + " ".join(meta.scopes_supported) + ".")
        self._set_config(config)
        return notes

    # -- diagnosing --------------------------------------------------------------------------
    def probe(self):
        """Safe checks of what the provider requires (no login); rows go to the transcript too.

        The report is kept (:attr:`probe_report`) until the provider's settings change; the
        Diagnose notice is its summary."""
        from ..diagnose.probe import probe

        self.clear_notice("diagnose")
        self._keep("probe_report", None, "probe")
        with self._noting("diagnose"):
            report = probe(self.config, transcript=self.transcript)
        self._keep("probe_report", report, "probe")
        kind, text = report.summary()
        self.notify("diagnose", text, kind)
        if self.ready is not None:  # what to paste may depend on what the probe found
            self.paste_ready()
        return report

    @property
    def platform_can_use_provider(self) -> bool:
        """True only when a probe of today's settings found that the platform's own OAuth Code can
        work: the provider requires neither state nor PKCE at the authorize step."""
        report = self.probe_report
        if report is None:
            return False
        verdicts = report.verdicts()
        return verdicts.get("state_required") == "no" and verdicts.get("pkce_required") == "no"

    # -- the scorecard (after login) ------------------------------------------------------------
    #: The run of :meth:`scorecard` at another provider, while :attr:`scorecard_login` waits.
    _score_run = None
    _score_skipped = 0

    @default("scorecard_checks")
    def _every_check(self) -> list[str]:
        from ..diagnose.scorecard import check_keys

        return check_keys()

    @validate("scorecard_checks")
    def _known_checks(self, proposal) -> list[str]:
        from ..diagnose.scorecard import check_keys, logins_needed

        chosen = list(proposal["value"])
        logins_needed(chosen)  # a ConfigError names an unknown check
        return [key for key in check_keys() if key in chosen]

    @property
    def scorecard_logins_needed(self) -> int:
        """At most how many logins the picked checks (:attr:`scorecard_checks`) need."""
        from ..diagnose.scorecard import logins_needed

        return logins_needed(self.scorecard_checks)

    @observe("scorecard_login")
    def _scorecard_login_changed(self, change) -> None:
        if change["new"] is None:
            self._score_run = None  # dropped with the settings it was made from, or finished

    def scorecard(self, checks=None):
        """What the provider enforces after login (:mod:`widgets.diagnose.scorecard`), for the
        picked checks (``checks``, default :attr:`scorecard_checks`).

        Against this wizard's demo provider its scripted browser does every login and the card
        is returned. Another provider needs a person for each login: the run waits in
        :attr:`scorecard_login` for :meth:`answer_scorecard_login` (or :meth:`skip_scorecard_login`),
        and None is returned until the last answer. The card is kept in :attr:`scorecard_card`;
        it, and a run still waiting, go when the provider's settings change.
        """
        from ..diagnose.scorecard import ScorecardRun, scorecard

        checks = self.scorecard_checks if checks is None else checks
        self.clear_notice("diagnose")
        self._keep("scorecard_login", None, "probe")
        self._keep("scorecard_card", None, "probe")
        with self._noting("diagnose"):
            if not list(checks):
                raise ConfigError({"scorecard": ["no check is picked"]},
                                  hint="Tick at least one check above, then press 'Scorecard (after login)' again.")
            if self.scorecard_by_demo:
                card = scorecard(self.config, self.provider.approve, checks=checks, transcript=self.transcript)
                return self._scorecard_done(card)
            run = ScorecardRun(self.config, checks, self.transcript)
            self._score_skipped = 0
            return self._scorecard_step(run, run.next_login)

    @property
    def scorecard_by_demo(self) -> bool:
        """Whether this wizard's demo can play the browser for the scorecard: its Auth URL is the
        demo's (the scorecard runs the code flow whatever the auth type)."""
        provider, auth_url = self.provider, self.config.auth_url or ""
        if provider is None or not _started(provider):
            return False
        return any(auth_url.startswith(base + "/") for base in (provider.issuer, provider.browser_base) if base)

    def answer_scorecard_login(self, landed: str | None):
        """The address the browser landed on after the waiting login (None or empty: no login was
        done, its checks say "could not tell"); the card when that was the last login, else None."""
        run, waiting = self._score_run, self.scorecard_login
        if run is None or waiting is None:
            raise ConfigError({"scorecard": ["no login is waiting"]},
                              hint="Press 'Scorecard (after login)' to start the card, then do each login it shows.")
        text = "".join(str(landed or "").split()) or None
        if text is None:
            self._score_skipped += 1
        self.clear_notice("diagnose")
        with self._noting("diagnose"):
            return self._scorecard_step(run, lambda: run.answer(text))

    def skip_scorecard_login(self):
        """Go on without the waiting login: its checks say "could not tell"."""
        return self.answer_scorecard_login(None)

    def _scorecard_step(self, run, step):
        """Take the run one login on; a failure ends the run (its error is the notice)."""
        try:
            login = step()
            card = run.result() if login is None else None
        except BaseException:
            self._score_run = None
            self._keep("scorecard_login", None, "probe")
            raise
        if card is not None:
            self._score_run = None
            self._keep("scorecard_login", None, "probe")
            return self._scorecard_done(card)
        self._score_run = run
        self._keep("scorecard_login", ScorecardLogin(login, run.logins_done + 1, run.logins_needed), "probe")
        self.notify("diagnose", "Open the link, log in and approve; then paste the address the browser lands on "
                    "and press Use this address. If the provider shows an error page instead, paste what it says, or skip "
                    "this login.", "info")
        return None

    def _scorecard_done(self, card):
        self._keep("scorecard_card", card, "probe")
        skipped = f", {self._score_skipped} of them skipped" if self._score_skipped else ""
        self._score_skipped = 0
        self.notify("diagnose", f"{len(card.rows)} checks done with {card.logins} login(s){skipped}.", "ok")
        return card

    def paste_ready(self, *, reveal: bool = False):
        """The webhook form's values and the connector JSON for the path the token took.

        OAuth Code: by hand (the **Token** type, with the token this tool obtained) unless a probe
        found that the platform can use the provider itself. Kept in :attr:`ready` (masked) until
        the settings or the token change."""
        from ..diagnose.paste_ready import paste_ready

        by_hand = self.auth_type is AuthType.OAUTH_CODE and not self.platform_can_use_provider
        ready = paste_ready(self.config, self.token, reveal=reveal, by_hand=by_hand)
        if not reveal:
            self._keep("ready", ready, "delivery")
        return ready

    # -- running -----------------------------------------------------------------------------
    @contextmanager
    def _noting(self, step: str) -> Iterator[None]:
        """A :class:`WebhookAuthError` raised in the block becomes ``step``'s notice (and goes on)."""
        try:
            yield
        except WebhookAuthError as exc:
            self.notify_error(step, exc)
            raise

    def _start_run(self) -> None:
        """A new attempt at a token: the last delivery and messages go. The last token stays until
        a new one replaces it (it was made from today's settings, and the Result step says so)."""
        self._keep("delivery", None, "delivery")
        self.clear_notice("run")
        self.clear_notice("result")

    def fetch_token(self) -> Token:
        """Client credentials: exchange the client ID and secret for a token."""
        self._start_run()
        with self._noting("run"):
            token = ClientCredentialsFlow(self.config, self.transcript,
                                          client_assertion=_assertion_signer(self.config)).fetch_token()
        self._keep("token", token, "grant")
        self.notify("run", f"Got a {token.token_type} token {token.masked}. Press Next to see it.", "ok")
        return token

    def begin_authorization(self) -> AuthorizationRequest:
        """Authorization code: a fresh authorize link (earlier links of the same settings stay valid)."""
        self.clear_notice("run")
        with self._noting("run"):
            if self._flow is None or self._flow_config != self.config:
                validator = None
                if "openid" in self.config.scopes and self.config.issuer:  # checks the ID token against the JWKS
                    from ..diagnose.id_token import IdTokenValidator

                    validator = IdTokenValidator.for_config(self.config, self.transcript)
                self._flow = AuthorizationCodeFlow(self.config, self.transcript, id_token_validator=validator,
                                                   client_assertion=_assertion_signer(self.config))
                self._flow_config = self.config
            request = self._flow.begin()
        self._keep("authorization", request, "grant")
        self.notify("run", "Open the link above, log in, then paste the address you land on.", "info")
        return request

    def complete_authorization(self, pasted: str, *, allow_bare_code: bool | None = None) -> Token:
        """Authorization code: check the pasted redirect (state first) and exchange the code.

        A bare code is exchanged only when the person chose that: :attr:`allow_bare_code` (the
        Run step's checkbox), or ``allow_bare_code=True`` here; :attr:`exchange` then says the
        state was not checked (see :meth:`AuthorizationCodeFlow.exchange`).
        """
        if allow_bare_code is None:
            allow_bare_code = self.allow_bare_code
        self._start_run()
        with self._noting("run"):
            if self._flow is None or self.authorization is None:
                raise StateMismatchError(
                    "There is no authorize link for these settings yet.",
                    hint="Click 'Build authorize link' first, log in with that link, then paste the address you "
                    "land on.",
                )
            self._keep("id_token_checks", None, "grant")
            try:
                done = self._flow.exchange(pasted, allow_bare_code=allow_bare_code is True)
            finally:  # a refused ID token's checks are shown too
                self._keep("id_token_checks", self._flow.id_token_validation, "grant")
        self._keep("token", done.token, "grant")
        self._keep("exchange", done, "grant")
        token = done.token
        if done.state_checked:
            text = f"State checked; the code was exchanged for a {token.token_type} token {token.masked}."
            kind = "ok"
        else:
            text = (f"The code was exchanged for a {token.token_type} token {token.masked}, but its state was "
                    "NOT checked: you pasted a bare code, so nothing shows it answers the link built here.")
            kind = "warning"
        extra = [w for w in done.warnings if "state could not be checked" not in w]
        text = " ".join([text, *extra, "Press Next to see it."])
        self.notify("run", text, kind)
        return token

    # -- the device grant (teaching only) ---------------------------------------------------
    def begin_device(self) -> DeviceAuthorization:
        """Device grant: ask for a user code to show (RFC 8628 §3.1); a new one each time."""
        self._start_run()
        self._keep("token", None, "grant")
        with self._noting("run"):
            flow = DeviceFlow(self.config, self.transcript)
            device = flow.begin()
        self._keep("device", device, "grant")
        self._device_flow = flow
        return device

    def poll_device(self, on_event=None, timeout: float | None = None) -> Token:
        """Device grant: poll until the code is approved (or denied, or expired); the token."""
        if self._device_flow is None or self.device is None:
            raise ConfigError({"device_code": ["there is none yet"]},
                              hint="Press 'Get a code' first, then approve it at the verification page.")
        with self._noting("run"):
            token = self._device_flow.poll(timeout=timeout, on_event=on_event)
        self._keep("token", token, "grant")
        self._keep("delivery", None, "delivery")
        return token

    def device_seconds_left(self) -> float:
        return self._device_flow.seconds_left() if self._device_flow is not None else 0.0

    def approve_device_as_demo(self, deny: bool = False) -> str:
        """Play the person at the demo's verification page (only for this wizard's demo provider)."""
        if self.device is None or not self.using_demo_provider:
            raise ConfigError({"device_code": ["there is no demo device code to approve"]},
                              hint="Fill the form from the demo provider and press 'Get a code' first.")
        return self.provider.approve_device(self.device.user_code, deny=deny,
                                            verification_uri=self.device.verification_uri)

    def authorization_header(self) -> str | None:
        """The exact ``Authorization`` value a delivery would carry now, or None when not known yet."""
        cfg = self.config
        if self.auth_type is AuthType.BASIC:
            if not (cfg.username or cfg.password):
                return None
            try:
                header = basic_authorization(cfg.username, cfg.password)
            except ValueError:  # ':' in the username; the form already says so
                return None
            remember(header.partition(" ")[2], known=True, whole=True)  # no tail: it is the password's
            return header
        if self.token is not None:
            return self.token.authorization_header
        return None

    def masked_header(self) -> str | None:
        """:meth:`authorization_header` with its credentials masked (scheme kept)."""
        header = self.authorization_header()
        if header is None:
            return None
        scheme, _, credentials = header.partition(" ")
        return f"{scheme} {mask(credentials)}"

    def send_test_webhook(self) -> DeliveryResult:
        """POST a sample alert to the webhook URL with the configured authentication."""
        self._keep("delivery", None, "delivery")
        self.clear_notice("result")
        token = None if self.auth_type is AuthType.BASIC else self.token
        with self._noting("result"):
            result = send_test_webhook(self.config, self.transcript, token=token)
        self._keep("delivery", result, "delivery")
        # Numbered from the transcript, so that a second click visibly gets its own answer.
        number = sum(1 for entry in self.transcript if entry.step == "webhook: test delivery")
        if result.ok:
            self.notify("result", f"The receiver accepted test delivery {number} (HTTP {result.status}).", "ok")
        else:
            self.notify("result", f"The receiver answered HTTP {result.status} to test delivery {number}.", "error",
                        result.hint or "")
        return result

    # -- the record ----------------------------------------------------------------------------
    def export_transcript(self, kind: str, directory: str | os.PathLike | None = None,
                          now: float | None = None) -> str:
        """Write the transcript as ``csv`` or ``html`` into ``directory`` (default: the current
        one) under a timestamped name; return the path. The transcript holds no secrets."""
        if kind not in ("csv", "html"):
            raise ValueError("kind must be 'csv' or 'html'")
        folder = Path(directory if directory is not None else os.getcwd())
        stem = "webhook-oauth-lab-transcript-" + time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
        path = folder / f"{stem}.{kind}"
        n = 2
        while path.exists():
            path = folder / f"{stem}-{n}.{kind}"
            n += 1
        if kind == "csv":
            self.transcript.to_csv(str(path))
        else:
            self.transcript.to_html(str(path))
        return str(path)

    # -- end -----------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the demo provider if this model started it."""
        if self._owns_provider and self.provider is not None:
            self.provider.stop()
            self.provider = None
            self._owns_provider = False
