"""The ThousandEyes API through its official SDK: settings, one client, and what its answers mean.

``Configuration(host=..., access_token=...)``, ``ApiClient`` and ``GenericConnectorsApi`` come
from thousandeyes-sdk-core / -connectors 6.0.0. Every call goes through the
``*_without_preload_content`` variant and :mod:`.sdk_fix` reads the JSON (the SDK's own parse
fails on most auth types). Here:

* the API token comes from an environment variable (``TE_API_TOKEN`` by default) or a file,
  never from the command line; it is put in the masking net at once;
* ``host`` is the v7 base URL, ``https://api.thousandeyes.com/v7`` by default (other regions
  have their own); plain http only on loopback (the stand-in); ``aid`` picks the account group;
* rate limits: TE documents a per-organisation limit (240 requests a minute when read) and sends
  ``X-Organization-Rate-Limit-Limit`` / ``-Remaining`` / ``-Reset`` on its answers. One
  :class:`RateLimitGate` per client, shared by its threads, reads them from every answer and
  makes the next requests wait for the reset when the window's requests are spent, instead of
  meeting a 429 (counted in :attr:`TeClient.paced`). A 429 that comes all the same: the SDK's
  ``ThousandEyesRetry`` waits once (``Retry-After`` or the reset header); one that survives it
  is waited out here too, up to ``max_waits`` times, by the same rule (:attr:`TeClient.waits`);
* errors: HTTP statuses become :class:`~.errors.TeApiError` (``detail`` of the problem JSON,
  scrubbed), urllib3 failures :class:`~widgets.core.errors.TransportError`.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
from thousandeyes_sdk.connectors import GenericConnectorsApi
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.core.thousandeyes_retry import ThousandEyesRetry

from ..core.config import url_problem
from ..core.errors import TransportError
from ..core.redact import install_log_redaction, redact_url, remember, scrub
from . import sdk_fix
from .errors import ConnectorShapeError, TeApiError, TeSettingsError

__all__ = ["TE_DEFAULT_HOST", "TE_TOKEN_ENV", "RateLimitWaits", "RateLimitGate", "TeClient", "read_secret",
           "read_te_token", "connect"]

TE_DEFAULT_HOST = "https://api.thousandeyes.com/v7"
TE_TOKEN_ENV = "TE_API_TOKEN"
_log = logging.getLogger(__name__)


def read_secret(what: str, *, env: str | None = None, file: str | os.PathLike | None = None) -> str:
    """A secret from ``file`` when given (mode 0600, not empty), else from environment variable ``env``.

    The one reader of secrets kept outside the command line, for the TE API token and the CLI's
    other secrets alike; the value is put in the masking net before it is returned. ``what`` names
    the secret in the errors (never its value).
    """
    if file:
        path = Path(file).expanduser()
        try:
            mode = path.stat().st_mode
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise TeSettingsError(f"The {what} file {path} cannot be read ({type(exc).__name__}).") from None
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            raise TeSettingsError(f"{path} is readable by other users.", hint=f"`chmod 600 {path}`, then run again.")
        if not value:
            raise TeSettingsError(f"{path} is empty.")
    elif env:
        value = (os.environ.get(env) or "").strip()
        if not value:
            raise TeSettingsError(f"The environment variable {env} holds no {what}.")
    else:
        raise TeSettingsError(f"No {what} was named: give an environment variable or a file.")
    remember(value)
    return value


def read_te_token(*, env: str | None = TE_TOKEN_ENV, file: str | os.PathLike | None = None) -> str:
    """The TE API token from ``file`` when given, else from environment variable ``env``."""
    return read_secret("TE API token", env=env or TE_TOKEN_ENV, file=file)


@dataclass
class RateLimitWaits:
    """Time spent waiting because the API said 429, counted across threads."""

    count: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.count += 1
            self.seconds += seconds


_LIMIT_HEADERS = ("x-organization-rate-limit-limit", "x-organization-rate-limit-remaining",
                  "x-organization-rate-limit-reset")


def rate_limit_headers(headers) -> tuple[int, int, float] | None:
    """(limit, remaining, reset) from TE's ``X-Organization-Rate-Limit-*`` headers; None unless all three are whole numbers."""
    if headers is None:
        return None
    values = [str(headers.get(name) or "").strip() for name in _LIMIT_HEADERS]
    if not all(v.isdigit() for v in values):
        return None
    limit, remaining, reset = (int(v) for v in values)
    return limit, remaining, float(reset)


class RateLimitGate:
    """Paces one client's requests by TE's rate-limit headers, shared by all its threads.

    TE counts requests per organisation in a window and tells, on every answer, how many are left
    and the UTC second the window rolls over. :meth:`before` is called before each request and
    :meth:`after` with each answer's headers. The budget of the window is what the newest answer
    says is left, less the requests sent and not yet answered (they may not be counted in it
    yet: conservative by up to the number of workers); when it is spent, the next requests wait
    for the reset instead of meeting a 429. Answers without the headers change nothing, so a 429
    is still waited out after the fact by :class:`TeClient`. Waits are counted in ``waits``.
    """

    def __init__(self, *, margin: float = 0.05, max_wait: float = 120.0, clock=time.time, sleep=time.sleep):
        self.margin, self.max_wait = float(margin), float(max_wait)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._reset: float | None = None  # the current window's end (the API's clock)
        self._budget: int | None = None  # requests that may still start before it
        self._limit: int | None = None
        self._in_flight = 0
        self.waits = RateLimitWaits()

    def before(self) -> None:
        """Return when a request may start: at once, or after the window's reset (``max_wait`` at most)."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                if self._reset is not None and now >= self._reset + self.margin:
                    # A new window: the whole limit again, until an answer of it says otherwise.
                    self._reset, self._budget = None, self._limit
                # After max_wait the request goes anyway (a clock far off must not stall the
                # tool): a 429 then is waited out after the fact.
                if (self._reset is None or self._budget is None or self._budget > 0
                        or waited >= self.max_wait):
                    if self._budget is not None:
                        self._budget -= 1
                    self._in_flight += 1
                    return
                wait = min(self._reset + self.margin - now, self.max_wait - waited)
            _log.info("ThousandEyes API rate limit: this window's requests are spent; waiting %.1f s for its reset",
                      wait)
            self._sleep(wait)
            self.waits.add(wait)
            waited += wait

    def after(self, headers) -> None:
        parsed = rate_limit_headers(headers)
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if parsed is None:
                return
            limit, remaining, reset = parsed
            self._limit = limit
            budget = remaining - self._in_flight
            if self._reset is None or reset > self._reset:
                self._reset, self._budget = reset, budget
            elif reset == self._reset:
                self._budget = budget if self._budget is None else min(self._budget, budget)
            # reset < self._reset: an answer from the window before, overtaken; it tells nothing new


class _CountingRetry(ThousandEyesRetry):
    """The SDK's retry policy, with the time it sleeps for a 429 counted in ``waits``."""

    waits: RateLimitWaits | None = None

    def new(self, **kw):
        fresh = super().new(**kw)
        fresh.waits = self.waits
        return fresh

    def sleep_for_retry(self, response) -> bool:
        started = time.monotonic()
        slept = super().sleep_for_retry(response)
        if slept and self.waits is not None:
            self.waits.add(time.monotonic() - started)
        return slept


def _retry(waits: RateLimitWaits) -> _CountingRetry:
    retry = _CountingRetry()
    retry.waits = waits
    return retry


class TeClient:
    """One account group's generic connectors, read and written through the SDK.

    ``token`` is the API token itself (library use; the command line reads it with
    :func:`read_te_token`). ``timeout`` is per request, in seconds. ``pace=False`` turns the
    :class:`RateLimitGate` off (429s are then only waited out after the fact, as before it).
    ``waits`` counts the waits for 429s, ``paced`` those the gate made instead.
    """

    def __init__(self, token: str, *, host: str = TE_DEFAULT_HOST, aid: str | None = None,
                 timeout: float = 30.0, max_waits: int = 3, max_wait_seconds: float = 120.0, pace: bool = True):
        if not token or any(c.isspace() for c in token):
            raise TeSettingsError("The TE API token is empty or has spaces in it.")
        host = (host or TE_DEFAULT_HOST).rstrip("/")
        problem = url_problem(host)
        if problem:
            raise TeSettingsError(f"The TE host {redact_url(host)} {problem}.",
                                  hint="Use the API base URL of your region, like https://api.thousandeyes.com/v7.")
        if aid is not None and (not str(aid).strip() or any(c.isspace() for c in str(aid))):
            raise TeSettingsError("The account group id (aid) is empty or has spaces in it.")
        remember(token)
        install_log_redaction()
        install_log_redaction(("thousandeyes_sdk", "admin"))
        self.host, self.aid, self.timeout = host, (None if aid is None else str(aid)), float(timeout)
        self.max_waits, self.max_wait_seconds = int(max_waits), float(max_wait_seconds)
        self.waits = RateLimitWaits()
        self.gate = RateLimitGate(max_wait=self.max_wait_seconds) if pace else None
        self.paced = self.gate.waits if self.gate is not None else RateLimitWaits()
        self.requests = 0
        self._count_lock = threading.Lock()
        configuration = Configuration(host=host, access_token=token, retries=_retry(self.waits))
        self.api_client = ApiClient(configuration)
        self.api = GenericConnectorsApi(self.api_client)

    def __repr__(self) -> str:
        return f"TeClient(host={self.host!r}, aid={self.aid!r})"

    def close(self) -> None:
        self.api_client.close()

    def __enter__(self) -> "TeClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, what: str, method, *args, **kwargs) -> object:
        """Call ``method`` (a ``*_without_preload_content``) and return the JSON of a 2xx answer."""
        retry_policy = self.api_client.configuration.retries
        for attempt in range(self.max_waits + 1):
            with self._count_lock:
                self.requests += 1
            if self.gate is not None:
                self.gate.before()
            headers = None
            try:
                response = method(*args, aid=self.aid, _request_timeout=self.timeout, **kwargs)
                headers = response.getheaders()
                data = response.data
            except urllib3.exceptions.HTTPError as exc:
                raise _transport_error(self.host, exc) from None
            finally:
                if self.gate is not None:
                    self.gate.after(headers)
            if response.status != 429:
                break
            wait = retry_policy.get_retry_after(response)
            if attempt == self.max_waits or wait is None or wait > self.max_wait_seconds:
                break
            _log.info("ThousandEyes API rate limit: waiting %.1f s before %s", wait, what)
            time.sleep(wait)
            self.waits.add(wait)
        status = response.status
        if 200 <= status < 300:
            return None if not data else sdk_fix.read_json(data, what=what)
        detail = ""
        try:
            problem = sdk_fix.read_json(data, what=what) if data else {}
            if isinstance(problem, dict):
                detail = str(problem.get("detail") or problem.get("error_description") or problem.get("title") or "")
        except Exception:  # noqa: BLE001 - the status says enough
            pass
        shown = f": {scrub(detail)[:300]}" if detail else ""
        raise TeApiError(f"The ThousandEyes API answered HTTP {status} to {what}{shown}", status=status)

    def list_connectors(self) -> list[dict]:
        """Every generic connector of the account group, as the API's JSON (``items``)."""
        data = self._call("the connector list", self.api.get_generic_connectors_without_preload_content)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ConnectorShapeError("The connector list has no 'items' array.")
        return items

    def get_raw(self, connector_id: str) -> dict:
        data = self._call(f"connector {connector_id}", self.api.get_generic_connector_without_preload_content,
                          connector_id)
        if not isinstance(data, dict):
            raise ConnectorShapeError(f"Connector {connector_id} is not a JSON object.")
        return data

    def get(self, connector_id: str):
        """The connector as a ``GenericConnector`` (parsed by :mod:`.sdk_fix`)."""
        return sdk_fix.parse_connector(self.get_raw(connector_id))

    def update(self, connector_id: str, connector) -> dict:
        """PUT (a full replacement) and return the API's JSON of the result."""
        return self._call(f"the update of connector {connector_id}",
                          self.api.update_generic_connector_without_preload_content, connector_id, connector)

    def create(self, connector) -> dict:
        return self._call("the new connector", self.api.create_generic_connector_without_preload_content, connector)


def _transport_error(host: str, exc: BaseException) -> TransportError:
    text = f"{type(exc).__name__} {exc} {getattr(exc, 'reason', '')}"
    if "timed out" in text.lower() or "Timeout" in text:
        reason, said = "timeout", "did not answer in time"
    elif "refused" in text.lower():
        reason, said = "refused", "refused the connection"
    elif "NameResolution" in text or "resolve" in text.lower():
        reason, said = "dns", "could not be resolved"
    elif "SSL" in text or "certificate" in text.lower():
        reason, said = "tls", "failed the TLS handshake"
    else:
        reason, said = "network", "could not be reached"
    return TransportError(f"The ThousandEyes API at {redact_url(host)} {said}.", reason=reason,
                          hint="Check --host (your region's API base URL) and that this machine can reach it.")


def connect(*, host: str = TE_DEFAULT_HOST, aid: str | None = None, token: str | None = None,
            token_env: str | None = TE_TOKEN_ENV, token_file: str | os.PathLike | None = None,
            timeout: float = 30.0) -> TeClient:
    """A :class:`TeClient`, its token given, or read from ``token_file`` or ``token_env``."""
    if token is None:
        token = read_te_token(env=token_env, file=token_file)
    return TeClient(token, host=host, aid=aid, timeout=timeout)
