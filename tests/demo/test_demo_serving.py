"""The HTTP server under the demo provider: kept-alive connections, request bodies, threads."""

import socket
import struct
import subprocess
import sys
import time

import pytest
import requests

from widgets.demo import DemoProvider

LIMIT = 1024 * 1024  # the provider's cap on a request body


def _get(session, url, **kwargs):
    """GET on ``session``; returns (response, the client-side port of the TCP connection used)."""
    answer = session.get(url, stream=True, timeout=10, **kwargs)
    port = answer.raw.connection.sock.getsockname()[1]
    _ = answer.content  # read it all: the connection goes back to the session's pool
    return answer, port


def _address(provider):
    host, port = provider.issuer.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_two_requests_on_one_session_share_one_connection(provider):
    with requests.Session() as session:
        first, first_port = _get(session, provider.metadata_url)
        second, second_port = _get(session, provider.jwks_url)
    assert first.status_code == second.status_code == 200
    assert first.headers.get("Connection", "").lower() != "close"
    assert first_port == second_port


def test_the_toolkit_fetches_token_after_token_on_one_connection(provider):
    # The toolkit reads bodies itself (bounded, with a deadline) and stops at Content-Length:
    # the connection must still go back to the pool, not be dropped and opened again.
    from widgets import ClientCredentialsFlow, WebhookAuthConfig

    flow = ClientCredentialsFlow(WebhookAuthConfig(
        auth_type="oauth_client_credentials", token_url=provider.token_url,
        client_id=provider.client_id, client_secret=provider.client_secret))
    for _ in range(3):
        flow.fetch_token()
    (pool,) = flow._endpoint.session.adapters["http://"].poolmanager.pools._container.values()
    assert (pool.num_requests, pool.num_connections) == (3, 1)


def test_a_body_the_app_ignores_is_not_read_as_the_next_request(provider):
    smuggled = b"GET /nope-smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    with requests.Session() as session:
        _, port = _get(session, provider.metadata_url)
        # A 404 and a 405 never look at the body; a generator is sent chunked.
        assert session.post(provider.issuer + "/nope", data=smuggled * 100, timeout=10).status_code == 404
        assert session.post(provider.jwks_url, data=iter([smuggled] * 100), timeout=10).status_code == 405
        answer, same_port = _get(session, provider.metadata_url)
    assert answer.status_code == 200
    assert answer.json()["issuer"] == provider.issuer
    assert same_port == port


def test_a_chunked_body_reaches_the_app_whole(provider):
    auth = (provider.webhook_username, provider.webhook_password)
    with requests.Session() as session:
        answer = session.post(provider.webhook_url, data=iter([b'{"alert":', b' "fire"}']), auth=auth,
                              headers={"Content-Type": "application/json"}, timeout=10)
        assert answer.request.headers["Transfer-Encoding"] == "chunked"
        assert answer.status_code == 200
        assert session.get(provider.metadata_url, timeout=10).status_code == 200
    assert provider.webhook_deliveries[-1]["json"] == {"alert": "fire"}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_body_is_refused_and_the_session_still_works(provider, chunked):
    body = b"x" * (LIMIT + 1)
    data = iter([body[i:i + 65536] for i in range(0, len(body), 65536)]) if chunked else body
    with requests.Session() as session:
        try:
            answer = session.post(provider.webhook_url, data=data, timeout=10)
        except requests.ConnectionError:
            pass  # the server may close before the client has sent it all; that is a refusal too
        else:
            assert answer.status_code == 413
            assert answer.headers["Connection"] == "close"
        assert session.get(provider.metadata_url, timeout=10).json()["issuer"] == provider.issuer
    assert provider.webhook_deliveries == []


def test_a_body_at_the_limit_is_accepted(provider):
    answer = requests.post(provider.webhook_url, data=b"x" * LIMIT, timeout=10,
                           auth=(provider.webhook_username, provider.webhook_password))
    assert answer.status_code == 200


def test_clients_that_vanish_mid_request_are_not_server_errors_and_print_nothing(capfd):
    with DemoProvider() as provider:
        address = _address(provider)
        for request in (b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
                        b"POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nab",
                        b"GET /jwks.json HTTP/1.1\r\nHo"):
            for reset in (False, True):
                with socket.create_connection(address, timeout=10) as client:
                    if reset:  # close with RST rather than FIN
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    client.sendall(request)
                    time.sleep(0.02)
        with socket.create_connection(address, timeout=10) as client:
            client.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            client.shutdown(socket.SHUT_WR)
            assert client.recv(100).startswith(b"HTTP/1.1 400 ")
        assert requests.get(provider.metadata_url, timeout=10).status_code == 200
    assert provider._internal_errors == []
    assert capfd.readouterr() == ("", "")


def test_stop_closes_kept_alive_connections_too():
    provider = DemoProvider().start()
    with requests.Session() as session:
        assert session.get(provider.metadata_url, timeout=10).status_code == 200
        began = time.perf_counter()
        provider.stop()
        print(f"\nstop with a kept-alive connection took {(time.perf_counter() - began) * 1000:.1f} ms")
        with pytest.raises(requests.ConnectionError):
            session.get(provider.metadata_url, timeout=10)


def test_a_provider_left_running_does_not_keep_the_interpreter_alive():
    code = ("import requests; from widgets.demo import DemoProvider; p = DemoProvider().start(); "
            "s = requests.Session(); s.get(p.metadata_url, timeout=10); s.get(p.jwks_url, timeout=10)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == ""


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_it_serves_on_the_ipv6_loopback():
    with DemoProvider(host="::1") as provider:
        assert provider.issuer.startswith("http://[::1]:")
        assert requests.get(provider.metadata_url, timeout=10).json()["issuer"] == provider.issuer
