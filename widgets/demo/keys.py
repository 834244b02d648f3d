"""The demo provider's signing key and its JWT access tokens.

Access tokens are JWTs (RFC 7519) signed with ES256 (RFC 7518 §3.4) and carry a
``kid`` header equal to the key's RFC 7638 thumbprint, so a resource server can
pick the key from the JWKS (RFC 7517) the provider publishes.

https://www.rfc-editor.org/rfc/rfc7519  https://www.rfc-editor.org/rfc/rfc7638
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"


class InvalidToken(Exception):
    """The token is not one this key signed, or it is outside its lifetime."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an EC public JWK: SHA-256 over its required members."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class SigningKey:
    """A fresh EC P-256 key pair, made per provider and never written to disk."""

    def __init__(self) -> None:
        # EC rather than RSA: a P-256 key is made at once, an RSA key slowly enough that a
        # notebook cell starting a provider would feel it (BENCHMARKS.md has both times).
        self._private = ec.generate_private_key(ec.SECP256R1())
        self._public = self._private.public_key()
        public_jwk = ECAlgorithm.to_jwk(self._public, as_dict=True)
        self.kid = jwk_thumbprint(public_jwk)
        self._public_jwk = {**public_jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def jwks(self) -> dict:
        """The public half as a JWK Set, ready to serve as JSON."""
        return {"keys": [dict(self._public_jwk)]}

    algorithm = ALGORITHM

    def mint(self, claims: dict, *, typ: str | None = None) -> str:
        """Sign ``claims`` as a compact JWS; a ``jti`` is added when missing."""
        claims = {"jti": secrets.token_urlsafe(16), **claims}
        headers = {"kid": self.kid} if typ is None else {"kid": self.kid, "typ": typ}
        return jwt.encode(claims, self._private, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str, *, issuer: str, audience: str, now: float) -> dict:
        """Check signature, ``kid``, issuer, audience and lifetime; return the claims.

        ``now`` is passed in (rather than read from the wall clock inside pyjwt)
        so the provider's notion of time is the one place tests can move.
        """
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.kid or header.get("alg") != ALGORITHM:
                raise InvalidToken("token was not signed by this provider's key")
            claims = jwt.decode(
                token,
                self._public,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=issuer,
                options={
                    "require": ["iss", "aud", "exp", "iat", "jti"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        if not isinstance(claims.get("exp"), int) or now >= claims["exp"]:
            raise InvalidToken("token has expired")
        return claims
