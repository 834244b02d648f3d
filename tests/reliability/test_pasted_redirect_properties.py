"""Whatever a person pastes, only the package's errors come out, and nothing is requested
unless the paste is a genuine answer to a link built here."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.reliability.strategies import RedirectSpec, pasted_junk, redirect_specs
from tests.support.reliability import TALLY, check_canary, fuzz, only_package_errors
from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, Transcript, WebhookAuthConfig
from widgets.core.authorize import _VSCHAR, MAX_PASTE, PastedRedirect, parse_pasted_redirect
from widgets.core.errors import TokenEndpointError, TransportError

ISSUER_OTHER = "https://other-issuer.example"


def _code(n: int) -> str:
    return f"canaryCODE{n:08d}xyz"


def _check_parse(pasted, code: str | None) -> None:
    answer, error = only_package_errors(parse_pasted_redirect, pasted)
    if error is not None:
        text = str(error) + repr(error) + error.hint
        assert isinstance(error.hint, str) and error.hint
        if code:
            check_canary(text, code, "an error about a paste")
        return
    if answer is None:  # a known core bug, counted
        return
    assert isinstance(answer, PastedRedirect)
    assert answer.source in ("query", "fragment", "bare")
    if answer.source == "bare":
        assert answer.code and all(ch in _VSCHAR for ch in answer.code)
        assert isinstance(pasted, str) and len(pasted) <= MAX_PASTE
    else:
        assert answer.code is not None or answer.error is not None
        for value in (answer.code, answer.state, answer.error, answer.iss):
            assert value is None or isinstance(value, str)
    if code and answer.code == code:
        check_canary(repr(answer), code, "repr(PastedRedirect)")


@fuzz(1.0)
@given(spec=redirect_specs(), n=st.integers(0, 10**8))
def test_parse_pasted_redirect_over_redirect_shaped_pastes(spec: RedirectSpec, n: int):
    TALLY.case("parse_pasted_redirect: redirect-shaped")
    code = _code(n)
    _check_parse(spec.render(state="st4te-" + str(n), issuer="https://as.example", code=code), code)


@fuzz(1.5)  # cheap: well under 1 ms a case
@given(pasted=pasted_junk)
def test_parse_pasted_redirect_over_junk(pasted):
    TALLY.case("parse_pasted_redirect: junk, binary, huge, non-str")
    _check_parse(pasted, None)


# -- complete(): the whole check, with a real token endpoint on loopback -------------------


@pytest.fixture(scope="module")
def code_flow(scripted_module):
    scripted_module.routes["/token"] = Reply(
        200, {"access_token": "canary-issued-token-0123456789", "token_type": "Bearer", "expires_in": 60},
        headers={"Connection": "close"},
    )
    config = WebhookAuthConfig(
        auth_type="oauth_code", auth_url=scripted_module.url("/authorize"), token_url=scripted_module.url("/token"),
        client_id="fuzz-client", client_secret="fuzz-secret-0123456789", redirect_uri=scripted_module.url("/cb"),
        issuer=scripted_module.base, timeout=5,
    )
    return AuthorizationCodeFlow(config, Transcript()), scripted_module


@fuzz(0.25)
@given(spec=redirect_specs(), n=st.integers(0, 10**8), right_issuer=st.booleans(), allow_bare=st.booleans())
def test_complete_refuses_before_any_request_or_exchanges_exactly_once(code_flow, spec, n, right_issuer, allow_bare):
    TALLY.case("AuthorizationCodeFlow.complete")
    flow, server = code_flow
    flow.transcript.clear()
    request = flow.begin()
    code = _code(n)
    issuer = flow.config.issuer if right_issuer else ISSUER_OTHER
    pasted = spec.render(state=request.state, issuer=issuer, code=code).replace("{port}", str(server.server.server_address[1]))
    before = len(server.requests_to("/token"))

    token, error = only_package_errors(flow.complete, pasted, allow_bare_code=allow_bare)

    sent = server.requests_to("/token")[before:]
    event("exchanged" if token is not None else type(error).__name__ if error is not None else "known core bug")
    if error is not None:
        assert not isinstance(error, (TokenEndpointError, TransportError)), error
        assert sent == [], "a refused paste still caused a token request"
    elif token is not None:
        assert len(sent) == 1
        answer = parse_pasted_redirect(pasted)
        assert answer.source == "bare" or answer.state == request.state
        assert allow_bare or answer.source != "bare", "a bare code was exchanged without the opt-in"
        assert parse_qs(sent[0]["body"]).get("code") == [answer.code]
    exported = flow.transcript.to_csv() + (str(error) + repr(error) if error else "") + repr(flow)
    check_canary(exported, code, "the transcript or the error of complete()")
