"""A scriptable HTTP server on 127.0.0.1, for providers that misbehave in exactly one way.

Each test sets ``server.routes[path]`` to a :class:`Reply` (or a function of the request
returning one) and reads back ``server.requests``. The ``scripted`` fixture (tests/conftest.py)
starts one per test; ``scripted_module`` (tests/reliability) one per module.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Reply", "ScriptedProvider", "wait_until", "serve_in_background", "answer_json", "begin_json_answer", "drip"]


class Reply:
    """What the scripted endpoint sends: status, headers, body; or a custom behaviour."""

    def __init__(self, status: int = 200, body: bytes | str | dict = b"", *, content_type: str | None = None,
                 headers: dict[str, str] | None = None, action: Callable | None = None):
        if isinstance(body, dict):
            body = json.dumps(body)
            content_type = content_type or "application/json"
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)
        self.action = action


class ScriptedProvider:
    """A real HTTP server on 127.0.0.1 whose answers each test scripts, path by path."""

    def __init__(self):
        self.routes: dict[str, Reply | Callable[[dict], Reply]] = {}
        self.requests: list[dict] = []
        self._stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                seen = {"method": self.command, "path": path, "url": self.path,
                        "headers": dict(self.headers), "body": body.decode("utf-8", "replace")}
                outer.requests.append(seen)
                route = outer.routes.get(path)
                if route is None:
                    reply = Reply(404, "not found", content_type="text/plain")
                else:
                    reply = route(seen) if callable(route) else route
                if reply.action is not None:
                    reply.action(self, outer._stop)
                    return
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` every 10 ms until it is true or ``timeout`` s pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# -- small servers of the tests' own ---------------------------------------------------------------

def serve_in_background(server) -> threading.Thread:
    """Serve ``server`` (an http.server one, already bound) from a daemon thread, a thread a request."""
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


def answer_json(handler, body: bytes, status: int = 200) -> None:
    """Answer the request ``handler`` serves with the JSON ``body``, its length said."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# -- pieces of a Reply's ``action(handler, stop)``: answers that go wrong halfway --------------

def begin_json_answer(handler, framing: dict[str, str], first: bytes = b"") -> None:
    """A 200 JSON answer's status line and headers (``framing``: Content-Length, Transfer-Encoding,
    Connection...), then ``first`` bytes of its body; the action decides how the rest goes wrong."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    for name, value in framing.items():
        handler.send_header(name, value)
    handler.end_headers()
    if first:
        handler.wfile.write(first)
        handler.wfile.flush()


def drip(handler, stop, gaps) -> None:
    """One space of body after each gap (in seconds), until the test stops or the client hangs up."""
    for gap in gaps:
        if stop.wait(gap):
            return
        try:
            handler.wfile.write(b" ")
            handler.wfile.flush()
        except OSError:
            return
