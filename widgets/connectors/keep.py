"""Keep a connector's token alive: refresh before it expires and push the new one.

One run (:func:`keep_once`, ``python -m widgets keep`` from cron or a systemd timer):

1. read the connector and tell how long its token has left: a JWT's ``exp``, else the expiry
   recorded when this tool last pushed that very token (by fingerprint), else unknown;
2. with more than ``refresh_before`` seconds left, do nothing;
3. otherwise refresh at the provider's token endpoint (RFC 6749 §6, through the core's
   :class:`~widgets.core.token_endpoint.TokenEndpoint`) with the refresh token from the
   :class:`~.token_store.RefreshTokenStore`;
4. store the new refresh token at once (a provider that rotates them has already made the old
   one useless), then push the new access token (:mod:`.push`: read, change one field, write).

A refused refresh raises :class:`~.errors.RefreshFailed` ("log in by hand again") before
anything is written, so the connector stays as it was. Each run yields one masked line.
:func:`keep_loop` repeats it a bounded number of times.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from oauthlib.oauth2 import WebApplicationClient

from ..core.claims import decode_unverified
from ..core.config import AuthType, WebhookAuthConfig, url_problem
from ..core.errors import TokenEndpointError, TransportError, WebhookAuthError
from ..core.redact import mask, redact_url, remember, scrub
from ..core.token_endpoint import TokenEndpoint
from ..core.transcript import Transcript
from ..diagnose.inspect_token import format_duration
from . import sdk_fix
from .client import TeClient
from .errors import ConnectorsError, PushRefused, RefreshFailed, TeSettingsError, TokenStoreError
from .push import PUSHABLE, apply_push, plan_push
from .token_store import RefreshTokenStore, fingerprint

__all__ = ["KeepSettings", "KeepResult", "keep_once", "keep_loop"]

_log = logging.getLogger(__name__)
# A library's logger: without a handler, its warnings would reach stderr through logging's last resort.
_log.addHandler(logging.NullHandler())


@dataclass(repr=False)
class KeepSettings:
    """What keep needs besides the TE client and the store. The secret stays out of ``repr``."""

    connector_id: str
    token_url: str
    client_id: str
    client_secret: str = ""
    client_auth: str = "client_secret_basic"
    scope: str = ""
    #: Refresh when fewer than this many seconds are left (or the expiry is unknown).
    refresh_before: float = 600.0
    #: The store's key; default: ``<aid or default>/<connector id>``.
    store_key: str = ""
    #: Also push the new refresh token into an oauth-auth-code connector's ``refreshToken``.
    push_refresh_token: bool = False
    timeout: float = 10.0

    def __post_init__(self) -> None:
        remember(self.client_secret)

    def key(self, aid: str | None) -> str:
        return self.store_key or f"{aid or 'default'}/{self.connector_id}"

    def __repr__(self) -> str:
        return (f"KeepSettings(connector_id={self.connector_id!r}, token_url={redact_url(self.token_url)!r}, "
                f"client_id={self.client_id!r}, client_secret={mask(self.client_secret)!r})")


@dataclass(frozen=True)
class KeepResult:
    """One run: ``action`` is ``kept`` (nothing to do), ``refreshed`` or ``failed``."""

    action: str
    connector_id: str
    line: str
    time_left_s: float | None = None
    expires_at: float | None = None
    error: str = ""
    hint: str = ""
    exit_code: int = 0
    data: dict = field(default_factory=dict)


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")


def _left_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown expiry"
    return f"expires in {format_duration(seconds)}" if seconds > 0 else f"expired {format_duration(seconds)}"


def _expiry_of(token: str | None, stored, now: float) -> float | None:
    decoded = decode_unverified(token) if token else None
    if decoded is not None and isinstance(decoded[1].get("exp"), (int, float)):
        return float(decoded[1]["exp"])
    if stored is not None and stored.expires_at and stored.access_fingerprint == fingerprint(token):
        return stored.expires_at
    return None


def _refresh(settings: KeepSettings, refresh_token: str):
    problem = url_problem(settings.token_url)
    if problem:
        raise TeSettingsError(f"The token URL {redact_url(settings.token_url)} {problem}.")
    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, token_url=settings.token_url,
                               client_id=settings.client_id, client_secret=settings.client_secret,
                               client_auth=settings.client_auth, scope=settings.scope, redirect_uri="",
                               timeout=settings.timeout)
    endpoint = TokenEndpoint(config, Transcript(), WebApplicationClient(client_id=settings.client_id),
                             send_redirect_uri=False)
    try:
        return endpoint.request_token("refresh", refresh_token=refresh_token)
    except TokenEndpointError as exc:
        error = scrub(exc.error or f"HTTP {exc.status}")
        raise RefreshFailed(f"The provider refused the refresh ({error}).") from None


def keep_once(te: TeClient, settings: KeepSettings, store: RefreshTokenStore, *, force: bool = False,
              now: float | None = None) -> KeepResult:
    """One run (see the module docstring). Never raises for a failed refresh or push: the result says.

    Settings errors (no store entry, a bad token URL) and transport errors are reported the same
    way, with their exit code, so a loop goes on and cron mails one line.
    """
    now = time.time() if now is None else now
    cid = settings.connector_id
    stamp = _utc(now)
    key = settings.key(te.aid)
    try:
        raw = te.get_raw(cid)
        name = scrub(str(raw.get("name") or ""))
        auth = sdk_fix.auth_dict(raw)
        kind = str(auth.get("type") or "none")
        if kind not in PUSHABLE:
            raise PushRefused(f"Connector {cid} uses {kind} authentication: there is no token to keep.")
        current = auth.get("token") if isinstance(auth.get("token"), str) else None
        stored = store.get(key)
        expires = _expiry_of(current, stored, now)
        left = None if expires is None else expires - now
        if not force and left is not None and left > settings.refresh_before:
            line = (f"{stamp} keep {cid} ({name}): token {mask(current)} {_left_text(left)}; "
                    f"nothing to do before {_utc(expires - settings.refresh_before)}")
            return _done(KeepResult("kept", cid, line, left, expires))
        if stored is None:
            raise TokenStoreError(f"No refresh token is stored for {key}.")
        token = _refresh(settings, stored.refresh_token)
        new_refresh = token.refresh_token or stored.refresh_token
        store.put(key, new_refresh, expires_at=token.expires_at, access_token=token.access_token)
        push_refresh = settings.push_refresh_token and kind == "oauth-auth-code"
        plan = plan_push(te, cid, token=token.access_token, refresh_token=new_refresh if push_refresh else None)
        apply_push(te, plan)
        new_left = token.expires_in(now)
        rotated = "; refresh token rotated and stored" if token.refresh_token and token.refresh_token != stored.refresh_token else ""
        line = (f"{stamp} keep {cid} ({name}): refreshed at {redact_url(settings.token_url)}; pushed token "
                f"{mask(token.access_token)}, {_left_text(new_left)}{rotated}")
        return _done(KeepResult("refreshed", cid, line, new_left, token.expires_at,
                                data={"pushed": [c.field for c in plan.changes]}))
    except (WebhookAuthError,) as exc:
        code = getattr(exc, "exit_code", None) or (5 if isinstance(exc, TransportError) else 3)
        what = "refresh failed" if isinstance(exc, RefreshFailed) else "failed"
        hint = scrub(exc.hint)
        left_alone = "" if "left as it was" in hint else " The connector was left as it was."
        line = f"{stamp} keep {cid}: {what}: {scrub(exc.message)}{left_alone} {hint}"
        return _done(KeepResult("failed", cid, line, error=type(exc).__name__, hint=hint,
                                exit_code=code), level=logging.WARNING)


def _done(result: KeepResult, level: int = logging.INFO) -> KeepResult:
    _log.log(level, "%s", result.line)
    return result


def keep_loop(te: TeClient, settings: KeepSettings, store: RefreshTokenStore, *, runs: int, every: float,
              on_result: Callable[[KeepResult], None] | None = None,
              sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> list[KeepResult]:
    """``runs`` runs (bounded: 1-100000), ``every`` seconds apart at most, sooner when a token is due.

    A run whose refresh was refused stops the loop (only a person can log in again).
    """
    runs = int(runs)
    if not 1 <= runs <= 100_000:
        raise ConnectorsError("runs must be between 1 and 100000", hint="Give --runs N for a bounded loop.")
    results = []
    for index in range(runs):
        result = keep_once(te, settings, store, now=clock())
        results.append(result)
        if on_result is not None:
            on_result(result)
        if result.error in ("RefreshFailed", "TokenStoreError") or index == runs - 1:
            break
        pause = float(every)
        if result.time_left_s is not None:
            pause = min(pause, max(1.0, result.time_left_s - settings.refresh_before))
        sleep(pause)
    return results
