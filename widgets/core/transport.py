"""The one place where HTTP happens and where library exceptions become ours.

Every session this package uses is set up by :class:`Boundary`:

* TLS verification on unless ``verify=False`` (exactly False: anything else but True is a
  ConfigError), and then every https row of the transcript says so;
* one deadline (timeout + 0.5 s) for the whole answer, status line, headers and body, and
  bodies read with a cap (1 MiB), so a huge or trickling answer ends as an error instead of
  filling memory or hanging a notebook;
* redirects refused by default: a token endpoint or a webhook receiver that redirects
  would otherwise get our credentials re-sent somewhere else;
* every exchange recorded in the :class:`~widgets.transcript.Transcript`, masked;
* the environment read by us, not by requests' ``trust_env``: that scans all of
  ``os.environ`` twice per request (as costly as recording the exchange; BENCHMARKS.md has
  the figure) and puts ``~/.netrc`` credentials over an ``Authorization`` header already set.
  Proxies (``HTTPS_PROXY``, ``NO_PROXY`` ...) are looked up per host and again whenever
  one of those variables changes, and never used for a loopback host;
  ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` when the session is set up; ``.netrc`` never;
* plain http only to a loopback host, decided on the URL as it is sent.

:meth:`Boundary.step` wraps each call and translates ``requests`` exceptions into
:class:`~widgets.errors.TransportError` with a hint.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlparse, urlsplit

import requests
import requests.adapters
import urllib3
from requests.exceptions import (
    ConnectionError,
    ConnectTimeout,
    InvalidHeader,
    InvalidSchema,
    InvalidURL,
    MissingSchema,
    ProxyError,
    RequestException,
    SSLError,
    Timeout,
    TooManyRedirects,
)

from .errors import BodyTooLarge, ConfigError, TransportError, WebhookAuthError  # BodyTooLarge re-exported here
from .loopback import connection_target, is_loopback_host
from .redact import install_log_redaction, redact_url
from .transcript import Exchange, Transcript

__all__ = ["MAX_BODY_BYTES", "Boundary", "BodyTooLarge"]

MAX_BODY_BYTES = 1 << 20
_CHUNK = 64 * 1024
USER_AGENT = "webhook-oauth-lab/0.1 (+requests)"


# What decides the proxy of an http(s) URL: urllib reads every *_proxy variable (in either
# case), and ignores HTTP_PROXY when REQUEST_METHOD says it runs as a CGI script.
_PROXY_VARIABLES = (*(v for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
                      for v in (name, name.upper())), "REQUEST_METHOD")
_proxies_seen: dict[tuple, dict[str, str]] = {}


def _environment_proxies(url: str) -> dict[str, str]:
    """The proxies requests would take from the environment for ``url`` (none when NO_PROXY
    covers it), looked up once per host and per value of the proxy variables."""
    try:
        parts = urlsplit(url)
        key = (tuple(os.environ.get(v) for v in _PROXY_VARIABLES), parts.scheme.lower(), parts.hostname, parts.port)
        if is_loopback_host(connection_target(url)[1]):
            return {}  # never through a proxy: see _Adapter.send
    except ValueError:  # requests reports the URL itself
        return {}
    found = _proxies_seen.get(key)
    if found is None:
        found = requests.utils.get_environ_proxies(url)
        if len(_proxies_seen) >= 256:
            _proxies_seen.clear()
        _proxies_seen[key] = found
    return dict(found)


def _total_timeout(timeout: object) -> float | None:
    if isinstance(timeout, (int, float)):
        return float(timeout)
    if isinstance(timeout, tuple):
        values = [t for t in timeout if isinstance(t, (int, float))]
        return float(max(values)) if values else None
    return None


def _too_slow(response: requests.Response) -> TransportError:
    response.close()
    return TransportError(
        f"{redact_url(response.url)} kept sending its answer past the timeout.",
        reason="timeout",
        hint="The server is too slow or stuck. Retry later or raise the timeout.",
    )


def _socket_of(response: requests.Response):
    connection = getattr(response.raw, "connection", None) or getattr(response.raw, "_connection", None)
    return getattr(connection, "sock", None)


def _read_bounded(response: requests.Response, deadline: float | None) -> bytes:
    """Read the body, at most :data:`MAX_BODY_BYTES`, before ``deadline`` (monotonic).

    Library errors while reading (a connection cut mid-body, a stall) become TransportError.
    """
    try:
        return _read_bounded_raw(response, deadline)
    except WebhookAuthError:
        raise
    except (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError) as exc:
        raise _too_slow(response) from _scrubbed(exc)
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
        response.close()
        raise TransportError(
            f"The answer from {redact_url(response.url)} broke off before it was complete.",
            reason="network",
            hint="The server closed the connection mid-answer. Retry; if it persists, the server is failing.",
        ) from _scrubbed(exc)


def _read_bounded_raw(response: requests.Response, deadline: float | None) -> bytes:
    declared = response.headers.get("Content-Length", "")
    size = int(declared) if declared.isdigit() else None
    if size is not None and size > MAX_BODY_BYTES:
        response.close()
        raise BodyTooLarge(response.url, size)
    # what the reads below return adds up to Content-Length only when nothing is decoded
    expected = size if "Content-Encoding" not in response.headers else None
    raw = response.raw
    chunks: list[bytes] = []
    total = 0
    # read1 returns what has arrived instead of waiting for a full chunk, so a server that
    # trickles a byte at a time is caught by the deadline rather than by nothing.
    read = getattr(raw, "read1", None) or raw.read
    sock = _socket_of(response)
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _too_slow(response)
            if sock is not None:
                # one read may not wait past the deadline either, whatever the read timeout says
                current = sock.gettimeout()
                sock.settimeout(left if current is None else min(current, left))
        chunk = read(_CHUNK, decode_content=True)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            response.close()
            raise BodyTooLarge(response.url, None)
        chunks.append(chunk)
        if total == expected:  # all of it: urllib3 has already put the connection back
            break
    return b"".join(chunks)


#: OpenSSL's words for "the other side does not speak TLS" (a plain-http port, say).
_NOT_TLS = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|record layer failure|packet length too long|"
                      r"unknown protocol|http request", re.I)


def _why_connection_failed(exc: BaseException) -> tuple[str, str, str]:
    """(reason, message, hint) for a requests ConnectionError, by its underlying cause."""
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        seen.append(current)
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None), *current.args])
    text = " ".join(f"{type(e).__name__} {e}" for e in seen)
    if any(isinstance(e, socket.gaierror) for e in seen) or "NameResolution" in text or "Name or service not known" in text:
        return "dns", "the host name could not be resolved", "Check the spelling of the host in the URL, and that this machine can reach it."
    if any(isinstance(e, ConnectionRefusedError) for e in seen) or "Connection refused" in text:
        return "refused", "the connection was refused", "Nothing is listening at that host and port. Check the URL's port, and that the server is running."
    if any(isinstance(e, ssl.SSLError) for e in seen):
        return "tls", "the TLS handshake failed", "Check that the URL should be https and that the server's certificate is valid."
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in seen) or "RemoteDisconnected" in text or "aborted" in text.lower():
        return "network", "the server closed the connection without answering", "The server dropped the request. Check the URL and retry; if it persists, the server may be failing."
    return "network", "the connection failed", "Check the URL and that this machine can reach the server."


# -- one deadline for the whole exchange ---------------------------------------------------
# A read timeout bounds each read from the socket, not the exchange: a server that sends its
# status line and headers a byte per second never lets one read wait 2 s, and a 2 s timeout
# took 35 s. The deadline of the current step (a monotonic time) bounds every read of the
# answer, headers and body: each waits at most until then.
_deadline: ContextVar[float | None] = ContextVar("webhook_oauth_lab_deadline", default=None)


class _DeadlineReader(io.RawIOBase):
    """The socket's byte stream, each read limited to what is left until the deadline."""

    def __init__(self, sock, deadline: float):
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # a SocketIO, counted by the socket as usual
        self._deadline = deadline
        self._timeout = sock.gettimeout()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("the answer did not arrive before the deadline")
        self._sock.settimeout(left if self._timeout is None else min(self._timeout, left))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        try:  # a kept-alive connection starts its next exchange with its own timeout
            self._sock.settimeout(self._timeout)
        except OSError:
            pass
        super().close()


class _DeadlineSocket:
    """What http.client's response is built on: it only asks the socket for ``makefile``."""

    def __init__(self, sock, deadline: float):
        self._sock, self._deadline = sock, deadline

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response (status line and headers, then the body), read by the deadline."""

    def __init__(self, sock, *args, **kwargs):
        deadline = _deadline.get()
        if deadline is not None and all(hasattr(sock, a) for a in ("makefile", "settimeout", "gettimeout")):
            sock = _DeadlineSocket(sock, deadline)
        super().__init__(sock, *args, **kwargs)


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _DeadlineResponse  # also reads a proxy's answer to CONNECT


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with the rules that must hold for the request as it is sent.

    ``request.url`` here is the prepared URL, and ``urlparse`` of it is what requests' own
    adapter connects to, so the check cannot be fooled by a URL that another parser reads
    differently; it holds for redirects followed, too.
    """

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlparse(request.url)
        if is_loopback_host(parts.hostname):
            # Loopback never goes through a proxy, whatever HTTP_PROXY / ALL_PROXY / NO_PROXY
            # say: credentials meant to stay on this machine would reach the proxy, in clear
            # text over http. The proxies reach here from the session, a redirect or a call.
            proxies = {}
        elif parts.scheme.lower() == "http":
            raise TransportError(
                f"Refusing to send a request to {redact_url(request.url)} over plain http: credentials "
                "would travel unencrypted.",
                reason="invalid_url",
                hint="Use the https:// address; plain http is allowed only for 127.0.0.1 / localhost.",
            )
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS managers bring their own pools
            manager.pool_classes_by_scheme = _POOLS
        return manager


class Boundary:
    """Wires a requests session to a transcript and translates its failures."""

    def __init__(self, session: requests.Session, transcript: Transcript | None, *, timeout: float,
                 verify: bool = True, follow_redirects: bool = False):
        install_log_redaction()
        self.session = session
        self.transcript = transcript if transcript is not None else Transcript()
        self.timeout = float(timeout)
        self.follow_redirects = follow_redirects
        if not isinstance(verify, bool):  # 0, "", None or "false": never decide silently
            from .config import _VERIFY_TLS_NOT_BOOL

            raise ConfigError({"verify_tls": [_VERIFY_TLS_NOT_BOOL.format(type(verify).__name__)]})
        self.verify = verify
        # What requests' trust_env would look up on every call, looked up here (see above).
        session.trust_env = False
        for prefix in ("https://", "http://"):
            replaced = session.adapters.get(prefix)
            session.mount(prefix, _Adapter())
            if replaced is not None:
                replaced.close()
        if verify is True:  # a CA bundle named in the environment, as requests would use it
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.verify = verify
        session.headers["User-Agent"] = USER_AGENT
        session.max_redirects = 5
        session.hooks["response"] = [self._on_response]
        self._step = "request"
        self._last: Exchange | None = None
        self._started = 0.0

    # -- hooks -----------------------------------------------------------------------------
    def _on_response(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        timeout = _total_timeout(kwargs.get("timeout")) or self.timeout
        deadline = self._started + timeout + 0.5 if self._started else None
        request = response.request
        elapsed = response.elapsed.total_seconds() * 1000 if response.elapsed else None
        ctype = response.headers.get("Content-Type", "")
        entry_kwargs = dict(
            method=request.method or "",
            url=request.url or "",
            status=response.status_code,
            request_headers=request.headers,
            request_body=request.body,
            request_content_type=request.headers.get("Content-Type", ""),
            response_type=ctype,
            response_headers=_header_pairs(response),
            status_text=response.reason or "",
            http_version=_HTTP_VERSIONS.get(getattr(response.raw, "version", None), ""),
        )
        try:
            if response.is_redirect and not self.follow_redirects:
                location = response.headers.get("Location", "")
                response.close()
                raise TransportError(
                    f"{redact_url(response.url)} answered HTTP {response.status_code} redirecting to "
                    f"{redact_url(location)}; not followed, so credentials were not re-sent.",
                    reason="redirect",
                    hint="Use the final address directly (often the https:// form or a trailing "
                    "slash differs), after checking that it belongs to the same provider.",
                )
            body = _read_bounded(response, deadline)
        except WebhookAuthError as exc:
            self._last = self.transcript.record(self._step, **entry_kwargs, error=exc,
                                                elapsed_ms=elapsed)
            self._warn_if_unverified(self._last, request.url)
            raise
        # requests would read the body itself after the hooks; give it what we read.
        response._content = body
        response._content_consumed = True
        self._last = self.transcript.record(
            self._step,
            **entry_kwargs,
            elapsed_ms=(time.monotonic() - self._started) * 1000 if self._started else elapsed,
            outcome="ok" if response.status_code < 400 else "error",
            response_body=body,
        )
        self._warn_if_unverified(self._last, request.url)
        return response

    def _warn_if_unverified(self, entry: Exchange, url: str | None) -> None:
        """Say on the row that its certificate was not checked, when that is so."""
        if self.verify is False and (url or "").lower().startswith("https:"):
            from .config import TLS_OFF_WARNING

            entry.warning = TLS_OFF_WARNING
            if entry.outcome == "ok":
                entry.outcome = "warning"

    @property
    def last(self) -> Exchange | None:
        """The transcript row of the latest exchange."""
        return self._last

    # -- calls -----------------------------------------------------------------------------
    @contextmanager
    def step(self, name: str, method: str, url: str) -> Iterator[None]:
        """Run one exchange named ``name``; failures become our errors and transcript rows."""
        self._step, self._last, self._started = name, None, time.monotonic()
        # the same deadline as the body's (see _on_response): headers, body and redirects
        deadline = _deadline.set(self._started + self.timeout + 0.5)
        try:
            self.session.proxies = _environment_proxies(url)
            yield
        except WebhookAuthError as exc:
            self._mark(name, method, url, exc)
            raise
        except OSError as exc:  # requests' exceptions are OSErrors too
            err = self._translate(exc, url)
            if err is None:
                raise
            self._mark(name, method, url, err)
            raise err from _scrubbed(exc)
        finally:
            self._started = 0.0
            _deadline.reset(deadline)

    def _translate(self, exc: OSError, url: str) -> TransportError | None:
        """Our error for what requests (or the socket under it) raised; None: not one of those."""
        shown = redact_url(url)
        if isinstance(exc, SSLError) and _NOT_TLS.search(str(exc)):
            # An https:// URL at a port that answers in plain http (or anything but TLS): the
            # handshake fails before any certificate is seen, so the CA bundle is not the cause.
            parts = urlsplit(url)
            return TransportError(
                f"{shown} did not answer in TLS: the server at {parts.hostname}:{parts.port or 443} "
                "speaks another protocol there, most likely plain http.",
                reason="tls",
                hint="The scheme or the port is wrong, not the certificate. If this server serves plain "
                "http at that port (a local test server), the URL starts with http://; otherwise use the "
                "port where it serves https (443 unless it says otherwise).",
            )
        if isinstance(exc, SSLError) or (self.session.cert and _client_certificate_refused(exc)):
            text = _chain_text(exc)
            if (self.session.cert or "eof occurred" in text) and not _CLIENT_CERTIFICATE_WORDS.search(text):
                # TLS 1.3 sends the server's verdict on the certificate after the handshake; a
                # request already on its way often meets a closed connection instead. Ask again,
                # sending nothing, and read the alert (never through a proxy: only when direct).
                exc = _client_certificate_verdict(url, self.session.cert, self.session.verify,
                                                  self.timeout, direct=not self.session.proxies) or exc
            if (why := _client_certificate_problem(exc, self.session.cert)) is not None:
                return TransportError(f"TLS with a client certificate failed for {shown}: {_short(exc)}",
                                      reason="tls", hint=why)
            return TransportError(
                f"TLS verification failed for {shown}: {_short(exc)}",
                reason="tls",
                hint="The server's certificate is not trusted (self-signed, expired or for "
                "another host). Verification stays on: fix the certificate, or point "
                "REQUESTS_CA_BUNDLE at your organisation's CA file"
                + (" (or the Server CA file setting at the CA that signed it)." if self.session.cert
                   or isinstance(self.session.verify, str) else "."),
            )
        if isinstance(exc, Timeout):
            what = "connect" if isinstance(exc, ConnectTimeout) else "answer"
            return TransportError(
                f"{shown} did not {what} within {self.timeout:g} s.",
                reason="timeout",
                hint="The server is slow, down, or a firewall drops the traffic. Check the host "
                "and port, or raise the timeout.",
            )
        if isinstance(exc, TooManyRedirects):
            return TransportError(
                f"{shown} redirected too many times.",
                reason="redirect",
                hint="The server redirects in a loop. Check the URL with the provider's documentation.",
            )
        if isinstance(exc, (InvalidURL, MissingSchema, InvalidSchema, InvalidHeader)):
            return TransportError(
                f"Cannot send a request to {shown}: {_short(exc)}",
                reason="invalid_url",
                hint="Check the URL: it must be a complete https:// address.",
            )
        if isinstance(exc, ProxyError):  # before ConnectionError, its base: the proxy failed, not the URL
            proxy = self.session.proxies.get(urlsplit(url).scheme) or self.session.proxies.get("all", "")
            return TransportError(
                f"Could not reach {shown} through the proxy {redact_url(proxy)}.",
                reason="proxy",
                hint="The proxy named in HTTPS_PROXY / HTTP_PROXY / ALL_PROXY refused or failed the "
                "connection. Check those variables; list hosts to reach directly in NO_PROXY.",
            )
        if isinstance(exc, ConnectionError):
            reason, what, hint = _why_connection_failed(exc)
            return TransportError(f"Could not reach {shown}: {what}.", reason=reason, hint=hint)
        if isinstance(exc, RequestException):  # ChunkedEncodingError, ContentDecodingError, ...
            return TransportError(
                f"The exchange with {shown} broke off: {_short(exc)}",
                reason="network",
                hint="The connection failed mid-answer. Retry; if it persists, the server is failing.",
            )
        if self.session.cert and "TLS" in str(exc) and "certificate" in str(exc).lower():
            return TransportError(  # requests' adapter checks that the client certificate files exist
                f"Cannot set up TLS for {shown}: {_short(exc)}",
                reason="tls",
                hint="A client certificate or key file named in the settings does not exist. Check the "
                "Client certificate file and Client certificate key file paths.",
            )
        if "certificate" in str(exc).lower() or "TLS" in str(exc):  # requests' adapter checks cert files
            return TransportError(
                f"Cannot set up TLS for {shown}: {_short(exc)}",
                reason="tls",
                hint="A certificate file named in the settings does not exist. Check "
                "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE: they must name your CA file, or be unset.",
            )
        return None

    def _mark(self, name: str, method: str, url: str, exc: WebhookAuthError) -> None:
        """Attach the error to this step's row, or add a row when no answer came."""
        if self._last is not None:
            if self._last.outcome == "ok" or not self._last.error:
                self._last.fail(exc, "refused" if self._last.status and self._last.status < 400 else "error")
            return
        self._last = self.transcript.record(
            name, method=method, url=url, outcome="error", error=exc,
            elapsed_ms=(time.monotonic() - self._started) * 1000 if self._started else None,
        )
        self._warn_if_unverified(self._last, url)


_HTTP_VERSIONS = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2", 30: "HTTP/3"}


def _header_pairs(response: requests.Response) -> list[tuple[str, str]]:
    """The answer's headers as sent, a repeated name (``Set-Cookie``) once per line; requests'
    own mapping joins repeats with ", ". The transcript masks them."""
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "iteritems"):
        return list(raw.iteritems())
    return list(response.headers.items())


# RFC 8705 client certificates: what the server's TLS alert (or our own key loading) says, and
# what a person does about it. TLS 1.3 sends the server's alert after the client's handshake is
# done, so it can also arrive as a reset connection on the first read.
_CLIENT_CERTIFICATE_HINTS = (
    (("certificate required", "handshake failure"),
     "The server requires a client certificate (mutual TLS) and none it accepts was sent. Set the "
     "client-authentication method to tls_client_auth (or self_signed_tls_client_auth) with the "
     "Client certificate file and its key."),
    (("certificate expired",),
     "The server refused the client certificate because it has expired (or is not valid yet). Ask "
     "for a new certificate, or check this machine's clock."),
    (("unknown ca", "bad certificate", "certificate unknown", "unsupported certificate"),
     "The server does not trust the client certificate: it was not issued by a CA the server accepts "
     "(or, for self_signed_tls_client_auth, it is not the one registered for this client). Use the "
     "certificate the provider issued or registered."),
    (("key values mismatch", "key_values_mismatch"),
     "The client certificate and the key file do not belong together. Use the key the certificate "
     "was issued for."),
    (("pem lib", "no start line", "bad decrypt", "bad base64 decode"),
     "A client certificate or key file could not be read: it must be PEM text (-----BEGIN ...), with "
     "the key unencrypted."),
)


_CLIENT_CERTIFICATE_WORDS = re.compile("|".join(re.escape(w) for words, _ in _CLIENT_CERTIFICATE_HINTS
                                                for w in words) + "|certificate verify failed")


def _client_certificate_verdict(url: str, cert, verify, timeout: float, *, direct: bool) -> BaseException | None:
    """The TLS alert the server sends about our client certificate, from a fresh handshake that
    sends no request; None when there is none (or the connection would not be direct)."""
    parts = urlsplit(url)
    if not direct or parts.scheme.lower() != "https" or not parts.hostname:
        return None
    try:
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        if verify is False:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if cert:
            context.load_cert_chain(*cert) if isinstance(cert, tuple) else context.load_cert_chain(cert)
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=min(timeout, 3.0)) as raw:
            with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
                tls.settimeout(min(timeout, 1.0))
                tls.recv(1)  # a verdict arrives at once; a server content with us just waits
    except (ssl.SSLError, OSError) as verdict:
        return verdict
    except (TypeError, ValueError):  # files requests could not use either: its own error stands
        return None
    return None


def _chain_text(exc: BaseException) -> str:
    seen, stack, parts = [], [exc], []
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        seen.append(current)
        parts.append(f"{type(current).__name__} {current}")
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None), *current.args])
    return " ".join(parts).lower().replace("_", " ")


def _client_certificate_refused(exc: BaseException) -> bool:
    """A connection reset or TLS alert where a client certificate was offered: the server's verdict."""
    text = _chain_text(exc)
    return "alert" in text or "ssl" in text and ("reset" in text or "eof" in text)


def _client_certificate_problem(exc: BaseException, cert: object) -> str | None:
    """The hint for a TLS failure that is about the client certificate, else None."""
    text = _chain_text(exc)
    if "certificate verify failed" in text:
        return None  # the server's certificate: the caller's own hint
    for words, hint in _CLIENT_CERTIFICATE_HINTS:
        if any(w in text for w in words):
            return hint
    if cert:
        return ("The TLS handshake with a client certificate failed. Check that the certificate and key "
                "files are the ones the provider registered, and that the Token URL is its mTLS endpoint.")
    return None


def _scrubbed(exc: BaseException) -> BaseException:
    """``exc`` and the exceptions chained to it, with their messages masked.

    The chain is kept (``raise ... from``) so a developer sees where a failure came from, but
    a notebook prints every chained message, and urllib3's quote the full URL.
    """
    from .redact import scrub

    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and not any(current is s for s in seen):
        seen.append(current)
        try:
            current.args = tuple(scrub(a) if isinstance(a, (str, BaseException)) else a for a in current.args)
        except (AttributeError, TypeError):
            pass
        for name in ("url", "request_url"):
            if isinstance(getattr(current, name, None), str):
                try:
                    setattr(current, name, redact_url(getattr(current, name)))
                except (AttributeError, TypeError):
                    pass
        current = current.__cause__ or current.__context__
    return exc


def _short(exc: BaseException) -> str:
    from .redact import scrub

    text = scrub(str(exc))
    return text if len(text) <= 160 else text[:159] + "…"
