"""An ID token that comes with a refreshed token (OpenID Connect Core §12.2) is validated as at
login and must name the same issuer, subject, audience and auth_time: against the demo (which
issues one on refresh) and a scripted provider whose refresh answer swaps who is signed in."""

from __future__ import annotations

import json

import pytest

from tests.support.configs import code_config
from tests.support.jwks import TestKey, at_hash, id_token_claims, jwks_of
from tests.support.servers import Reply
from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.config import WebhookAuthConfig
from widgets.core.errors import IdTokenError
from widgets.core.id_token import REFRESH_CHECKS, check_refreshed
from widgets.diagnose.id_token import IdTokenValidator

CLIENT = "oidc-client"
STEP = "OpenID Connect: ID token (refresh)"


def test_the_demos_refreshed_id_token_keeps_the_logins_subject_and_auth_time(demo):
    config = code_config(demo, redirect_uri=demo.callback_url, scope="openid alerts:write")
    flow = AuthorizationCodeFlow(config, id_token_validator=IdTokenValidator.for_config(config))
    first = flow.complete(demo.approve(flow.begin().url))
    login_claims = flow.id_token_validation.claims
    refreshed = flow.refresh()
    assert refreshed.id_token and refreshed.id_token != first.id_token
    result = flow.id_token_validation
    assert result.verified, result.rows()
    assert [c.check for c in result.checks][-len(REFRESH_CHECKS):] == list(REFRESH_CHECKS)
    assert result.claims["sub"] == login_claims["sub"] and result.claims["auth_time"] == login_claims["auth_time"]
    assert "nonce" not in result.claims  # none is sent with a refresh
    row = [r for r in flow.transcript if r.step == STEP][-1]
    assert row.outcome == "ok" and "same sub ok" in row.note and refreshed.id_token not in json.dumps(row.row())


def refreshing_flow(scripted, refreshed_claims) -> AuthorizationCodeFlow:
    """A code flow that logged in at a scripted provider, whose refresh answer carries an ID
    token with ``refreshed_claims`` (signed by the provider's own key)."""
    key = TestKey("ES256", "k")
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id=CLIENT, client_secret="s3cret-0123456789",
                               redirect_uri="http://127.0.0.1/cb", scope="openid", issuer=scripted.base)
    flow = AuthorizationCodeFlow(config, id_token_validator=IdTokenValidator(scripted.base, CLIENT, scripted.url("/jwks")))
    request = flow.begin()
    login = id_token_claims(scripted.base, CLIENT, nonce=request.nonce, auth_time=1_700_000_000, at_hash=at_hash("a1" * 20))
    scripted.routes["/token"] = Reply(200, {"access_token": "a1" * 20, "token_type": "Bearer",
                                            "refresh_token": "r1-0123456789abcdef", "id_token": key.sign(login)})
    flow.complete(f"http://127.0.0.1/cb?code=code-0123456789&state={request.state}")
    assert flow.id_token_validation.verified
    claims = id_token_claims(scripted.base, CLIENT, auth_time=1_700_000_000, at_hash=at_hash("a2" * 20))
    claims.update(refreshed_claims)
    scripted.routes["/token"] = Reply(200, {"access_token": "a2" * 20, "token_type": "Bearer",
                                            "refresh_token": "r2-0123456789abcdef",
                                            "id_token": key.sign({k: v for k, v in claims.items() if v is not None})})
    return flow


@pytest.mark.parametrize("changes, failed", [
    ({"sub": "mallory"}, "same sub"),
    ({"aud": "another-client"}, "aud"),  # the login-time check already refuses it
    ({"auth_time": 1_800_000_000}, "same auth_time"),
    ({"nonce": "from-another-login"}, "same nonce"),
    ({"exp": 1}, "exp"),
])
def test_a_refresh_whose_id_token_changes_the_login_is_refused_and_the_old_token_kept(scripted, changes, failed):
    flow = refreshing_flow(scripted, changes)
    before = flow.token
    with pytest.raises(IdTokenError) as info:
        flow.refresh()
    assert info.value.check == failed, info.value.checks
    assert flow.token is before  # the refused answer is not kept
    row = [r for r in flow.transcript if r.step == STEP][-1]
    assert row.outcome == "refused" and failed in row.error


def test_a_refresh_with_an_unchanged_id_token_passes(scripted):
    flow = refreshing_flow(scripted, {})
    assert flow.refresh().access_token == "a2" * 20
    assert flow.id_token_validation.verified, flow.id_token_validation.rows()


def test_check_refreshed_compares_each_claim_the_login_fixed():
    login = {"iss": "https://as", "sub": "u", "aud": "c", "auth_time": 10, "nonce": "n"}
    assert all(c.ok for c in check_refreshed(login, {"iss": "https://as", "sub": "u", "aud": "c", "auth_time": 10}))
    assert all(c.ok for c in check_refreshed(login, {**login}))
    bad = {c.check for c in check_refreshed(login, {"iss": "https://evil", "sub": "v", "aud": ["c", "d"],
                                                     "auth_time": 11, "nonce": "m"}) if not c.ok}
    assert bad == set(REFRESH_CHECKS)
    # a login without auth_time fixes none
    assert all(c.ok for c in check_refreshed({"iss": "i", "sub": "s", "aud": "c"}, {"iss": "i", "sub": "s", "aud": "c",
                                                                                   "auth_time": 5}))
