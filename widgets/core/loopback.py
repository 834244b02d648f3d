"""RFC 8252 §7.3 — https://www.rfc-editor.org/rfc/rfc8252#section-7.3
RFC 8252 §8.3 — https://www.rfc-editor.org/rfc/rfc8252#section-8.3

Plain http on the loopback interface.

oauthlib refuses every ``http://`` URL unless ``OAUTHLIB_INSECURE_TRANSPORT`` is set, and that
variable switches the check off for the whole process, for every host (any non-empty value,
even ``"0"``). What we want is narrower: ``http://127.0.0.1:PORT`` and ``http://localhost``
are fine (nothing leaves the machine), anything else must be https.

:func:`allow_loopback_http` is a context manager our flows wrap around their calls into
oauthlib / requests-oauthlib. Inside it, and only in that thread or task, oauthlib's
``is_secure_transport`` also accepts loopback URLs. Outside it oauthlib behaves exactly as
shipped. The library modules bind the function by name at import time, so the wrapper is
installed on each of them once.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

__all__ = ["is_loopback_host", "is_loopback_url", "allow_loopback_http"]

_allowed: ContextVar[bool] = ContextVar("webhook_oauth_lab_loopback_http", default=False)
_installed = False


@functools.lru_cache(maxsize=256)  # asked twice a request, always about the same few hosts
def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and is_loopback_host(parts.hostname)
    except ValueError:
        return False


def _wrap(original):
    def is_secure_transport(uri):
        if original(uri):
            return True
        return _allowed.get() and is_loopback_url(uri)

    is_secure_transport.__wrapped__ = original
    return is_secure_transport


def _install() -> None:
    global _installed
    if _installed:
        return
    import oauthlib.oauth2 as oauth2
    import oauthlib.oauth2.rfc6749.clients.base as clients_base
    import oauthlib.oauth2.rfc6749.parameters as parameters
    import oauthlib.oauth2.rfc6749.utils as utils
    import requests_oauthlib.oauth2_auth as oauth2_auth
    import requests_oauthlib.oauth2_session as oauth2_session

    original = getattr(utils.is_secure_transport, "__wrapped__", utils.is_secure_transport)
    wrapped = _wrap(original)
    for module in (utils, oauth2, clients_base, parameters, oauth2_session, oauth2_auth):
        if getattr(module, "is_secure_transport", None) is not None:
            module.is_secure_transport = wrapped
    _installed = True


@contextmanager
def allow_loopback_http() -> Iterator[None]:
    """Within this block, oauthlib accepts ``http://`` URLs whose host is loopback."""
    _install()
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)
