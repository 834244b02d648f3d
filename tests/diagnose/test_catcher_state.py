"""The loopback catcher checks state on arrival (issue 14, item 14).

Any local process, or a web page that knows the port, can send a request to the catcher. It
used to take the first one carrying code= or error=, so a forged error sent first ended the
login; now an answer with a wrong or missing state gets an error page and the wait goes on.
"""

import threading

import pytest
import requests

from tests.support.configs import code_config
from widgets import AuthorizationCodeFlow
from widgets.diagnose.catcher import CatcherTimeout, LoopbackCatcher


def test_a_forged_error_sent_first_is_refused_and_the_real_answer_still_completes(make_demo):
    provider = make_demo(require_state=True, require_pkce=True)
    with LoopbackCatcher(timeout=10) as catcher:
        flow = AuthorizationCodeFlow(code_config(provider, redirect_uri=catcher.redirect_uri))
        request = flow.begin()
        catcher.expect(request.state)
        forged = [
            catcher.redirect_uri + "?error=access_denied",                                # no state
            catcher.redirect_uri + "?error=access_denied&state=",                          # empty state
            catcher.redirect_uri + "?error=access_denied&state=guessed-state-value",       # wrong state
            catcher.redirect_uri + f"?error=access_denied&state={request.state}x",         # almost
            catcher.redirect_uri + f"?error=access_denied&state={request.state[:-1]}",
            catcher.redirect_uri + f"?code=forged-code-0123456789&state={request.state}&state=other",  # twice
            catcher.redirect_uri + "?code=forged-code-0123456789",
        ]
        for url in forged:
            page = requests.get(url, timeout=5)
            assert page.status_code == 400 and "Not the login started here" in page.text, url
            assert "forged-code" not in page.text and page.headers["Cache-Control"] == "no-store"
        assert catcher.received is None and catcher.refused == len(forged)
        location = provider.approve(request.url)
        assert requests.get(location, timeout=5).status_code == 200
        received = catcher.wait()
    assert received == location
    assert flow.complete(received).access_token


def test_a_flood_of_wrong_states_does_not_stop_the_wait(make_demo):
    provider = make_demo()
    with LoopbackCatcher(timeout=10) as catcher:
        flow = AuthorizationCodeFlow(code_config(provider, redirect_uri=catcher.redirect_uri))
        request = flow.begin()
        catcher.expect(request)

        def flood():
            with requests.Session() as session:
                for n in range(60):
                    session.get(f"{catcher.redirect_uri}?error=server_error&state=s{n}", timeout=5)

        threads = [threading.Thread(target=flood) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        requests.get(provider.approve(request.url), timeout=5)
        received = catcher.wait()
    assert catcher.refused == 120
    assert flow.complete(received).access_token


def test_without_an_expected_state_nothing_is_taken_and_the_timeout_says_why():
    with LoopbackCatcher(timeout=0.5) as catcher:
        page = requests.get(catcher.redirect_uri + "?code=some-code-value-0123&state=s", timeout=5)
        assert page.status_code == 400
        with pytest.raises(CatcherTimeout) as info:
            catcher.wait()
    assert "1 answer(s) with another or no state were refused" in info.value.message
    assert "expect(request.state)" in info.value.hint
    assert "some-code-value" not in str(info.value) + repr(catcher)


def test_expect_refuses_what_is_not_a_state():
    catcher = LoopbackCatcher()
    for bad in (None, "", 5, b"state"):
        with pytest.raises(ValueError):
            catcher.expect(bad)
