"""The demo seen from two places: the browser through the Jupyter server's proxy, the kernel direct."""

from __future__ import annotations

import pytest
import requests

from tests.support.prefix_proxy import PrefixProxy
from widgets import AuthorizationCodeFlow, WebhookAuthConfig
from widgets.demo import DemoProvider, pages


@pytest.fixture
def proxy():
    with PrefixProxy() as running:
        yield running


def _browser_login(authorize_url: str, provider: DemoProvider) -> str:
    """What a browser does with the link: load the page, post its form where the page says."""
    with requests.Session() as browser:
        browser.trust_env = False
        page = browser.get(authorize_url, timeout=10)
        assert page.status_code == 200, page.text
        form = pages.read_page(page.text).form
        data = [(k, v) for k, v in form.fields if k not in ("username", "password")]
        data += [("username", provider.username), ("password", provider.password),
                 ("grant_scope", "alerts:write"), ("decision", "approve")]
        answer = browser.post(requests.compat.urljoin(page.url, form.action), data=data,
                              allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def test_pages_go_through_the_proxy_and_the_kernel_goes_direct(proxy):
    with DemoProvider(public_url=proxy.base + "{port}") as demo:
        public = proxy.url_for(demo.port)
        assert demo.public_url == public
        assert demo.auth_url == public + "/authorize" and demo.callback_url == public + "/callback"
        assert demo.issuer == f"http://127.0.0.1:{demo.port}"
        assert demo.token_url == demo.issuer + "/token" and demo.webhook_url == demo.issuer + "/webhook"
        metadata = requests.get(demo.metadata_url, timeout=10).json()
        assert metadata["issuer"] == demo.issuer
        assert metadata["authorization_endpoint"] == demo.auth_url
        assert metadata["token_endpoint"] == demo.token_url

        flow = AuthorizationCodeFlow(WebhookAuthConfig(auth_type="oauth_code", scope="alerts:write",
                                                       **demo.client_settings()))
        request = flow.begin()
        assert request.url.startswith(public + "/authorize?")
        landed = _browser_login(request.url, demo)
        # The form posted through the proxy (its action is relative), and the browser is sent
        # to the callback page through the proxy too, with the direct issuer as iss.
        assert proxy.seen.count("/authorize") == 2
        assert landed.startswith(public + "/callback?")
        callback = requests.get(landed, timeout=10)
        assert callback.status_code == 200 and "Copy this page" in callback.text
        token = flow.complete(landed)  # checks state and iss == demo.issuer
        assert token.access_token
        assert "/token" not in proxy.seen  # the exchange went direct


def test_approve_goes_direct_even_for_a_link_built_for_the_proxy(proxy):
    with DemoProvider(public_url=proxy.base + "{port}") as demo:
        flow = AuthorizationCodeFlow(WebhookAuthConfig(auth_type="oauth_code", **demo.client_settings()))
        landed = demo.approve(flow.begin().url)
        assert proxy.seen == []
        assert landed.startswith(demo.callback_url + "?")
        assert flow.complete(landed).access_token


def test_public_url_can_be_set_after_start_and_cleared():
    with DemoProvider() as demo:
        assert demo.public_url is None and demo.auth_url == demo.issuer + "/authorize"
        demo.public_url = "https://hub.example.org/user/ana/proxy/{port}/"
        assert demo.auth_url == f"https://hub.example.org/user/ana/proxy/{demo.port}/authorize"
        assert "public_url='https://hub.example.org" in repr(demo)
        demo.public_url = None
        assert demo.callback_url == demo.issuer + "/callback"


@pytest.mark.parametrize("bad", ["hub.example.org/proxy", "ftp://hub/x", "https://hub/x?a=1", "https://hub/x#f"])
def test_public_url_must_be_an_absolute_http_url(bad):
    with pytest.raises(ValueError, match="public_url"):
        DemoProvider(public_url=bad)


def test_from_env_reads_the_public_url(monkeypatch):
    monkeypatch.setenv(DemoProvider.PUBLIC_URL_VARIABLE, "https://hub.example.org/user/ana/proxy/{port}")
    with DemoProvider.from_env() as demo:
        assert demo.auth_url.startswith(f"https://hub.example.org/user/ana/proxy/{demo.port}/")


def test_a_registered_redirect_uri_is_accepted_and_others_are_not():
    with DemoProvider() as demo:
        caught = "https://hub.example.org/user/ana/proxy/41234/callback"
        config = WebhookAuthConfig(auth_type="oauth_code", **{**demo.client_settings(), "redirect_uri": caught})
        refused = requests.get(AuthorizationCodeFlow(config).begin().url, allow_redirects=False, timeout=10)
        assert refused.status_code == 400 and not refused.is_redirect
        demo.register_redirect_uri(caught)
        landed = demo.approve(AuthorizationCodeFlow(config).begin().url)
        assert landed.startswith(caught + "?")


def test_the_provider_pretty_prints_one_setting_a_line():
    from IPython.lib.pretty import pretty

    with DemoProvider() as demo:
        text = pretty(demo)
    lines = text.splitlines()
    assert len(lines) > 5 and max(map(len, lines)) < 60, text
    assert "client_secret='****" in text
