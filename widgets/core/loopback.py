"""RFC 8252 §7.3 — https://www.rfc-editor.org/rfc/rfc8252#section-7.3
RFC 8252 §8.3 — https://www.rfc-editor.org/rfc/rfc8252#section-8.3

Plain http on the loopback interface.

oauthlib refuses every ``http://`` URL unless ``OAUTHLIB_INSECURE_TRANSPORT`` is set, and that
variable switches the check off for the whole process, for every host (any non-empty value,
even ``"0"``). What we want is narrower: ``http://127.0.0.1:PORT`` and ``http://localhost``
are fine (nothing leaves the machine), anything else must be https.

The host is the one the connection will use: :func:`connection_target` reads a URL the way
requests prepares it (urllib3's parser) and then connects (``urlparse`` of the prepared URL),
not the way :func:`urllib.parse.urlsplit` reads it. The two disagree on backslashes (urllib3
ends the host there, ``urlsplit`` does not: ``http://evil.test:80\\@127.0.0.1/`` is 127.0.0.1
to one and evil.test to the other), on percent-encoded hosts and on zone ids;
:func:`reading_problem` names such a URL so it can be refused outright.

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
from urllib.parse import urlparse, urlsplit

__all__ = ["is_loopback_host", "is_loopback_url", "allow_loopback_http", "connection_target", "reading_problem"]

_allowed: ContextVar[bool] = ContextVar("webhook_oauth_lab_loopback_http", default=False)
_installed = False


@functools.lru_cache(maxsize=256)  # asked twice a request, always about the same few hosts
def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and the literal addresses ``127.0.0.0/8`` and ``::1``.

    Only names that never reach a resolver's network side: ``localhost.`` (trailing dot) and
    ``x.localhost`` go to DNS on a stock resolver, and a zone id (``::1%25lo``) or a
    percent-encoded host is read differently by different parsers.
    """
    if not host or "%" in host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def _as_sent(url: str):
    """``urlparse`` of the URL requests prepares from ``url`` (ValueError if it cannot)."""
    from requests.exceptions import RequestException
    from requests.models import PreparedRequest

    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parts = urlparse(prepared.url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except (RequestException, ValueError, UnicodeError) as exc:
        raise ValueError("requests cannot send a request to it") from exc
    return parts


def connection_target(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` that requests connects to for ``url``; ValueError if it cannot.

    requests prepares the URL with urllib3's parser, then its adapter picks the connection
    pool from ``urlparse`` of the prepared URL: both steps are the ones used here.
    """
    parts = _as_sent(url)
    return parts.scheme.lower(), parts.hostname or "", parts.port


def reading_problem(url: str) -> str | None:
    """Why ``url`` is read differently by ``urlsplit`` and by the connection, or None.

    Such a URL shows one host to whoever checks it and sends to another, so it is refused
    rather than judged by either reading.
    """
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return "contains spaces or control characters"
    try:
        shown = urlsplit(url)
        shown_port = shown.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if "\\" in shown.netloc:
        return ("has a backslash in its host part, which URL parsers read differently (some end the "
                "host there); type the address with '/' only")
    if "%" in shown.netloc.rpartition("@")[2]:
        return "has a percent-encoded host or an IPv6 zone id, which URL parsers read differently"
    try:
        sent = _as_sent(url)
    except ValueError:
        return "is not a valid URL (requests cannot send a request to it)"
    shown_host, host = shown.hostname or "", sent.hostname or ""
    # a non-ASCII host is sent in requests' own IDNA encoding, which is what decides
    same_host = host == shown_host if shown_host.isascii() else host.isascii()
    if (sent.scheme.lower() != shown.scheme.lower() or not same_host or sent.port != shown_port
            or ("@" in sent.netloc) != ("@" in shown.netloc)):
        return ("is read differently by URL parsers (the host this tool checks is not the one it would "
                "connect to); check for '@', '\\' or odd characters before the first '/'")
    return None


def is_loopback_url(url: str) -> bool:
    """True when the connection for ``url`` goes to a loopback host, read unambiguously."""
    try:
        if reading_problem(url) is not None:
            return False
        scheme, host, _ = connection_target(url)
    except (ValueError, TypeError):
        return False
    return scheme in ("http", "https") and is_loopback_host(host)


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
