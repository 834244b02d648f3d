"""The Diagnose step: probe verdicts and ready-to-paste values, against real demo providers."""

import pytest

from tests.support.ui import one
from widgets import AuthType, DemoProvider


def to_diagnose(make_wizard, auth_type, provider):
    wizard = make_wizard(auth_type, provider=provider)
    assert wizard.next() and wizard.step == "run", wizard.details_step.message  # commits the details
    wizard.go_to("diagnose")
    return wizard, wizard.diagnose_step


@pytest.mark.parametrize("require_state", [True, False])
def test_probe_verdict_on_state_matches_the_provider(make_wizard, require_state):
    with DemoProvider(require_state=require_state) as provider:
        wizard, step = to_diagnose(make_wizard, AuthType.OAUTH_CODE, provider)
        assert wizard.config.auth_url == provider.auth_url
        one(step, "wal-probe").click()
        assert step.message_kind == "ok", step.message
        row = step.report["state_required"]
        assert row.verdict == ("yes" if require_state else "no")
        html = one(step, "wal-probe-table").value
        assert row.question.split()[0] in html and "<script" not in html
        assert len(provider.token_requests) >= 1  # client authentication was really tried


def test_ready_to_paste_masks_the_secret(make_wizard, canary_demo):
    wizard, step = to_diagnose(make_wizard, AuthType.OAUTH_CLIENT_CREDENTIALS, canary_demo)
    one(step, "wal-paste-ready").click()
    shown = one(step, "wal-paste-ready-values").value
    assert canary_demo.client_secret not in shown
    assert canary_demo.token_url in shown and "oauth-client-credentials" in shown
