"""Test deliveries to the demo provider's webhook receiver, for each auth type."""

import pytest

from widgets import (
    AuthorizationCodeFlow,
    ClientCredentialsFlow,
    ConfigError,
    Transcript,
    WebhookAuthConfig,
    send_test_webhook,
)


def test_basic_delivery_is_accepted_and_recorded(demo):
    cfg = WebhookAuthConfig(auth_type="basic", username=demo.webhook_username, password=demo.webhook_password,
                            webhook_url=demo.webhook_url)
    result = send_test_webhook(cfg)
    assert result.status == 200 and result.ok and result.elapsed_ms > 0
    delivery = demo.webhook_deliveries[-1]
    assert delivery["auth_scheme"] == "Basic" and delivery["accepted"]
    assert delivery["json"]["eventType"] == "ALERT_NOTIFICATION_TRIGGER" and delivery["json"]["alert"]["ruleName"]
    assert result.headers_sent["Authorization"].startswith("Basic ****")


def test_wrong_basic_password_returns_401_with_a_hint(demo):
    cfg = WebhookAuthConfig(auth_type="basic", username=demo.webhook_username, password="wrong-password",
                            webhook_url=demo.webhook_url)
    transcript = Transcript()
    result = send_test_webhook(cfg, transcript)
    assert result.status == 401 and not result.ok and "refused the credentials" in result.hint
    assert transcript[-1].outcome == "error" and transcript[-1].hint == result.hint


def test_client_credentials_fetches_a_token_first(demo):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=demo.token_url, client_id=demo.client_id,
                            client_secret=demo.client_secret, webhook_url=demo.webhook_url)
    transcript = Transcript()
    result = send_test_webhook(cfg, transcript, payload={"hello": "world"})
    assert result.status == 200
    assert [e.step for e in transcript] == ["client credentials: token", "webhook: test delivery"]
    assert demo.webhook_deliveries[-1]["auth_scheme"] == "Bearer" and demo.webhook_deliveries[-1]["json"] == {"hello": "world"}


def test_token_from_the_code_flow_is_sent_as_bearer(demo):
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url=demo.auth_url, token_url=demo.token_url,
                            client_id=demo.client_id, client_secret=demo.client_secret,
                            redirect_uri=demo.callback_url, webhook_url=demo.webhook_url)
    flow = AuthorizationCodeFlow(cfg)
    token = flow.complete(demo.approve(flow.begin().url))
    assert send_test_webhook(cfg, token=token).status == 200
    pasted = WebhookAuthConfig(auth_type="token", token=token.access_token, webhook_url=demo.webhook_url)
    assert send_test_webhook(pasted).status == 200


def test_oauth_code_without_a_token_is_a_config_error(demo):
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url=demo.auth_url, token_url=demo.token_url,
                            client_id=demo.client_id, client_secret=demo.client_secret, webhook_url=demo.webhook_url)
    with pytest.raises(ConfigError) as info:
        send_test_webhook(cfg)
    assert "token" in info.value.problems


def test_missing_webhook_url_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        send_test_webhook(WebhookAuthConfig(auth_type="token", token="abc"))
    assert "webhook_url" in info.value.problems


def test_a_value_left_in_a_field_basic_does_not_have_does_not_block_a_basic_delivery(demo):
    # e.g. a token with a space from an earlier try as Token auth: Basic never sends it.
    cfg = WebhookAuthConfig(auth_type="basic", username=demo.webhook_username, password=demo.webhook_password,
                            webhook_url=demo.webhook_url, token="Bearer left over", auth_url="not a url")
    assert send_test_webhook(cfg).status == 200


def test_with_a_token_in_hand_only_the_token_and_the_url_are_checked(demo):
    token = ClientCredentialsFlow(WebhookAuthConfig(token_url=demo.token_url, client_id=demo.client_id,
                                                    client_secret=demo.client_secret)).fetch_token()
    for kind in ("oauth_code", "oauth_client_credentials", "token"):
        # The settings that got the token are not needed to send it.
        cfg = WebhookAuthConfig(auth_type=kind, webhook_url=demo.webhook_url)
        assert send_test_webhook(cfg, token=token).status == 200
    with pytest.raises(ConfigError) as info:
        send_test_webhook(WebhookAuthConfig(auth_type="oauth_code", webhook_url=demo.webhook_url),
                          token="abc def")
    assert set(info.value.problems) == {"token"}


def test_a_token_pasted_into_an_oauth_code_config_is_checked_and_sent(demo):
    token = ClientCredentialsFlow(WebhookAuthConfig(token_url=demo.token_url, client_id=demo.client_id,
                                                    client_secret=demo.client_secret)).fetch_token()
    cfg = WebhookAuthConfig(auth_type="oauth_code", webhook_url=demo.webhook_url, token=token.access_token)
    assert send_test_webhook(cfg).status == 200
    with pytest.raises(ConfigError) as info:
        send_test_webhook(cfg.replace(token="Bearer " + token.access_token))
    assert "token" in info.value.problems
