"""RFC 6749 §3.2 — https://www.rfc-editor.org/rfc/rfc6749#section-3.2
RFC 6749 §2.3.1 (client authentication) — https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
RFC 7523 §2.2 (a JWT as client authentication) — https://www.rfc-editor.org/rfc/rfc7523#section-2.2
RFC 8705 §2 (mutual TLS client authentication) — https://www.rfc-editor.org/rfc/rfc8705#section-2

Requests to the token endpoint, shared by every OAuth flow here.

requests-oauthlib builds the request and oauthlib parses the answer; this module decides how
the client authenticates (§2.3.1), installs the provider-quirk hooks and the strict reader,
and turns everything that can go wrong into :class:`~widgets.core.errors.TokenEndpointError` or
:class:`~widgets.core.errors.TransportError`.

The ``*_jwt`` methods send a signed assertion that a *signer* makes: a callable given the
audience (the token endpoint URL) that returns a fresh compact JWS. Signing needs a JOSE
library, which the core does not load (see tests/test_layers.py);
:func:`widgets.diagnose.client_assertion.assertion_signer` makes one from the config. The mTLS
methods hand requests the certificate files (``cert=``) and trust the server's CA file
(``verify=``) on top of verification, never instead of it.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from .headers import ClientSecretBasic
from .config import ASSERTION_CLIENT_AUTH, SECRET_CLIENT_AUTH, TLS_CLIENT_AUTH, WebhookAuthConfig
from .errors import ConfigError, TokenEndpointError
from .loopback import allow_loopback_http
from .redact import remember, scrub
from .secret import reveal
from .token import Token
from .token_response import read_token_answer
from .transcript import Transcript
from .transport import Boundary

__all__ = ["TokenEndpoint", "JWT_BEARER_ASSERTION", "AssertionSigner", "use_tls_files"]

#: RFC 7523 §2.2: the ``client_assertion_type`` of a JWT client assertion.
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Makes a client assertion: given the audience (the token endpoint URL), a fresh compact JWS.
AssertionSigner = Callable[[str], str]


def _retry_after_seconds(value: str | None) -> int | None:
    """Retry-After as seconds from now: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0, round(when.timestamp() - time.time()))


def use_tls_files(session, config: WebhookAuthConfig) -> None:
    """RFC 8705 on a session a :class:`Boundary` set up: the client certificate for the handshake
    (the mTLS methods), and the Server CA file the provider's certificate is checked against."""
    shown = config.auth_type.fields_for(config.client_auth) if hasattr(config.auth_type, "fields_for") else ()
    if config.client_auth in TLS_CLIENT_AUTH:
        session.cert = (config.tls_client_cert, config.tls_client_key)
    if "tls_ca_file" in shown and config.tls_ca_file and config.verify_tls is True:
        session.verify = config.tls_ca_file  # the provider's CA, verification still on


class TokenEndpoint:
    """One client's conversation with one token endpoint."""

    def __init__(self, config: WebhookAuthConfig, transcript: Transcript | None, oauth_client,
                 *, send_redirect_uri: bool = True, client_assertion: AssertionSigner | None = None):
        self.config = config
        self._signer = client_assertion
        remember(config.client_secret, known=True)
        self.notes: list[str] = []
        self._received_at: float | None = None
        self._basic: tuple[tuple[str, str], ClientSecretBasic] | None = None  # per id and secret
        self.session = OAuth2Session(
            client=oauth_client,
            scope=config.scopes or None,
            # requests-oauthlib puts the session's redirect_uri into every token request body;
            # only the code exchange (RFC 6749 §4.1.3) has one.
            redirect_uri=(config.redirect_uri or None) if send_redirect_uri else None,
        )
        self.boundary = Boundary(self.session, transcript, timeout=config.timeout, verify=config.verify_tls)
        for hook_type in ("access_token_response", "refresh_token_response"):
            self.session.register_compliance_hook(hook_type, self._read_answer)
        use_tls_files(self.session, config)
    @property
    def transcript(self) -> Transcript:
        return self.boundary.transcript

    # -- client authentication (RFC 6749 §2.3.1) -----------------------------------------
    def _client_auth(self) -> dict:
        cfg = self.config
        if cfg.client_auth in ASSERTION_CLIENT_AUTH:  # RFC 7523 §2.2: a fresh assertion per request
            if self._signer is None:
                raise ConfigError(
                    {"client_auth": [f"{cfg.client_auth} needs a signer for its client assertion"]},
                    hint="Pass client_assertion=widgets.diagnose.client_assertion.assertion_signer(config) "
                         "to the flow; the command line and the wizard do it for you.")
            assertion = self._signer(cfg.token_url)
            remember(assertion)  # a bearer credential until it expires: masked wherever it shows
            return {"include_client_id": True, "client_assertion_type": JWT_BEARER_ASSERTION,
                    "client_assertion": assertion}
        if cfg.client_auth in TLS_CLIENT_AUTH:  # RFC 8705 §2: the certificate authenticates; client_id names
            return {"include_client_id": True}
        if not cfg.client_secret:  # public client: identify, do not authenticate
            return {"include_client_id": True}
        if cfg.client_auth == "client_secret_post":
            return {"include_client_id": True, "client_secret": cfg.client_secret}  # revealed at the call
        if self._basic is None or self._basic[0] != (cfg.client_id, cfg.client_secret):
            self._basic = ((cfg.client_id, cfg.client_secret), ClientSecretBasic(cfg.client_id, cfg.client_secret))
        return {"auth": self._basic[1], "include_client_id": False}

    def _read_answer(self, response):
        """The compliance hook: provider quirks undone, then the strict RFC reader.

        oauthlib then parses clean JSON; anything that is not a token has already become a
        TokenEndpointError here, with the status and content type a person needs.
        """
        self._received_at = time.time()
        try:
            params, notes = read_token_answer(
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.content,
                client_auth=self.config.client_auth
                if self.config.client_secret or self.config.client_auth not in SECRET_CLIENT_AUTH else None,
            )
        except TokenEndpointError as exc:
            if response.status_code in (429, 503):  # not a wrong Token URL: say when to come back
                exc.retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                wait = "wait a moment" if exc.retry_after is None else f"wait {exc.retry_after} s (its Retry-After)"
                busy = "is rate limiting this client" if response.status_code == 429 else "is unavailable"
                exc.hint = f"The provider {busy}: {wait}, then try again. Nothing was retried automatically."
            raise
        self.notes.extend(n for n in notes if n not in self.notes)
        remember(params.get("access_token"), params.get("refresh_token"), params.get("id_token"))
        response._content = json.dumps(params).encode()
        response.headers["Content-Type"] = "application/json"
        response.encoding = "utf-8"
        return response

    # -- requests ------------------------------------------------------------------------
    def request_token(self, step: str, **grant) -> Token:
        """POST to the token endpoint (``grant`` goes into the body) and return the token."""
        cfg = self.config
        if not cfg.token_url:
            raise ConfigError({"token_url": ["is required to request a token"]})
        auth = self._client_auth()
        if step == "refresh":
            call = self.session.refresh_token
            if "client_secret" in auth:  # refresh_token() takes body parameters as kwargs
                auth = {"client_id": cfg.client_id, "client_secret": auth["client_secret"]}
            elif "client_assertion" in auth:
                auth = {"client_id": cfg.client_id, **{k: auth[k] for k in ("client_assertion_type", "client_assertion")}}
            elif auth.get("include_client_id"):
                auth = {"client_id": cfg.client_id}
            else:
                auth = {"auth": auth["auth"]}
        else:
            call = self.session.fetch_token
        self.notes.clear()
        self._received_at = None
        with allow_loopback_http(), self.boundary.step(step, "POST", cfg.token_url):
            try:
                params = call(
                    cfg.token_url,
                    # extra parameters travel in the form body, where they cannot collide
                    # with fetch_token()'s own keyword arguments
                    body=urlencode(cfg.extra_params),
                    timeout=cfg.timeout,  # verification: the session's, set up by Boundary
                    # secrets stay Secret in this frame (a verbose traceback prints its locals);
                    # revealed only here, as they go down to requests-oauthlib and the wire
                    **{name: reveal(value) for name, value in {**auth, **grant}.items()},
                )
            except Warning as narrowed:  # oauthlib: "Scope has changed" (RFC 6749 §3.3)
                params = getattr(narrowed, "token", None)
                if params is None:
                    raise
            except OAuth2Error as exc:  # the strict reader runs first, so this is unusual
                raise TokenEndpointError(
                    f"The token response was refused by oauthlib: {scrub(exc.description or exc.error)}",
                    error=exc.error, description=scrub(exc.description or ""), status=exc.status_code,
                ) from exc
        token = Token.from_params(  # the compliance hook ran read_token_answer on this very answer
            {k: v for k, v in dict(params).items() if k != "expires_at"},
            received_at=self._received_at,
            requested_scope=cfg.scope or None,
            notes=self.notes,
        )
        last = self.boundary.last  # this exchange's row, even in a transcript shared with others
        if last is not None and token.notes:
            last.note = scrub(" ".join(token.notes))
            if last.outcome == "ok" and any("granted scope" in n for n in token.notes):
                last.outcome = "warning"
        return token
