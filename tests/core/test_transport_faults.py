"""Faults at the HTTP level end as our errors, with hints, within the timeout."""

import socket
import ssl
import threading
import time

import pytest

from tests.support.servers import Reply, begin_json_answer, drip
from widgets import ClientCredentialsFlow, TokenEndpointError, Transcript, TransportError, WebhookAuthConfig


def cfg_for(url, **changes):
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="client",
                             client_secret="s3cret-value-long-enough", **changes)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused(scripted):
    flow = ClientCredentialsFlow(cfg_for(f"http://127.0.0.1:{free_port()}/token"), Transcript())
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    assert info.value.reason == "refused" and "port" in info.value.hint
    assert flow.transcript[-1].outcome == "error" and flow.transcript[-1].hint


def test_server_that_never_answers_times_out_within_the_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)  # hold it open, say nothing
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        flow = ClientCredentialsFlow(cfg_for(f"http://127.0.0.1:{listener.getsockname()[1]}/token", timeout=0.5))
        started = time.monotonic()
        with pytest.raises(TransportError) as info:
            flow.fetch_token()
        took = time.monotonic() - started
        assert info.value.reason == "timeout"
        assert took < 0.5 + 1.0, took  # timeout + 1 s, the bound we promise
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_slow_trickle_is_cut_at_the_deadline(scripted):
    def trickle(handler, stop):
        begin_json_answer(handler, {"Content-Length": "100000"})
        drip(handler, stop, [0] + [0.05] * 199)  # 200 bytes, one each 50 ms: 10 s, for a 0.5 s timeout

    scripted.routes["/token"] = Reply(action=trickle)
    flow = ClientCredentialsFlow(cfg_for(scripted.url("/token"), timeout=0.5))
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    assert info.value.reason == "timeout"
    assert time.monotonic() - started < 0.5 + 1.0


def test_html_500_page(scripted):
    scripted.routes["/token"] = Reply(500, "<html><title>Oops</title><body>Internal <b>error</b></body></html>",
                                      content_type="text/html")
    flow = ClientCredentialsFlow(cfg_for(scripted.url("/token")), Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    assert info.value.status == 500 and "text/html" in info.value.message
    # the page quoted as plain text; where it is rendered as HTML it is escaped (tests/ui/test_error_markup.py)
    assert "Internal <b>error</b>" in info.value.message and "&lt;" not in info.value.message
    row = flow.transcript[-1]
    assert row.status == 500 and row.outcome == "error" and row.hint


def test_body_over_one_mib_is_refused(scripted):
    scripted.routes["/token"] = Reply(200, b"{" + b" " * (1 << 20) + b"}", content_type="application/json")
    with pytest.raises(TransportError) as info:
        ClientCredentialsFlow(cfg_for(scripted.url("/token"))).fetch_token()
    assert info.value.reason == "too_large"


def test_body_over_one_mib_without_content_length_is_refused(scripted):
    def chunked(handler, stop):
        begin_json_answer(handler, {"Connection": "close"})
        try:
            for _ in range(40):
                handler.wfile.write(b" " * 65536)
        except OSError:
            pass
        handler.close_connection = True

    scripted.routes["/token"] = Reply(action=chunked)
    with pytest.raises(TransportError) as info:
        ClientCredentialsFlow(cfg_for(scripted.url("/token"))).fetch_token()
    assert info.value.reason == "too_large"


def test_redirect_from_token_endpoint_is_not_followed_with_credentials(scripted):
    scripted.routes["/token"] = Reply(302, b"", headers={"Location": scripted.url("/elsewhere")})
    scripted.routes["/elsewhere"] = Reply(200, {"access_token": "stolen", "token_type": "Bearer"})
    with pytest.raises(TransportError) as info:
        ClientCredentialsFlow(cfg_for(scripted.url("/token"))).fetch_token()
    assert info.value.reason == "redirect"
    assert scripted.requests_to("/elsewhere") == []


def test_dns_failure_is_reported_with_a_hint(monkeypatch):
    # No server here can make name resolution fail without touching a real resolver.
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(TransportError) as info:
        ClientCredentialsFlow(cfg_for("https://login.invalid/token")).fetch_token()
    assert info.value.reason == "dns" and "spelling" in info.value.hint


def test_self_signed_tls_is_refused_with_a_hint(tmp_path, monkeypatch):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"access_token": "x", "token_type": "Bearer"}')

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/token"
        with pytest.raises(TransportError) as info:
            ClientCredentialsFlow(cfg_for(url)).fetch_token()
        assert info.value.reason == "tls" and "certificate" in info.value.hint
        # Trusting that certificate the documented way (REQUESTS_CA_BUNDLE) makes it work:
        # verification stays on and is what decides.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "cert.pem"))
        assert ClientCredentialsFlow(cfg_for(url)).fetch_token().access_token == "x"
    finally:
        server.shutdown()
        server.server_close()
