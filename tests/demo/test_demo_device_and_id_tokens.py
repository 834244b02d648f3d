"""The demo's device endpoints (RFC 8628) and ID tokens (OpenID Connect), over raw HTTP."""

from __future__ import annotations

import base64
import hashlib
import html

import jwt
import requests

from tests.support.demo import basic, code_flow
from widgets.diagnose.discovery import discover


def device_request(provider, data=None, *, auth=True):
    headers = {"Authorization": basic(provider.client_id, provider.client_secret)} if auth else {}
    return requests.post(provider.device_authorization_url, data=data or {"scope": "alerts:read"},
                         headers=headers, timeout=10)


def test_the_device_endpoint_hands_out_codes_to_an_authenticated_client(provider):
    answer = device_request(provider)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert set(body) >= {"device_code", "user_code", "verification_uri", "verification_uri_complete",
                         "expires_in", "interval"}
    assert body["verification_uri"] == provider.verification_url and body["interval"] == 5
    assert len(body["user_code"]) == 9 and body["user_code"][4] == "-"
    assert provider.device_requests[-1]["status"] == 200


def test_the_device_endpoint_refuses_an_unauthenticated_client(provider):
    answer = device_request(provider, {"client_id": provider.client_id}, auth=False)
    assert answer.status_code in (400, 401) and answer.json()["error"] == "invalid_client"


def test_the_verification_page_prefills_the_code_and_escapes_it(provider):
    hostile = '"><script>alert(1)</script>'
    page = requests.get(provider.verification_url, params={"user_code": hostile}, timeout=10)
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert html.escape(hostile, quote=True) in page.text
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_forged_verification_form_is_refused(provider):
    code = device_request(provider).json()["user_code"]
    forged = requests.post(provider.verification_url, data={
        "user_code": code, "username": provider.username, "password": provider.password,
        "decision": "approve", "form_token": "0" * 64}, timeout=10)
    assert forged.status_code == 400 and "not accepted" in forged.text


def test_the_metadata_points_to_the_device_endpoint_and_discovery_reads_it(provider):
    metadata = discover(provider.issuer)
    assert metadata.device_authorization_endpoint == provider.device_authorization_url
    assert metadata.raw["id_token_signing_alg_values_supported"] == ["ES256"]


def test_an_id_token_comes_with_openid_and_carries_nonce_and_at_hash(provider):
    response, _, _ = code_flow(provider, scope="openid alerts:write")
    assert response.status_code == 200, response.text
    token = response.json()
    assert "id_token" in token
    jwks = requests.get(provider.jwks_url, timeout=10).json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(token["id_token"], key, algorithms=["ES256"], audience=provider.client_id,
                        issuer=provider.issuer)
    digest = hashlib.sha256(token["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert claims["sub"] == provider.username and "nonce" not in claims  # code_flow() sends none


def test_no_id_token_without_openid(provider):
    response, _, _ = code_flow(provider, scope="alerts:write")
    assert "id_token" not in response.json()
