"""The client assertion of private_key_jwt and client_secret_jwt (RFC 7523 §2.2, OIDC Core §9)."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.client_auth import pem_body_chunks
from widgets.core.config import WebhookAuthConfig
from widgets.core.errors import ConfigError
from widgets.diagnose.client_assertion import (ASSERTION_LIFETIME, ClientAssertionSigner, assertion_signer,
                                               decode_assertion, generate_private_key)

TOKEN_URL = "https://as.example/oauth2/token"


def config(key_file="", **settings):
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=TOKEN_URL, client_id="my-client",
                             client_auth="private_key_jwt", client_key_file=str(key_file), **settings)


@pytest.mark.parametrize("kind, alg", [("EC", "ES256"), ("RSA", "RS256")])
def test_the_assertion_names_the_client_the_token_endpoint_and_lives_a_minute(tmp_path, kind, alg):
    jwk = generate_private_key(tmp_path / "key.pem", kind=kind)
    assert "d" not in jwk and jwk["alg"] == alg
    assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0
    signer = assertion_signer(config(tmp_path / "key.pem", client_key_id="k1"))
    first, second = signer(TOKEN_URL), signer(TOKEN_URL)
    public = (jwt.algorithms.RSAAlgorithm if kind == "RSA" else jwt.algorithms.ECAlgorithm).from_jwk(jwk)
    claims = jwt.decode(first, public, algorithms=[alg], audience=TOKEN_URL)
    assert claims["iss"] == claims["sub"] == "my-client"
    assert claims["exp"] - claims["iat"] == ASSERTION_LIFETIME
    assert jwt.get_unverified_header(first) == {"alg": alg, "typ": "JWT", "kid": "k1"}
    assert decode_assertion(second)[1]["jti"] != claims["jti"]  # a jti is used once


def test_client_secret_jwt_signs_with_the_secret():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=TOKEN_URL, client_id="my-client",
                            client_secret="the-client-secret-0123456789abcdefghij", client_auth="client_secret_jwt")
    assertion = assertion_signer(cfg)(TOKEN_URL)
    assert jwt.decode(assertion, "the-client-secret-0123456789abcdefghij", algorithms=["HS256"], audience=TOKEN_URL)["sub"] == "my-client"
    assert assertion_signer(cfg.replace(client_auth="client_secret_basic")) is None


def test_a_key_that_does_not_fit_the_algorithm_is_refused_with_the_field(tmp_path):
    generate_private_key(tmp_path / "key.pem")
    with pytest.raises(ConfigError) as caught:
        assertion_signer(config(tmp_path / "key.pem", client_assertion_alg="RS256"))(TOKEN_URL)
    assert set(caught.value.problems) == {"client_assertion_alg"}


def test_a_file_that_is_not_a_key_is_refused_without_quoting_it(tmp_path):
    bad = tmp_path / "key.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot-base64-canary-KEYFILE-31337\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ConfigError) as caught:
        assertion_signer(config(bad))
    assert "canary-KEYFILE" not in str(caught.value) + caught.value.hint
    assert "PEM private key" in str(caught.value)


def test_an_encrypted_key_is_refused_with_a_hint(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.BestAvailableEncryption(b"pass-phrase")))
    with pytest.raises(ConfigError, match="encrypted"):
        assertion_signer(config(tmp_path / "key.pem"))


def test_the_signer_shows_the_files_path_never_the_key(tmp_path):
    generate_private_key(tmp_path / "key.pem", kind="RSA")
    signer = assertion_signer(config(tmp_path / "key.pem"))
    shown = repr(signer) + str(signer) + repr(signer.last_claims)
    signer(TOKEN_URL)
    shown += repr(signer.last_claims) + repr(signer.last_header) + repr(vars(signer).keys())
    assert str(tmp_path / "key.pem") in repr(signer)
    assert not any(chunk in shown for chunk in pem_body_chunks(tmp_path / "key.pem"))


def test_signer_takes_an_explicit_key_and_clock():
    key = ec.generate_private_key(ec.SECP256R1())
    signer = ClientAssertionSigner(key, client_id="c", clock=lambda: 1_000_000)
    claims = decode_assertion(signer("https://as.example/t"))[1]
    assert (claims["iat"], claims["exp"]) == (1_000_000, 1_000_000 + ASSERTION_LIFETIME)
