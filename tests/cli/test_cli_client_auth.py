"""The command line with private_key_jwt and mTLS: file paths on the command line, never keys."""

import json

import pytest

from tests.support.client_auth import beyond_secret_demo, pem_body_chunks
from widgets.cli.main import EXIT_OK, EXIT_TRANSPORT, main


@pytest.fixture(scope="module")
def provider():
    running = beyond_secret_demo()
    yield running
    running.stop()


def run(capsys, *argv, keys=()):
    code = main(list(argv))
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert "eyJ" not in text  # no JWT, assertion or token, whole or in part
        for path in keys:
            assert not any(chunk in text for chunk in pem_body_chunks(path)), path
    return code, captured.out, captured.err


def test_token_with_private_key_jwt(capsys, provider):
    s = provider.client_settings("client_credentials", client_auth="private_key_jwt")
    code, out, err = run(capsys, "token", "--token-url", s["token_url"], "--client-id", s["client_id"],
                         "--client-auth", "private_key_jwt", "--client-key-file", s["client_key_file"],
                         "--client-key-id", s["client_key_id"], "--json", keys=[s["client_key_file"]])
    assert code == EXIT_OK, err
    assert json.loads(out)["token"]["access_token"].startswith("****")
    assert provider.token_requests[-1]["client_auth"] == "private_key_jwt"


def test_token_over_mtls(capsys, provider):
    s = provider.client_settings("client_credentials", client_auth="tls_client_auth")
    argv = ["token", "--token-url", s["token_url"], "--client-id", s["client_id"], "--client-auth", "tls_client_auth",
            "--tls-client-cert", s["tls_client_cert"], "--tls-client-key", s["tls_client_key"]]
    code, out, err = run(capsys, *argv, "--tls-ca-file", s["tls_ca_file"], keys=[s["tls_client_key"]])
    assert code == EXIT_OK, err
    assert provider.token_requests[-1]["client_auth"] == "tls_client_auth"
    code, out, err = run(capsys, *argv, keys=[s["tls_client_key"]])  # without the CA: verification refuses
    assert code == EXIT_TRANSPORT and "not trusted" in err


def test_authorize_then_exchange_with_private_key_jwt(capsys, provider, tmp_path):
    s = provider.client_settings("authorization_code", client_auth="private_key_jwt")
    state_file = tmp_path / "pending.json"
    code, out, err = run(capsys, "authorize", "--auth-url", s["auth_url"], "--token-url", s["token_url"],
                         "--client-id", s["client_id"], "--redirect-uri", s["redirect_uri"], "--issuer", s["issuer"],
                         "--client-auth", "private_key_jwt", "--client-key-file", s["client_key_file"],
                         "--state-file", str(state_file), "--json", keys=[s["client_key_file"]])
    assert code == EXIT_OK, err
    assert not any(chunk in state_file.read_text() for chunk in pem_body_chunks(s["client_key_file"]))
    location = provider.approve(json.loads(out)["authorize_url"])
    # the state file keeps the key file's path: exchange needs no key option again
    code, out, err = run(capsys, "exchange", location, "--state-file", str(state_file), keys=[s["client_key_file"]])
    assert code == EXIT_OK, err
    assert provider.token_requests[-1]["client_auth"] == "private_key_jwt"


def test_probe_says_the_provider_accepts_private_key_jwt(capsys, provider):
    s = provider.client_settings("client_credentials", client_auth="private_key_jwt")
    code, out, err = run(capsys, "probe", "--issuer", provider.issuer, "--client-id", s["client_id"],
                         "--client-auth", "private_key_jwt", "--client-key-file", s["client_key_file"], "--json",
                         keys=[s["client_key_file"]])
    assert code == EXIT_OK, err
    row = next(r for r in json.loads(out)["rows"] if r["key"] == "private_key_jwt")
    assert row["verdict"] == "yes" and "advertises private_key_jwt" in row["evidence"]


def test_a_key_typed_where_an_option_takes_a_path_is_not_echoed(capsys):
    body = "MIGHAgEAMBMGByqGSM49canaryKEYbody0123456789"
    code = main(["token", "--client-key", body])
    assert code == 2
    assert body not in capsys.readouterr().err
