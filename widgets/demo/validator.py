"""The demo provider's policy and memory, as an oauthlib ``RequestValidator``.

oauthlib walks the protocol (RFC 6749 §4.1 authorization code, §4.4 client
credentials, §6 refresh, RFC 7636 PKCE, RFC 7662 introspection, RFC 8628 device
authorization); this class answers its questions: who the client is, which redirect URIs and
scopes are allowed, and what was issued. One instance serves the
``WebApplicationServer``, the ``BackendApplicationServer`` and the device endpoints.

OpenID Connect (Core 1.0 §3.1.3.6): when the code was issued for the ``openid`` scope, the
token response carries an ID token, signed with the provider's key, with the ``nonce`` of the
authorization request and the ``at_hash`` of the access token.

https://www.rfc-editor.org/rfc/rfc6749  https://www.rfc-editor.org/rfc/rfc8628
https://openid.net/specs/openid-connect-core-1_0.html  https://oauthlib.readthedocs.io/
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping
from urllib.parse import unquote_plus, urlsplit

from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc6749 import errors

from . import client_auth
from .certificates import thumbprint
from .keys import InvalidToken, SigningKey

AUDIENCE = "webhook-oauth-lab-demo"
CODE_TTL_SECONDS = 60
THOUSANDEYES_CALLBACK = "https://app.thousandeyes.com/namespace/integrations/AuthCallbackPage.html"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
                       "tls_client_auth", "self_signed_tls_client_auth")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: RFC 8628 §6.1: user codes from 20 consonants, no vowels (no words), case-insensitive.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
#: The scope that asks for an ID token (OpenID Connect Core §3.1.2.1).
OPENID = "openid"


def new_user_code() -> str:
    """``XXXX-XXXX`` from :data:`USER_CODE_ALPHABET`: 20^8, about 34 bits (RFC 8628 §6.1)."""
    chars = [secrets.choice(USER_CODE_ALPHABET) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def normalise_user_code(text: str) -> str:
    """What a person typed, as the code is stored: upper case, no spaces or dashes (§6.1)."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


def at_hash(access_token: str, algorithm: str = "ES256") -> str:
    """OpenID Connect Core §3.1.3.6: base64url of the left half of the hash of the access token."""
    bits = algorithm[-3:]
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[bits](
        access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


# --- wire formats -----------------------------------------------------------


def decode_basic(authorization: str) -> tuple[str, str]:
    """Split an ``Authorization: Basic`` value into user-id and password (RFC 7617).

    Strict: valid base64 only, UTF-8, split at the first ':'.
    Raises ``ValueError`` on anything else.
    """
    scheme, _, param = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ValueError("not Basic credentials")
    try:
        text = base64.b64decode(param.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("malformed Basic credentials") from exc
    user, colon, password = text.partition(":")
    if not colon:
        raise ValueError("Basic credentials without ':'")
    return user, password


def decode_client_basic(authorization: str) -> tuple[str, str]:
    """Client id and secret from ``client_secret_basic`` (RFC 6749 §2.3.1).

    §2.3.1 says both are form-encoded *before* they go into Basic, so they are
    form-decoded after it. A client that skips the encoding and has a '+' or
    '%' in its secret therefore fails here, exactly as on strict providers.
    """
    client_id, secret = decode_basic(authorization)
    return unquote_plus(client_id), unquote_plus(secret)


@dataclass(frozen=True)
class PresentedCredentials:
    """What a client offered to authenticate itself; ``method`` is None when nothing."""

    method: str | None
    client_id: str | None = None
    secret: str | None = None
    malformed: bool = False
    #: private_key_jwt / client_secret_jwt: the client_assertion (RFC 7523 §2.2)
    assertion: str | None = field(default=None, repr=False)


def presented_credentials(
    authorization: str | None, body_client_id: str | None, body_secret: str | None,
    *, assertion_type: str | None = None, assertion: str | None = None, certificate: str | None = None,
    certificate_method: str = "tls_client_auth",
) -> PresentedCredentials:
    """Classify a token or introspection request's client authentication.

    A client certificate (``certificate``, of the TLS connection) counts as the method only when
    nothing else was presented: over the mTLS endpoint a client may still send a secret.
    """
    several = sum(x is not None for x in (body_secret, assertion)) + bool(
        authorization and authorization.strip().lower().startswith("basic"))
    if assertion is not None or assertion_type is not None:
        method = client_auth.assertion_method(assertion or "") or "private_key_jwt"
        if several > 1 or assertion_type != client_auth.JWT_BEARER or not assertion:
            return PresentedCredentials(method, body_client_id, malformed=True)
        return PresentedCredentials(method, body_client_id, assertion=assertion)
    if authorization and authorization.strip().lower().startswith("basic"):
        if body_secret is not None:
            # RFC 6749 §2.3: a client MUST NOT use more than one method per request.
            return PresentedCredentials("client_secret_basic", malformed=True)
        try:
            client_id, secret = decode_client_basic(authorization)
        except ValueError:
            return PresentedCredentials("client_secret_basic", malformed=True)
        return PresentedCredentials("client_secret_basic", client_id, secret)
    if body_secret is not None:
        return PresentedCredentials("client_secret_post", body_client_id, body_secret)
    if certificate:
        return PresentedCredentials(certificate_method, body_client_id)
    return PresentedCredentials(None, body_client_id)


def is_allowed_redirect_uri(uri: str, own_callback: str | Iterable[str], registered: Iterable[str] | None = None,
                            matching: str = "exact") -> bool:
    """The demo client's registered redirect URIs.

    ``registered`` None (the default registration): exact match for the provider's own
    callback page (``own_callback``: one URI, or several when the page is also reached
    through a proxy, plus any URI registered with the provider) and the ThousandEyes
    callback, and any port and path on a loopback host over http (RFC 8252 §7.3, native
    apps pick a free port at run time). Given, exactly those URIs and nothing else. Never a
    fragment (RFC 6749 §3.1.2).

    ``matching`` is ``"exact"`` (RFC 9700 §4.1.3) unless a teaching provider was started
    lax on purpose: ``"prefix"`` accepts any URI that starts with a registered one,
    ``"pattern"`` any port and path on a registered URI's scheme and host (a wildcard such
    as ``http://localhost:*/*``). Both let a code go to a page the attacker chose.
    """
    callbacks = (own_callback,) if isinstance(own_callback, str) else tuple(own_callback)
    listed = (*callbacks, THOUSANDEYES_CALLBACK) if registered is None else tuple(registered)
    if uri in listed:
        return True
    if matching == "prefix" and any(uri.startswith(r) for r in listed):
        return True
    if matching == "pattern" and any(_same_scheme_and_host(uri, r) for r in listed):
        return True
    if registered is not None:
        return False
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and parts.username is None
        and parts.password is None
        and not parts.fragment
        and "#" not in uri
    )


def _same_scheme_and_host(uri: str, registered: str) -> bool:
    try:
        a, b = urlsplit(uri), urlsplit(registered)
        return bool(a.hostname) and (a.scheme, a.hostname) == (b.scheme, b.hostname)
    except ValueError:
        return False


# --- what the provider remembers ----------------------------------------------


@dataclass(frozen=True)
class DemoClient:
    """The one registered client. oauthlib 4 needs ``request.client.client_id``."""

    client_id: str
    client_secret: str = field(repr=False)
    auth_methods: tuple[str, ...] = CLIENT_AUTH_METHODS


@dataclass
class _CodeGrant:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    user: str
    challenge: str | None
    challenge_method: str | None
    expires_at: float
    nonce: str | None = None
    family: str = ""
    used: bool = False


@dataclass
class _Family:
    """Everything issued from one authorization code, through every refresh (RFC 9700 §4.14.2)."""

    jtis: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    #: Refresh tokens already exchanged: presenting one again is a replay.
    spent: set[str] = field(default_factory=set)
    revoked: bool = False
    #: When the person logged in: the ID tokens of every refresh keep it (OIDC Core §12.2).
    auth_time: int | None = None


@dataclass
class _DeviceGrant:
    """One device authorization (RFC 8628 §3.2) and where the person is with it."""

    client_id: str
    user_code: str
    scopes: list[str]
    expires_at: float
    interval: int
    status: str = "authorization_pending"  # | authorized | access_denied
    user: str | None = None
    last_poll: float | None = None


@dataclass
class _RefreshGrant:
    client_id: str
    user: str | None
    scopes: list[str]
    family: str | None = None


class DemoValidator(RequestValidator):
    """Answers oauthlib's questions for a single confidential client.

    Thread-safe: the server's worker threads answer requests concurrently.
    """

    def __init__(
        self,
        *,
        client: DemoClient,
        scopes: Iterable[str],
        default_scopes: Iterable[str],
        require_state: bool,
        require_pkce: bool,
        issue_refresh_tokens: bool,
        lax: Mapping[str, object] | None = None,
        registered_redirect_uris: Iterable[str] | Callable[[], tuple | None] | None = None,
        access_token_ttl: int,
        signing_key: SigningKey,
        issuer: Callable[[], str],
        own_callback: Callable[[], str | Iterable[str]],
        clock: Callable[[], float],
        client_keys: "client_auth.ClientKeys | None" = None,
        assertion_audiences: Callable[[], tuple[str, ...]] = tuple,
        issued_by_demo: Callable[[str], bool] = lambda pem: False,
    ) -> None:
        super().__init__()
        self.client = client
        self.scopes = tuple(scopes)
        self.default_scopes = tuple(default_scopes)
        self.require_state = require_state
        self.require_pkce = require_pkce
        self.issue_refresh_tokens = issue_refresh_tokens
        #: The respects in which this provider was started lax on purpose (see DemoProvider.LAX).
        self.lax = dict(lax or {})
        #: None (the default registration), the URIs, or a function returning either.
        self.registered_redirect_uris = (registered_redirect_uris if registered_redirect_uris is None
                                         or callable(registered_redirect_uris)
                                         else tuple(registered_redirect_uris))
        self.access_token_ttl = int(access_token_ttl)
        self.signing_key = signing_key
        self._issuer = issuer
        self._own_callback = own_callback
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _CodeGrant] = {}
        self._refresh: dict[str, _RefreshGrant] = {}
        self._families: dict[str, _Family] = {}
        self._revoked_jtis: set[str] = set()
        self._devices: dict[str, _DeviceGrant] = {}  # by device_code
        self._user_codes: dict[str, str] = {}  # normalised user code -> device_code
        #: Spent refresh token -> its family, to recognise a replay after rotation.
        self._spent_refresh: dict[str, str] = {}
        self.client_keys = client_keys if client_keys is not None else client_auth.ClientKeys()
        self._assertion_audiences = assertion_audiences
        self._issued_by_demo = issued_by_demo
        #: Why the last client authentication of this thread failed, for its error_description.
        self.refusal: contextvars.ContextVar[str | None] = contextvars.ContextVar("demo_refusal", default=None)

    # -- clients ---------------------------------------------------------------

    def client_authentication_required(self, request, *args, **kwargs):
        return True  # confidential client: every grant authenticates it

    def presented(self, authorization, body_client_id, body_secret, form) -> PresentedCredentials:
        """What the request offered, its TLS client certificate included (see :mod:`.client_auth`)."""
        certificate = client_auth.peer_certificate.get()
        return presented_credentials(
            authorization, body_client_id, body_secret,
            assertion_type=form.get("client_assertion_type"), assertion=form.get("client_assertion"),
            certificate=certificate,
            certificate_method="tls_client_auth" if certificate and self._issued_by_demo(certificate)
            else "self_signed_tls_client_auth",
        )

    def _authenticate_without_secret(self, presented, body_client_id, request) -> bool:
        """RFC 7523 §3 assertions and RFC 8705 §2 certificates; sets :attr:`refusal` on failure."""
        if presented.assertion is not None:
            problem = client_auth.check_assertion(
                presented.assertion, method=presented.method, client_id=self.client.client_id,
                secret=self.client.client_secret, keys=self.client_keys,
                audiences=tuple(self._assertion_audiences()), now=self._clock())
        else:
            problem = client_auth.check_certificate(
                client_auth.peer_certificate.get(), method=presented.method, keys=self.client_keys,
                issued_by_demo=self._issued_by_demo)
        if problem is None and body_client_id is not None and body_client_id != self.client.client_id:
            problem = "client_id is not the client the credentials belong to"
        if problem is not None:
            self.refusal.set(problem)
            return False
        request.client = self.client
        request.client_id = self.client.client_id
        return True

    def authenticate_client(self, request, *args, **kwargs):
        body_client_id = request.client_id  # still the form value at this point
        form = {name: getattr(request, name, None) for name in ("client_assertion_type", "client_assertion")}
        presented = self.presented(request.headers.get("Authorization"), body_client_id, request.client_secret,
                                   form)
        request.client = None
        if presented.malformed or presented.method not in self.client.auth_methods:
            return False
        if presented.method not in ("client_secret_basic", "client_secret_post"):
            return self._authenticate_without_secret(presented, body_client_id, request)
        if presented.client_id is None or presented.secret is None:
            return False
        id_ok = secrets.compare_digest(
            presented.client_id.encode("utf-8"), self.client.client_id.encode("utf-8")
        )
        secret_ok = secrets.compare_digest(
            presented.secret.encode("utf-8"), self.client.client_secret.encode("utf-8")
        )
        if body_client_id is not None and body_client_id != self.client.client_id:
            # oauthlib would call the mismatch a server_error; it is the client's.
            return False
        if not (id_ok and secret_ok):
            return False
        request.client = self.client
        request.client_id = self.client.client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        # Only reached for public clients (client_authentication_required False),
        # and the demo has none. oauthlib 4 would need request.client set on True.
        request.client = None
        return False

    def validate_client_id(self, client_id, request, *args, **kwargs):
        if client_id == self.client.client_id:
            request.client = self.client
            return True
        return False

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        allowed = {"authorization_code", "client_credentials", DEVICE_GRANT}
        if self.issue_refresh_tokens:
            allowed.add("refresh_token")
        return grant_type in allowed

    # -- authorization requests -----------------------------------------------

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        registered = self.registered_redirect_uris
        registered = registered() if callable(registered) else registered
        return is_allowed_redirect_uri(redirect_uri, self._own_callback(), registered,
                                       str(self.lax.get("redirect_uri", "exact")))

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        # Several URIs are registered, so RFC 6749 §3.1.2.3 makes redirect_uri required.
        return None

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return list(self.default_scopes)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # openid only where an ID token can come of it: the authorization request of the code flow
        allowed = set(self.scopes) | ({OPENID} if request.response_type == "code" else set())
        return bool(scopes) and all(scope in allowed for scope in scopes)

    def is_pkce_required(self, client_id, request):
        return self.require_pkce

    def check_authorization_request(self, request) -> dict:
        """Rules oauthlib does not have; run as its ``pre_auth`` validator.

        Raising a (non-fatal) OAuth2Error here makes oauthlib send the error
        back to the client's redirect URI, as a strict provider would.
        """
        if self.require_state and not request.state:
            raise errors.InvalidRequestError(
                description="state parameter is required", request=request
            )
        if request.response_mode not in (None, "query"):
            raise errors.InvalidRequestError(
                description="response_mode must be query", request=request
            )
        allowed_methods = ("S256", "plain") if self.lax.get("pkce_plain") else ("S256",)
        if request.code_challenge is not None and request.code_challenge_method not in allowed_methods:
            # RFC 7636 makes "plain" the default; OAuth 2.1 and most providers refuse it.
            raise errors.InvalidRequestError(
                description="code_challenge_method must be S256 (plain is not accepted)",
                request=request,
            )
        return {}

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        if self.lax.get("scope") == "widen":
            # Careless on purpose: every scope the client may have, whatever it asked for.
            request.scopes = list(self.scopes)
        grant = _CodeGrant(
            client_id=client_id,
            redirect_uri=request.redirect_uri,
            scopes=list(request.scopes),
            user=request.user,
            challenge=request.code_challenge,
            challenge_method=request.code_challenge_method,
            expires_at=self._clock() + CODE_TTL_SECONDS,
            nonce=request.nonce if OPENID in (request.scopes or ()) else None,
            family=secrets.token_urlsafe(12),
        )
        with self._lock:
            # Spent codes are kept a while so a replay can be recognised and
            # answered by revoking; after that they are forgotten.
            horizon = self._clock() - 10 * CODE_TTL_SECONDS
            for stale in [c for c, g in self._codes.items() if g.expires_at < horizon]:
                del self._codes[stale]
            self._codes[code["code"]] = grant
            self._families[grant.family] = _Family(auth_time=int(self._clock()))

    # -- token requests ------------------------------------------------------

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        """Claim the code atomically: it is spent by this request, whatever follows."""
        with self._lock:
            grant = self._codes.get(code)
            if grant is None:
                raise errors.InvalidGrantError(
                    description="unknown authorization code", request=request
                )
            reuse = self.lax.get("code_reuse")
            if grant.used and reuse != "allow":
                if reuse == "keep_tokens":
                    raise errors.InvalidGrantError(
                        description="authorization code was already used", request=request)
                # RFC 6749 §4.1.2: SHOULD revoke what the first use obtained.
                self._revoke_family_locked(grant.family)
                raise errors.InvalidGrantError(
                    description="authorization code was already used; "
                    "tokens issued from it are revoked",
                    request=request,
                )
            grant.used = True
            if self._clock() >= grant.expires_at:
                raise errors.InvalidGrantError(
                    description=f"authorization code expired (codes live {CODE_TTL_SECONDS} s)",
                    request=request,
                )
            if grant.client_id != client.client_id:
                raise errors.InvalidGrantError(
                    description="authorization code was issued to another client",
                    request=request,
                )
            if grant.challenge is None and request.code_verifier and not self.lax.get("pkce_downgrade"):
                # RFC 9700 §4.8.2: a verifier for a code issued without a challenge means the
                # challenge was stripped from the authorization request (PKCE downgrade).
                raise errors.InvalidGrantError(
                    description="code_verifier sent, but the authorization request had no code_challenge "
                    "(PKCE downgrade, RFC 9700 section 4.8)",
                    request=request,
                )
        request.user = grant.user
        request.demo_family = grant.family
        request.scopes = list(grant.scopes)
        request.demo_nonce = grant.nonce
        return True

    def get_code_challenge(self, code, request):
        with self._lock:
            grant = self._codes.get(code)
        return grant.challenge if grant else None

    def get_code_challenge_method(self, code, request):
        with self._lock:
            grant = self._codes.get(code)
        return grant.challenge_method if grant else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        with self._lock:
            grant = self._codes.get(code)
        if grant is None or redirect_uri != grant.redirect_uri:
            # oauthlib would answer invalid_request; RFC 6749 §5.2 says invalid_grant.
            raise errors.InvalidGrantError(
                description="redirect_uri does not match the one in the authorization request",
                request=request,
            )
        return True

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        pass  # already spent in validate_code; kept to revoke on reuse

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        """Claim the refresh token (rotation: the old one stops working).

        Presenting a refresh token that was already rotated away is a replay: one of the two
        holders is an attacker, so the whole family (every refresh and access token issued
        since the authorization code) is revoked (RFC 9700 §4.14.2).
        """
        rotation = self.lax.get("refresh") != "no_rotation"
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None:
                family = self._spent_refresh.get(refresh_token)
                if family is not None and self.lax.get("refresh") != "no_replay_detection":
                    self._revoke_family_locked(family)
                    raise errors.InvalidGrantError(
                        description="refresh token was already used; every token issued with it is revoked",
                        request=request,
                    )
                return False
            if grant.client_id != client.client_id:
                return False
            requested = (request.scope or "").split()
            if any(scope not in grant.scopes for scope in requested):
                # Checked before claiming so a too-wide request does not cost the token.
                raise errors.InvalidScopeError(request=request)
            if rotation:
                del self._refresh[refresh_token]
                if grant.family is not None:
                    self._spent_refresh[refresh_token] = grant.family
                    self._families[grant.family].refresh_tokens.discard(refresh_token)
        request.user = grant.user
        request.demo_refresh_grant = grant
        request.demo_family = grant.family
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        grant = getattr(request, "demo_refresh_grant", None)
        return list(grant.scopes) if grant else []

    def rotate_refresh_token(self, request):
        return self.lax.get("refresh") != "no_rotation"

    def mint_access_token(self, request) -> str:
        """oauthlib's ``token_generator``: an ES256 JWT for this request."""
        now = int(self._clock())
        jti = secrets.token_urlsafe(16)
        request.demo_jti = jti
        return self.signing_key.mint(
            {
                "iss": self._issuer(),
                "sub": request.user or request.client_id,
                "aud": AUDIENCE,
                "client_id": request.client_id,
                "scope": " ".join(request.scopes or ()),
                "iat": now,
                "exp": now + self.access_token_ttl,
                "jti": jti,
                # RFC 8705 §3: bound to the client certificate of the request, when there was one
                **({"cnf": {"x5t#S256": thumbprint(cert)}} if (cert := client_auth.peer_certificate.get()) else {}),
            }
        )

    def mint_id_token(self, request, access_token: str) -> str:
        """OpenID Connect Core §2 / §3.1.3.6: who signed in, for this client, with this nonce.

        From a refresh (§12.2): the same subject and ``auth_time`` as at login, no nonce."""
        now = int(self._clock())
        family = self._families.get(getattr(request, "demo_family", None) or "")
        claims = {
            "iss": self._issuer(),
            "sub": request.user or request.client_id,
            "aud": request.client_id,
            "iat": now,
            "exp": now + self.access_token_ttl,
            "auth_time": family.auth_time if family is not None and family.auth_time is not None else now,
            "at_hash": at_hash(access_token, self.signing_key.algorithm),
        }
        nonce = getattr(request, "demo_nonce", None)
        if nonce:
            claims["nonce"] = nonce
        return self.signing_key.mint(claims, typ="JWT")

    def add_id_token(self, token, token_handler, request):
        """A token modifier of the code and refresh grants: an ID token when the login was for
        ``openid`` (a refresh asks for the login's scopes, or fewer)."""
        if OPENID in (request.scopes or ()) and token.get("access_token"):
            token["id_token"] = self.mint_id_token(request, token["access_token"])
        return token

    # -- the device grant (RFC 8628) -----------------------------------------------

    def save_device_authorization(self, client_id: str, answer: dict, interval: int) -> None:
        """Remember what the device authorization endpoint just handed out (§3.2)."""
        grant = _DeviceGrant(
            client_id=client_id,
            user_code=answer["user_code"],
            scopes=(answer.get("scope") or "").split() or list(self.default_scopes),
            expires_at=self._clock() + int(answer["expires_in"]),
            interval=int(interval),
        )
        with self._lock:
            now = self._clock()
            for code in [c for c, g in self._devices.items() if g.expires_at < now - 600]:
                self._user_codes.pop(normalise_user_code(self._devices.pop(code).user_code), None)
            self._devices[answer["device_code"]] = grant
            self._user_codes[normalise_user_code(grant.user_code)] = answer["device_code"]

    def pending_device(self, user_code: str) -> _DeviceGrant | None:
        """The pending, unexpired device authorization a person's typed code names, or None."""
        with self._lock:
            grant = self._devices.get(self._user_codes.get(normalise_user_code(user_code), ""))
            if grant is None or grant.status != "authorization_pending" or self._clock() >= grant.expires_at:
                return None
            return grant

    def decide_device(self, user_code: str, *, user: str | None, approve: bool) -> bool:
        """The person's answer on the verification page; False when the code is not pending."""
        with self._lock:
            grant = self._devices.get(self._user_codes.get(normalise_user_code(user_code), ""))
            if grant is None or grant.status != "authorization_pending" or self._clock() >= grant.expires_at:
                return False
            grant.status = "authorized" if approve else "access_denied"
            grant.user = user
            return True

    def validate_device_code(self, client_id, code, request, *args, **kwargs):
        """§3.5: pending, slow_down (polled sooner than the interval), expired, denied or authorized."""
        with self._lock:
            grant = self._devices.get(code)
            if grant is None or grant.client_id != client_id:
                return None  # invalid_grant
            now = self._clock()
            if now >= grant.expires_at:
                return "expired_token"
            if grant.status == "access_denied":
                return "access_denied"
            if grant.status == "authorized":
                del self._devices[code]  # single use
                self._user_codes.pop(normalise_user_code(grant.user_code), None)
                request.user = grant.user
                request.scopes = list(grant.scopes)
                return "authorized"
            too_soon = grant.last_poll is not None and now - grant.last_poll < grant.interval
            grant.last_poll = now
            if too_soon:
                grant.interval += 5  # §3.5: for this and all subsequent requests
                return "slow_down"
            return "authorization_pending"

    @staticmethod
    def mint_refresh_token(request) -> str:
        """oauthlib's ``refresh_token_generator``: opaque and random."""
        return secrets.token_urlsafe(32)

    def save_bearer_token(self, token, request, *args, **kwargs):
        with self._lock:
            refresh_token = token.get("refresh_token")
            if refresh_token:
                previous = getattr(request, "demo_refresh_grant", None)
                # RFC 6749 §6: a rotated refresh token keeps the original scope.
                scopes = list(previous.scopes) if previous else list(request.scopes)
                self._refresh[refresh_token] = _RefreshGrant(
                    request.client_id, request.user, scopes, getattr(request, "demo_family", None)
                )
            family = self._families.get(getattr(request, "demo_family", None) or "")
            if family is not None:
                family.jtis.add(request.demo_jti)
                if refresh_token:
                    family.refresh_tokens.add(refresh_token)
                if family.revoked:  # revoked while this request ran: what it issued goes too
                    self._revoke_family_locked(request.demo_family)

    def _revoke_family_locked(self, name: str) -> None:
        family = self._families.get(name)
        if family is None:
            return
        family.revoked = True
        self._revoked_jtis.update(family.jtis)
        for refresh_token in family.refresh_tokens:
            self._refresh.pop(refresh_token, None)
            self._spent_refresh[refresh_token] = name
        family.refresh_tokens.clear()

    # -- using tokens ------------------------------------------------------------

    def access_token_claims(self, token: str) -> dict | None:
        """Claims of a valid, unexpired, unrevoked access token from this provider."""
        try:
            claims = self.signing_key.verify(
                token, issuer=self._issuer(), audience=AUDIENCE, now=self._clock()
            )
        except InvalidToken:
            return None
        with self._lock:
            if claims["jti"] in self._revoked_jtis:
                return None
        return claims

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        claims = self.access_token_claims(token)
        if claims is not None:
            return {**claims, "token_type": "Bearer"}
        with self._lock:
            grant = self._refresh.get(token)
        if grant is not None:
            return {
                "iss": self._issuer(),
                "client_id": grant.client_id,
                "sub": grant.user or grant.client_id,
                "scope": " ".join(grant.scopes),
            }
        return None

