"""One deadline covers the whole answer: status line and headers too, not only the body
(issue 14, item 11). A read timeout alone bounds each read, so a server sending its headers a
byte at a time kept a 2 s request waiting 35 s.

The servers trickle for at most 3 x timeout + 1 s, so on code without the deadline these tests
fail by their time bound instead of hanging.
"""

import socket
import threading
import time

import pytest

from widgets import ClientCredentialsFlow, Transcript, TransportError, WebhookAuthConfig, send_test_webhook
from tests.support.tls import resolve_to_loopback

TIMEOUT = 1.0
HEADERS = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 400 + b"\r\n"
           b"Content-Length: 64\r\n\r\n")


class Trickler:
    """A raw socket server on 127.0.0.1: reads a request, then sends ``prefix`` at once and the
    rest of :data:`HEADERS` one byte every ``interval`` seconds, for at most ``limit`` seconds."""

    def __init__(self, *, prefix: bytes = b"", interval: float = 0.1, limit: float = 3 * TIMEOUT + 1):
        self.prefix, self.interval, self.limit = prefix, interval, limit
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.1)
        self.stop_event = threading.Event()
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def _serve(self):
        while not self.stop_event.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            data = b""
            conn.settimeout(5)
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                self.requests += 1
                conn.sendall(self.prefix)
                ends = time.monotonic() + self.limit
                rest = HEADERS[len(self.prefix):] if HEADERS.startswith(self.prefix) else HEADERS
                for byte in rest:
                    if self.stop_event.is_set() or time.monotonic() > ends:
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.interval)
            except OSError:
                return

    def close(self):
        self.stop_event.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture
def trickler():
    made = []

    def make(**kwargs):
        server = Trickler(**kwargs)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def _client_credentials(url):
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="client",
                             client_secret="s3cret-value-long-enough", timeout=TIMEOUT)


def _timed(call):
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        call()
    return time.monotonic() - started, info.value


@pytest.mark.parametrize("prefix", [b"", b"HTTP/1.1 200 OK\r\n"], ids=["status-line", "headers"])
def test_a_token_endpoint_trickling_its_headers_is_cut_at_the_deadline(trickler, prefix):
    server = trickler(prefix=prefix)
    flow = ClientCredentialsFlow(_client_credentials(f"http://127.0.0.1:{server.port}/token"), Transcript())
    took, error = _timed(flow.fetch_token)
    print(f"\n[deadline] token endpoint trickling its {'headers' if prefix else 'status line'} "
          f"one byte per {server.interval:g} s: {took:.2f} s for timeout={TIMEOUT:g} s")
    assert error.reason == "timeout" and server.requests == 1
    assert took < 3 * TIMEOUT, took
    assert flow.transcript[-1].outcome == "error" and flow.transcript[-1].hint


def test_a_webhook_receiver_trickling_its_headers_is_cut_at_the_deadline(trickler):
    server = trickler(prefix=b"HTTP/1.1 200 OK\r\n")
    config = WebhookAuthConfig(auth_type="token", token="webhook-token-0123456789", timeout=TIMEOUT,
                               webhook_url=f"http://127.0.0.1:{server.port}/hook")
    took, error = _timed(lambda: send_test_webhook(config))
    print(f"\n[deadline] webhook receiver trickling its headers: {took:.2f} s for timeout={TIMEOUT:g} s")
    assert error.reason == "timeout"
    assert took < 3 * TIMEOUT, took


def test_a_proxy_trickling_its_answer_to_connect_is_cut_at_the_deadline(trickler, monkeypatch):
    server = trickler(prefix=b"HTTP/1.1 200 Connection established\r\n")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{server.port}")
    resolve_to_loopback(monkeypatch)  # were the proxy skipped, nothing would leave the machine
    flow = ClientCredentialsFlow(_client_credentials("https://token.example.test/token"), Transcript())
    took, error = _timed(flow.fetch_token)
    print(f"\n[deadline] proxy trickling its CONNECT answer: {took:.2f} s for timeout={TIMEOUT:g} s")
    assert error.reason in ("timeout", "proxy") and server.requests == 1
    assert took < 3 * TIMEOUT, took


def test_answers_in_time_still_work_on_one_kept_alive_connection(scripted):
    from tests.support.servers import Reply

    scripted.routes["/token"] = Reply(200, {"access_token": "in-time-0123456789", "token_type": "Bearer"})
    flow = ClientCredentialsFlow(_client_credentials(scripted.url("/token")), Transcript())
    for _ in range(3):
        assert flow.fetch_token().access_token == "in-time-0123456789"
    (pool,) = flow._endpoint.session.adapters["http://"].poolmanager.pools._container.values()
    assert (pool.num_requests, pool.num_connections) == (3, 1)
