"""The loopback catcher reached through the Jupyter server's proxy (a stand-in for it here)."""

from __future__ import annotations


import pytest
import requests

from tests.support.prefix_proxy import PrefixProxy
from widgets import AuthorizationCodeFlow, WebhookAuthConfig
from widgets.demo import DemoProvider
from widgets.diagnose.catcher import CatcherTimeout, LoopbackCatcher


def test_the_code_reaches_the_kernel_through_the_proxy_without_a_paste():
    with PrefixProxy() as proxy, DemoProvider() as demo, \
            LoopbackCatcher(public_url=proxy.base + "{port}", timeout=20) as catcher:
        public = proxy.url_for(catcher.port) + "/callback"
        assert catcher.redirect_uri == public
        assert catcher.direct_uri == f"http://127.0.0.1:{catcher.port}/callback"
        demo.register_redirect_uri(catcher.redirect_uri)  # as a person registers it with a provider
        config = WebhookAuthConfig(auth_type="oauth_code",
                                   **{**demo.client_settings(), "redirect_uri": catcher.redirect_uri})
        flow = AuthorizationCodeFlow(config)
        request = flow.begin()
        catcher.expect(request.state)
        location = demo.approve(request.url)
        assert location.startswith(public + "?")
        # The browser follows the redirect: through the proxy, to the catcher.
        page = requests.get(location, timeout=10)
        assert page.status_code == 200 and "You can close this tab" in page.text
        received = catcher.wait()
        assert received == location  # the public address, as the browser saw it
        assert proxy.seen == ["/callback"]
        assert flow.complete(received).access_token


def test_a_timeout_behind_the_proxy_names_the_public_address_to_register():
    with PrefixProxy() as proxy:
        catcher = LoopbackCatcher(public_url=proxy.base + "{port}", timeout=0.2).start()
        with pytest.raises(CatcherTimeout) as caught:
            catcher.wait()
    assert catcher.redirect_uri in caught.value.hint and "register exactly that address" in caught.value.hint
    assert "on this machine" not in caught.value.hint


@pytest.mark.parametrize("bad", ["/user/ana/proxy/{port}", "ftp://h/x", "https://h/x?q=1"])
def test_public_url_must_be_absolute(bad):
    with pytest.raises(ValueError, match="public_url"):
        LoopbackCatcher(public_url=bad)
