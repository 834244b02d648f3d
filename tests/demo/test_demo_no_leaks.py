"""Nothing the provider does may put a secret in a log or on stderr."""

import logging

import pytest
import requests

from tests.support.demo import authorize_url, code_flow, token_request
from widgets.demo import DemoProvider


def test_no_code_token_or_secret_reaches_any_log_at_debug(caplog):
    with caplog.at_level(logging.DEBUG):
        with DemoProvider(webhook_password="webhook-password-canary") as provider:
            response, verifier, code = code_flow(provider)
            tokens = response.json()
            refreshed = token_request(provider, {"grant_type": "refresh_token",
                                                 "refresh_token": tokens["refresh_token"]}).json()
            client_token = token_request(provider, {"grant_type": "client_credentials"}).json()
            requests.post(provider.introspection_url, data={"token": tokens["access_token"]},
                          auth=(provider.client_id, provider.client_secret), timeout=10)
            requests.post(provider.webhook_url, json={}, timeout=10,
                          auth=(provider.webhook_username, provider.webhook_password))
            with pytest.raises(RuntimeError):
                provider.approve(authorize_url(provider), password="wrong-password-canary")
            secrets = ["wrong-password-canary", provider.client_secret, provider.password, provider.webhook_password, code, verifier,
                       tokens["access_token"], tokens["refresh_token"], refreshed["access_token"],
                       refreshed["refresh_token"], client_token["access_token"]]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "expected some DEBUG records (urllib3 at least)"
    for secret in secrets:
        assert secret not in logged


def test_the_server_prints_nothing_to_stdout_or_stderr(capfd):
    with DemoProvider() as provider:
        code_flow(provider)
        requests.get(provider.issuer + "/missing", timeout=10)
        requests.get(authorize_url(provider, client_id="unknown"), timeout=10)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_the_provider_never_sets_oauthlib_insecure_transport(monkeypatch):
    import os

    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    with DemoProvider() as provider:
        response, _, _ = code_flow(provider)
        assert response.status_code == 200
        assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
