"""OpenID Connect Core 1.0 §3.1.3.7 — https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
§3.1.3.6 (``at_hash``) — https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken
§12.2 (refresh) — https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse

Checking an ID token's claims, one check at a time, as pure functions.

The code flow asks for an ID token when ``openid`` is in the scope, and sends a ``nonce`` with
the authorize request. The ID token that comes back is trusted only when every check holds:

==========  =====================================================================
signature   the JWS verifies with a key of the provider's JWKS (not done here: see below)
iss         exactly the issuer the flow was configured with
aud         contains our client_id
azp         with several audiences, present and our client_id; when present, our client_id
exp         in the future (with a minute's leeway for clocks)
iat         a time, and not in the future (same leeway)
nonce       the one this flow sent, when it sent one
at_hash     when present: the left half of the hash of the access token, base64url
==========  =====================================================================

An ID token that comes with a refreshed token (§12.2) gets the same checks (no nonce is sent
with a refresh) and :func:`check_refreshed`: it must name the same issuer, subject, audience,
``auth_time`` and, when it has one, ``nonce`` as the ID token of the login; else a refresh
could swap who is signed in.

Each check gives an :class:`IdTokenCheck` ``(check, ok, detail)``; ``ok`` is ``None`` for a
check that was not made (no signature verifier given). :class:`IdTokenValidation` holds them
all and refuses, with :class:`~widgets.core.errors.IdTokenError`, a token that fails one.

Why the signature is not here: verifying a JWS needs PyJWT and the JWKS, and the core imports
neither (a layer rule; a test enforces it). The claim checks are plain comparisons, so they live
here, testable alone; :class:`widgets.diagnose.id_token.IdTokenValidator` adds the signature
check against the provider's JWKS and is what the command line, the wizard and the notebook
hand to the flow. Without one, the flow still runs these checks and says that the signature
was not checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .claims import decode_unverified
from .errors import IdTokenError
from .redact import mask, remember, scrub

__all__ = ["IdTokenCheck", "IdTokenValidation", "IdTokenValidator", "check_claims", "at_hash_of",
           "validate_claims_only", "validate_with", "check_refreshed", "with_checks", "CHECKS", "REFRESH_CHECKS",
           "LEEWAY"]

#: The checks, in the order they are made and shown.
CHECKS = ("signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash")
#: What an ID token from a refresh must keep of the login's (§12.2), in order.
REFRESH_CHECKS = ("same iss", "same sub", "same aud", "same auth_time", "same nonce")
#: Seconds of clock difference tolerated for exp and iat.
LEEWAY = 60

_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


class IdTokenCheck(NamedTuple):
    """One check: its name, whether it held (None: not made), and why."""

    check: str
    ok: bool | None
    detail: str


#: What a flow calls to validate an ID token: ``validator(id_token, nonce=..., access_token=...)``.
IdTokenValidator = Callable[..., "IdTokenValidation"]


@dataclass(frozen=True, repr=False)
class IdTokenValidation:
    """Every check of one ID token. Holds its header and claims, never the token itself."""

    checks: tuple[IdTokenCheck, ...]
    header: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no check failed (a check not made does not fail)."""
        return all(c.ok is not False for c in self.checks)

    @property
    def verified(self) -> bool:
        """True when every check, the signature included, was made and held."""
        return all(c.ok is True for c in self.checks)

    @property
    def failed(self) -> IdTokenCheck | None:
        return next((c for c in self.checks if c.ok is False), None)

    def raise_for_failure(self) -> "IdTokenValidation":
        """Raise :class:`IdTokenError` naming the first failed check; return self otherwise."""
        failed = self.failed
        if failed is not None:
            raise IdTokenError(failed.check, failed.detail, self.checks)
        return self

    def rows(self) -> list[tuple[str, str, str]]:
        """(check, "ok" / "FAILED" / "not checked", detail) for a table."""
        word = {True: "ok", False: "FAILED", None: "not checked"}
        return [(c.check, word[c.ok], c.detail) for c in self.checks]

    def summary(self) -> str:
        failed = self.failed
        if failed is not None:
            return f"ID token refused: {failed.check} failed ({scrub(failed.detail)})."
        skipped = [c.check for c in self.checks if c.ok is None]
        done = ", ".join(c.check for c in self.checks if c.ok)
        return f"ID token checks passed: {done}." + (f" Not checked: {', '.join(skipped)}." if skipped else "")

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "verified": self.verified,
                "checks": [{"check": c.check, "ok": c.ok, "detail": c.detail} for c in self.checks],
                "claims": dict(self.claims)}

    def __repr__(self) -> str:
        return f"IdTokenValidation({self.summary()!r})"


def at_hash_of(access_token: str, alg: str) -> str | None:
    """§3.1.3.6: base64url(left half of HASH(access_token)), HASH from the JWS ``alg``; None if unknown."""
    if alg == "EdDSA":
        digest_of = hashlib.sha512  # Ed25519 signs with SHA-512 (OpenID Connect errata)
    else:
        digest_of = _HASHES.get(alg[-3:]) if isinstance(alg, str) and alg[:2] in ("RS", "PS", "ES", "HS") else None
    if digest_of is None:
        return None
    digest = digest_of(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _shown(value: object) -> str:
    return scrub(repr(value))[:120]


def check_claims(header: Mapping[str, object], claims: Mapping[str, object], *, issuer: str, client_id: str,
                 nonce: str | None = None, access_token: str | None = None, now: float | None = None,
                 leeway: float = LEEWAY) -> list[IdTokenCheck]:
    """The claim checks of OIDC Core §3.1.3.7 (all but the signature), in :data:`CHECKS` order."""
    now = time.time() if now is None else now
    out: list[IdTokenCheck] = []

    iss = claims.get("iss")
    if not issuer:
        out.append(IdTokenCheck("iss", False, "no issuer is configured to compare with; set the issuer"))
    elif iss == issuer:
        out.append(IdTokenCheck("iss", True, f"is {issuer}"))
    else:
        out.append(IdTokenCheck("iss", False, f"is {_shown(iss)}, not {issuer!r} (exact match required)"))

    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if audiences is None or not all(isinstance(a, str) for a in audiences):
        out.append(IdTokenCheck("aud", False, f"is {_shown(aud)}, not a client ID or a list of them"))
    elif client_id in audiences:
        out.append(IdTokenCheck("aud", True, f"contains {client_id}" + (
            f" (and {len(audiences) - 1} other audience(s))" if len(audiences) > 1 else "")))
    else:
        out.append(IdTokenCheck("aud", False, f"is {_shown(aud)}, which does not contain {client_id!r}: "
                                "the token was issued to another client"))

    azp = claims.get("azp")
    several = audiences is not None and len(audiences) > 1
    if azp is None and several:
        out.append(IdTokenCheck("azp", False, "missing, though the token has several audiences"))
    elif azp is None:
        out.append(IdTokenCheck("azp", True, "not needed: one audience"))
    elif azp == client_id:
        out.append(IdTokenCheck("azp", True, f"is {client_id}"))
    else:
        out.append(IdTokenCheck("azp", False, f"is {_shown(azp)}, not {client_id!r}"))

    exp = claims.get("exp")
    if not _number(exp):
        out.append(IdTokenCheck("exp", False, f"is {_shown(exp)}, not a time (seconds since 1970)"))
    elif now >= exp + leeway:
        out.append(IdTokenCheck("exp", False, f"the token expired {int(now - exp)} s ago"))
    else:
        out.append(IdTokenCheck("exp", True, f"expires in {int(exp - now)} s"))

    iat = claims.get("iat")
    if not _number(iat):
        out.append(IdTokenCheck("iat", False, f"is {_shown(iat)}, not a time (seconds since 1970)"))
    elif iat > now + leeway:
        out.append(IdTokenCheck("iat", False, f"issued {int(iat - now)} s in the future: the clocks disagree"))
    else:
        out.append(IdTokenCheck("iat", True, f"issued {max(0, int(now - iat))} s ago"))

    got = claims.get("nonce")
    if nonce is None:
        out.append(IdTokenCheck("nonce", True, "none was sent, none required"))
    elif not isinstance(got, str):
        out.append(IdTokenCheck("nonce", False, "missing, though this flow sent one (a replayed or injected token?)"))
    elif hmac.compare_digest(got.encode("utf-8"), nonce.encode("utf-8")):
        out.append(IdTokenCheck("nonce", True, "matches the one sent with the authorize request"))
    else:
        out.append(IdTokenCheck("nonce", False, "differs from the one sent with this authorize request "
                                "(an ID token from another login: replay or mix-up)"))

    claimed = claims.get("at_hash")
    alg = header.get("alg")
    if claimed is None:
        out.append(IdTokenCheck("at_hash", True, "not in the token (optional in the code flow)"))
    elif access_token is None:
        out.append(IdTokenCheck("at_hash", None, "no access token to compare with"))
    elif (expected := at_hash_of(access_token, str(alg))) is None:
        out.append(IdTokenCheck("at_hash", False, f"cannot be computed for alg {_shown(alg)}"))
    elif isinstance(claimed, str) and hmac.compare_digest(claimed.encode("utf-8"), expected.encode("ascii")):
        out.append(IdTokenCheck("at_hash", True, "matches the access token"))
    else:
        out.append(IdTokenCheck("at_hash", False, "does not match the access token it came with "
                                "(the access token was swapped)"))
    return out


def validate_with(id_token: str, signature: Callable[[str, dict], IdTokenCheck], *, issuer: str, client_id: str,
                  nonce: str | None = None, access_token: str | None = None,
                  now: float | None = None) -> IdTokenValidation:
    """Every check of OIDC Core §3.1.3.7: ``signature(id_token, header)`` first, then
    :func:`check_claims`. Never raises for a bad token: a token that is no JWT is one failed check."""
    remember(id_token)
    decoded = decode_unverified(id_token)
    if decoded is None:
        return IdTokenValidation((IdTokenCheck("signature", False,
                                               f"{mask(id_token)} is not a signed JWT (JWS compact form)"),))
    header, claims = decoded
    checks = [signature(id_token, header), *check_claims(header, claims, issuer=issuer, client_id=client_id,
                                                        nonce=nonce, access_token=access_token, now=now)]
    return IdTokenValidation(tuple(checks), dict(header), dict(claims))


def _signature_not_checked(id_token: str, header: dict) -> IdTokenCheck:
    if str(header.get("alg", "")).lower() == "none":
        return IdTokenCheck("signature", False, "alg 'none': the token is not signed at all")
    return IdTokenCheck("signature", None, "not checked: no JWKS verifier was given to the flow")


def validate_claims_only(id_token: str, *, issuer: str, client_id: str, nonce: str | None = None,
                         access_token: str | None = None, now: float | None = None) -> IdTokenValidation:
    """Every check but the signature, which reads "not checked". For a caller without a JWKS."""
    return validate_with(id_token, _signature_not_checked, issuer=issuer, client_id=client_id, nonce=nonce,
                         access_token=access_token, now=now)


def check_refreshed(original: Mapping[str, object], refreshed: Mapping[str, object]) -> list[IdTokenCheck]:
    """§12.2: the claims an ID token from a refresh shares with the login's ID token.

    ``iss``, ``sub`` and ``aud`` must be the same; ``auth_time`` too when the first had one (a
    refresh is not a new login); ``nonce`` when the refreshed one carries one. ``original`` is
    the login's claims (:attr:`IdTokenValidation.claims`).
    """
    out = []
    for name in ("iss", "sub", "aud"):
        before, after = original.get(name), refreshed.get(name)
        if before == after:
            out.append(IdTokenCheck(f"same {name}", True, f"{name} is the login's"))
        else:
            out.append(IdTokenCheck(f"same {name}", False, f"{name} is {_shown(after)}, the login's was {_shown(before)}: "
                                    "a refresh must not change who is signed in, or for whom"))
    if "auth_time" not in original:
        out.append(IdTokenCheck("same auth_time", True, "the login's ID token had none"))
    elif refreshed.get("auth_time") == original["auth_time"]:
        out.append(IdTokenCheck("same auth_time", True, "auth_time is the login's (no new login happened)"))
    else:
        out.append(IdTokenCheck("same auth_time", False, f"auth_time is {_shown(refreshed.get('auth_time'))}, the "
                                f"login's was {_shown(original['auth_time'])}: a refresh is not a new login"))
    if "nonce" not in refreshed:
        out.append(IdTokenCheck("same nonce", True, "none in the refreshed token (none is sent with a refresh)"))
    elif isinstance(refreshed.get("nonce"), str) and isinstance(original.get("nonce"), str) and hmac.compare_digest(
            str(refreshed["nonce"]).encode("utf-8"), str(original["nonce"]).encode("utf-8")):
        out.append(IdTokenCheck("same nonce", True, "the login's nonce"))
    else:
        out.append(IdTokenCheck("same nonce", False, "differs from the login's nonce (an ID token from another login)"))
    return out


def with_checks(validation: IdTokenValidation, extra: list[IdTokenCheck]) -> IdTokenValidation:
    """``validation`` with ``extra`` checks after its own."""
    return IdTokenValidation((*validation.checks, *extra), validation.header, validation.claims)
