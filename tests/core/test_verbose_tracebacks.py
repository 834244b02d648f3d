"""IPython's verbose tracebacks (``%xmode Verbose``) print every frame's locals: none of ours
may print the client secret, the authorization code or the PKCE verifier.

Each test runs an exchange that fails (a real token endpoint on 127.0.0.1 refuses it), formats
the exception with ``IPython.core.ultratb.VerboseTB`` as a notebook would show it, and reads
it frame by frame. Frames of requests-oauthlib still receive the code and verifier as plain
arguments (they build the request body): outside this package, and said so in README; the
tests check that only those frames carry them, and that the client secret reaches none.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import urlencode

import pytest

from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, Transcript, WebhookAuthConfig, WebhookAuthError
from widgets.core.secret import Secret

ultratb = pytest.importorskip("IPython.core.ultratb")

CLIENT_SECRET = "canary-VERBOSE-secret-+:/ é-6c2d9e1f"
CODE = "canary-VERBOSE-code-4b7e1a9d3c5f"
FRAME = re.compile(r"^File (\S+?):\d+, in ", re.MULTILINE)


def verbose_frames(exc_info) -> list[tuple[str, str]]:
    """(file, text) of each frame of VerboseTB's report of ``exc_info``, chained causes included."""
    text = ultratb.VerboseTB(theme_name="nocolor").text(*exc_info)
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    starts = [m.start() for m in FRAME.finditer(text)]
    return [(FRAME.match(text, s).group(1), text[s:e]) for s, e in zip(starts, [*starts[1:], len(text)])]


def carriers(frames, value: str) -> list[str]:
    return [path for path, text in frames if value in text or value[:16] in text]


def run_failing(action):
    try:
        action()
    except WebhookAuthError:
        return verbose_frames(sys.exc_info())
    pytest.fail("the exchange did not fail")


def code_config(scripted, **changes) -> WebhookAuthConfig:
    return WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                             token_url=scripted.url("/token"), client_id="verbose-client",
                             client_secret=CLIENT_SECRET, redirect_uri="http://127.0.0.1/cb", **changes)


@pytest.mark.parametrize("client_auth", ["client_secret_basic", "client_secret_post"])
def test_a_refused_code_exchange_shows_no_secret_code_or_verifier_in_our_frames(scripted, client_auth):
    scripted.routes["/token"] = Reply(400, {"error": "invalid_grant", "error_description": "code expired"})
    flow = AuthorizationCodeFlow(code_config(scripted, client_auth=client_auth), Transcript())
    request = flow.begin()
    holder = {"landed": Secret("http://127.0.0.1/cb?" + urlencode({"code": CODE, "state": request.state}))}
    frames = run_failing(lambda: flow.complete(holder["landed"]))
    ours = [(path, text) for path, text in frames if "/widgets/" in path]
    assert ours, [path for path, _ in frames]
    for value in (CLIENT_SECRET, CODE, request.code_verifier):
        assert not carriers(ours, value), (value[:12], carriers(ours, value))
        # requests-oauthlib's own frames are the only ones left that may carry them
        assert all("requests_oauthlib" in path or "oauthlib" in path for path in carriers(frames, value)), \
            carriers(frames, value)
    if client_auth == "client_secret_basic":
        assert not carriers(frames, CLIENT_SECRET)  # sent inside our auth object, masked everywhere


def test_a_refused_client_credentials_request_shows_no_secret_in_any_frame(scripted):
    scripted.routes["/token"] = Reply(401, {"error": "invalid_client"})
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="verbose-client", client_secret=CLIENT_SECRET, redirect_uri="")
    frames = run_failing(lambda: ClientCredentialsFlow(config, Transcript()).fetch_token())
    assert not carriers(frames, CLIENT_SECRET), carriers(frames, CLIENT_SECRET)


def test_the_config_holds_its_secrets_as_secret_and_still_compares_as_text():
    config = WebhookAuthConfig(auth_type="basic", username="u", password="p@ss-word-12345678", token=" tok ")
    assert isinstance(config.password, Secret) and isinstance(config.client_secret, Secret)
    assert config.password == "p@ss-word-12345678" and config.token == "tok"  # token stripped, as before
    assert repr(config.password) == "Secret('****5678')" and f"{config.password}" == "****5678"
    assert config.password.reveal() == "p@ss-word-12345678" and type(config.password.reveal()) is str
    assert isinstance(config.replace(password="other").password, Secret)
