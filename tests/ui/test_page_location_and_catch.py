"""The wizard where the browser is elsewhere: what the page reports routes the demo through the
Jupyter server's proxy, and the Run step can catch the answer there (no paste).

The page's answer is set on the widget here as the browser's front end sets it; the real front end
is driven in tests/browser/test_jupyter_anywhere.py.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.prefix_proxy import PrefixProxy
from widgets import AuthType
from widgets.ui.location import JupyterPage, proxy_url

from tests.support.ui import one


def answer(page, proxy: PrefixProxy | None, base_url="/user/ana/") -> None:
    """What the browser's front end sends: the origin, the server's base URL, the proxy or not."""
    if proxy is None:
        page.origin, page.base_url, page.proxy = "http://127.0.0.1:8888", "/", "no"
    else:
        origin = proxy.base.split("/user/")[0]
        page.origin, page.base_url, page.proxy = origin, base_url, "yes"


def test_proxy_url_is_origin_base_and_port(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert proxy_url("https://hub.example.org", "/user/ana/", 4321) == "https://hub.example.org/user/ana/proxy/4321"
    assert proxy_url("https://hub.example.org", "", "{port}") == "https://hub.example.org/proxy/{port}"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/bo/")
    assert proxy_url("https://hub.example.org", "", 1) == "https://hub.example.org/user/bo/proxy/1"
    assert proxy_url("null", "/", 1) is None and proxy_url("", "/", 1) is None


def test_a_page_without_answer_or_without_proxy_gives_no_proxy_url():
    page = JupyterPage()
    assert not page.known and page.proxy_url(1) is None
    page.origin, page.base_url, page.proxy = "https://hub.example.org", "/user/ana/", "no"
    assert page.known and page.proxy_url(1) is None
    page.close()


def test_the_page_widget_syncs_no_address_query(make_wizard):
    # Only origin and base path travel: the page's query may hold the Jupyter token.
    state = JupyterPage().get_state()
    assert set(state) >= {"origin", "base_url", "proxy", "note"}
    assert not {"href", "search", "query"} & set(state)


def test_a_page_behind_a_proxy_routes_the_demo_through_it(make_wizard, canary_demo):
    with PrefixProxy() as proxy:
        wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
        answer(wizard.page, proxy)
        public = proxy.url_for(canary_demo.port)
        assert canary_demo.public_url == public
        assert "open through the Jupyter server" in wizard.page.note
        one(wizard, "wal-fill-demo").click()
        assert wizard.config.auth_url == public + "/authorize"
        assert wizard.config.redirect_uri == public + "/callback"
        assert wizard.config.token_url == canary_demo.issuer + "/token"
        assert wizard.next() and wizard.step == "run"
        run = wizard.run_step
        one(run, "wal-build-link").click()
        assert run.authorize_url.startswith(public + "/authorize?")
        one(run, "wal-paste").value = canary_demo.approve(run.authorize_url)
        one(run, "wal-exchange").click()
        assert run.message_kind == "ok" and wizard.token is not None, run.message
    canary_demo.public_url = None


def test_an_explicit_public_url_is_left_alone(make_wizard, canary_demo):
    canary_demo.public_url = "https://elsewhere.example.org/demo-{port}"
    with PrefixProxy() as proxy:
        wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
        answer(wizard.page, proxy)
    assert canary_demo.public_url == f"https://elsewhere.example.org/demo-{canary_demo.port}"
    canary_demo.public_url = None


def test_a_page_without_proxy_leaves_the_demo_direct_and_says_nothing(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    answer(wizard.page, None)
    assert canary_demo.public_url is None and wizard.page.note == ""


def _wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def test_the_answer_is_caught_through_the_proxy_without_a_paste(make_wizard, canary_demo):
    with PrefixProxy() as proxy:
        wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
        answer(wizard.page, proxy)
        one(wizard, "wal-fill-demo").click()
        assert wizard.next() and wizard.step == "run"
        run = wizard.run_step
        one(run, "wal-catch").value = True
        one(run, "wal-build-link").click()
        assert "comes back here by itself" in run.message, run.message
        redirect = wizard.config.redirect_uri
        assert redirect.startswith(proxy.base) and redirect.endswith("/callback")
        assert "through the Jupyter server" in one(run, "wal-catch-where").value
        location = canary_demo.approve(run.authorize_url)
        assert location.startswith(redirect + "?")
        page = requests.get(location, timeout=10)  # the browser follows, through the proxy
        assert "You can close this tab" in page.text
        _wait_for(lambda: wizard.token is not None)
        _wait_for(lambda: run.message_kind == "ok")
        assert "caught (no paste)" in run.message
    canary_demo.public_url = None
    wizard.close()


def _link_caught_without_a_proxy(make_wizard):
    """OAuth Code on Run, the page behind no proxy, "catch the answer" on, a link built."""
    wizard = make_wizard(AuthType.OAUTH_CODE)
    answer(wizard.page, None)
    assert wizard.next()
    one(wizard.run_step, "wal-catch").value = True
    one(wizard.run_step, "wal-build-link").click()
    return wizard


def test_without_a_proxy_the_catcher_is_on_loopback_and_says_so(make_wizard, canary_demo):
    wizard = _link_caught_without_a_proxy(make_wizard)
    assert wizard.config.redirect_uri.startswith("http://127.0.0.1:")
    assert "only a browser on that machine" in one(wizard.run_step, "wal-catch-where").value
    catcher = wizard.run_step._catch.catcher
    wizard.close()
    with pytest.raises(Exception):
        requests.get(catcher.direct_uri, timeout=2)  # closing the wizard stopped it


def test_a_second_link_catches_on_the_same_address(make_wizard, canary_demo):
    wizard = _link_caught_without_a_proxy(make_wizard)
    first = wizard.config.redirect_uri
    one(wizard.run_step, "wal-build-link").click()
    assert wizard.config.redirect_uri == first  # what a person registered stays valid
    wizard.close()
