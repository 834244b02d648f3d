"""RFC 9700 (OAuth 2.0 Security BCP) — https://www.rfc-editor.org/rfc/rfc9700
RFC 9207 (``iss``) — https://www.rfc-editor.org/rfc/rfc9207
RFC 7636 (PKCE) — https://www.rfc-editor.org/rfc/rfc7636

The provider scorecard: what a provider enforces once a login has happened.

:func:`widgets.diagnose.probe.probe` asks only questions that need no login. The scorecard
goes further: each check sends an authorization request that a careful provider refuses (a
changed redirect URI, no ``state``, no PKCE, ``plain``, ...), and when the provider shows a
login page instead of refusing, someone logs in and the answer tells. Then codes and refresh
tokens are used twice, as an attacker would. Each row answers "does the provider enforce X?"
with one of :data:`VERDICTS`, the exchanges as evidence, and the RFC section.

Who logs in is the caller's ``login`` function: it gets the authorize URL and returns the
address the browser landed on (or None when nobody could log in). Against the demo provider
that is ``demo.approve``; against a real one a person opens the link, and the answer is caught
on loopback (:class:`~widgets.diagnose.catcher.LoopbackCatcher`) or pasted. A full card needs
at most :func:`logins_needed` logins; ``checks`` picks fewer. :class:`ScorecardRun` does the
same one login at a time, for a notebook or a wizard that asks for each.

Every exchange is recorded, masked, in the transcript. Tokens obtained are not kept.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Callable, Generator, Iterable
from urllib.parse import SplitResult, parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import requests
from oauthlib.oauth2 import WebApplicationClient

from ..core import pkce as pkce_helpers
from ..core.claims import decode_unverified
from ..core.config import AuthType, WebhookAuthConfig
from ..core.errors import ConfigError, TokenEndpointError, TransportError, WebhookAuthError
from ..core.loopback import allow_loopback_http
from ..core.redact import redact_url, remember, scrub
from ..core.token import Token
from ..core.token_endpoint import TokenEndpoint
from ..core.transcript import Transcript, csv_text
from ..core.transport import Boundary
from .probe import _page, _RowsByKey

__all__ = ["VERDICTS", "CHECKS", "ScoreRow", "Scorecard", "ScorecardRun", "Login", "scorecard",
           "logins_needed", "check_keys"]

ENFORCES, DOES_NOT, UNKNOWN = "enforces", "does not", "could not tell"
VERDICTS = (ENFORCES, DOES_NOT, UNKNOWN)
#: Longest token lifetime (expires_in) still counted as short-lived.
LONGEST_SHORT_LIFETIME = 24 * 3600
_MARK = "wal_scorecard"  # the name of the query parameter the "added query" check adds


@dataclass(frozen=True)
class _Question:
    key: str
    question: str
    reference: str
    #: What a "does not" means for a webhook's security: high, medium or low.
    severity: str
    meaning: str


_QUESTIONS = (
    _Question("redirect_path", "Is a redirect URI with a changed path refused?", "RFC 9700 §4.1.3; RFC 6749 §3.1.2",
              "high", "a crafted link can send the code to another page of the same site"),
    _Question("redirect_query", "Is a redirect URI with an added query refused?", "RFC 9700 §4.1.3; RFC 6749 §3.1.2",
              "high", "a crafted link can add parameters that an open redirector follows"),
    _Question("redirect_port", "Is the redirect URI on another port refused?", "RFC 9700 §4.1.3; RFC 8252 §7.3",
              "high", "another program on the same host can receive the code"),
    _Question("state_required", "Is an authorization request without state refused?", "RFC 6749 §10.12; RFC 9700 §4.7",
              "medium", "a client that forgets state is open to login CSRF"),
    _Question("pkce_required", "Is an authorization request without PKCE refused?", "RFC 9700 §2.1.1; RFC 7636 §4.4.1",
              "medium", "a stolen code can be redeemed or injected (RFC 9700 §4.5)"),
    _Question("plain_refused", "Is code_challenge_method=plain refused?", "RFC 9700 §2.1.1; RFC 7636 §4.2",
              "medium", "a challenge seen in transit is the verifier"),
    _Question("downgrade_refused", "Is a code_verifier for a code issued without a challenge refused?",
              "RFC 9700 §4.8.2", "high", "an attacker who strips the challenge defeats PKCE"),
    _Question("code_single_use", "Is an authorization code refused the second time?", "RFC 6749 §4.1.2; RFC 9700 §4.5",
              "high", "a code seen once can be redeemed again"),
    _Question("code_reuse_revokes", "Does reusing a code revoke what its first use issued?", "RFC 6749 §4.1.2",
              "medium", "the first thief keeps the tokens"),
    _Question("refresh_rotation", "Is the refresh token rotated on use?", "RFC 9700 §4.14.2",
              "medium", "a stolen refresh token works until it expires"),
    _Question("refresh_replay", "Does replaying a rotated refresh token revoke its family?", "RFC 9700 §4.14.2",
              "high", "a thief and the webhook can both keep refreshing"),
    _Question("iss_returned", "Does the authorization response carry the right iss?", "RFC 9207 §2; RFC 9700 §4.4.2",
              "medium", "a client talking to two providers can be mixed up"),
    _Question("token_lifetime", "Do access tokens expire within a day?", "RFC 6749 §5.1; RFC 6819 §5.1.5.3",
              "low", "a token pasted into the webhook stays usable long after a leak"),
    _Question("scope_narrowed", "Is a token limited to the scopes asked for?", "RFC 6749 §3.3; RFC 9700 §2.3",
              "medium", "a token pasted into the webhook can do more than deliver alerts"),
)
CHECKS = {q.key: q for q in _QUESTIONS}

def check_keys() -> list[str]:
    """Every check of a full card, in order."""
    return [q.key for q in _QUESTIONS]


def _selected(checks: Iterable[str] | None) -> list[str]:
    if checks is None:
        return check_keys()
    chosen = [checks] if isinstance(checks, str) else list(checks)
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        raise ConfigError({"checks": [f"unknown check {scrub(unknown[0])!r}"]},
                          hint="Choose from: " + ", ".join(check_keys()) + ".")
    return [k for k in check_keys() if k in chosen]


def logins_needed(checks: Iterable[str] | None = None) -> int:
    """At most how many logins the chosen checks need (a full card: all of them).

    Fewer are asked for when the provider refuses a request before its login page.
    """
    chosen = set(_selected(checks))
    return sum(1 for group in _GROUPS if chosen & set(group.checks))


# --- rows and the card -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    """One check's answer. ``verdict`` is one of :data:`VERDICTS`; ``exchanges`` the steps of the
    transcript it rests on; ``kind`` the colour of what it means for a webhook (ok, error, warning,
    info, unknown)."""

    key: str
    question: str
    verdict: str
    evidence: str
    reference: str
    exchanges: tuple[str, ...] = ()
    kind: str = "unknown"
    meaning: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")


_COLUMNS = ("check", "question", "verdict", "evidence", "reference", "meaning", "exchanges")
_COLOURS = {"ok": "#e6f4ea", "error": "#fde2e1", "warning": "#fff4ce", "info": "#eef2f7", "unknown": "#f3f4f6"}


@dataclass
class Scorecard(_RowsByKey):
    """The rows of a scorecard, in the order of :data:`CHECKS`, and the transcript behind them."""

    rows: list[ScoreRow]
    transcript: Transcript = field(default_factory=Transcript, repr=False)
    logins: int = 0

    def to_dicts(self) -> list[dict]:
        return [dict(asdict(row), exchanges=list(row.exchanges)) for row in self.rows]

    def _table(self) -> list[dict[str, str]]:
        return [{"check": r.key, "question": r.question, "verdict": r.verdict, "evidence": r.evidence,
                 "reference": r.reference, "meaning": r.meaning, "exchanges": " | ".join(r.exchanges)}
                for r in self.rows]

    def to_dataframe(self):
        """A pandas DataFrame with one row per check (pandas imported here)."""
        import pandas as pd

        return pd.DataFrame(self._table(), columns=list(_COLUMNS))

    def styled(self):
        """The DataFrame as a pandas Styler, each row coloured by what it means; every cell escaped."""
        frame = self.to_dataframe()
        kinds = [r.kind for r in self.rows]
        return frame.style.format(escape="html").apply(
            lambda row: [f"background-color: {_COLOURS.get(kinds[row.name], '')}"] * len(row), axis=1)

    def to_text(self) -> str:
        lines = []
        for row in self.rows:
            lines.append(f"[{row.verdict.upper():^14}] {row.question}  ({row.reference})")
            lines.append(f"                 {row.evidence}")
        return "\n".join(lines)

    __str__ = to_text

    def to_csv(self, path: str | None = None) -> str:
        """CSV text (also written to ``path``), cells neutralised against formulas (the transcript's
        rule, OWASP CSV injection). Needs no pandas."""
        return csv_text(_COLUMNS, self._table(), path)

    def to_html(self, path: str | None = None) -> str:
        """A self-contained HTML table, every cell escaped, rows coloured. Needs no pandas."""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS)
        body = []
        for row, cells in zip(self.rows, self._table()):
            tds = "".join(f"<td>{html.escape(cells[c])}</td>" for c in _COLUMNS)
            body.append(f'<tr class="kind-{html.escape(row.kind)}">{tds}</tr>')
        style = "".join(f".kind-{k} td{{background:{v}}}" for k, v in _COLOURS.items())
        text = ("<!doctype html><meta charset='utf-8'><title>webhook-oauth-lab provider scorecard</title>"
                "<style>table{border-collapse:collapse;font:13px sans-serif}td,th{border:1px solid #ccc;"
                f"padding:3px 6px;vertical-align:top}}{style}</style>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text


# --- talking to the provider -----------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """One login a person (or the demo's scripted browser) must do: open ``url``, sign in."""

    url: str
    redirect_uri: str
    checks: tuple[str, ...]
    #: The question the login answers, in words, for whoever does it.
    purpose: str
    #: The state the answer must carry (None for the request sent without one), for a
    #: :class:`~widgets.diagnose.catcher.LoopbackCatcher`'s ``expect()``.
    state: str | None = None

    def __repr__(self) -> str:
        return f"Login({redact_url(self.url)!r}, checks={self.checks})"


@dataclass
class _Link:
    url: str
    redirect_uri: str
    state: str | None
    verifier: str | None


@dataclass
class _Arrival:
    """Where an authorization request ended: a code, an error, a page, or nothing known."""

    kind: str  # code | error | error_page | login | server_error | transport | skipped
    code: str | None = None
    error: str | None = None
    description: str | None = None
    iss: str | None = None
    state: str | None = None
    landed: str = ""  # where the browser was sent (masked when shown)
    page: str = ""
    logged_in: bool = False
    hint: str = ""

    def went_to(self, target: str) -> bool:
        """The browser was sent to ``target`` (scheme, host, port, path and its query parameters)."""
        try:
            a, b = urlsplit(self.landed), urlsplit(target)
            same = (a.scheme, a.hostname, a.port, a.path) == (b.scheme, b.hostname, b.port, b.path)
        except ValueError:
            return False
        wanted = parse_qs(b.query)
        got = parse_qs(a.query)
        return same and all(got.get(k) == v for k, v in wanted.items())

    def describe(self) -> str:
        after = " after login" if self.logged_in else ""
        if self.kind == "code":
            return f"a code was issued{after} and sent to {redact_url(self.landed.split('?')[0].split('#')[0])}"
        if self.kind == "error":
            desc = f" ({scrub(self.description)})" if self.description else ""
            return (f"refused{after}: error={scrub(self.error)}{desc}, sent to "
                    f"{redact_url(self.landed.split('?')[0].split('#')[0])}")
        if self.kind == "error_page":
            return f"refused{after} with an error page {self.page}".rstrip()
        if self.kind == "login":
            return f"a login page {self.page}".rstrip()
        if self.kind == "server_error":
            return f"the provider failed {self.page}".rstrip()
        if self.kind == "skipped":
            return "nobody logged in, so where the code would go is not known"
        return f"no answer: {self.page}"


def _redirect_params(url: str) -> tuple[dict[str, list[str]], str]:
    parts = urlsplit(url)
    query, fragment = parse_qs(parts.query), parse_qs(parts.fragment)
    for params, source in ((query, "query"), (fragment, "fragment")):
        if "code" in params or "error" in params:
            return params, source
    return {}, ""


def _arrival_from_redirect(url: str, *, logged_in: bool) -> _Arrival:
    params, _ = _redirect_params(url)

    def one(name):
        values = params.get(name)
        return values[0] if values else None

    remember(one("code"))
    kind = "error" if one("error") else "code" if one("code") else "login"
    return _Arrival(kind, code=one("code"), error=one("error"), description=one("error_description"),
                    iss=one("iss"), state=one("state"), landed=url, logged_in=logged_in)


class _Context:
    """The HTTP side of a scorecard run: links, authorize GETs, token requests."""

    def __init__(self, config: WebhookAuthConfig, transcript: Transcript):
        self.config = config
        self.transcript = transcript
        self.http = requests.Session()
        # Redirects are read, never followed: the Location is the answer.
        self.boundary = Boundary(self.http, transcript, timeout=config.timeout, verify=config.verify_tls,
                                 follow_redirects=True)
        self.steps: list[str] = []

    def close(self) -> None:
        self.http.close()

    def link(self, *, redirect_uri: str | None = None, state: bool = True, pkce: str | None = "S256",
             scope: str | None = None) -> _Link:
        cfg = self.config
        redirect_uri = redirect_uri or cfg.redirect_uri
        extra = dict(cfg.extra_params)
        verifier = pkce_helpers.new_verifier() if pkce else None
        if pkce == "S256":
            extra.update(code_challenge=pkce_helpers.challenge_for(verifier), code_challenge_method="S256")
        elif pkce == "plain":
            extra.update(code_challenge=verifier, code_challenge_method="plain")
        remember(verifier)
        state_value = secrets.token_urlsafe(16) if state else None
        with allow_loopback_http():
            url = WebApplicationClient(client_id=cfg.client_id).prepare_request_uri(
                cfg.auth_url, redirect_uri=redirect_uri, scope=(scope or cfg.scope) or None, state=state_value, **extra)
        return _Link(url, redirect_uri, state_value, verifier)

    def ask(self, link: _Link, step: str) -> _Arrival:
        """GET the authorize URL without logging in or following redirects."""
        self.steps.append(step)
        try:
            with allow_loopback_http(), self.boundary.step(step, "GET", link.url):
                response = self.http.get(link.url, allow_redirects=False, timeout=self.config.timeout,
                                         headers={"Accept": "text/html,application/xhtml+xml"})
        except TransportError as exc:
            return _Arrival("transport", page=scrub(exc.message), hint=exc.hint)
        status = response.status_code
        if response.is_redirect:
            location = urljoin(link.url, response.headers.get("Location", ""))
            if self.boundary.last is not None:
                self.boundary.last.note = f"Location: {redact_url(location)}"
            return _arrival_from_redirect(location, logged_in=False)
        title, text = _page(response.content) if response.content else ("", "")
        shown = f"{title!r}" if title else ""
        if status >= 400 and text:
            shown = (shown + ": " if shown else "") + repr(text[:120])
        shown = f"(HTTP {status}{', ' + shown if shown else ''})"
        if status >= 500:
            return _Arrival("server_error", page=shown)
        if status >= 400 or re.search(r"\b(error|invalid)\b", title, re.I):
            return _Arrival("error_page", page=shown)
        return _Arrival("login", page=shown)

    def landed(self, landed: str | None, step: str) -> _Arrival:
        """Read the address the browser landed on after a login (None: nobody logged in)."""
        if landed is None or not str(landed).strip():
            self.transcript.record(step, outcome="warning", note="No login was done for this check.")
            self.steps.append(step)
            return _Arrival("skipped")
        text = "".join(str(landed).split())
        if "://" not in text:
            # The login ended on a page that is not a redirect: a person typed what it said.
            self.transcript.record(step, outcome="warning", note="The login ended on a page, not a redirect.")
            self.steps.append(step)
            return _Arrival("error_page", page=f"({scrub(text[:120])!r})", logged_in=True)
        arrival = _arrival_from_redirect(text, logged_in=True)
        self.transcript.record(step, method="GET (browser)", url=text, note="where the browser landed after the login")
        self.steps.append(step)
        return arrival

    def token(self, step: str, **grant) -> tuple[Token | None, WebhookAuthError | None]:
        """One token request; (token, None) or (None, the error)."""
        cfg = self.config
        endpoint = TokenEndpoint(cfg, self.transcript, WebApplicationClient(client_id=cfg.client_id))
        self.steps.append(step)
        try:
            return endpoint.request_token("refresh" if "refresh_token" in grant else step, **grant), None
        except WebhookAuthError as exc:
            return None, exc
        finally:
            if "refresh_token" in grant and endpoint.boundary.last is not None:
                endpoint.boundary.last.step = step  # recorded under the name "refresh" by the endpoint


def _refused(exc: WebhookAuthError | None) -> str:
    if isinstance(exc, TokenEndpointError):
        desc = f" ({scrub(exc.description)})" if exc.description else ""
        return f"HTTP {exc.status}: error={scrub(exc.error)}{desc}" if exc.error else scrub(exc.message.split("\n")[0])
    return scrub(exc.message) if exc is not None else ""


# --- the checks --------------------------------------------------------------------------------

_Rows = dict  # key -> (verdict, evidence)
_Gen = Generator[Login, "str | None", _Rows]


def _through_login(ctx: _Context, link: _Link, checks: tuple[str, ...], purpose: str, step: str) -> Generator:
    """Ask without login; when a login page comes, yield a :class:`Login` and read its answer."""
    before = ctx.ask(link, f"scorecard: {step}")
    if before.kind != "login":
        return before
    landed = yield Login(link.url, link.redirect_uri, checks, purpose, link.state)
    return ctx.landed(landed, f"scorecard: {step}: login")


def _each(keys: Iterable[str], verdict: str, evidence: str) -> _Rows:
    """The same answer for each of ``keys``: checks that share a login share what stopped it."""
    return {key: (verdict, evidence) for key in keys}


def _refusal(token: Token | None, error: WebhookAuthError | None, *, refused: str, worked: str,
             failed: str) -> tuple[str, str]:
    """The verdict on a token request a careful provider refuses, with the words for it: refused
    with an OAuth error (it enforces), a token (it does not), any other failure (could not tell)."""
    if token is not None:
        return DOES_NOT, worked
    if isinstance(error, TokenEndpointError) and error.error:
        return ENFORCES, refused
    return UNKNOWN, failed


# The redirect checks: the registered redirect URI changed one way each (RFC 9700 §4.1.3). Each
# returns the changed URI and a note for when the provider accepts it.


def _changed_path(parts: SplitResult) -> tuple[str, str]:
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/wal-scorecard-elsewhere")), ""


def _added_query(parts: SplitResult) -> tuple[str, str]:
    query = (parts.query + "&" if parts.query else "") + urlencode({_MARK: "1"})
    return urlunsplit(parts._replace(query=query)), ""


def _other_port(parts: SplitResult) -> tuple[str, str]:
    port = parts.port or (443 if parts.scheme == "https" else 80)
    other = port + 1 if port < 65535 else port - 1
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + f"{host}:{other}"
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    note = (" On loopback, RFC 8252 §7.3 asks providers to accept any port for native apps, so "
            "accepting it is expected there." if loopback else "")
    return urlunsplit(parts._replace(netloc=netloc)), note


_REDIRECTS: dict[str, Callable[[SplitResult], tuple[str, str]]] = {
    "redirect_path": _changed_path, "redirect_query": _added_query, "redirect_port": _other_port,
}


def _redirect_check(ctx: _Context, chosen: tuple[str, ...]) -> _Gen:
    key = chosen[0]
    target, note = _REDIRECTS[key](urlsplit(ctx.config.redirect_uri))
    link = ctx.link(redirect_uri=target)
    arrival = yield from _through_login(ctx, link, chosen, f"is {target} refused as redirect URI?", key)
    shown = redact_url(target)
    evidence = f"Authorize request with redirect_uri={shown}: {arrival.describe()}."
    if arrival.kind in ("code", "error") and arrival.went_to(target):
        what = "the code" if arrival.kind == "code" else "an error (so it trusts that URI)"
        return {key: (DOES_NOT, f"{evidence} The provider sent {what} to the changed URI.{note}")}
    if arrival.kind in ("code", "error"):
        return {key: (ENFORCES, f"{evidence} Not sent to the changed URI.")}
    if arrival.kind == "error_page":
        return {key: (ENFORCES, evidence)}
    return {key: (UNKNOWN, evidence)}


@dataclass(frozen=True)
class _Request:
    """An authorization request a careful provider refuses, for :func:`_request_check`.

    Refused (an error, or an error page) counts as enforced. A code issued anyway is the answer
    when ``sent`` is empty; otherwise an exchange of it decides: a token issued means the
    provider does not enforce.
    """

    #: How the request differs from a complete one, in words.
    what: str
    #: How :meth:`_Context.link` builds it.
    state: bool = True
    pkce: str | None = "S256"
    #: The exchange of a code issued anyway, in words, and the verifier it sends (from the link).
    sent: str = ""
    verifier: Callable[[_Link], str | None] = lambda link: None
    #: Said after the evidence when the request is refused.
    refused_note: str = ""


_REQUESTS = {
    "state_required": _Request("without state", state=False),
    "pkce_required": _Request("without PKCE", pkce=None, sent="without any PKCE verifier"),
    "plain_refused": _Request("with code_challenge_method=plain", pkce="plain", sent="with the plain verifier",
                              verifier=lambda link: link.verifier),
    "downgrade_refused": _Request(
        "without a code_challenge", pkce=None, sent="with a verifier the request never had a challenge for",
        verifier=lambda link: pkce_helpers.new_verifier(),
        refused_note=" No code can be issued without a challenge, so there is nothing to downgrade."),
}


def _request_check(ctx: _Context, chosen: tuple[str, ...]) -> _Gen:
    key = chosen[0]
    request = _REQUESTS[key]
    link = ctx.link(state=request.state, pkce=request.pkce)
    arrival = yield from _through_login(ctx, link, chosen, f"is an authorization request {request.what} refused?",
                                        key)
    evidence = f"Authorize request {request.what}: {arrival.describe()}."
    if arrival.kind in ("error", "error_page"):
        return {key: (ENFORCES, evidence + request.refused_note)}
    if arrival.kind != "code":
        return {key: (UNKNOWN, evidence)}
    if not request.sent:
        return {key: (DOES_NOT, evidence)}
    verifier = request.verifier(link)
    remember(verifier)
    grant = {"code": arrival.code, **({"code_verifier": verifier} if verifier else {})}
    token, error = ctx.token(f"scorecard: {key}: exchange", **grant)
    exchange = f"{evidence} The exchange {request.sent}"
    return {key: _refusal(token, error, worked=f"{exchange} got a token.",
                          refused=f"{exchange} was refused ({_refused(error)}).",
                          failed=f"{exchange} failed ({_refused(error)}).")}


def _first_token(ctx: _Context, checks: tuple[str, ...], purpose: str, step: str, scope: str | None = None):
    link = ctx.link(scope=scope)
    arrival = yield from _through_login(ctx, link, checks, purpose, step)
    if arrival.kind != "code":
        return arrival, None, None, f"A complete authorize request: {arrival.describe()}."
    token, error = ctx.token(f"scorecard: {step}: exchange", code=arrival.code, code_verifier=link.verifier)
    if token is None:
        return arrival, None, error, f"A complete authorize request: {arrival.describe()}; exchange: {_refused(error)}."
    return arrival, token, None, ""


def _answer_checks(ctx: _Context, chosen: tuple[str, ...]) -> _Gen:
    asked = ctx.config.scopes[:1]
    scope = " ".join(asked) or None
    arrival, token, _, problem = yield from _first_token(
        ctx, chosen, "what does a normal login return (iss, lifetime, scope)?", "answer", scope=scope)
    rows: _Rows = {}
    issuer = ctx.config.issuer
    if arrival.kind == "code":
        if arrival.iss is None:
            rows["iss_returned"] = (DOES_NOT, "The authorization response carries no iss.")
        elif issuer and arrival.iss != issuer:
            rows["iss_returned"] = (DOES_NOT, f"iss={scrub(arrival.iss)}, not the configured issuer {scrub(issuer)}.")
        elif issuer:
            rows["iss_returned"] = (ENFORCES, f"iss={scrub(arrival.iss)}, the configured issuer.")
        else:
            rows["iss_returned"] = (UNKNOWN, f"iss={scrub(arrival.iss)} is present; no issuer is configured to "
                                    "compare it with.")
    else:
        rows["iss_returned"] = (UNKNOWN, problem)
    if token is None:
        rows["token_lifetime"] = rows["scope_narrowed"] = (UNKNOWN, problem or "No token was issued.")
        return rows
    rows["token_lifetime"] = _lifetime(token)
    rows["scope_narrowed"] = _narrowed(token, asked)
    return rows


def _claims(token: Token) -> dict:
    decoded = decode_unverified(token.access_token)
    return decoded[1] if decoded else {}


def _lifetime(token: Token) -> tuple[str, str]:
    claims = _claims(token)
    lifetime = None if token.expires_at is None else token.expires_at - token.received_at
    exp = claims.get("exp") if isinstance(claims.get("exp"), (int, float)) else None
    iat = claims.get("iat") if isinstance(claims.get("iat"), (int, float)) else None
    if lifetime is None and exp is not None and iat is not None:
        lifetime = exp - iat
    if lifetime is None:
        return UNKNOWN, "The answer has no expires_in and the token no exp claim."
    said = f"The token lives {int(lifetime)} s" + (" (exp claim)" if exp is not None else "") + "."
    if lifetime <= LONGEST_SHORT_LIFETIME:
        return ENFORCES, said
    return DOES_NOT, said + f" Longer than {LONGEST_SHORT_LIFETIME // 3600} h."


def _narrowed(token: Token, asked: list[str]) -> tuple[str, str]:
    if not asked:
        return UNKNOWN, "No scope is configured, so none could be narrowed."
    claim = _claims(token).get("scope", _claims(token).get("scp"))
    granted = claim.split() if isinstance(claim, str) else [str(s) for s in claim] if isinstance(claim, list) else None
    where = "the token's scope claim"
    if granted is None and token.scope:
        granted, where = token.scope.split(), "the token response"
    if granted is None:
        return UNKNOWN, f"Asked for {' '.join(asked)}; neither the response nor the token names a scope."
    extra = [s for s in granted if s not in asked]
    said = f"Asked for {' '.join(asked)}; {where} says {scrub(' '.join(granted))}."
    return (DOES_NOT, said + f" More than asked: {scrub(' '.join(extra))}.") if extra else (ENFORCES, said)


def _refresh_checks(ctx: _Context, chosen: tuple[str, ...]) -> _Gen:
    _, token, _, problem = yield from _first_token(ctx, chosen, "are refresh tokens rotated, and a replay caught?",
                                                   "refresh")
    if token is None or not token.refresh_token:
        return _each(chosen, UNKNOWN, problem or "No refresh token was issued, so rotation and replay cannot be tried.")
    first = token.refresh_token
    second, error = ctx.token("scorecard: refresh: first refresh", refresh_token=first)
    if second is None:
        return _each(chosen, UNKNOWN, f"The first refresh failed: {_refused(error)}.")
    rotated = bool(second.refresh_token) and second.refresh_token != first
    rows: _Rows = {"refresh_rotation": (ENFORCES, "The refresh returned a new refresh token.") if rotated else (
        DOES_NOT, "The refresh returned the same refresh token, or none (the old one stays valid, RFC 6749 §6).")}
    replay, error = ctx.token("scorecard: refresh: replay the first refresh token", refresh_token=first)
    if replay is not None:
        rows["refresh_replay"] = (DOES_NOT, "The first refresh token worked again after the refresh.")
        return rows
    if not rotated:
        rows["refresh_replay"] = (UNKNOWN, f"The first refresh token was refused the second time ({_refused(error)}) "
                                  "but no new one was issued to test the family with.")
        return rows
    family, error2 = ctx.token("scorecard: refresh: the rotated refresh token after the replay",
                               refresh_token=second.refresh_token)
    rows["refresh_replay"] = _refusal(
        family, error2,
        refused=f"The replay was refused ({_refused(error)}) and the rotated refresh token stopped working too "
                f"({_refused(error2)}).",
        failed=f"The replay was refused; the rotated token: {_refused(error2)}.",
        worked=f"The replay was refused ({_refused(error)}), but the rotated refresh token still works: the family "
               "was not revoked.")
    return rows


def _code_checks(ctx: _Context, chosen: tuple[str, ...]) -> _Gen:
    link = ctx.link()
    arrival = yield from _through_login(ctx, link, chosen, "can a code be redeemed twice?", "code reuse")
    if arrival.kind != "code":
        return _each(chosen, UNKNOWN, f"A complete authorize request: {arrival.describe()}.")
    first, error = ctx.token("scorecard: code reuse: first exchange", code=arrival.code, code_verifier=link.verifier)
    if first is None:
        return _each(chosen, UNKNOWN, f"The first exchange failed: {_refused(error)}.")
    second, error = ctx.token("scorecard: code reuse: second exchange", code=arrival.code, code_verifier=link.verifier)
    if second is not None:
        return _each(chosen, DOES_NOT, "The same code was exchanged twice: both times a token was issued.")
    rows: _Rows = {"code_single_use": (ENFORCES, f"The second exchange was refused: {_refused(error)}.")}
    if not first.refresh_token:
        rows["code_reuse_revokes"] = (UNKNOWN, "The first exchange issued no refresh token to test revocation with.")
        return rows
    after, error = ctx.token("scorecard: code reuse: refresh with what the first exchange issued",
                             refresh_token=first.refresh_token)
    rows["code_reuse_revokes"] = _refusal(
        after, error, refused=f"The first exchange's refresh token was revoked: {_refused(error)}.",
        failed=f"Refreshing with the first exchange's token: {_refused(error)}.",
        worked="The first exchange's refresh token still works after the reuse.")
    return rows


@dataclass(frozen=True)
class _Group:
    """Checks that share one login (at most one), and what runs them: ``run(ctx, chosen)``
    yields the login and returns a (verdict, evidence) for each chosen check."""

    checks: tuple[str, ...]
    run: Callable[[_Context, tuple[str, ...]], _Gen]


#: The groups, in the order they run.
_GROUPS = (
    *(_Group((key,), _redirect_check) for key in _REDIRECTS),
    *(_Group((key,), _request_check) for key in _REQUESTS),
    _Group(("iss_returned", "token_lifetime", "scope_narrowed"), _answer_checks),
    _Group(("refresh_rotation", "refresh_replay"), _refresh_checks),
    _Group(("code_single_use", "code_reuse_revokes"), _code_checks),
)


def _kind(key: str, verdict: str, config: WebhookAuthConfig) -> str:
    if verdict == ENFORCES:
        return "ok"
    if verdict == UNKNOWN:
        return "unknown"
    if key == "redirect_port" and urlsplit(config.redirect_uri).hostname in ("127.0.0.1", "localhost", "::1"):
        return "info"
    return {"high": "error", "medium": "warning", "low": "warning"}[CHECKS[key].severity]


# --- running -------------------------------------------------------------------------------------


class ScorecardRun:
    """A scorecard, one login at a time: :meth:`next_login`, a login, :meth:`answer`, ..., :meth:`result`.

    ``next_login()`` returns the :class:`Login` to do next, or None when the card is done;
    ``answer(landed)`` takes the address the browser landed on (None: no login was done, the
    check says "could not tell"). ``logins_needed`` is the most this run will ask for.
    """

    def __init__(self, config: WebhookAuthConfig, checks: Iterable[str] | None = None,
                 transcript: Transcript | None = None):
        self.checks = _selected(checks)
        config = config.replace(auth_type=AuthType.OAUTH_CODE)
        config.validate()
        self.config = config
        self.transcript = transcript if transcript is not None else Transcript()
        self.logins_needed = logins_needed(self.checks)
        self.logins_done = 0
        self._ctx = _Context(config, self.transcript)
        self._rows: dict[str, ScoreRow] = {}
        self._pending: Login | None = None
        self._gen: _Gen | None = None
        self._groups = [g for g in _GROUPS if set(g.checks) & set(self.checks)]
        self._baseline_refusal: str | None = None
        self._started = False

    def _start(self) -> None:
        self._started = True
        link = self._ctx.link()
        baseline = self._ctx.ask(link, "scorecard: a complete authorize request (no login)")
        if baseline.kind in ("error", "error_page", "server_error", "transport"):
            self._baseline_refusal = baseline.describe()

    def _step(self, value=None) -> Login | None:
        while True:
            if self._gen is None:
                if not self._groups:
                    return None
                group = self._groups.pop(0)
                chosen = tuple(k for k in group.checks if k in self.checks)
                if self._baseline_refusal is not None:
                    self._finish(chosen, _each(chosen, UNKNOWN, "Even a complete authorization request was refused ("
                                               + self._baseline_refusal + "), so nothing can be told after login. "
                                               "Check the client ID and redirect URI (see the probe)."), [])
                    continue
                self._gen, self._chosen, self._mark = group.run(self._ctx, chosen), chosen, len(self._ctx.steps)
                value = None
            try:
                login = self._gen.send(value)
            except StopIteration as done:
                self._finish(self._chosen, done.value, self._ctx.steps[self._mark:])
                self._gen = None
                continue
            self._pending = login
            return login

    def _finish(self, chosen, rows: _Rows, steps: list[str]) -> None:
        for key in chosen:
            verdict, evidence = rows[key]
            question = CHECKS[key]
            self._rows[key] = ScoreRow(key, question.question, verdict, scrub(evidence), question.reference,
                                       tuple(steps), _kind(key, verdict, self.config), question.meaning)

    def next_login(self) -> Login | None:
        """The login to do next (the same one until :meth:`answer`), or None when the card is complete."""
        if not self._started:
            self._start()
            return self._step()
        return self._pending

    def answer(self, landed: str | None) -> Login | None:
        """The address the browser landed on for the pending login (None: none was done); the next login."""
        if self._pending is None:
            raise ConfigError({"login": ["no login is pending"]}, hint="Call next_login() first.")
        self._pending = None
        self.logins_done += 1
        return self._step(landed)

    def result(self) -> Scorecard:
        """The card (only when :meth:`next_login` returned None)."""
        if self._pending is not None or self._gen is not None or self._groups or not self._started:
            raise ConfigError({"login": ["the scorecard is not finished"]},
                              hint="Do each login next_login() gives, and answer() it, until it returns None.")
        self._ctx.close()
        return Scorecard([self._rows[k] for k in self.checks], self.transcript, self.logins_done)


def scorecard(config: WebhookAuthConfig, login: Callable[[str], str | None], *,
              checks: Iterable[str] | None = None, transcript: Transcript | None = None) -> Scorecard:
    """Run the chosen checks (default: all), calling ``login(authorize_url)`` for each login needed.

    ``login`` returns the address the browser landed on, or None when nobody logged in; against
    the demo provider pass ``demo.approve``. A provider's odd answers become "could not tell"
    rows, never exceptions; a ``login`` that raises a :class:`RuntimeError` (the demo's error
    page) counts as an error page shown after login.
    """
    run = ScorecardRun(config, checks, transcript)
    pending = run.next_login()
    while pending is not None:
        try:
            landed = login(pending.url)
        except RuntimeError as exc:  # the scripted browser met an error page after signing in
            landed = f"error page: {exc}"
        pending = run.answer(landed)
    return run.result()
