"""Settings for a running demo provider: OAuth Code configs and a Client Credentials one."""

from __future__ import annotations

from widgets import WebhookAuthConfig

__all__ = ["code_config", "cc_config", "by_hand_config"]


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


def by_hand_config(provider, **changes) -> WebhookAuthConfig:
    """An OAuth Code config for ``provider`` done by hand: its own callback page, scope alerts:write."""
    return code_config(provider, **{"redirect_uri": provider.callback_url, "scope": "alerts:write", **changes})
