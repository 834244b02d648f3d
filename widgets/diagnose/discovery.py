"""RFC 8414 §3 — https://www.rfc-editor.org/rfc/rfc8414#section-3
OpenID Connect Discovery 1.0 §4 — https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig

Finding a provider's endpoints from its issuer.

* RFC 8414 §3.1 (https://www.rfc-editor.org/rfc/rfc8414#section-3.1): the well-known suffix
  ``/.well-known/oauth-authorization-server`` is *inserted* between the host and the path of
  the issuer (``https://as.example/tenant`` →
  ``https://as.example/.well-known/oauth-authorization-server/tenant``);
* OpenID Connect Discovery 1.0 §4 (https://openid.net/specs/openid-connect-discovery-1_0.html):
  ``/.well-known/openid-configuration`` is *appended* to the issuer.

Both are tried, in that order. The answer is read strictly (RFC 8414 §3.2-3.3): a JSON object
whose ``issuer`` is the issuer that was asked for (a different one is refused: it is how a
mix-up attack starts), endpoints that are absolute ``https`` URLs (plain ``http`` only on the
loopback interface), every field of the type the RFC gives it. Anything else ends as
:class:`DiscoveryError` with a hint, never as a crash.

Discovery sends no credentials, and redirects are not followed: a well-known URL that
redirects is reported and the next candidate is tried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests

from ..core.config import CLIENT_AUTH_METHODS, WebhookAuthConfig, url_problem
# DiscoveryError and DiscoveryIssuerMismatch are defined in core.errors (the one error tree);
# __all__ keeps them importable from here.
from ..core.errors import (
    ConfigError,
    DiscoveryError,
    DiscoveryIssuerMismatch,
    TransportError,
)
from ..core.loopback import allow_loopback_http, connection_target, is_loopback_host, reading_problem
from ..core.redact import redact_url, scrub
from ..core.transcript import Transcript
from ..core.transport import Boundary

__all__ = [
    "ProviderMetadata",
    "DiscoveryError",
    "DiscoveryIssuerMismatch",
    "discover",
    "metadata_urls",
    "endpoint_problem",
    "parse_metadata",
    "RFC8414_SUFFIX",
    "OIDC_SUFFIX",
]

RFC8414_SUFFIX = "/.well-known/oauth-authorization-server"
OIDC_SUFFIX = "/.well-known/openid-configuration"

_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "introspection_endpoint",
    "revocation_endpoint",
    "device_authorization_endpoint",  # RFC 8628 §4
)
_LISTS = (
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
    "scopes_supported",
    "response_types_supported",
)
#: RFC 8414 §2 defaults for members that may be omitted.
_DEFAULTS = {
    "grant_types_supported": ("authorization_code", "implicit"),
    "token_endpoint_auth_methods_supported": ("client_secret_basic",),
}
# Grants that send the browser to the authorization endpoint (RFC 8414 §2).
_NEEDS_AUTHORIZE = {"authorization_code", "implicit"}


@dataclass(frozen=True)
class ProviderMetadata:
    """What a provider says about itself (RFC 8414 §2), checked. Lists are tuples."""

    issuer: str
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    jwks_uri: str = ""
    introspection_endpoint: str = ""
    revocation_endpoint: str = ""
    #: RFC 8628 §4: where the device grant asks for its codes.
    device_authorization_endpoint: str = ""
    grant_types_supported: tuple[str, ...] = _DEFAULTS["grant_types_supported"]
    token_endpoint_auth_methods_supported: tuple[str, ...] = _DEFAULTS["token_endpoint_auth_methods_supported"]
    code_challenge_methods_supported: tuple[str, ...] = ()
    scopes_supported: tuple[str, ...] = ()
    response_types_supported: tuple[str, ...] = ()
    authorization_response_iss_parameter_supported: bool = False
    #: Where the document was read from.
    source_url: str = ""
    #: The whole document as received (it holds no secrets: metadata is public).
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    #: Deviations that did not stop discovery (e.g. a missing recommended member).
    notes: tuple[str, ...] = ()

    @property
    def usable_client_auth(self) -> tuple[str, ...]:
        """The advertised client authentication methods this tool can use, in our order."""
        return tuple(m for m in CLIENT_AUTH_METHODS if m in self.token_endpoint_auth_methods_supported)

    @property
    def supports_pkce_s256(self) -> bool:
        return "S256" in self.code_challenge_methods_supported

    def apply_to(self, config: WebhookAuthConfig) -> WebhookAuthConfig:
        """A copy of ``config`` with Auth URL, Token URL, Device authorization URL and issuer from
        this metadata, and ``require_iss`` on when the provider says it sends ``iss`` (RFC 9207).

        ``client_auth`` is set too when exactly one of the methods this tool speaks
        (``client_secret_basic``, ``client_secret_post``) is advertised; otherwise the
        config's choice stays.
        """
        changes: dict[str, object] = {"issuer": self.issuer}
        if self.authorization_response_iss_parameter_supported:  # RFC 9207 §3: then always sent
            changes["require_iss"] = True
        if self.authorization_endpoint:
            changes["auth_url"] = self.authorization_endpoint
        if self.token_endpoint:
            changes["token_url"] = self.token_endpoint
        if self.device_authorization_endpoint:
            changes["device_authorization_url"] = self.device_authorization_endpoint
        # the shared-secret methods only: a key or certificate method is the config's to choose
        secret_methods = [m for m in self.usable_client_auth if m in ("client_secret_basic", "client_secret_post")]
        if len(secret_methods) == 1 and config.client_auth in ("client_secret_basic", "client_secret_post"):
            changes["client_auth"] = secret_methods[0]
        return config.replace(**changes)

    def to_dict(self) -> dict[str, object]:
        """The checked fields as plain JSON-ready values (``raw`` left out)."""
        out: dict[str, object] = {}
        for name in ("issuer", *_ENDPOINTS, *_LISTS, "authorization_response_iss_parameter_supported",
                     "source_url", "notes"):
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


# -- where to look ------------------------------------------------------------------------


def _check_issuer_input(issuer: str) -> str:
    issuer = (issuer or "").strip()
    problem = None
    try:
        parts = urlsplit(issuer)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ConfigError({"issuer": [f"is not a valid URL ({exc})"]}) from None
    if not issuer:
        problem = "is required, e.g. https://login.example.com/tenant"
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "must be an absolute https URL, e.g. https://login.example.com/tenant"
    elif (reading := reading_problem(issuer)) is not None:
        problem = reading
    elif parts.scheme == "http" and not is_loopback_host(connection_target(issuer)[1]):
        problem = "must use https (RFC 8414 §2); plain http is accepted only for 127.0.0.1 / localhost"
    elif parts.query or parts.fragment or "?" in issuer or "#" in issuer:
        problem = "must not contain a ?query or #fragment (RFC 8414 §2)"
    elif parts.username or parts.password:
        problem = "must not carry a username or password"
    elif any(ch.isspace() for ch in issuer):
        problem = "contains spaces"
    if problem:
        raise ConfigError({"issuer": [problem]})
    return issuer


def metadata_urls(issuer: str) -> list[str]:
    """The well-known URLs for ``issuer``: RFC 8414 (path inserted), then OIDC (appended)."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")  # RFC 8414 §3.1: a terminating "/" is removed first
    rfc8414 = urlunsplit((parts.scheme, parts.netloc, RFC8414_SUFFIX + path, "", ""))
    oidc = urlunsplit((parts.scheme, parts.netloc, path + OIDC_SUFFIX, "", ""))
    return [rfc8414] if rfc8414 == oidc else [rfc8414, oidc]


def _issuer_from_metadata_url(url: str) -> str | None:
    """The issuer a well-known URL was built from (the reverse of :func:`metadata_urls`)."""
    parts = urlsplit(url)
    if parts.path.startswith(RFC8414_SUFFIX):
        path = parts.path[len(RFC8414_SUFFIX):]
    elif parts.path.endswith(OIDC_SUFFIX):
        path = parts.path[: -len(OIDC_SUFFIX)]
    else:
        return None
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _same_issuer(expected: str, found: str) -> tuple[bool, bool]:
    """(equal, only after normalising). RFC 8414 §3.3 wants identical strings; scheme and
    host case and an empty path versus "/" are the same URL by RFC 3986 §6.2.2-6.2.3, so
    those are accepted with a note."""
    if expected == found:
        return True, False
    try:
        a, b = urlsplit(expected), urlsplit(found)
        same = (
            a.scheme.lower() == b.scheme.lower()
            and (a.hostname or "") == (b.hostname or "")  # urlsplit lower-cases hostname
            and a.port == b.port
            and (a.path or "/") == (b.path or "/")
            and a.query == b.query
            and a.fragment == b.fragment
            and a.username == b.username
        )
    except ValueError:
        return False, False
    return same, same


# -- reading the answer -------------------------------------------------------------------


def endpoint_problem(value: object) -> str | None:
    """Why ``value`` cannot be a provider endpoint (absolute https, or http on loopback), or None."""
    if not isinstance(value, str):
        return f"must be a URL string, got {type(value).__name__}"
    if "#" in value:
        return "must not contain a #fragment (RFC 6749 §3.1)"
    return url_problem(value, endpoint=True)


def parse_metadata(document: object, *, expected_issuer: str, source_url: str = "",
                   accept_issuers: tuple[str, ...] = ()) -> ProviderMetadata:
    """Check a decoded metadata document; raise :class:`DiscoveryError` on any problem.

    ``expected_issuer`` is the issuer the document was fetched for; ``accept_issuers`` lists
    other spellings that map to the same well-known URL (used when the caller gave the
    metadata URL itself and the issuer's trailing "/" cannot be known).
    """
    where = f" at {redact_url(source_url)}" if source_url else ""
    if not isinstance(document, dict):
        raise DiscoveryError(
            f"The metadata{where} is JSON but not an object ({type(document).__name__}).",
        )
    problems: list[str] = []
    notes: list[str] = []

    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise DiscoveryError(
            f"The metadata{where} has no issuer, which RFC 8414 §2 requires, so it cannot be "
            "tied to the provider you asked for.",
        )
    equal, normalised = False, False
    for candidate in (expected_issuer, *accept_issuers):
        equal, normalised = _same_issuer(candidate, issuer)
        if equal:
            break
    if not equal:
        raise DiscoveryIssuerMismatch(
            f"The metadata{where} says its issuer is {scrub(issuer)!r}, not {expected_issuer!r} "
            "(RFC 8414 §3.3 requires them to be identical).",
            hint=(
                "Nothing from this metadata was used. If "
                f"{scrub(issuer)!r} is the provider you meant, run discovery with exactly that "
                "value; otherwise the well-known URL is serving another server's metadata."
            ),
        )
    if normalised:
        notes.append(f"The provider writes its issuer as {scrub(issuer)!r}; use exactly that value.")
    if (message := endpoint_problem(issuer)) is not None:
        problems.append(f"issuer {message}")

    values: dict[str, object] = {}
    for name in _ENDPOINTS:
        value = document.get(name)
        if value is None:
            values[name] = ""
            continue
        if (message := endpoint_problem(value)) is not None:
            problems.append(f"{name} {message}")
        else:
            values[name] = value
    for name in _LISTS:
        value = document.get(name)
        if value is None:
            values[name] = _DEFAULTS.get(name, ())
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{name} must be a JSON array of strings, got {type(value).__name__}")
            continue
        values[name] = tuple(value)
    iss_supported = document.get("authorization_response_iss_parameter_supported", False)
    if not isinstance(iss_supported, bool):
        problems.append("authorization_response_iss_parameter_supported must be true or false")
        iss_supported = False

    if problems:
        raise DiscoveryError(
            f"The metadata{where} is malformed:\n  " + "\n  ".join(problems),
            hint="The provider publishes metadata that does not follow RFC 8414 §2. Type the Auth "
            "URL and Token URL by hand from its documentation, and tell the provider.",
        )

    grants = set(values["grant_types_supported"])  # type: ignore[arg-type]
    missing = []
    if not values["token_endpoint"] and grants - {"implicit"}:
        missing.append("token_endpoint")
    if not values["authorization_endpoint"] and grants & _NEEDS_AUTHORIZE:
        missing.append("authorization_endpoint")
    if missing:
        raise DiscoveryError(
            f"The metadata{where} lacks {' and '.join(missing)}, required by RFC 8414 §2 for the "
            f"grant types it supports ({', '.join(sorted(grants))}).",
            hint="Type the missing URL by hand from the provider's documentation.",
        )
    if "response_types_supported" not in document:
        notes.append("response_types_supported is missing (RFC 8414 §2 requires it).")
    if "token_endpoint_auth_methods_supported" not in document:
        notes.append("No token_endpoint_auth_methods_supported: RFC 8414 says that means client_secret_basic.")
    if values["code_challenge_methods_supported"] and "S256" not in values["code_challenge_methods_supported"]:
        notes.append("PKCE S256 is not advertised; this tool sends only S256 (plain protects nothing).")
    elif not values["code_challenge_methods_supported"]:
        notes.append("No code_challenge_methods_supported: RFC 8414 says the server does not support PKCE.")

    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=values["authorization_endpoint"],  # type: ignore[arg-type]
        token_endpoint=values["token_endpoint"],  # type: ignore[arg-type]
        jwks_uri=values["jwks_uri"],  # type: ignore[arg-type]
        introspection_endpoint=values["introspection_endpoint"],  # type: ignore[arg-type]
        revocation_endpoint=values["revocation_endpoint"],  # type: ignore[arg-type]
        device_authorization_endpoint=values["device_authorization_endpoint"],  # type: ignore[arg-type]
        grant_types_supported=values["grant_types_supported"],  # type: ignore[arg-type]
        token_endpoint_auth_methods_supported=values["token_endpoint_auth_methods_supported"],  # type: ignore[arg-type]
        code_challenge_methods_supported=values["code_challenge_methods_supported"],  # type: ignore[arg-type]
        scopes_supported=values["scopes_supported"],  # type: ignore[arg-type]
        response_types_supported=values["response_types_supported"],  # type: ignore[arg-type]
        authorization_response_iss_parameter_supported=iss_supported,
        source_url=source_url,
        raw=dict(document),
        notes=tuple(notes),
    )


def _describe(response: requests.Response) -> tuple[object | None, str | None]:
    """(decoded JSON, None) or (None, why this answer is not metadata)."""
    ctype = response.headers.get("Content-Type", "")
    kind = scrub(ctype.split(";")[0].strip().lower()) or "no content type"  # the provider's header
    if response.status_code != 200:
        return None, f"HTTP {response.status_code} ({kind})"
    body = response.content
    head = body.lstrip()[:15].lower()
    if "html" in kind or head.startswith((b"<!doctype", b"<html")):
        return None, "HTTP 200 with an HTML page, not JSON metadata"
    try:
        return json.loads(body.decode("utf-8-sig")), None
    except (ValueError, UnicodeDecodeError):
        return None, f"HTTP 200 with {kind} that is not valid JSON"


def discover(issuer_url: str, *, transcript: Transcript | None = None, timeout: float = 10.0,
             verify_tls: bool = True) -> ProviderMetadata:
    """Fetch and check the metadata of the provider whose issuer is ``issuer_url``.

    ``issuer_url`` may also be a well-known metadata URL itself; the issuer is then derived
    from it. Raises :class:`~widgets.errors.ConfigError` for an unusable issuer,
    :class:`DiscoveryError` when no candidate URL serves valid metadata (with what each
    answered), :class:`DiscoveryIssuerMismatch` when the metadata names another issuer, and
    :class:`~widgets.errors.TransportError` when the host cannot be reached at all.
    """
    issuer_url = _check_issuer_input(issuer_url)
    derived = _issuer_from_metadata_url(issuer_url)
    if derived is not None:
        candidates, expected = [issuer_url], derived
        # https://as.example and https://as.example/ give the same well-known URL
        accept = (derived + "/",) if not urlsplit(derived).path else ()
    else:
        candidates, expected, accept = metadata_urls(issuer_url), issuer_url, ()

    tried: list[str] = []
    malformed: DiscoveryError | None = None
    with requests.Session() as session:
        boundary = Boundary(session, transcript, timeout=timeout, verify=verify_tls)
        for url in candidates:
            step = "discovery: " + ("OpenID configuration" if url.endswith(OIDC_SUFFIX) else "RFC 8414 metadata")
            try:
                with allow_loopback_http(), boundary.step(step, "GET", url):
                    response = session.get(url, headers={"Accept": "application/json"}, timeout=timeout)
            except TransportError as exc:
                if exc.reason in ("redirect", "too_large"):
                    tried.append(f"{redact_url(url)}: {exc.message}")
                    continue
                raise
            document, why = _describe(response)
            if why is not None:
                tried.append(f"{redact_url(url)}: {why}")
                if boundary.last is not None:
                    boundary.last.note = why
                continue
            try:
                metadata = parse_metadata(document, expected_issuer=expected, source_url=url,
                                          accept_issuers=accept)
            except DiscoveryError as exc:
                if boundary.last is not None:
                    boundary.last.fail(exc, "refused")
                if isinstance(exc, DiscoveryIssuerMismatch):
                    raise  # another server's metadata: stop, whatever the next URL holds
                tried.append(exc.message)
                malformed = malformed or exc
                continue
            if boundary.last is not None and metadata.notes:
                boundary.last.note = " ".join(metadata.notes)
            return metadata

    if malformed is not None:
        raise DiscoveryError(f"No usable provider metadata for {issuer_url}:\n  " + "\n  ".join(tried),
                             hint=malformed.hint)
    everything_404 = all(": HTTP 404" in t for t in tried)
    raise DiscoveryError(
        f"No provider metadata found for {issuer_url}:\n  " + "\n  ".join(tried),
        hint=(
            "Neither RFC 8414 nor OpenID Connect metadata is published at this issuer. Check the "
            "issuer (often the Auth URL without its last path segment, e.g. without /authorize), "
            "or type the Auth URL and Token URL by hand."
            if everything_404
            else DiscoveryError.default_hint
        ),
    )
