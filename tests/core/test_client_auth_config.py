"""Config for the methods beyond a shared secret: each method's fields, what each requires, and checks."""

import pytest

from widgets.core.config import (ASSERTION_ALGORITHMS, CLIENT_AUTH_FIELDS, CLIENT_AUTH_METHODS, AuthType,
                                 WebhookAuthConfig)


def cc(**settings):
    base = dict(auth_type="oauth_client_credentials", token_url="https://as.example/token", client_id="cid")
    return WebhookAuthConfig(**{**base, **settings})


def test_every_method_has_its_own_fields_and_the_secret_only_where_it_is_used():
    kind = AuthType.OAUTH_CLIENT_CREDENTIALS
    assert kind.fields_for("client_secret_basic") == tuple(n for n in kind.fields
                                                           if n not in {f for fs in CLIENT_AUTH_FIELDS.values() for f in fs})
    assert {"client_key_file", "client_key_id", "client_assertion_alg"} <= set(kind.fields_for("private_key_jwt"))
    assert "client_secret" not in kind.fields_for("private_key_jwt")
    assert "tls_client_cert" not in kind.fields_for("private_key_jwt")
    assert "client_secret" in kind.fields_for("client_secret_jwt")
    for method in ("tls_client_auth", "self_signed_tls_client_auth"):
        assert {"tls_client_cert", "tls_client_key", "tls_ca_file"} <= set(kind.fields_for(method))
        assert "client_secret" not in kind.fields_for(method)
    assert AuthType.BASIC.fields_for("private_key_jwt") == AuthType.BASIC.fields


def test_private_key_jwt_needs_a_key_file_not_a_secret(tmp_path):
    assert cc(client_auth="private_key_jwt").problems() == {"client_key_file": ["is required for private_key_jwt"]}
    key = tmp_path / "key.pem"
    key.write_text("x")
    assert cc(client_auth="private_key_jwt", client_key_file=str(key)).problems() == {}
    missing = cc(client_auth="private_key_jwt", client_key_file=str(tmp_path / "nope.pem")).problems()
    assert missing == {"client_key_file": ["names no file here; give the path of a PEM file"]}


def test_mtls_needs_the_certificate_and_its_key(tmp_path):
    found = cc(client_auth="tls_client_auth").problems()
    assert set(found) == {"tls_client_cert", "tls_client_key"}
    for name in ("cert.pem", "key.pem", "ca.pem"):
        (tmp_path / name).write_text("x")
    ok = cc(client_auth="self_signed_tls_client_auth", tls_client_cert=str(tmp_path / "cert.pem"),
            tls_client_key=str(tmp_path / "key.pem"), tls_ca_file=str(tmp_path / "ca.pem"))
    assert ok.problems() == {}
    assert "tls_ca_file" in ok.replace(verify_tls=False).problems()  # a CA file is never a way round verification


@pytest.mark.parametrize("method", ["private_key_jwt", "client_secret_jwt"])
def test_an_algorithm_of_the_wrong_family_is_a_problem(tmp_path, method):
    key = tmp_path / "key.pem"
    key.write_text("x")
    settings = dict(client_auth=method, client_key_file=str(key), client_secret="s3cret-of-the-client")
    wrong = "HS256" if method == "private_key_jwt" else "RS256"
    assert "client_assertion_alg" in cc(**settings, client_assertion_alg=wrong).problems()
    assert cc(**settings, client_assertion_alg=ASSERTION_ALGORITHMS[method][0]).problems() == {}


def test_a_code_client_with_a_key_is_confidential_and_may_skip_pkce(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    code = WebhookAuthConfig(auth_type="oauth_code", auth_url="https://as.example/a", token_url="https://as.example/t",
                             client_id="cid", client_auth="private_key_jwt", client_key_file=str(key), pkce=False)
    assert code.problems() == {}
    assert "pkce" in code.replace(client_auth="client_secret_basic").problems()  # public client: as before


def test_fields_of_another_method_are_never_checked():
    assert cc(client_secret="s", tls_client_cert="/nowhere", client_key_file="/nowhere").problems() == {}
    assert set(CLIENT_AUTH_METHODS) >= set(CLIENT_AUTH_FIELDS)
