"""Jupyter where the browser is elsewhere: a hub-like JupyterLab (``base_url=/user/ana/``) and a
browser that can reach **only** the Jupyter server, as on Binder or a JupyterHub.

Every request to another host:port (the demo provider's, the catcher's) is aborted by the
browser context, so the OAuth Code flow by hand can only work through jupyter-server-proxy.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.person import (
    LONG, at, button, choose, expect, log_in, message, no_traceback, open_and_run_all, paste_and_exchange, press, shot,
)
from tests.support.browser import NOTEBOOK, start_lab, stop

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
    open_and_run_all(page, f"{hub_lab['base']}/lab/tree/{NOTEBOOK.name}?token={hub_lab['token']}")
    # The page told the kernel where it is; the wizard says the demo's pages go through Jupyter.
    expect()(page.locator(".wal-wizard .wal-page-location")).to_contain_text(
        "open through the Jupyter server", timeout=LONG)
    yield page
    page.close()


def _proxied(hub_lab) -> re.Pattern:
    return re.compile(re.escape(f"{hub_lab['base']}/proxy/") + r"\d+/")


def _open_link_and_log_in(page, browser_context, hub_lab, artifacts, name):
    run = at(page, "Run")
    link = run.locator(".wal-authorize-link a")
    before = link.get_attribute("href") if link.count() else None  # a link of an earlier test
    button(page, "Build authorize link").click()
    expect()(link).to_have_attribute("href", re.compile("^" + _proxied(hub_lab).pattern + "authorize\\?.*state="))
    expect()(link).not_to_have_attribute("href", before or "-", timeout=LONG)
    return log_in(browser_context, link, artifacts=artifacts, login_shot=f"{name}-login-page",
                  lands=re.compile("^" + _proxied(hub_lab).pattern + r"callback\?.*code="))


def test_oauth_code_by_hand_with_only_the_jupyter_server_reachable(hub_page, browser_context, hub_lab,
                                                                   only_jupyter, artifacts):
    page = hub_page
    choose(page, "OAuth Code")
    details = at(page, "Details")
    expect()(details.locator(".wal-field-token-url input")).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/token$"))
    press(page, "Next")
    login = _open_link_and_log_in(page, browser_context, hub_lab, artifacts, "hub-oauth-code")
    # The demo's callback page itself came through the proxy and is live.
    expect()(login.locator("h1")).to_contain_text("Copy this page's address")
    shot(login, artifacts, "hub-oauth-code-callback-page")
    landed = login.url
    demo_port = re.search(r"/proxy/(\d+)/", landed).group(1)
    login.close()
    # The browser really cannot reach the demo directly: the route aborts it (asked from the
    # notebook's page; the demo's own pages forbid scripts any connection).
    direct = page.evaluate(
        f"fetch('http://127.0.0.1:{demo_port}/jwks.json', {{mode: 'no-cors'}}).then(() => 'reached', () => 'blocked')")
    assert direct == "blocked"
    assert any(f"127.0.0.1:{demo_port}/jwks.json" in url for url in only_jupyter)

    paste_and_exchange(page, landed)
    expect()(message(page)).to_contain_text("State checked", timeout=LONG)
    press(page, "Next")
    expect()(at(page, "Result").locator(".wal-token-masked")).to_contain_text("****")
    shot(page, artifacts, "hub-oauth-code-result")
    no_traceback(page)


def test_oauth_code_with_the_callback_caught_through_the_proxy(hub_page, browser_context, hub_lab, artifacts):
    page = hub_page
    choose(page, "OAuth Code")
    press(page, "Next")
    run = at(page, "Run")
    run.locator(".wal-catch input[type='checkbox']").check()
    login = _open_link_and_log_in(page, browser_context, hub_lab, artifacts, "hub-catch")
    expect()(login.locator("h1")).to_have_text("You can close this tab")
    shot(login, artifacts, "hub-catch-callback-page")
    login.close()
    expect()(run.locator(".wal-catch-where")).to_contain_text("through the Jupyter server")
    expect()(message(page)).to_contain_text("caught (no paste)", timeout=LONG)
    shot(page, artifacts, "hub-catch-run")
    press(page, "Next")
    expect()(at(page, "Result").locator(".wal-token-masked")).to_contain_text("****")
    shot(page, artifacts, "hub-catch-result")
    no_traceback(page)
