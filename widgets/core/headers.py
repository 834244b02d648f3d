"""RFC 7617 §2 (Basic) — https://www.rfc-editor.org/rfc/rfc7617#section-2
RFC 6750 §2.1 (Bearer) — https://www.rfc-editor.org/rfc/rfc6750#section-2.1
RFC 6749 §2.3.1 (``client_secret_basic``) — https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1

``Authorization`` header values: pure functions for the wire formats, plus a requests auth.

* Basic for a webhook receiver, RFC 7617: ``base64(utf8(user ":" password))``.
* Bearer, RFC 6750 §2.1.
* OAuth ``client_secret_basic``, RFC 6749 §2.3.1: client id and secret are first
  form-encoded (``application/x-www-form-urlencoded``), *then* joined and Base64-encoded.
  requests-oauthlib skips the form-encoding, which breaks secrets containing ``+ : % /``,
  spaces or non-ASCII characters at servers that decode strictly; :class:`ClientSecretBasic`
  does it right and is passed to requests-oauthlib as ``auth=``.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import requests

from .redact import remember
from .secret import Secret, reveal

__all__ = ["basic_authorization", "bearer_authorization", "remember_basic", "client_secret_basic_authorization", "ClientSecretBasic"]


def basic_authorization(username: str, password: str | Secret) -> str:
    """RFC 7617 Basic credentials, UTF-8 encoded (the ``charset="UTF-8"`` of §2.1)."""
    if ":" in username:
        raise ValueError("a Basic user-id cannot contain ':' (RFC 7617 §2)")
    raw = f"{username}:{reveal(password)}".encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def remember_basic(header: str) -> None:
    """Mask a Basic header's credentials wherever they turn up, with or without "Basic"."""
    remember(header.partition(" ")[2], known=True, whole=True)  # no tail: it is the password's


def bearer_authorization(token: str | Secret) -> str:
    """RFC 6750 §2.1 ``Bearer`` credentials."""
    return f"Bearer {reveal(token)}"


def _form_encode(value: str) -> str:
    # application/x-www-form-urlencoded: space as '+', everything but unreserved escaped.
    return quote(value, safe="", encoding="utf-8").replace("%20", "+")


def client_secret_basic_authorization(client_id: str, client_secret: str | Secret) -> str:
    """RFC 6749 §2.3.1: form-encode id and secret, join with ':', Base64."""
    raw = f"{_form_encode(client_id)}:{_form_encode(reveal(client_secret))}".encode("ascii")
    return "Basic " + base64.b64encode(raw).decode("ascii")


class ClientSecretBasic(requests.auth.AuthBase):
    """requests auth that sends OAuth client credentials as RFC 6749 §2.3.1 asks."""

    def __init__(self, client_id: str, client_secret: str | Secret):
        header = client_secret_basic_authorization(client_id, client_secret)
        remember_basic(header)  # what goes on the wire, in the shape it goes
        self._header = Secret(header)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header.reveal()
        return request

    def __repr__(self) -> str:
        return "ClientSecretBasic(****)"
