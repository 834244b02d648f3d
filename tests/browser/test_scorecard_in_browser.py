"""The Diagnose step's scorecard in JupyterLab, at a provider that is not the wizard's demo.

A person picks fewer checks and sees the login count follow, starts the card, opens the first
login's link in the browser (the provider's own login page: sign in, approve), pastes the address
the browser landed on, skips the second login, and reads the table. The provider is a second
demo provider started in the notebook's kernel and typed into Details by hand, so the wizard
treats it as any provider: its scripted browser plays no part. Screenshots: /tmp/shots-card/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.person import (
    LONG, button, choose, expect, field, go_to, log_in, message, no_traceback, open_notebook_copy, run_in_new_cell,
    set_field, shot, visible_step,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-card")
KEPT = ("Is an authorization request without state refused?",
        "Does the authorization response carry the right iss?")
# Every other check, as the step words them.
DROPPED = (
    "Is a redirect URI with a changed path refused?", "Is a redirect URI with an added query refused?",
    "Is the redirect URI on another port refused?", "Is an authorization request without PKCE refused?",
    "Is code_challenge_method=plain refused?", "Is a code_verifier for a code issued without a challenge refused?",
    "Is an authorization code refused the second time?", "Does reusing a code revoke what its first use issued?",
    "Is the refresh token rotated on use?", "Does replaying a rotated refresh token revoke its family?",
    "Do access tokens expire within a day?", "Is a token limited to the scopes asked for?",
)


@pytest.fixture(scope="module")
def page(browser_context, lab_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_notebook_copy(browser_context, lab_server, "card")
    yield page
    page.close()


def test_a_person_runs_the_card_login_by_login_at_another_provider(page, browser_context):
    # Another provider on this machine, as a person's own would be: its secrets are the notebook's
    # (from the environment), its addresses new.
    said = run_in_new_cell(page, "from widgets import DemoProvider; other = DemoProvider.from_env().start(); "
                                 "print(other.issuer)")
    issuer = re.search(r"http://127\.0\.0\.1:\d+", said).group(0)
    choose(page, "OAuth Code")
    for label, value in (("Issuer", issuer), ("Auth URL", issuer + "/authorize"), ("Token URL", issuer + "/token"),
                         ("Redirect URI", issuer + "/callback")):
        set_field(page, label, value)
    go_to(page, "Diagnose")
    step = visible_step(page)
    count = step.get_by_text(re.compile(r"These checks need up to"))
    expect()(count).to_contain_text("up to 10 logins", timeout=LONG)
    for question in DROPPED:
        step.get_by_label(question, exact=True).uncheck()
    expect()(count).to_contain_text("up to 2 logins", timeout=LONG)
    for question in KEPT:
        expect()(step.get_by_label(question, exact=True)).to_be_checked()
    shot(page, SHOTS, "1-two-checks-picked")

    button(page, "Scorecard (after login)").click()
    expect()(step.get_by_text("Login 1 of up to 2")).to_be_visible(timeout=LONG)
    expect()(step.get_by_text(re.compile("without state refused"))).to_have_count(2)  # the box and the question
    link = step.get_by_role("link", name=re.compile(r"authorize\?response_type="))
    expect()(link).to_have_attribute("target", "_blank")
    expect()(link).to_have_attribute("rel", "noopener")
    expect()(link).to_have_attribute("referrerpolicy", "no-referrer")
    assert link.get_attribute("href").startswith(issuer + "/authorize?")  # the provider typed in, not the wizard's
    shot(page, SHOTS, "2-first-login-waiting")

    tab = log_in(browser_context, link, artifacts=SHOTS, name="3-landed-after-login")
    landed = tab.url
    tab.close()
    assert landed.startswith(issuer + "/callback?") and "state=" not in landed  # this request had no state
    code = parse_qs(urlsplit(landed).query)["code"][0]
    paste = field(page, "Paste the address you landed on")
    paste.fill(landed)
    paste.press("Tab")  # leaving the field is no answer: only the button is
    expect()(step.get_by_text("Login 1 of up to 2")).to_be_visible()
    button(page, "Use this address").click()
    expect()(step.get_by_text("Login 2 of up to 2")).to_be_visible(timeout=LONG)
    expect()(paste).to_have_value("")  # it held a code
    shot(page, SHOTS, "4-second-login-waiting")

    # Something pasted, then Skip: the person meant Skip, and the text is not kept
    paste.fill(landed)
    button(page, "Skip this login").click()
    table = step.locator("table.wal-scorecard")
    expect()(table).to_be_visible(timeout=LONG)
    rows = table.locator("tbody tr")
    expect()(rows).to_have_count(2)
    expect()(rows.nth(0)).to_contain_text("without state refused")
    expect()(rows.nth(0)).to_contain_text("does not")
    expect()(rows.nth(1)).to_contain_text("right iss")
    expect()(rows.nth(1)).to_contain_text("could not tell")
    expect()(message(page)).to_contain_text("2 checks done with 2 login(s), 1 of them skipped")
    expect()(step.get_by_text("Login 2 of up to 2")).to_have_count(0)
    expect()(paste).to_have_value("")
    assert code not in step.inner_text()
    no_traceback(page)
    shot(page, SHOTS, "5-card")
    run_in_new_cell(page, "other.stop(); print('stopped')")
