"""AuthorizationRequest.to_dict/from_dict: a pending authorization carried to another process."""

import json

import pytest

from widgets import AuthorizationCodeFlow, ConfigError, StateMismatchError, WebhookAuthConfig
from widgets.core import pkce
from widgets.core.authorize import PENDING_FORMAT, PENDING_VERSION, AuthorizationRequest
from widgets.core.redact import scrub


def code_config(provider):
    return WebhookAuthConfig(auth_type="oauth_code", auth_url=provider.auth_url, token_url=provider.token_url,
                             client_id=provider.client_id, client_secret=provider.client_secret,
                             redirect_uri=provider.callback_url, issuer=provider.issuer, scope="alerts:write")


def saved(**changes):
    """A dict as to_dict writes it, with a verifier that nothing has remembered yet."""
    verifier = pkce.new_verifier()
    data = AuthorizationRequest(
        url="https://idp.example.com/authorize?response_type=code&state=s-123", state="s-123",
        redirect_uri="https://app.example.com/callback", code_verifier=verifier,
        code_challenge=pkce.challenge_for(verifier), code_challenge_method="S256",
        params={"response_type": "code", "state": "s-123"}, created_at=1_800_000_000.5,
    ).to_dict()
    data.update(changes)
    return data


def test_a_begun_request_survives_json_and_completes_in_another_flow(make_demo):
    provider = make_demo(require_state=True, require_pkce=True)
    request = AuthorizationCodeFlow(code_config(provider)).begin()
    text = json.dumps(request.to_dict())

    restored = AuthorizationRequest.from_dict(json.loads(text))
    assert restored == request

    later = AuthorizationCodeFlow(code_config(provider))  # as a new process would, knowing nothing
    later.resume(restored)
    token = later.complete(provider.approve(request.url))
    assert token.access_token
    assert provider.token_requests[-1]["grant_type"] == "authorization_code"
    assert provider.token_requests[-1]["status"] == 200


def test_the_dict_is_tagged_and_holds_the_verifier_but_the_repr_masks_it():
    data = saved()
    assert data["format"] == PENDING_FORMAT and data["version"] == PENDING_VERSION
    verifier = data["code_verifier"]
    restored = AuthorizationRequest.from_dict(data)
    assert restored.code_verifier == verifier
    assert verifier not in repr(restored) and verifier[-4:] in repr(restored)


def test_from_dict_remembers_the_verifier_so_it_is_masked_everywhere():
    data = saved()
    verifier = data["code_verifier"]
    assert verifier in scrub(f"verifier {verifier}")  # not known before
    AuthorizationRequest.from_dict(data)
    assert verifier not in scrub(f"verifier {verifier}")


def test_a_request_without_pkce_round_trips():
    request = AuthorizationRequest(url="https://idp.example.com/authorize?state=abc", state="abc",
                                   redirect_uri="https://app.example.com/cb")
    assert AuthorizationRequest.from_dict(json.loads(json.dumps(request.to_dict()))) == request


def test_keys_it_does_not_know_are_left_to_the_caller():
    data = saved(config={"token_url": "https://idp.example.com/token"})
    assert AuthorizationRequest.from_dict(data).state == "s-123"


@pytest.mark.parametrize("data, field", [
    ([], "pending_authorization"),
    (None, "pending_authorization"),
    ("webhook-oauth-lab/pending-authorization", "pending_authorization"),
    ({}, "format"),
    (saved(format="someone-else/session"), "format"),
    (saved(format=None), "format"),
    (saved(version=2), "version"),
    (saved(version="1"), "version"),
    (saved(version=True), "version"),
    (saved(version=1.5), "version"),
    ({k: v for k, v in saved().items() if k != "version"}, "version"),
    ({k: v for k, v in saved().items() if k != "state"}, "state"),
    (saved(state=""), "state"),
    (saved(state=123), "state"),
    (saved(url=None), "url"),
    (saved(redirect_uri=["https://app.example.com/callback"]), "redirect_uri"),
    (saved(code_verifier=12345), "code_verifier"),
    (saved(code_verifier="too-short"), "code_verifier"),
    (saved(code_challenge={"x": 1}), "code_challenge"),
    (saved(params=["state", "s-123"]), "params"),
    (saved(params={"state": 1}), "params"),
    (saved(created_at="yesterday"), "created_at"),
    (saved(created_at=None), "created_at"),
    (saved(created_at=True), "created_at"),
    (saved(created_at=float("inf")), "created_at"),
    (saved(created_at=float("nan")), "created_at"),
])
def test_a_malformed_or_foreign_dict_is_a_config_error_with_a_hint(data, field):
    with pytest.raises(ConfigError) as caught:
        AuthorizationRequest.from_dict(data)
    assert field in caught.value.problems
    assert "fresh authorize link" in caught.value.hint


def test_the_error_never_quotes_the_verifier():
    data = saved(state=None, code_challenge=7)
    verifier = data["code_verifier"]
    with pytest.raises(ConfigError) as caught:
        AuthorizationRequest.from_dict(data)
    assert set(caught.value.problems) == {"state", "code_challenge"}
    assert verifier not in str(caught.value) and verifier not in repr(caught.value)


def test_a_restored_request_is_still_single_use(make_demo):
    provider = make_demo(require_state=True, require_pkce=True)
    request = AuthorizationCodeFlow(code_config(provider)).begin()
    data = request.to_dict()
    flow = AuthorizationCodeFlow(code_config(provider))
    flow.resume(AuthorizationRequest.from_dict(data))
    landed = provider.approve(request.url)
    flow.complete(landed)
    flow.resume(AuthorizationRequest.from_dict(data))  # a used state is not reopened by a copy
    with pytest.raises(StateMismatchError):
        flow.complete(landed)


@pytest.mark.parametrize("paste, word", [("code=access_denied", "access_denied"),
                                         ("error=access_denied&code=invalid_grant", "invalid_grant"),
                                         ("code: Invalid-Request", "Invalid-Request"),
                                         ("code='server_error'", "server_error")])
def test_oauth_vocabulary_in_a_paste_is_not_taken_for_a_code(paste, word):
    # Remembered as codes, these words were masked in every later message of the process
    # (a refused login then read "****nied").
    from widgets.core.authorize import code_candidates

    assert word not in code_candidates(paste)


def test_a_random_code_in_a_broken_paste_is_still_a_candidate():
    from widgets.core.authorize import code_candidates

    assert "SplxlOBeZQQYbYS6WxSbIA" in code_candidates('code="SplxlOBeZQQYbYS6WxSbIA')
    assert "a1b2_c3d4-e5" in code_candidates("code=a1b2_c3d4-e5'")


def test_a_bare_word_pasted_as_a_code_does_not_mask_that_word_afterwards(demo):
    # A paste of "access_denied" alone reads as a bare code; remembered as one, every later
    # message quoting the provider's access_denied showed "****" (found in a whole-suite run).
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=demo.auth_url, token_url=demo.token_url,
                               client_id=demo.client_id, client_secret=demo.client_secret, issuer=demo.issuer)
    flow = AuthorizationCodeFlow(config)
    flow.begin()
    with pytest.raises(Exception):
        flow.complete("temporarily_unavailable")
    assert scrub("the provider said temporarily_unavailable") == "the provider said temporarily_unavailable"
