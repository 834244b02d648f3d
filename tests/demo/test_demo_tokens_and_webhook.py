"""Access tokens (ES256 JWTs checked against the JWKS), introspection, the webhook receiver."""

import base64
import json
import time

import jwt
import pytest
import requests

from tests.support.demo import basic, code_flow, token_request


def _client_credentials_token(provider, **extra):
    response = token_request(provider, {"grant_type": "client_credentials", **extra})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_an_access_token_verifies_against_the_published_jwks(provider):
    token = _client_credentials_token(provider, scope="alerts:write alerts:read")
    jwks = requests.get(provider.jwks_url, timeout=10).json()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["ES256"], audience="webhook-oauth-lab-demo",
                        issuer=provider.issuer)
    assert claims["sub"] == provider.client_id
    assert claims["client_id"] == provider.client_id
    assert claims["scope"] == "alerts:write alerts:read"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["jti"]


def test_a_user_token_names_the_user_as_subject(provider):
    response, _, _ = code_flow(provider)
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == provider.username
    assert claims["client_id"] == provider.client_id


def test_the_jwks_holds_only_a_public_key(provider):
    (key,) = requests.get(provider.jwks_url, timeout=10).json()["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert "d" not in key


def test_access_token_ttl_is_configurable():
    from widgets.demo import DemoProvider

    with DemoProvider(access_token_ttl=120) as provider:
        response = token_request(provider, {"grant_type": "client_credentials"})
        assert response.json()["expires_in"] == 120


def test_introspection_of_active_and_unknown_tokens(provider):
    token = _client_credentials_token(provider)
    auth = (provider.client_id, provider.client_secret)
    active = requests.post(provider.introspection_url, data={"token": token}, auth=auth, timeout=10)
    assert active.status_code == 200
    assert active.headers["Cache-Control"] == "no-store"
    body = active.json()
    assert body["active"] is True
    assert body["client_id"] == provider.client_id
    assert body["scope"] == "alerts:write"
    assert body["iss"] == provider.issuer
    unknown = requests.post(provider.introspection_url, data={"token": "nope"}, auth=auth, timeout=10)
    assert unknown.json() == {"active": False}


def test_introspection_of_a_refresh_token(provider):
    response, _, _ = code_flow(provider)
    body = requests.post(provider.introspection_url, data={"token": response.json()["refresh_token"]},
                         auth=(provider.client_id, provider.client_secret), timeout=10).json()
    assert body["active"] is True and body["client_id"] == provider.client_id


def test_introspection_requires_client_authentication(provider):
    token = _client_credentials_token(provider)
    refused = requests.post(provider.introspection_url, data={"token": token}, timeout=10)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert "active" not in refused.json()


def test_an_expired_token_is_inactive(provider):
    token = _client_credentials_token(provider)
    provider._clock = lambda: time.time() + 3601  # move the provider's clock, no sleeping
    body = requests.post(provider.introspection_url, data={"token": token},
                         auth=(provider.client_id, provider.client_secret), timeout=10).json()
    assert body == {"active": False}


# --- webhook ------------------------------------------------------------------------

PAYLOAD = {"alert": {"id": 1, "state": "trigger"}}


def _deliver(provider, authorization=None, body=PAYLOAD):
    headers = {"Authorization": authorization} if authorization else {}
    return requests.post(provider.webhook_url, json=body, headers=headers, timeout=10)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


def test_webhook_accepts_basic(provider):
    response = _deliver(provider, _basic(provider.webhook_username, provider.webhook_password))
    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert provider.webhook_deliveries == [
        {"auth_scheme": "Basic", "accepted": True, "json": PAYLOAD, "status": 200}]


def test_webhook_basic_is_utf8_per_rfc_7617():
    from widgets.demo import DemoProvider

    with DemoProvider(webhook_username="hööks", webhook_password="pä:ss+wörd") as provider:
        assert _deliver(provider, _basic("hööks", "pä:ss+wörd")).status_code == 200


def test_webhook_accepts_a_bearer_access_token_from_this_provider(provider):
    token = _client_credentials_token(provider)
    response = _deliver(provider, f"Bearer {token}")
    assert response.status_code == 200
    assert provider.webhook_deliveries[-1]["auth_scheme"] == "Bearer"
    assert provider.webhook_deliveries[-1]["accepted"] is True


def _forged_token(provider):
    """Same claims, signed by a key the provider never published."""
    from cryptography.hazmat.primitives.asymmetric import ec

    real = _client_credentials_token(provider)
    claims = jwt.decode(real, options={"verify_signature": False})
    header = jwt.get_unverified_header(real)
    return jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                      headers={"kid": header["kid"]})


@pytest.mark.parametrize("make_authorization, scheme", [
    (lambda p: None, None),
    (lambda p: _basic(p.webhook_username, "wrong"), "Basic"),
    (lambda p: _basic("someone", p.webhook_password), "Basic"),
    (lambda p: "Basic !!!notbase64", "Basic"),
    (lambda p: "Bearer not-a-jwt", "Bearer"),
    (lambda p: "Bearer " + _forged_token(p), "Bearer"),
    (lambda p: "Token " + p.webhook_password, None),
    (lambda p: basic(p.client_id, p.client_secret), "Basic"),  # client credentials are not webhook credentials
])
def test_webhook_refuses_bad_credentials(provider, make_authorization, scheme):
    response = _deliver(provider, make_authorization(provider))
    assert response.status_code == 401
    challenges = response.raw.headers.getlist("WWW-Authenticate")
    assert any(c.startswith("Basic ") for c in challenges)
    assert any(c.startswith("Bearer ") for c in challenges)
    last = provider.webhook_deliveries[-1]
    assert last == {"auth_scheme": scheme, "accepted": False, "json": PAYLOAD, "status": 401}


def test_webhook_refuses_an_expired_bearer_token(provider):
    token = _client_credentials_token(provider)
    provider._clock = lambda: time.time() + 3601
    response = _deliver(provider, f"Bearer {token}")
    assert response.status_code == 401
    assert any('error="invalid_token"' in c for c in response.raw.headers.getlist("WWW-Authenticate"))


def test_webhook_records_a_non_json_body_as_none(provider):
    response = requests.post(provider.webhook_url, data=b"not json",
                             headers={"Authorization": _basic(provider.webhook_username, provider.webhook_password)},
                             timeout=10)
    assert response.status_code == 200
    assert provider.webhook_deliveries[-1]["json"] is None


def test_records_are_plain_json_serialisable_dicts(provider):
    _deliver(provider)
    token_request(provider, {"grant_type": "client_credentials"})
    json.dumps([provider.webhook_deliveries, provider.token_requests, provider.authorize_requests])
