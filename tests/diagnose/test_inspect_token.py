"""Token inspection: demo tokens verify against the demo JWKS, forgeries do not, opaque ones are introspected."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from tests.support.configs import cc_config, code_config
from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, Token, Transcript
from widgets.core.errors import InspectionError
from widgets.diagnose.inspect_token import allowed_algorithms, inspect_token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict, dict, str]:
    h, p, s = token.split(".")
    return (json.loads(base64.urlsafe_b64decode(h + "==")), json.loads(base64.urlsafe_b64decode(p + "==")), s)


def demo_token(provider, **changes) -> Token:
    return ClientCredentialsFlow(cc_config(provider, **changes)).fetch_token()


# -- signatures -----------------------------------------------------------------------------------------


def test_a_demo_token_verifies_against_the_demo_jwks(make_demo):
    provider = make_demo()
    token = demo_token(provider, scope="alerts:write alerts:read")
    transcript = Transcript()
    result = inspect_token(token, jwks_url=provider.jwks_url, transcript=transcript)
    assert result.signature == "verified" and result.verified
    assert result.kind == "jwt"
    assert result.header["alg"] == "ES256" and result.key_id == result.header["kid"]
    assert result.issuer == provider.issuer
    assert result.audience == ("webhook-oauth-lab-demo",)
    assert result.scope == "alerts:write alerts:read"
    assert result.client_id == provider.client_id
    assert [row.step for row in transcript] == ["inspect: JWKS"]


def test_a_tampered_payload_fails(make_demo):
    provider = make_demo()
    header, claims, signature = parts(demo_token(provider).access_token)
    claims["scope"] = "admin"
    forged = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), signature])
    result = inspect_token(forged, jwks_url=provider.jwks_url)
    assert result.signature.startswith("failed: the signature does not match")
    assert not result.verified


def test_a_token_from_another_provider_fails_on_its_key_id(make_demo):
    first, second = make_demo(), make_demo()
    result = inspect_token(demo_token(first).access_token, jwks_url=second.jwks_url)
    assert result.signature.startswith("failed: no signing key in the JWKS has kid")


def test_alg_none_is_never_accepted(make_demo):
    provider = make_demo()
    _, claims, _ = parts(demo_token(provider).access_token)
    none_header = b64(json.dumps({"alg": "none"}).encode())
    unsigned = f"{none_header}.{b64(json.dumps(claims).encode())}."
    assert inspect_token(unsigned, jwks_url=provider.jwks_url).signature.startswith("failed: alg 'none'")
    assert inspect_token(unsigned).signature.startswith("failed: alg 'none'")


def test_hs256_signed_with_the_public_key_is_not_accepted(make_demo):
    """The algorithm-confusion forgery: the public JWK used as an HMAC secret."""
    provider = make_demo()
    header, claims, _ = parts(demo_token(provider).access_token)
    import requests

    public_jwk = requests.get(provider.jwks_url, timeout=5).text.encode()
    forged_header = b64(json.dumps({"alg": "HS256", "kid": header["kid"], "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(public_jwk, f"{forged_header}.{body}".encode(), hashlib.sha256).digest()
    result = inspect_token(f"{forged_header}.{body}.{b64(mac)}", jwks_url=provider.jwks_url)
    assert result.signature.startswith("not checked: HS256")
    assert not result.verified


def test_an_algorithm_the_key_does_not_name_is_refused(make_demo):
    provider = make_demo()
    header, claims, signature = parts(demo_token(provider).access_token)
    header["alg"] = "ES384"
    altered = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), signature])
    assert inspect_token(altered, jwks_url=provider.jwks_url).signature.startswith("failed: the token says alg")


def test_rsa_keys_from_another_server_verify_and_pin_their_named_algorithm(scripted):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    scripted.routes["/jwks"] = Reply(200, {"keys": [{**jwk, "kid": "k1", "use": "sig"}]})
    scripted.routes["/jwks-pinned"] = Reply(200, {"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]})
    claims = {"iss": "https://as.example.com", "exp": 2_000_000_000}
    rs256 = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k1"})
    ps256 = jwt.encode(claims, private, algorithm="PS256", headers={"kid": "k1"})
    assert inspect_token(rs256, jwks_url=scripted.url("/jwks")).signature == "verified"
    assert inspect_token(ps256, jwks_url=scripted.url("/jwks")).signature == "verified"
    assert inspect_token(ps256, jwks_url=scripted.url("/jwks-pinned")).signature.startswith("failed")


def test_without_a_jwks_the_signature_is_not_checked(make_demo):
    result = inspect_token(demo_token(make_demo()).access_token)
    assert result.signature.startswith("not checked: no JWKS URL")


def test_an_unreadable_jwks_is_not_checked_with_the_reason(make_demo, scripted):
    provider = make_demo()
    scripted.routes["/jwks"] = Reply(200, "<html>", content_type="text/html")
    token = demo_token(provider)
    assert "HTTP 404" in inspect_token(token, jwks_url=provider.issuer + "/nope").signature
    assert "did not answer with JSON" in inspect_token(token, jwks_url=scripted.url("/jwks")).signature
    assert inspect_token(token, jwks_url="http://example.com/jwks").signature.startswith("not checked")


@pytest.mark.parametrize("jwk, expected", [
    ({"kty": "RSA"}, ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")),
    ({"kty": "RSA", "alg": "RS256"}, ("RS256",)),
    ({"kty": "RSA", "alg": "HS256"}, ()),
    ({"kty": "EC", "crv": "P-256"}, ("ES256",)),
    ({"kty": "EC", "crv": "P-384", "alg": "ES256"}, ()),
    ({"kty": "OKP", "crv": "Ed25519"}, ("EdDSA",)),
    ({"kty": "oct", "k": "c2VjcmV0"}, ()),
])
def test_allowed_algorithms_are_asymmetric_and_the_keys_own(jwk, expected):
    assert allowed_algorithms(jwk) == expected


# -- times ------------------------------------------------------------------------------------------------


def test_times_are_shown_in_utc_and_local_with_the_time_left(make_demo):
    provider = make_demo(access_token_ttl=600)
    access_token = demo_token(provider).access_token  # one token: two could straddle a second
    _, claims, _ = parts(access_token)
    result = inspect_token(access_token, now=claims["iat"])
    assert result.times["exp"]["utc"] == datetime.fromtimestamp(claims["exp"], timezone.utc).isoformat()
    assert result.times["exp"]["local"] == datetime.fromtimestamp(claims["exp"], timezone.utc).astimezone().isoformat()
    assert set(result.times) == {"iat", "exp"}
    assert result.time_left == 600 and result.expired is False
    assert result.time_left_text == "10 min"  # widgets.core.durations leaves a 0 unit out


def test_an_expired_token_says_so(make_demo):
    _, claims, _ = parts(demo_token(make_demo()).access_token)
    result = inspect_token(b64(b'{"alg":"ES256"}') + "." + b64(json.dumps(claims).encode()) + ".x",
                           now=claims["exp"] + 90)
    assert result.expired is True
    assert result.time_left_text == "expired 1 min 30 s ago"


def test_an_opaque_token_object_takes_its_expiry_from_the_response():
    token = Token.parse({"access_token": "opaque-access-token-0123456789", "token_type": "Bearer",
                         "expires_in": 120}, received_at=1_000_000)
    result = inspect_token(token, now=1_000_060)
    assert result.kind == "opaque" and result.time_left == 60
    assert any("expires_in" in n for n in result.notes)
    assert result.signature.startswith("not checked: an opaque token")


# -- introspection -------------------------------------------------------------------------------------------


def refresh_token_from(provider) -> str:
    flow = AuthorizationCodeFlow(code_config(provider, redirect_uri=provider.callback_url, scope="alerts:read"))
    token = flow.complete(provider.approve(flow.begin().url))
    assert token.refresh_token
    return token.refresh_token


def test_an_opaque_token_is_introspected(make_demo):
    provider = make_demo()
    opaque = refresh_token_from(provider)
    transcript = Transcript()
    result = inspect_token(opaque, introspection_url=provider.introspection_url, config=cc_config(provider),
                           transcript=transcript)
    assert result.kind == "opaque" and result.active is True
    assert result.scope == "alerts:read" and result.client_id == provider.client_id
    assert result.introspection["active"] is True
    assert opaque not in transcript.to_csv()


def test_an_unknown_opaque_token_is_inactive(make_demo):
    provider = make_demo()
    result = inspect_token("no-such-token-0123456789abcdef", introspection_url=provider.introspection_url,
                           config=cc_config(provider, client_auth="client_secret_post"))
    assert result.active is False
    assert any("not active" in n for n in result.notes)


def test_introspection_with_a_wrong_secret_reports_invalid_client(make_demo):
    provider = make_demo()
    result = inspect_token("some-opaque-token-0123456789", introspection_url=provider.introspection_url,
                           config=cc_config(provider, client_secret="wrong-secret-0123456789"))
    assert result.active is None
    assert "invalid_client" in result.introspection_error and "Client ID and Client Secret" in result.introspection_error


def test_introspection_without_credentials_is_not_done(make_demo):
    provider = make_demo()
    result = inspect_token("some-opaque-token-0123456789", introspection_url=provider.introspection_url)
    assert result.introspection_error.startswith("not done")


# -- input and output ---------------------------------------------------------------------------------------------


def test_bearer_prefix_and_quotes_are_removed(make_demo):
    provider = make_demo()
    token = demo_token(provider).access_token
    result = inspect_token(f'  "Bearer {token}"\n', jwks_url=provider.jwks_url)
    assert result.verified and any("Bearer" in n for n in result.notes)


@pytest.mark.parametrize("text", ["", "   ", "two words", "a\nb", "x" * 20000])
def test_unusable_input_is_an_inspection_error(text):
    with pytest.raises(InspectionError) as info:
        inspect_token(text)
    assert info.value.hint


def test_the_token_itself_never_appears_in_the_result(make_demo):
    provider = make_demo()
    token = demo_token(provider).access_token
    result = inspect_token(token, jwks_url=provider.jwks_url)
    shown = repr(result) + result.to_text() + json.dumps(result.to_dict()) + result.to_dataframe().to_csv()
    assert token not in shown
    assert token.split(".")[2] not in shown
