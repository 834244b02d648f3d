"""private_key_jwt, client_secret_jwt and mTLS from the library, against the demo and a fault server.

Every failure a person can cause (no certificate, an expired one, one from an unknown CA, a key
that does not fit, a provider certificate not trusted) ends as our error with its own hint, and
TLS verification stays on throughout: the demo's CA is trusted by file, never by turning it off.
"""

import pytest

from tests.support.client_auth import MTLSFaultServer, RecordingSigner, beyond_secret_demo, pem_body_chunks
from tests.support.tls import make_certificate
from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.client_credentials import ClientCredentialsFlow
from widgets.core.config import WebhookAuthConfig
from widgets.core.errors import ConfigError, TokenEndpointError, TransportError
from widgets.core.transcript import Transcript
from widgets.core.webhook import send_test_webhook
from widgets.diagnose.client_assertion import assertion_signer


@pytest.fixture(scope="module")
def provider():
    running = beyond_secret_demo()
    yield running
    running.stop()
    assert not running._internal_errors, running._internal_errors


def cc_config(provider, method, **changes):
    settings = provider.client_settings("client_credentials", client_auth=method)
    return WebhookAuthConfig(auth_type="oauth_client_credentials", **{**settings, **changes})


@pytest.mark.parametrize("method", ["private_key_jwt", "client_secret_jwt"])
def test_client_credentials_with_an_assertion(provider, method):
    cfg = cc_config(provider, method)
    signer = RecordingSigner(assertion_signer(cfg))
    transcript = Transcript()
    token = ClientCredentialsFlow(cfg, transcript, client_assertion=signer).fetch_token()
    assert token.claims["client_id"] == provider.client_id
    assert provider.token_requests[-1]["client_auth"] == method
    assert "client_assertion_type" in transcript.to_csv()
    assert signer.assertions and not any(a in transcript.to_csv() + transcript.to_html() for a in signer.assertions)


@pytest.mark.parametrize("method", ["private_key_jwt", "tls_client_auth"])
def test_a_test_delivery_gets_its_own_token_with_the_configs_client_authentication(provider, method):
    # The hint of the test below names client_assertion=: send_test_webhook takes it too.
    cfg = cc_config(provider, method)
    signer = RecordingSigner(assertion_signer(cfg)) if method == "private_key_jwt" else None
    transcript = Transcript()
    result = send_test_webhook(cfg, transcript, client_assertion=signer)
    assert result.ok, (result.status, result.hint)
    assert provider.token_requests[-1]["client_auth"] == method
    assert [row.step for row in transcript][-2:] == ["client credentials: token", "webhook: test delivery"]
    if signer is not None:
        assert len(signer.assertions) == 1 and signer.assertions[0] not in transcript.to_csv()


def test_without_a_signer_the_flow_says_how_to_get_one(provider):
    with pytest.raises(ConfigError) as caught:
        ClientCredentialsFlow(cc_config(provider, "private_key_jwt")).fetch_token()
    assert "assertion_signer" in caught.value.hint


def test_the_code_grant_and_its_refresh_sign_a_fresh_assertion_each(provider):
    settings = provider.client_settings("authorization_code", client_auth="private_key_jwt")
    cfg = WebhookAuthConfig(auth_type="oauth_code", **settings)
    signer = RecordingSigner(assertion_signer(cfg))
    flow = AuthorizationCodeFlow(cfg, client_assertion=signer)
    token = flow.complete(provider.approve(flow.begin().url))
    refreshed = flow.refresh()
    assert token.access_token and refreshed.access_token != token.access_token
    assert len(set(signer.assertions)) == 2
    assert [r["client_auth"] for r in provider.token_requests[-2:]] == ["private_key_jwt"] * 2


@pytest.mark.parametrize("method", ["tls_client_auth", "self_signed_tls_client_auth"])
def test_client_credentials_over_mtls_with_verification_on(provider, method):
    cfg = cc_config(provider, method)
    assert cfg.verify_tls is True and cfg.token_url.startswith("https://")
    transcript = Transcript()
    token = ClientCredentialsFlow(cfg, transcript).fetch_token()
    assert "x5t#S256" in token.claims["cnf"]  # RFC 8705 §3: bound to the certificate
    assert provider.token_requests[-1]["client_auth"] == method
    assert "verification is OFF" not in transcript.to_csv()


def hint_of(cfg) -> TransportError:
    with pytest.raises(TransportError) as caught:
        ClientCredentialsFlow(cfg).fetch_token()
    assert caught.value.reason == "tls"
    return caught.value


def test_an_expired_certificate_has_its_hint(provider):
    cert, key = provider.issue_client_certificate(expired=True)
    err = hint_of(cc_config(provider, "tls_client_auth", tls_client_cert=cert, tls_client_key=key))
    assert "expired" in err.hint
    provider.issue_client_certificate()  # the registered subject is the same; later tests use a good one


def test_a_certificate_from_an_unknown_ca_has_its_hint(provider, tmp_path):
    cert, key = make_certificate(tmp_path, dns=("demo-client",))
    err = hint_of(cc_config(provider, "tls_client_auth", tls_client_cert=str(cert), tls_client_key=str(key)))
    assert "does not trust the client certificate" in err.hint


def test_no_certificate_at_all_has_its_hint(provider, monkeypatch):
    # a shared-secret client at the mTLS endpoint, the demo's CA trusted the environment's way
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", provider.ca_file)
    cfg = cc_config(provider, "client_secret_basic", token_url=provider.mtls_token_url)
    err = hint_of(cfg)
    assert "requires a client certificate" in err.hint


def test_a_key_that_is_not_the_certificates_has_its_hint(provider, tmp_path):
    _, other_key = make_certificate(tmp_path, dns=("x",))
    cfg = cc_config(provider, "tls_client_auth")
    err = hint_of(cfg.replace(tls_client_key=str(other_key)))
    assert "do not belong together" in err.hint


def test_the_providers_certificate_is_still_verified_without_its_ca(provider):
    cfg = cc_config(provider, "tls_client_auth", tls_ca_file="")
    err = hint_of(cfg)
    assert "certificate is not trusted" in err.hint and "Server CA file" in err.hint


def test_a_missing_certificate_file_is_a_config_problem(provider, tmp_path):
    with pytest.raises(ConfigError) as caught:
        ClientCredentialsFlow(cc_config(provider, "tls_client_auth", tls_client_cert=str(tmp_path / "gone.pem")))
    assert set(caught.value.problems) == {"tls_client_cert"}


# -- a fault server that is not the demo --------------------------------------------------------------


@pytest.fixture
def fault_server(tmp_path):
    server = MTLSFaultServer(tmp_path / "fault")
    yield server
    server.close()


def fault_config(server, cert, key):
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=server.token_url, client_id="c",
                             client_auth="tls_client_auth", tls_client_cert=str(cert), tls_client_key=str(key),
                             tls_ca_file=str(server.ca.ca_file))


def test_the_fault_server_issues_a_token_to_its_own_certificate(fault_server):
    cert, key = fault_server.ca.client_certificate("c")
    assert ClientCredentialsFlow(fault_config(fault_server, cert, key)).fetch_token().access_token


@pytest.mark.parametrize("case, said", [("expired", "expired"), ("foreign", "does not trust")])
def test_the_fault_servers_refusals_have_their_hints(fault_server, tmp_path, case, said):
    if case == "expired":
        cert, key = fault_server.ca.client_certificate("c", stem="old", expired=True)
    else:
        cert, key = make_certificate(tmp_path, dns=("c",))
    assert said in hint_of(fault_config(fault_server, cert, key)).hint


def test_the_fault_server_without_a_certificate(fault_server, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fault_server.ca.ca_file))
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=fault_server.token_url, client_id="c",
                            client_secret="a-secret-that-never-matters")
    assert "requires a client certificate" in hint_of(cfg).hint


# -- canaries: keys and assertions in nothing shown -------------------------------------------------


def test_no_private_key_assertion_or_certificate_key_reaches_logs_transcripts_or_errors(provider, debug_logs, tmp_path):
    texts = []
    pk = cc_config(provider, "private_key_jwt")
    signer = RecordingSigner(assertion_signer(pk))
    transcript = Transcript()
    token = ClientCredentialsFlow(pk, transcript, client_assertion=signer).fetch_token()
    tls = cc_config(provider, "tls_client_auth")
    ClientCredentialsFlow(tls, transcript).fetch_token()
    expired_cert, expired_key = provider.issue_client_certificate(expired=True)
    try:
        ClientCredentialsFlow(tls.replace(tls_client_cert=expired_cert, tls_client_key=expired_key), transcript).fetch_token()
    except TransportError as exc:
        texts += [str(exc), exc.hint, repr(exc), repr(exc.__cause__)]
    provider.issue_client_certificate()
    replay = signer.assertions[0]
    try:
        ClientCredentialsFlow(pk, transcript, client_assertion=lambda aud: replay).fetch_token()
    except TokenEndpointError as exc:
        texts += [str(exc), exc.hint, repr(exc)]
    texts += ["\n".join(debug_logs), transcript.to_csv(), transcript.to_html(), repr(pk), repr(tls), repr(token),
              repr(signer.signer), transcript.to_dataframe().to_csv()]
    text = "\n".join(texts)
    assert any("requests_oauthlib" in line for line in debug_logs), "DEBUG logging was not captured"
    assert len(texts) > 12, "every failure was reached"
    for assertion in signer.assertions:
        assert assertion not in text and assertion.rsplit(".", 1)[1] not in text
    for path in (pk.client_key_file, tls.tls_client_key, expired_key):
        assert not any(chunk in text for chunk in pem_body_chunks(path)), path


def test_a_replayed_assertion_is_refused_with_its_own_hint(provider):
    cfg = cc_config(provider, "private_key_jwt")
    once = assertion_signer(cfg)(cfg.token_url)
    ClientCredentialsFlow(cfg, client_assertion=lambda audience: once).fetch_token()
    with pytest.raises(TokenEndpointError) as caught:
        ClientCredentialsFlow(cfg, client_assertion=lambda audience: once).fetch_token()
    assert caught.value.error == "invalid_client"
    assert "good for one request" in caught.value.hint
