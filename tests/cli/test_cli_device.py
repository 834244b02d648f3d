"""``python -m widgets device`` against the demo, and OpenID Connect in the code-flow commands."""

from __future__ import annotations

import json
import threading

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.servers import wait_until
from widgets.cli.device import big_code
from widgets.cli.main import EXIT_OK, EXIT_REFUSED, main

SECRET_ENV = "WEBHOOK_LAB_TEST_SECRET"


@pytest.fixture
def provider(make_demo, monkeypatch):
    running = make_demo(client_secret=CANARY_SECRET, device_interval=1)
    monkeypatch.setenv(SECRET_ENV, running.client_secret)
    return running


def person(provider, *, deny: bool = False) -> threading.Thread:
    """Someone at the verification page: types the code of the next device request, decides."""

    def act():
        # after the first poll, so that the polling has something to show
        if wait_until(lambda: provider.device_requests and provider.device_requests[-1]["user_code"]
                      and provider.token_requests, 20):
            provider.approve_device(provider.device_requests[-1]["user_code"], deny=deny)

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert CANARY_SECRET not in text and "eyJ" not in text
    return code, captured.out, captured.err


def test_device_prints_the_code_big_polls_and_gets_a_token(provider, capsys):
    helper = person(provider)
    code, out, err = run(capsys, "device", "--issuer", provider.issuer, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--scope", "alerts:read", "--wait", "30")
    helper.join(5)
    assert code == EXIT_OK, err
    user_code = provider.device_requests[-1]["user_code"]
    assert big_code(user_code) in out and provider.verification_url in out
    assert "poll 1: authorization_pending" in out and "device grant" in out
    assert "access token   ****" in out
    for row in provider.token_requests:
        assert row["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"


def test_device_json_keeps_stdout_one_document_and_a_denial_exits_3(provider, capsys):
    helper = person(provider, deny=True)
    code, out, err = run(capsys, "device", "--json", "--device-url", provider.device_authorization_url,
                         "--token-url", provider.token_url, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--wait", "30")
    helper.join(5)
    assert code == EXIT_REFUSED
    document = json.loads(out)
    assert document["ok"] is False and document["error"]["type"] == "DeviceAccessDenied"
    assert provider.device_requests[-1]["user_code"] in err  # the code was shown, on stderr


def test_device_paste_ready_puts_the_token_into_a_token_webhook(provider, capsys):
    helper = person(provider)
    code, out, err = run(capsys, "device", "--issuer", provider.issuer, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--paste-ready", "--wait", "30")
    helper.join(5)
    assert code == EXIT_OK, err
    assert "Auth Type  Token" in out and "no webhook can run it" in out


def test_device_without_an_endpoint_is_a_usage_problem(provider, capsys):
    code, out, err = run(capsys, "device", "--token-url", provider.token_url, "--client-id", "c")
    assert code == 2 and "device_authorization_url" in err


def test_exchange_with_openid_validates_the_id_token_and_shows_each_check(provider, capsys, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, err = run(capsys, "authorize", "--json", "--issuer", provider.issuer, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--scope", "openid alerts:write",
                         "--redirect-uri", provider.callback_url, "--state-file", str(state_file))
    assert code == EXIT_OK, err
    link = json.loads(out)["authorize_url"]
    assert "nonce=" in link
    landed = provider.approve(link)
    code, out, err = run(capsys, "exchange", landed, "--state-file", str(state_file), "--client-secret-env", SECRET_ENV)
    assert code == EXIT_OK, err
    assert "ID token, claim by claim" in out and "FAILED" not in out
    for check in ("signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash"):
        assert f"\n  {check} " in out
