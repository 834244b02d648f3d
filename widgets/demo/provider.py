"""A real OAuth 2.0 authorization server, embedded in-process for teaching and tests.

oauthlib does the protocol (RFC 6749, RFC 7636 PKCE, RFC 7662 introspection,
RFC 8628 device authorization); ``DemoValidator`` holds the policy (and the
OpenID Connect ID tokens); this module is the HTTP layer: routes, pages (the
sign-in form, the device verification page), RFC 8414 metadata, RFC 9207 ``iss``
on authorization responses, a webhook receiver, and a record of what clients sent, plus the provider's
settings and lifecycle. werkzeug parses requests and builds responses;
``serving`` runs them under cheroot in daemon threads, so a Jupyter kernel never
blocks and never waits for the provider at exit; ``browser`` plays the person
who signs in (``DemoProvider.approve``).

Two views of one server. The kernel reaches the provider directly on 127.0.0.1;
a browser on another machine (Binder, a JupyterHub, a remote Jupyter server)
cannot, and reaches it through the Jupyter server instead, with
jupyter-server-proxy at ``<origin><base_url>proxy/<port>/``. ``public_url`` names
that second address: the pages a browser opens (``auth_url``, ``callback_url``)
use it, everything the kernel calls (``issuer``, ``token_url``, ``webhook_url``,
JWKS, introspection, metadata) stays direct. The issuer, and so the RFC 9207
``iss`` in every redirect, is always the direct address, the one a flow checks;
the metadata lists the public authorize endpoint, which RFC 8414 allows (an
endpoint need not share the issuer's host).

About plain http: oauthlib's *server* endpoints never check the transport.
``is_secure_transport`` (and so ``OAUTHLIB_INSECURE_TRANSPORT``) is only
consulted by its client-side helpers (``oauth2.rfc6749.parameters``), by the
metadata endpoint class this module does not use, and for CORS origins. So the
provider hands oauthlib its real ``http://127.0.0.1`` URIs and never sets
anything in ``os.environ``: setting that variable would switch off the https check for every
OAuth client in the process, including the notebook's own.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from oauthlib.oauth2 import BackendApplicationServer, BearerToken, WebApplicationServer
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints import TokenEndpoint as OAuthTokenEndpoint
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from . import browser, pages
from .certificates import DemoCA, subject_dn, write_key
from .client_auth import ClientKeys, peer_certificate
from .keys import SigningKey
from .serving import LimitedRequest, Serving, serve
from .validator import (
    CLIENT_AUTH_METHODS,
    DEVICE_GRANT,
    OPENID,
    DemoClient,
    DemoValidator,
    decode_basic,
    decode_client_basic,
    new_user_code,
    presented_credentials,
)

__all__ = ["DemoProvider", "DEMO_PASSWORD", "LAX", "CONSENT_TTL"]

#: The teaching password of the demo user; its login page shows it.
DEMO_PASSWORD = "demo-password"

#: How long a sign-in form may be submitted after it was shown, in seconds.
CONSENT_TTL = 10 * 60
_MAX_OPEN_FORMS = 10_000

#: The respects in which a demo can be started lax on purpose, for teaching (notebook 07),
#: and the values each takes. Strict is the default, and no default of the toolkit sets any.
LAX = {
    # prefix or pattern matching of redirect URIs instead of exact (RFC 9700 §4.1.3)
    "redirect_uri": ("prefix", "pattern"),
    # accept a code_verifier for a code issued without a challenge (RFC 9700 §4.8)
    "pkce_downgrade": (True,),
    # accept code_challenge_method=plain (RFC 9700 §2.1.1)
    "pkce_plain": (True,),
    # a code redeemed twice: "allow" it, or refuse it but "keep_tokens" of the first use (RFC 6749 §4.1.2)
    "code_reuse": ("allow", "keep_tokens"),
    # refresh tokens: "no_rotation", or rotated with "no_replay_detection" (RFC 9700 §4.14.2)
    "refresh": ("no_rotation", "no_replay_detection"),
    # leave iss out of authorization responses and metadata (RFC 9207)
    "iss": (False,),
    # grant every scope of the client, whatever the request narrowed it to (RFC 6749 §3.3)
    "scope": ("widen",),
}

# Authorization request parameters carried through the sign-in form.
_CARRIED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "nonce",
)
_HTML_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The callback page's address holds a code; no page here loads anything, but be sure.
    "Referrer-Policy": "no-referrer",
}
_BASIC_CHALLENGE = 'Basic realm="demo", charset="UTF-8"'


# --- small helpers ------------------------------------------------------------


def _mask(secret: str | None) -> str:
    if secret and len(secret) >= 16:
        return "****" + secret[-4:]
    return "****"


def _with_iss(location: str, issuer: str) -> str:
    """Add ``iss`` next to ``code`` or ``error`` (RFC 9207 §2)."""
    parts = urlsplit(location)
    fragment = dict(parse_qsl(parts.fragment, keep_blank_values=True))
    if "code" in fragment or "error" in fragment:
        return urlunsplit(parts._replace(fragment=_append(parts.fragment, issuer)))
    return urlunsplit(parts._replace(query=_append(parts.query, issuer)))


def _append(component: str, issuer: str) -> str:
    extra = urlencode({"iss": issuer})
    return f"{component}&{extra}" if component else extra


def _json(data: object, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(data), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _html(text: str, status: int = 200) -> Response:
    response = Response(text, status=status, mimetype="text/html")
    response.headers.update(_HTML_HEADERS)
    return response


def _redirect(location: str) -> Response:
    response = Response("", status=302)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _text(text: str, status: int, headers: dict | None = None) -> Response:
    response = Response(text + "\n", status=status, mimetype="text/plain")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _checked_lax(lax: Mapping[str, object] | None) -> dict[str, object]:
    if lax is None:
        return {}
    if not isinstance(lax, Mapping):
        raise ValueError(f"lax must be a mapping of {sorted(LAX)} to their values")
    checked = {}
    for key, value in lax.items():
        if key not in LAX:
            raise ValueError(f"lax has no setting {key!r}; the settings are {', '.join(sorted(LAX))}")
        allowed = LAX[key]
        boolean = all(isinstance(a, bool) for a in allowed)
        if value is None or (isinstance(value, bool) and (value not in allowed if boolean else value is False)):
            continue  # the strict side of this respect
        if not any(value == a and type(value) is type(a) for a in allowed):
            raise ValueError(f"lax[{key!r}] must be one of {LAX[key]!r}")
        checked[key] = value
    return checked


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _ConsentForms:
    """Sign-in form tokens: each tied to a browser's session cookie and to the request it
    carries, usable once, within :data:`CONSENT_TTL` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[str, str, float]] = {}  # token -> (session, digest, expires)
        self._sessions: dict[str, float] = {}

    @staticmethod
    def _digest(carried: dict) -> str:
        canonical = json.dumps(carried, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def session(self, presented: str | None, now: float) -> str:
        """The presented session if this provider issued it and it is live, else a new one."""
        with self._lock:
            if presented and self._sessions.get(presented, 0) > now:
                self._sessions[presented] = now + CONSENT_TTL
                return presented
            self._prune(now)
            session = secrets.token_urlsafe(24)
            self._sessions[session] = now + CONSENT_TTL
            return session

    def issue(self, session: str, carried: dict, now: float) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._prune(now)
            self._open[token] = (session, self._digest(carried), now + CONSENT_TTL)
        return token

    def redeem(self, token: str, session: str | None, carried: dict, now: float) -> str | None:
        """None when the form may be processed (the token is spent), else why not."""
        with self._lock:
            entry = self._open.pop(token, None) if token else None
        if entry is None:
            return "This sign-in form was already used, was changed, or did not come from this server."
        owner, digest, expires = entry
        if session is None or not hmac.compare_digest(owner, session):
            return "This sign-in form was opened in another browser session."
        if not hmac.compare_digest(digest, self._digest(carried)):
            return "This sign-in form was changed after it was shown."
        if now >= expires:
            return f"This sign-in form expired (forms last {CONSENT_TTL // 60} minutes)."
        return None

    def _prune(self, now: float) -> None:
        for token in [t for t, (_, _, e) in self._open.items() if e <= now]:
            del self._open[token]
        for session in [k for k, e in self._sessions.items() if e <= now]:
            del self._sessions[session]
        while len(self._open) > _MAX_OPEN_FORMS:  # oldest first: dicts keep insertion order
            del self._open[next(iter(self._open))]
        while len(self._sessions) > _MAX_OPEN_FORMS:
            del self._sessions[next(iter(self._sessions))]


class _Records:
    """Append-only lists of plain dicts, read as deep copies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lists: dict[str, list[dict]] = {"token": [], "authorize": [], "webhook": [], "device": []}

    def add(self, kind: str, record: dict) -> None:
        with self._lock:
            self._lists[kind].append(record)

    def get(self, kind: str) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._lists[kind])

    def clear(self) -> None:
        with self._lock:
            for records in self._lists.values():
                records.clear()


class _DeviceEndpoint(DeviceAuthorizationEndpoint):
    """oauthlib's device authorization endpoint, with a verification URI known only once serving."""

    def __init__(self, validator, verification_uri: Callable[[], str], **kwargs):
        self._uri = verification_uri
        super().__init__(validator, verification_uri="", **kwargs)

    @property
    def verification_uri(self):
        return self._uri()


# --- the provider -------------------------------------------------------------


class DemoProvider:
    """An OAuth 2.0 authorization server on 127.0.0.1, for the notebooks and the tests.

    Use it as a context manager (``with DemoProvider() as provider:``) or call
    ``start()`` and ``stop()``. URLs are valid once started. One confidential
    client (``client_id``/``client_secret``) and one user (``username``/``password``).
    ``approve()`` plays the person in the browser. ``token_requests``,
    ``authorize_requests`` and ``webhook_deliveries`` tell what clients sent.

    ``public_url`` (or the ``WAL_DEMO_PUBLIC_URL`` variable, read by :meth:`from_env`)
    is where a browser reaches this provider when it cannot reach 127.0.0.1 of this
    machine, e.g. ``"https://hub.example.org/user/ana/proxy/{port}"``; ``{port}`` is
    replaced by the port once bound. It can be set after start too
    (``provider.public_url = ...``; ``None`` goes back to the direct address). The
    wizard sets it by itself when the notebook's page reports a Jupyter server with
    jupyter-server-proxy. :meth:`register_redirect_uri` adds an exact redirect URI
    for the client, as a person registers one with a real provider.

    The set-up a notebook needs is two calls::

        demo = DemoProvider.from_env(require_state=True).start()
        config = WebhookAuthConfig(auth_type="oauth_code", scope="alerts:write",
                                   **demo.client_settings())

    ``from_env(**overrides)`` builds (and does not start) a provider whose client
    secret, login password and webhook password come from ``WAL_DEMO_CLIENT_SECRET``,
    ``WAL_DEMO_PASSWORD`` and ``WAL_DEMO_WEBHOOK_PASSWORD`` when those are set and
    not empty (see :attr:`ENVIRONMENT`), so tests can plant canaries; otherwise
    secrets are made up as ``DemoProvider()`` makes them. Keyword ``overrides`` are
    the constructor's and win over the environment.

    ``client_settings(grant="authorization_code")`` returns what a
    ``WebhookAuthConfig`` needs to use this provider: for the code grant
    ``auth_url``, ``token_url``, ``client_id``, ``client_secret``, ``redirect_uri``
    (this provider's callback page), ``issuer`` (for the RFC 9207 ``iss`` check)
    and ``webhook_url``; for ``"client_credentials"`` only ``token_url``,
    ``client_id``, ``client_secret`` and ``webhook_url``, since that grant has no
    browser step. The scope is the client's choice and is not in it. The dict holds
    the client secret in clear: show the config (its repr masks it), not the dict.

    Strict by default, as a server on 127.0.0.1 must be when any web page the browser opens
    can send requests to it: it answers only to a ``Host`` naming its own address (DNS
    rebinding); a sign-in form is accepted once, within :data:`CONSENT_TTL`, from the browser
    session it was shown to, and never when posted from another origin; a ``code_verifier``
    for a code issued without a challenge is refused (RFC 9700 §4.8); replaying a rotated
    refresh token revokes every token of its family (§4.14.2); the webhook receiver wants
    :attr:`webhook_scope`; and ``host`` must be a loopback address unless
    ``allow_non_loopback=True`` (which warns).

    ``lax={...}`` starts it careless on purpose, for the attack lab (notebook 07): one entry
    per respect, from :data:`LAX`. ``redirect_uris`` replaces the default registration (its
    own callback, ThousandEyes', any loopback port) by exactly these URIs. ``users`` adds
    accounts (name -> password) beside ``username``, for an attacker of one's own.
    """

    #: The environment variable :meth:`from_env` reads for each setting.
    ENVIRONMENT = {
        "client_secret": "WAL_DEMO_CLIENT_SECRET",
        "password": "WAL_DEMO_PASSWORD",
        "webhook_password": "WAL_DEMO_WEBHOOK_PASSWORD",
    }
    #: The variable :meth:`from_env` reads ``public_url`` from (not a secret).
    PUBLIC_URL_VARIABLE = "WAL_DEMO_PUBLIC_URL"

    def __init__(
        self,
        *,
        client_id: str = "demo-client",
        client_secret: str | None = None,
        require_state: bool = False,
        require_pkce: bool = False,
        client_auth_methods: Iterable[str] = ("client_secret_basic", "client_secret_post"),
        scopes: Iterable[str] = ("alerts:write", "alerts:read", "profile"),
        default_scopes: Iterable[str] = ("alerts:write",),
        username: str = "demo",
        password: str = DEMO_PASSWORD,
        webhook_username: str = "webhook",
        webhook_password: str | None = None,
        access_token_ttl: int = 3600,
        issue_refresh_tokens: bool = True,
        device_interval: int = 5,
        device_code_ttl: int = 600,
        mtls: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        allow_non_loopback: bool = False,
        lax: Mapping[str, object] | None = None,
        redirect_uris: Iterable[str] | None = None,
        users: Mapping[str, str] | None = None,
        webhook_scope: str | None = None,
    ) -> None:
        client_auth_methods = tuple(client_auth_methods)
        unknown = [m for m in client_auth_methods if m not in CLIENT_AUTH_METHODS]
        if unknown or not client_auth_methods:
            raise ValueError(f"client_auth_methods must be drawn from {CLIENT_AUTH_METHODS}")
        scopes, default_scopes = tuple(scopes), tuple(default_scopes)
        if not scopes or any(" " in s or not s for s in scopes):
            raise ValueError("scopes must be non-empty strings without spaces")
        if not default_scopes or not set(default_scopes) <= set(scopes):
            raise ValueError("default_scopes must be a non-empty subset of scopes")
        if int(access_token_ttl) <= 0:
            raise ValueError("access_token_ttl must be a positive number of seconds")
        if int(device_interval) <= 0 or int(device_code_ttl) <= 0:
            raise ValueError("device_interval and device_code_ttl must be positive numbers of seconds")
        if client_secret == "" or webhook_password == "" or not password:
            # An empty secret would let "id:" in a Basic header through.
            raise ValueError("client_secret, password and webhook_password must not be empty")

        lax = _checked_lax(lax)
        if not _is_loopback_host(host):
            if not allow_non_loopback:
                raise ValueError(
                    f"host {host!r} is not a loopback address: the demo provider is a teaching server "
                    "with a published password. Pass allow_non_loopback=True to serve other machines anyway.")
            warnings.warn(
                f"DemoProvider serves on {host!r}: other machines can reach its login page, its known "
                "password and its webhook receiver. Use it only on a network you trust.",
                RuntimeWarning, stacklevel=2)
        webhook_scope = webhook_scope if webhook_scope is not None else (
            "alerts:write" if "alerts:write" in scopes else default_scopes[0])
        if webhook_scope not in scopes:
            raise ValueError("webhook_scope must be one of scopes")
        extra_users = dict(users or {})
        if any(not isinstance(u, str) or not u or not isinstance(pw, str) or not pw for u, pw in extra_users.items()):
            raise ValueError("users must map non-empty user names to non-empty passwords")

        self._client = DemoClient(
            client_id=client_id,
            client_secret=secrets.token_urlsafe(24) if client_secret is None else client_secret,
            auth_methods=client_auth_methods,
        )
        self._username = username
        self._password = password
        self._users = {**extra_users, username: password}
        self._webhook_username = webhook_username
        self._webhook_password = (
            secrets.token_urlsafe(24) if webhook_password is None else webhook_password
        )
        self._settings = dict(
            require_state=require_state,
            require_pkce=require_pkce,
            scopes=scopes,
            default_scopes=default_scopes,
            issue_refresh_tokens=issue_refresh_tokens,
            access_token_ttl=int(access_token_ttl),
            device_interval=int(device_interval),
            device_code_ttl=int(device_code_ttl),
            lax=lax,
            redirect_uris=None if redirect_uris is None else tuple(redirect_uris),
            webhook_scope=webhook_scope,
        )
        self._host = host
        self._port = port
        self._public_url: str | None = None
        self.public_url = public_url  # checked by the setter
        self._redirect_uris: list[str] = []
        # Tests move time by replacing this; nothing in the provider reads time.time directly.
        self._clock: Callable[[], float] = time.time
        self._forms = _ConsentForms()
        self._records = _Records()
        self._internal_errors: list[str] = []  # exception class names only, for tests
        self._lifecycle = threading.Lock()
        self._serving: Serving | None = None
        self._issuer: str | None = None
        self._validator: DemoValidator | None = None  # with _key, _web, _backend: built at first start
        # Beyond the shared secret (RFC 7523, RFC 8705): the client's registered keys and
        # certificates, the CA of the mTLS endpoint, and the files they live in.
        self._client_keys = ClientKeys()
        self._mtls = bool(mtls)
        self._mtls_serving: Serving | None = None
        self._mtls_issuer: str | None = None
        self._directory: tempfile.TemporaryDirectory | None = None
        self._ca: DemoCA | None = None
        self._client_files: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_env(cls, **overrides) -> "DemoProvider":
        """A provider (not started) with the secrets set in the environment, and ``overrides``.

        Each setting of :attr:`ENVIRONMENT` whose variable is set to a non-empty
        value takes it; an empty or unset variable leaves the default (a made-up
        secret, the teaching password). Keyword ``overrides`` are passed to the
        constructor and win over the environment.
        """
        found = {name: os.environ.get(variable) for name, variable in cls.ENVIRONMENT.items()}
        found["public_url"] = os.environ.get(cls.PUBLIC_URL_VARIABLE)
        return cls(**{**{name: value for name, value in found.items() if value}, **overrides})

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> "DemoProvider":
        """Bind a port and serve in daemon threads. Calling it again does nothing.

        Raises ``OSError`` when the port is taken.
        """
        with self._lifecycle:
            if self._serving is not None:
                return self
            if self._validator is None:
                self._build_oauth()
            serving = serve(
                self._wsgi, self._host, self._port, internal_errors=self._internal_errors, name="DemoProvider"
            )
            host = f"[{self._host}]" if ":" in self._host else self._host
            self._issuer = f"http://{host}:{serving.port}"
            self._serving = serving
            if self._mtls:
                try:
                    context = self.ca.server_context(trusted=self._client_keys.self_signed())
                    self._mtls_context = context
                    cert, key = self.ca.server_files
                    mtls = serve(self._wsgi, self._host, 0, internal_errors=self._internal_errors,
                                 name="DemoProvider-mTLS", tls=(context, str(cert), str(key)))
                except BaseException:
                    self._serving = None
                    serving.stop()
                    raise
                self._mtls_serving = mtls
                self._mtls_issuer = f"https://{host}:{mtls.port}"
            return self

    def stop(self) -> None:
        """Stop serving, close the sockets (kept-alive ones too) and join the threads. Safe to call twice."""
        with self._lifecycle:
            serving, self._serving = self._serving, None
            mtls, self._mtls_serving = self._mtls_serving, None
            for running in (serving, mtls):
                if running is not None:
                    running.stop()

    def __enter__(self) -> "DemoProvider":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._serving is not None

    def _build_oauth(self) -> None:
        s = self._settings
        self._key = SigningKey()
        self._validator = validator = DemoValidator(
            client=self._client,
            scopes=s["scopes"],
            default_scopes=s["default_scopes"],
            require_state=s["require_state"],
            require_pkce=s["require_pkce"],
            issue_refresh_tokens=s["issue_refresh_tokens"],
            lax=s["lax"],
            # Given redirect_uris replace the default registration; register_redirect_uri adds to either.
            registered_redirect_uris=lambda: None if s["redirect_uris"] is None else (
                *s["redirect_uris"], *self._redirect_uris),
            access_token_ttl=s["access_token_ttl"],
            signing_key=self._key,
            issuer=lambda: self.issuer,
            own_callback=lambda: (self.callback_url, self.issuer + "/callback", *self._redirect_uris),
            clock=lambda: self._clock(),
            client_keys=self._client_keys,
            # RFC 7523 §3: the token endpoint's URL; the issuer too, as RFC 7523bis asks
            assertion_audiences=lambda: tuple(u for u in (self.token_url, self.issuer, self._mtls_token_url()) if u),
            issued_by_demo=lambda pem: self._ca is not None and self._ca.issued(pem),
        )
        tokens = dict(
            token_generator=validator.mint_access_token,
            token_expires_in=s["access_token_ttl"],
            refresh_token_generator=validator.mint_refresh_token,
        )
        self._web = WebApplicationServer(validator, **tokens)
        self._web.auth_grant.refresh_token = s["issue_refresh_tokens"]
        self._web.auth_grant.custom_validators.pre_auth.append(
            validator.check_authorization_request
        )
        self._web.auth_grant.register_token_modifier(validator.add_id_token)
        self._web.refresh_grant.register_token_modifier(validator.add_id_token)  # OIDC Core §12.2
        self._backend = BackendApplicationServer(validator, **tokens)
        # RFC 8628: the device authorization endpoint, and the token endpoint's device grant.
        self._device = _DeviceEndpoint(
            validator,
            verification_uri=lambda: self.verification_url,
            expires_in=s["device_code_ttl"],
            interval=s["device_interval"],
            verification_uri_complete=lambda code: f"{self.verification_url}?{urlencode({'user_code': code})}",
            user_code_generator=new_user_code,
        )
        device_grant = DeviceCodeGrant(validator)
        device_grant.refresh_token = s["issue_refresh_tokens"]
        bearer = BearerToken(validator, tokens["token_generator"], s["access_token_ttl"],
                             tokens["refresh_token_generator"])
        self._device_tokens = OAuthTokenEndpoint(DEVICE_GRANT, bearer, {DEVICE_GRANT: device_grant})

    # -- addresses and credentials -------------------------------------------------

    @property
    def lax(self) -> dict[str, object]:
        """The respects in which this provider was started lax on purpose ({} when strict)."""
        return dict(self._settings["lax"])

    @property
    def webhook_scope(self) -> str:
        """The scope a Bearer token needs for the webhook receiver to accept it."""
        return self._settings["webhook_scope"]

    @property
    def issuer(self) -> str:
        if self._issuer is None:
            raise RuntimeError("DemoProvider is not started: call start() or use `with`.")
        return self._issuer

    @property
    def port(self) -> int:
        """The port bound (valid once started)."""
        return int(self.issuer.rsplit(":", 1)[1])

    @property
    def public_url(self) -> str | None:
        """Where a browser reaches this provider, when not directly; None: the issuer itself.

        Before start, a ``{port}`` in it is shown as given.
        """
        if self._public_url is None:
            return None
        if self._issuer is None:
            return self._public_url
        return self._public_url.replace("{port}", str(self.port))

    @public_url.setter
    def public_url(self, value: str | None) -> None:
        if value is None or value == "":
            self._public_url = None
            return
        parts = urlsplit(str(value).replace("{port}", "1"))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("public_url must be an absolute http(s) URL without query or fragment, "
                             "e.g. https://hub.example.org/user/ana/proxy/{port}")
        self._public_url = str(value).rstrip("/")

    @property
    def browser_base(self) -> str:
        """The base of the pages a browser opens: ``public_url`` when set, else the issuer."""
        return self.public_url or self.issuer

    def register_redirect_uri(self, uri: str) -> None:
        """Accept ``uri`` (exactly) as a redirect URI of the client, as one registers it with a provider."""
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            raise ValueError("a redirect URI is an absolute http(s) URL without a fragment")
        if uri not in self._redirect_uris:
            self._redirect_uris.append(uri)

    auth_url = property(lambda self: self.browser_base + "/authorize")
    token_url = property(lambda self: self.issuer + "/token")
    webhook_url = property(lambda self: self.issuer + "/webhook")
    jwks_url = property(lambda self: self.issuer + "/jwks.json")
    introspection_url = property(lambda self: self.issuer + "/introspect")
    callback_url = property(lambda self: self.browser_base + "/callback")
    device_authorization_url = property(lambda self: self.issuer + "/device_authorization")
    #: The page where a person types the user code (RFC 8628 §3.3): opened by the browser, so
    #: through the Jupyter server when the demo has a public URL.
    verification_url = property(lambda self: self.browser_base + "/device")
    metadata_url = property(lambda self: self.issuer + "/.well-known/oauth-authorization-server")
    def _mtls_token_url(self) -> str | None:
        return None if self._mtls_issuer is None else self._mtls_issuer + "/token"

    @property
    def mtls_token_url(self) -> str:
        """The token endpoint over TLS that requires a client certificate (RFC 8705 §5 alias)."""
        if not self._mtls:
            raise RuntimeError("this DemoProvider has no mTLS endpoint: make it with DemoProvider(mtls=True)")
        if self._mtls_issuer is None:
            raise RuntimeError("DemoProvider is not started: call start() or use `with`.")
        return self._mtls_issuer + "/token"

    # -- keys and certificates of the client (RFC 7523, RFC 8705) -----------------------

    @property
    def files_directory(self) -> Path:
        """Where the demo writes its CA, certificates and the client keys it makes (removed at exit)."""
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="wal-demo-")
        return Path(self._directory.name)

    @property
    def ca(self) -> DemoCA:
        if self._ca is None:
            self._ca = DemoCA(self.files_directory)
        return self._ca

    @property
    def ca_file(self) -> str:
        """The demo CA's certificate: what a client trusts for the mTLS endpoint (``verify=``)."""
        return str(self.ca.ca_file)

    def register_client_jwks(self, jwks: dict) -> None:
        """Register the client's public keys (a JWK Set) for private_key_jwt (RFC 7523 §2.2)."""
        self._client_keys.add_jwks(jwks)

    @property
    def client_jwks(self) -> dict:
        return self._client_keys.jwks()

    def make_client_key(self) -> tuple[str, str]:
        """Make an EC P-256 key for the client, register its public half, write the private key
        (0600) to :attr:`files_directory`; returns (key file, kid)."""
        from cryptography.hazmat.primitives.asymmetric import ec
        from jwt.algorithms import ECAlgorithm

        from .keys import jwk_thumbprint

        key = ec.generate_private_key(ec.SECP256R1())
        public = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        kid = jwk_thumbprint(public)
        self.register_client_jwks({"keys": [{**public, "kid": kid, "use": "sig", "alg": "ES256"}]})
        path = write_key(self.files_directory / f"client-key-{kid[:8]}.pem", key)
        return str(path), kid

    def issue_client_certificate(self, *, expired: bool = False) -> tuple[str, str]:
        """A client certificate from the demo CA, its subject registered for tls_client_auth;
        ``expired=True`` makes one the TLS layer refuses. Returns (cert file, key file)."""
        stem = "client-expired" if expired else "client"
        cert, key = self.ca.client_certificate(self.client_id, stem=stem, expired=expired)
        self._client_keys.set_subject_dn(subject_dn(cert.read_bytes()))
        return str(cert), str(key)

    def make_self_signed_certificate(self) -> tuple[str, str]:
        """A self-signed client certificate, registered for self_signed_tls_client_auth
        (its x5t#S256); the running mTLS endpoint trusts it from now on. (cert file, key file)."""
        cert, key = self.ca.client_certificate(self.client_id, stem="client-self-signed", self_signed=True)
        pem = cert.read_text()
        self._client_keys.add_self_signed(pem)
        context = getattr(self, "_mtls_context", None)
        if context is not None:
            context.load_verify_locations(cadata=pem)
        return str(cert), str(key)

    client_id = property(lambda self: self._client.client_id)
    client_secret = property(lambda self: self._client.client_secret)
    username = property(lambda self: self._username)
    password = property(lambda self: self._password)
    webhook_username = property(lambda self: self._webhook_username)
    webhook_password = property(lambda self: self._webhook_password)

    def client_settings(self, grant: str = "authorization_code", *, client_auth: str | None = None) -> dict[str, str]:
        """The fields a ``WebhookAuthConfig`` needs to use this provider with ``grant``.

        ``grant`` is ``"authorization_code"`` (the OAuth Code type) or
        ``"client_credentials"``; the class docstring lists the fields of each;
        ``"device"`` (RFC 8628) adds ``device_authorization_url`` and ``issuer`` to the
        client credentials' fields. The dict holds the client secret in clear. Raises
        ``RuntimeError`` before ``start()``, ``ValueError`` for another grant.
        """
        if grant not in ("authorization_code", "client_credentials", "device"):
            raise ValueError(f"grant must be 'authorization_code', 'client_credentials' or 'device', not {grant!r}")
        if client_auth not in (None, "client_secret_basic", "client_secret_post"):
            return self._client_settings_beyond_secret(grant, client_auth)
        client = dict(token_url=self.token_url, client_id=self.client_id, client_secret=self.client_secret)
        if grant == "client_credentials":
            return dict(client, webhook_url=self.webhook_url)
        if grant == "device":
            return dict(device_authorization_url=self.device_authorization_url, **client, issuer=self.issuer,
                        webhook_url=self.webhook_url)
        return dict(auth_url=self.auth_url, **client, redirect_uri=self.callback_url, issuer=self.issuer,
                    webhook_url=self.webhook_url)

    def _client_settings_beyond_secret(self, grant: str, client_auth: str) -> dict[str, str]:
        """client_settings() for private_key_jwt, client_secret_jwt or mTLS: the files the demo made
        (a key, a certificate; made on first use) and no client secret unless the method signs with it."""
        if client_auth not in self._client.auth_methods:
            raise ValueError(f"{client_auth} is not enabled: DemoProvider(client_auth_methods=(..., {client_auth!r}))")
        settings = self.client_settings(grant)
        settings["client_auth"] = client_auth
        if client_auth != "client_secret_jwt":
            del settings["client_secret"]
        if client_auth == "private_key_jwt":
            if "private_key_jwt" not in self._client_files:
                self._client_files["private_key_jwt"] = self.make_client_key()
            settings["client_key_file"], settings["client_key_id"] = self._client_files["private_key_jwt"]
        elif client_auth in ("tls_client_auth", "self_signed_tls_client_auth"):
            if client_auth not in self._client_files:
                self._client_files[client_auth] = (self.issue_client_certificate() if client_auth == "tls_client_auth"
                                                   else self.make_self_signed_certificate())
            settings["tls_client_cert"], settings["tls_client_key"] = self._client_files[client_auth]
            settings["tls_ca_file"] = self.ca_file
            settings["token_url"] = self.mtls_token_url
        return settings

    def __repr__(self) -> str:
        where = self._issuer or "not started"
        public = f"public_url={self.public_url!r}, " if self._public_url else ""
        lax = f"lax={self._settings['lax']!r}, " if self._settings["lax"] else ""
        return (
            f"DemoProvider(issuer={where!r}, {public}running={self.running}, {lax}"
            f"client_id={self.client_id!r}, client_secret={_mask(self.client_secret)!r}, "
            f"username={self.username!r}, password={_mask(self.password)!r}, "
            f"webhook_username={self.webhook_username!r}, "
            f"webhook_password={_mask(self.webhook_password)!r})"
        )

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # IPython's display: one setting a line, so a narrow page (Voila, a phone) needs no scrolling.
        head, _, body = repr(self).partition("(")
        printer.text(head + "(\n    " + body[:-1].replace(", ", ",\n    ") + ",\n)")

    # -- records -------------------------------------------------------------------

    @property
    def token_requests(self) -> list[dict]:
        return self._records.get("token")

    @property
    def authorize_requests(self) -> list[dict]:
        return self._records.get("authorize")

    @property
    def webhook_deliveries(self) -> list[dict]:
        return self._records.get("webhook")

    @property
    def device_requests(self) -> list[dict]:
        """Device authorization requests (RFC 8628 §3.1): client_id, scope, status, error, user_code."""
        return self._records.get("device")

    def reset_records(self) -> None:
        self._records.clear()

    # -- the person in the browser -------------------------------------------------

    def approve(
        self,
        authorize_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        deny: bool = False,
        scope: str | Iterable[str] | None = None,
    ) -> str:
        """Do what a person does in the browser and return where the browser is sent.

        GET the authorization URL; a redirect (an error the client must see) is
        returned unchanged. Otherwise fill in the sign-in form with ``user`` and
        ``password`` (default: this provider's), grant ``scope`` (default: all
        that were asked for), press Approve (or Deny) and return the ``Location``
        of the answer without following it. Raises ``RuntimeError`` when the page
        shows an error instead (unknown client, bad redirect URI, wrong password).
        See :func:`widgets.demo.browser.approve`.
        """
        # A link built for the browser may go through the proxy; the kernel goes direct.
        public = self.public_url
        if public and self._issuer and authorize_url.startswith(public + "/"):
            authorize_url = self.issuer + authorize_url[len(public):]
        return browser.approve(
            authorize_url,
            user=self.username if user is None else user,
            password=self.password if password is None else password,
            deny=deny,
            scope=scope,
        )

    def approve_device(
        self,
        user_code: str,
        *,
        user: str | None = None,
        password: str | None = None,
        deny: bool = False,
        verification_uri: str | None = None,
    ) -> str:
        """Do what a person does at the verification page: type the code, sign in, approve.

        Returns the page's heading ("Device approved" or "Request denied"); raises
        ``RuntimeError`` when the page shows an error (unknown or expired code, wrong
        password). ``verification_uri`` defaults to this provider's. See
        :func:`widgets.demo.browser.approve_device`.
        """
        # The scripted person is on the kernel's machine: it goes direct, not through the proxy.
        return browser.approve_device(
            verification_uri or self.issuer + "/device",
            user_code,
            user=self.username if user is None else user,
            password=self.password if password is None else password,
            deny=deny,
        )

    # -- HTTP ----------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        # serve() has read the body already, within BODY_LIMIT, and mutes oauthlib meanwhile.
        request = LimitedRequest(environ)
        # the TLS layer's client certificate (mTLS endpoint only): never a header's word for it
        certificate = peer_certificate.set(environ.get("SSL_CLIENT_CERT") or None)
        try:
            response = self._misdirected(environ) or self._dispatch(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception as exc:  # noqa: BLE001 - a teaching server must answer, not crash
            # Only the class name: messages may quote request data.
            self._internal_errors.append(type(exc).__name__)
            response = _text("internal error in the demo provider", 500)
        finally:
            peer_certificate.reset(certificate)
        return response(environ, start_response)

    def _served_hosts(self) -> set[str]:
        """The Host header values this provider answers to: its own address, and the
        loopback names of it."""
        port = self._serving.port if self._serving is not None else self._port
        names = {self._host.lower()}
        if _is_loopback_host(self._host):
            names |= {"localhost", "::1" if ":" in self._host else "127.0.0.1"}
        ports = {port} | ({self._mtls_serving.port} if self._mtls_serving is not None else set())
        served = {f"[{n}]:{p}" if ":" in n else f"{n}:{p}" for n in names for p in ports}
        if self.public_url:  # the Jupyter server's address, when a proxy passes the browser's Host on
            served.add(urlsplit(self.public_url).netloc.lower())
        return served

    def _misdirected(self, environ) -> Response | None:
        """A refusal when the Host header names another server (DNS rebinding, RFC 9110 §7.4)."""
        host = (environ.get("HTTP_HOST") or "").strip().lower()
        if host in self._served_hosts():
            return None
        return _text("this server answers only to its own address (" + ", ".join(sorted(self._served_hosts()))
                     + "): a page that renamed it (DNS rebinding) cannot reach it", 421)

    def _cross_origin(self, request: Request) -> bool:
        """True when a browser says the form was posted from another site.

        ``Origin: null`` is what browsers send for a same-origin form on a page with
        ``Referrer-Policy: no-referrer`` (these pages), and also from sandboxed frames, so it
        decides nothing alone: then ``Sec-Fetch-Site`` must say same-origin.
        """
        origin = (request.headers.get("Origin") or "").lower()
        fetch_site = request.headers.get("Sec-Fetch-Site")
        public = urlsplit(self.public_url) if self.public_url else None
        allowed = {f"http://{h}" for h in self._served_hosts()} | (
            {f"{public.scheme}://{public.netloc}".lower()} if public else set())
        if origin and origin != "null" and origin not in allowed:
            return True
        if fetch_site is not None:
            return fetch_site.lower() not in ("same-origin", "none")
        return origin == "null"

    def _cookie_name(self) -> str:
        # Cookies are not kept apart by port: a name per provider keeps two demos apart.
        return f"wal_demo_session_{self._serving.port if self._serving is not None else self._port}"

    def _dispatch(self, request: Request) -> Response:
        routes = {
            "/.well-known/oauth-authorization-server": {"GET": self._metadata},
            "/.well-known/openid-configuration": {"GET": self._metadata},
            "/authorize": {"GET": self._authorize_get, "POST": self._authorize_post},
            "/token": None,  # every method: oauthlib answers a GET with invalid_request
            "/jwks.json": {"GET": self._jwks},
            "/device_authorization": {"POST": self._device_authorization},
            "/device": {"GET": self._device_get, "POST": self._device_post},
            "/introspect": None,
            "/callback": {"GET": self._callback},
            "/webhook": {"POST": self._webhook},
        }
        if request.path not in routes:
            return _text("not found", 404)
        handlers = routes[request.path]
        if handlers is None:
            return {"/token": self._token, "/introspect": self._introspect}[request.path](request)
        handler = handlers.get(request.method)
        if handler is None:
            return _text("method not allowed", 405, {"Allow": ", ".join(handlers)})
        return handler(request)

    def _metadata(self, request: Request) -> Response:
        """RFC 8414 authorization server metadata."""
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.auth_url,
                "token_endpoint": self.token_url,
                "jwks_uri": self.jwks_url,
                "introspection_endpoint": self.introspection_url,
                "device_authorization_endpoint": self.device_authorization_url,
                "scopes_supported": [*self._settings["scopes"], OPENID],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", DEVICE_GRANT],
                # OpenID Connect Discovery §3: what an ID token here is signed with
                "id_token_signing_alg_values_supported": [self._key.algorithm],
                "subject_types_supported": ["public"],
                "token_endpoint_auth_methods_supported": list(self._client.auth_methods),
                **self._metadata_beyond_secret(),
                "introspection_endpoint_auth_methods_supported": list(self._client.auth_methods),
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": self._settings["lax"].get("iss") is not False,
            }
        )

    def _metadata_beyond_secret(self) -> dict:
        """RFC 8414 §2 signing algorithms for the *_jwt methods, RFC 8705 §3.3 and §5 for mTLS."""
        extra: dict = {}
        methods = self._client.auth_methods
        algorithms = [*(["ES256", "RS256", "PS256"] if "private_key_jwt" in methods else []),
                      *(["HS256"] if "client_secret_jwt" in methods else [])]
        if algorithms:
            extra["token_endpoint_auth_signing_alg_values_supported"] = algorithms
        if self._mtls_issuer is not None:
            extra["tls_client_certificate_bound_access_tokens"] = True
            extra["mtls_endpoint_aliases"] = {"token_endpoint": self._mtls_issuer + "/token"}
        return extra

    def _jwks(self, request: Request) -> Response:
        return _json(self._key.jwks())

    # /authorize ---------------------------------------------------------------------

    def _with_iss(self, location: str) -> str:
        return location if self._settings["lax"].get("iss") is False else _with_iss(location, self.issuer)

    def _authorize_uri(self, params: Iterable[tuple[str, str]]) -> str:
        return f"{self.auth_url}?{urlencode(list(params))}"

    def _validate_authorization(self, uri: str, headers: dict):
        """(scopes, info, None) when valid, else (None, None, the response to send)."""
        try:
            scopes, info = self._web.validate_authorization_request(uri, "GET", None, headers)
        except errors.FatalClientError as exc:
            message = exc.description or exc.error
            return None, None, _html(pages.error_page("This request can't continue", message), 400)
        except errors.OAuth2Error as exc:
            if not exc.redirect_uri:
                return None, None, _html(pages.error_page("Invalid request", exc.description or exc.error), 400)
            return None, None, _redirect(self._with_iss(exc.in_uri(exc.redirect_uri)))
        except ValueError:
            message = "the query string is not valid URL encoding"
            return None, None, _html(pages.error_page("Invalid request", message), 400)
        return scopes, info, None

    def _consent(self, info, scopes, *, session: str, status=200, error=None, checked=None,
                 username="") -> Response:
        oauth_request = info["request"]
        carried = {
            name: getattr(oauth_request, name)
            for name in _CARRIED
            if getattr(oauth_request, name) is not None
        }
        hidden = {**carried, "form_token": self._forms.issue(session, carried, self._clock())}
        page = pages.consent_page(
            client_id=info["client_id"],
            redirect_uri=info["redirect_uri"],
            requested_scopes=scopes,
            checked_scopes=checked,
            hidden=hidden,
            username_value=username,
            error=error,
            demo_username=self.username,
            demo_password=self.password,
        )
        return self._with_session(_html(page, status), session)

    def _with_session(self, response: Response, session: str) -> Response:
        # Through a proxy the browser's path has a prefix: then the cookie takes the path the
        # browser used (no Path attribute: the directory of .../authorize or .../device).
        response.set_cookie(self._cookie_name(), session, max_age=CONSENT_TTL,
                            path=None if self.public_url else "/", httponly=True, samesite="Strict")
        return response

    def _authorize_get(self, request: Request) -> Response:
        self._records.add("authorize", {"params": request.args.to_dict()})
        query = request.query_string.decode("latin-1")
        uri = f"{self.auth_url}?{query}" if query else self.auth_url
        scopes, info, refusal = self._validate_authorization(uri, dict(request.headers))
        if refusal is not None:
            return refusal
        session = self._forms.session(request.cookies.get(self._cookie_name()), self._clock())
        return self._consent(info, scopes, session=session)

    def _authorize_post(self, request: Request) -> Response:
        if self._cross_origin(request):
            message = "The sign-in form was posted from another site. Start again from the app."
            return _html(pages.error_page("Sign-in form not accepted", message), 403)
        form = request.form
        carried = {name: form[name] for name in _CARRIED if name in form}
        session = request.cookies.get(self._cookie_name())
        problem = self._forms.redeem(form.get("form_token", ""), session, carried, self._clock())
        if problem is not None:
            return _html(pages.error_page("Sign-in form not accepted", problem + " Start again from the app."), 400)
        uri = self._authorize_uri(carried.items())
        headers = dict(request.headers)
        scopes, info, refusal = self._validate_authorization(uri, headers)
        if refusal is not None:
            return refusal

        if form.get("decision") == "deny":
            denied = errors.AccessDeniedError(
                description="the user denied the request", request=info["request"]
            )
            return _redirect(self._with_iss(denied.in_uri(denied.redirect_uri)))
        if form.get("decision") != "approve":
            return self._consent(info, scopes, session=session, status=400, error="Press Approve or Deny.")

        username, password = form.get("username", ""), form.get("password", "")
        granted = form.getlist("grant_scope")
        again = dict(checked=granted, username=username, session=session)
        if not self._sign_in(username, password):
            # 200, not 401: a 401 must carry a WWW-Authenticate challenge, and this is a form.
            return self._consent(info, scopes, error="Wrong username or password.", **again)
        if not granted:
            error = "Choose at least one permission to grant, or press Deny."
            return self._consent(info, scopes, status=400, error=error, **again)
        if not set(granted) <= set(scopes):
            error = "Only permissions the app asked for can be granted."
            return self._consent(info, scopes, status=400, error=error, **again)

        # Keep the order the app asked in, so the token's scope reads naturally.
        granted = [s for s in scopes if s in granted]
        try:
            response_headers, _, _ = self._web.create_authorization_response(
                uri, "GET", None, headers, scopes=granted, credentials={"user": username}
            )
        except errors.FatalClientError as exc:
            return _html(pages.error_page("This request can't continue", exc.description or exc.error), 400)
        return _redirect(self._with_iss(response_headers["Location"]))

    def _sign_in(self, username: str, password: str) -> bool:
        known = self._users.get(username)
        # Compared even for an unknown user, so the time taken does not tell which names exist.
        expected = (known if known is not None else secrets.token_urlsafe(16)).encode()
        return secrets.compare_digest(password.encode(), expected) and known is not None

    # /token and /introspect -----------------------------------------------------------

    def _oauth_post(self, request: Request, create, *, body: str | None = None) -> tuple[Response, str | None, str | None]:
        """Hand a token-style request to oauthlib; returns (response, error, client_auth)."""
        body = request.get_data(as_text=True) if body is None else body
        form = dict(parse_qsl(body, keep_blank_values=True))
        headers = dict(request.headers)
        presented = self._validator.presented(
            headers.get("Authorization"), form.get("client_id"), form.get("client_secret"), form
        )
        self._validator.refusal.set(None)
        # Built from the issuer, not the Host header a client sent.
        uri = self.issuer + request.path
        if request.query_string:
            uri += "?" + request.query_string.decode("latin-1")
        try:
            out_headers, out_body, status = create(uri, request.method, body, headers)
        except errors.OAuth2Error as exc:
            # Raised before a grant type takes over: wrong method, query on a POST.
            out_headers, out_body, status = {"Pragma": "no-cache"}, exc.json, exc.status_code
        except ValueError:
            out_headers, status = {"Cache-Control": "no-store", "Pragma": "no-cache"}, 400
            out_body = json.dumps({"error": "invalid_request",
                                   "error_description": "body must be application/x-www-form-urlencoded"})
        payload = json.loads(out_body) if out_body else {}
        error = payload.get("error") if status >= 400 else None
        out_headers = {k: v for k, v in out_headers.items() if k.lower() != "www-authenticate"}
        if error == "invalid_client":
            payload["error_description"] = self._validator.refusal.get() or self._client_auth_problem(presented)
            out_body = json.dumps(payload)
            if presented.method == "client_secret_basic" or (
                "client_secret_basic" in self._client.auth_methods
            ):
                status = 401
                out_headers["WWW-Authenticate"] = _BASIC_CHALLENGE
            else:
                status = 400  # a 401 needs a challenge, and no HTTP scheme is on offer
        response = Response(out_body, status=status, mimetype="application/json")
        for key, value in out_headers.items():
            if key.lower() != "content-type":
                response.headers[key] = value
        response.headers["Cache-Control"] = "no-store"
        return response, error, presented.method

    def _client_auth_problem(self, presented) -> str:
        allowed = " or ".join(self._client.auth_methods)
        if presented.method is None:
            return f"client authentication is required ({allowed})"
        if presented.method not in self._client.auth_methods:
            return f"{presented.method} is not accepted here; use {allowed}"
        if presented.malformed:
            return "client credentials could not be read (one method only; Basic must be base64 of id:secret)"
        if presented.method == "client_secret_basic":
            return ("client authentication failed: the client id or secret is wrong (a client that "
                    "sends a correct secret must form-encode id and secret before base64, RFC 6749 "
                    "section 2.3.1)")
        return "client authentication failed: the client id or secret is wrong"

    def _token(self, request: Request) -> Response:
        grant_type = dict(parse_qsl(request.get_data(as_text=True))).get("grant_type")
        if grant_type in (None, "client_credentials"):
            # The backend server's default grant answers a missing grant_type with invalid_request.
            create = self._backend.create_token_response
        elif grant_type == DEVICE_GRANT:
            create = self._device_tokens.create_token_response
        else:
            create = self._web.create_token_response
        record = {"grant_type": grant_type, "client_auth": None, "status": 500, "error": None}
        try:
            response, record["error"], record["client_auth"] = self._oauth_post(request, create)
            record["status"] = response.status_code
            return response
        finally:
            self._records.add("token", record)

    def _introspect(self, request: Request) -> Response:
        response, _, _ = self._oauth_post(request, self._web.create_introspect_response)
        return response

    # /device_authorization and /device (RFC 8628) -----------------------------------

    def _device_authorization(self, request: Request) -> Response:
        """§3.1-3.2: a device asks for codes. Its client authenticates as at /token."""
        body = request.get_data(as_text=True)
        form = dict(parse_qsl(body, keep_blank_values=True))
        record = {"client_id": form.get("client_id"), "scope": form.get("scope"), "status": 500, "error": None,
                  "user_code": None}  # the user code is meant to be shown; the device code is not kept
        if "client_id" not in form and request.headers.get("Authorization", "").lower().startswith("basic"):
            # §3.1 needs client_id only from a client that does not authenticate; oauthlib asks for
            # it always, so a Basic-authenticated request gets the id it authenticated with.
            try:
                client_id, _ = decode_client_basic(request.headers["Authorization"])
                body = (body + "&" if body else "") + urlencode({"client_id": client_id})
            except ValueError:
                pass  # oauthlib answers invalid_request/invalid_client
        interval = self._settings["device_interval"]

        def create(uri, method, body, headers):
            out_headers, data, status = self._device.create_device_authorization_response(uri, method, body, headers)
            if status == 200 and isinstance(data, dict):
                self._validator.save_device_authorization(form.get("client_id") or self.client_id, data, interval)
                record["user_code"] = data["user_code"]
                return out_headers, json.dumps(data), status
            return out_headers, data if isinstance(data, str) else json.dumps(data), status

        try:
            response, record["error"], _ = self._oauth_post(request, create, body=body)
            record["status"] = response.status_code
            return response
        finally:
            self._records.add("device", record)

    def _device_page(self, *, session: str, user_code: str = "", status: int = 200, error: str | None = None,
                     username: str = "") -> Response:
        # The same rules as the sign-in form: a token for this browser session, once, in time.
        return self._with_session(_html(pages.device_page(
            user_code=user_code, error=error, username_value=username,
            form_token=self._forms.issue(session, {"form": "device"}, self._clock()),
            demo_username=self.username, demo_password=self.password,
        ), status), session)

    def _device_get(self, request: Request) -> Response:
        """§3.3: the page where a person types the code (prefilled from verification_uri_complete)."""
        session = self._forms.session(request.cookies.get(self._cookie_name()), self._clock())
        return self._device_page(session=session, user_code=request.args.get("user_code", "")[:64])

    def _device_post(self, request: Request) -> Response:
        if self._cross_origin(request):
            message = "The form was posted from another site. Open the verification page again."
            return _html(pages.error_page("Form not accepted", message), 403)
        form = request.form
        session = request.cookies.get(self._cookie_name())
        problem = self._forms.redeem(form.get("form_token", ""), session, {"form": "device"}, self._clock())
        if problem is not None:
            message = problem.replace("sign-in form", "form") + " Open the verification page again."
            return _html(pages.error_page("Form not accepted", message), 400)
        user_code = form.get("user_code", "")[:64]
        username, password = form.get("username", ""), form.get("password", "")
        again = dict(user_code=user_code, username=username, session=session)
        decision = form.get("decision")
        if decision not in ("approve", "deny"):
            return self._device_page(status=400, error="Press Approve or Deny.", **again)
        grant = self._validator.pending_device(user_code)
        if grant is None:
            # The same words for unknown, used and expired: the page must not help guess codes.
            return self._device_page(status=400, error="That code is unknown or has expired. Check the "
                                     "code on your device, or start again there.", **again)
        if not (
            secrets.compare_digest(username.encode(), self.username.encode())
            & secrets.compare_digest(password.encode(), self.password.encode())
        ):
            return self._device_page(error="Wrong username or password.", **again)
        self._validator.decide_device(user_code, user=username, approve=decision == "approve")
        return _html(pages.device_done_page(approved=decision == "approve", client_id=grant.client_id,
                                            scopes=grant.scopes))

    # /callback and /webhook -----------------------------------------------------------

    def _callback(self, request: Request) -> Response:
        params = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
        return _html(pages.callback_page(request.url, params))

    def _webhook(self, request: Request) -> Response:
        """A receiver that takes Basic (RFC 7617) or a Bearer access token (RFC 6750)."""
        authorization = request.headers.get("Authorization", "")
        scheme, _, credentials = authorization.strip().partition(" ")
        auth_scheme, accepted, bearer_error = None, False, False
        if scheme.lower() == "basic":
            auth_scheme = "Basic"
            try:
                user, password = decode_basic(authorization)
            except ValueError:
                user, password = "", ""
            accepted = secrets.compare_digest(
                user.encode(), self.webhook_username.encode()
            ) & secrets.compare_digest(password.encode(), self.webhook_password.encode())
        elif scheme.lower() == "bearer":
            auth_scheme = "Bearer"
            claims = self._validator.access_token_claims(credentials.strip())
            if claims is None:
                bearer_error = "invalid_token"
            elif self.webhook_scope not in str(claims.get("scope", "")).split():
                bearer_error = "insufficient_scope"  # RFC 6750 §3.1: a valid token, not enough for this
            accepted = claims is not None and not bearer_error
        try:
            body = json.loads(request.get_data())
        except ValueError:
            body = None
        status = 200 if accepted else (403 if bearer_error == "insufficient_scope" else 401)
        self._records.add(
            "webhook", {"auth_scheme": auth_scheme, "accepted": accepted, "json": body, "status": status}
        )
        if accepted:
            return _json({"received": True})
        if bearer_error == "insufficient_scope":
            response = _json({"received": False, "error": "insufficient_scope"}, 403)
            response.headers.add("WWW-Authenticate", f'Bearer realm="demo webhook", error="insufficient_scope", '
                                 f'scope="{self.webhook_scope}"')
            return response
        response = _json({"received": False, "error": "unauthorized"}, 401)
        response.headers.add("WWW-Authenticate", 'Basic realm="demo webhook", charset="UTF-8"')
        bearer = 'Bearer realm="demo webhook"' + (f', error="{bearer_error}"' if bearer_error else "")
        response.headers.add("WWW-Authenticate", bearer)
        return response

