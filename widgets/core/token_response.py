"""RFC 6749 §5.1 (success) — https://www.rfc-editor.org/rfc/rfc6749#section-5.1
RFC 6749 §5.2 (error) — https://www.rfc-editor.org/rfc/rfc6749#section-5.2

Reading a token endpoint's answer.

:func:`parse_token_answer` is the strict reader: a JSON object with ``access_token`` and
``token_type``, or an error. It never lets a ``JSONDecodeError`` or an HTML page through as if
it were a token: anything else ends as :class:`TokenEndpointError` with status, content type
and a scrubbed plain-text preview (escaped where it is shown as HTML, not here).

Real providers bend the RFC in known ways; each bend is undone first by one small function in
:mod:`widgets.core.compliance` (registered as a requests-oauthlib compliance hook, and applied by
:func:`read_token_answer` for pasted responses).
"""

from __future__ import annotations

from .compliance import QUIRKS
from .errors import _BEYOND_SECRET_HINTS, _OTHER_CLIENT_AUTH, TokenEndpointError
from .redact import scrub
from .token_answer import TokenAnswer

__all__ = ["TokenAnswer", "parse_token_answer", "read_token_answer", "preview", "MAX_PREVIEW"]

MAX_PREVIEW = 200
#: Longer lifetimes than this (a century) are treated as "unknown", not as dates to compute.
MAX_EXPIRES_IN = 100 * 366 * 24 * 3600


#: How much of a body a preview looks at: far more than it shows, so a secret that starts in
#: the shown part is whole when it is masked, without scrubbing a megabyte page every time.
PREVIEW_WINDOW = 16 * 1024


def preview(body: bytes | str, limit: int = MAX_PREVIEW, *, masked: bool = False) -> str:
    """A one-line, secret-masked view of a body, at most ``limit`` characters.

    ``masked=True``: the body has been through :func:`~widgets.core.redact.redact_body` already.
    """
    head = body[:PREVIEW_WINDOW]
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else str(head)
    text = " ".join(text.split())
    if not masked:
        text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _not_a_token(answer: TokenAnswer, why: str, client_auth: str | None = None) -> TokenEndpointError:
    kind = scrub(answer.content_type.split(";")[0].strip()) or "no content type"  # the provider's header
    shown = preview(answer.body)
    return TokenEndpointError(
        f"The token endpoint answered HTTP {answer.status} with {kind}: {why}. "
        + (f"Start of the body: {shown}" if shown else "The body is empty."),
        status=answer.status,
        hint=_hint_for_status(answer.status, client_auth),
    )


def _hint_for_status(status: int, client_auth: str | None) -> str:
    if status in (401, 403) and client_auth in _BEYOND_SECRET_HINTS:
        return _BEYOND_SECRET_HINTS[client_auth]
    if status in (401, 403):
        # RFC 6749 §5.2: a failed client authentication may be a bare 401. The URL answered
        # as an endpoint that authenticates, so the credentials come first, then the URL.
        hint = ("The token endpoint did not accept the client's authentication. Check the Client ID and "
                "Client Secret (no stray spaces)")
        if client_auth in _OTHER_CLIENT_AUTH:
            hint += (f", and the client authentication method: this request used {client_auth}; some "
                     f"providers accept only one method, so try Client authentication = {_OTHER_CLIENT_AUTH[client_auth]}.")
        else:
            hint += (", and the client authentication method the provider expects (client_secret_basic or "
                     "client_secret_post).")
        return hint + " If they are right, check that the Token URL is the provider's token endpoint."
    return (
        "This is usually a wrong Token URL (a login or error page instead of the token "
        "endpoint) or a failing provider. Compare the Token URL with the provider's "
        "metadata; for a 5xx status, retry later."
    )


def _json_kind(value: object) -> str:
    """What kind of JSON value this is, for a message (the value itself may be a secret)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "not text"


def parse_token_answer(answer: TokenAnswer, *, client_auth: str | None = None) -> dict:
    """The token parameters of an RFC 6749 §5.1 response, or :class:`TokenEndpointError`."""
    params = answer.json_object()
    params = None if params is None else dict(params)  # the answer keeps what was received
    if params is None:
        why = "not a JSON object" if answer.body.strip()[:1] in (b"{", b"[", b'"') else "not a token response"
        raise _not_a_token(answer, why, client_auth)
    error = params.get("error")
    if error not in (None, ""):
        error = str(error)
        description = params.get("error_description")
        description = None if description is None else scrub(str(description))
        text = f"The token endpoint refused the request (HTTP {answer.status}): {scrub(error)}"
        if description:
            text += f" — {description}"
        raise TokenEndpointError(text, status=answer.status, error=error, description=description,
                                 client_auth=client_auth)
    if answer.status >= 400 or answer.status < 200:
        raise _not_a_token(answer, "an HTTP error without an OAuth error code", client_auth)
    token = params.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise TokenEndpointError(
            f"The token endpoint answered HTTP {answer.status} without a usable access_token.",
            status=answer.status,
            hint="The URL may be another API than the token endpoint. Check the Token URL.",
        )
    params["access_token"] = token.strip()
    token_type = params.get("token_type")
    if not isinstance(token_type, str) or not token_type.strip():
        # After the quirks only a token_type of the wrong kind gets here: an omitted one
        # (absent, null, blank) became Bearer. Alone, this reader refuses both.
        if token_type is None or isinstance(token_type, str):
            what = "has no token_type"
        else:
            what = f"has a token_type that is {_json_kind(token_type)}, not the name of a token type"
        raise TokenEndpointError(
            f"The token response {what}, so it is not known how to send the token.",
            status=answer.status,
            hint="RFC 6749 §5.1 requires token_type; ask the provider, or paste the token as Token.",
        )
    expires_in = params.get("expires_in")
    if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 0):
        answer.notes.append(f"expires_in {scrub(expires_in)!r} is not a number of seconds; expiry unknown.")
        params.pop("expires_in")
    elif expires_in is not None and expires_in > MAX_EXPIRES_IN:
        answer.notes.append(f"expires_in {expires_in} is more than a century; expiry treated as unknown.")
        params.pop("expires_in")
    params.pop("expires_at", None)  # expiry is computed from our own receipt time
    scope = params.get("scope")
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        params["scope"] = " ".join(scope)
    elif scope is not None and not isinstance(scope, str):
        answer.notes.append("The scope in the response is not text; ignored.")
        params.pop("scope")
    for key in ("refresh_token", "id_token"):
        if key in params and not isinstance(params[key], str):
            answer.notes.append(f"{key} in the response is not text; ignored.")
            params.pop(key)
    return params


def read_token_answer(
    status: int, content_type: str, body: bytes, *, client_auth: str | None = None
) -> tuple[dict, list[str]]:
    """Undo the known provider quirks, then read strictly: ``(params, notes)``."""
    answer = TokenAnswer(status, content_type or "", body)
    for quirk in QUIRKS:
        quirk(answer)
    return parse_token_answer(answer, client_auth=client_auth), answer.notes
