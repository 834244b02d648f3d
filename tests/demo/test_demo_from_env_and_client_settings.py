"""DemoProvider.from_env (the notebooks' set-up) and client_settings (the fields a config needs)."""

import dataclasses

import pytest
import requests

from tests.support.demo import basic
from widgets import AuthorizationCodeFlow, AuthType, ClientCredentialsFlow, IssuerMismatchError, WebhookAuthConfig
from widgets.demo import DemoProvider
from widgets.demo.provider import DEMO_PASSWORD

CANARIES = {
    "WAL_DEMO_CLIENT_SECRET": "canary-env-client-secret-4f1a9c",
    "WAL_DEMO_PASSWORD": "canary-env-login-password-77e0b2",
    "WAL_DEMO_WEBHOOK_PASSWORD": "canary-env-webhook-password-c3d815",
}


@pytest.fixture
def canary_env(monkeypatch):
    for variable, value in CANARIES.items():
        monkeypatch.setenv(variable, value)
    return CANARIES


@pytest.fixture
def clean_env(monkeypatch):
    for variable in DemoProvider.ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)


def _webhook_accepts(provider, user, password) -> bool:
    answer = requests.post(provider.webhook_url, json={"hi": 1}, auth=(user, password), timeout=10)
    return answer.status_code == 200


# --- from_env -----------------------------------------------------------------------------


def test_from_env_reads_the_three_variables_the_notebooks_set(canary_env):
    assert set(DemoProvider.ENVIRONMENT.values()) == set(canary_env)
    with DemoProvider.from_env() as provider:
        assert provider.client_secret == canary_env["WAL_DEMO_CLIENT_SECRET"]
        assert provider.password == canary_env["WAL_DEMO_PASSWORD"]
        assert provider.webhook_password == canary_env["WAL_DEMO_WEBHOOK_PASSWORD"]
        # ... and the server uses them: the token endpoint, the login form and the receiver.
        token = requests.post(provider.token_url, data={"grant_type": "client_credentials"}, timeout=10,
                              headers={"Authorization": basic(provider.client_id, canary_env["WAL_DEMO_CLIENT_SECRET"])})
        assert token.status_code == 200, token.text
        assert _webhook_accepts(provider, provider.webhook_username, canary_env["WAL_DEMO_WEBHOOK_PASSWORD"])
        flow = AuthorizationCodeFlow(WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, **provider.client_settings()))
        with pytest.raises(RuntimeError, match="Wrong username or password"):
            provider.approve(flow.begin().url, password=DEMO_PASSWORD)


def test_from_env_without_the_variables_is_like_the_constructor(clean_env):
    provider = DemoProvider.from_env()
    assert provider.password == DEMO_PASSWORD
    assert provider.client_secret and provider.webhook_password  # made up
    assert DemoProvider.from_env().client_secret != provider.client_secret  # fresh each time


def test_from_env_ignores_variables_set_to_an_empty_value(clean_env, monkeypatch):
    for variable in DemoProvider.ENVIRONMENT.values():
        monkeypatch.setenv(variable, "")
    provider = DemoProvider.from_env()  # an empty secret is refused by the constructor
    assert provider.password == DEMO_PASSWORD
    assert len(provider.client_secret) >= 24 and len(provider.webhook_password) >= 24


def test_from_env_overrides_win_over_the_environment_and_pass_through(canary_env):
    provider = DemoProvider.from_env(client_secret="override-client-secret-0123", require_state=True)
    assert provider.client_secret == "override-client-secret-0123"
    assert provider.password == canary_env["WAL_DEMO_PASSWORD"]  # the rest still from the environment
    with provider:
        config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, **provider.client_settings())
        stateless = AuthorizationCodeFlow(config).begin().url.replace("state=", "ignored=")
        assert "state+parameter+is+required" in provider.approve(stateless)


def test_from_env_does_not_start_the_provider_and_its_repr_masks_the_secrets(canary_env):
    provider = DemoProvider.from_env()
    assert not provider.running
    shown = repr(provider)
    assert not [value for value in canary_env.values() if value in shown], shown


def test_from_env_refuses_an_unknown_override(clean_env):
    with pytest.raises(TypeError):
        DemoProvider.from_env(client_sercet="typo")


# --- client_settings ----------------------------------------------------------------------


def test_code_settings_are_config_fields_pointing_at_this_provider(provider):
    settings = provider.client_settings()
    assert settings == {
        "auth_url": provider.auth_url,
        "token_url": provider.token_url,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "redirect_uri": provider.callback_url,
        "issuer": provider.issuer,
        "webhook_url": provider.webhook_url,
    }
    assert set(settings) <= {f.name for f in dataclasses.fields(WebhookAuthConfig)}
    assert WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, **settings).problems() == {}


def test_code_settings_run_the_whole_code_flow_with_the_iss_check(provider):
    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, scope="alerts:write", **provider.client_settings())
    flow = AuthorizationCodeFlow(config)
    token = flow.complete(provider.approve(flow.begin().url))
    assert token.scope == "alerts:write"
    assert [r["grant_type"] for r in provider.token_requests] == ["authorization_code"]
    # The issuer in the settings is what the iss check compares with: another one is refused.
    other = AuthorizationCodeFlow(config.replace(issuer="http://127.0.0.1:1"))
    with pytest.raises(IssuerMismatchError):
        other.complete(provider.approve(other.begin().url))


def test_client_credentials_settings_have_no_browser_fields_and_get_a_token(provider):
    settings = provider.client_settings("client_credentials")
    assert settings == {"token_url": provider.token_url, "client_id": provider.client_id,
                        "client_secret": provider.client_secret, "webhook_url": provider.webhook_url}
    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, redirect_uri="", **settings)
    assert ClientCredentialsFlow(config).fetch_token().access_token
    assert [r["status"] for r in provider.token_requests] == [200]


def test_client_settings_refuse_another_grant_and_an_unstarted_provider(provider):
    with pytest.raises(ValueError, match="authorization_code"):
        provider.client_settings("password")
    with pytest.raises(RuntimeError, match="start"):
        DemoProvider().client_settings()


def test_client_settings_give_a_fresh_dict_each_time(provider):
    settings = provider.client_settings()
    settings["client_secret"] = "changed"
    assert provider.client_settings()["client_secret"] == provider.client_secret
