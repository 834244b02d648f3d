"""The loopback rule decides with the host the connection uses, and refuses URLs that parsers
read differently (issue 14, item 9).

"Another host" here is a name under ``.invalid`` (RFC 2606: never resolves) that the test's
own ``getaddrinfo`` maps to a recording listener on 127.0.0.1: whatever reaches that listener
would have gone to a machine other than this one. No real resolver or outside host is used.
"""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.support.servers import answer_json, serve_in_background
from tests.support.tls import resolve_to_loopback
from widgets import ClientCredentialsFlow, ConfigError, Transcript, TransportError, WebhookAuthConfig, WebhookAuthError
from widgets.core.config import url_problem
from widgets.core.loopback import allow_loopback_http, is_loopback_url
from widgets.core.transport import Boundary

SECRET = "canary-URL-SECRET-0a1b2c3d4e5f"

#: Each reads as loopback (or as harmless) to urllib.parse, and either connects elsewhere or is
#: read differently by urllib3, which requests connects with.
HOSTILE = [
    "http://attacker.invalid\\.localhost/token",     # urllib3: host attacker.invalid; urlsplit: *.localhost
    "http://attacker.invalid\\@127.0.0.1/token",     # urllib3: attacker.invalid; urlsplit: 127.0.0.1
    "http://attacker.invalid:80\\@127.0.0.1/token",
    "http://127.0.0.1\\@attacker.invalid/token",     # the reverse reading
    "http://attacker.invalid\\\\@localhost/token",
    "https://good.example\\.attacker.invalid/token",  # shown as one host, sent to another
    "http://@127.0.0.1/token",                       # empty userinfo: '@' dropped when sent
    "http://localhost./token",                       # a trailing dot goes to DNS, not /etc/hosts
    "http://127.0.0.1./token",
    "http://attacker.localhost/token",               # not in /etc/hosts: DNS decides
    "http://[::1%25lo]:80/token",                    # IPv6 zone id
    "http://%6c%6fcalhost/token",                    # percent-encoded host (urllib3 decodes it)
    "http://127.0.0.1/tok\x00en",                    # control character
    "http://127.0.0.1:80/\x7f",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_urls_read_differently_or_resolved_elsewhere_are_refused(url):
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c",
                               client_secret="s")
    assert "token_url" in config.problems(), url
    assert not is_loopback_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/token", "http://localhost:9/token", "http://[::1]:80/t",
                                 "HTTP://127.0.0.1/t", "http://127.0.0.1:/t", "https://login.example.com/oauth2/token",
                                 "https://bücher.example/token", "http://127.0.0.1/a\\b?x=\\"])
def test_ordinary_urls_still_pass(url):
    assert url_problem(url) is None, url_problem(url)


def test_decimal_octal_and_short_ip_forms_are_not_loopback_for_plain_http():
    # The resolver would read these as 127.0.0.1, ipaddress does not: refused, the safe way round.
    for url in ("http://2130706433/t", "http://0177.0.0.1/t", "http://127.1/t", "http://0x7f.0.0.1/t"):
        assert "plain http" in url_problem(url), url


def test_the_loopback_decision_uses_the_host_the_connection_uses():
    from widgets.core.loopback import connection_target

    assert connection_target("http://attacker.invalid\\@127.0.0.1/t")[1] == "attacker.invalid"
    assert connection_target("http://127.0.0.1\\@attacker.invalid/t")[1] == "127.0.0.1"


@pytest.fixture
def another_host(monkeypatch):
    """A listener standing for a machine elsewhere: ``*.invalid`` names resolve to it."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                         "body": body.decode("utf-8", "replace")})
            answer_json(self, b'{"access_token": "from-elsewhere-0123456789", "token_type": "Bearer"}')

        do_GET = do_POST = _any

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_in_background(server)
    resolve_to_loopback(monkeypatch, ".invalid", to_port=server.server_address[1])
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server.seen = seen
    yield server
    server.shutdown()
    server.server_close()


def test_client_credentials_never_reach_another_host_over_plain_http(another_host):
    # On the old code this URL passed the loopback rule (urlsplit: a *.localhost host) and the
    # client ID and secret went, in clear text, to attacker.invalid.
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", client_id="client", client_secret=SECRET,
                               token_url="http://attacker.invalid\\.localhost/token")
    transcript = Transcript()
    try:
        ClientCredentialsFlow(config, transcript).fetch_token()
        raised = None
    except WebhookAuthError as exc:
        raised = exc
    assert another_host.seen == [], "the client secret went to attacker.invalid over plain http"
    assert isinstance(raised, ConfigError) and "token_url" in raised.problems
    assert SECRET not in str(raised) + transcript.to_csv()


def test_oauthlib_is_not_told_such_a_url_is_loopback(another_host):
    with allow_loopback_http():
        from oauthlib.oauth2.rfc6749.utils import is_secure_transport

        assert is_secure_transport("http://127.0.0.1:9/token")
        assert not is_secure_transport("http://attacker.invalid\\.localhost/token")
        assert not is_secure_transport("http://attacker.invalid\\@127.0.0.1/token")


@pytest.mark.parametrize("url", ["http://attacker.invalid/token", "http://attacker.invalid\\.localhost/token"])
def test_the_boundary_refuses_plain_http_to_another_host_whatever_the_caller_checked(another_host, url):
    with requests.Session() as session:
        boundary = Boundary(session, Transcript(), timeout=2)
        with pytest.raises(TransportError) as info:
            with boundary.step("test", "POST", url):
                session.post(url, data={"client_secret": SECRET}, auth=("client", SECRET), timeout=2)
    assert info.value.reason == "invalid_url" and "https" in info.value.hint
    assert another_host.seen == []
    assert SECRET not in str(info.value) + boundary.transcript.to_csv()


def test_a_followed_redirect_to_plain_http_elsewhere_is_refused(scripted, another_host):
    from tests.support.servers import Reply

    scripted.routes["/start"] = Reply(302, b"", headers={"Location": "http://attacker.invalid/landing"})
    with requests.Session() as session:
        boundary = Boundary(session, Transcript(), timeout=2, follow_redirects=True)
        with pytest.raises(TransportError) as info:
            with boundary.step("test", "GET", scripted.url("/start")):
                session.get(scripted.url("/start"), timeout=2)
    assert info.value.reason == "invalid_url"
    assert another_host.seen == []
