"""Helpers for the private_key_jwt and mTLS tests: a demo with every method, keys, a recording signer,
and a small TLS server that requires client certificates from a CA of the test's own."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.servers import answer_json, serve_in_background
from widgets.demo import DemoProvider
from widgets.demo.certificates import DemoCA

__all__ = ["ALL_METHODS", "beyond_secret_demo", "pem_body_chunks", "RecordingSigner", "MTLSFaultServer"]

ALL_METHODS = ("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
               "tls_client_auth", "self_signed_tls_client_auth")


def beyond_secret_demo(**settings) -> DemoProvider:
    """A started demo accepting every method, with its mTLS endpoint."""
    return DemoProvider(client_auth_methods=ALL_METHODS, mtls=True, **settings).start()


def pem_body_chunks(path: str | Path, size: int = 24) -> list[str]:
    """Pieces of a PEM key's base64 body: any of them in an output means the key leaked."""
    body = "".join(line for line in Path(path).read_text().splitlines() if not line.startswith("-----"))
    return [body[i:i + size] for i in range(0, len(body) - size + 1, size)]


class RecordingSigner:
    """Wraps a signer and keeps what it signed, so tests can look for the assertions in outputs."""

    def __init__(self, signer):
        self.signer, self.assertions = signer, []

    def __call__(self, audience: str) -> str:
        assertion = self.signer(audience)
        self.assertions.append(assertion)
        return assertion


class MTLSFaultServer:
    """An https token endpoint on 127.0.0.1 that requires a client certificate from its own CA.

    Not the demo: a second, independent server, so the client's hints are tested against TLS
    alerts that the demo's code does not produce itself.
    """

    def __init__(self, directory: Path, body: bytes = b'{"access_token": "fault-server-token-0123456789", '
                                                        b'"token_type": "Bearer"}'):
        directory.mkdir(parents=True, exist_ok=True)
        self.ca = DemoCA(directory)
        context = self.ca.server_context()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer_json(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None  # a refused handshake is the point
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.thread = serve_in_background(self.server)

    @property
    def token_url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}/token"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
