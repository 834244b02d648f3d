"""Whatever a token endpoint sends back, the reader returns a usable token or a
TokenEndpointError; and so does a whole client credentials fetch over loopback."""

from __future__ import annotations

import math
import re

from hypothesis import event, given

from tests.reliability.strategies import (
    TOKEN_CANARY,
    content_types,
    header_safe_content_types,
    http_statuses,
    statuses,
    token_bodies,
)
from tests.support.reliability import TALLY, check_canary, fuzz, only_package_errors
from tests.support.servers import Reply
from widgets import ClientCredentialsFlow, Token, Transcript, WebhookAuthConfig
from widgets.core.errors import TokenEndpointError, TransportError
from widgets.core.token_response import read_token_answer


def _check_params(params: dict, notes: list) -> None:
    assert isinstance(params["access_token"], str) and params["access_token"] == params["access_token"].strip()
    assert params["access_token"]
    assert isinstance(params["token_type"], str) and params["token_type"].strip()
    if params.get("expires_in") is not None:  # null is left as "unknown"
        assert isinstance(params["expires_in"], int) and not isinstance(params["expires_in"], bool)
        assert params["expires_in"] >= 0
    for key in ("scope", "refresh_token", "id_token"):
        assert params.get(key) is None or isinstance(params[key], str)
    assert "expires_at" not in params
    assert all(isinstance(n, str) for n in notes)


_IN_SECRET_POSITION = re.compile(rb'((?:access_token|refresh_token|id_token)"?\s*[:=][\s"+]*)' + re.escape(TOKEN_CANARY.encode()))


def _fresh_canary(body: bytes) -> tuple[bytes, str]:
    """A canary unique to this example: once a token is accepted the by-value net remembers
    it, and a reused canary would then be masked by memory rather than by the code under test."""
    canary = f"{TOKEN_CANARY}-{sum(TALLY.cases.values()):07d}"
    # only where the strategies put it: as the value of a token parameter (hypothesis also
    # drops the literal into random places, where it is just text)
    body = _IN_SECRET_POSITION.sub(lambda m: m.group(1) + canary.encode(), body)
    return body, canary


def _fields(token: Token) -> tuple:
    return (token.access_token, token.token_type, token.expires_at, token.refresh_token, token.scope,
            token.id_token)


def _check_token_display(token: Token, canary: str) -> None:
    """What the wizard shows of a token must not crash either (and must stay masked)."""
    shown, _ = only_package_errors(lambda: repr(token) + str(token.to_dict()) + str(token.expires_in()))
    if shown is not None:
        check_canary(shown, canary, "repr / to_dict of a Token")


@fuzz(1.0)
@given(status=statuses, content_type=content_types, body=token_bodies)
def test_read_token_answer_returns_a_token_or_our_error(status, content_type, body):
    TALLY.case("read_token_answer (+ Token.from_params, Token.parse)")
    body, canary = _fresh_canary(body)
    result, error = only_package_errors(read_token_answer, status, content_type, body)
    if error is not None:
        assert isinstance(error, TokenEndpointError), error
        assert error.hint and isinstance(str(error), str)
        check_canary(str(error) + repr(error), canary, "a TokenEndpointError")
        event("TokenEndpointError")
        return
    if result is None:
        event("known core bug")
        return
    params, notes = result
    _check_params(params, notes)
    event("token")
    token, error = only_package_errors(Token.from_params, params, notes=notes)
    assert error is None or isinstance(error, TokenEndpointError)
    if token is not None:
        assert token.expires_at is None or math.isfinite(token.expires_at)
        _check_token_display(token, canary)
        # what the reader returned is a token response too, and reads as the same token
        again, error = only_package_errors(Token.parse, params, notes=notes, received_at=token.received_at)
        assert error is None, error
        if again is not None:
            assert _fields(again) == _fields(token)


# -- the whole fetch, over a real socket -----------------------------------------------------


@fuzz(0.1)
@given(status=http_statuses, content_type=header_safe_content_types, body=token_bodies)
def test_client_credentials_fetch_over_loopback_ends_in_a_token_or_our_error(scripted_module, status, content_type, body):
    TALLY.case("ClientCredentialsFlow.fetch_token over loopback")
    body, canary = _fresh_canary(body)
    headers = {"Connection": "close"}
    if content_type:
        headers["Content-Type"] = content_type
    scripted_module.routes["/token"] = Reply(status, body, headers=headers)
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted_module.url("/token"),
                               client_id="fuzz-client", client_secret="fuzz-secret-0123456789", timeout=5)
    flow = ClientCredentialsFlow(config, Transcript())
    before = len(scripted_module.requests_to("/token"))

    token, error = only_package_errors(flow.fetch_token)

    assert len(scripted_module.requests_to("/token")) - before == 1, "exactly one request, no retry"
    if error is not None:
        assert isinstance(error, (TokenEndpointError, TransportError)), error
        assert error.hint
        event(type(error).__name__)
    elif token is not None:
        event("token")
        _check_token_display(token, canary)
    else:
        event("known core bug")
        return
    exported = flow.transcript.to_csv() + flow.transcript.to_html() + (str(error) if error else "")
    check_canary(exported, canary, "the transcript of a fetch")
