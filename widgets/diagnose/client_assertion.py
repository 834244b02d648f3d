"""RFC 7523 §2.2 — https://www.rfc-editor.org/rfc/rfc7523#section-2.2
OpenID Connect Core 1.0 §9 — https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication

Client assertions: the signed JWTs of ``private_key_jwt`` (a private key) and
``client_secret_jwt`` (HMAC with the client secret).

The core sends the assertion but cannot sign one: signing needs PyJWT, which the core does not
load (tests/test_layers.py). It takes a *signer* instead, a callable given the audience (the
token endpoint URL) that returns a fresh assertion; :func:`assertion_signer` makes one from a
config, and the command line and the wizard pass it to the flows. The claims are those OIDC
Core §9 lists: ``iss`` = ``sub`` = the client ID, ``aud`` the token endpoint, a unique ``jti``,
a short ``exp`` (60 s) and ``iat``.

The private key is read from its PEM file when the signer is made and kept in this object
only; ``repr`` shows the file's path, never the key, and no assertion is kept but the claims
of the last one (:attr:`ClientAssertionSigner.last_claims`, nothing secret in them).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from ..core.config import ASSERTION_ALGORITHMS, ASSERTION_CLIENT_AUTH, WebhookAuthConfig
from ..core.errors import ConfigError
from ..core.redact import remember

__all__ = ["ClientAssertionSigner", "assertion_signer", "generate_private_key", "decode_assertion",
           "ASSERTION_LIFETIME"]

#: Seconds an assertion is valid: long enough for one request, short enough to be useless later.
ASSERTION_LIFETIME = 60
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


def _algorithm_for(key) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _EC_ALGORITHMS:
        return _EC_ALGORITHMS[key.curve.name]
    raise ConfigError({"client_key_file": [f"holds a {type(key).__name__.lstrip('_')}, which private_key_jwt "
                                           "here cannot use; use an RSA or EC (P-256/384/521) key"]})


def _read_private_key(path: str):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError({"client_key_file": [f"cannot be read ({exc.strerror or type(exc).__name__})"]}) from None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        problem = "holds an encrypted key; give an unencrypted PEM key (keep the file readable by you only)"
    except (ValueError, UnsupportedAlgorithm):
        problem = "is not a PEM private key (-----BEGIN PRIVATE KEY-----)"
    # the file's content is never quoted: it may be a key
    raise ConfigError({"client_key_file": [problem]})


class ClientAssertionSigner:
    """Signs one client's assertions; call it with the audience (the token endpoint URL).

    ``key`` is a private key object (private_key_jwt) or the client secret (client_secret_jwt).
    ``clock`` is for tests that move time.
    """

    def __init__(self, key, *, client_id: str, algorithm: str = "", kid: str = "",
                 lifetime: int = ASSERTION_LIFETIME, source: str = "", clock=time.time):
        self.method = "client_secret_jwt" if isinstance(key, str) else "private_key_jwt"
        if not client_id:
            raise ConfigError({"client_id": ["is required to sign a client assertion (iss and sub)"]})
        if self.method == "client_secret_jwt" and not key:
            raise ConfigError({"client_secret": ["is required for client_secret_jwt (it is the HMAC key)"]})
        algorithm = algorithm or ("HS256" if self.method == "client_secret_jwt" else _algorithm_for(key))
        if algorithm not in ASSERTION_ALGORITHMS[self.method]:
            raise ConfigError({"client_assertion_alg": [
                f"must be one of: {', '.join(ASSERTION_ALGORITHMS[self.method])} for {self.method}"]})
        self._key = key
        self.client_id, self.algorithm, self.kid = client_id, algorithm, kid
        self.lifetime, self.source, self._clock = int(lifetime), source, clock
        self.last_claims: dict | None = None
        self.last_header: dict | None = None

    @classmethod
    def from_config(cls, config: WebhookAuthConfig, **kwargs) -> "ClientAssertionSigner":
        """The signer of ``config``'s method: its key file (private_key_jwt) or secret (client_secret_jwt)."""
        if config.client_auth == "private_key_jwt":
            if not config.client_key_file:
                raise ConfigError({"client_key_file": ["is required for private_key_jwt"]})
            key = _read_private_key(config.client_key_file)
            source = config.client_key_file
        elif config.client_auth == "client_secret_jwt":
            key, source = config.client_secret, "client secret"
            remember(key)
        else:
            raise ConfigError({"client_auth": [f"{config.client_auth} sends no client assertion"]})
        return cls(key, client_id=config.client_id, algorithm=config.client_assertion_alg,
                   kid=config.client_key_id, source=source, **kwargs)

    def claims(self, audience: str) -> dict:
        """The claims of a new assertion for ``audience`` (OIDC Core §9)."""
        now = int(self._clock())
        return {"iss": self.client_id, "sub": self.client_id, "aud": audience,
                "jti": secrets.token_urlsafe(24), "iat": now, "exp": now + self.lifetime}

    def __call__(self, audience: str) -> str:
        claims = self.claims(audience)
        headers = {"typ": "JWT", **({"kid": self.kid} if self.kid else {})}
        try:
            assertion = jwt.encode(claims, self._key, algorithm=self.algorithm, headers=headers)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:  # an RSA algorithm with an EC key, say
            raise ConfigError({"client_assertion_alg": [
                f"{self.algorithm} cannot sign with this key ({type(exc).__name__}); leave it empty to "
                "let the key decide"]}) from None
        remember(assertion)
        self.last_claims, self.last_header = claims, {"alg": self.algorithm, **headers}
        return assertion

    def __repr__(self) -> str:
        kid = f", kid={self.kid!r}" if self.kid else ""
        where = f", key from {self.source!r}" if self.method == "private_key_jwt" else ""
        return f"ClientAssertionSigner({self.method}, {self.algorithm}, client_id={self.client_id!r}{kid}{where})"

    __str__ = __repr__


def assertion_signer(config: WebhookAuthConfig) -> ClientAssertionSigner | None:
    """The signer the flows need for ``config`` (``client_assertion=``), None when its method has none."""
    if config.client_auth not in ASSERTION_CLIENT_AUTH:
        return None
    return ClientAssertionSigner.from_config(config)


def decode_assertion(assertion: str) -> tuple[dict, dict]:
    """(header, claims) of an assertion, **not verified**: for showing what was sent."""
    return jwt.get_unverified_header(assertion), jwt.decode(assertion, options={"verify_signature": False})


def generate_private_key(path: str | os.PathLike, *, kind: str = "EC") -> dict:
    """Write a new private key (EC P-256, or ``kind="RSA"``: 2048 bits) to ``path`` (mode 0600)
    and return its public JWK, to register with the provider. The key itself is not returned."""
    key = rsa.generate_private_key(65537, 2048) if kind.upper() == "RSA" else ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    algorithm = RSAAlgorithm if kind.upper() == "RSA" else ECAlgorithm
    return {**algorithm.to_jwk(key.public_key(), as_dict=True), "use": "sig", "alg": _algorithm_for(key)}
