"""Canary secrets through every path of the core: reprs, exceptions, DEBUG logs, transcripts."""

import logging

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN, assert_clean
from widgets import (
    AuthorizationCodeFlow,
    ClientCredentialsFlow,
    DemoProvider,
    TokenEndpointError,
    Transcript,
    WebhookAuthConfig,
    send_test_webhook,
)
from widgets.core.redact import mask, redact_url, scrub


@pytest.fixture
def canary_demo():
    with DemoProvider(client_secret=CANARY_SECRET, password=CANARY_PASSWORD,
                      webhook_password=CANARY_PASSWORD + "-hook") as provider:
        yield provider


def test_client_credentials_debug_logs_and_exports_hold_no_secret(canary_demo, debug_logs):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=canary_demo.token_url,
                            client_id=canary_demo.client_id, client_secret=CANARY_SECRET,
                            client_auth="client_secret_post", webhook_url=canary_demo.webhook_url)
    transcript = Transcript()
    token = ClientCredentialsFlow(cfg, transcript).fetch_token()
    result = send_test_webhook(cfg, transcript)
    assert result.status == 200
    text = "\n".join(debug_logs) + transcript.to_csv() + transcript.to_html() + repr(token) + str(cfg)
    text += transcript.to_dataframe().to_csv() + repr(result)
    assert any("requests_oauthlib" in line for line in debug_logs), "DEBUG logging was not captured"
    assert_clean(text, [CANARY_SECRET, token.access_token])


def test_code_flow_debug_logs_hold_no_code_verifier_or_tokens(canary_demo, debug_logs):
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url=canary_demo.auth_url, token_url=canary_demo.token_url,
                            client_id=canary_demo.client_id, client_secret=CANARY_SECRET,
                            redirect_uri=canary_demo.callback_url)
    flow = AuthorizationCodeFlow(cfg, Transcript())
    request = flow.begin()
    landed = canary_demo.approve(request.url)
    code = landed.split("code=", 1)[1].split("&", 1)[0]
    token = flow.complete(landed)
    refreshed = flow.refresh(token)
    text = "\n".join(debug_logs) + flow.transcript.to_csv() + repr(flow) + repr(request) + repr(token)
    assert_clean(text, [CANARY_SECRET, CANARY_PASSWORD, request.code_verifier, code, token.access_token,
                        token.refresh_token, refreshed.access_token, refreshed.refresh_token])


def test_errors_hold_no_secret(canary_demo, debug_logs):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=canary_demo.token_url,
                            client_id=canary_demo.client_id, client_secret=CANARY_SECRET + "-wrong")
    flow = ClientCredentialsFlow(cfg, Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    err = info.value
    text = str(err) + repr(err) + err.hint + "\n".join(debug_logs) + flow.transcript.to_csv()
    assert_clean(text, [CANARY_SECRET, CANARY_SECRET + "-wrong"])


def test_provider_echoing_the_secret_in_an_error_page_is_masked(scripted):
    from tests.support.servers import Reply

    scripted.routes["/token"] = lambda seen: Reply(500, f"<p>bad request body: {seen['body']}</p>", content_type="text/html")
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                            client_id="c", client_secret=CANARY_SECRET, client_auth="client_secret_post")
    flow = ClientCredentialsFlow(cfg, Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    assert_clean(str(info.value) + flow.transcript.to_csv(), [CANARY_SECRET])


def test_basic_and_token_webhooks_hold_no_secret(canary_demo, debug_logs):
    transcript = Transcript()
    basic = WebhookAuthConfig(auth_type="basic", username=canary_demo.webhook_username,
                              password=canary_demo.webhook_password, webhook_url=canary_demo.webhook_url)
    assert send_test_webhook(basic, transcript).status == 200
    bearer = WebhookAuthConfig(auth_type="token", token=CANARY_TOKEN, webhook_url=canary_demo.webhook_url)
    result = send_test_webhook(bearer, transcript)
    assert result.status == 401 and result.hint
    text = transcript.to_csv() + "\n".join(debug_logs) + repr(result)
    assert_clean(text, [canary_demo.webhook_password, CANARY_TOKEN])


def test_mask_shows_at_most_four_characters():
    assert mask("short") == "****"
    assert mask("a" * 20 + "wxyz") == "****wxyz"
    assert mask("") == "" and mask(None) == ""


def test_scrub_masks_common_shapes():
    text = ("access_token=abcdefghijklmnop1234&code=xyz987654321 'client_secret': 'zzzzzzzzzzzzzzzz' "
            '"refresh_token":"rrrrrrrrrrrrrrrrrrrr" Authorization: Bearer tttttttttttttttttt status_code=200')
    out = scrub(text)
    for secret in ("abcdefghijklmnop1234", "xyz987654321", "zzzzzzzzzzzzzzzz", "rrrrrrrrrrrrrrrrrrrr", "tttttttttttttttttt"):
        assert secret not in out
    assert "status_code=200" in out


def test_redact_url_masks_code_but_keeps_state():
    url = redact_url("https://app.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2Fa")
    assert "SplxlOBeZQQYbYS6WxSbIA" not in url and "state=xyz" in url


def test_log_records_with_args_are_rewritten_before_handlers():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("requests_oauthlib.oauth2_session")
    handler = Keep()
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("Obtained token %s.", {"access_token": "A" * 30, "refresh_token": "B" * 30})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert records and "A" * 30 not in records[0].getMessage() and "B" * 30 not in records[0].getMessage()


def test_masked_basic_header_gives_away_nothing_of_the_password():
    from widgets.core.headers import basic_authorization
    from widgets.core.redact import redact_headers

    header = basic_authorization("webhook", "password-ending-333")
    shown = redact_headers({"Authorization": header})["Authorization"]
    assert shown == "Basic ****"
    assert header.split()[1][-4:] not in scrub(f"Authorization: {header}")
