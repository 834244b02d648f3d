"""verify_tls is exactly True or False, and False is shown wherever it applies (issue 14, item 12).

Before, any falsy value (0, "", None) switched certificate checking off without a word, and
the transcript looked like any other.
"""

import pytest

from widgets import ClientCredentialsFlow, ConfigError, Transcript, WebhookAuthConfig, send_test_webhook
from widgets.core.errors import WebhookAuthError
from tests.support.tls import TLSTokenServer, make_certificate

NOT_BOOLEANS = [0, 0.0, "", None, "false", "False", "no", "0", "off", [], 1, "true", "yes"]


@pytest.fixture
def self_signed(tmp_path, monkeypatch):
    """An https token endpoint on 127.0.0.1 with a certificate nobody trusts."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    cert, key = make_certificate(tmp_path, ips=("127.0.0.1",))
    server = TLSTokenServer(cert, key)
    yield server
    server.stop()


def _config(url, **changes):
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="client",
                             client_secret="s3cret-value-long-enough", **changes)


@pytest.mark.parametrize("value", NOT_BOOLEANS, ids=repr)
def test_a_value_that_is_not_a_boolean_is_a_config_error_before_any_request(self_signed, value):
    config = _config(f"https://127.0.0.1:{self_signed.port}/token", verify_tls=value)
    assert "verify_tls" in config.problems()
    try:
        ClientCredentialsFlow(config, Transcript()).fetch_token()
        raised = None
    except WebhookAuthError as exc:
        raised = exc
    # on the old code 0, "" and None fetched a token from the untrusted server without a word
    assert self_signed.seen == [], f"verify_tls={value!r} sent a request"
    assert isinstance(raised, ConfigError) and "verify_tls" in raised.problems
    assert "True or False" in raised.problems["verify_tls"][0]


@pytest.mark.parametrize("value", [0, "", None, "false"], ids=repr)
def test_discovery_refuses_a_verify_tls_that_is_not_a_boolean(self_signed, value):
    from widgets.diagnose.discovery import discover

    with pytest.raises(ConfigError) as info:
        discover(f"https://127.0.0.1:{self_signed.port}", verify_tls=value)
    assert "verify_tls" in info.value.problems and self_signed.seen == []


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verification_off_works_and_every_row_says_so(self_signed):
    config = _config(f"https://127.0.0.1:{self_signed.port}/token", verify_tls=False)
    assert "verification is OFF" in config.tls_warning
    flow = ClientCredentialsFlow(config, Transcript())
    assert flow.config.tls_warning == config.tls_warning  # what the UI reads off the flow
    assert flow.fetch_token().access_token.startswith("over-tls")
    row = flow.transcript[-1]
    assert row.outcome == "warning"
    assert row.row()["note"].startswith("WARNING: TLS certificate verification is OFF")
    assert "verification is OFF" in flow.transcript.to_csv()
    assert "verification is OFF" in flow.transcript.to_html()


def test_verification_on_refuses_the_untrusted_server_and_has_no_warning(self_signed):
    from widgets import TransportError

    config = _config(f"https://127.0.0.1:{self_signed.port}/token")
    assert config.verify_tls is True and config.tls_warning == ""
    flow = ClientCredentialsFlow(config, Transcript())
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    assert info.value.reason == "tls"
    assert "OFF" not in flow.transcript.to_csv()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_failed_exchange_without_verification_still_says_so(self_signed):
    config = _config(f"https://127.0.0.1:{self_signed.port}/missing", verify_tls=False)
    self_signed.server.RequestHandlerClass.do_POST = lambda handler: handler.send_error(500)
    flow = ClientCredentialsFlow(config, Transcript())
    with pytest.raises(WebhookAuthError):
        flow.fetch_token()
    row = flow.transcript[-1]
    assert row.outcome == "error" and "verification is OFF" in row.row()["note"]


def test_plain_http_on_loopback_is_not_flagged(scripted):
    from tests.support.servers import Reply

    scripted.routes["/hook"] = Reply(204)
    config = WebhookAuthConfig(auth_type="token", token="webhook-token-0123456789",
                               webhook_url=scripted.url("/hook"), verify_tls=False)
    transcript = Transcript()
    send_test_webhook(config, transcript)
    assert transcript[-1].outcome == "ok" and "OFF" not in transcript[-1].row()["note"]
