"""Fixtures for the diagnostics tests: demo providers in any configuration, configs for them."""

from __future__ import annotations

import pytest

from widgets import WebhookAuthConfig


@pytest.fixture
def make_demo():
    """Start ``DemoProvider(**settings)``; every one started is stopped after the test."""
    from widgets import DemoProvider

    started = []

    def factory(**settings):
        provider = DemoProvider(**settings).start()
        started.append(provider)
        return provider

    yield factory
    for provider in started:
        provider.stop()
        # The demo answers an unexpected exception with a 500; none may have happened.
        assert not provider._internal_errors, provider._internal_errors


def code_config(provider, **changes) -> WebhookAuthConfig:
    """An OAuth Code config for ``provider`` (its own secret; ThousandEyes redirect URI)."""
    settings = dict(auth_type="oauth_code", auth_url=provider.auth_url, token_url=provider.token_url,
                    client_id=provider.client_id, client_secret=provider.client_secret, issuer=provider.issuer)
    settings.update(changes)
    return WebhookAuthConfig(**settings)


def cc_config(provider, **changes) -> WebhookAuthConfig:
    settings = dict(auth_type="oauth_client_credentials", token_url=provider.token_url,
                    client_id=provider.client_id, client_secret=provider.client_secret)
    settings.update(changes)
    return WebhookAuthConfig(**settings)
