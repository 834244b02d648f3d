"""The wizard clicked through in a real browser, as a person would: JupyterLab and Voilà.

Every wait is on a condition of the page (text, visibility, URL), never a sleep.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import CANARIES, JWT

pytestmark = pytest.mark.browser

LONG = 120_000  # ms: kernel start and Run All on a busy 2-core CI machine


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


# -- page helpers ----------------------------------------------------------------------------

def step(page, name):
    return page.locator(f".wal-step-{name}")


def _indicator(page):
    return page.locator(".wal-wizard .wal-step-indicator")


def _step_number(page) -> int:
    return int(re.search(r"Step (\d+) of", _indicator(page).inner_text()).group(1))


def _press(page, name: str, delta: int) -> None:
    """Press Back or Next once and wait until the kernel has moved the wizard by ``delta``."""
    target = _step_number(page) + delta
    button = page.locator(f".wal-wizard .wal-{name}")
    expect()(button).to_be_enabled(timeout=LONG)  # disabled while a request runs
    button.click()
    expect()(_indicator(page)).to_have_text(re.compile(rf"Step {target} of"), timeout=LONG)


def click_next(page):
    _press(page, "next", +1)


def start_over(page):
    while _step_number(page) > 1:
        _press(page, "back", -1)
    expect()(step(page, "auth_type")).to_be_visible()


def choose(page, label):
    start_over(page)
    page.locator(".wal-auth-type").get_by_text(label, exact=True).click()
    click_next(page)
    expect()(step(page, "details")).to_be_visible()
    step(page, "details").locator(".wal-fill-demo").click()
    expect()(step(page, "details").locator(".wal-field-token-url input")).not_to_have_value("")


def to_run(page):
    click_next(page)
    expect()(step(page, "run")).to_be_visible()


def message(page, name):
    return step(page, name).locator(".wal-message")


def assert_no_traceback(page):
    text = page.locator("body").inner_text()
    assert "Traceback" not in text
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


def screenshot(page, artifacts, name):
    path = artifacts / f"{name}.png"
    wizard = page.locator(".wal-wizard")
    if wizard.count() and wizard.first.is_visible():
        wizard.first.screenshot(path=str(path))  # scrolls it into view inside the notebook
    else:
        page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def client_credentials_path(page, artifacts, prefix, while_revealed=None):
    choose(page, "OAuth Client Credentials")
    to_run(page)
    step(page, "run").locator(".wal-get-token").click()
    expect()(message(page, "run")).to_contain_text("Press Next", timeout=LONG)
    click_next(page)
    result = step(page, "result")
    expect()(result).to_be_visible()
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
    screenshot(page, artifacts, f"{prefix}-client-credentials-result")
    result.locator(".wal-reveal").first.click()  # hide again: the widget values are cleared
    expect()(result.locator(".wal-revealed input, .wal-revealed textarea")).to_have_count(0)
    click_next(page)
    expect()(step(page, "results_table")).to_be_visible()
    table = step(page, "results_table").locator("table")
    expect()(table).to_be_visible(timeout=LONG)  # the first table imports pandas in the kernel
    expect()(table.locator("tbody tr")).to_have_count(1)
    expect()(table).to_contain_text("client credentials: token")
    screenshot(page, artifacts, f"{prefix}-client-credentials-table")
    assert_no_traceback(page)
    return token


# -- JupyterLab ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab_page(browser_context, lab_server, artifacts):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab_server["base"])
    page = browser_context.new_page()
    page.goto(f"{lab_server['base']}/lab/tree/00-start-here.ipynb?token={lab_server['token']}")
    # The notebook's own indicator reads idle while the kernel is still starting: wait on the
    # status bar text instead, or Run All opens a "Select Kernel" dialog and nothing runs.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))",
        timeout=LONG,
    )
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
    yield page
    page.close()


def run_in_new_cell(page, code):
    """Type ``code`` into a new last cell, run it, and return its output text."""
    # The prompt, not the cell body: the last cell's output holds a button.
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    editor = page.locator(".jp-Notebook .jp-Cell").last.locator(".cm-content")
    editor.click()
    page.keyboard.type(code)
    page.keyboard.press("Control+Enter")  # run in place: Shift+Enter would add a cell below
    cell = page.locator(".jp-Notebook .jp-CodeCell").last
    output = cell.locator(".jp-OutputArea-output")
    expect()(output).not_to_be_empty(timeout=LONG)
    return output.inner_text().strip()


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
    to_run(page)
    run = step(page, "run")

    def log_in_and_land() -> str:
        run.locator(".wal-build-link").click()
        link = run.locator(".wal-authorize-link a")
        expect()(link).to_have_attribute("href", re.compile(r"state="))
        expect()(run.locator(".wal-link-details")).to_contain_text("S256")
        with browser_context.expect_page() as new_tab:
            link.click()
        login = new_tab.value
        login.wait_for_load_state()
        login.fill("#username", "demo")
        login.fill("#password", CANARIES["WAL_DEMO_PASSWORD"])  # the person types it; no widget holds it
        screenshot(login, artifacts, "lab-oauth-code-login-page")
        login.get_by_role("button", name="Approve").click()
        login.wait_for_url(re.compile(r"/callback\?.*code="))
        landed = login.url
        login.close()
        return landed

    landed = log_in_and_land()
    run.locator(".wal-paste input").fill(landed)
    run.locator(".wal-exchange").click()
    expect()(message(page, "run")).to_contain_text("State checked", timeout=LONG)
    click_next(page)
    expect()(step(page, "result").locator(".wal-token-masked")).to_contain_text("****")
    screenshot(page, artifacts, "lab-oauth-code-result")

    # Again, with the state tampered with: refused, and no token request reaches the provider.
    _press(page, "back", -1)
    expect()(step(page, "run")).to_be_visible()
    before = run_in_new_cell(page, "len(demo.token_requests)")
    landed = log_in_and_land()
    tampered = re.sub(r"state=([^&]+)", lambda m: "state=" + m.group(1)[::-1], landed)
    assert tampered != landed
    run.locator(".wal-paste input").fill(tampered)
    run.locator(".wal-exchange").click()
    expect()(message(page, "run")).to_contain_text("state", timeout=LONG)
    expect()(message(page, "run")).to_contain_text("no token was requested")
    after = run_in_new_cell(page, "len(demo.token_requests)")
    assert before == after, (before, after)
    screenshot(page, artifacts, "lab-oauth-code-tampered-state")
    assert_no_traceback(page)


def test_wrong_client_secret_shows_the_hint_in_the_step(lab_page, artifacts):
    page = lab_page
    choose(page, "OAuth Client Credentials")
    step(page, "details").locator(".wal-client-secret input").fill("definitely-not-the-secret")
    to_run(page)
    step(page, "run").locator(".wal-get-token").click()
    expect()(message(page, "run")).to_contain_text("invalid_client", timeout=LONG)
    expect()(message(page, "run")).to_contain_text("client_secret_post")
    screenshot(page, artifacts, "lab-wrong-secret")
    assert_no_traceback(page)


def test_saved_notebook_holds_no_secret(lab_page, lab_server):
    page = lab_page
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    saved = lab_server["root"] / "00-start-here.ipynb"
    expect()(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=LONG)
    text = saved.read_text()
    assert json.loads(text)["cells"]
    for canary in CANARIES.values():
        assert canary not in text
    assert "definitely-not-the-secret" not in text
    assert not JWT.search(text)


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
