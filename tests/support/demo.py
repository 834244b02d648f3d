"""Helpers for the demo provider tests: every test talks real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import quote_plus, urlencode

import requests

from tests.support.urls import query_of
from widgets.demo import DemoProvider

__all__ = ["LOOPBACK_REDIRECT", "pkce_pair", "authorize_url", "basic", "naive_basic", "token_request", "code_flow", "token_posts",
           "hidden_fields"]

LOOPBACK_REDIRECT = "http://127.0.0.1:8765/oauth/callback"


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636 §4.1-4.2, computed independently of the server."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(provider: DemoProvider, **params) -> str:
    query = {"response_type": "code", "client_id": provider.client_id,
             "redirect_uri": LOOPBACK_REDIRECT, **params}
    query = {k: v for k, v in query.items() if v is not None}
    return f"{provider.auth_url}?{urlencode(query)}"


def basic(client_id: str, secret: str) -> str:
    """client_secret_basic done right: form-encode, then base64 (RFC 6749 §2.3.1)."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def naive_basic(client_id: str, secret: str) -> str:
    """What requests' HTTPBasicAuth (and requests-oauthlib) send: no form-encoding."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode("utf-8")).decode("ascii")


def token_request(provider: DemoProvider, data: dict, *, auth: str | None = "basic") -> requests.Response:
    """POST /token authenticating with client_secret_basic, client_secret_post or nothing."""
    headers, data = {}, dict(data)
    if auth == "basic":
        headers["Authorization"] = basic(provider.client_id, provider.client_secret)
    elif auth == "post":
        data.update(client_id=provider.client_id, client_secret=provider.client_secret)
    return requests.post(provider.token_url, data=data, headers=headers, timeout=10)


def code_flow(provider: DemoProvider, *, scope: str | None = None, state: str = "st-123"):
    """Authorize with PKCE, approve, exchange the code; returns (token response, verifier, code)."""
    verifier, challenge = pkce_pair()
    location = provider.approve(authorize_url(
        provider, scope=scope, state=state, code_challenge=challenge, code_challenge_method="S256"))
    params = query_of(location)
    assert params["state"] == state, location
    response = token_request(provider, {
        "grant_type": "authorization_code", "code": params["code"],
        "redirect_uri": LOOPBACK_REDIRECT, "code_verifier": verifier})
    return response, verifier, params["code"]


def token_posts(provider: DemoProvider) -> int:
    """How many requests reached the provider's token endpoint so far."""
    return len(provider.token_requests)


def hidden_fields(page_text: str) -> dict[str, str]:
    """The hidden inputs of a demo page's form (what a browser posts back), unescaped."""
    found = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page_text)
    return {k: html.unescape(v) for k, v in found}
