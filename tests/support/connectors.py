"""Connector bodies in the v7 API's own field names, and this layer's canary, for tests/connectors."""

from __future__ import annotations

__all__ = ["CANARY_TE_TOKEN", "bearer_connector", "code_connector", "client_credentials_connector"]

#: Distinctive secrets of this layer: if one shows up in output, logs or a saved notebook, it leaked.
CANARY_TE_TOKEN = "canary-TE-API-TOKEN-3b9d1f7a5c2e4d6b"


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
