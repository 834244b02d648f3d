"""A bare code (no state to check) is exchanged only when the caller opts in (issue 14, item 15).

Before, a code pasted alone was matched to the newest open link and exchanged at once, with
a warning in the transcript but no choice made by anyone.
"""

import pytest

from widgets import AuthorizationCodeFlow, IssuerMismatchError, PastedRedirectError, Transcript
from tests.support.configs import by_hand_config
from tests.support.demo import token_posts
from tests.support.urls import query_of


def test_a_bare_code_without_the_opt_in_is_refused_before_any_request(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    landed = demo.approve(flow.begin().url)
    code = query_of(landed)["code"]
    with pytest.raises(PastedRedirectError) as info:
        flow.complete(code)
    assert token_posts(demo) == 0
    assert "allow_bare_code=True" in info.value.hint and "--allow-bare-code" in info.value.hint
    assert "state" in info.value.message
    row = flow.transcript[-1]
    assert row.outcome == "refused" and row.hint == info.value.hint
    exported = flow.transcript.to_csv() + str(info.value) + repr(info.value)
    assert code not in exported
    # nothing was spent: the whole address still completes the same link
    assert flow.complete(landed).access_token


@pytest.mark.parametrize("opt_in", [1, "yes", "True", [True]], ids=repr)
def test_only_true_opts_in(demo, opt_in):
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    code = query_of(demo.approve(flow.begin().url))["code"]
    with pytest.raises(PastedRedirectError):
        flow.complete(code, allow_bare_code=opt_in)
    assert token_posts(demo) == 0


def test_with_the_opt_in_a_bare_code_is_exchanged_and_the_transcript_says_state_went_unchecked(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    code = query_of(demo.approve(flow.begin().url))["code"]
    assert flow.complete(code, allow_bare_code=True).access_token
    (warning,) = [e for e in flow.transcript if e.outcome == "warning"]
    assert "state could not be checked" in warning.note


def test_the_opt_in_does_not_lift_the_iss_requirement(demo):
    flow = AuthorizationCodeFlow(by_hand_config(demo, require_iss=True), Transcript())
    code = query_of(demo.approve(flow.begin().url))["code"]
    with pytest.raises(IssuerMismatchError):
        flow.complete(code, allow_bare_code=True)
    assert token_posts(demo) == 0


def test_the_wizard_model_passes_the_choice_on(demo):
    from widgets.ui.model import WizardModel

    model = WizardModel(config=by_hand_config(demo))
    code = query_of(demo.approve(model.begin_authorization().url))["code"]
    with pytest.raises(PastedRedirectError):
        model.complete_authorization(code)
    assert token_posts(demo) == 0
    assert model.complete_authorization(code, allow_bare_code=True).access_token
