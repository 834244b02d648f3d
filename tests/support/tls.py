"""Loopback servers for the transport tests: a TLS token endpoint, a CONNECT-capable proxy, and a
name standing for a host elsewhere that the test's own ``getaddrinfo`` maps to 127.0.0.1.

Nothing here resolves a real name or contacts another machine: ``*.test`` names (RFC 2606)
resolve only through :func:`resolve_to_loopback`, and the proxy connects only to the
upstream it was given.
"""

from __future__ import annotations

import datetime
import ipaddress
import select
import socket
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.servers import answer_json, serve_in_background

TOKEN_BODY = b'{"access_token": "over-tls-0123456789abcdef", "token_type": "Bearer"}'


def make_certificate(directory: Path, *, dns: tuple[str, ...] = (), ips: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """A self-signed certificate for ``dns`` names and ``ips``: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (dns or ips)[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSTokenServer:
    """An https token endpoint on 127.0.0.1 that records each request's path and Authorization."""

    def __init__(self, cert: Path, key: Path, body: bytes = TOKEN_BODY):
        self.seen: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append((self.path, self.headers.get("Authorization")))
                answer_json(self, body)

            do_GET = do_POST = _any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = serve_in_background(self.server)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RecordingProxy:
    """A forward proxy on 127.0.0.1 that records every request it gets.

    ``CONNECT host:port`` is tunnelled to ``upstream`` (whatever host was named); a request in
    absolute form (plain http through a proxy) is answered by the proxy itself with a token.
    """

    def __init__(self, upstream: tuple[str, int] | None = None):
        self.seen: list[tuple[str, str, str | None]] = []  # (method, target, Authorization)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self):
                outer.seen.append(("CONNECT", self.path, self.headers.get("Authorization")))
                if upstream is None:
                    self.send_error(502)
                    return
                remote = socket.create_connection(upstream, timeout=5)
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                sockets = [self.connection, remote]
                try:
                    while True:
                        ready, _, _ = select.select(sockets, [], [], 5)
                        if not ready:
                            return
                        for sock in ready:
                            data = sock.recv(65536)
                            if not data:
                                return
                            (remote if sock is self.connection else self.connection).sendall(data)
                except OSError:
                    return
                finally:
                    remote.close()
                    self.close_connection = True

            def _absolute(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append((self.command, self.path, self.headers.get("Authorization")))
                answer_json(self, b'{"access_token": "via-the-proxy-0123456789", "token_type": "Bearer"}')

            do_GET = do_POST = _absolute

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = serve_in_background(self.server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def resolve_to_loopback(monkeypatch, suffix: str = ".test", *, to_port: int | None = None) -> None:
    """Make names ending in ``suffix`` resolve to 127.0.0.1 (and nothing else changes); with
    ``to_port``, whatever port was asked for: the listener standing for that other host."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.rstrip(".").endswith(suffix):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", to_port or int(port or 0)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
