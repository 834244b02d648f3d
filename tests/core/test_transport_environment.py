"""The environment's proxy and CA settings reach every request; .netrc never does.

The toolkit reads them itself (once per host) instead of leaving requests' ``trust_env`` to
scan ``os.environ`` twice per request, so these tests hold that reading to requests' rules.
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.servers import Reply
from widgets import ClientCredentialsFlow, Transcript, TransportError, WebhookAuthConfig, send_test_webhook

TOKEN = b'{"access_token": "via-the-proxy-0123456789", "token_type": "Bearer"}'


@pytest.fixture
def proxy():
    """A forward proxy that answers every request itself and records the request line."""
    seen: list[tuple[str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(TOKEN)))
            self.end_headers()
            self.wfile.write(TOKEN)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen
    yield server
    server.shutdown()
    server.server_close()


def _config(url, **changes):
    fields = {"client_id": "client", "client_secret": "s3cret-value-long-enough", **changes}
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, **fields)


def _clear_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_http_proxy_from_the_environment_is_used_as_soon_as_it_is_set(scripted, proxy, monkeypatch):
    _clear_proxy_env(monkeypatch)
    scripted.routes["/token"] = Reply(200, {"access_token": "direct-0123456789", "token_type": "Bearer"})
    flow = ClientCredentialsFlow(_config(scripted.url("/token")), Transcript())
    assert flow.fetch_token().access_token == "direct-0123456789"
    # set in a notebook cell after the flow was made: the next request goes through it
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    assert flow.fetch_token().access_token == "via-the-proxy-0123456789"
    # a forward proxy gets the absolute URL, and the client's credentials for the target
    assert proxy.seen[0][0] == scripted.url("/token")
    assert proxy.seen[0][1].startswith("Basic ")
    assert len(scripted.requests_to("/token")) == 1
    monkeypatch.delenv("HTTP_PROXY")
    assert flow.fetch_token().access_token == "direct-0123456789"


def test_no_proxy_from_the_environment_is_respected(scripted, proxy, monkeypatch):
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    scripted.routes["/token"] = Reply(200, {"access_token": "direct-0123456789", "token_type": "Bearer"})
    token = ClientCredentialsFlow(_config(scripted.url("/token")), Transcript()).fetch_token()
    assert token.access_token == "direct-0123456789"
    assert proxy.seen == [] and len(scripted.requests_to("/token")) == 1


def test_netrc_credentials_are_never_sent(scripted, tmp_path, monkeypatch):
    # requests with trust_env on adds the ~/.netrc login for the host to any request sent
    # without auth=, replacing an Authorization header already set: the receiver would get
    # someone's netrc password instead of the webhook's token.
    _clear_proxy_env(monkeypatch)
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-password-123\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    scripted.routes["/hook"] = Reply(204)
    config = WebhookAuthConfig(auth_type="token", token="webhook-token-0123456789", webhook_url=scripted.url("/hook"))
    assert send_test_webhook(config).status == 204
    (request,) = scripted.requests_to("/hook")
    assert request["headers"]["Authorization"] == "Bearer webhook-token-0123456789"


def test_a_ca_bundle_that_does_not_exist_is_a_transport_error_with_a_hint(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/corporate-ca.pem")
    flow = ClientCredentialsFlow(_config("https://127.0.0.1:9/token"), Transcript())
    with pytest.raises(TransportError) as info:  # requests raised a bare OSError here
        flow.fetch_token()
    assert info.value.reason == "tls" and "REQUESTS_CA_BUNDLE" in info.value.hint
    assert flow.transcript[-1].outcome == "error"


def test_a_proxy_that_refuses_is_named_in_the_error(scripted, monkeypatch):
    _clear_proxy_env(monkeypatch)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:proxy-password-77@127.0.0.1:{port}")
    flow = ClientCredentialsFlow(_config(scripted.url("/token")), Transcript())
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    assert info.value.reason == "proxy" and "NO_PROXY" in info.value.hint
    assert f"127.0.0.1:{port}" in str(info.value) and "proxy-password-77" not in str(info.value)
    assert "proxy-password-77" not in flow.transcript.to_csv()
