"""The loopback catcher receives a real redirect once, shows no secret, and times out cleanly."""

import socket

import pytest
import requests

from tests.support.configs import code_config
from widgets import AuthorizationCodeFlow, AuthorizationDenied
from widgets.core.errors import CatcherError, CatcherTimeout
from widgets.diagnose.catcher import LoopbackCatcher


def test_a_real_redirect_is_caught_and_completes_the_flow(make_demo):
    provider = make_demo(require_state=True, require_pkce=True)
    with LoopbackCatcher() as catcher:
        assert catcher.redirect_uri.startswith("http://127.0.0.1:") and catcher.redirect_uri.endswith("/callback")
        flow = AuthorizationCodeFlow(code_config(provider, redirect_uri=catcher.redirect_uri))
        request = flow.begin()
        catcher.expect(request.state)
        location = provider.approve(request.url)
        assert location.startswith(catcher.redirect_uri + "?")
        page = requests.get(location, timeout=5)  # what the browser does next
        received = catcher.wait()
    assert page.status_code == 200
    assert "You can close this tab" in page.text
    code = dict(p.split("=", 1) for p in location.split("?", 1)[1].split("&"))["code"]
    assert code not in page.text and "state" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert received == location
    token = flow.complete(received)
    assert token.access_token


def test_only_requests_carrying_an_answer_count(make_demo):
    with LoopbackCatcher(path="/cb") as catcher:
        catcher.expect("s")
        base = catcher.redirect_uri
        assert requests.get(base.replace("/cb", "/favicon.ico"), timeout=5).status_code == 404
        assert requests.get(base, timeout=5).status_code == 400
        assert catcher.received is None
        assert requests.get(base + "?code=first-code-value&state=s", timeout=5).status_code == 200
        assert requests.get(base + "?code=second-code-value&state=s", timeout=5).status_code == 409
        assert catcher.wait().endswith("?code=first-code-value&state=s")


def test_a_denied_login_is_caught_and_reported_by_the_flow(make_demo):
    provider = make_demo()
    with LoopbackCatcher() as catcher:
        flow = AuthorizationCodeFlow(code_config(provider, redirect_uri=catcher.redirect_uri))
        request = flow.begin()
        catcher.expect(request)  # an AuthorizationRequest does too
        location = provider.approve(request.url, deny=True)
        page = requests.get(location, timeout=5)
        received = catcher.wait()
    assert "error" in page.text.lower() and "access_denied" not in page.text
    with pytest.raises(AuthorizationDenied):
        flow.complete(received)


def test_timeout_raises_with_a_hint_and_frees_the_port():
    with LoopbackCatcher(timeout=0.01) as catcher:
        uri = catcher.redirect_uri
        with pytest.raises(CatcherTimeout) as info:
            catcher.wait()
    assert "No redirect arrived" in info.value.message and "RFC 8252" in info.value.hint
    with pytest.raises(requests.ConnectionError):
        requests.get(uri + "?code=late", timeout=5)


def test_listens_on_loopback_only():
    with LoopbackCatcher() as catcher:
        assert catcher._server.server_address[0] == "127.0.0.1"


def test_a_taken_port_is_a_catcher_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        with pytest.raises(CatcherError) as info:
            LoopbackCatcher(port=busy.getsockname()[1]).start()
    assert "port=0" in info.value.hint


def test_a_finished_catcher_cannot_be_reused():
    catcher = LoopbackCatcher(timeout=0.01)
    with catcher:
        with pytest.raises(CatcherTimeout):
            catcher.wait()
    with pytest.raises(CatcherError):
        catcher.start()


@pytest.mark.parametrize("kwargs", [dict(path="callback"), dict(path="/a?b"), dict(timeout=0), dict(port=70000)])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        LoopbackCatcher(**kwargs)
