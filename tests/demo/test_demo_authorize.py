"""The authorization endpoint: the sign-in page, approve/deny, strictness, iss."""

import html

import pytest
import requests

from tests.support.demo import LOOPBACK_REDIRECT, authorize_url, hidden_fields, pkce_pair, token_request
from tests.support.urls import query_of
from widgets.demo import DemoProvider

HOSTILE_STATE = '"><script>alert(1)</script>&amp;'
THOUSANDEYES = "https://app.thousandeyes.com/namespace/integrations/AuthCallbackPage.html"


def test_the_sign_in_page_shows_the_request_and_the_demo_credentials(provider):
    page = requests.get(authorize_url(provider, scope="alerts:write profile", state="abc"), timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    text = page.text
    assert provider.client_id in text
    assert "alerts:write" in text and "profile" in text
    assert html.escape(LOOPBACK_REDIRECT) in text
    assert 'type="password"' in text
    assert 'value="approve"' in text and 'value="deny"' in text
    assert provider.username in text and provider.password in text  # a teaching server says so
    assert provider.client_secret not in text
    assert "<script" not in text and "src=" not in text and "href=" not in text  # self-contained


def test_the_sign_in_page_escapes_a_hostile_state_scope_and_client_id():
    hostile_scope = '<script>alert("scope")</script>'
    hostile_client = '<b onmouseover="x">app</b>'
    with DemoProvider(client_id=hostile_client, scopes=("alerts:write", hostile_scope)) as provider:
        url = authorize_url(provider, scope=hostile_scope, state=HOSTILE_STATE)
        page = requests.get(url, timeout=10).text
        for raw in (HOSTILE_STATE, hostile_scope, hostile_client):
            assert raw not in page
        assert "<script" not in page and "<b " not in page
        assert html.escape(hostile_scope, quote=True) in page
        assert html.escape(hostile_client, quote=True) in page
        # The hidden fields carry the values intact to the redirect.
        params = query_of(provider.approve(url))
        assert params["state"] == HOSTILE_STATE
        assert params["code"]


def test_a_hostile_redirect_uri_is_refused_on_a_page_that_does_not_echo_it(provider):
    hostile_redirect = 'http://127.0.0.1:8765/cb?x="><img/src=x>'
    page = requests.get(authorize_url(provider, redirect_uri=hostile_redirect), allow_redirects=False, timeout=10)
    assert page.status_code == 400
    assert "<img" not in page.text


def test_approve_returns_the_redirect_with_code_state_and_iss(provider):
    location = provider.approve(authorize_url(provider, state="s-1"))
    assert location.startswith(LOOPBACK_REDIRECT + "?")
    params = query_of(location)
    assert params["state"] == "s-1"
    assert params["iss"] == provider.issuer
    assert len(params["code"]) >= 20
    assert provider.authorize_requests[-1]["params"]["state"] == "s-1"


def test_approve_does_not_follow_a_redirect_to_an_external_host(provider):
    location = provider.approve(authorize_url(provider, redirect_uri=THOUSANDEYES, state="te"))
    assert location.startswith(THOUSANDEYES + "?")
    assert query_of(location)["state"] == "te"


def test_deny_redirects_with_access_denied_state_and_iss(provider):
    location = provider.approve(authorize_url(provider, state="s-2"), deny=True)
    params = query_of(location)
    assert location.startswith(LOOPBACK_REDIRECT + "?")
    assert params["error"] == "access_denied"
    assert params["error_description"]
    assert params["state"] == "s-2"
    assert params["iss"] == provider.issuer
    assert "code" not in params


def test_require_state_without_state_redirects_invalid_request_and_nothing_reaches_token():
    with DemoProvider(require_state=True) as provider:
        location = provider.approve(authorize_url(provider))
        params = query_of(location)
        assert location.startswith(LOOPBACK_REDIRECT + "?")
        assert params["error"] == "invalid_request"
        assert "state" in params["error_description"]
        assert params["iss"] == provider.issuer
        assert provider.token_requests == []
        assert "code" in query_of(provider.approve(authorize_url(provider, state="present")))


def test_require_pkce_without_a_challenge_redirects_invalid_request():
    with DemoProvider(require_pkce=True) as provider:
        params = query_of(provider.approve(authorize_url(provider, state="s-3")))
        assert params["error"] == "invalid_request"
        assert params["state"] == "s-3"
        assert params["iss"] == provider.issuer
        _, challenge = pkce_pair()
        ok = provider.approve(authorize_url(provider, code_challenge=challenge, code_challenge_method="S256"))
        assert "code" in query_of(ok)


@pytest.mark.parametrize("method", ["plain", None])
def test_plain_pkce_is_refused(provider, method):
    verifier, _ = pkce_pair()
    location = provider.approve(authorize_url(provider, code_challenge=verifier, code_challenge_method=method))
    params = query_of(location)
    assert params["error"] == "invalid_request"
    assert "S256" in params["error_description"]


def test_an_unsupported_response_type_redirects_with_iss(provider):
    params = query_of(provider.approve(authorize_url(provider, response_type="token", state="s")))
    assert params["error"] == "unsupported_response_type"
    assert params["iss"] == provider.issuer


def test_an_unknown_scope_redirects_invalid_scope(provider):
    params = query_of(provider.approve(authorize_url(provider, scope="admin", state="s")))
    assert params["error"] == "invalid_scope"


@pytest.mark.parametrize("params, problem", [
    ({"client_id": "someone-else"}, "client"),
    ({"redirect_uri": "https://evil.example/cb"}, "redirect"),
    ({"redirect_uri": "http://127.0.0.1.evil.example/cb"}, "redirect"),
    ({"redirect_uri": "http://localhost@evil.example/cb"}, "redirect"),
    ({"redirect_uri": None}, "redirect"),
])
def test_a_bad_client_or_redirect_uri_is_an_error_page_never_a_redirect(provider, params, problem):
    url = authorize_url(provider, **params)
    page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert problem in page.text.lower()
    with pytest.raises(RuntimeError, match="HTTP 400"):
        provider.approve(url)


@pytest.mark.parametrize("redirect_uri", [
    "http://127.0.0.1:1/any/path",
    "http://localhost:54321/cb?keep=1",
    "http://127.0.0.1/no-port",
])
def test_loopback_redirect_uris_on_any_port_are_allowed(provider, redirect_uri):
    location = provider.approve(authorize_url(provider, redirect_uri=redirect_uri))
    assert location.split("?")[0] == redirect_uri.split("?")[0]
    assert "code" in query_of(location)


def test_the_providers_own_callback_is_allowed_and_shows_what_arrived(provider):
    location = provider.approve(authorize_url(provider, redirect_uri=provider.callback_url, state="<s>"))
    assert location.startswith(provider.callback_url + "?")
    page = requests.get(location, timeout=10)
    assert page.status_code == 200
    assert "Copy this page" in page.text
    assert "&lt;s&gt;" in page.text and "<s>" not in page.text
    assert query_of(location)["code"] in page.text
    assert provider.token_requests == []  # the callback page exchanges nothing


def test_a_wrong_password_shows_the_form_again_and_approve_raises(provider):
    url = authorize_url(provider)
    with pytest.raises(RuntimeError, match="Wrong username or password") as raised:
        provider.approve(url, password="not-it")
    assert "not-it" not in str(raised.value)
    assert provider.password not in str(raised.value)


def test_approve_can_grant_fewer_scopes_than_asked(provider):
    verifier, challenge = pkce_pair()
    url = authorize_url(provider, scope="alerts:write alerts:read profile",
                        code_challenge=challenge, code_challenge_method="S256")
    code = query_of(provider.approve(url, scope="alerts:read"))["code"]
    response = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                        "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
    assert response.json()["scope"] == "alerts:read"


def test_approve_cannot_grant_a_scope_that_was_not_asked_for(provider):
    with pytest.raises(RuntimeError, match="asked for"):
        provider.approve(authorize_url(provider, scope="alerts:read"), scope="profile")


def test_a_tampered_sign_in_form_is_refused(provider):
    page = requests.get(authorize_url(provider, state="s"), timeout=10).text
    fields = hidden_fields(page)
    fields.update(redirect_uri="http://127.0.0.1:1/attacker", username=provider.username,
                  password=provider.password, decision="approve", grant_scope="alerts:write")
    answer = requests.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_every_authorize_get_is_recorded_and_reset_clears(provider):
    requests.get(authorize_url(provider, state="one"), timeout=10)
    requests.get(authorize_url(provider, client_id="unknown"), timeout=10)
    recorded = provider.authorize_requests
    assert [r["params"].get("state") for r in recorded] == ["one", None]
    assert recorded[1]["params"]["client_id"] == "unknown"
    recorded.clear()  # a copy: the provider's own list is untouched
    assert len(provider.authorize_requests) == 2
    provider.reset_records()
    assert provider.authorize_requests == [] and provider.token_requests == []


def test_a_wrong_password_reshows_the_form_without_redirecting_or_echoing_it(provider):
    browser = requests.Session()  # keeps the sign-in session cookie, as a browser does
    page = browser.get(authorize_url(provider, state="s"), timeout=10).text
    fields = {**hidden_fields(page), "username": provider.username, "password": "typed-wrong-pw",
              "decision": "approve", "grant_scope": "alerts:write"}
    answer = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 200
    assert "Location" not in answer.headers
    assert "Wrong username or password." in answer.text
    assert "typed-wrong-pw" not in answer.text
    assert f'value="{provider.username}"' in answer.text


def test_after_deny_the_callback_page_does_not_offer_an_exchange(provider):
    page = requests.get(provider.callback_url + "?error=access_denied&state=s1", timeout=10)
    assert page.status_code == 200
    assert "exchanges the code" not in page.text and "Copy this page" not in page.text
    assert "nothing to exchange" in page.text and "Deny" in page.text
