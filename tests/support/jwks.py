"""Signing keys for tests: RSA (RS256, PS256) and EC (ES256) key pairs, their JWKs, signed tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["TestKey", "at_hash", "id_token_claims"]

_RSA_KEYS: list = []  # RSA keys are slow to make: a few made once per test session


class TestKey:
    """A key pair for ``alg``, with a kid; ``jwk`` is its public half, ``sign`` makes a JWS."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, alg: str, kid: str, *, reuse: int | None = None):
        self.alg, self.kid = alg, kid
        if alg.startswith(("RS", "PS")):
            while reuse is not None and len(_RSA_KEYS) <= reuse:
                _RSA_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
            self.private = _RSA_KEYS[reuse] if reuse is not None else rsa.generate_private_key(65537, 2048)
            public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            public = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "use": "sig", "alg": alg}

    def sign(self, claims: dict, *, headers: dict | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid, **(headers or {})})


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def id_token_claims(issuer: str, client_id: str, **changes) -> dict:
    now = int(time.time())
    claims = {"iss": issuer, "sub": "user-1", "aud": client_id, "iat": now, "exp": now + 300}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def jwks_of(*keys: TestKey) -> str:
    return json.dumps({"keys": [k.jwk for k in keys]})
