"""The demo provider against the browser-side and protocol attacks of issue 14 (items 17-21),
strict by default, and lax only in the respect it was started lax in."""

from __future__ import annotations

import re
import time
import warnings

import pytest
import requests

from widgets.demo import DemoProvider
from widgets.demo.provider import CONSENT_TTL, LAX

from tests.support.demo import LOOPBACK_REDIRECT, authorize_url, code_flow, hidden_fields, pkce_pair, token_request
from tests.support.urls import query_of


def _port(provider) -> int:
    return int(provider.issuer.rsplit(":", 1)[1])


def _code_without_challenge(provider) -> str:
    return query_of(provider.approve(authorize_url(provider, state="s")))["code"]


# --- 17. PKCE downgrade (RFC 9700 §4.8) ----------------------------------------------------


def test_a_code_verifier_for_a_code_issued_without_a_challenge_is_refused(provider):
    code = _code_without_challenge(provider)
    verifier, _ = pkce_pair()
    answer = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert "downgrade" in answer.json()["error_description"]
    assert "access_token" not in answer.json()


def test_a_code_issued_without_a_challenge_still_works_without_a_verifier(provider):
    code = _code_without_challenge(provider)
    answer = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": LOOPBACK_REDIRECT})
    assert answer.status_code == 200, answer.text


def test_lax_pkce_downgrade_accepts_the_verifier_on_purpose():
    with DemoProvider(lax={"pkce_downgrade": True}) as provider:
        code = _code_without_challenge(provider)
        verifier, _ = pkce_pair()
        answer = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                          "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
        assert answer.status_code == 200, answer.text


# --- 18. Host header (DNS rebinding) ----------------------------------------------------------


@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example", "127.0.0.1:1",
                                  "127.0.0.1.attacker.example:{port}", "", "localhost:{port}@evil",
                                  "127.0.0.1:{port}\tx"])
@pytest.mark.parametrize("path", ["/.well-known/oauth-authorization-server", "/authorize", "/token", "/webhook"])
def test_a_request_naming_another_host_is_refused(provider, host, path):
    headers = {"Host": host.format(port=_port(provider))}
    # Each request would succeed with the right Host: a valid authorize request, a token request.
    url = authorize_url(provider, state="s") if path == "/authorize" else provider.issuer + path
    data = {"grant_type": "client_credentials"} if path == "/token" else None
    auth = (provider.client_id, provider.client_secret) if path == "/token" else None
    answer = requests.request("POST" if path in ("/token", "/webhook") else "GET", url, data=data, auth=auth,
                              headers=headers, timeout=10, allow_redirects=False)
    assert answer.status_code in (400, 421), (host, answer.status_code)
    assert "Location" not in answer.headers
    assert provider.token_requests == [] and provider.webhook_deliveries == []


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST"])
def test_the_loopback_names_of_its_own_address_are_served(provider, name):
    answer = requests.get(provider.metadata_url, headers={"Host": f"{name}:{_port(provider)}"}, timeout=10)
    assert answer.status_code == 200


def _signed_in_form(provider, browser, **params):
    page = browser.get(authorize_url(provider, state="s", **params), timeout=10)
    assert page.status_code == 200
    return {**hidden_fields(page.text), "username": provider.username, "password": provider.password,
            "decision": "approve", "grant_scope": "alerts:write"}


@pytest.mark.parametrize("headers", [
    {"Origin": "http://attacker.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://attacker.example", "Sec-Fetch-Site": "same-origin"},
])
def test_a_consent_post_from_another_origin_is_refused(provider, headers):
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    answer = browser.post(provider.auth_url, data=fields, headers=headers, allow_redirects=False, timeout=10)
    assert answer.status_code == 403
    assert "Location" not in answer.headers


def test_a_same_origin_consent_post_is_accepted(provider):
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    answer = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10,
                          headers={"Origin": provider.issuer, "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])


def test_a_same_origin_post_from_a_no_referrer_page_says_origin_null_and_is_accepted(provider):
    # What Chromium sends for these pages' own form (Referrer-Policy: no-referrer).
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    answer = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10,
                          headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])


def test_a_consent_form_token_is_tied_to_the_browser_session_that_got_it(provider):
    victim = requests.Session()
    fields = _signed_in_form(provider, victim)
    attacker = requests.Session()
    attacker.get(authorize_url(provider, state="other"), timeout=10)  # the attacker's own session cookie
    for browser in (attacker, requests.Session()):  # another session, and none at all
        answer = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code == 400 and "Location" not in answer.headers


def test_a_consent_form_token_works_once(provider):
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    first = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    again = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
    assert again.status_code == 400 and "already used" in again.text


def test_a_consent_form_token_expires(provider):
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    provider._clock = lambda: time.time() + CONSENT_TTL + 1
    answer = browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_the_session_cookie_is_httponly_samesite_strict_and_per_provider(provider):
    page = requests.get(authorize_url(provider, state="s"), timeout=10)
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(f"wal_demo_session_{_port(provider)}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/;" in cookie + ";"


def test_a_forged_form_token_is_refused(provider):
    browser = requests.Session()
    fields = _signed_in_form(provider, browser)
    fields["form_token"] = re.sub(r".", "A", fields["form_token"])
    assert browser.post(provider.auth_url, data=fields, allow_redirects=False, timeout=10).status_code == 400


# --- 19. refresh token replay revokes the family (RFC 9700 §4.14.2) ---------------------------


def _refresh(provider, refresh_token):
    return token_request(provider, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def _webhook_status(provider, access_token):
    return requests.post(provider.webhook_url, json={"x": 1}, headers={"Authorization": f"Bearer {access_token}"},
                         timeout=10).status_code


def test_replaying_a_rotated_refresh_token_revokes_every_token_of_the_family(provider):
    first, _, _ = code_flow(provider)
    old = first.json()["refresh_token"]
    second = _refresh(provider, old).json()
    third = _refresh(provider, second["refresh_token"]).json()
    assert _webhook_status(provider, third["access_token"]) == 200
    replay = _refresh(provider, old)  # the attacker's copy, or the victim's: one of them is stolen
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert "revoked" in replay.json()["error_description"]
    assert _refresh(provider, third["refresh_token"]).json()["error"] == "invalid_grant"
    for token in (first.json(), second, third):
        assert _webhook_status(provider, token["access_token"]) == 401


def test_a_replay_does_not_touch_another_family(provider):
    one, _, _ = code_flow(provider)
    other, _, _ = code_flow(provider, state="other")
    old = one.json()["refresh_token"]
    _refresh(provider, old)
    _refresh(provider, old)
    assert _refresh(provider, other.json()["refresh_token"]).status_code == 200


def test_code_reuse_revokes_tokens_refreshed_from_the_first_use_too(provider):
    verifier, challenge = pkce_pair()
    code = query_of(provider.approve(authorize_url(provider, state="s", code_challenge=challenge,
                                                   code_challenge_method="S256")))["code"]
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": LOOPBACK_REDIRECT,
             "code_verifier": verifier}
    first = token_request(provider, grant).json()
    refreshed = _refresh(provider, first["refresh_token"]).json()
    assert token_request(provider, grant).json()["error"] == "invalid_grant"
    assert _refresh(provider, refreshed["refresh_token"]).json()["error"] == "invalid_grant"
    assert _webhook_status(provider, refreshed["access_token"]) == 401


def test_lax_refresh_settings_on_purpose():
    with DemoProvider(lax={"refresh": "no_rotation"}) as provider:
        first, _, _ = code_flow(provider)
        old = first.json()["refresh_token"]
        assert _refresh(provider, old).json()["refresh_token"] == old
        assert _refresh(provider, old).status_code == 200
    with DemoProvider(lax={"refresh": "no_replay_detection"}) as provider:
        first, _, _ = code_flow(provider)
        old = first.json()["refresh_token"]
        new = _refresh(provider, old).json()["refresh_token"]
        assert _refresh(provider, old).json()["error"] == "invalid_grant"
        assert _refresh(provider, new).status_code == 200


# --- 20. the webhook receiver's scope -----------------------------------------------------------


def _client_credentials(provider, scope):
    return token_request(provider, {"grant_type": "client_credentials", "scope": scope}).json()["access_token"]


@pytest.mark.parametrize("scope", ["alerts:read", "profile", "alerts:read profile"])
def test_the_webhook_refuses_a_valid_token_without_its_scope(provider, scope):
    answer = requests.post(provider.webhook_url, json={"x": 1}, timeout=10,
                           headers={"Authorization": f"Bearer {_client_credentials(provider, scope)}"})
    assert answer.status_code == 403
    challenge = answer.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="alerts:write"' in challenge
    assert provider.webhook_deliveries[-1]["accepted"] is False


def test_the_webhook_accepts_a_token_with_its_scope(provider):
    token = _client_credentials(provider, "alerts:read alerts:write")
    assert _webhook_status(provider, token) == 200
    assert provider.webhook_scope == "alerts:write"


def test_the_webhook_scope_must_be_offered():
    with pytest.raises(ValueError, match="webhook_scope"):
        DemoProvider(webhook_scope="admin")


# --- 21. binding a non-loopback address -----------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", ""])
def test_a_non_loopback_host_is_refused_without_the_explicit_flag(host):
    with pytest.raises(ValueError, match="allow_non_loopback"):
        DemoProvider(host=host)


def test_a_non_loopback_host_with_the_flag_warns():
    with pytest.warns(RuntimeWarning, match="other machines can reach"):
        provider = DemoProvider(host="0.0.0.0", allow_non_loopback=True)
    assert not provider.running  # never started here


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_flag_and_no_warning(host):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DemoProvider(host=host)


# --- lax settings ------------------------------------------------------------------------------------


def test_the_default_provider_is_strict_in_every_respect():
    assert DemoProvider().lax == {}
    assert DemoProvider.from_env().lax == {}
    assert DemoProvider(lax={}).lax == {}


@pytest.mark.parametrize("lax", [{"redirect": "prefix"}, {"redirect_uri": "regex"}, {"pkce_downgrade": 1},
                                 {"code_reuse": True}, {"iss": "no"}, ["redirect_uri"], "prefix"])
def test_unknown_lax_settings_are_refused(lax):
    with pytest.raises(ValueError, match="lax"):
        DemoProvider(lax=lax)


def test_the_strict_side_of_a_setting_is_not_lax():
    assert DemoProvider(lax={"iss": True, "pkce_downgrade": False, "redirect_uri": None}).lax == {}


def test_every_lax_value_is_accepted_and_shown_in_the_repr():
    for key, values in LAX.items():
        for value in values:
            provider = DemoProvider(lax={key: value})
            assert provider.lax == {key: value}
            assert "lax=" in repr(provider)


def test_lax_iss_leaves_iss_out_of_answers_and_metadata():
    with DemoProvider(lax={"iss": False}) as provider:
        assert "iss" not in query_of(provider.approve(authorize_url(provider, state="s")))
        metadata = requests.get(provider.metadata_url, timeout=10).json()
        assert metadata["authorization_response_iss_parameter_supported"] is False
    with DemoProvider() as provider:
        assert query_of(provider.approve(authorize_url(provider, state="s")))["iss"] == provider.issuer


def test_lax_code_reuse_on_purpose():
    with DemoProvider(lax={"code_reuse": "allow"}) as provider:
        code = _code_without_challenge(provider)
        grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": LOOPBACK_REDIRECT}
        assert token_request(provider, grant).status_code == 200
        assert token_request(provider, grant).status_code == 200
    with DemoProvider(lax={"code_reuse": "keep_tokens"}) as provider:
        code = _code_without_challenge(provider)
        grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": LOOPBACK_REDIRECT}
        first = token_request(provider, grant).json()
        assert token_request(provider, grant).json()["error"] == "invalid_grant"
        assert _refresh(provider, first["refresh_token"]).status_code == 200


def test_lax_plain_pkce_on_purpose():
    plain = dict(state="s", code_challenge="x" * 43, code_challenge_method="plain")
    with DemoProvider() as provider:
        assert query_of(provider.approve(authorize_url(provider, **plain)))["error"] == "invalid_request"
    with DemoProvider(lax={"pkce_plain": True}) as provider:
        code = query_of(provider.approve(authorize_url(provider, **plain)))["code"]
        answer = token_request(provider, {"grant_type": "authorization_code", "code": code,
                                          "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": "x" * 43})
        assert answer.status_code == 200


def test_lax_scope_widens_a_narrow_request_on_purpose():
    with DemoProvider(lax={"scope": "widen"}) as provider:
        response, _, _ = code_flow(provider, scope="alerts:read")
        assert set(response.json()["scope"].split()) == {"alerts:write", "alerts:read", "profile"}


@pytest.mark.parametrize("matching, attacker, accepted", [
    ("exact", "http://localhost:8400/callback/attacker", False),
    ("exact", "http://localhost:8400@127.0.0.1:9999/steal", False),
    ("prefix", "http://localhost:8400/callback/attacker", True),
    ("prefix", "http://localhost:8400/callback@127.0.0.1:9999/steal", True),
    ("prefix", "http://localhost:9999/callback", False),
    ("pattern", "http://localhost:9999/steal", True),
    ("pattern", "http://127.0.0.1:9999/callback", False),
])
def test_registered_redirect_uris_match_exactly_unless_lax(matching, attacker, accepted):
    registered = "http://localhost:8400/callback"
    lax = {} if matching == "exact" else {"redirect_uri": matching}
    with DemoProvider(redirect_uris=[registered], lax=lax) as provider:
        assert "code" in query_of(provider.approve(authorize_url(provider, redirect_uri=registered)))
        url = authorize_url(provider, redirect_uri=attacker, state="s")
        if accepted:
            assert provider.approve(url).startswith(attacker)
        else:
            with pytest.raises(RuntimeError, match="HTTP 400"):
                provider.approve(url)


def test_extra_users_can_sign_in_with_their_own_password():
    with DemoProvider(users={"mallory": "mallory-password"}) as provider:
        assert "code" in query_of(provider.approve(authorize_url(provider), user="mallory",
                                                   password="mallory-password"))
        with pytest.raises(RuntimeError, match="Wrong username or password"):
            provider.approve(authorize_url(provider), user="mallory", password=provider.password)


def test_behind_a_proxy_the_public_address_is_served_and_its_origin_may_post():
    with DemoProvider(public_url="https://hub.example/user/ana/proxy/{port}") as provider:
        browser = requests.Session()
        headers = {"Host": "hub.example"}
        # The proxy's side of it, sent straight to 127.0.0.1: the Host names the public address.
        direct = authorize_url(provider, state="s").replace(provider.public_url, provider.issuer, 1)
        assert direct.startswith(provider.issuer)
        page = browser.get(direct, headers=headers, timeout=10)
        assert page.status_code == 200
        assert "Path=" not in page.headers["Set-Cookie"]  # the browser's own path through the proxy
        fields = {**hidden_fields(page.text), "username": provider.username, "password": provider.password,
                  "decision": "approve", "grant_scope": "alerts:write"}
        cookie = page.headers["Set-Cookie"].split(";")[0]
        answer = requests.post(provider.issuer + "/authorize", data=fields, allow_redirects=False, timeout=10,
                               headers={**headers, "Origin": "https://hub.example", "Cookie": cookie,
                                        "Sec-Fetch-Site": "same-origin"})
        assert answer.status_code == 302, answer.text
        assert requests.get(provider.metadata_url, headers={"Host": "other.example"}, timeout=10).status_code == 421


# --- the device verification page (RFC 8628 §3.3) follows the sign-in form's rules --------------


def _device_form(provider, browser):
    from tests.support.demo import basic

    code = requests.post(provider.device_authorization_url, data={"scope": "alerts:write"}, timeout=10,
                         headers={"Authorization": basic(provider.client_id, provider.client_secret)}).json()
    page = browser.get(provider.verification_url, params={"user_code": code["user_code"]}, timeout=10)
    return {**hidden_fields(page.text), "user_code": code["user_code"], "username": provider.username,
            "password": provider.password, "decision": "approve"}


def test_a_device_form_posted_from_another_site_or_session_or_twice_is_refused(provider):
    browser = requests.Session()
    fields = _device_form(provider, browser)
    cross = browser.post(provider.verification_url, data=fields, headers={"Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert cross.status_code == 403
    assert browser.post(provider.verification_url, data=fields, timeout=10).status_code == 200  # the right one
    again = browser.post(provider.verification_url, data=fields, timeout=10)
    assert again.status_code == 400 and "already used" in again.text
    other = _device_form(provider, requests.Session())
    assert requests.post(provider.verification_url, data=other, timeout=10).status_code == 400  # no session
