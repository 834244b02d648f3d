"""A stand-in for jupyter-server-proxy: ``http://127.0.0.1:P/user/ana/proxy/<port>/<path>`` is
passed on to ``http://127.0.0.1:<port>/<path>``, as the Jupyter server passes it on.

Like jupyter-server-proxy it strips the prefix, forwards method, headers and body, and leaves an
absolute ``Location`` alone. ``seen`` lists the paths it forwarded, so a test can tell that a
request really went through it. The browser tests use the real extension; this one keeps the
demo's and the catcher's own tests fast.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

PREFIX = "/user/ana/proxy/"
_ROUTE = re.compile(r"^/user/ana/proxy/(\d+)(/.*)?$")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        match = _ROUTE.match(self.path)
        if not match:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        port, rest = match.group(1), match.group(2) or "/"
        self.server.seen.append(rest.split("?")[0])
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        with requests.Session() as session:
            session.trust_env = False
            answer = session.request(self.command, f"http://127.0.0.1:{port}{rest}", data=body,
                                     headers=headers, allow_redirects=False, timeout=10)
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = _forward


class PrefixProxy:
    """``with PrefixProxy() as proxy: proxy.url_for(port)`` -> ``http://127.0.0.1:P/user/ana/proxy/<port>``."""

    def __enter__(self) -> "PrefixProxy":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.seen = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    @property
    def seen(self) -> list[str]:
        return list(self._server.seen)

    def url_for(self, port: int | str) -> str:
        return f"{self.base}{port}"
