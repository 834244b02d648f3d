"""Paste-ready fields and connector JSON per auth type; secrets masked unless reveal=True."""

import json

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN
from widgets import AuthType, Token, WebhookAuthConfig
from widgets.core.config import FIELD_LABELS
from widgets.diagnose.paste_ready import paste_ready

TOKEN = Token.parse({"access_token": CANARY_TOKEN, "token_type": "Bearer", "expires_in": 3600,
                     "refresh_token": "canary-REFRESH-0123456789abcdef"})


def oauth(kind, **changes):
    return WebhookAuthConfig(auth_type=kind, auth_url="https://login.example.com/authorize",
                             token_url="https://login.example.com/token", client_id="client-1",
                             client_secret=CANARY_SECRET, scope="alerts:write",
                             webhook_url="https://hooks.example.com/te", **changes)


def test_basic_fields_and_connector():
    ready = paste_ready(WebhookAuthConfig(auth_type="basic", username="te", password=CANARY_PASSWORD,
                                          webhook_url="https://hooks.example.com/te"))
    assert list(ready.fields) == ["URL", "Auth Type", "Username", "Password", "Header"]
    assert ready.fields["Header"].startswith("Authorization: Basic ****")
    assert ready.connector == {"type": "generic", "name": "webhook-oauth-lab", "target": "https://hooks.example.com/te",
                               "authentication": {"type": "basic", "username": "te",
                                                  "password": ready.fields["Password"]}}


def test_token_type_is_bearer_token():
    ready = paste_ready(WebhookAuthConfig(auth_type="token"), CANARY_TOKEN)
    assert list(ready.fields) == ["Auth Type", "Token", "Header"]
    assert ready.connector["authentication"]["type"] == "bearer-token"


def test_oauth_code_carries_urls_token_and_refresh_token():
    ready = paste_ready(oauth("oauth_code"), TOKEN)
    assert list(ready.fields) == ["URL", "Auth Type", "Auth URL", "Token URL", "Client ID", "Client Secret",
                                  "Redirect URI", "Scope", "Token", "Refresh Token", "Header"]
    auth = json.loads(ready.connector_json())["authentication"]
    assert auth["type"] == "oauth-auth-code"
    assert {"oauthAuthUrl", "oauthTokenUrl", "oauthClientId", "oauthClientSecret", "redirectUri", "token",
            "refreshToken"} <= set(auth)
    assert "code" not in auth and any("single-use" in n for n in ready.notes)


def test_client_credentials_has_no_auth_url_nor_refresh_token():
    ready = paste_ready(oauth("oauth_client_credentials"), TOKEN)
    assert "Auth URL" not in ready.fields and "Refresh Token" not in ready.fields
    auth = ready.connector["authentication"]
    assert auth["type"] == "oauth-client-credentials" and auth["scope"] == "alerts:write"
    assert "oauthAuthUrl" not in auth


@pytest.mark.parametrize("kind", ["basic", "token", "oauth_code", "oauth_client_credentials"])
def test_secrets_are_masked_unless_revealed(kind):
    config = oauth(kind, username="te", password=CANARY_PASSWORD, token=CANARY_TOKEN)
    masked = paste_ready(config, TOKEN if kind.startswith("oauth") else None)
    shown = masked.to_text() + masked.connector_json() + repr(masked) + str(masked)
    for secret in (CANARY_SECRET, CANARY_PASSWORD, CANARY_TOKEN, "canary-REFRESH-0123456789abcdef"):
        assert secret not in shown
    revealed = paste_ready(config, TOKEN if kind.startswith("oauth") else None, reveal=True)
    assert any(s in revealed.connector_json() for s in (CANARY_SECRET, CANARY_PASSWORD, CANARY_TOKEN))
    for secret in (CANARY_SECRET, CANARY_PASSWORD, CANARY_TOKEN):
        assert secret not in repr(revealed)


def test_what_the_form_cannot_carry_is_noted():
    ready = paste_ready(oauth("oauth_client_credentials", extra_params={"audience": "api://x"},
                              client_auth="client_secret_post"))
    notes = " ".join(ready.notes)
    assert "audience" in notes and "client_secret_post" in notes


def test_missing_fields_are_noted_not_raised():
    ready = paste_ready(WebhookAuthConfig(auth_type="oauth_client_credentials"))
    assert any(n.startswith("Not ready yet") and "token_url" in n for n in ready.notes)
    assert ready.to_dataframe().shape[1] == 2


def test_only_the_fields_of_the_type_are_pasted_and_checked():
    # Values left from another auth type are neither shown nor held against this one.
    config = WebhookAuthConfig(auth_type="basic", username="te", password=CANARY_PASSWORD,
                               token="Bearer left over", auth_url="not a url", client_secret=CANARY_SECRET)
    ready = paste_ready(config)
    assert not any(n.startswith("Not ready yet") for n in ready.notes), ready.notes
    assert set(ready.fields) == {"Auth Type", "Username", "Password", "Header"}
    assert CANARY_SECRET not in ready.to_text() + ready.connector_json()


def test_the_token_pasted_for_token_auth_is_the_one_checked():
    assert not any(n.startswith("Not ready yet") for n in paste_ready(WebhookAuthConfig(auth_type="token"),
                                                                      CANARY_TOKEN).notes)
    notes = " ".join(paste_ready(WebhookAuthConfig(auth_type="token", token=CANARY_TOKEN), "two words").notes)
    assert "Not ready yet: token: contains spaces" in notes


@pytest.mark.parametrize("kind", ["basic", "token", "oauth_code", "oauth_client_credentials"])
def test_every_secret_field_of_the_type_is_masked_in_repr(kind):
    config = oauth(kind, username="te", password=CANARY_PASSWORD, token=CANARY_TOKEN)
    ready = paste_ready(config, TOKEN if kind.startswith("oauth") else None, reveal=True)
    for name in AuthType.parse(kind).secrets:
        assert FIELD_LABELS[name] in ready.fields  # the type's secret is on the form ...
        assert f"{FIELD_LABELS[name]}=****" in repr(ready)  # ... and masked in repr even when revealed


# -- the path the token took -------------------------------------------------------------

def test_a_token_obtained_by_hand_is_pasted_as_token_auth_with_local_expiry():
    ready = paste_ready(oauth("oauth_code"), TOKEN, by_hand=True)
    assert ready.auth_type is AuthType.TOKEN and ready.fields["Auth Type"] == "Token"
    assert list(ready.fields) == ["URL", "Auth Type", "Token", "Header"]
    assert ready.advice.startswith("Choose Token") and "OAuth Code cannot send state" in ready.advice
    auth = ready.connector["authentication"]
    assert auth == {"type": "bearer-token", "token": ready.fields["Token"]}
    expiry = next(n for n in ready.notes if "expires at" in n)
    assert "local time" in expiry and "401" in expiry and "refresh" in expiry
    assert CANARY_TOKEN not in repr(ready) + ready.connector_json() + ready.to_text()
    assert CANARY_SECRET not in ready.connector_json()


@pytest.mark.parametrize("kind, connector_type, label", [
    ("oauth_code", "oauth-auth-code", "OAuth Code"),
    ("oauth_client_credentials", "oauth-client-credentials", "OAuth Client Credentials"),
    ("basic", "basic", "Basic"), ("token", "bearer-token", "Token")])
def test_the_advice_and_connector_type_match_the_form_type(kind, connector_type, label):
    config = oauth(kind, username="te", password=CANARY_PASSWORD, token=CANARY_TOKEN)
    ready = paste_ready(config, TOKEN if kind.startswith("oauth") else None)
    assert ready.connector["authentication"]["type"] == connector_type
    assert ready.fields["Auth Type"] == label and ready.advice.startswith(f"Choose {label} ")
