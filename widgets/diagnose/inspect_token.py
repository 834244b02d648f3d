"""RFC 7662 §2 (introspection) — https://www.rfc-editor.org/rfc/rfc7662#section-2
RFC 7519 §7.2 (validating a JWT) — https://www.rfc-editor.org/rfc/rfc7519#section-7.2

What an access token says, whether its signature holds, and what the provider says of it.

* A JWT (RFC 7519, https://www.rfc-editor.org/rfc/rfc7519) is decoded; its NumericDate
  times (§2: ``iat``, ``nbf``, ``exp``) are shown in UTC and local time with the time left.
* Its signature (RFC 7515 §5.2) is checked against the provider's JWK Set (RFC 7517), which
  is fetched through :class:`~widgets.transport.Boundary` (recorded, no redirects) and read
  with pyjwt (imported only here, only when a signature is checked). Only the asymmetric
  algorithms of the key that matches the token's ``kid`` are accepted: the key's own
  ``alg`` when it names one, else those of its type and curve. ``none`` and the HMAC
  family (``HS*``) are never accepted: a public key used as an HMAC secret is the classic
  algorithm-confusion forgery (RFC 8725 §2.1, §3.1).
* An opaque token (or any token, on request) can be sent to the provider's RFC 7662
  introspection endpoint (https://www.rfc-editor.org/rfc/rfc7662), authenticated with the
  configured client credentials.

``signature`` reads ``"verified"``, ``"failed: <why>"`` or ``"not checked: <why>"``. A
verified signature says who issued the token, not that the token is still valid: look at
``expired`` and, for revocation, at introspection.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests

from ..core.headers import ClientSecretBasic
from ..core.claims import decode_unverified
from ..core.config import WebhookAuthConfig
from ..core.durations import format_duration
from ..core.errors import (  # InspectionError, IntrospectionError: defined there, exported here
    InspectionError,
    IntrospectionError,
    WebhookAuthError,
    hint_for_oauth_error,
)
from ..core.loopback import allow_loopback_http
from ..core.redact import SECRET_KEYS, mask, remember, scrub
from ..core.token import Token
from ..core.transcript import Transcript
from ..core.transport import Boundary

__all__ = ["TokenInspection", "InspectionError", "IntrospectionError", "inspect_token", "format_duration",
           "allowed_algorithms"]

MAX_TOKEN = 16 * 1024
#: Clock difference tolerated before an ``iat``/``nbf`` in the future is pointed out.
CLOCK_SKEW = 60

_RSA = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC = {"P-256": ("ES256",), "P-384": ("ES384",), "P-521": ("ES512",), "secp256k1": ("ES256K",)}
_OKP = {"Ed25519": ("EdDSA",), "Ed448": ("EdDSA",)}


def allowed_algorithms(jwk: dict) -> tuple[str, ...]:
    """Asymmetric JWS algorithms this JWK may verify: its ``alg`` if named, else its family's."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "RSA":
        family: tuple[str, ...] = _RSA
    elif kty == "EC":
        family = _EC.get(crv, ())
    elif kty == "OKP":
        family = _OKP.get(crv, ())
    else:  # "oct" (a shared secret has no business in a public key set) or unknown
        return ()
    named = jwk.get("alg")
    if named is not None:
        return (named,) if named in family else ()
    return family


@dataclass(frozen=True, repr=False)
class TokenInspection:
    """Everything that could be learnt about one token. Never holds the token itself."""

    kind: str  # jwt | opaque | jwe
    masked: str
    signature: str
    header: dict | None = None
    claims: dict | None = None
    #: ``{"exp": {"epoch": 1767225600, "utc": "...+00:00", "local": "...+01:00"}, ...}``
    times: dict[str, dict[str, object]] = field(default_factory=dict)
    time_left: float | None = None
    expired: bool | None = None
    scope: str | None = None
    audience: tuple[str, ...] = ()
    issuer: str | None = None
    subject: str | None = None
    client_id: str | None = None
    #: The kid of the key that verified the signature.
    key_id: str | None = None
    #: RFC 7662 answer (secret-looking members masked), when introspection was done.
    introspection: dict | None = None
    active: bool | None = None
    introspection_error: str = ""
    notes: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return self.signature == "verified"

    @property
    def time_left_text(self) -> str:
        if self.time_left is None:
            return "unknown (no expiry given)"
        if self.time_left <= 0:
            return "expired " + format_duration(self.time_left)
        return format_duration(self.time_left)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "token": self.masked,
            "header": self.header,
            "claims": self.claims,
            "times": self.times,
            "time_left": None if self.time_left is None else round(self.time_left, 1),
            "time_left_text": self.time_left_text,
            "expired": self.expired,
            "scope": self.scope,
            "audience": list(self.audience),
            "issuer": self.issuer,
            "subject": self.subject,
            "client_id": self.client_id,
            "signature": self.signature,
            "key_id": self.key_id,
            "active": self.active,
            "introspection": self.introspection,
            "introspection_error": self.introspection_error,
            "notes": list(self.notes),
        }

    def rows(self) -> list[tuple[str, str]]:
        """(field, value) pairs for a person, in reading order."""
        out = [("kind", self.kind), ("token", self.masked)]
        if self.header:
            out += [(f"header {k}", str(v)) for k, v in self.header.items() if k in ("alg", "kid", "typ")]
        for name, value in (("issuer", self.issuer), ("subject", self.subject), ("client_id", self.client_id),
                            ("audience", " ".join(self.audience)), ("scope", self.scope)):
            if value:
                out.append((name, str(value)))
        labels = {"iat": "issued at", "nbf": "not before", "exp": "expires"}
        for name, when in self.times.items():
            out.append((labels.get(name, name), f"{when['utc']} (local {when['local']})"))
        out.append(("time left", self.time_left_text))
        out.append(("signature", self.signature))
        if self.active is not None:
            out.append(("active (introspection)", "yes" if self.active else "no"))
        if self.introspection_error:
            out.append(("introspection", self.introspection_error))
        out += [("note", n) for n in self.notes]
        return [(field, scrub(value)) for field, value in out]

    def to_dataframe(self):
        """A two-column pandas DataFrame (field, value); pandas imported here."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=["field", "value"])

    def to_text(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())

    def __repr__(self) -> str:
        return f"TokenInspection({self.kind} {self.masked}, signature={self.signature!r}, left={self.time_left_text!r})"


# -- reading the input ----------------------------------------------------------------------------


def _clean(token_or_str: Token | str) -> tuple[str, Token | None, list[str]]:
    notes: list[str] = []
    if isinstance(token_or_str, Token):
        return token_or_str.access_token, token_or_str, notes
    if not isinstance(token_or_str, str):
        raise InspectionError("Expected a token (text), got " + type(token_or_str).__name__ + ".")
    if len(token_or_str) > MAX_TOKEN:
        raise InspectionError(f"The text is {len(token_or_str)} characters long; that is not a token.")
    text = token_or_str.strip()
    while len(text) >= 2 and text[0] + text[-1] in ('""', "''", "``", "<>"):
        text = text[1:-1].strip()
    if text.startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("access_token"), str):
            notes.append("A whole token response was pasted; its access_token was inspected.")
            text = body["access_token"].strip()
    if text[:7].lower() == "bearer " or text[:7].lower() == "bearer\t":
        text = text[7:].strip()
        notes.append("'Bearer ' was removed from the front.")
    if not text:
        raise InspectionError("No token was given.")
    if any(ch.isspace() for ch in text) or any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in text):
        raise InspectionError("The token contains spaces, line breaks or characters a token cannot hold.")
    return text, None, notes


def _when(value: object) -> dict[str, object] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return {"epoch": value, "utc": moment.isoformat(), "local": moment.astimezone().isoformat()}


# -- the signature ----------------------------------------------------------------------------------


def _fetch_json(url: str, *, what: str, transcript: Transcript, timeout: float, verify: bool) -> object:
    from .discovery import endpoint_problem

    if (problem := endpoint_problem(url)) is not None:
        raise InspectionError(f"The {what} URL {problem}.", hint=f"Use the provider's https:// {what} URL.")
    with requests.Session() as session:
        boundary = Boundary(session, transcript, timeout=timeout, verify=verify)
        with allow_loopback_http(), boundary.step(f"inspect: {what}", "GET", url):
            response = session.get(url, headers={"Accept": "application/json"}, timeout=timeout)
    if response.status_code != 200:
        raise InspectionError(f"The {what} URL answered HTTP {response.status_code}.",
                              hint=f"Check the {what} URL (the provider's metadata lists it as jwks_uri).")
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        raise InspectionError(f"The {what} URL did not answer with JSON.",
                              hint=f"Check the {what} URL (the provider's metadata lists it as jwks_uri).") from None


def _check_signature(token: str, header: dict, jwks: object) -> tuple[str, str | None]:
    """(signature verdict, kid of the verifying key)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        return "failed: the header names no algorithm", None
    if alg.lower() == "none":
        return "failed: alg 'none' means the token is not signed at all; never accepted", None
    if alg.upper().startswith("HS"):
        return (f"not checked: {alg} is a shared-secret (HMAC) signature, which public keys cannot verify "
                "(and must not be used for: algorithm confusion); ask the provider (introspection)"), None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return "not checked: the JWKS is not a JWK Set (a JSON object with a 'keys' array, RFC 7517 §5)", None
    import jwt  # pyjwt, only when a signature is checked
    from jwt.exceptions import InvalidSignatureError, PyJWKError, PyJWTError

    kid = header.get("kid")
    keys = [k for k in jwks["keys"] if isinstance(k, dict) and k.get("use", "sig") == "sig"]
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
        if not keys:
            return (f"failed: no signing key in the JWKS has kid {scrub(kid)!r} (another provider's token, "
                    "or keys were rotated)"), None
    if not keys:
        return "not checked: the JWKS holds no signing keys", None
    fitting = [k for k in keys if alg in allowed_algorithms(k)]
    if not fitting:
        kinds = ", ".join(sorted({"/".join(allowed_algorithms(k)) or str(k.get("kty")) for k in keys}))
        return (f"failed: the token says alg {scrub(alg)!r} but its key is for {kinds}; a token must use its "
                "key's own algorithm"), None
    last_problem = "the signature does not match"
    for jwk in fitting:
        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
        except (PyJWKError, PyJWTError, ValueError, TypeError) as exc:
            last_problem = f"the key could not be read ({type(exc).__name__})"
            continue
        try:
            jwt.PyJWS().decode(token, key=key, algorithms=[alg])
        except InvalidSignatureError:
            last_problem = "the signature does not match the key" + (f" {kid!r}" if kid else "s")
            continue
        except PyJWTError as exc:
            return f"failed: {scrub(str(exc))}", None
        return "verified", jwk.get("kid")
    return f"failed: {last_problem} (the token was altered, or signed by someone else)", None


# -- introspection ----------------------------------------------------------------------------------


def _introspect(token: str, url: str, config: WebhookAuthConfig, transcript: Transcript) -> dict:
    """POST the token to an RFC 7662 endpoint, authenticated as the configured client."""
    from .discovery import endpoint_problem

    if (problem := endpoint_problem(url)) is not None:
        raise IntrospectionError(f"The introspection URL {problem}.", hint="Use the provider's https:// URL.")
    remember(config.client_secret, known=True)
    data = {"token": token}
    auth = None
    if config.client_auth == "client_secret_post":
        data.update(client_id=config.client_id, client_secret=config.client_secret.reveal())  # to the wire
    else:
        auth = ClientSecretBasic(config.client_id, config.client_secret)
    with requests.Session() as session:
        boundary = Boundary(session, transcript, timeout=config.timeout, verify=config.verify_tls)
        with allow_loopback_http(), boundary.step("inspect: introspection (RFC 7662)", "POST", url):
            response = session.post(url, data=data, auth=auth, headers={"Accept": "application/json"},
                                    timeout=config.timeout)
    try:
        body = json.loads(response.content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and body.get("error") and response.status_code >= 400:
        error = str(body["error"])
        desc = body.get("error_description")
        raise IntrospectionError(
            f"The introspection endpoint refused the request (HTTP {response.status_code}): {scrub(error)}"
            + (f" — {scrub(desc)}" if desc else ""),
            status=response.status_code, error=error,
            hint=hint_for_oauth_error(error, client_auth=config.client_auth),
        )
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("active"), bool):
        raise IntrospectionError(
            f"The introspection endpoint answered HTTP {response.status_code} without an RFC 7662 answer "
            "(a JSON object with a boolean 'active').",
            status=response.status_code,
            hint="Check the introspection URL (metadata: introspection_endpoint).",
        )
    return {k: (mask(v) if str(k).lower() in SECRET_KEYS and isinstance(v, str) else v) for k, v in body.items()}


# -- all together -------------------------------------------------------------------------------------


def inspect_token(
    token_or_str: Token | str,
    *,
    jwks_url: str | None = None,
    introspection_url: str | None = None,
    config: WebhookAuthConfig | None = None,
    transcript: Transcript | None = None,
    now: float | None = None,
) -> TokenInspection:
    """Decode, check and describe a token. Raises :class:`InspectionError` for unusable input.

    ``jwks_url``: check a JWT's signature against that key set. ``introspection_url`` with a
    ``config`` holding client ID and secret: ask the provider (RFC 7662). ``now`` (epoch
    seconds) replaces the clock for the time left. Remote failures do not raise: they end
    in ``signature`` or ``introspection_error``.
    """
    token, token_obj, notes = _clean(token_or_str)
    remember(token)
    transcript = transcript if transcript is not None else Transcript()
    now = time.time() if now is None else now
    timeout = config.timeout if config is not None else 10.0
    verify = config.verify_tls if config is not None else True

    decoded = decode_unverified(token)
    kind = "jwt" if decoded is not None else ("jwe" if token.count(".") == 4 else "opaque")
    header, claims = decoded if decoded is not None else (None, None)
    if kind == "jwe":
        notes.append("An encrypted JWT (JWE): only the provider can read it; use introspection.")
    elif kind == "opaque" and token.count(".") == 2:
        notes.append("Shaped like a JWT but does not decode as one; treated as opaque.")

    # -- signature
    key_id = None
    if kind != "jwt":
        signature = f"not checked: {'an encrypted' if kind == 'jwe' else 'an opaque'} token carries no signature to check here"
    elif jwks_url is None:
        signature = "not checked: no JWKS URL given (the provider's metadata lists it as jwks_uri)"
        if isinstance(header.get("alg"), str) and header["alg"].lower() == "none":
            signature = "failed: alg 'none' means the token is not signed at all; never accepted"
    else:
        try:
            jwks = _fetch_json(jwks_url, what="JWKS", transcript=transcript, timeout=timeout, verify=verify)
            signature, key_id = _check_signature(token, header, jwks)
        except WebhookAuthError as exc:
            signature = f"not checked: the JWKS could not be read ({scrub(exc.message)})"

    # -- introspection
    introspection, active, introspection_error = None, None, ""
    if introspection_url:
        if config is None or not config.client_id or not config.client_secret:
            introspection_error = ("not done: introspection needs the client ID and secret of a client the "
                                   "provider allows to introspect")
        else:
            try:
                introspection = _introspect(token, introspection_url, config, transcript)
                active = introspection["active"]
            except WebhookAuthError as exc:
                introspection_error = f"failed: {scrub(exc.message)} Hint: {scrub(exc.hint)}"
        if active is False:
            notes.append("The provider says this token is not active: expired, revoked, or not one of its tokens.")

    # -- what it says
    source = dict(claims or {})
    if introspection and active:
        for name, value in introspection.items():
            source.setdefault(name, value)
    times: dict[str, dict[str, object]] = {}
    for name in ("iat", "nbf", "exp"):
        if name not in source:
            continue
        when = _when(source[name])
        if when is None:
            notes.append(f"{name} is not a NumericDate (seconds since 1970, RFC 7519 §2); ignored.")
        else:
            times[name] = when
    time_left = None
    if "exp" in times:
        time_left = float(times["exp"]["epoch"]) - now  # type: ignore[arg-type]
    elif token_obj is not None and token_obj.expires_at is not None:
        time_left = token_obj.expires_at - now
        notes.append("No exp in the token; the time left comes from the token response's expires_in.")
    if "nbf" in times and float(times["nbf"]["epoch"]) > now + CLOCK_SKEW:  # type: ignore[arg-type]
        notes.append("Not valid yet (nbf is in the future): a receiver will refuse it until then.")
    if "iat" in times and float(times["iat"]["epoch"]) > now + CLOCK_SKEW:  # type: ignore[arg-type]
        notes.append("Issued in the future (iat): this machine's clock and the provider's disagree.")

    scope = source.get("scope", source.get("scp"))
    if isinstance(scope, list):
        scope = " ".join(str(s) for s in scope)
    if not isinstance(scope, str):
        scope = token_obj.scope if token_obj is not None else None
    aud = source.get("aud")
    audience = (aud,) if isinstance(aud, str) else tuple(str(a) for a in aud) if isinstance(aud, list) else ()
    issuer = source.get("iss") if isinstance(source.get("iss"), str) else None
    if issuer and config is not None and config.issuer and issuer.rstrip("/") != config.issuer.rstrip("/"):
        notes.append(f"The token's issuer {issuer!r} is not the configured issuer {config.issuer!r}.")
    subject = source.get("sub") if isinstance(source.get("sub"), str) else None
    client_id = source.get("client_id", source.get("azp"))
    client_id = client_id if isinstance(client_id, str) else None

    return TokenInspection(
        kind=kind,
        masked=mask(token),
        signature=signature,
        header=header,
        claims=claims,
        times=times,
        time_left=time_left,
        expired=None if time_left is None else time_left <= 0,
        scope=scope,
        audience=audience,
        issuer=issuer,
        subject=subject,
        client_id=client_id,
        key_id=key_id,
        introspection=introspection,
        active=active,
        introspection_error=introspection_error,
        notes=tuple(notes),
    )
