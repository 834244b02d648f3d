"""Fixtures only: both real servers on loopback (the ThousandEyes stand-in, the demo OAuth provider).

The connector bodies and the canary TE token are in :mod:`tests.support.connectors`.
"""

from __future__ import annotations

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.connectors import CANARY_TE_TOKEN


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
