"""The Diagnose step's scorecard: a button and a table, through WizardModel.scorecard()."""

from widgets import AuthType, DemoProvider
from tests.ui.ui_helpers import one


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


def test_against_another_provider_it_says_how_many_logins_and_where(make_wizard, canary_demo):
    with DemoProvider() as elsewhere:
        wizard, step = _diagnose(make_wizard, canary_demo)
        wizard.model.provider = elsewhere  # the form still points at the first one: not this wizard's demo
        one(step, "wal-scorecard").click()
        assert step.message_kind == "error"
        assert "10 logins" in step.message and "python -m widgets scorecard" in step.message
        assert step.card is None
