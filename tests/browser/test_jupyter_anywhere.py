"""Jupyter where the browser is elsewhere: a hub-like JupyterLab (``base_url=/user/ana/``) and a
browser that can reach **only** the Jupyter server, as on Binder or a JupyterHub.

Every request to another host:port (the demo provider's, the catcher's) is aborted by the
browser context, so the OAuth Code flow by hand can only work through jupyter-server-proxy.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CANARIES, NOTEBOOK, start_lab, stop
from tests.browser.test_wizard_in_browser import (
    LONG,
    assert_no_traceback,
    choose,
    click_next,
    expect,
    message,
    screenshot,
    step,
    to_run,
)

pytestmark = pytest.mark.browser

BASE_URL = "/user/ana/"


@pytest.fixture(scope="module")
def hub_lab(tmp_path_factory):
    process, info = start_lab(tmp_path_factory, [NOTEBOOK], base_url=BASE_URL, name="hub-lab")
    try:
        yield info
    finally:
        stop(process)


@pytest.fixture(scope="module")
def only_jupyter(browser_context, hub_lab):
    """The browser context aborts every request that is not for the Jupyter server's host:port."""
    allowed = urlsplit(hub_lab["origin"]).netloc
    aborted: list[str] = []

    def gate(route):
        url = route.request.url
        if urlsplit(url).netloc == allowed:
            route.continue_()
        else:
            aborted.append(url)
            route.abort()

    browser_context.route("**/*", gate)
    yield aborted
    browser_context.unroute("**/*", gate)


@pytest.fixture(scope="module")
def hub_page(browser_context, hub_lab, only_jupyter):
    page = browser_context.new_page()
    page.goto(f"{hub_lab['base']}/lab/tree/{NOTEBOOK.name}?token={hub_lab['token']}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))",
        timeout=LONG,
    )
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
    # The page told the kernel where it is; the wizard says the demo's pages go through Jupyter.
    expect()(page.locator(".wal-wizard .wal-page-location")).to_contain_text(
        "open through the Jupyter server", timeout=LONG)
    yield page
    page.close()


def _proxied(hub_lab) -> re.Pattern:
    return re.compile(re.escape(f"{hub_lab['base']}/proxy/") + r"\d+/")


def _open_link_and_log_in(page, browser_context, hub_lab, artifacts, name):
    run = step(page, "run")
    link = run.locator(".wal-authorize-link a")
    before = link.get_attribute("href") if link.count() else None  # a link of an earlier test
    run.locator(".wal-build-link").click()
    expect()(link).to_have_attribute("href", re.compile("^" + _proxied(hub_lab).pattern + "authorize\\?.*state="))
    expect()(link).not_to_have_attribute("href", before or "-", timeout=LONG)
    with browser_context.expect_page() as new_tab:
        link.click()
    login = new_tab.value
    login.wait_for_load_state()
    expect()(login.locator("#password")).to_be_visible()
    login.fill("#username", "demo")
    login.fill("#password", CANARIES["WAL_DEMO_PASSWORD"])
    screenshot(login, artifacts, f"{name}-login-page")
    login.get_by_role("button", name="Approve").click()
    login.wait_for_url(re.compile("^" + _proxied(hub_lab).pattern + r"callback\?.*code="))
    return login


def test_oauth_code_by_hand_with_only_the_jupyter_server_reachable(hub_page, browser_context, hub_lab,
                                                                   only_jupyter, artifacts):
    page = hub_page
    choose(page, "OAuth Code")
    details = step(page, "details")
    expect()(details.locator(".wal-field-token-url input")).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/token$"))
    to_run(page)
    login = _open_link_and_log_in(page, browser_context, hub_lab, artifacts, "hub-oauth-code")
    # The demo's callback page itself came through the proxy and is live.
    expect()(login.locator("h1")).to_contain_text("Copy this page's address")
    screenshot(login, artifacts, "hub-oauth-code-callback-page")
    landed = login.url
    demo_port = re.search(r"/proxy/(\d+)/", landed).group(1)
    login.close()
    # The browser really cannot reach the demo directly: the route aborts it (asked from the
    # notebook's page; the demo's own pages forbid scripts any connection).
    direct = page.evaluate(
        f"fetch('http://127.0.0.1:{demo_port}/jwks.json', {{mode: 'no-cors'}}).then(() => 'reached', () => 'blocked')")
    assert direct == "blocked"
    assert any(f"127.0.0.1:{demo_port}/jwks.json" in url for url in only_jupyter)

    run = step(page, "run")
    run.locator(".wal-paste input").fill(landed)
    run.locator(".wal-exchange").click()
    expect()(message(page, "run")).to_contain_text("State checked", timeout=LONG)
    click_next(page)
    expect()(step(page, "result").locator(".wal-token-masked")).to_contain_text("****")
    screenshot(page, artifacts, "hub-oauth-code-result")
    assert_no_traceback(page)


def test_oauth_code_with_the_callback_caught_through_the_proxy(hub_page, browser_context, hub_lab, artifacts):
    page = hub_page
    choose(page, "OAuth Code")
    to_run(page)
    run = step(page, "run")
    run.locator(".wal-catch input[type='checkbox']").check()
    login = _open_link_and_log_in(page, browser_context, hub_lab, artifacts, "hub-catch")
    expect()(login.locator("h1")).to_have_text("You can close this tab")
    screenshot(login, artifacts, "hub-catch-callback-page")
    login.close()
    expect()(run.locator(".wal-catch-where")).to_contain_text("through the Jupyter server")
    expect()(message(page, "run")).to_contain_text("caught (no paste)", timeout=LONG)
    screenshot(page, artifacts, "hub-catch-run")
    click_next(page)
    expect()(step(page, "result").locator(".wal-token-masked")).to_contain_text("****")
    screenshot(page, artifacts, "hub-catch-result")
    assert_no_traceback(page)
