"""Distinctive secrets: if any of these shows up in output, a secret leaked.

The client secret holds the characters Basic authentication must form-encode (RFC 6749
§2.3.1) and a non-ASCII letter, so a test of masking also tests encoding.
"""

from __future__ import annotations

__all__ = ["CANARY_SECRET", "CANARY_PASSWORD", "CANARY_TOKEN"]

CANARY_SECRET = "canary-SECRET-+:%/ é-7f3a9c1e5b"
CANARY_PASSWORD = "canary-PASSWORD-4d2b8e6a0c"
CANARY_TOKEN = "canary-TOKEN-9e1f3a5c7b2d4f6a"
