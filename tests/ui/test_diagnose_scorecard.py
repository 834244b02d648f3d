"""The Diagnose step's scorecard: a button and a table, through WizardModel.scorecard()."""

from widgets import AuthType, DemoProvider
from tests.support.ui import one


def _diagnose(make_wizard, provider):
    wizard = make_wizard(AuthType.OAUTH_CODE, provider=provider)
    assert wizard.next() and wizard.step == "run", wizard.details_step.message
    wizard.go_to("diagnose")
    return wizard, wizard.diagnose_step


def test_the_scorecard_button_shows_the_verdicts_of_the_demo(make_wizard):
    with DemoProvider(lax={"iss": False}) as provider:
        wizard, step = _diagnose(make_wizard, provider)
        one(step, "wal-scorecard").click()
        assert step.message_kind == "ok", step.message
        assert step.card["iss_returned"].verdict == "does not"
        assert step.card["code_single_use"].verdict == "enforces"
        shown = one(step, "wal-scorecard-table").value
        assert "RFC 9207" in shown and "<script" not in shown
        assert provider.client_secret not in shown


def test_against_another_provider_the_step_asks_a_person_for_the_first_login(make_wizard, canary_demo):
    with DemoProvider() as elsewhere:
        wizard, step = _diagnose(make_wizard, canary_demo)
        wizard.model.provider = elsewhere  # the form still points at the first one: not this wizard's demo
        one(step, "wal-scorecard").click()
        assert step.message_kind == "info", step.message
        assert "paste the address" in step.message
        assert "Login 1 of up to 10" in one(step, "wal-scorecard-progress").value
        assert wizard.model.scorecard_login.login.url in one(step, "wal-scorecard-link").value.replace("&amp;", "&")
        assert step.card is None
        assert not elsewhere.authorize_requests  # the form's provider is the one asked
