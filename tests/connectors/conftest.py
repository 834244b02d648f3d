"""Both real servers on loopback: the ThousandEyes stand-in and the demo OAuth provider, with canaries."""

from __future__ import annotations

import pytest

from tests.support.canaries import CANARY_SECRET

#: Distinctive secrets of this layer: if one shows up in output, logs or a saved notebook, it leaked.
CANARY_TE_TOKEN = "canary-TE-API-TOKEN-3b9d1f7a5c2e4d6b"


@pytest.fixture
def stand_in():
    from widgets.demo.thousandeyes import ThousandEyesStandIn

    server = ThousandEyesStandIn(api_token=CANARY_TE_TOKEN).start()
    try:
        yield server
    finally:
        server.stop()
        assert not server.internal_errors, server.internal_errors


@pytest.fixture
def make_stand_in():
    from widgets.demo.thousandeyes import ThousandEyesStandIn

    started = []

    def factory(**settings):
        settings.setdefault("api_token", CANARY_TE_TOKEN)
        server = ThousandEyesStandIn(**settings).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()
        assert not server.internal_errors, server.internal_errors


@pytest.fixture
def provider(make_demo):
    """The demo OAuth provider with a canary client secret (it rotates refresh tokens)."""
    return make_demo(client_secret=CANARY_SECRET)


@pytest.fixture
def te(stand_in):
    from widgets.connectors import TeClient

    with TeClient(stand_in.api_token, host=stand_in.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def login(provider):
    """A person's by-hand login at the demo provider: the Token (access + refresh) it gives."""
    from widgets import AuthorizationCodeFlow, AuthType, WebhookAuthConfig

    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, auth_url=provider.auth_url,
                               token_url=provider.token_url, client_id=provider.client_id,
                               client_secret=provider.client_secret, redirect_uri=provider.callback_url,
                               scope="alerts:write")
    flow = AuthorizationCodeFlow(config)
    return flow.complete(provider.approve(flow.begin().url))


def bearer_connector(token: str, name: str = "alerts-by-hand", target: str = "https://receiver.example/alerts") -> dict:
    return {"type": "generic", "name": name, "target": target,
            "headers": [{"name": "X-Team", "value": "noc"}],
            "authentication": {"type": "bearer-token", "token": token}}


def code_connector(provider, *, secret: str | None = None, token: str | None = None, refresh: str | None = None,
                   name: str = "alerts-oauth-code") -> dict:
    auth = {"type": "oauth-auth-code", "oauthClientId": provider.client_id,
            "oauthClientSecret": provider.client_secret if secret is None else secret,
            "oauthAuthUrl": provider.auth_url, "oauthTokenUrl": provider.token_url,
            "code": "used-code-fd9f9258272c", "redirectUri": provider.callback_url}
    if token:
        auth["token"] = token
    if refresh:
        auth["refreshToken"] = refresh
    return {"type": "generic", "name": name, "target": provider.webhook_url, "authentication": auth}


def client_credentials_connector(provider, *, secret: str | None = None, name: str = "alerts-cc") -> dict:
    return {"type": "generic", "name": name, "target": provider.webhook_url,
            "authentication": {"type": "oauth-client-credentials", "oauthClientId": provider.client_id,
                               "oauthClientSecret": provider.client_secret if secret is None else secret,
                               "oauthTokenUrl": provider.token_url, "scope": "alerts:write"}}
