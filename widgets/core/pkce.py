"""RFC 7636 §4.1-4.2 — https://www.rfc-editor.org/rfc/rfc7636#section-4.1

PKCE: a one-time verifier and its S256 challenge, made by oauthlib.

Only ``S256`` is used: ``plain`` sends the verifier itself in the browser URL and protects
nothing against an attacker who can read that URL (RFC 7636 §4.2, §7.2).
"""

from __future__ import annotations

import re

from oauthlib.oauth2 import WebApplicationClient

__all__ = ["METHOD", "new_verifier", "challenge_for", "is_valid_verifier"]

METHOD = "S256"
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1 unreserved characters


def _client() -> WebApplicationClient:
    return WebApplicationClient(client_id=None)


def new_verifier(length: int = 64) -> str:
    """A fresh ``code_verifier``: ``length`` (43-128) random unreserved characters."""
    return _client().create_code_verifier(length)


def challenge_for(verifier: str) -> str:
    """The S256 ``code_challenge``: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    if not is_valid_verifier(verifier):
        raise ValueError("a code_verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~")
    return _client().create_code_challenge(verifier, METHOD)


def is_valid_verifier(verifier: str) -> bool:
    return bool(_VERIFIER.match(verifier or ""))
