"""The expiry audit: every generic connector of an account group, what its token says, and more.

One row per connector: name, target, auth type, the token masked, what the token says about its
expiry (a JWT's ``exp``, read without verifying it; "unknown" for an opaque token, which says
nothing), the time left, and for the OAuth types whether the token endpoint still accepts the
stored client. That last question is a **probe**, never a delivery to the receiver (one test
delivery per connector is sent only with ``deliver=True``: see :mod:`.delivery`):

* ``oauth-client-credentials``: a client credentials grant (RFC 6749 §4.4) with the stored ID
  and secret; a token issued means yes (it is thrown away), ``invalid_client`` means no;
* ``oauth-auth-code``: a code exchange with a made-up code. RFC 6749 §5.2 has the server
  authenticate the client first: ``invalid_client`` means the client is refused, while
  ``invalid_grant`` (the code is wrong, as it must be) means the client was accepted. Nothing is
  issued and no real code or refresh token is used up.

Each distinct client is probed once, however many connectors share it. Connectors are read with
a bounded pool of threads (``workers``) when the list leaves out their authentication, and
delivered to (when asked) in the same pool; the client paces itself by TE's rate-limit headers
as :mod:`.client` says. A progress bar (tqdm: a notebook widget in Jupyter, else on
standard error) appears when the audit takes more than a second. Memory: each worker turns a
connector into a small row and drops its JSON.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from oauthlib.oauth2 import WebApplicationClient

from ..core.claims import decode_unverified
from ..core.client_credentials import ClientCredentialsFlow
from ..core.config import AuthType, WebhookAuthConfig, url_problem
from ..core.errors import ConfigError, TokenEndpointError, TransportError, WebhookAuthError
from ..core.redact import mask, redact_url, scrub
from ..core.token_endpoint import TokenEndpoint
from ..core.transcript import Transcript
from ..diagnose.inspect_token import format_duration
from . import sdk_fix
from .client import TeClient
from .delivery import deliver_test
from .errors import ConnectorsError

__all__ = ["AuditRow", "AuditReport", "audit", "token_facts", "COLUMNS"]

COLUMNS = ("name", "target", "auth_type", "token", "token_kind", "expires_at", "time_left", "client_accepted",
           "evidence", "delivery", "delivery_status", "delivery_reason")
_OAUTH = ("oauth-auth-code", "oauth-client-credentials")


@dataclass(frozen=True)
class AuditRow:
    """One connector. Holds no secret: ``token`` and ``refresh_token`` are masked."""

    id: str
    name: str
    target: str
    auth_type: str
    token: str = ""
    token_kind: str = "none"  # jwt | opaque | none
    expires_at: str = "unknown"
    time_left_s: float | None = None
    time_left: str = "unknown"
    refresh_token: str = ""
    client_accepted: str = "not applicable"  # yes | no | unknown | skipped | not applicable
    evidence: str = ""
    delivery: str = "not asked"  # yes | no | unknown | skipped | not asked (see .delivery)
    delivery_status: int | None = None
    delivery_reason: str = ""


@dataclass
class AuditReport:
    rows: list[AuditRow]
    seconds: float = 0.0
    requests: int = 0
    rate_limit_waits: int = 0
    rate_limit_seconds: float = 0.0
    paced_waits: int = 0
    paced_seconds: float = 0.0
    probes: int = 0
    deliveries: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dicts(self) -> list[dict]:
        return [asdict(row) for row in self.rows]

    def to_dataframe(self):
        """The table (pandas imported here), soonest expiry first."""
        import pandas as pd

        frame = pd.DataFrame(self.to_dicts(), columns=[*COLUMNS, "id", "time_left_s", "refresh_token"])
        frame["delivery_status"] = frame["delivery_status"].astype("Int64")  # 200, never 200.0; <NA> when none
        return frame.sort_values("time_left_s", na_position="last", kind="stable").reset_index(drop=True)

    def summary(self) -> str:
        expired = sum(1 for r in self.rows if r.time_left_s is not None and r.time_left_s <= 0)
        unknown = sum(1 for r in self.rows if r.time_left_s is None and r.token_kind != "none")
        refused = sum(1 for r in self.rows if r.client_accepted == "no")
        waited = (f", {self.rate_limit_seconds:.1f} s waiting on rate limits ({self.rate_limit_waits}x)"
                  if self.rate_limit_waits else "")
        if self.paced_waits:
            waited += f", {self.paced_seconds:.1f} s waiting for the rate limit's reset ({self.paced_waits}x)"
        delivered = ""
        if self.deliveries:
            taken = sum(1 for r in self.rows if r.delivery == "yes")
            delivered = f", {self.deliveries} test deliveries of which the receivers accepted {taken}"
        return (f"{len(self.rows)} connectors in {self.seconds:.1f} s ({self.requests} API requests, "
                f"{self.probes} token endpoint probes{delivered}{waited}): {expired} expired, {unknown} with an "
                f"expiry the token does not tell, {refused} whose client the token endpoint refuses")

    def to_text(self) -> str:
        lines = [self.summary()]
        for r in sorted(self.rows, key=lambda r: (r.time_left_s is None, r.time_left_s or 0)):
            delivery = "" if r.delivery == "not asked" else (
                f" delivery: {r.delivery}" + (f" (HTTP {r.delivery_status})" if r.delivery_status else ""))
            lines.append(f"{r.name[:30]:<30} {r.auth_type:<24} {r.token or '-':<10} {r.time_left:<22} "
                         f"client: {r.client_accepted}{delivery}")
        lines += [f"error: {e}" for e in self.errors]
        return "\n".join(lines)

    __str__ = to_text


def token_facts(token: str | None, now: float | None = None) -> dict:
    """token_kind, expires_at (ISO UTC or "unknown"), time_left_s and time_left for one token."""
    if not token:
        return {"token_kind": "none", "expires_at": "unknown", "time_left_s": None, "time_left": "no token"}
    decoded = decode_unverified(token)
    if decoded is None:
        return {"token_kind": "opaque", "expires_at": "unknown", "time_left_s": None,
                "time_left": "unknown (opaque token)"}
    exp = decoded[1].get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return {"token_kind": "jwt", "expires_at": "unknown", "time_left_s": None, "time_left": "unknown (no exp)"}
    left = float(exp) - (time.time() if now is None else now)
    try:
        when = datetime.fromtimestamp(exp, timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, ValueError, OSError):
        when = "unknown"
    text = ("expired " + format_duration(left)) if left <= 0 else format_duration(left)
    return {"token_kind": "jwt", "expires_at": when, "time_left_s": left, "time_left": text}


class _Prober:
    """One probe per distinct client (type, token URL, client ID, secret), shared by the threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[str, Future] = {}
        self.count = 0

    def __call__(self, kind: str, auth: dict) -> tuple[str, str]:
        token_url = str(auth.get("oauthTokenUrl") or "")
        client_id = str(auth.get("oauthClientId") or "")
        secret = auth.get("oauthClientSecret")
        if not token_url or not client_id:
            return "skipped", "no token URL or client ID stored"
        if not isinstance(secret, str) or not secret:
            return "skipped", "no client secret in the API's answer: nothing to test"
        problem = url_problem(token_url)
        if problem:
            return "skipped", f"not contacted: the token URL {problem}"
        key = hashlib.sha256("\0".join((kind, token_url, client_id, secret, str(auth.get("redirectUri") or ""),
                                        str(auth.get("scope") or ""))).encode()).hexdigest()
        with self._lock:
            future = self._results.get(key)
            mine = future is None
            if mine:
                future = self._results[key] = Future()
                self.count += 1
        if mine:
            try:
                future.set_result(_probe(kind, token_url, client_id, secret, auth))
            except BaseException as exc:  # noqa: BLE001 - handed to every waiter
                future.set_result(("unknown", f"the probe failed ({type(exc).__name__})"))
        return future.result()


def _probe(kind: str, token_url: str, client_id: str, secret: str, auth: dict) -> tuple[str, str]:
    where = redact_url(token_url)
    try:
        if kind == "oauth-client-credentials":
            config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, token_url=token_url,
                                       client_id=client_id, client_secret=secret, scope=auth.get("scope") or "",
                                       redirect_uri="")
            ClientCredentialsFlow(config, Transcript()).fetch_token()  # the token is dropped at once
            return "yes", f"{where} issued a client credentials token (not kept)"
        config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, token_url=token_url, client_id=client_id,
                                   client_secret=secret, redirect_uri=str(auth.get("redirectUri") or ""))
        endpoint = TokenEndpoint(config, Transcript(), WebApplicationClient(client_id=client_id))
        made_up = "audit-probe-not-a-code-" + secrets.token_urlsafe(12)
        endpoint.request_token("audit: probe the stored client", code=made_up)
        return "unknown", f"{where} issued a token for a made-up code: this token endpoint does not check codes"
    except TokenEndpointError as exc:
        error = scrub(exc.error or "")
        if error in ("invalid_client", "incorrect_client_credentials"):
            return "no", f"{where} refused the client (error={error}): the stored ID or secret is wrong or revoked"
        if kind == "oauth-auth-code" and error in ("invalid_grant", "bad_verification_code"):
            return "yes", f"{where} authenticated the client and refused the made-up code (error={error}), as it should"
        shown = f"error={error}" if error else f"HTTP {exc.status}"
        return "unknown", f"{where} answered {shown}"
    except TransportError as exc:
        return "unknown", f"no answer: {scrub(exc.message)}"
    except (ConfigError, WebhookAuthError) as exc:
        return "skipped", scrub(exc.message.splitlines()[0])


def _row(data: dict, prober: _Prober | None, now: float | None) -> AuditRow:
    auth = sdk_fix.auth_dict(data)
    sdk_fix.remember_secrets(data)
    kind = str(auth.get("type") or "none")
    token = auth.get("token") if isinstance(auth.get("token"), str) else None
    facts = token_facts(token, now)
    if kind == "basic":
        facts = {**facts, "time_left": "no expiry (Basic)"}
    accepted, evidence = "not applicable", ""
    if kind in _OAUTH:
        accepted, evidence = prober(kind, auth) if prober is not None else ("skipped", "probe not asked for")
    elif kind in ("bearer-token", "other-token") and facts["token_kind"] == "opaque":
        evidence = "an opaque token says nothing about its expiry; keep records of when it was issued"
    refresh = auth.get("refreshToken") if isinstance(auth.get("refreshToken"), str) else ""
    return AuditRow(id=str(data.get("id") or ""), name=scrub(str(data.get("name") or "")),
                    target=redact_url(str(data.get("target") or "")), auth_type=kind, token=mask(token) if token else "",
                    refresh_token=mask(refresh) if refresh else "", client_accepted=accepted,
                    evidence=scrub(evidence), **facts)


def _bar(total: int, progress: bool | None):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="audit", unit="connector", delay=1.0, disable=progress is False, leave=False)


def audit(te: TeClient, *, probe: bool = True, deliver: bool = False, workers: int = 8,
          progress: bool | None = None, now: float | None = None, delivery_timeout: float = 10.0) -> AuditReport:
    """Audit every generic connector of ``te``'s account group (see the module docstring).

    ``deliver=True`` also sends one test delivery to each connector's receiver with its own
    credentials (:mod:`.delivery`), in the same pool; without it nothing goes to any receiver.

    A connector that cannot be read is listed in ``errors`` (its id and the reason), not raised;
    a failure of the list itself raises.
    """
    started = time.monotonic()
    requests_before, waits_before = te.requests, (te.waits.count, te.waits.seconds)
    paced_before = (te.paced.count, te.paced.seconds)
    prober = _Prober() if probe else None
    items = te.list_connectors()
    rows: list[AuditRow] = []
    errors: list[str] = []
    bar = _bar(len(items), progress)

    deliveries = 0
    count_lock = threading.Lock()

    def one(item: dict) -> AuditRow:
        nonlocal deliveries
        data = item if "authentication" in item else te.get_raw(str(item.get("id")))
        row = _row(data, prober, now)
        if not deliver:
            return row
        answer = deliver_test(data, timeout=delivery_timeout)
        if answer.status is not None or answer.accepted == "unknown":
            with count_lock:
                deliveries += 1
        return replace(row, delivery=answer.accepted, delivery_status=answer.status, delivery_reason=answer.reason)

    try:
        with ThreadPoolExecutor(max_workers=max(1, int(workers)), thread_name_prefix="audit") as pool:
            futures = {pool.submit(one, item): str(item.get("id") or "?") for item in items}
            del items  # each worker holds its own item; the rows are all that is kept
            for future in as_completed(futures):
                try:
                    rows.append(future.result())
                except (ConnectorsError, TransportError) as exc:
                    errors.append(f"{futures[future]}: {scrub(exc.message)}")
                bar.update(1)
    finally:
        bar.close()
    return AuditReport(rows=rows, seconds=time.monotonic() - started, requests=te.requests - requests_before,
                       rate_limit_waits=te.waits.count - waits_before[0],
                       rate_limit_seconds=te.waits.seconds - waits_before[1],
                       paced_waits=te.paced.count - paced_before[0], paced_seconds=te.paced.seconds - paced_before[1],
                       probes=prober.count if prober else 0, deliveries=deliveries, errors=errors)
