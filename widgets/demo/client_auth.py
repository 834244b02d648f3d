"""How the demo's client proves who it is beyond a shared secret: JWT assertions and certificates.

* ``private_key_jwt`` / ``client_secret_jwt`` (RFC 7523 §2.2, OpenID Connect Core §9,
  RFC 7523 §3): the signature against the client's registered public keys (its JWKS) or its
  secret, ``iss`` = ``sub`` = the client ID, ``aud`` naming this provider's token endpoint (or
  its issuer), ``exp`` in the future and not too far, and a ``jti`` used once.
* ``tls_client_auth`` / ``self_signed_tls_client_auth`` (RFC 8705 §2): the certificate of the
  TLS handshake, issued by the demo CA for the registered subject, or exactly one of the
  registered self-signed certificates (by its ``x5t#S256``).

The certificate of the connection reaches the validator through :data:`peer_certificate`, set
by the provider for the request it is handling; a header can never stand in for it.
"""

from __future__ import annotations

import contextvars
import json
import threading
from typing import Callable, Iterable

import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .certificates import subject_dn, thumbprint

__all__ = ["JWT_BEARER", "ASSERTION_ALGORITHMS", "ClientKeys", "peer_certificate", "assertion_method",
           "check_assertion"]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = {
    "private_key_jwt": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"),
    "client_secret_jwt": ("HS256", "HS384", "HS512"),
}
#: The longest an assertion may live (its exp past now): a long-lived one would be a bearer secret.
MAX_ASSERTION_LIFETIME = 300
#: The PEM certificate of the TLS connection of the request being handled, or None.
peer_certificate: contextvars.ContextVar[str | None] = contextvars.ContextVar("demo_peer_certificate", default=None)


class ClientKeys:
    """What is registered for the client: public keys (JWKS), a certificate subject, self-signed
    certificates; and the assertion ``jti`` values already seen. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jwks: list[dict] = []
        self._subject_dn: str | None = None
        self._self_signed: dict[str, str] = {}  # x5t#S256 -> PEM
        self._jtis: dict[str, float] = {}  # jti -> its exp

    def add_jwks(self, jwks: dict | Iterable[dict]) -> None:
        keys = jwks.get("keys", []) if isinstance(jwks, dict) else list(jwks)
        for key in keys:
            if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC") or "d" in key:
                raise ValueError("register public RSA or EC keys (JWK, no private member 'd')")
        with self._lock:
            self._jwks.extend(dict(k) for k in keys)

    def jwks(self) -> dict:
        with self._lock:
            return {"keys": [dict(k) for k in self._jwks]}

    def set_subject_dn(self, dn: str) -> None:
        with self._lock:
            self._subject_dn = dn

    @property
    def subject_dn(self) -> str | None:
        return self._subject_dn

    def add_self_signed(self, cert_pem: str) -> str:
        x5t = thumbprint(cert_pem)
        with self._lock:
            self._self_signed[x5t] = cert_pem
        return x5t

    def self_signed(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._self_signed.values())

    def is_self_signed_registered(self, cert_pem: str) -> bool:
        with self._lock:
            return thumbprint(cert_pem) in self._self_signed

    def spend_jti(self, jti: str, exp: float, now: float) -> bool:
        """True the first time ``jti`` is seen (until its exp); False on a replay."""
        with self._lock:
            for old in [j for j, e in self._jtis.items() if e < now]:
                del self._jtis[old]
            if jti in self._jtis:
                return False
            self._jtis[jti] = exp
            return True

    def public_keys(self, kid: str | None) -> list:
        with self._lock:
            keys = [k for k in self._jwks if kid is None or k.get("kid") in (None, kid)]
        loaded = []
        for key in keys:
            algorithm = RSAAlgorithm if key["kty"] == "RSA" else ECAlgorithm
            loaded.append(algorithm.from_jwk(json.dumps(key)))
        return loaded


def assertion_method(assertion: str) -> str | None:
    """``client_secret_jwt`` for an HMAC assertion, ``private_key_jwt`` for a signed one, else None."""
    try:
        alg = jwt.get_unverified_header(assertion).get("alg")
    except jwt.PyJWTError:
        return None
    if alg in ASSERTION_ALGORITHMS["client_secret_jwt"]:
        return "client_secret_jwt"
    if alg in ASSERTION_ALGORITHMS["private_key_jwt"]:
        return "private_key_jwt"
    return None


def check_assertion(assertion: str, *, method: str, client_id: str, secret: str, keys: ClientKeys,
                    audiences: tuple[str, ...], now: float) -> str | None:
    """Why the assertion is refused (a sentence for ``error_description``), or None when it is good."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return "client_assertion is not a JWT"
    alg = header.get("alg")
    if alg not in ASSERTION_ALGORITHMS[method]:
        return f"client_assertion alg {alg!r} is not accepted for {method}"
    candidates: list = [secret] if method == "client_secret_jwt" else keys.public_keys(header.get("kid"))
    if not candidates:
        return "no public key is registered for this client (or none with the assertion's kid)"
    claims = None
    for key in candidates:
        try:
            claims = jwt.decode(assertion, key, algorithms=[alg], options={
                "verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False,
                "require": ["iss", "sub", "aud", "exp", "jti"]})
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.MissingRequiredClaimError as exc:
            return f"client_assertion lacks the {exc.claim} claim (RFC 7523 section 3)"
        except jwt.PyJWTError as exc:
            return f"client_assertion could not be read ({type(exc).__name__})"
    if claims is None:
        return "client_assertion signature does not verify with the client's registered key"
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        return "client_assertion iss and sub must both be the client_id"
    aud = claims.get("aud")
    aud = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not set(aud) & set(audiences):
        return "client_assertion aud must be this provider's token endpoint URL"
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or now >= exp:
        return "client_assertion has expired"
    if exp - now > MAX_ASSERTION_LIFETIME:
        return f"client_assertion lives too long (at most {MAX_ASSERTION_LIFETIME} s)"
    iat = claims.get("iat")
    if isinstance(iat, (int, float)) and iat > now + 60:
        return "client_assertion iat is in the future"
    if not isinstance(claims.get("jti"), str) or not keys.spend_jti(claims["jti"], float(exp), now):
        return "client_assertion jti was already used (an assertion is good for one request)"
    return None


def check_certificate(cert_pem: str | None, *, method: str, keys: ClientKeys,
                      issued_by_demo: Callable[[str], bool]) -> str | None:
    """Why the connection's certificate does not authenticate the client by ``method``, or None."""
    if not cert_pem:
        return f"{method} needs a client certificate: send the token request to the mTLS endpoint with one"
    if method == "tls_client_auth":
        if not issued_by_demo(cert_pem):
            return "the client certificate was not issued by the demo CA"
        if keys.subject_dn is None or subject_dn(cert_pem) != keys.subject_dn:
            return "the client certificate's subject is not the one registered for this client"
        return None
    if not keys.is_self_signed_registered(cert_pem):
        return "the client certificate is not the self-signed certificate registered for this client"
    return None
