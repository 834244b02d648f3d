"""Serving the demo provider's WSGI app: cheroot in daemon threads, bodies read within a limit.

cheroot speaks HTTP/1.1 keep-alive with a pool of worker threads and a selector,
so an idle kept-alive connection holds no thread. Everything runs in daemon
threads: a Jupyter kernel never blocks on the provider and never waits for it at
exit. While a request is being handled, oauthlib's server-side log records are
dropped (they quote codes and tokens). Nothing here knows OAuth: the provider
hands :func:`serve` a WSGI app and gets back a :class:`Serving` to stop.
"""

from __future__ import annotations

import io
import logging
import socket
import ssl
import sys
import threading
from concurrent.futures import Future
from typing import Callable

from cheroot import errors as cheroot_errors
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from werkzeug.wrappers import Request, Response

__all__ = ["BODY_LIMIT", "LimitedRequest", "Serving", "serve"]

#: The largest request body the provider reads, in bytes; above it the answer is a 413.
BODY_LIMIT = 1024 * 1024

_log = logging.getLogger(__name__)
# A library's logger: without this, records of WARNING and above reach stderr through
# logging's last resort when the notebook has configured no logging at all.
_log.addHandler(logging.NullHandler())


# --- keeping secrets out of logs ----------------------------------------------

_serving = threading.local()


class _MuteInsideProvider(logging.Filter):
    """Drops oauthlib's records emitted while this provider handles a request.

    oauthlib's server side logs codes and tokens at DEBUG ("Created
    authorization code grant {'code': ...}", "Issuing token ... {'access_token':
    ...}"), and notebooks often run with DEBUG on. Only records from the
    provider's own request threads are dropped; the notebook's OAuth client, in
    the same process, logs as before.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_serving, "active", False)


_OAUTHLIB_SERVER_LOGGERS = tuple(
    "oauthlib.oauth2.rfc6749." + name
    for name in (
        "grant_types.authorization_code",
        "grant_types.base",
        "grant_types.client_credentials",
        "grant_types.refresh_token",
        "endpoints.authorization",
        "endpoints.base",
        "endpoints.introspect",
        "endpoints.token",
        "tokens",
    )
) + ("oauthlib", "oauthlib.common", "oauthlib.oauth2.rfc6749.request_validator",
       "oauthlib.oauth2.rfc8628.grant_types.device_code", "oauthlib.oauth2.rfc8628.endpoints.device_authorization")
_mute = _MuteInsideProvider()


def _install_log_filter() -> None:
    for name in _OAUTHLIB_SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if _mute not in logger.filters:
            logger.addFilter(_mute)


# --- request bodies -------------------------------------------------------------


class LimitedRequest(Request):
    """werkzeug's request, refusing bodies and forms over :data:`BODY_LIMIT`."""

    max_content_length = BODY_LIMIT
    max_form_memory_size = BODY_LIMIT


def _refusal(text: str, status: int, headers: dict | None = None) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain", headers=headers)


def _read_body(environ: dict) -> Response | None:
    """Take the request body off the connection before the app runs; a refusal if it can't.

    On a kept-alive connection, body bytes the app leaves unread would be parsed
    as the next request. cheroot skips the rest of a Content-Length body itself,
    but not of a chunked one, and it refuses a Content-Length over the limit
    before the app runs; reading every body here, within that limit, covers the
    rest. A client that goes away mid-body then costs a 400, not an app error.
    """
    stream = environ["wsgi.input"]
    chunked = environ.get("wsgi.input_terminated")  # what cheroot says of a chunked body
    try:
        body = stream.read()
        if chunked:
            for _ in stream.read_trailer_lines():  # and the blank line that ends the body
                pass
    except (cheroot_errors.MaxSizeExceeded, OSError, ValueError) as exc:
        # cheroot says "too large" for a chunked body either way; ValueError is bad chunking.
        if isinstance(exc, cheroot_errors.MaxSizeExceeded) or exc.args[:1] == ("Request Entity Too Large",):
            return _refusal("request body too large", 413)  # cheroot closes the connection after a 413
        body = None
    if body is None or (not chunked and len(body) < int(environ.get("CONTENT_LENGTH") or 0)):
        # What is left on the connection is unknown: the client must not send on it again.
        return _refusal("the request body could not be read", 400, {"Connection": "close"})
    environ["wsgi.input"] = io.BytesIO(body)
    return None


def _guarded(app: Callable) -> Callable:
    """``app`` with its request body already read, and oauthlib muted while it runs."""

    def guarded(environ, start_response):
        _serving.active = True
        try:
            refusal = _read_body(environ)
            if refusal is not None:
                return refusal(environ, start_response)
            return app(environ, start_response)
        finally:
            _serving.active = False

    return guarded


# --- cheroot under the app --------------------------------------------------------


class _Server(wsgi.Server):
    """cheroot's WSGI server, telling this module's logger what it would print to stderr.

    cheroot keeps no access log. Its ERROR and CRITICAL mean an exception nobody
    handled, in the server or the app (a client that goes away is INFO, a socket
    error WARNING): those are noted by class name in ``internal_errors``, unless
    they come after stop() began, when the loop and the workers may trip over the
    sockets it closes.
    """

    def __init__(self, *args, internal_errors: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._internal_errors = internal_errors

    def error_log(self, msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        failure = sys.exc_info()[1] if traceback else None
        if failure is not None:
            # Only the class name: cheroot's message is often the exception's repr, which
            # may quote bytes of the request.
            msg = f"{type(failure).__name__} while serving a connection"
        if level >= logging.ERROR and not self.ready:
            level = logging.DEBUG
        _log.log(level, "demo provider: %s", msg)
        if level >= logging.ERROR:
            self._internal_errors.append(type(failure).__name__ if failure else "HTTPServer")


def _prepare_and_serve(server: _Server, bound: Future) -> None:
    """Bind, tell ``bound`` (the error if binding failed), then serve until stop().

    prepare() runs here rather than in start() because it starts the worker
    threads, and a thread is a daemon only if the thread that starts it is one.
    """
    try:
        server.prepare()
    except BaseException as exc:  # noqa: BLE001 - serve() raises it
        bound.set_exception(exc)
        return
    bound.set_result(None)
    server.serve()


class Serving:
    """A running server, from :func:`serve`: its ``port``, and ``stop()``."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server, self._thread = server, thread

    @property
    def port(self) -> int:
        return self._server.bind_addr[1]

    def stop(self) -> None:
        """Close the listening socket and every connection (kept-alive ones too), join the threads."""
        server = self._server
        server.stop()  # closes the listening socket and idle connections, joins the workers
        self._thread.join()
        # cheroot files each server's counters in logging.statistics and never takes them
        # out; they refer to the server, and through the app to the provider.
        statistics = getattr(logging, "statistics", {})
        for key in [k for k, v in statistics.items() if v is server.stats]:
            del statistics[key]


def serve(app: Callable, host: str, port: int, *, internal_errors: list[str], name: str,
          tls: tuple[ssl.SSLContext, str, str] | None = None) -> Serving:
    """Bind ``host:port`` (port 0: any free one) and serve the WSGI ``app`` in daemon threads.

    ``tls``: (context, certificate file, key file) to serve https with that context (which may
    require client certificates; the app finds one in ``environ["SSL_CLIENT_CERT"]``).

    Returns once the socket is bound; raises what binding raised (``OSError``
    when the port is taken). The serving thread is called ``"<name>:<port>"``.
    Exceptions nobody handled are noted by class name in ``internal_errors``.
    """
    _install_log_filter()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # cheroot binds the first address of any family a name resolves to; resolve it in
    # the family the issuer implies ("localhost" -> 127.0.0.1).
    address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4][:2]
    server = _Server(
        address,
        _guarded(app),
        numthreads=8,
        request_queue_size=128,  # cheroot's default backlog, 5, drops a burst of connects
        timeout=10,  # a kept-alive connection idle this long is closed, a client this slow cut off
        shutdown_timeout=1,  # then stop() cuts off a client still sending
        internal_errors=internal_errors,
    )
    if tls is not None:
        context, cert_file, key_file = tls
        adapter = BuiltinSSLAdapter(cert_file, key_file)
        adapter.context = context
        server.ssl_adapter = adapter
    server.max_request_body_size = BODY_LIMIT  # above it: a 413 before the app, and close
    # stop() waits for the connection loop's next turn; an idle loop turns this often.
    server.expiration_interval = 0.01
    bound: Future = Future()
    thread = threading.Thread(target=_prepare_and_serve, args=(server, bound), name=name, daemon=True)
    thread.start()
    bound.result()  # raises what prepare() raised: OSError when the port is taken
    thread.name = f"{name}:{server.bind_addr[1]}"
    return Serving(server, thread)
