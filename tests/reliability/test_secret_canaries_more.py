"""Canary secrets through the paths tests/core/test_secret_canaries.py does not walk yet:
the webhook path's exceptions, TransportError messages for URLs that carry a secret in their
query, and reprs of flows and settings built from such URLs. Every text a person can see is
checked: str/repr of the error and its hint, the transcript exports, DEBUG logs."""

from __future__ import annotations

import socket
import traceback

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_TOKEN, wire_forms
from tests.support.reliability import check_canary
from tests.support.servers import Reply
from widgets import (
    AuthorizationCodeFlow,
    ClientCredentialsFlow,
    ConfigError,
    Transcript,
    TransportError,
    WebhookAuthConfig,
    send_test_webhook,
)

QUERY_CANARY = "canary-QUERY-SECRET-8b6d4f2a0e"


def assert_no_canary(text: str, secret: str, where: str, **kwargs) -> None:
    for form in wire_forms(secret):
        check_canary(text, form, where, **kwargs)


def closed_port_url(path: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}{path}"


def everything_shown(error: BaseException | None, transcript: Transcript, logs: list[str]) -> str:
    """What the wizard and the exports show: the error (not its chained cause, see B15)."""
    text = transcript.to_csv() + transcript.to_html() + "\n".join(logs)
    if error is not None:
        text += str(error) + repr(error) + getattr(error, "hint", "")
    return text


# -- the webhook path's exceptions -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["basic", "token"])
def test_unreachable_receiver_error_holds_no_credential(kind, debug_logs):
    config = (WebhookAuthConfig(auth_type="basic", username="hook-user", password=CANARY_PASSWORD,
                                webhook_url=closed_port_url("/hook"), timeout=1)
              if kind == "basic" else
              WebhookAuthConfig(auth_type="token", token=CANARY_TOKEN, webhook_url=closed_port_url("/hook"), timeout=1))
    transcript = Transcript()
    with pytest.raises(TransportError) as info:
        send_test_webhook(config, transcript)
    assert info.value.reason == "refused"
    shown = everything_shown(info.value, transcript, debug_logs) + repr(config)
    assert_no_canary(shown, CANARY_PASSWORD if kind == "basic" else CANARY_TOKEN, f"a refused {kind} delivery")


def test_webhook_config_error_holds_no_credential():
    bad = WebhookAuthConfig(auth_type="token", token=CANARY_TOKEN + " trailing words", webhook_url="http://example.com/x")
    with pytest.raises(ConfigError) as info:
        send_test_webhook(bad)
    text = str(info.value) + repr(info.value) + info.value.hint + repr(bad) + str(info.value.problems)
    assert_no_canary(text, CANARY_TOKEN, "a ConfigError of the webhook path")


def test_receiver_echoing_the_authorization_header_is_masked(scripted, debug_logs):
    scripted.routes["/hook"] = lambda seen: Reply(
        401, f"<p>rejected header: {seen['headers'].get('Authorization')}</p>", content_type="text/html")
    config = WebhookAuthConfig(auth_type="token", token=CANARY_TOKEN, webhook_url=scripted.url("/hook"), timeout=1)
    transcript = Transcript()
    result = send_test_webhook(config, transcript)
    assert result.status == 401
    shown = everything_shown(None, transcript, debug_logs) + repr(result) + result.body_preview
    assert_no_canary(shown, CANARY_TOKEN, "a 401 page that echoes the Authorization header")


def test_receiver_timeout_error_holds_no_credential(scripted, debug_logs):
    scripted.routes["/hook"] = Reply(action=lambda handler, stop: stop.wait(3))
    config = WebhookAuthConfig(auth_type="basic", username="hook-user", password=CANARY_PASSWORD,
                               webhook_url=scripted.url("/hook"), timeout=0.5)
    transcript = Transcript()
    with pytest.raises(TransportError) as info:
        send_test_webhook(config, transcript)
    assert info.value.reason == "timeout"
    assert_no_canary(everything_shown(info.value, transcript, debug_logs), CANARY_PASSWORD, "a timed-out delivery")


# -- URLs with a secret in the query -----------------------------------------------------------

# Names SECRET_KEYS covers (RFC 6749 / 6750 parameters, Azure Functions' ?code=).
MASKED_BY_NAME = ["code", "client_secret", "access_token", "token", "password"]
# Names webhook URLs really use, which SECRET_KEYS did not cover (B14 in RELIABILITY.md).
NOT_YET_MASKED = ["api_key", "apikey", "key", "sig", "signature", "secret", "auth"]
B14 = pytest.mark.known_bug("B14")


def _names():
    return [*MASKED_BY_NAME, *(pytest.param(n, marks=B14) for n in NOT_YET_MASKED)]


@pytest.mark.parametrize("name", _names())
def test_transport_error_for_a_webhook_url_with_a_secret_query_masks_it(name, debug_logs):
    url = closed_port_url(f"/hook?{name}={QUERY_CANARY}")
    config = WebhookAuthConfig(auth_type="token", token="tok-0123456789abcdef", webhook_url=url, timeout=1)
    transcript = Transcript()
    with pytest.raises(TransportError) as info:
        send_test_webhook(config, transcript)
    known = "B14" if name in NOT_YET_MASKED else None
    assert_no_canary(everything_shown(info.value, transcript, debug_logs), QUERY_CANARY,
                     f"the error of a webhook URL with ?{name}=", known=known)


@pytest.mark.parametrize("name", _names())
def test_transport_error_for_a_token_url_with_a_secret_query_masks_it(name, debug_logs):
    url = closed_port_url(f"/token?{name}={QUERY_CANARY}")
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c",
                               client_secret="cc-secret-0123456789", timeout=1)
    flow = ClientCredentialsFlow(config, Transcript())
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    known = "B14" if name in NOT_YET_MASKED else None
    assert_no_canary(everything_shown(info.value, flow.transcript, debug_logs), QUERY_CANARY,
                     f"the error of a token URL with ?{name}=", known=known)


B13 = pytest.mark.known_bug("B13")


@B13
@pytest.mark.parametrize("name", MASKED_BY_NAME)
def test_reprs_of_settings_and_flows_mask_a_secret_in_a_url_query(name):
    url = f"https://fn.example.net/api/hook?{name}={QUERY_CANARY}"
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=url, token_url=url.replace("hook", "token"),
                               client_id="c", client_secret="cc-secret-0123456789",
                               redirect_uri="https://app.example/cb", webhook_url=url)
    shown = repr(config) + str(config) + repr(AuthorizationCodeFlow(config))
    shown += repr(ClientCredentialsFlow(config.replace(auth_type="oauth_client_credentials")))
    assert_no_canary(shown, QUERY_CANARY, f"reprs built from URLs with ?{name}=",
                     known="B13")


@pytest.mark.known_bug("B15")
@pytest.mark.parametrize("where", ["webhook", "token"])
def test_the_traceback_a_notebook_prints_masks_a_secret_in_the_url(where):
    url = closed_port_url(f"/{where}?client_secret={QUERY_CANARY}")
    if where == "webhook":
        config = WebhookAuthConfig(auth_type="token", token="tok-0123456789abcdef", webhook_url=url, timeout=1)
        call = lambda: send_test_webhook(config)  # noqa: E731
    else:
        config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c",
                                   client_secret="cc-secret-0123456789", timeout=1)
        call = ClientCredentialsFlow(config).fetch_token
    with pytest.raises(TransportError) as info:
        call()
    # what IPython shows for an uncaught error: the whole chain, causes first
    shown = "".join(traceback.format_exception(info.value))
    assert_no_canary(shown, QUERY_CANARY, "the chained traceback of a TransportError",
                     known="B15")
