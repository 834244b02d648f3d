"""The model shows only what is so: results and notices are tagged with the settings they came from."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from widgets import AuthType, DemoProvider, IssuerMismatchError, PastedRedirectError, StateMismatchError, WebhookAuthError
from widgets.ui.model import WizardModel


@pytest.fixture
def model(canary_demo):
    made = WizardModel(provider=canary_demo)
    yield made
    made.close()


def filled(model, auth_type):
    model.auth_type = auth_type
    model.fill_from_provider()
    assert model.problems() == {}
    return model


def test_a_settings_change_clears_the_run_notice_and_the_token(model, canary_demo):
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    model.fetch_token()
    assert model.token is not None and model.notice("run").text.startswith("Got a Bearer token")
    model.send_test_webhook()
    assert model.delivery is not None and model.notice("result").kind == "ok"
    model.apply({"client_id": "another-client"})
    assert model.token is None and model.delivery is None
    assert model.notice("run") is None and model.notice("result") is None


def test_the_webhook_url_changes_the_delivery_not_the_token(model):
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    token = model.fetch_token()
    model.send_test_webhook()
    model.apply({"webhook_url": model.config.webhook_url + "?again=1"})
    assert model.token is token and model.notice("run") is not None
    assert model.delivery is None and model.notice("result") is None


def test_each_test_delivery_gets_its_own_numbered_answer(model):
    # Two clicks, two answers a person can tell apart: the second is not the first one left on screen.
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    model.fetch_token()
    model.send_test_webhook()
    assert model.notice("result").text == "The receiver accepted test delivery 1 (HTTP 200)."
    model.send_test_webhook()
    assert model.notice("result").text == "The receiver accepted test delivery 2 (HTTP 200)."
    assert sum(1 for e in model.transcript if e.step == "webhook: test delivery") == 2


def test_a_failed_run_drops_the_earlier_delivery_message(model):
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    model.fetch_token()
    model.send_test_webhook()
    assert "accepted" in model.notice("result").text
    model.provider.stop()  # the next run cannot reach the token endpoint
    with pytest.raises(WebhookAuthError):
        model.fetch_token()
    assert model.notice("run").kind == "error"
    assert model.notice("result") is None and model.delivery is None


def test_a_success_after_a_failure_leaves_no_red_message(model):
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    good = model.config.client_secret
    model.apply(secrets={"client_secret": "wrong-secret-0123456789"})
    with pytest.raises(WebhookAuthError):
        model.fetch_token()
    assert model.notice("run").kind == "error"
    model.apply(secrets={"client_secret": good})
    model.fetch_token()
    assert model.notice("run").kind == "ok"
    assert all(n.kind != "error" for n in model.notices.values())


def _code_of(landed: str) -> str:
    return parse_qs(urlsplit(landed).query)["code"][0]


def test_a_bare_code_is_reported_as_state_not_checked(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    # a provider that does not always send iss (the demo does: with require_iss a code alone is refused)
    model._set_config(model.config.replace(require_iss=False))
    landed = canary_demo.approve(model.begin_authorization().url)
    before = len(canary_demo.token_requests)
    with pytest.raises(PastedRedirectError):  # not chosen: refused, nothing sent
        model.complete_authorization(_code_of(landed))
    assert len(canary_demo.token_requests) == before and model.notice("run").kind == "error"
    model.allow_bare_code = True
    model.complete_authorization(_code_of(landed))
    assert model.exchange.state_checked is False and model.exchange.source == "bare_code"
    notice = model.notice("run")
    assert notice.kind == "warning" and "state was NOT checked" in notice.text
    assert "State checked" not in notice.text


def test_a_pasted_address_is_reported_as_state_checked(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    model.complete_authorization(canary_demo.approve(model.begin_authorization().url))
    assert model.exchange.state_checked and model.notice("run").text.startswith("State checked")


def test_the_authorize_link_goes_with_the_settings_it_was_built_for(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    landed = canary_demo.approve(model.begin_authorization().url)
    model.apply({"scope": "alerts:write"})
    assert model.authorization is None
    with pytest.raises(StateMismatchError) as info:
        model.complete_authorization(landed)
    assert "no authorize link for these settings" in str(info.value)


def test_the_probe_table_clears_when_the_settings_change(model):
    filled(model, AuthType.OAUTH_CODE)
    report = model.probe()
    assert model.probe_report is report and model.notice("diagnose") is not None
    model.apply({"token_url": model.config.token_url + "/other"})
    assert model.probe_report is None and model.notice("diagnose") is None


def test_a_probe_of_another_provider_replaces_the_table(model):
    filled(model, AuthType.OAUTH_CODE)
    model.probe()
    with DemoProvider(require_state=True) as other:
        model.apply({"auth_url": other.auth_url, "token_url": other.token_url, "issuer": other.issuer},
                    {"client_secret": other.client_secret})
        assert model.probe_report is None
        assert model.probe()["state_required"].verdict == "yes"


def test_paste_ready_for_a_code_obtained_by_hand_is_the_token_type(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    model.complete_authorization(canary_demo.approve(model.begin_authorization().url))
    ready = model.paste_ready()
    assert ready.auth_type is AuthType.TOKEN and ready.connector["authentication"]["type"] == "bearer-token"
    assert model.token.access_token not in ready.connector_json()


def test_paste_ready_is_oauth_code_only_when_a_probe_says_the_platform_can_use_the_provider(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    model.complete_authorization(canary_demo.approve(model.begin_authorization().url))
    report = model.probe()
    assert report["state_required"].verdict == "no" and report["pkce_required"].verdict == "no"
    assert model.paste_ready().auth_type is AuthType.OAUTH_CODE
    with DemoProvider(require_state=True) as strict:
        model.apply({"auth_url": strict.auth_url, "token_url": strict.token_url, "issuer": strict.issuer},
                    {"client_secret": strict.client_secret})
        model.probe()
        assert model.paste_ready().auth_type is AuthType.TOKEN


def test_the_settings_key_reveals_no_secret(model):
    filled(model, AuthType.OAUTH_CLIENT_CREDENTIALS)
    keys = " ".join(model.settings_key(s) for s in ("grant", "delivery", "probe"))
    assert model.config.client_secret not in keys and len(keys.split()) == 3


def test_a_bare_code_for_a_provider_that_always_sends_iss_is_refused_without_spending_the_link(model, canary_demo):
    filled(model, AuthType.OAUTH_CODE)
    assert model.config.require_iss is True
    landed = canary_demo.approve(model.begin_authorization().url)
    model.allow_bare_code = True
    with pytest.raises(IssuerMismatchError):
        model.complete_authorization(_code_of(landed))
    assert model.token is None and model.notice("run").kind == "error"
    model.allow_bare_code = False
    model.complete_authorization(landed)  # the link was not spent
    assert model.exchange.state_checked
