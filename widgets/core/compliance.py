"""RFC 6749 §5.1 — https://www.rfc-editor.org/rfc/rfc6749#section-5.1

Provider quirks, one small function each, undone before the strict RFC 6749 reader.

Each function takes a :class:`~widgets.core.token_answer.TokenAnswer`, fixes one known
deviation in place and leaves a note saying what it did. They run in the order of
:data:`QUIRKS` inside one requests-oauthlib compliance hook (``access_token_response`` and
``refresh_token_response``, see :mod:`widgets.core.token_endpoint`), followed by the strict
reader, so the library's own parser then sees an RFC-shaped response (§5.1). One hook rather
than one per quirk because requests-oauthlib keeps hooks in a set, whose order is not defined.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl

from .token_answer import TokenAnswer

__all__ = [
    "form_encoded_body",
    "error_in_success_response",
    "token_type_case",
    "missing_token_type",
    "expires_in_not_integer",
    "missing_expires_in",
    "QUIRKS",
]


def form_encoded_body(answer: TokenAnswer) -> None:
    """GitHub and old Facebook answer ``access_token=...&token_type=bearer`` as a form body."""
    if answer.json_object() is not None:
        return
    ctype = answer.content_type.lower()
    if ctype and not any(t in ctype for t in ("form-urlencoded", "text/plain")):
        return
    try:
        text = answer.body.decode("utf-8").strip()
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return
    params = dict(pairs)
    if "access_token" in params or "error" in params:
        answer.replace_json(params)
        answer.notes.append("The provider answered form-encoded instead of JSON; read it as a form.")


def error_in_success_response(answer: TokenAnswer) -> None:
    """GitHub answers some errors with HTTP 200 and ``error=...`` in the body."""
    params = answer.json_object()
    if answer.status < 300 and params and params.get("error") and not params.get("access_token"):
        answer.notes.append(f"The provider sent an error with HTTP {answer.status}; treated as an error.")
        answer.status = 400


def token_type_case(answer: TokenAnswer) -> None:
    """``token_type`` is case-insensitive (RFC 6749 §5.1); send it as ``Bearer``."""
    params = answer.json_object()
    if params and isinstance(params.get("token_type"), str):
        value = params["token_type"].strip()
        if value.lower() == "bearer" and value != "Bearer":
            params["token_type"] = "Bearer"
            answer.replace_json(params)
            answer.notes.append(f"token_type {value!r} normalised to 'Bearer'.")


def missing_token_type(answer: TokenAnswer) -> None:
    """Some providers omit ``token_type`` or send it empty; their tokens are bearer tokens.

    Omitted means absent, ``null`` or blank text. A value of another kind (``42``, ``false``,
    ``["Bearer"]``) is not an omission: it is left to the strict reader, which refuses it.
    """
    params = answer.json_object()
    if not params or not params.get("access_token"):
        return
    value = params.get("token_type")
    if value is None or (isinstance(value, str) and not value.strip()):
        params["token_type"] = "Bearer"
        answer.replace_json(params)
        answer.notes.append("No token_type in the response; assuming Bearer.")


def expires_in_not_integer(answer: TokenAnswer) -> None:
    """``"expires_in": "3600"`` or ``3600.0`` from some providers; the RFC says an integer."""
    params = answer.json_object()
    value = params.get("expires_in") if params else None
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,12}\s*", value):  # ASCII digits only
        params["expires_in"] = int(value)
    elif isinstance(value, float) and math.isfinite(value) and 0 <= value < 1e12:
        params["expires_in"] = int(value)
    else:
        return
    answer.replace_json(params)


def missing_expires_in(answer: TokenAnswer) -> None:
    """``expires_in`` is only RECOMMENDED; say plainly that expiry is then unknown."""
    params = answer.json_object()
    if params and params.get("access_token") and "expires_in" not in params:
        answer.notes.append("The provider did not say when the token expires (no expires_in).")


QUIRKS = (
    form_encoded_body,
    error_in_success_response,
    token_type_case,
    missing_token_type,
    expires_in_not_integer,
    missing_expires_in,
)
