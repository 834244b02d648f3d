"""The authorization code grant by hand, against the real demo provider on loopback."""

import os
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.configs import by_hand_config
from tests.support.demo import token_posts
from tests.support.urls import query_of, with_query
from widgets import (
    AuthorizationCodeFlow,
    AuthorizationDenied,
    ConfigError,
    DemoProvider,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    Transcript,
)
from widgets.core import pkce
from widgets.core.authorization_code import STATE_BYTES


# -- happy paths -------------------------------------------------------------------------

@pytest.mark.parametrize("client_auth", ["client_secret_basic", "client_secret_post"])
@pytest.mark.parametrize("use_pkce", [True, False])
def test_code_flow_happy_path(demo, client_auth, use_pkce):
    flow = AuthorizationCodeFlow(by_hand_config(demo, client_auth=client_auth, pkce=use_pkce), Transcript())
    request = flow.begin()
    token = flow.complete(demo.approve(request.url))
    assert token.authorization_header.startswith("Bearer ey")
    assert token.claims["sub"] == demo.username and token.scope == "alerts:write"
    assert token.refresh_token
    sent = demo.token_requests[-1]
    assert sent["grant_type"] == "authorization_code" and sent["client_auth"] == client_auth
    assert ("code_challenge" in request.params) is use_pkce
    assert (request.code_verifier is not None) is use_pkce


def test_strict_provider_requiring_state_and_pkce_is_satisfied():
    with DemoProvider(require_state=True, require_pkce=True) as provider:
        flow = AuthorizationCodeFlow(by_hand_config(provider))
        token = flow.complete(provider.approve(flow.begin().url))
        assert token.access_token


# -- the authorize link ------------------------------------------------------------------

def test_state_has_at_least_128_bits_and_is_fresh_each_time(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    states = {flow.begin().state for _ in range(50)}
    assert len(states) == 50
    assert STATE_BYTES * 8 >= 128
    assert all(len(s) >= 43 for s in states)  # 32 bytes in base64url


def test_pkce_uses_s256_and_a_valid_verifier(demo):
    request = AuthorizationCodeFlow(by_hand_config(demo)).begin()
    assert request.params["code_challenge_method"] == "S256"
    assert pkce.is_valid_verifier(request.code_verifier)
    assert 43 <= len(request.code_verifier) <= 128
    assert request.params["code_challenge"] == pkce.challenge_for(request.code_verifier)
    assert request.code_verifier not in request.url


def test_pkce_challenge_matches_rfc7636_appendix_b():
    assert pkce.challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_scope_extra_params_and_exact_redirect_uri_go_into_the_url(demo):
    redirect = f"http://127.0.0.1:{urlsplit(demo.issuer).port}/cb/?tenant=a%20b"
    cfg = by_hand_config(demo, scope="alerts:write profile", redirect_uri=redirect,
                      extra_params={"audience": "https://api.example", "prompt": "consent"})
    params = AuthorizationCodeFlow(cfg).begin().params
    assert params["scope"] == "alerts:write profile"
    assert params["audience"] == "https://api.example" and params["prompt"] == "consent"
    assert params["redirect_uri"] == redirect
    assert params["response_type"] == "code" and params["client_id"] == demo.client_id


def test_auth_url_with_its_own_query_keeps_it(demo):
    params = AuthorizationCodeFlow(by_hand_config(demo, auth_url=demo.auth_url + "?p=b2c_policy")).begin().params
    assert params["p"] == "b2c_policy" and "state" in params


# -- what a person pastes ----------------------------------------------------------------

def test_whitespace_and_quotes_around_the_pasted_url_are_ignored(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    assert flow.complete(f"  \n\t'{landed}'\n  ").access_token


def test_url_broken_over_lines_still_works(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    assert flow.complete(landed[:30] + "\n" + landed[30:]).access_token


def test_fragment_response_is_read(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    parts = urlsplit(landed)
    as_fragment = urlunsplit(parts._replace(query="", fragment=parts.query))
    assert flow.complete(as_fragment).access_token
    assert "fragment" in flow.transcript[-2].note


def test_bare_code_is_accepted_with_a_recorded_warning(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    code = query_of(demo.approve(flow.begin().url))["code"]
    token = flow.complete(code, allow_bare_code=True)
    assert token.access_token
    warning = [e for e in flow.transcript if e.outcome == "warning"]
    assert warning and "state could not be checked" in warning[0].note


def test_pasting_the_authorize_link_itself_says_so(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    link = flow.begin().url
    with pytest.raises(PastedRedirectError) as info:
        flow.complete(link)
    assert "authorize link itself" in info.value.message
    assert token_posts(demo) == 0


@pytest.mark.parametrize("junk", ["", "   ", "x" * 20000, "https://example.com/cb?foo=bar", "\x00\x01code"])
def test_unusable_paste_is_refused_before_any_token_request(demo, junk):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    flow.begin()
    with pytest.raises(PastedRedirectError):
        flow.complete(junk)
    assert token_posts(demo) == 0


# -- state -------------------------------------------------------------------------------

def test_tampered_state_is_refused_before_token_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    with pytest.raises(StateMismatchError):
        flow.complete(with_query(landed, state="forged-" + query_of(landed)["state"][7:]))
    assert token_posts(demo) == 0
    assert flow.transcript[-1].outcome == "refused"


def test_missing_state_is_refused_before_token_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    with pytest.raises(StateMismatchError):
        flow.complete(with_query(landed, state=None))
    assert token_posts(demo) == 0


def test_duplicated_state_is_refused(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    with pytest.raises(StateMismatchError):
        flow.complete(landed + "&state=other")
    assert token_posts(demo) == 0


def test_reused_state_is_refused_before_token_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    flow.complete(landed)
    before = token_posts(demo)
    with pytest.raises(StateMismatchError) as info:
        flow.complete(landed)
    assert "already used" in info.value.message
    assert token_posts(demo) == before


def test_state_from_another_flow_is_refused(demo):
    mine, theirs = AuthorizationCodeFlow(by_hand_config(demo)), AuthorizationCodeFlow(by_hand_config(demo))
    mine.begin()
    landed = demo.approve(theirs.begin().url)
    with pytest.raises(StateMismatchError):
        mine.complete(landed)
    assert token_posts(demo) == 0


def test_expired_authorize_link_is_refused(demo, monkeypatch):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    with pytest.raises(StateMismatchError):
        flow.complete(landed)
    assert token_posts(demo) == 0


# -- provider answers --------------------------------------------------------------------

def test_access_denied_with_html_in_description_is_kept_as_plain_text(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    request = flow.begin()
    landed = with_query(demo.approve(request.url, deny=True),
                        error_description='<script>alert("x")</script> The user said no')
    with pytest.raises(AuthorizationDenied) as info:
        flow.complete(landed)
    err = info.value
    assert err.error == "access_denied"
    # plain text: the wizard escapes it where it renders it (tests/ui/test_error_markup.py)
    assert '<script>alert("x")</script> The user said no' in err.message
    assert "&lt;" not in err.message and "&quot;" not in err.message
    assert "approve" in err.hint
    assert token_posts(demo) == 0


def test_error_is_checked_before_state(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    flow.begin()
    with pytest.raises(AuthorizationDenied):
        flow.complete("https://app.example/cb?error=invalid_request&error_description=state+required")


def test_issuer_mismatch_is_refused_before_token_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    assert query_of(landed)["iss"] == demo.issuer
    with pytest.raises(IssuerMismatchError):
        flow.complete(with_query(landed, iss="https://evil.example"))
    assert token_posts(demo) == 0


def test_reused_code_gives_invalid_grant_with_a_hint(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    first = demo.approve(flow.begin().url)
    flow.begin()  # a second open link, so the bare code below gets exchanged
    flow.complete(first)
    with pytest.raises(TokenEndpointError) as info:
        flow.complete(query_of(first)["code"], allow_bare_code=True)
    assert info.value.error == "invalid_grant" and "single-use" in info.value.hint


def test_expired_code_gives_invalid_grant(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    demo._clock = lambda: time.time() + 600  # the provider's own test hook: its codes live 60 s
    with pytest.raises(TokenEndpointError) as info:
        flow.complete(landed)
    assert info.value.error == "invalid_grant"


def test_wrong_secret_under_basic_hints_at_post():
    with DemoProvider(client_auth_methods=("client_secret_post",)) as provider:
        flow = AuthorizationCodeFlow(by_hand_config(provider, client_auth="client_secret_basic"))
        with pytest.raises(TokenEndpointError) as info:
            flow.complete(provider.approve(flow.begin().url))
        assert info.value.error == "invalid_client" and "client_secret_post" in info.value.hint


# -- refresh -----------------------------------------------------------------------------

@pytest.mark.parametrize("client_auth", ["client_secret_basic", "client_secret_post"])
def test_refresh_returns_a_new_token(demo, client_auth):
    flow = AuthorizationCodeFlow(by_hand_config(demo, client_auth=client_auth))
    first = flow.complete(demo.approve(flow.begin().url))
    second = flow.refresh(first)
    assert second.access_token != first.access_token and second.refresh_token
    assert demo.token_requests[-1]["grant_type"] == "refresh_token"


def test_refresh_without_refresh_token_is_a_clear_error():
    with DemoProvider(issue_refresh_tokens=False) as provider:
        flow = AuthorizationCodeFlow(by_hand_config(provider))
        token = flow.complete(provider.approve(flow.begin().url))
        assert token.refresh_token is None
        with pytest.raises(ConfigError) as info:
            flow.refresh(token)
        assert "refresh" in info.value.hint


# -- transport security ------------------------------------------------------------------

def test_loopback_http_works_without_the_global_insecure_switch(demo):
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    flow = AuthorizationCodeFlow(by_hand_config(demo, redirect_uri="http://localhost:8765/callback"))
    assert flow.begin().url.startswith("http://127.0.0.1")


def test_oauthlib_outside_our_flows_still_refuses_plain_http(demo):
    from oauthlib.oauth2 import InsecureTransportError, WebApplicationClient

    AuthorizationCodeFlow(by_hand_config(demo)).begin()  # installs the scoped loopback allowance
    with pytest.raises(InsecureTransportError):
        WebApplicationClient("x").prepare_request_uri(demo.auth_url)


@pytest.mark.parametrize("field", ["auth_url", "token_url", "redirect_uri"])
def test_non_loopback_plain_http_is_refused_with_a_hint(demo, field):
    with pytest.raises(ConfigError) as info:
        AuthorizationCodeFlow(by_hand_config(demo, **{field: "http://login.example.com/x"}))
    assert field in info.value.problems and "https" in info.value.problems[field][0]


# -- the transcript ----------------------------------------------------------------------

def test_every_step_is_in_the_transcript_and_masked(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    request = flow.begin()
    landed = demo.approve(request.url)
    token = flow.complete(landed)
    flow.refresh(token)
    steps = [e.step for e in flow.transcript]
    assert steps == ["authorization code: authorize link", "authorization code: pasted redirect",
                     "authorization code: exchange", "refresh"]
    exported = flow.transcript.to_csv() + flow.transcript.to_html() + flow.transcript.to_dataframe().to_string()
    code = query_of(landed)["code"]
    for secret in (demo.client_secret, request.code_verifier, code, token.access_token, token.refresh_token,
                   flow.token.access_token, flow.token.refresh_token):
        assert secret not in exported
    assert request.state in exported  # state is not a secret: showing it teaches


def test_state_required_error_hint_points_to_the_manual_flow(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    flow.begin()
    with pytest.raises(AuthorizationDenied) as info:
        flow.complete("https://app.example/cb?error=invalid_request&error_description=state+parameter+is+required")
    assert "notebook 02" in info.value.hint and "Token field" in info.value.hint


def test_iss_is_compared_as_a_plain_string(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo))
    landed = demo.approve(flow.begin().url)
    with pytest.raises(IssuerMismatchError):
        flow.complete(with_query(landed, iss=demo.issuer + "/"))
    assert token_posts(demo) == 0
