"""The demo verifies private_key_jwt / client_secret_jwt assertions and mTLS certificates (real HTTP)."""

import time

import jwt
import pytest
import requests

from tests.support.client_auth import beyond_secret_demo
from widgets.demo import DemoProvider
from widgets.demo.certificates import thumbprint
from widgets.demo.client_auth import JWT_BEARER
from widgets.diagnose.client_assertion import ClientAssertionSigner, _read_private_key


@pytest.fixture
def provider():
    running = beyond_secret_demo()
    yield running
    running.stop()


def assertion_for(provider, *, lifetime=60, clock=time.time, **claims):
    key_file = provider.client_settings("client_credentials", client_auth="private_key_jwt")["client_key_file"]
    signer = ClientAssertionSigner(_read_private_key(key_file), client_id=provider.client_id, lifetime=lifetime,
                                   clock=clock)
    if not claims:
        return signer(provider.token_url)
    key = _read_private_key(key_file)
    return jwt.encode({**signer.claims(provider.token_url), **claims}, key, algorithm="ES256")


def post(provider, assertion, **extra):
    return requests.post(provider.token_url, timeout=10, data={
        "grant_type": "client_credentials", "client_id": provider.client_id,
        "client_assertion_type": JWT_BEARER, "client_assertion": assertion, **extra})


def test_a_good_assertion_gets_a_token_and_the_same_one_again_is_refused(provider):
    assertion = assertion_for(provider)
    first = post(provider, assertion)
    assert first.status_code == 200, first.text
    again = post(provider, assertion)
    assert again.json()["error"] == "invalid_client"
    assert "jti was already used" in again.json()["error_description"]
    assert provider.token_requests[-1]["client_auth"] == "private_key_jwt"


@pytest.mark.parametrize("claims, said", [
    (dict(aud="https://elsewhere.example/token"), "aud"),
    (dict(iss="someone-else"), "iss and sub"),
    (dict(sub="someone-else"), "iss and sub"),
    (dict(exp=int(time.time()) - 5), "expired"),
    (dict(exp=int(time.time()) + 3600), "too long"),
])
def test_an_assertion_with_a_wrong_claim_is_refused_and_says_which(provider, claims, said):
    answer = post(provider, assertion_for(provider, **claims))
    assert answer.status_code in (400, 401) and answer.json()["error"] == "invalid_client"
    assert said in answer.json()["error_description"]


def test_an_assertion_signed_by_an_unregistered_key_is_refused(provider, tmp_path):
    from widgets.diagnose.client_assertion import generate_private_key

    provider.make_client_key()  # the client's key is registered; this one is not
    generate_private_key(tmp_path / "other.pem")
    signer = ClientAssertionSigner(_read_private_key(tmp_path / "other.pem"), client_id=provider.client_id)
    answer = post(provider, signer(provider.token_url))
    assert "signature does not verify" in answer.json()["error_description"]


def test_an_unsigned_assertion_is_refused(provider):
    claims = {"iss": provider.client_id, "sub": provider.client_id, "aud": provider.token_url,
              "jti": "x" * 20, "exp": int(time.time()) + 30}
    answer = post(provider, jwt.encode(claims, None, algorithm="none"))
    assert answer.json()["error"] == "invalid_client"


def test_a_client_id_that_is_not_the_assertions_is_refused(provider):
    answer = post(provider, assertion_for(provider), client_id="another-client")
    assert answer.json()["error"] == "invalid_client"


def test_client_secret_jwt_is_checked_with_the_secret(provider):
    signer = ClientAssertionSigner(provider.client_secret, client_id=provider.client_id)
    assert post(provider, signer(provider.token_url)).status_code == 200
    wrong = ClientAssertionSigner("not-the-secret-but-long-enough-0123456789", client_id=provider.client_id)
    assert post(provider, wrong(provider.token_url)).json()["error"] == "invalid_client"


def test_methods_not_enabled_are_refused():
    with DemoProvider() as plain:  # the two shared-secret methods only
        signer = ClientAssertionSigner(plain.client_secret, client_id=plain.client_id)
        answer = post(plain, signer(plain.token_url))
        assert answer.json()["error"] == "invalid_client"
        assert "not accepted here" in answer.json()["error_description"]
        with pytest.raises(ValueError, match="not enabled"):
            plain.client_settings("client_credentials", client_auth="private_key_jwt")
        with pytest.raises(RuntimeError, match="mtls=True"):
            plain.mtls_token_url


def test_metadata_advertises_the_methods_algorithms_and_the_mtls_alias(provider):
    meta = requests.get(provider.metadata_url, timeout=10).json()
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
    assert "ES256" in meta["token_endpoint_auth_signing_alg_values_supported"]
    assert meta["mtls_endpoint_aliases"] == {"token_endpoint": provider.mtls_token_url}
    assert meta["tls_client_certificate_bound_access_tokens"] is True


def test_registering_a_private_key_is_refused(provider):
    with pytest.raises(ValueError, match="no private member"):
        provider.register_client_jwks({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"}]})


# -- mTLS -----------------------------------------------------------------------------------------


def mtls_post(provider, cert=None, **data):
    return requests.post(provider.mtls_token_url, timeout=10, cert=cert, verify=provider.ca_file,
                         data={"grant_type": "client_credentials", "client_id": provider.client_id, **data})


def test_tls_client_auth_gets_a_token_bound_to_the_certificate(provider):
    cert, key = provider.issue_client_certificate()
    answer = mtls_post(provider, (cert, key))
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    with open(cert) as fh:
        assert claims["cnf"] == {"x5t#S256": thumbprint(fh.read())}
    assert provider.token_requests[-1]["client_auth"] == "tls_client_auth"


def test_self_signed_tls_client_auth_needs_the_registered_certificate(provider):
    cert, key = provider.make_self_signed_certificate()
    assert mtls_post(provider, (cert, key)).status_code == 200
    assert provider.token_requests[-1]["client_auth"] == "self_signed_tls_client_auth"


def test_a_certificate_for_another_subject_is_refused_by_the_token_endpoint(provider):
    provider.issue_client_certificate()
    other, other_key = provider.ca.client_certificate("someone-else", stem="other")
    answer = mtls_post(provider, (str(other), str(other_key)))
    assert answer.json()["error"] == "invalid_client"
    assert "subject" in answer.json()["error_description"]


def test_the_mtls_endpoint_refuses_a_connection_without_a_certificate(provider):
    with pytest.raises(requests.exceptions.SSLError):
        mtls_post(provider)


def test_a_header_cannot_stand_in_for_the_certificate(provider):
    provider.issue_client_certificate()
    with open(provider.ca.client_certificate(provider.client_id, stem="forged")[0]) as fh:
        forged = fh.read().replace("\n", " ")
    answer = requests.post(provider.token_url, timeout=10, headers={"SSL-Client-Cert": forged, "X-SSL-Client-Cert": forged},
                           data={"grant_type": "client_credentials", "client_id": provider.client_id})
    assert answer.json()["error"] == "invalid_client"
