"""The token endpoint: client authentication, grants, codes, refresh rotation."""

import base64
import time

import pytest
import requests

from tests.support.demo import (
    LOOPBACK_REDIRECT, authorize_url, basic, code_flow, naive_basic, pkce_pair, query_of, token_request,
)
from widgets.demo import DemoProvider

AWKWARD_SECRET = "p+ss:w%rd/ with spaces é€"


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_client_credentials_with_basic_or_post(provider, auth):
    response = token_request(provider, {"grant_type": "client_credentials"}, auth=auth)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "alerts:write"
    assert "refresh_token" not in body
    assert provider.token_requests == [{
        "grant_type": "client_credentials",
        "client_auth": f"client_secret_{auth}",
        "status": 200,
        "error": None,
    }]


def test_client_credentials_with_a_requested_scope(provider):
    response = token_request(provider, {"grant_type": "client_credentials", "scope": "alerts:read profile"})
    assert response.json()["scope"] == "alerts:read profile"


def test_client_credentials_with_an_unknown_scope_is_invalid_scope(provider):
    response = token_request(provider, {"grant_type": "client_credentials", "scope": "admin"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_form_encoded_basic_with_an_awkward_secret_succeeds():
    with DemoProvider(client_id="app id/ü", client_secret=AWKWARD_SECRET) as provider:
        response = requests.post(
            provider.token_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": basic(provider.client_id, provider.client_secret)},
            timeout=10,
        )
        assert response.status_code == 200, response.text


def test_post_with_an_awkward_secret_succeeds():
    with DemoProvider(client_secret=AWKWARD_SECRET) as provider:
        response = token_request(provider, {"grant_type": "client_credentials"}, auth="post")
        assert response.status_code == 200, response.text


def test_naive_basic_with_a_plus_in_the_secret_is_invalid_client():
    with DemoProvider(client_secret="abc+def") as provider:
        response = requests.post(
            provider.token_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": naive_basic(provider.client_id, provider.client_secret)},
            timeout=10,
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
        assert "2.3.1" in response.json()["error_description"]
        assert provider.token_requests[-1]["client_auth"] == "client_secret_basic"
        assert provider.token_requests[-1]["error"] == "invalid_client"


def test_wrong_secret_is_invalid_client_and_never_echoed(provider):
    response = requests.post(
        provider.token_url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic(provider.client_id, "wrong-secret-xyz")},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "wrong-secret-xyz" not in response.text


def test_malformed_basic_is_invalid_client(provider):
    response = requests.post(
        provider.token_url, data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic not*base64"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_no_client_authentication_is_invalid_client(provider):
    response = token_request(provider, {"grant_type": "client_credentials"}, auth=None)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert provider.token_requests[-1]["client_auth"] is None


def test_basic_is_refused_when_only_post_is_allowed():
    with DemoProvider(client_auth_methods=("client_secret_post",)) as provider:
        refused = token_request(provider, {"grant_type": "client_credentials"}, auth="basic")
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        assert refused.headers["WWW-Authenticate"].startswith("Basic ")
        assert "client_secret_post" in refused.json()["error_description"]
        accepted = token_request(provider, {"grant_type": "client_credentials"}, auth="post")
        assert accepted.status_code == 200


def test_post_is_refused_when_only_basic_is_allowed():
    with DemoProvider(client_auth_methods=("client_secret_basic",)) as provider:
        refused = token_request(provider, {"grant_type": "client_credentials"}, auth="post")
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        accepted = token_request(provider, {"grant_type": "client_credentials"}, auth="basic")
        assert accepted.status_code == 200


def test_two_client_authentication_methods_at_once_are_refused(provider):
    response = requests.post(
        provider.token_url,
        data={"grant_type": "client_credentials", "client_id": provider.client_id,
              "client_secret": provider.client_secret},
        headers={"Authorization": basic(provider.client_id, provider.client_secret)},
        timeout=10,
    )
    assert response.json()["error"] == "invalid_client"


def test_missing_and_unknown_grant_types(provider):
    missing = token_request(provider, {})
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    unknown = token_request(provider, {"grant_type": "password", "username": "demo", "password": "x"})
    assert unknown.json()["error"] == "unsupported_grant_type"
    assert [r["grant_type"] for r in provider.token_requests] == [None, "password"]


def test_get_on_the_token_endpoint_is_refused(provider):
    response = requests.get(provider.token_url, timeout=10)
    assert response.status_code == 400
    assert provider.token_requests[-1]["status"] == 400


def test_authorization_code_flow_with_pkce(provider):
    response, _, _ = code_flow(provider, scope="alerts:write profile")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "alerts:write profile"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    assert provider.token_requests[-1] == {
        "grant_type": "authorization_code", "client_auth": "client_secret_basic",
        "status": 200, "error": None}


def test_no_refresh_token_when_turned_off():
    with DemoProvider(issue_refresh_tokens=False) as provider:
        response, _, _ = code_flow(provider)
        assert response.status_code == 200
        assert "refresh_token" not in response.json()


def test_a_code_works_once_and_reuse_revokes_what_it_gave(provider):
    first, verifier, code = code_flow(provider)
    tokens = first.json()
    again = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    refreshed = token_request(provider, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"
    introspected = requests.post(provider.introspection_url, data={"token": tokens["access_token"]},
                                 auth=(provider.client_id, provider.client_secret), timeout=10)
    assert introspected.json() == {"active": False}


def test_a_code_expires_after_60_seconds(provider):
    verifier, challenge = pkce_pair()
    location = provider.approve(authorize_url(provider, code_challenge=challenge, code_challenge_method="S256"))
    provider._clock = lambda: time.time() + 61  # move the provider's clock, no sleeping
    response = token_request(provider, {"grant_type": "authorization_code", "code": query_of(location)["code"],
                                        "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
    assert response.json()["error"] == "invalid_grant"
    assert "expired" in response.json()["error_description"]


def test_a_different_redirect_uri_at_the_token_endpoint_is_invalid_grant(provider):
    verifier, challenge = pkce_pair()
    location = provider.approve(authorize_url(provider, code_challenge=challenge, code_challenge_method="S256"))
    response = token_request(provider, {"grant_type": "authorization_code", "code": query_of(location)["code"],
                                        "redirect_uri": "http://127.0.0.1:9999/other", "code_verifier": verifier})
    assert response.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_is_invalid_grant(provider):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    location = provider.approve(authorize_url(provider, code_challenge=challenge, code_challenge_method="S256"))
    response = token_request(provider, {"grant_type": "authorization_code", "code": query_of(location)["code"],
                                        "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": other_verifier})
    assert response.json()["error"] == "invalid_grant"


def test_a_missing_pkce_verifier_is_invalid_request(provider):
    _, challenge = pkce_pair()
    location = provider.approve(authorize_url(provider, code_challenge=challenge, code_challenge_method="S256"))
    response = token_request(provider, {"grant_type": "authorization_code", "code": query_of(location)["code"],
                                        "redirect_uri": LOOPBACK_REDIRECT})
    assert response.json()["error"] == "invalid_request"


def test_code_flow_without_pkce_when_not_required(provider):
    location = provider.approve(authorize_url(provider, state="s"))
    response = token_request(provider, {"grant_type": "authorization_code", "code": query_of(location)["code"],
                                        "redirect_uri": LOOPBACK_REDIRECT}, auth="post")
    assert response.status_code == 200, response.text


def test_refresh_rotates_and_the_old_refresh_token_stops_working(provider):
    first, _, _ = code_flow(provider, scope="alerts:write alerts:read")
    old = first.json()["refresh_token"]
    refreshed = token_request(provider, {"grant_type": "refresh_token", "refresh_token": old})
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != old
    assert new["access_token"] != first.json()["access_token"]
    assert new["scope"] == "alerts:write alerts:read"
    # The new one works (before any replay: a replay revokes the family, see test_demo_hardening).
    again = token_request(provider, {"grant_type": "refresh_token", "refresh_token": new["refresh_token"]})
    assert again.status_code == 200
    reused = token_request(provider, {"grant_type": "refresh_token", "refresh_token": old})
    assert reused.json()["error"] == "invalid_grant"


def test_refresh_may_narrow_but_not_widen_the_scope(provider):
    first, _, _ = code_flow(provider, scope="alerts:write alerts:read")
    refresh_token = first.json()["refresh_token"]
    wider = token_request(provider, {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                     "scope": "alerts:write profile"})
    assert wider.json()["error"] == "invalid_scope"
    narrower = token_request(provider, {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                        "scope": "alerts:read"})
    assert narrower.status_code == 200, narrower.text
    assert narrower.json()["scope"] == "alerts:read"
    # The rotated refresh token keeps the original grant (RFC 6749 section 6).
    back = token_request(provider, {"grant_type": "refresh_token", "refresh_token": narrower.json()["refresh_token"]})
    assert back.json()["scope"] == "alerts:write alerts:read"


def test_basic_header_with_a_non_utf8_payload_is_invalid_client(provider):
    header = "Basic " + base64.b64encode(b"demo-client:\xff\xfe").decode()
    response = requests.post(provider.token_url, data={"grant_type": "client_credentials"},
                             headers={"Authorization": header}, timeout=10)
    assert response.json()["error"] == "invalid_client"
