"""WizardModel on its own: the wizard's logic, with no widget in sight."""

from __future__ import annotations

import time

import pytest

from tests.support.canaries import CANARY_SECRET, CANARY_TOKEN
from tests.support.imports import loaded_by
from widgets import AuthType, StateMismatchError, Token, Transcript, WebhookAuthConfig
from widgets.ui.model import STEPS, WizardModel


def test_model_module_imports_neither_ipywidgets_nor_pandas():
    assert loaded_by(["widgets.ui.model"], ("ipywidgets", "pandas")) == []


def test_steps_move_forward_and_back_within_bounds():
    model = WizardModel()
    assert model.step == STEPS[0] and not model.back()
    for name in STEPS[1:]:
        assert model.next() and model.step == name
    assert not model.next() and model.step == STEPS[-1]
    model.go_to("details")
    assert model.index == 1
    with pytest.raises(ValueError):
        model.go_to("nowhere")


def test_each_auth_type_asks_for_its_own_fields():
    assert AuthType.BASIC.fields == ("username", "password", "webhook_url")
    assert AuthType.TOKEN.fields == ("token", "webhook_url")
    assert "auth_url" not in AuthType.OAUTH_CLIENT_CREDENTIALS.fields
    assert {"auth_url", "redirect_uri", "pkce"} <= set(AuthType.OAUTH_CODE.fields)
    model = WizardModel()
    for auth_type in AuthType:
        model.auth_type = auth_type
        assert model.fields == auth_type.fields_for(model.config.client_auth)


def test_apply_keeps_a_stored_secret_when_the_field_comes_back_empty():
    model = WizardModel()
    model.apply({"token_url": "https://login.example.com/token", "client_id": "c"},
                {"client_secret": CANARY_SECRET})
    assert model.config.client_secret == CANARY_SECRET
    problems = model.apply({"client_id": "c2"}, {"client_secret": ""})
    assert model.config.client_secret == CANARY_SECRET and model.config.client_id == "c2"
    assert problems == {}


def test_audience_and_resource_go_into_extra_params_and_leave_when_emptied():
    model = WizardModel(config=WebhookAuthConfig(extra_params={"tenant": "t1"}))
    model.apply({"audience": " https://api.example.com ", "resource": "urn:r"})
    assert model.config.extra_params == {"tenant": "t1", "audience": "https://api.example.com", "resource": "urn:r"}
    assert model.field_value("audience") == "https://api.example.com"
    model.apply({"audience": ""})
    assert model.config.extra_params == {"tenant": "t1", "resource": "urn:r"}


def test_apply_refuses_a_secret_passed_as_a_plain_value():
    model = WizardModel()
    with pytest.raises(ValueError):
        model.apply({"client_secret": "x"})
    with pytest.raises(ValueError):
        model.field_value("password")


def test_client_credentials_problems_ignore_the_redirect_uri_the_grant_never_uses():
    model = WizardModel(config=WebhookAuthConfig(
        auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, token_url="https://as.example/token", client_id="c",
        client_secret="s", redirect_uri="not a url"))
    assert model.problems() == {}
    model.auth_type = AuthType.OAUTH_CODE
    assert "redirect_uri" in model.problems()


def test_token_type_turns_the_configured_token_into_a_token_object():
    model = WizardModel(config=WebhookAuthConfig(auth_type=AuthType.TOKEN, token=CANARY_TOKEN))
    assert model.token is not None and model.token.access_token == CANARY_TOKEN
    assert model.masked_header() == "Bearer ****" + CANARY_TOKEN[-4:]
    model.apply(secrets={"token": "has spaces in it"})
    assert model.token is None  # an unusable token is not offered


def test_changing_the_auth_type_drops_the_token_and_the_pending_link():
    model = WizardModel(config=WebhookAuthConfig(auth_type=AuthType.TOKEN, token=CANARY_TOKEN))
    model.auth_type = AuthType.BASIC
    assert model.token is None and model.config.auth_type is AuthType.BASIC
    assert model.config.token == CANARY_TOKEN  # the typed value itself is kept for switching back


def test_completing_without_a_link_is_refused_with_a_hint():
    model = WizardModel()
    with pytest.raises(StateMismatchError) as caught:
        model.complete_authorization("https://x.example/cb?code=abc&state=def")
    assert "Build authorize link" in caught.value.hint


def test_basic_header_is_masked_unless_asked_for():
    model = WizardModel(config=WebhookAuthConfig(auth_type=AuthType.BASIC, username="u", password=CANARY_SECRET))
    header = model.authorization_header()
    assert header.startswith("Basic ") and CANARY_SECRET not in model.masked_header()
    assert model.masked_header() == "Basic ****" + header[-4:]


def test_exports_get_timestamped_names_that_never_overwrite(tmp_path):
    transcript = Transcript()
    transcript.record("step one", method="GET", url="https://as.example/x", status=200)
    model = WizardModel(transcript=transcript)
    now = time.mktime((2026, 11, 5, 14, 5, 0, 0, 0, -1))
    first = model.export_transcript("csv", tmp_path, now=now)
    second = model.export_transcript("csv", tmp_path, now=now)
    assert first.endswith("webhook-oauth-lab-transcript-20261105-140500.csv")
    assert second.endswith("-20261105-140500-2.csv")
    assert "step one" in open(first, encoding="utf-8").read()
    with pytest.raises(ValueError):
        model.export_transcript("xlsx", tmp_path)
