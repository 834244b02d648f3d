"""A local stand-in of the ThousandEyes v7 generic connectors API, for the notebooks and the tests.

**It is a stand-in, not ThousandEyes.** No machine here can reach ThousandEyes, so this server
answers as the API is documented, as far as that was checked (FIELD-NOTES.md, "ThousandEyes
SDK", read on thousandeyes-sdk-connectors / -core 6.0.0, generated from API 7.0.110):

* routes: ``GET/POST /connectors/generic``, ``GET/PUT/DELETE /connectors/generic/{id}``
  under a base URL ending in ``/v7`` (the SDK's ``Configuration(host=...)`` takes any base);
  ``PUT`` is a full replacement; ``?aid=`` selects the account group;
* every request body is validated with the SDK's own pydantic models (``GenericConnector``
  and, chosen by ``authentication.type`` as the spec's ``discriminator: type`` says, one of
  ``BasicAuthentication``, ``BearerTokenAuthentication``, ``OtherTokenAuthentication``,
  ``OauthCodeAuthentication``, ``OauthClientCredentialsAuthentication``); a bad body is a 400
  shaped like the SDK's ``ValidationError``;
* ``Authorization: Bearer <API token>``, else 401 shaped like ``UnauthorizedError``; an unknown
  id is a 404 and an unknown account group a 403, shaped like ``Error`` (problem+json);
* list answers are ``{"items": [...], "_links": {"self": ...}}`` with no pagination (the SDK's
  models, its tests and a harvested copy of the OpenAPI document agree on that);
* with a ``rate_limit``, every answer after the token check carries TE's
  ``X-Organization-Rate-Limit-Limit`` / ``-Remaining`` / ``-Reset`` (the requests allowed per
  window, those left in it, the UTC second it rolls over), as TE's "Rate limits" page shows them
  on a 200; a burst over ``rate_limit`` requests per ``rate_window`` seconds is a 429 with the
  same headers and, unless ``retry_after=False``, ``Retry-After`` (TE's page and a harvested
  copy of it say to wait for the reset, not for ``Retry-After``: both cases can be served).
  Without a ``rate_limit`` there is no limit to tell, and no such header;
* answers carry the ``type``-tagged authentication bodies that make the SDK's generated
  ``GenericConnectorAuth`` fail ("Multiple matches found" / "No match found").

Not checked, so configurable: whether TE's list carries each connector's ``authentication``
(``list_detail="full"``, the default, as in the SDK's tests; ``"summary"`` leaves it out, so a
client must read each connector by id), and whether answers echo secrets
(``echo_secrets=True`` by default; ``False`` leaves tokens, passwords and client secrets out).
TE's real rate limits, error texts and any field this module does not name are not modelled.

This is a test server: it keeps a record of every request (``requests``) with its JSON body,
secrets included, in memory, and never logs them. It imports nothing of ``widgets.core``,
``diagnose``, ``ui`` or ``cli``; only the SDK's models, werkzeug and cheroot.
"""

from __future__ import annotations

import copy
import json
import math
import secrets
import socket
import threading
import time
import uuid
from concurrent.futures import Future
from typing import Callable, Iterable

from cheroot import wsgi
from pydantic import ValidationError as PydanticValidationError
from thousandeyes_sdk.connectors.models import (
    BasicAuthentication,
    BearerTokenAuthentication,
    GenericConnector,
    OauthClientCredentialsAuthentication,
    OauthCodeAuthentication,
    OtherTokenAuthentication,
)
from werkzeug.wrappers import Request, Response

__all__ = ["ThousandEyesStandIn", "AUTH_MODELS", "SECRET_MEMBERS"]

#: ``authentication.type`` -> the SDK model the spec's discriminator names.
AUTH_MODELS = {
    "basic": BasicAuthentication,
    "bearer-token": BearerTokenAuthentication,
    "other-token": OtherTokenAuthentication,
    "oauth-auth-code": OauthCodeAuthentication,
    "oauth-client-credentials": OauthClientCredentialsAuthentication,
}
#: Members of ``authentication`` that hold secrets (left out when ``echo_secrets=False``).
SECRET_MEMBERS = ("password", "token", "refreshToken", "oauthClientSecret", "code")
_PREFIX = "/v7"
_COLLECTION = _PREFIX + "/connectors/generic"
_BODY_LIMIT = 1024 * 1024


class _Refusal(Exception):
    def __init__(self, response: Response):
        self.response = response


def _problem(status: int, title: str, detail: str, headers: dict | None = None, **extra) -> Response:
    body = {"type": f"https://api.thousandeyes.com/errors/{status}", "title": title, "status": status,
            "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _hal(data: object, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/hal+json")


def _validation_errors(exc: PydanticValidationError, prefix: str = "") -> list[dict]:
    return [{"code": err.get("type", "invalid"), "field": prefix + ".".join(str(p) for p in err.get("loc", ())),
             "message": err.get("msg", "invalid")} for err in exc.errors(include_input=False)]


def validate_connector(body: object) -> dict:
    """The connector a request body describes, checked with the SDK's models; raises _Refusal (400)."""
    if not isinstance(body, dict):
        raise _Refusal(_problem(400, "Bad Request", "the body must be a JSON object"))
    top = {k: v for k, v in body.items() if k != "authentication"}
    try:
        GenericConnector.model_validate(top)
    except PydanticValidationError as exc:
        raise _Refusal(_problem(400, "Bad Request", "the connector is not valid",
                                errors=_validation_errors(exc))) from None
    if body.get("type") != "generic":
        raise _Refusal(_problem(400, "Bad Request", "type must be 'generic'",
                                errors=[{"code": "invalid", "field": "type", "message": "must be generic"}]))
    auth = body.get("authentication")
    if auth is not None:
        if not isinstance(auth, dict) or auth.get("type") not in AUTH_MODELS:
            raise _Refusal(_problem(400, "Bad Request", "authentication.type must be one of "
                                    + ", ".join(AUTH_MODELS),
                                    errors=[{"code": "invalid", "field": "authentication.type",
                                             "message": "unknown authentication type"}]))
        try:
            AUTH_MODELS[auth["type"]].from_dict(auth)
        except PydanticValidationError as exc:
            raise _Refusal(_problem(400, "Bad Request", "the authentication is not valid",
                                    errors=_validation_errors(exc, "authentication."))) from None
    return body


class ThousandEyesStandIn:
    """The stand-in server on 127.0.0.1 (see the module docstring for what it does and does not model).

    ``base_url`` (``http://127.0.0.1:PORT/v7``) goes into the SDK's ``Configuration(host=...)``;
    ``api_token`` is the TE API token it accepts (random unless given). ``account_groups`` are the
    ``aid`` values it knows; a request without ``aid`` goes to the first.
    """

    def __init__(
        self,
        *,
        api_token: str | None = None,
        account_groups: Iterable[str] = ("1234",),
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        retry_after: bool = True,
        list_detail: str = "full",
        echo_secrets: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if api_token == "":
            raise ValueError("api_token must not be empty")
        if list_detail not in ("full", "summary"):
            raise ValueError("list_detail must be 'full' or 'summary'")
        if rate_limit is not None and int(rate_limit) <= 0:
            raise ValueError("rate_limit must be a positive number of requests")
        self.api_token = api_token or secrets.token_urlsafe(32)
        self.account_groups = tuple(account_groups) or ("1234",)
        self.rate_limit = None if rate_limit is None else int(rate_limit)
        self.rate_window = float(rate_window)
        self.retry_after = retry_after
        self.list_detail = list_detail
        self.echo_secrets = echo_secrets
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._store: dict[str, dict[str, str]] = {aid: {} for aid in self.account_groups}
        self._window_start = 0.0
        self._window_count = 0
        self._forced: list[tuple[int, dict, str | None]] = []
        self.requests: list[dict] = []
        self.internal_errors: list[str] = []
        self.rate_limited = 0
        self._server = None
        self._thread: threading.Thread | None = None
        self._base: str | None = None
        # Tests move time by replacing this.
        self.clock: Callable[[], float] = time.time

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "ThousandEyesStandIn":
        """Bind a port and serve in a daemon thread; a second call does nothing."""
        with self._lock:
            if self._server is not None:
                return self
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            address = socket.getaddrinfo(self._host, self._port, family, socket.SOCK_STREAM)[0][4][:2]
            server = wsgi.Server(address, self._wsgi, numthreads=16, request_queue_size=128, timeout=10,
                                 shutdown_timeout=1)
            server.max_request_body_size = _BODY_LIMIT
            server.expiration_interval = 0.01
            bound: Future = Future()

            def serve() -> None:
                try:
                    server.prepare()
                except BaseException as exc:  # noqa: BLE001 - start() raises it
                    bound.set_exception(exc)
                    return
                bound.set_result(None)
                server.serve()

            thread = threading.Thread(target=serve, name="ThousandEyesStandIn", daemon=True)
            thread.start()
            bound.result()
            host = f"[{self._host}]" if ":" in self._host else self._host
            self._base = f"http://{host}:{server.bind_addr[1]}{_PREFIX}"
            self._server, self._thread = server, thread
            return self

    def stop(self) -> None:
        """Stop serving and join the threads; safe to call twice."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.stop()
            thread.join()

    def __enter__(self) -> "ThousandEyesStandIn":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        if self._base is None:
            raise RuntimeError("the stand-in is not started: call start() or use `with`.")
        return self._base

    def __repr__(self) -> str:
        where = self._base or "not started"
        shown = "****" + self.api_token[-4:] if len(self.api_token) >= 16 else "****"
        return (f"ThousandEyesStandIn(base_url={where!r}, running={self.running}, api_token={shown!r}, "
                f"connectors={sum(len(s) for s in self._store.values())})")

    # -- the account, for tests and notebooks -------------------------------------------------
    def _group(self, aid: str | None) -> dict[str, str]:
        return self._store[self.account_groups[0] if aid is None else aid]

    def add_connector(self, connector: dict, *, aid: str | None = None) -> str:
        """Store a connector as a POST would (validated); returns its id."""
        body = validate_connector(copy.deepcopy(connector))
        with self._lock:
            return self._save(self._group(aid), None, body)

    def make_connectors(self, count: int, factory: Callable[[int], dict] | None = None, *,
                        aid: str | None = None) -> list[str]:
        """Make ``count`` connectors, ``factory(i)`` giving each (default: bearer-token ones); their ids."""
        factory = factory or (lambda i: {
            "type": "generic", "name": f"connector-{i:04d}", "target": f"https://receiver.example/{i}",
            "authentication": {"type": "bearer-token", "token": f"opaque-{secrets.token_urlsafe(18)}"}})
        return [self.add_connector(factory(i), aid=aid) for i in range(count)]

    def connector_json(self, connector_id: str, *, aid: str | None = None) -> str:
        """The stored connector, exactly as stored (text), to compare before and after."""
        with self._lock:
            return self._group(aid)[connector_id]

    def connector(self, connector_id: str, *, aid: str | None = None) -> dict:
        return json.loads(self.connector_json(connector_id, aid=aid))

    def connector_ids(self, *, aid: str | None = None) -> list[str]:
        with self._lock:
            return list(self._group(aid))

    def fail_next(self, count: int = 1, status: int = 429, *, retry_after: int | None = 1,
                  method: str | None = None) -> None:
        """Answer the next ``count`` requests (of ``method``, or any) with ``status``, after the token check.

        A 429 carries ``Retry-After: retry_after`` (none when None). Nothing is stored for them.
        """
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        with self._lock:
            self._forced.extend([(status, headers, method)] * count)

    def reset_records(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- storage ------------------------------------------------------------------------------
    def _save(self, group: dict[str, str], connector_id: str | None, body: dict) -> str:
        connector_id = connector_id or uuid.uuid4().hex[:24]
        stored = {k: v for k, v in body.items() if k not in ("id", "lastModifiedDate", "_links")}
        stored = {"id": connector_id, **stored, "lastModifiedDate": int(self.clock() * 1000),
                  "_links": {"self": {"href": f"{self._base or ''}/connectors/generic/{connector_id}"}}}
        group[connector_id] = json.dumps(stored, ensure_ascii=False)
        return connector_id

    def _shown(self, text: str, *, summary: bool = False) -> dict:
        data = json.loads(text)
        if summary:
            return {k: data[k] for k in ("id", "type", "name", "target", "lastModifiedDate", "_links") if k in data}
        if not self.echo_secrets and isinstance(data.get("authentication"), dict):
            data["authentication"] = {k: v for k, v in data["authentication"].items() if k not in SECRET_MEMBERS}
        return data

    # -- HTTP ---------------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        request.max_content_length = _BODY_LIMIT
        record = {"method": request.method, "path": request.path, "query": request.args.to_dict(),
                  "time": time.monotonic(), "status": 500, "body": None}
        try:
            response = self._answer(request, record)
        except _Refusal as refusal:
            response = refusal.response
        except Exception as exc:  # noqa: BLE001 - a test server answers, and tests check this list
            self.internal_errors.append(type(exc).__name__)
            response = _problem(500, "Internal Server Error", "the stand-in failed")
        for key, value in record.pop("rate_headers", {}).items():  # on every answer the limit counted
            response.headers.setdefault(key, value)
        record["status"] = response.status_code
        with self._lock:
            self.requests.append(record)
        return response(environ, start_response)

    def _rate_check(self, method: str) -> dict[str, str]:
        """Count the request in the window; TE's rate-limit headers for its answer, or a 429 (_Refusal).

        The window starts at the whole second of its first request, so that its reset (a whole
        UTC second in the header, as TE sends it) is exact.
        """
        with self._lock:
            forced = next((f for f in self._forced if f[2] in (None, method)), None)
            if forced is not None:
                self._forced.remove(forced)
                status, headers, _ = forced
                if status == 429:
                    self.rate_limited += 1
                raise _Refusal(_problem(status, "Forced by the test", "a response the test asked for", headers))
            if self.rate_limit is None:
                return {}
            now = self.clock()
            if now - self._window_start >= self.rate_window:
                self._window_start, self._window_count = float(math.floor(now)), 0
            self._window_count += 1
            reset = self._window_start + self.rate_window
            headers = {"x-organization-rate-limit-limit": str(self.rate_limit),
                       "x-organization-rate-limit-remaining": str(max(0, self.rate_limit - self._window_count)),
                       "x-organization-rate-limit-reset": str(math.ceil(reset))}
            if self._window_count <= self.rate_limit:
                return headers
            self.rate_limited += 1
        if self.retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(reset - now)))
        raise _Refusal(_problem(429, "Too Many Requests", "the organization's rate limit was exceeded", headers))

    def _answer(self, request: Request, record: dict) -> Response:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(credentials.strip().encode(),
                                                                    self.api_token.encode()):
            response = Response(json.dumps({"error": "invalid_token",
                                            "error_description": "a valid API token is required"}),
                                status=401, mimetype="application/json")
            response.headers["WWW-Authenticate"] = 'Bearer realm="ThousandEyes stand-in"'
            return response
        record["rate_headers"] = self._rate_check(request.method)
        aid = request.args.get("aid")
        if aid is not None and aid not in self._store:
            return _problem(403, "Forbidden", "you are not assigned to this account group")
        body = None
        if request.method in ("POST", "PUT"):
            try:
                body = json.loads(request.get_data(as_text=True) or "null")
            except ValueError:
                return _problem(400, "Bad Request", "the body is not JSON")
            record["body"] = copy.deepcopy(body)
        path = request.path
        if path == _COLLECTION:
            if request.method == "GET":
                summary = self.list_detail == "summary"
                with self._lock:
                    texts = list(self._group(aid).values())
                return _hal({"items": [self._shown(t, summary=summary) for t in texts],
                             "_links": {"self": {"href": self.base_url + "/connectors/generic"}}})
            if request.method == "POST":
                validate_connector(body)
                with self._lock:
                    new_id = self._save(self._group(aid), None, body)
                    text = self._group(aid)[new_id]
                return _hal(self._shown(text), 201)
            return _problem(405, "Method Not Allowed", "use GET or POST here")
        if path.startswith(_COLLECTION + "/") and path.count("/") == 4:
            connector_id = path.rsplit("/", 1)[1]
            with self._lock:
                text = self._group(aid).get(connector_id)
            if text is None:
                return _problem(404, "Not Found", "no connector with this id in this account group")
            if request.method == "GET":
                return _hal(self._shown(text))
            if request.method == "PUT":
                validate_connector(body)
                with self._lock:
                    self._save(self._group(aid), connector_id, body)
                    text = self._group(aid)[connector_id]
                return _hal(self._shown(text))
            if request.method == "DELETE":
                with self._lock:
                    self._group(aid).pop(connector_id, None)
                return Response(status=204)
            return _problem(405, "Method Not Allowed", "use GET, PUT or DELETE here")
        return _problem(404, "Not Found", "no such resource in this stand-in")
