"""https:// to a port that speaks plain http: the hint names the scheme and the port."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from widgets import ClientCredentialsFlow, TransportError, WebhookAuthConfig


class _Plain(BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

    def log_error(self, *args):  # the TLS hello arrives as a "bad request"
        pass


@pytest.fixture
def plain_http_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_https_to_a_plain_http_port_hints_at_scheme_and_port_not_the_ca_bundle(plain_http_port):
    url = f"https://127.0.0.1:{plain_http_port}/token"
    config = WebhookAuthConfig(token_url=url, client_id="c", client_secret="s-0123456789", timeout=5)
    with pytest.raises(TransportError) as info:
        ClientCredentialsFlow(config).fetch_token()
    err = info.value
    assert err.reason == "tls"
    assert "plain http" in err.message and f"127.0.0.1:{plain_http_port}" in err.message
    assert "http://" in err.hint and "port" in err.hint
    assert "REQUESTS_CA_BUNDLE" not in err.hint and "verification failed" not in err.message
