"""Starting, stopping, addresses, metadata and repr of the demo provider."""

import threading
import time

import pytest
import requests

from widgets.demo import DemoProvider


def _provider_threads(port):
    return [t for t in threading.enumerate() if t.name == f"DemoProvider:{port}"]


def test_context_manager_starts_serves_and_stops():
    began = time.perf_counter()
    with DemoProvider() as provider:
        started = time.perf_counter() - began
        print(f"\nDemoProvider start took {started * 1000:.1f} ms")  # measured, not asserted
        assert provider.issuer.startswith("http://127.0.0.1:")
        assert requests.get(provider.metadata_url, timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.metadata_url, timeout=10)


def test_start_and_stop_are_idempotent():
    provider = DemoProvider()
    assert provider.start() is provider
    issuer = provider.issuer
    assert provider.start() is provider
    assert provider.issuer == issuer
    provider.stop()
    provider.stop()
    assert "running=False" in repr(provider)


def test_it_can_start_again_after_stop():
    provider = DemoProvider()
    with provider:
        pass
    with provider:
        assert requests.get(provider.jwks_url, timeout=10).status_code == 200


def test_a_taken_port_raises_oserror_instead_of_exiting():
    with DemoProvider() as first:
        port = int(first.issuer.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            DemoProvider(port=port).start()


def test_stop_joins_the_thread_and_closes_the_port():
    provider = DemoProvider().start()
    port = int(provider.issuer.rsplit(":", 1)[1])
    assert len(_provider_threads(port)) == 1
    requests.get(provider.jwks_url, timeout=10)
    provider.stop()
    assert _provider_threads(port) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.jwks_url, timeout=10)


def test_urls_are_refused_before_start_with_a_hint():
    with pytest.raises(RuntimeError, match="start"):
        DemoProvider().token_url


def test_all_urls_hang_off_the_issuer(provider):
    issuer = provider.issuer
    assert provider.auth_url == issuer + "/authorize"
    assert provider.token_url == issuer + "/token"
    assert provider.webhook_url == issuer + "/webhook"
    assert provider.jwks_url == issuer + "/jwks.json"
    assert provider.introspection_url == issuer + "/introspect"
    assert provider.callback_url == issuer + "/callback"
    assert provider.metadata_url == issuer + "/.well-known/oauth-authorization-server"


def test_two_providers_run_at_once_on_different_ports():
    with DemoProvider(client_id="one") as first, DemoProvider(client_id="two") as second:
        assert first.issuer != second.issuer
        assert requests.get(first.metadata_url, timeout=10).json()["issuer"] == first.issuer
        assert requests.get(second.metadata_url, timeout=10).json()["issuer"] == second.issuer
        assert first.client_secret != second.client_secret


def test_metadata_describes_the_server_per_rfc_8414(provider):
    for url in (provider.metadata_url, provider.issuer + "/.well-known/openid-configuration"):
        response = requests.get(url, timeout=10)
        assert response.headers["Content-Type"] == "application/json"
        meta = response.json()
        assert meta["issuer"] == provider.issuer
        assert meta["authorization_endpoint"] == provider.auth_url
        assert meta["token_endpoint"] == provider.token_url
        assert meta["jwks_uri"] == provider.jwks_url
        assert meta["introspection_endpoint"] == provider.introspection_url
        assert meta["scopes_supported"] == ["alerts:write", "alerts:read", "profile", "openid"]
        assert meta["response_types_supported"] == ["code"]
        assert meta["grant_types_supported"] == ["authorization_code", "client_credentials", "refresh_token",
                                                 "urn:ietf:params:oauth:grant-type:device_code"]
        assert meta["device_authorization_endpoint"] == provider.device_authorization_url
        assert meta["id_token_signing_alg_values_supported"] == ["ES256"]
        assert meta["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
        assert meta["code_challenge_methods_supported"] == ["S256"]
        assert meta["authorization_response_iss_parameter_supported"] is True


def test_metadata_lists_only_the_configured_client_auth_methods():
    with DemoProvider(client_auth_methods=("client_secret_post",)) as provider:
        meta = requests.get(provider.metadata_url, timeout=10).json()
    assert meta["token_endpoint_auth_methods_supported"] == ["client_secret_post"]


def test_repr_masks_every_secret():
    provider = DemoProvider(password="a-long-user-password-1234", webhook_password="hook-secret-value-9876")
    with provider:
        text = repr(provider)
    assert provider.client_secret not in text
    assert provider.password not in text
    assert provider.webhook_password not in text
    assert "****" + provider.client_secret[-4:] in text
    assert "'****'" in repr(DemoProvider(password="short"))
    assert "short" not in repr(DemoProvider(password="short"))


def test_default_secrets_are_random_per_provider():
    a, b = DemoProvider(), DemoProvider()
    assert a.client_secret != b.client_secret
    assert a.webhook_password != b.webhook_password
    assert len(a.client_secret) >= 32


def test_unknown_path_is_a_plain_404(provider):
    response = requests.get(provider.issuer + "/nope", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")


def test_wrong_method_is_405_with_allow(provider):
    response = requests.get(provider.webhook_url, timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_invalid_configuration_is_refused_early():
    with pytest.raises(ValueError):
        DemoProvider(client_auth_methods=("private_key_jwt_v9",))  # private_key_jwt is a method now
    with pytest.raises(ValueError):
        DemoProvider(default_scopes=("not-offered",))


def test_running_tells_a_stopped_provider_from_a_running_one():
    from widgets import DemoProvider

    provider = DemoProvider()
    assert not provider.running
    provider.start()
    assert provider.running
    provider.stop()
    assert not provider.running
