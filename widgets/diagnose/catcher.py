"""RFC 8252 §7.3 — https://www.rfc-editor.org/rfc/rfc8252#section-7.3

Catch the authorization response on a loopback redirect URI.

A client on this machine may register ``http://127.0.0.1:{port}/{path}`` as its redirect URI;
the provider must accept any port.
:class:`LoopbackCatcher` listens there (127.0.0.1 only, never all interfaces) for the
authorization response (``code=`` or ``error=``) whose ``state`` is one it was told to
:meth:`~LoopbackCatcher.expect`, shows the browser a "you can close this tab" page, and hands
the full redirect URL to the caller, who passes it to
:meth:`~widgets.authorization_code.AuthorizationCodeFlow.complete` (where it is checked again):

    with LoopbackCatcher() as catcher:
        flow = AuthorizationCodeFlow(config.replace(redirect_uri=catcher.redirect_uri))
        request = flow.begin()
        catcher.expect(request.state)  # before the link is opened
        print(request.url)             # open it in a browser
        token = flow.complete(catcher.wait())

The state is checked on arrival because any local process, or a web page that knows the
port, can send a request here: one with a wrong or missing state (a forged ``error=``, say)
gets an error page and the catcher keeps waiting, until the real answer or its timeout.

Behind the Jupyter server: when the browser is on another machine (Binder, a JupyterHub, a remote
server) it cannot open 127.0.0.1 of this one. With jupyter-server-proxy, the Jupyter server passes
``<origin><base_url>proxy/<port>/<path>`` on to ``127.0.0.1:<port>/<path>``; give that address as
``public_url`` (``{port}`` stands for the port once bound) and :attr:`redirect_uri` is the public
one, the one to register with the provider and to send in the authorize request; the catcher
still listens on 127.0.0.1 only, and :meth:`wait` returns the public address with the answer's
query, as the browser saw it.

Nothing it serves or logs contains the code: the page is fixed text, the access log is off.
It answers only the query form of the response (the default for ``response_type=code``); a
``response_mode=fragment`` answer never reaches a server.
"""

from __future__ import annotations

import hmac
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ..core.errors import CatcherError, CatcherTimeout  # defined there, exported here
from ..core.redact import remember

__all__ = ["LoopbackCatcher", "CatcherTimeout", "CatcherError"]

HOST = "127.0.0.1"

_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}"
          "h1{font-size:1.3rem}")
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _page(title: str, text: str) -> bytes:
    title, text = html.escape(title), html.escape(text)  # constants today; escaped all the same
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{title}</title>"
            f"<style>{_STYLE}</style><h1>{title}</h1><p>{text}</p></html>").encode()


_DONE = _page("You can close this tab",
              "The answer reached the tool that opened this login. Go back to it; nothing else to do here.")
_DENIED = _page("You can close this tab",
                "The provider answered with an error instead of a code. Go back to the tool to read it.")
_WAITING = _page("Nothing to catch here",
                 "This address waits for the provider's answer (an address with code= or error=).")
_ALREADY = _page("Already answered",
                 "An answer was already received for this login. Start again from the tool for a new one.")
_NOT_FOUND = _page("Not found", "Nothing here.")
_WRONG_STATE = _page("Not the login started here",
                     "This answer does not carry the state of the login the tool is waiting for, so it was "
                     "ignored. If you are logging in, use the link the tool showed you; the tool keeps waiting.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    catcher: "LoopbackCatcher"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "webhook-oauth-lab"
    sys_version = ""
    timeout = 10  # an idle browser pre-connection must not hold a thread forever

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the request line carries the code

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        catcher = self.server.catcher
        path, _, query = self.path.partition("?")
        if path != catcher.path:
            self._send(404, _NOT_FOUND)
            return
        params = parse_qs(query.split("#", 1)[0], keep_blank_values=True)
        if "code" not in params and "error" not in params:
            self._send(400, _WAITING)
            return
        remember(*params.get("code", ()))
        if not catcher._expects(params.get("state", [])):
            catcher._refuse()
            self._send(400, _WRONG_STATE)
            return
        if not catcher._claim(catcher.redirect_uri + self.path[len(catcher.path):]):
            self._send(409, _ALREADY)
            return
        try:
            self._send(200, _DENIED if "error" in params else _DONE)
        finally:
            catcher._hit.set()  # after the page is out, so stopping cannot cut it off

    def do_POST(self) -> None:  # noqa: N802
        self._send(405, _WAITING)


class LoopbackCatcher:
    """Listen on ``http://127.0.0.1:<port><path>`` for one authorization response.

    ``port=0`` lets the system choose a free port (read it from :attr:`redirect_uri` after
    starting). Use as a context manager, or call :meth:`start` and :meth:`stop`. Only an
    answer carrying a state given to :meth:`expect` is taken; others are refused, counted
    in :attr:`refused`, and the wait goes on (bounded by the timeout).
    """

    def __init__(self, port: int = 0, path: str = "/callback", timeout: float = 120,
                 public_url: str | None = None):
        if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in "?# "):
            raise ValueError("path must start with '/' and hold no '?', '#' or spaces")
        if not 0 <= int(port) <= 65535:
            raise ValueError("port must be 0-65535")
        if not float(timeout) > 0:
            raise ValueError("timeout must be a positive number of seconds")
        if public_url is not None:
            parts = urlsplit(public_url.replace("{port}", "1"))
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise ValueError("public_url must be an absolute http(s) URL without query or fragment")
        self.path = path
        self.public_url = None if public_url is None else public_url.rstrip("/")
        self.timeout = float(timeout)
        self._requested_port = int(port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._hit = threading.Event()
        self._received: str | None = None
        self._expected: list[str] = []
        self._refused = 0
        self._finished = False
        self._bound_port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "LoopbackCatcher":
        if self._server is not None:
            return self
        if self._finished:
            raise CatcherError("This catcher already finished; make a new one for a new login.",
                               hint="Create a new LoopbackCatcher (and a new authorize link).")
        try:
            server = _Server((HOST, self._requested_port), _Handler)
        except OSError as exc:
            raise CatcherError(
                f"Cannot listen on {HOST}:{self._requested_port}: {exc.strerror or exc}.",
            ) from exc
        server.catcher = self
        self._server = server
        self._bound_port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"LoopbackCatcher:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and free the port. Safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        self._finished = True
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> "LoopbackCatcher":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- use ------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise CatcherError("The catcher is not listening yet.", hint="Use it in a `with` block, or call start().")
        return self._bound_port

    @property
    def redirect_uri(self) -> str:
        """Register it, and use it as the flow's Redirect URI: ``http://127.0.0.1:<port><path>``,
        or ``<public_url><path>`` when the browser comes through the Jupyter server."""
        if self.public_url is not None:
            return self.public_url.replace("{port}", str(self.port)) + self.path
        return self.direct_uri

    @property
    def direct_uri(self) -> str:
        """``http://127.0.0.1:<port><path>``, where the catcher listens."""
        return f"http://{HOST}:{self.port}{self.path}"

    @property
    def received(self) -> str | None:
        """The redirect URL received, once one has arrived."""
        return self._received

    def expect(self, state: object) -> "LoopbackCatcher":
        """Take answers carrying this ``state`` (or an AuthorizationRequest's); call before the
        link is opened. More than one may be expected (one per link built)."""
        state = getattr(state, "state", state)
        if not isinstance(state, str) or not state:
            raise ValueError("state must be the non-empty state of an authorize link")
        with self._lock:
            self._expected.append(state)
        return self

    @property
    def refused(self) -> int:
        """How many answers were refused for a wrong or missing state."""
        return self._refused

    def _expects(self, states: list[str]) -> bool:
        if len(states) != 1:  # missing, or repeated (RFC 6749 §3.1: each parameter once)
            return False
        with self._lock:
            expected = list(self._expected)
        given = states[0].encode("utf-8", "surrogatepass")
        return any(hmac.compare_digest(given, s.encode()) for s in expected)

    def _refuse(self) -> None:
        with self._lock:
            self._refused += 1

    def _claim(self, url: str) -> bool:
        with self._lock:
            if self._received is not None:
                return False
            self._received = url
            return True

    def wait(self, timeout: float | None = None) -> str:
        """Block until the redirect arrives; return its full URL. Stops listening either way.

        Raises :class:`CatcherTimeout` after ``timeout`` seconds (default: the constructor's).
        """
        if self._server is None and self._received is None:
            raise CatcherError("The catcher is not listening.", hint="Use it in a `with` block, or call start().")
        limit = self.timeout if timeout is None else float(timeout)
        arrived = self._hit.wait(limit)
        self.stop()
        if not arrived or self._received is None:
            if self._refused:
                raise CatcherTimeout(
                    f"No redirect with the expected state arrived at {self.redirect_uri} within {limit:g} s; "
                    f"{self._refused} answer(s) with another or no state were refused.",
                    hint=("Call expect(request.state) with the state of the link you opened, before opening it. "
                          if not self._expected else "")
                    + "An answer with a state this tool did not make is not from that login (a stale tab, or "
                    "another program or page sending to this port). Start again with a fresh link.",
                )
            hint = None
            if self.public_url is not None:
                hint = ("Open the authorize link and finish the login before the time runs out. The answer "
                        f"comes back through the Jupyter server to {self.redirect_uri}: if the provider shows "
                        "an error instead of sending you back, register exactly that address as a redirect URI "
                        "for the client, or use the manual flow (paste the address you land on).")
            raise CatcherTimeout(f"No redirect arrived at {self.redirect_uri} within {limit:g} s.", hint=hint)
        return self._received

    def __repr__(self) -> str:
        where = self.redirect_uri if self._server is not None else "not listening"
        return f"LoopbackCatcher({where}, received={self._received is not None}, refused={self._refused})"
