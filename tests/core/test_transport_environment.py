"""The environment's proxy and CA settings reach every request (proxies: all but loopback
ones); .netrc never does.

The toolkit reads them itself (once per host) instead of leaving requests' ``trust_env`` to
scan ``os.environ`` twice per request, so these tests hold that reading to requests' rules.
"""

import socket

import pytest

from tests.support.servers import Reply
from widgets import ClientCredentialsFlow, Transcript, TransportError, WebhookAuthConfig, send_test_webhook
from tests.support.tls import RecordingProxy, TLSTokenServer, make_certificate, resolve_to_loopback

ELSEWHERE = "token.example.test"  # resolved only by tests.support.tls.resolve_to_loopback


@pytest.fixture
def tls_token(tmp_path, monkeypatch):
    """An https token endpoint named token.example.test (its certificate trusted), on 127.0.0.1."""
    cert, key = make_certificate(tmp_path, dns=(ELSEWHERE,), ips=("127.0.0.1",))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    resolve_to_loopback(monkeypatch)
    server = TLSTokenServer(cert, key)
    yield server
    server.stop()


@pytest.fixture
def proxy(tls_token):
    """A forward proxy that records every request; CONNECT goes to the TLS token endpoint."""
    server = RecordingProxy(upstream=("127.0.0.1", tls_token.port))
    yield server
    server.stop()


def _config(url, **changes):
    fields = {"client_id": "client", "client_secret": "s3cret-value-long-enough", **changes}
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, **fields)


_PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def _clear_proxy_env(monkeypatch):
    for name in _PROXY_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_a_proxy_from_the_environment_is_used_as_soon_as_it_is_set(tls_token, proxy, monkeypatch):
    _clear_proxy_env(monkeypatch)
    url = f"https://{ELSEWHERE}:{tls_token.port}/token"
    flow = ClientCredentialsFlow(_config(url), Transcript())
    assert flow.fetch_token().access_token.startswith("over-tls")
    assert proxy.seen == []
    # set in a notebook cell after the flow was made: the next request goes through it
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    assert flow.fetch_token().access_token.startswith("over-tls")
    # the proxy is asked for a tunnel to the host by name; the credentials go inside the tunnel
    assert proxy.seen == [("CONNECT", f"{ELSEWHERE}:{tls_token.port}", None)]
    assert len(tls_token.seen) == 2 and tls_token.seen[1][1].startswith("Basic ")
    monkeypatch.delenv("HTTPS_PROXY")
    flow.fetch_token()
    assert len(proxy.seen) == 1 and len(tls_token.seen) == 3


def test_no_proxy_from_the_environment_is_respected(tls_token, proxy, monkeypatch):
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", ELSEWHERE)
    token = ClientCredentialsFlow(_config(f"https://{ELSEWHERE}:{tls_token.port}/token"), Transcript()).fetch_token()
    assert token.access_token.startswith("over-tls")
    assert proxy.seen == [] and len(tls_token.seen) == 1


# Environments that route everything through a proxy: upper and lower case, ALL_PROXY, and
# NO_PROXY set to something that does not cover loopback (or empty).
_PROXY_ENVIRONMENTS = [
    {"HTTP_PROXY": "{proxy}"},
    {"http_proxy": "{proxy}"},
    {"ALL_PROXY": "{proxy}"},
    {"all_proxy": "{proxy}", "HTTPS_PROXY": "{proxy}"},
    {"HTTP_PROXY": "{proxy}", "NO_PROXY": "example.com"},
    {"HTTP_PROXY": "{proxy}", "NO_PROXY": ""},
    {"HTTP_PROXY": "{proxy}", "no_proxy": "*.example.com,10.0.0.0/8"},
]


@pytest.mark.parametrize("environment", _PROXY_ENVIRONMENTS)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_never_goes_through_a_proxy(scripted, monkeypatch, environment, host):
    """Credentials for a server on this machine must not reach a proxy (issue 14, item 10)."""
    _clear_proxy_env(monkeypatch)
    recording = RecordingProxy()
    try:
        for name, value in environment.items():
            monkeypatch.setenv(name, value.format(proxy=recording.url))
        port = scripted.server.server_address[1]
        scripted.routes["/token"] = Reply(200, {"access_token": "direct-0123456789", "token_type": "Bearer"})
        scripted.routes["/hook"] = Reply(204)
        token = ClientCredentialsFlow(_config(f"http://{host}:{port}/token"), Transcript()).fetch_token()
        assert token.access_token == "direct-0123456789"
        hook = WebhookAuthConfig(auth_type="token", token="webhook-token-0123456789",
                                 webhook_url=f"http://{host}:{port}/hook")
        assert send_test_webhook(hook).status == 204
        assert recording.seen == [], f"loopback request went through the proxy: {recording.seen}"
        assert len(scripted.requests_to("/token")) == 1 and len(scripted.requests_to("/hook")) == 1
        assert scripted.requests_to("/token")[0]["headers"]["Authorization"].startswith("Basic ")
    finally:
        recording.stop()


def test_https_on_loopback_is_not_tunnelled_through_a_proxy(tls_token, monkeypatch):
    _clear_proxy_env(monkeypatch)
    recording = RecordingProxy(upstream=("127.0.0.1", tls_token.port))
    try:
        monkeypatch.setenv("HTTPS_PROXY", recording.url)
        monkeypatch.setenv("ALL_PROXY", recording.url)
        token = ClientCredentialsFlow(_config(f"https://127.0.0.1:{tls_token.port}/token"), Transcript()).fetch_token()
        assert token.access_token.startswith("over-tls")
        assert recording.seen == [] and len(tls_token.seen) == 1
    finally:
        recording.stop()


def test_a_redirect_to_loopback_does_not_pick_up_a_proxy(scripted, monkeypatch):
    import requests

    from widgets.core.transport import Boundary

    _clear_proxy_env(monkeypatch)
    recording = RecordingProxy()
    try:
        monkeypatch.setenv("HTTP_PROXY", recording.url)
        scripted.routes["/start"] = Reply(302, b"", headers={"Location": "http://localhost:%d/end" % scripted.server.server_address[1]})
        scripted.routes["/end"] = Reply(200, {"ok": True})
        with requests.Session() as session:
            boundary = Boundary(session, Transcript(), timeout=5, follow_redirects=True)
            with boundary.step("test", "GET", scripted.url("/start")):
                # proxies passed by the caller, as a notebook might: still not used for loopback
                response = session.get(scripted.url("/start"), timeout=5, proxies={"http": recording.url})
        assert response.status_code == 200 and recording.seen == []
    finally:
        recording.stop()


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


def test_a_proxy_that_refuses_is_named_in_the_error(monkeypatch):
    _clear_proxy_env(monkeypatch)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:proxy-password-77@127.0.0.1:{port}")
    # not a loopback target (loopback never uses a proxy); were it sent direct, it would go to
    # 127.0.0.1:443, never to a real resolver
    resolve_to_loopback(monkeypatch)
    flow = ClientCredentialsFlow(_config(f"https://{ELSEWHERE}/token"), Transcript())
    with pytest.raises(TransportError) as info:
        flow.fetch_token()
    assert info.value.reason == "proxy" and "NO_PROXY" in info.value.hint
    assert f"127.0.0.1:{port}" in str(info.value) and "proxy-password-77" not in str(info.value)
    assert "proxy-password-77" not in flow.transcript.to_csv()
