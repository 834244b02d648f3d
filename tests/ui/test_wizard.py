"""The wizard as a whole: steps, navigation, DOM hooks, lifecycle."""

from __future__ import annotations

import html

import pytest
import requests

from tests.support.ui import one, tree, with_class
import widgets
from widgets import AuthType, Transcript, WebhookAuthConfig
from widgets.ui import STEPS, Wizard


DOM_HOOKS = {
    "wal-wizard", "wal-next", "wal-back", "wal-step-indicator", "wal-fill-demo", "wal-get-token",
    "wal-build-link", "wal-authorize-link", "wal-paste", "wal-exchange", "wal-message", "wal-token-masked",
    "wal-reveal", "wal-copy", "wal-send-webhook", "wal-results-table", "wal-export-csv", "wal-export-html",
    "wal-export-har", "wal-raw-http", "wal-sequence-diagram",
    "wal-client-secret", "wal-auth-type", *(f"wal-step-{name}" for name in STEPS),
}


def test_wizard_is_exported_lazily_from_the_package():
    assert widgets.Wizard is Wizard


def test_every_dom_hook_for_the_browser_tests_is_present(make_wizard):
    wizard = make_wizard(fill=False)
    classes = {c for w in tree(wizard) for c in getattr(w, "_dom_classes", ())}
    assert DOM_HOOKS <= classes, DOM_HOOKS - classes
    # one message area per step, one element for each step hook
    assert len(with_class(wizard, "wal-message")) == len(STEPS)
    for name in STEPS:
        assert one(wizard, f"wal-step-{name}") is wizard.steps[name]


def test_indicator_names_the_step_and_the_breadcrumb_lists_them_all(make_wizard):
    wizard = make_wizard(fill=False)
    indicator = one(wizard, "wal-step-indicator")
    assert "Step 2 of 6 · Details" in indicator.value
    crumbs = " ".join(b.description for b in one(wizard, "wal-breadcrumb").children)
    for title in ("Auth type", "Details", "Run", "Result", "Results table"):
        assert title in crumbs


def test_each_breadcrumb_goes_to_its_step(make_wizard):
    wizard = make_wizard(fill=False)
    for name in reversed(STEPS):
        one(wizard, f"wal-crumb-{name}").click()
        assert wizard.step == name and wizard._stack.selected_index == STEPS.index(name)
        assert "wal-crumb-current" in one(wizard, f"wal-crumb-{name}")._dom_classes


def test_back_and_next_buttons_walk_the_stack_and_stop_at_the_ends(make_wizard):
    wizard = make_wizard(AuthType.BASIC)
    back, nxt = one(wizard, "wal-back"), one(wizard, "wal-next")
    seen = [wizard.step]
    while not nxt.disabled:
        nxt.click()
        seen.append(wizard.step)
        assert wizard._stack.selected_index == STEPS.index(wizard.step)
    assert seen == list(STEPS[1:])
    assert wizard.indicator_text == "Step 6 of 6 · Diagnose"
    while not back.disabled:
        back.click()
    assert wizard.step == "auth_type"


def test_go_to_jumps_to_a_named_step(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS)
    wizard.go_to("results_table")
    assert wizard.step == "results_table" and wizard.current_step is wizard.results_table_step


def test_auth_type_radio_is_linked_to_the_model_and_describes_each_type():
    wizard = Wizard()
    try:
        radio = one(wizard, "wal-auth-type")
        step = wizard.auth_type_step
        for t in AuthType:
            assert html.escape(t.description) in step._descriptions.value
        radio.value = AuthType.OAUTH_CODE
        assert wizard.model.auth_type is AuthType.OAUTH_CODE and wizard.config.auth_type is AuthType.OAUTH_CODE
        assert "(chosen)" in step._descriptions.value.split("OAuth Code</b>")[1][:12]
    finally:
        wizard.close()


def test_wizard_starts_from_a_given_config_and_transcript():
    transcript = Transcript()
    config = WebhookAuthConfig(auth_type="basic", username="alice", webhook_url="https://hooks.example/x")
    wizard = Wizard(transcript=transcript, config=config)
    try:
        assert wizard.transcript is transcript
        assert wizard.config.username == "alice"
        assert one(wizard, "wal-auth-type").value is AuthType.BASIC
        assert wizard.details_step.field("username").value == "alice"
    finally:
        wizard.close()


def test_close_stops_the_demo_provider_the_wizard_started_itself():
    wizard = Wizard()
    wizard.next()
    one(wizard, "wal-fill-demo").click()
    provider = wizard.provider
    assert provider is not None and wizard.config.token_url == provider.token_url
    assert requests.get(provider.metadata_url, timeout=5).status_code == 200
    wizard.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.metadata_url, timeout=5)


def test_close_leaves_a_provider_it_was_given_running(canary_demo):
    wizard = Wizard(provider=canary_demo)
    wizard.next()
    one(wizard, "wal-fill-demo").click()
    wizard.close()
    assert requests.get(canary_demo.metadata_url, timeout=5).status_code == 200


def test_nothing_is_displayed_by_the_steps_themselves(make_wizard, capsys):
    make_wizard(AuthType.OAUTH_CODE)
    assert capsys.readouterr().out == ""
