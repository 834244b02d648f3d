"""What AuthorizationCodeFlow.exchange says it checked, and when an authorize link is spent."""

import pytest

from widgets import IssuerMismatchError, PastedRedirectError, StateMismatchError, TokenEndpointError
from widgets.core.authorization_code import LINK_STILL_OPEN, AuthorizationCodeFlow, CodeExchange

from tests.support.configs import by_hand_config
from tests.support.demo import token_posts
from tests.support.urls import query_of, with_query


def test_a_pasted_address_is_reported_as_state_checked(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    done = flow.exchange(demo.approve(flow.begin().url))
    assert isinstance(done, CodeExchange)
    assert (done.source, done.state_checked, done.iss_checked, done.warnings) == ("redirect", True, True, ())
    assert done.token.access_token and done.token is flow.token
    assert done.token.access_token not in repr(done)


def test_a_bare_code_is_refused_unless_allowed_before_any_token_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    code = query_of(demo.approve(flow.begin().url))["code"]
    with pytest.raises(PastedRedirectError) as info:
        flow.exchange(code)
    assert "state cannot be checked" in info.value.message and "allow_bare_code=True" in info.value.hint
    assert token_posts(demo) == 0
    assert code not in flow.transcript.to_csv()
    done = flow.exchange(code, allow_bare_code=True)  # the link was not spent by the refusal
    assert (done.source, done.state_checked) == ("bare_code", False)
    assert any("state could not be checked" in w for w in done.warnings)


def test_a_mistyped_code_leaves_the_link_open_for_the_right_answer(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    request = flow.begin()
    landed = demo.approve(request.url)
    mistyped = with_query(landed, code=query_of(landed)["code"][:-3] + "xyz")
    with pytest.raises(TokenEndpointError) as info:
        flow.exchange(mistyped)
    assert info.value.error == "invalid_grant"
    assert LINK_STILL_OPEN in info.value.hint
    assert flow.is_open(request.state)
    done = flow.exchange(landed)
    assert done.state_checked and done.token.access_token
    assert not flow.is_open(request.state)
    with pytest.raises(StateMismatchError) as again:  # a used state stays refused
        flow.exchange(landed)
    assert "already used" in again.value.message


def test_a_mismatched_issuer_spends_the_link(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    request = flow.begin()
    landed = demo.approve(request.url)
    with pytest.raises(IssuerMismatchError):
        flow.exchange(with_query(landed, iss="https://evil.example"))
    assert not flow.is_open(request.state)
    with pytest.raises(StateMismatchError):
        flow.exchange(landed)
    assert token_posts(demo) == 0


def test_other_token_endpoint_failures_spend_the_link(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo, client_secret="not-the-secret-at-all"))
    request = flow.begin()
    with pytest.raises(TokenEndpointError) as info:
        flow.exchange(demo.approve(request.url))
    assert info.value.error == "invalid_client" and LINK_STILL_OPEN not in info.value.hint
    assert not flow.is_open(request.state)
