"""Distinctive secrets: if any of these shows up in output, a secret leaked.

The client secret holds the characters Basic authentication must form-encode (RFC 6749
§2.3.1) and a non-ASCII letter, so a test of masking also tests encoding. :func:`forms_of` names
the shapes a secret can take on its way into a file (percent-, HTML-, JSON-escaped, inside any
Base64 such as a Basic header); :func:`leaked_forms` finds them in a text.
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus

__all__ = ["CANARY_SECRET", "CANARY_PASSWORD", "CANARY_TOKEN", "base64_fragments", "forms_of", "strings_in",
           "leaked_forms", "wire_forms", "assert_clean"]

CANARY_SECRET = "canary-SECRET-+:%/ é-7f3a9c1e5b"
CANARY_PASSWORD = "canary-PASSWORD-4d2b8e6a0c"
CANARY_TOKEN = "canary-TOKEN-9e1f3a5c7b2d4f6a"


def base64_fragments(data: bytes) -> set[str]:
    """What base64 of any text containing ``data`` must contain, whatever the alignment.

    In ``base64(prefix + data + suffix)`` the groups that hold only bytes of ``data`` do not
    depend on the prefix or suffix, only on ``len(prefix) % 3``: so a Basic header built from
    ``user:secret`` is caught by the fragments of the secret alone.
    """
    fragments = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        start = 4 if offset else 0
        end = len(encoded) - (4 if (offset + len(data)) % 3 else 0)
        fragment = encoded[start:end]
        if len(fragment) >= 12:
            fragments.add(fragment)
            fragments.add(fragment.replace("+", "-").replace("/", "_"))  # base64url
    return fragments


def forms_of(secret: str) -> set[str]:
    """The ways a secret can show up in a saved notebook."""
    texts = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), html.escape(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms = set(texts)
    for text in texts:
        forms |= base64_fragments(text.encode("utf-8"))
    return forms


def strings_in(value) -> list[str]:
    """Every string leaf of parsed JSON: JSON escapes (\\u00e9, \\/) undone."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings_in(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def leaked_forms(secret: str, text: str) -> list[str]:
    """The forms of ``secret`` (:func:`forms_of`) that occur in ``text``, sorted; [] when none."""
    return sorted(form for form in forms_of(secret) if form in text)


def wire_forms(secret: str) -> list[str]:
    """The ways a secret can appear on the wire or in a log: as is, percent- and form-encoded, Base64
    of it alone (the narrower set the core's canary tests look for; :func:`forms_of` is wider)."""
    return [secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode()]


def assert_clean(text: str, secrets) -> None:
    """None of ``secrets`` is in ``text`` in any of its :func:`wire_forms`."""
    for secret in secrets:
        for form in wire_forms(secret):
            assert form not in text, f"secret leaked in form {form[:6]}..."
