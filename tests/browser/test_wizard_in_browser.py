"""The wizard clicked through in a real browser, as a person would: JupyterLab and Voilà.

Every wait is on a condition of the page (text, visibility, URL), never a sleep.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.person import (
    LONG, assert_holds_no_secret, at, build_link, button, choose, expect, log_in_and_land, message,
    no_traceback, open_and_run_all, paste_and_exchange, press, run_in_new_cell, save_notebook, set_field, shot,
)
from tests.support.browser import JWT

pytestmark = pytest.mark.browser


def client_credentials_path(page, artifacts, prefix, while_revealed=None):
    choose(page, "OAuth Client Credentials")
    press(page, "Next")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("Press Next", timeout=LONG)
    press(page, "Next")
    result = at(page, "Result")
    masked = result.locator(".wal-token-masked")
    expect()(masked).to_contain_text("****")
    assert not JWT.search(masked.inner_text())
    # Reveal shows the whole token, Copy puts it on the clipboard.
    result.locator(".wal-reveal").first.click()
    revealed = result.locator(".wal-revealed input, .wal-revealed textarea").first
    expect()(revealed).to_have_value(JWT)
    expect()(revealed).to_be_visible()
    token = revealed.input_value()
    result.locator(".wal-copy button").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == token
    # on screen and on the clipboard, yet in no attribute of the page's markup (a property only)
    assert token not in result.locator(".wal-revealed").first.evaluate("e => e.outerHTML")
    assert token not in result.locator(".wal-copy").first.evaluate("e => e.outerHTML")
    if while_revealed is not None:
        while_revealed(page)
    shot(page, artifacts, f"{prefix}-client-credentials-result")
    result.locator(".wal-reveal").first.click()  # hide again: the widget values are cleared
    expect()(result.locator(".wal-revealed input, .wal-revealed textarea")).to_have_count(0)
    press(page, "Next")
    table = at(page, "Results table").locator("table")
    expect()(table).to_be_visible(timeout=LONG)  # the first table imports pandas in the kernel
    expect()(table.locator("tbody tr")).to_have_count(1)
    expect()(table).to_contain_text("client credentials: token")
    shot(page, artifacts, f"{prefix}-client-credentials-table")
    no_traceback(page)
    return token


# -- JupyterLab ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab_page(browser_context, lab_server, artifacts):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab_server["base"])
    page = browser_context.new_page()
    open_and_run_all(page, f"{lab_server['base']}/lab/tree/00-start-here.ipynb?token={lab_server['token']}")
    yield page
    page.close()


# One line (the editor would indent a second): what the kernel's widgets hold while revealed. The
# views counted are the newest wizard's Result step's: an earlier test may have left another wizard
# in this kernel, and the Run step's header line is a SecretView too.
STATE_WHILE_REVEALED = (
    "import json; from ipywidgets.widgets.widget import _instances as I; "
    "W=[w for w in I.values() if type(w).__name__=='Wizard'][-1]; t=W.token; "
    "f=lambda w: [w]+[x for c in getattr(w, 'children', ()) for x in f(c)]; "
    "v=[w for w in f(W.result_step) if type(w).__name__=='SecretView']; "
    "s=json.dumps([w.get_state() for w in v], default=str); "
    "a=json.dumps([w.get_state() for w in list(I.values())], default=str); "
    "print('revealed', all(w.revealed for w in v), len(v), 'masked', t.masked in s, "
    "'token', t.access_token in s or t.access_token in a)"
)


def test_client_credentials_in_jupyterlab(lab_page, artifacts):
    seen = []

    def widget_state(page):  # asked of the kernel while the token is on screen (30 s to answer)
        seen.append(run_in_new_cell(page, STATE_WHILE_REVEALED))

    client_credentials_path(lab_page, artifacts, "lab", while_revealed=widget_state)
    # the views are revealed and hold the masked form; no widget's state holds the token
    assert seen == ["revealed True 2 masked True token False"], seen


def test_oauth_code_by_hand_in_jupyterlab(lab_page, browser_context, artifacts):
    page = lab_page
    choose(page, "OAuth Code")
    press(page, "Next")

    def log_in_and_land_here() -> str:
        link = build_link(page)
        expect()(link).to_have_attribute("href", re.compile(r"state="))
        expect()(at(page, "Run").locator(".wal-link-details")).to_contain_text("S256")
        return log_in_and_land(browser_context, link, artifacts=artifacts, login_shot="lab-oauth-code-login-page")

    landed = log_in_and_land_here()
    paste_and_exchange(page, landed)
    expect()(message(page)).to_contain_text("State checked", timeout=LONG)
    press(page, "Next")
    expect()(at(page, "Result").locator(".wal-token-masked")).to_contain_text("****")
    shot(page, artifacts, "lab-oauth-code-result")

    # Again, with the state tampered with: refused, and no token request reaches the provider.
    press(page, "Back")
    at(page, "Run")
    before = run_in_new_cell(page, "len(demo.token_requests)")
    landed = log_in_and_land_here()
    tampered = re.sub(r"state=([^&]+)", lambda m: "state=" + m.group(1)[::-1], landed)
    assert tampered != landed
    paste_and_exchange(page, tampered)
    expect()(message(page)).to_contain_text("state", timeout=LONG)
    expect()(message(page)).to_contain_text("no token was requested")
    after = run_in_new_cell(page, "len(demo.token_requests)")
    assert before == after, (before, after)
    shot(page, artifacts, "lab-oauth-code-tampered-state")
    no_traceback(page)


def test_wrong_client_secret_shows_the_hint_in_the_step(lab_page, artifacts):
    page = lab_page
    choose(page, "OAuth Client Credentials")
    set_field(page, "Client Secret", "definitely-not-the-secret")
    press(page, "Next")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("invalid_client", timeout=LONG)
    expect()(message(page)).to_contain_text("client_secret_post")
    shot(page, artifacts, "lab-wrong-secret")
    no_traceback(page)


def test_saved_notebook_holds_no_secret(lab_page, lab_server):
    save_notebook(lab_page)
    assert_holds_no_secret((lab_server["root"] / "00-start-here.ipynb").read_text())


# -- Voilà -----------------------------------------------------------------------------------

def test_client_credentials_in_voila(browser_context, voila_server, artifacts):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=voila_server["base"])
    page = browser_context.new_page()
    try:
        page.goto(voila_server["start"])
        expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
        assert "def stop_demo" not in page.locator("body").inner_text()  # the app hides the code
        client_credentials_path(page, artifacts, "voila")
    finally:
        page.close()
