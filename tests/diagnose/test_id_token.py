"""ID tokens validated the OpenID Connect way: signatures (RS256, PS256, ES256) against a JWKS
served on loopback, a rotated JWKS, every claim check, and the whole code flow against the demo
and against a provider whose ID tokens are wrong in exactly one way."""

from __future__ import annotations

import json

import pytest

from tests.support.configs import code_config
from tests.support.jwks import TestKey, at_hash, id_token_claims, jwks_of
from tests.support.servers import Reply
from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.config import WebhookAuthConfig
from widgets.core.errors import IdTokenError
from widgets.core.id_token import CHECKS, check_claims, validate_claims_only
from widgets.diagnose.id_token import IdTokenValidator, validate_id_token

CLIENT = "oidc-client"
ACCESS = "access-token-for-at-hash-0123456789"


def validator_for(scripted, **kwargs) -> IdTokenValidator:
    return IdTokenValidator(scripted.base, CLIENT, scripted.url("/jwks"), **kwargs)


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_a_token_signed_with_each_algorithm_passes_every_check(scripted, alg):
    key = TestKey(alg, f"key-{alg}", reuse=0)
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    token = key.sign(id_token_claims(scripted.base, CLIENT, nonce="n-1", at_hash=at_hash(ACCESS)))
    result = validator_for(scripted)(token, nonce="n-1", access_token=ACCESS)
    assert [c.check for c in result.checks] == list(CHECKS)
    assert result.verified, result.rows()
    assert f"alg {alg}" in result.checks[0].detail and f"key-{alg}" in result.checks[0].detail


def test_a_rotated_jwks_is_read_again_once_for_an_unknown_kid(scripted):
    old, new = TestKey("ES256", "old"), TestKey("ES256", "new")
    scripted.routes["/jwks"] = Reply(200, jwks_of(old), content_type="application/json")
    validator = validator_for(scripted)
    assert validator(old.sign(id_token_claims(scripted.base, CLIENT))).verified
    scripted.routes["/jwks"] = Reply(200, jwks_of(new), content_type="application/json")  # the provider rotates
    result = validator(new.sign(id_token_claims(scripted.base, CLIENT)))
    assert result.verified and "key rotation" in result.checks[0].detail
    assert validator.fetches == 2 and len(scripted.requests_to("/jwks")) == 2
    # a kid that is in no set, even a fresh one: refused, after one more read only
    stranger = TestKey("ES256", "stranger")
    refused = validator(stranger.sign(id_token_claims(scripted.base, CLIENT)))
    assert refused.failed.check == "signature" and "no signing key" in refused.failed.detail
    assert len(scripted.requests_to("/jwks")) == 3


def test_a_token_signed_by_another_key_with_the_right_kid_is_refused(scripted):
    real, forger = TestKey("ES256", "k"), TestKey("ES256", "k")
    scripted.routes["/jwks"] = Reply(200, jwks_of(real), content_type="application/json")
    result = validator_for(scripted)(forger.sign(id_token_claims(scripted.base, CLIENT)))
    assert result.failed.check == "signature" and "does not match" in result.failed.detail
    with pytest.raises(IdTokenError) as info:
        result.raise_for_failure()
    assert info.value.check == "signature" and info.value.exit_code == 4 and len(info.value.checks) == len(CHECKS)


def test_hmac_with_the_public_key_and_alg_none_are_never_accepted(scripted):
    key = TestKey("RS256", "k", reuse=0)
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    import jwt

    hs = jwt.encode(id_token_claims(scripted.base, CLIENT), "a-shared-secret-of-32-bytes-long!", algorithm="HS256",
                    headers={"kid": "k"})
    none = jwt.encode(id_token_claims(scripted.base, CLIENT), None, algorithm="none", headers={"kid": "k"})
    for token in (hs, none):
        result = validator_for(scripted)(token)
        assert result.failed is not None and result.failed.check == "signature", result.rows()


def test_an_alg_the_metadata_does_not_list_is_refused(scripted):
    key = TestKey("PS256", "k", reuse=0)
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    result = validator_for(scripted, algorithms=("RS256",))(key.sign(id_token_claims(scripted.base, CLIENT)))
    assert result.failed.check == "signature" and "RS256" in result.failed.detail


NOW = 1_800_000_000


@pytest.mark.parametrize("changes, nonce, failed, words", [
    (dict(iss="https://other.example"), None, "iss", "not"),
    (dict(aud="someone-else"), None, "aud", "another client"),
    (dict(aud=[CLIENT, "api"]), None, "azp", "several audiences"),
    (dict(aud=[CLIENT, "api"], azp="api"), None, "azp", "not"),
    (dict(exp=NOW - 3600), None, "exp", "expired"),
    (dict(iat=NOW + 3600), None, "iat", "future"),
    (dict(nonce=None), "sent-nonce", "nonce", "missing"),
    (dict(nonce="other"), "sent-nonce", "nonce", "differs"),
    (dict(at_hash="AAAAAAAAAAAAAAAAAAAAAA"), None, "at_hash", "swapped"),
])
def test_each_claim_check_refuses_its_own_fault(changes, nonce, failed, words):
    claims = id_token_claims("https://as.example", CLIENT, **{"iat": NOW - 5, "exp": NOW + 300, **changes})
    checks = check_claims({"alg": "ES256"}, claims, issuer="https://as.example", client_id=CLIENT, nonce=nonce,
                          access_token=ACCESS, now=NOW)
    bad = [c for c in checks if c.ok is False]
    assert [c.check for c in bad] == [failed], checks
    assert words in bad[0].detail


def test_several_audiences_with_our_azp_pass():
    claims = id_token_claims("https://as.example", CLIENT, iat=NOW, exp=NOW + 60, aud=[CLIENT, "api"], azp=CLIENT,
                             at_hash=at_hash(ACCESS), nonce="n")
    checks = check_claims({"alg": "RS256"}, claims, issuer="https://as.example", client_id=CLIENT, nonce="n",
                          access_token=ACCESS, now=NOW)
    assert all(c.ok for c in checks), checks


def test_without_a_verifier_the_signature_reads_not_checked():
    key = TestKey("ES256", "k")
    result = validate_claims_only(key.sign(id_token_claims("https://as.example", CLIENT)),
                                  issuer="https://as.example", client_id=CLIENT)
    assert result.ok and not result.verified and result.checks[0].ok is None
    assert "not checked" in result.rows()[0][1]


# -- in the code flow -------------------------------------------------------------------------


def test_the_code_flow_sends_a_nonce_and_validates_the_demos_id_token(demo):
    config = code_config(demo, redirect_uri=demo.callback_url, scope="openid alerts:write")
    flow = AuthorizationCodeFlow(config, id_token_validator=IdTokenValidator.for_config(config))
    request = flow.begin()
    assert request.nonce and request.params["nonce"] == request.nonce
    assert AuthorizationCodeFlow(code_config(demo)).begin().nonce is None  # no openid, no nonce
    token = flow.complete(demo.approve(request.url))
    result = flow.id_token_validation
    assert token.id_token and result.verified, result.rows()
    assert result.claims["nonce"] == request.nonce and result.claims["aud"] == demo.client_id
    row = [r for r in flow.transcript if r.step == "OpenID Connect: ID token"][0]
    assert row.outcome == "ok" and "signature ok" in row.note and token.id_token not in json.dumps(row.row())


def test_the_demo_issues_no_id_token_without_openid(demo):
    flow = AuthorizationCodeFlow(code_config(demo, redirect_uri=demo.callback_url, scope="alerts:write"))
    token = flow.complete(demo.approve(flow.begin().url))
    assert token.id_token is None and flow.id_token_validation is None


def scripted_code_flow(scripted, id_token_for) -> tuple[AuthorizationCodeFlow, str]:
    """A code flow at a scripted demo whose token endpoint answers with ``id_token_for(nonce)``."""
    key = TestKey("ES256", "k")
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id=CLIENT, client_secret="s3cret-0123456789",
                               redirect_uri="http://127.0.0.1/cb", scope="openid", issuer=scripted.base)
    flow = AuthorizationCodeFlow(config, id_token_validator=validator_for(scripted))
    request = flow.begin()
    scripted.routes["/token"] = Reply(200, {"access_token": ACCESS, "token_type": "Bearer",
                                            "id_token": key.sign(id_token_for(request.nonce))})
    return flow, f"http://127.0.0.1/cb?code=code-0123456789&state={request.state}"


def test_an_id_token_with_another_nonce_is_refused_and_no_token_is_kept(scripted):
    flow, pasted = scripted_code_flow(scripted, lambda nonce: id_token_claims(scripted.base, CLIENT, nonce="replayed"))
    with pytest.raises(IdTokenError) as info:
        flow.complete(pasted)
    assert info.value.check == "nonce" and "differs" in info.value.detail and "nonce" in str(info.value)
    assert flow.token is None
    row = [r for r in flow.transcript if r.step == "OpenID Connect: ID token"][0]
    assert row.outcome == "refused" and "nonce" in row.error


def test_an_id_token_whose_at_hash_does_not_match_is_refused(scripted):
    flow, pasted = scripted_code_flow(scripted, lambda nonce: id_token_claims(
        scripted.base, CLIENT, nonce=nonce, at_hash=at_hash("another-access-token")))
    with pytest.raises(IdTokenError, match="at_hash"):
        flow.complete(pasted)


def test_validate_id_token_reads_the_jwks_from_discovery(demo):
    config = code_config(demo, redirect_uri=demo.callback_url, scope="openid")
    flow = AuthorizationCodeFlow(config)
    token = flow.complete(demo.approve(flow.begin().url))
    result = validate_id_token(token.id_token, issuer=demo.issuer, client_id=demo.client_id,
                               access_token=token.access_token)
    assert result.verified, result.rows()
