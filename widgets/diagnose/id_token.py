"""OpenID Connect Core 1.0 §3.1.3.7 — https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
OpenID Connect Discovery 1.0 §3 (``jwks_uri``) — https://openid.net/specs/openid-connect-discovery-1_0.html

An ID token validated the OpenID Connect way: its signature against the provider's JWKS, then
the claim checks of :mod:`widgets.core.id_token` (iss, aud, azp, exp, iat, nonce, at_hash).

:class:`IdTokenValidator` is what the code flow takes as ``id_token_validator``. It finds the
JWKS from the provider's metadata (discovery) unless given its URL, fetches it through the
core's :class:`~widgets.core.transport.Boundary` (recorded, no redirects), and keeps it. A
token whose ``kid`` is not in the kept set makes it fetch the set once more: that is how a
client follows a provider's key rotation without trusting an unknown key.

The signature is checked as :mod:`widgets.diagnose.inspect_token` checks an access token's
(PyJWT, only here): only the asymmetric algorithms of the key the ``kid`` names; never
``none``, never HMAC with a public key (RFC 8725 §2.1). When the metadata lists
``id_token_signing_alg_values_supported``, the token's ``alg`` must be one of them.
"""

from __future__ import annotations

import time

from ..core.config import WebhookAuthConfig
from ..core.errors import WebhookAuthError
from ..core.id_token import IdTokenCheck, IdTokenValidation, validate_with
from ..core.redact import scrub
from ..core.transcript import Transcript
from .inspect_token import _check_signature, _fetch_json

__all__ = ["IdTokenValidator", "validate_id_token"]


class IdTokenValidator:
    """Validate ID tokens of one provider for one client; call it as the flow does.

    ``issuer`` and ``client_id`` are what ``iss`` and ``aud`` must say. ``jwks_uri``: the
    provider's key set (found by discovery from the issuer when None). ``algorithms``: the
    ``alg`` values to accept (default: what the metadata lists, else any asymmetric one).
    ``now``: a fixed time for the checks (tests).
    """

    def __init__(self, issuer: str, client_id: str, jwks_uri: str | None = None, *,
                 transcript: Transcript | None = None, timeout: float = 10.0, verify_tls: bool = True,
                 algorithms: tuple[str, ...] | None = None, now: float | None = None):
        self.issuer = issuer
        self.client_id = client_id
        self.jwks_uri = jwks_uri
        self.transcript = transcript if transcript is not None else Transcript()
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.algorithms = tuple(algorithms) if algorithms else None
        self.now = now
        self._jwks: object = None
        self.fetches = 0  # how often the JWKS was read (a rotation reads it again)

    @classmethod
    def for_config(cls, config: WebhookAuthConfig, transcript: Transcript | None = None, **kwargs) -> "IdTokenValidator":
        """A validator for the config's issuer and client (the JWKS found by discovery when needed)."""
        return cls(config.issuer, config.client_id, transcript=transcript, timeout=config.timeout,
                   verify_tls=config.verify_tls, **kwargs)

    # -- the key set ------------------------------------------------------------------------
    def _discover(self) -> None:
        from .discovery import discover

        metadata = discover(self.issuer, transcript=self.transcript, timeout=self.timeout, verify_tls=self.verify_tls)
        self.jwks_uri = metadata.jwks_uri or None
        listed = metadata.raw.get("id_token_signing_alg_values_supported")
        if self.algorithms is None and isinstance(listed, list) and all(isinstance(a, str) for a in listed):
            self.algorithms = tuple(listed)

    def _key_set(self, *, fresh: bool = False) -> object:
        if self._jwks is None or fresh:
            if not self.jwks_uri:
                self._discover()
            if not self.jwks_uri:
                raise WebhookAuthError("The provider's metadata names no jwks_uri.",
                                       hint="Give the JWKS URL by hand (the provider's documentation lists it).")
            self._jwks = _fetch_json(self.jwks_uri, what="JWKS", transcript=self.transcript,
                                     timeout=self.timeout, verify=self.verify_tls)
            self.fetches += 1
        return self._jwks

    def _signature(self, id_token: str, header: dict) -> IdTokenCheck:
        alg = header.get("alg")
        if self.algorithms is not None and alg not in self.algorithms:
            return IdTokenCheck("signature", False, f"alg {scrub(repr(alg))} is not one the provider signs ID tokens "
                                f"with ({', '.join(self.algorithms)})")
        try:
            verdict, kid = _check_signature(id_token, header, self._key_set())
            if verdict.startswith("failed: no signing key") and self.fetches:
                # Not in the keys we hold: the provider may have rotated them. Read the set once more.
                verdict, kid = _check_signature(id_token, header, self._key_set(fresh=True))
                if verdict == "verified":
                    verdict += " (with a new key: the JWKS was read again after a key rotation)"
        except WebhookAuthError as exc:
            return IdTokenCheck("signature", False, f"the JWKS could not be read: {scrub(exc.message)}")
        if verdict.startswith("verified"):
            return IdTokenCheck("signature", True, f"{verdict}, key {kid or '(no kid)'}, alg {alg}")
        if verdict.startswith("not checked"):
            # an ID token whose signature cannot be checked is not trusted
            return IdTokenCheck("signature", False, verdict.removeprefix("not checked: "))
        return IdTokenCheck("signature", False, verdict.removeprefix("failed: "))

    # -- the checks -------------------------------------------------------------------------
    def __call__(self, id_token: str, *, nonce: str | None = None, access_token: str | None = None) -> IdTokenValidation:
        """Every check of OIDC Core §3.1.3.7, the signature first; never raises for a bad token."""
        return validate_with(id_token, self._signature, issuer=self.issuer, client_id=self.client_id, nonce=nonce,
                             access_token=access_token, now=time.time() if self.now is None else self.now)

    def __repr__(self) -> str:
        return f"IdTokenValidator(issuer={self.issuer!r}, client_id={self.client_id!r}, jwks_uri={self.jwks_uri!r})"


def validate_id_token(id_token: str, *, issuer: str, client_id: str, jwks_uri: str | None = None,
                      nonce: str | None = None, access_token: str | None = None,
                      transcript: Transcript | None = None, now: float | None = None) -> IdTokenValidation:
    """One ID token, claim by claim (see :class:`IdTokenValidator`). ``raise_for_failure()`` refuses it."""
    validator = IdTokenValidator(issuer, client_id, jwks_uri, transcript=transcript, now=now)
    return validator(id_token, nonce=nonce, access_token=access_token)
