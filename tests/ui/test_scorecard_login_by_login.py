"""The Diagnose step's scorecard at a provider that is not the wizard's demo: the person picks the
checks, sees how many logins they need, and does each login (the link, a pasted address, Skip).

The provider is a demo provider all the same, but the wizard is given only a config that points
at it (no demo attached), so the step treats it as any other provider; each login is "done" by
``demo.approve(login.url)``, pasted into the field as a person would paste the landed address.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.ui import one, tree_state, with_class
from widgets import AuthType, DemoProvider, WebhookAuthConfig
from widgets.core.errors import ConfigError
from widgets.diagnose.scorecard import UNKNOWN, check_keys, logins_needed, scorecard


@pytest.fixture
def lax_demo():
    """Lax in two respects, so the card holds "does not" rows too; its client secret a canary."""
    with DemoProvider(client_secret=CANARY_SECRET, lax={"iss": False, "code_reuse": "keep_tokens"}) as provider:
        yield provider
    assert not provider._internal_errors, provider._internal_errors


def _config(provider) -> WebhookAuthConfig:
    return WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, scope="alerts:write alerts:read",
                             **provider.client_settings())


@pytest.fixture
def elsewhere(make_wizard, lax_demo):
    """A wizard on the Diagnose step whose config points at ``lax_demo``, which it does not own."""
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False, provider=None, config=_config(lax_demo))
    wizard.go_to("diagnose")
    assert not wizard.model.using_demo_provider
    return wizard, wizard.diagnose_step


def _pick(step, keys) -> None:
    for box in with_class(step, "wal-scorecard-check"):
        key = next(c for c in box._dom_classes if c.startswith("wal-scorecard-check-")).removeprefix(
            "wal-scorecard-check-")
        box.value = key in keys


def _text(step, dom_class: str) -> str:
    """What an HTML widget of the step reads as on screen (tags dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", one(step, dom_class).value))


def _count(step) -> str:
    return _text(step, "wal-scorecard-count")


def _log_in(step, model, provider) -> list[str]:
    """Do every login the step shows by pasting where the demo's browser lands; the progress lines."""
    seen = []
    while model.scorecard_login is not None:
        waiting = model.scorecard_login
        seen.append(_text(step, "wal-scorecard-progress"))
        link = one(step, "wal-scorecard-link").value
        assert 'target="_blank"' in link and 'rel="noopener"' in link and 'referrerpolicy="no-referrer"' in link
        assert waiting.login.url in html.unescape(link)
        try:
            landed = provider.approve(waiting.login.url)
        except RuntimeError as exc:  # an error page after signing in: a person pastes what it says
            landed = f"error page: {exc}"
        field = one(step, "wal-scorecard-paste")
        field.value = landed  # as Enter or leaving the field syncs it: no answer yet
        assert model.scorecard_login is waiting
        one(step, "wal-scorecard-use").click()
        assert field.value == "", "the landed address (it holds a code) stays in the field"
        assert model.scorecard_login is not waiting, step.message
    return seen


def test_the_login_count_follows_the_picked_checks(elsewhere):
    wizard, step = elsewhere
    assert len(with_class(step, "wal-scorecard-check")) == len(check_keys())
    assert all(box.value for box in with_class(step, "wal-scorecard-check"))  # a full card by default
    assert f"up to {logins_needed()} logins" in _count(step)
    _pick(step, ["iss_returned", "token_lifetime", "scope_narrowed"])  # one login answers all three
    assert wizard.model.scorecard_checks == ["iss_returned", "token_lifetime", "scope_narrowed"]
    assert "up to 1 login;" in _count(step)
    _pick(step, ["redirect_path", "redirect_port", "code_single_use", "code_reuse_revokes"])
    assert f"up to {logins_needed(['redirect_path', 'redirect_port', 'code_single_use'])} logins" in _count(step)
    assert "up to 3 logins" in _count(step)
    _pick(step, [])
    assert "No check is picked" in _count(step)
    assert one(step, "wal-scorecard").disabled
    with pytest.raises(ConfigError, match="no check is picked"):
        wizard.model.scorecard()  # the button is off; the model refuses too, in words, on the step
    assert step.message_kind == "error" and "Tick at least one check" in step.message
    wizard.model.scorecard_checks = ["state_required"]  # the model drives the boxes back
    assert [box.value for box in with_class(step, "wal-scorecard-check")].count(True) == 1
    assert "up to 1 login;" in _count(step) and not one(step, "wal-scorecard").disabled


def test_each_pasted_login_gives_the_verdicts_the_library_gives(elsewhere, lax_demo):
    wizard, step = elsewhere
    model = wizard.model
    one(step, "wal-scorecard").click()
    assert step.message_kind == "info", step.message
    seen = _log_in(step, model, lax_demo)
    assert seen and all(f"of up to {logins_needed()}" in line for line in seen)
    assert [line.split("Login ")[1].split(" of")[0] for line in seen] == [str(n) for n in range(1, len(seen) + 1)]
    assert step.message_kind == "ok", step.message
    expected = scorecard(model.config, lax_demo.approve).verdicts()
    assert step.card.verdicts() == expected
    assert expected["iss_returned"] == "does not" and expected["code_reuse_revokes"] == "does not"
    assert one(step, "wal-scorecard-table").value and one(step, "wal-scorecard-login").layout.display == "none"
    assert CANARY_SECRET not in tree_state(wizard) and CANARY_SECRET not in one(step, "wal-scorecard-table").value


def test_only_the_picked_checks_run_and_match_the_library(elsewhere, lax_demo):
    wizard, step = elsewhere
    picked = ["state_required", "iss_returned", "scope_narrowed", "code_single_use", "code_reuse_revokes"]
    _pick(step, picked)
    one(step, "wal-scorecard").click()
    seen = _log_in(step, wizard.model, lax_demo)
    assert all("of up to 3" in line for line in seen)
    assert list(step.card.verdicts()) == [key for key in check_keys() if key in picked]  # the card's order
    assert step.card.verdicts() == scorecard(wizard.model.config, lax_demo.approve, checks=picked).verdicts()


def test_skip_this_login_says_could_not_tell(elsewhere, lax_demo):
    wizard, step = elsewhere
    _pick(step, ["state_required", "iss_returned", "token_lifetime"])
    one(step, "wal-scorecard").click()
    assert "Login 1 of up to 2" in _text(step, "wal-scorecard-progress")
    assert wizard.model.scorecard_login.login.checks == ("state_required",)
    one(step, "wal-scorecard-skip").click()
    assert "Login 2 of up to 2" in _text(step, "wal-scorecard-progress")
    one(step, "wal-scorecard-paste").value = lax_demo.approve(wizard.model.scorecard_login.login.url)
    one(step, "wal-scorecard-use").click()
    verdicts = step.card.verdicts()
    assert verdicts["state_required"] == UNKNOWN
    assert verdicts["iss_returned"] == "does not" and verdicts["token_lifetime"] == "enforces"
    assert "1 of them skipped" in step.message
    assert "nobody logged in" in step.card["state_required"].evidence


def test_a_pasted_address_then_skip_is_a_skip_and_the_paste_is_dropped(elsewhere, lax_demo):
    # A blur syncs the field; only "Use this address" answers, so Skip after a paste skips this login.
    wizard, step = elsewhere
    _pick(step, ["state_required", "iss_returned"])
    one(step, "wal-scorecard").click()
    first = wizard.model.scorecard_login
    one(step, "wal-scorecard-paste").value = lax_demo.approve(first.login.url)
    assert wizard.model.scorecard_login is first  # not answered by the paste alone
    one(step, "wal-scorecard-skip").click()
    assert one(step, "wal-scorecard-paste").value == ""
    assert "Login 2 of up to 2" in _text(step, "wal-scorecard-progress")
    one(step, "wal-scorecard-skip").click()
    assert step.card.verdicts() == {"state_required": UNKNOWN, "iss_returned": UNKNOWN}


def test_use_this_address_with_nothing_pasted_says_so(elsewhere):
    wizard, step = elsewhere
    one(step, "wal-scorecard").click()
    waiting = wizard.model.scorecard_login
    one(step, "wal-scorecard-use").click()
    assert wizard.model.scorecard_login is waiting
    assert step.message_kind == "warning" and "Nothing was pasted" in step.message


def test_a_run_of_settings_since_changed_is_not_shown(elsewhere, lax_demo):
    wizard, step = elsewhere
    model = wizard.model
    one(step, "wal-scorecard").click()
    first = model.scorecard_login
    landed = lax_demo.approve(first.login.url)
    model.apply({"scope": "alerts:read"})  # the provider settings change while the login waits
    assert model.scorecard_login is None and step.message == ""
    assert one(step, "wal-scorecard-login").layout.display == "none"
    assert one(step, "wal-scorecard-use").disabled
    one(step, "wal-scorecard-paste").value = landed  # the answer to the old run goes nowhere
    one(step, "wal-scorecard-use").click()
    assert step.message_kind == "error" and "no login is waiting" in step.message
    assert step.card is None
    # A finished card goes with its settings too.
    _pick(step, ["iss_returned"])
    one(step, "wal-scorecard").click()
    _log_in(step, model, lax_demo)
    assert step.card is not None and one(step, "wal-scorecard-table").value
    model.apply({"scope": "alerts:write"})
    assert step.card is None and one(step, "wal-scorecard-table").value == ""


def test_a_config_the_card_cannot_use_is_an_error_with_a_hint(make_wizard, lax_demo):
    config = _config(lax_demo).replace(auth_url="")
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False, provider=None, config=config)
    wizard.go_to("diagnose")
    step = wizard.diagnose_step
    one(step, "wal-scorecard").click()
    assert step.message_kind == "error" and "Hint:" in step.message
    assert "Traceback" not in step.message and "unexpected" not in step.message
    assert wizard.model.scorecard_login is None and step.card is None


def test_at_the_wizards_demo_only_the_picked_checks_run(make_wizard):
    with DemoProvider(lax={"iss": False}) as provider:
        wizard = make_wizard(AuthType.OAUTH_CODE, provider=provider)
        assert wizard.next() and wizard.step == "run", wizard.details_step.message
        wizard.go_to("diagnose")
        step = wizard.diagnose_step
        _pick(step, ["iss_returned", "code_single_use"])
        one(step, "wal-scorecard").click()
        assert step.message_kind == "ok", step.message
        assert step.card.verdicts() == {"iss_returned": "does not", "code_single_use": "enforces"}
        assert wizard.model.scorecard_login is None  # the scripted browser did the logins


def test_a_form_filled_from_the_demo_then_pointed_elsewhere_asks_a_person(make_wizard, lax_demo):
    # The device URL (no field of OAuth Code) still names the wizard's demo: it does not count.
    wizard = make_wizard(AuthType.OAUTH_CODE)
    wizard.model.apply({"auth_url": lax_demo.auth_url, "token_url": lax_demo.token_url,
                        "redirect_uri": lax_demo.callback_url, "issuer": lax_demo.issuer},
                       {"client_secret": lax_demo.client_secret})
    assert not wizard.model.using_demo_provider and not wizard.model.scorecard_by_demo
    assert wizard.model.config.device_authorization_url.startswith(wizard.model.provider.issuer)  # still there
    wizard.go_to("diagnose")
    step = wizard.diagnose_step
    _pick(step, ["state_required"])
    one(step, "wal-scorecard").click()
    assert "Login 1 of up to 1" in _text(step, "wal-scorecard-progress"), step.message
    assert wizard.model.scorecard_login.login.url.startswith(lax_demo.auth_url + "?")
    _log_in(step, wizard.model, lax_demo)
    assert step.card.verdicts() == {"state_required": "does not"}
