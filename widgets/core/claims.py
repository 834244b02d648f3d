"""RFC 7519 §7.2, steps 1-7 only — https://www.rfc-editor.org/rfc/rfc7519#section-7.2

Reading a JWT's header and claims without verifying it.

This is for showing a person what a token says. Nothing here checks the signature, so
nothing here may be used to decide whether to trust a token.
"""

from __future__ import annotations

import base64
import json

__all__ = ["looks_like_jwt", "decode_unverified"]


def _b64url_json(segment: str) -> dict | None:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def looks_like_jwt(token: str | None) -> bool:
    return bool(token) and token.count(".") == 2 and decode_unverified(token) is not None


def decode_unverified(token: str | None) -> tuple[dict, dict] | None:
    """``(header, claims)`` of a compact JWS, or None when the token is not one (opaque)."""
    if not token or token.count(".") != 2:
        return None
    header_b64, payload_b64, _signature = token.split(".")
    header = _b64url_json(header_b64)
    claims = _b64url_json(payload_b64)
    if header is None or claims is None or "alg" not in header:
        return None
    return header, claims
