"""Issue 12's symptoms, each driven in JupyterLab as a person meets it: what the wizard says is so.

Every test names the symptom it guards; each failed on the code before the fix. Screenshots of
each end state go to test-artifacts/browser/truth-*.png.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from tests.browser.person import (
    LONG, assert_holds_no_secret, build_link, button, choose, expect, field, go_to, log_in, log_in_and_land, message,
    no_traceback, open_notebook_copy, paste_and_exchange, press, run_in_new_cell, save_notebook, set_field, shot,
    visible_step, wizard,
)

pytestmark = pytest.mark.browser

PASTE = "https://…/callback?code=…&state=…"  # the paste field's placeholder


@pytest.fixture(scope="module")
def page(browser_context, lab_server):
    page = open_notebook_copy(browser_context, lab_server, "truth")
    yield page
    page.close()


def _with_code(landed: str, code: str) -> str:
    parts = urlsplit(landed)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["code"] = code
    return urlunsplit(parts._replace(query=urlencode(query)))


def _code_of(landed: str) -> str:
    return parse_qs(urlsplit(landed).query)["code"][0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _to_run_with_link(page, browser_context):
    """OAuth Code, filled, on Run, with an authorize link logged in to; returns the landed address."""
    choose(page, "OAuth Code")
    press(page, "Next")
    return log_in_and_land(browser_context, build_link(page))


def _token_by_client_credentials(page) -> None:
    """OAuth Client Credentials, filled, on Run, with a token got."""
    choose(page, "OAuth Client Credentials")
    press(page, "Next")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("Got a Bearer token", timeout=LONG)


def _change_and_go_to_run(page, label: str, value: str) -> None:
    """Back on Details, one field changed, then Run again."""
    go_to(page, "Details")
    set_field(page, label, value)
    go_to(page, "Run")


def _probe(page):
    """Diagnose, Probe the provider: the (first) table its answers are to appear in."""
    go_to(page, "Diagnose")
    button(page, "Probe the provider").click()
    return visible_step(page).locator("table").first


# 1 -------------------------------------------------------------------------------------------
def test_1_a_bare_code_is_never_reported_as_state_checked(page, browser_context, artifacts):
    landed = _to_run_with_link(page, browser_context)
    paste_and_exchange(page, _code_of(landed))
    expect()(message(page)).to_contain_text("its state cannot be checked", timeout=LONG)
    expect()(message(page)).not_to_contain_text("State checked")
    # The explicit choice, with its warning on screen before anything is exchanged. The demo
    # sends iss with every answer, so the warning says a code alone will be refused, and it is.
    choice = visible_step(page).get_by_label("I only have the code (the provider sends no state back)")
    choice.check()
    expect()(visible_step(page).get_by_text("State will not be checked")).to_be_visible(timeout=LONG)
    expect()(visible_step(page).get_by_text("State will not be checked")).to_contain_text("it will refuse a bare code")
    shot(page, artifacts, "truth-1-bare-code-warning-before-exchange")
    paste_and_exchange(page, _code_of(landed))
    expect()(message(page)).to_contain_text("it was not exchanged", timeout=LONG)
    expect()(message(page)).not_to_contain_text("State checked")
    shot(page, artifacts, "truth-1-bare-code-refused")
    choice.uncheck()
    # as a person sees the warning go before pasting: the kernel has had the change (a paste
    # sent while it is unanswered can be held back by ipywidgets past the Exchange click)
    expect()(visible_step(page).get_by_text("State will not be checked")).to_have_count(0, timeout=LONG)
    paste_and_exchange(page, landed)  # the link was not spent by either refusal
    expect()(message(page)).to_contain_text("State checked", timeout=LONG)
    # The transcript's rows of these pastes say the same: refused, refused, then ok (checked).
    go_to(page, "Results table")
    rows = visible_step(page).locator("table.dataTable tbody tr").filter(has_text="pasted redirect")
    expect()(rows.last).to_be_visible(timeout=LONG)
    outcomes = [r.locator("td").nth(5).inner_text() for r in rows.all()]
    assert outcomes[-3:] == ["✗ refused", "✗ refused", "✓ ok"], outcomes
    no_traceback(page)


# 2 -------------------------------------------------------------------------------------------
def test_2_a_token_obtained_by_hand_is_pasted_as_token_auth(page, browser_context, artifacts):
    landed = _to_run_with_link(page, browser_context)
    paste_and_exchange(page, landed)
    expect()(message(page)).to_contain_text("State checked", timeout=LONG)
    go_to(page, "Diagnose")
    button(page, "Ready to paste").click()
    advice = visible_step(page).get_by_text(re.compile(r"^Choose \w+ as the webhook's auth type"))
    expect()(advice).to_contain_text("Choose Token as the webhook's auth type", timeout=LONG)
    values = visible_step(page).locator("pre")
    expect()(values).to_contain_text('"type": "bearer-token"')
    expect()(values).not_to_contain_text("oauth-auth-code")
    shot(page, artifacts, "truth-2-paste-ready-by-hand")


# 3 -------------------------------------------------------------------------------------------
def test_3_a_failed_run_does_not_show_an_earlier_delivery(page, artifacts):
    _token_by_client_credentials(page)
    press(page, "Next")
    button(page, "Send test webhook").click()
    expect()(message(page)).to_contain_text(re.compile(r"receiver accepted test delivery \d+"), timeout=LONG)
    _change_and_go_to_run(page, "Client Secret", "definitely-not-the-secret")
    expect()(visible_step(page)).not_to_contain_text("Got a Bearer token")  # other settings now
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("invalid_client", timeout=LONG)
    press(page, "Next")
    expect()(visible_step(page)).not_to_contain_text("receiver accepted")
    expect()(visible_step(page)).not_to_contain_text("HTTP 200")
    shot(page, artifacts, "truth-3-result-after-a-failed-run")


def test_3_changed_settings_drop_the_old_token_and_a_success_clears_the_red(page, artifacts):
    _token_by_client_credentials(page)
    _change_and_go_to_run(page, "Client ID", "another-client")
    expect()(visible_step(page)).not_to_contain_text("Got a Bearer token")
    go_to(page, "Result")
    expect()(visible_step(page)).to_contain_text("No token yet")
    # a failure, then a success: no red left under the new token
    go_to(page, "Run")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("invalid_client", timeout=LONG)
    _change_and_go_to_run(page, "Client ID", "demo-client")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("Got a Bearer token", timeout=LONG)
    expect()(visible_step(page).locator("[role=alert]")).to_have_count(0)
    shot(page, artifacts, "truth-3-success-after-failure")


def test_3_the_probe_table_goes_with_the_provider_it_was_made_for(page, artifacts):
    choose(page, "OAuth Code")
    table = _probe(page)
    expect()(table).to_contain_text("state", timeout=LONG)
    go_to(page, "Details")
    set_field(page, "Token URL", f"http://127.0.0.1:{_closed_port()}/token")
    go_to(page, "Diagnose")
    expect()(visible_step(page).locator("table")).to_have_count(0)
    expect()(visible_step(page)).not_to_contain_text("7 questions")
    shot(page, artifacts, "truth-3-probe-table-gone")


# 4 -------------------------------------------------------------------------------------------
def test_4_a_mistyped_code_does_not_use_up_the_authorize_link(page, browser_context, artifacts):
    landed = _to_run_with_link(page, browser_context)
    code = _code_of(landed)
    paste_and_exchange(page, _with_code(landed, code[:-4] + ("aaaa" if not code.endswith("aaaa") else "bbbb")))
    expect()(message(page)).to_contain_text("invalid_grant", timeout=LONG)
    expect()(message(page)).to_contain_text("the authorize link is still open")
    shot(page, artifacts, "truth-4-mistyped-code")
    paste_and_exchange(page, landed)
    expect()(message(page)).to_contain_text("State checked", timeout=LONG)
    expect()(message(page)).not_to_contain_text("already used")
    shot(page, artifacts, "truth-4-right-address-after-a-mistyped-code")


# 5 -------------------------------------------------------------------------------------------
def test_5_https_to_a_plain_http_port_hints_at_the_scheme_and_port(page, artifacts):
    choose(page, "OAuth Client Credentials")
    plain = field(page, "Token URL").input_value()
    assert plain.startswith("http://")
    set_field(page, "Token URL", "https://" + plain[len("http://"):])
    press(page, "Next")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("plain http", timeout=LONG)
    expect()(message(page)).to_contain_text("The scheme or the port is wrong")
    expect()(message(page)).not_to_contain_text("REQUESTS_CA_BUNDLE")
    shot(page, artifacts, "truth-5-https-to-plain-http")


# 6 -------------------------------------------------------------------------------------------
def test_6_the_probe_never_claims_tls_over_plain_http(page, artifacts):
    choose(page, "OAuth Code")
    table = _probe(page)
    expect()(table).to_contain_text("plain http", timeout=LONG)
    expect()(table).not_to_contain_text("reachable over TLS")
    shot(page, artifacts, "truth-6-probe-plain-http")


def test_6_a_probe_where_everything_was_refused_is_not_a_green_done(page, artifacts):
    choose(page, "OAuth Code")
    closed = f"http://127.0.0.1:{_closed_port()}"
    set_field(page, "Auth URL", closed + "/authorize")
    set_field(page, "Token URL", closed + "/token")
    _probe(page)
    said = message(page)
    expect()(said).to_contain_text("answered none", timeout=LONG)
    expect()(said).to_have_attribute("role", "alert")
    expect()(said).not_to_contain_text("done")
    assert ".." not in visible_step(page).inner_text().replace("…", "")
    shot(page, artifacts, "truth-6-probe-everything-refused")


# 7 -------------------------------------------------------------------------------------------
def test_7_the_notebook_text_and_the_wizard_agree_and_the_breadcrumb_navigates(page, artifacts):
    text = " ".join(page.locator(".jp-MarkdownOutput").all_inner_texts())
    said = re.findall(r"\b(two|three|four|five|six|seven)[- ]steps?\b", text, re.I)
    numbers = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
    go_to(page, "Auth type")
    shown = int(re.search(r"Step 1 of (\d+)", wizard(page).inner_text()).group(1))
    assert said and {numbers[w.lower()] for w in said} == {shown}, (said, shown)
    crumbs = wizard(page).get_by_role("button", name=re.compile(r"^\d+\. "))
    expect()(crumbs).to_have_count(shown)
    opened = re.search(r"opens with (.+?) chosen", text).group(1)
    # A fresh wizard (as the notebook opens it) preselects the type the text names.
    output = run_in_new_cell(page, "from widgets.ui.model import WizardModel; WizardModel().auth_type.label")
    assert output.strip("'\"") == opened, (output, opened)
    go_to(page, "Diagnose")  # a breadcrumb goes where it says
    expect()(wizard(page).get_by_text("Step 6 of 6 · Diagnose")).to_be_visible()
    shot(page, artifacts, "truth-7-breadcrumb")


# 8 -------------------------------------------------------------------------------------------
def test_8_statuses_in_a_notebook_table_are_integers(page, artifacts):
    run_in_new_cell(page, "from widgets import Transcript\nt = Transcript()\nt.record('answered', status=401)\n"
                          "t.record('no answer', outcome='refused')\nt.to_dataframe()[['step', 'status', 'outcome']]")
    table = page.locator(".jp-Notebook .jp-CodeCell").last.locator("table.dataframe")
    expect()(table).to_be_visible(timeout=LONG)
    cells = table.locator("tbody tr td:nth-of-type(2)").all_inner_texts()
    assert cells == ["401", "<NA>"], cells
    shot(page, artifacts, "truth-8-status-integers")


# 9 -------------------------------------------------------------------------------------------
def test_9_after_deny_the_callback_page_does_not_say_it_exchanges_the_code(page, browser_context, artifacts):
    choose(page, "OAuth Code")
    press(page, "Next")
    tab = log_in(browser_context, build_link(page), approve=False, artifacts=artifacts, name="truth-9-after-deny")
    try:
        assert "error=access_denied" in tab.url
        heading = tab.get_by_role("heading", level=1)
        expect()(heading).to_have_text("The sign-in did not give a code")
        body = tab.locator("body").inner_text()
        assert "exchanges the code" not in body and "nothing to exchange" in body
    finally:
        tab.close()


# the canary, over everything above ---------------------------------------------------------
def test_the_saved_notebook_holds_no_secret_after_all_of_the_above(page, lab_server):
    save_notebook(page)
    text = (lab_server["root"] / "truth.ipynb").read_text()
    assert_holds_no_secret(text)
    assert not re.search(r"[?&]code=(?!\*{4})[A-Za-z0-9_~.%-]{8,}", text)
