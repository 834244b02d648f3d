"""RFC 6749 §4.1.2.1 (authorization errors) — https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
RFC 6749 §5.2 (token errors) — https://www.rfc-editor.org/rfc/rfc6749#section-5.2

Safe checks against a provider: each answers one question, with evidence and a fix.

What is sent, and why it is safe:

* the token endpoint gets one request *without* credentials (is anything there, over TLS?),
  then, only when a client secret is configured, a client credentials request (RFC 6749
  §4.4) with ``client_secret_basic`` and one with ``client_secret_post`` (§2.3.1); the error
  codes of §5.2 tell which method the server accepts. Tokens obtained are not kept. When the
  config uses a key or a certificate instead (private_key_jwt, client_secret_jwt, RFC 7523;
  tls_client_auth, self_signed_tls_client_auth, RFC 8705), one more request with that method
  says whether the provider advertises and accepts it.
* the authorization endpoint gets three ``GET`` requests (RFC 6749 §4.1.1): a complete one
  (``state`` and PKCE S256, RFC 7636 §4.3), one without ``state``, one without PKCE.
  Redirects are *not* followed and nobody logs in: the answer itself tells whether the
  server refused the request before login. A server refuses by redirecting back with
  ``error=`` (§4.1.2.1), or with an error page when it does not trust the redirect URI;
  a login page means "not refused at this step" — it may still be checked after login.
  The ``state`` and PKCE values sent are thrown away; no code can come of these requests.

Every exchange is recorded, masked, in the transcript.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from oauthlib.oauth2 import WebApplicationClient

from ..core import pkce as pkce_helpers
from ..core.authorize import same_endpoint
from ..core.client_credentials import ClientCredentialsFlow
from ..core.claims import decode_unverified
from ..core.config import CLIENT_AUTH_FIELDS, TLS_CLIENT_AUTH, AuthType, WebhookAuthConfig
from ..core.errors import ConfigError, TokenEndpointError, TransportError, WebhookAuthError, hint_for_oauth_error
from ..core.loopback import allow_loopback_http
from ..core.redact import redact_url, scrub
from ..core.token import Token
from ..core.transcript import Transcript
from ..core.token_endpoint import use_tls_files
from ..core.transport import Boundary

__all__ = ["ProbeRow", "ProbeReport", "probe", "VERDICTS", "MANUAL_FLOW_FIX"]

VERDICTS = ("yes", "no", "unknown", "skipped")
MANUAL_FLOW_FIX = "use the manual flow in notebook 02 and paste the token"

_COLUMNS = ("question", "evidence", "verdict", "fix")
_GOOD_WHEN_NO = frozenset({"state_required", "pkce_required"})


def _sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (quoted messages often bring their own)."""
    text = text.rstrip()
    return text if text.endswith((".", "…", "!", "?")) else text + "."


@dataclass(frozen=True)
class ProbeRow:
    """One question and its answer. ``verdict`` is one of :data:`VERDICTS`."""

    question: str
    evidence: str
    verdict: str
    fix: str = ""
    #: Stable name of the check, for code: token_endpoint, client_secret_basic,
    #: client_secret_post, the config's key or certificate method (private_key_jwt, tls_client_auth ...),
    #: scopes, redirect_uri, state_required, pkce_required.
    key: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")

    @property
    def outcome(self) -> str:
        """What the verdict means for the webhook: ``good``, ``bad``, ``unclear`` or ``skipped``.

        A "no" to "does client auth work" is bad; to "is state required" it is good news.
        """
        if self.verdict == "skipped":
            return "skipped"
        if self.verdict == "unknown":
            return "unclear"
        good_when_no = self.key in _GOOD_WHEN_NO
        return "good" if (self.verdict == "no") == good_when_no else "bad"


class _RowsByKey:
    """``report[key]`` (the row of that check) and ``report.verdicts()`` for a report whose
    ``rows`` each have a ``key`` and a ``verdict``: the probe's and the scorecard's."""

    rows: list

    def __getitem__(self, key: str):
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def verdicts(self) -> dict[str, str]:
        return {row.key: row.verdict for row in self.rows}


@dataclass
class ProbeReport(_RowsByKey):
    """The rows of a probe, in the order asked, and the transcript of what was sent."""

    rows: list[ProbeRow]
    transcript: Transcript = field(default_factory=Transcript, repr=False)
    #: HTTP requests the probe sent, and how many of them got an HTTP answer (any status).
    requests_sent: int = 0
    requests_answered: int = 0

    def summary(self) -> tuple[str, str]:
        """``(kind, sentence)`` about the whole report; kind is ``ok``, ``warning`` or ``error``.

        Never "all done" when nothing answered: a probe whose every request failed says so.
        """
        n = len(self.rows)
        counts = Counter(row.verdict for row in self.rows)
        tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) or "none"
        questions = f"{n} question{'s' if n != 1 else ''}"
        if self.requests_sent and not self.requests_answered:
            sent = f"{self.requests_sent} request{'s' if self.requests_sent != 1 else ''}"
            return "error", (f"The provider answered none of the {sent} sent, so none of the {questions} could "
                             f"be answered ({tally}). The first row says why.")
        if not self.requests_sent:
            return "warning", (f"Nothing was sent, so none of the {questions} could be answered ({tally}). "
                               "Fill in the settings the rows name, then probe again.")
        # The provider answered: the probe did its job (ok); what it found is counted in words.
        bad = sum(row.outcome == "bad" for row in self.rows)
        said = [f"{questions}: {tally}."]
        if counts["unknown"]:
            said.append(f"{counts['unknown']} could not be told from the answers.")
        if bad:
            said.append(f"{bad} finding{'s' if bad != 1 else ''} need{'s' if bad == 1 else ''} attention: "
                        f"see {'its row' if bad == 1 else 'their rows'}.")
        elif not counts["unknown"]:
            said.append("Nothing needs fixing.")
        return "ok", " ".join(said)


    def to_dicts(self) -> list[dict[str, str]]:
        return [asdict(row) for row in self.rows]

    def to_dataframe(self):
        """A pandas DataFrame with columns question, evidence, verdict, fix (pandas imported here)."""
        import pandas as pd

        return pd.DataFrame([{c: getattr(r, c) for c in _COLUMNS} for r in self.rows], columns=list(_COLUMNS))

    def to_text(self) -> str:
        lines = []
        for row in self.rows:
            lines.append(f"[{row.verdict.upper():^7}] {row.question}")
            lines.append(f"          {row.evidence}")
            if row.fix:
                lines.append(f"          fix: {row.fix}")
        return "\n".join(lines)

    __str__ = to_text


# -- helpers ----------------------------------------------------------------------------------


def _fill_from(metadata, config: WebhookAuthConfig) -> WebhookAuthConfig:
    """Empty URLs and issuer taken from discovery; what the person typed wins."""
    changes = {}
    if not config.auth_url and metadata.authorization_endpoint:
        changes["auth_url"] = metadata.authorization_endpoint
    if not config.token_url and metadata.token_endpoint:
        changes["token_url"] = metadata.token_endpoint
    if not config.issuer:
        changes["issuer"] = metadata.issuer
    return config.replace(**changes) if changes else config


def _url_problem(config: WebhookAuthConfig, name: str) -> str | None:
    # The probe asks about every endpoint whatever the auth type; problems() checks only the
    # type's own fields, so check as OAuth Code, the type that has all of them.
    found = config.replace(auth_type=AuthType.OAUTH_CODE).problems().get(name, [])
    return f"{name.replace('_', ' ')} {found[0]}" if found else None


class _Text(HTMLParser):
    """Visible text of a page (no script/style), for evidence."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._skip:
            return
        (self.title if self._in_title else self.text).append(data)


def _page(body: bytes) -> tuple[str, str]:
    """(title, start of the visible text) of an HTML page, masked and shortened."""
    parser = _Text()
    try:
        parser.feed(body[:65536].decode("utf-8", "replace"))
        parser.close()
    except Exception:  # noqa: BLE001 - a broken page is still evidence, just less of it
        pass
    title = scrub(" ".join("".join(parser.title).split()))[:100]
    text = scrub(" ".join(" ".join(parser.text).split()))
    return title, (text if len(text) <= 200 else text[:199] + "…")


# -- the token endpoint -------------------------------------------------------------------------


def _token_endpoint_row(config: WebhookAuthConfig, transcript: Transcript) -> ProbeRow:
    key = "token_endpoint"
    url = config.token_url
    # The question says what is asked of this URL: TLS only for an https:// one, so a "yes" over
    # plain http never reads as "reachable over TLS".
    if urlsplit(url).scheme == "http":
        question = "Is the token endpoint reachable? (plain http: no TLS)"
    else:
        question = "Is the token endpoint reachable over TLS?"
    if not url:
        return ProbeRow(question, "No Token URL is configured.", "skipped",
                        "Set the Token URL, or an issuer to discover it.", key)
    if (problem := _url_problem(config, "token_url")) is not None:
        return ProbeRow(question, f"Not contacted: {problem}.", "no",
                        "Use the provider's https:// token URL.", key)
    with requests.Session() as session:
        boundary = Boundary(session, transcript, timeout=config.timeout, verify=config.verify_tls)
        use_tls_files(session, config)  # an mTLS endpoint shakes hands only with the client certificate
        try:
            # No credentials: this only asks whether an OAuth token endpoint answers here.
            with allow_loopback_http(), boundary.step("probe: token endpoint reachable", "POST", url):
                response = session.post(url, data={"grant_type": "client_credentials"},
                                        headers={"Accept": "application/json"}, timeout=config.timeout)
        except TransportError as exc:
            return ProbeRow(question, _sentence(f"No answer: {exc.message}"), "no", exc.hint, key)
    if urlsplit(url).scheme == "https":
        how = "over https, certificate verified" if config.verify_tls else "over https, certificate NOT verified"
    else:
        how = "over plain http on the loopback interface (no TLS: fine for a local test server only)"
    ctype = scrub(response.headers.get("Content-Type", "").split(";")[0].strip()) or "no content type"
    evidence = f"HTTP {response.status_code} ({ctype}) {how}"
    fix = ""
    error = None
    try:
        body = response.json()
        error = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        body = None
    if error:
        evidence += f"; a request without credentials got error={scrub(error)}, as an OAuth token endpoint answers."
    elif "html" in ctype or response.content.lstrip()[:1] == b"<":
        title, _ = _page(response.content)
        evidence += f"; an HTML page{f' ({title!r})' if title else ''}, not an OAuth answer."
        fix = "This looks like a web page, not a token endpoint: check the Token URL against the provider's metadata."
    else:
        evidence += "; the answer carries no OAuth error code."
        fix = "Check that the Token URL is the provider's token endpoint (compare with its metadata)."
    if not config.verify_tls:
        fix = (fix + " " if fix else "") + "Turn certificate verification back on before real use."
    return ProbeRow(question, evidence, "yes", fix, key)


@dataclass
class _AuthAttempt:
    method: str
    token: Token | None = None
    error: WebhookAuthError | None = None
    skipped: str = ""

    @property
    def rejected_client(self) -> bool:
        return isinstance(self.error, TokenEndpointError) and self.error.error in (
            "invalid_client", "incorrect_client_credentials")

    def describe(self) -> str:
        if self.token is not None:
            return f"a {self.token.token_type} token was issued"
        err = self.error
        if isinstance(err, TokenEndpointError):
            if err.error:
                desc = f" ({scrub(err.description)})" if err.description else ""
                return f"HTTP {err.status}: error={scrub(err.error)}{desc}"
            return scrub(err.message.split("\n")[0])
        return scrub(err.message) if err is not None else ""


def _fetched(attempt: _AuthAttempt, config: WebhookAuthConfig,
             flow: Callable[[], ClientCredentialsFlow]) -> _AuthAttempt:
    """``attempt`` with the token ``flow()`` fetched, the error it met, or why it was not tried
    (a config the flow refuses is "not tried", with its problems)."""
    if not config.token_url:
        attempt.skipped = "No Token URL is configured."
        return attempt
    try:
        attempt.token = flow().fetch_token()
    except ConfigError as exc:
        attempt.skipped = "Not tried: " + "; ".join(f"{k} {m[0]}" for k, m in exc.problems.items())
    except WebhookAuthError as exc:
        attempt.error = exc
    return attempt


def _try_client_auth(config: WebhookAuthConfig, method: str, transcript: Transcript) -> _AuthAttempt:
    attempt = _AuthAttempt(method)
    if not config.client_secret:
        attempt.skipped = "No client secret is configured (a public client does not authenticate)."
        return attempt
    return _fetched(attempt, config, lambda: ClientCredentialsFlow(config.replace(client_auth=method), transcript))


def _client_auth_row(this: _AuthAttempt, other: _AuthAttempt, config: WebhookAuthConfig,
                     metadata) -> ProbeRow:
    question = f"Do the client credentials work with {this.method}?"
    advertised = ""
    if metadata is not None:
        listed = ", ".join(metadata.token_endpoint_auth_methods_supported) or "none"
        advertised = f" (metadata advertises: {listed})"
    if this.skipped:
        return ProbeRow(question, this.skipped + advertised, "skipped",
                        "Configure the client secret to test client authentication." if not config.client_secret else "",
                        this.method)
    evidence = _sentence(f"Client credentials grant with {this.method}: {this.describe()}{advertised}")
    if this.token is not None:
        fix = ""
        if config.client_auth != this.method and other.token is None:
            fix = f"Set Client authentication = {this.method}: it is the method this server accepts."
        return ProbeRow(question, evidence, "yes", fix, this.method)
    if isinstance(this.error, TransportError):
        return ProbeRow(question, evidence, "unknown", this.error.hint, this.method)
    if other.token is not None:
        # Same client, same grant, only the method differs: the method is what failed.
        return ProbeRow(question, evidence, "no",
                        f"This server does not accept {this.method}: set Client authentication = "
                        f"{other.method}. A platform that can only send {this.method} will be refused.",
                        this.method)
    if this.rejected_client:
        if other.rejected_client:
            fix = ("The provider refused the Client ID and Secret with both methods: check them (no stray "
                   "spaces, the right environment) and that the client is enabled.")
        else:
            fix = f"The server rejected the client with {this.method}; see the {other.method} row."
        return ProbeRow(question, evidence, "no", fix, this.method)
    error = getattr(this.error, "error", None)
    if error == "unauthorized_client":
        fix = ("The credentials were not refused, but this client may not use the client credentials "
               "grant, so the method cannot be told this way. Normal for an OAuth Code client.")
    elif error:
        fix = hint_for_oauth_error(error)
    else:
        fix = getattr(this.error, "hint", "")
    return ProbeRow(question, evidence, "unknown", fix, this.method)


def _try_beyond_secret(config: WebhookAuthConfig, transcript: Transcript) -> _AuthAttempt:
    """A client credentials request with the config's key or certificate method."""
    from .client_assertion import assertion_signer  # PyJWT: loaded only for these methods

    return _fetched(_AuthAttempt(config.client_auth), config,
                    lambda: ClientCredentialsFlow(config, transcript, client_assertion=assertion_signer(config)))


def _beyond_secret_row(this: _AuthAttempt, config: WebhookAuthConfig, metadata) -> ProbeRow:
    method = this.method
    question = f"Does the provider advertise and accept {method}?"
    said = ""
    if metadata is not None:
        listed = metadata.token_endpoint_auth_methods_supported
        said = f" The metadata {'advertises' if method in listed else 'does not advertise'} {method}."
        aliases = metadata.raw.get("mtls_endpoint_aliases") if isinstance(metadata.raw, dict) else None
        if method in TLS_CLIENT_AUTH and isinstance(aliases, dict) and isinstance(aliases.get("token_endpoint"), str):
            said += f" Its mTLS token endpoint (RFC 8705 §5) is {redact_url(aliases['token_endpoint'])}."
    if this.skipped:
        return ProbeRow(question, this.skipped + said, "skipped", "", method)
    evidence = f"Client credentials grant with {method}: {this.describe()}.{said}"
    if this.token is not None:
        return ProbeRow(question, evidence, "yes", "", method)
    if isinstance(this.error, TransportError):
        return ProbeRow(question, evidence, "no" if this.error.reason == "tls" else "unknown", this.error.hint, method)
    if this.rejected_client:
        return ProbeRow(question, evidence, "no", this.error.hint, method)
    error = getattr(this.error, "error", None)
    return ProbeRow(question, evidence, "unknown", hint_for_oauth_error(error, client_auth=method) if error
                    else getattr(this.error, "hint", ""), method)


def _scopes_row(config: WebhookAuthConfig, token: Token | None, skipped: bool, metadata) -> ProbeRow:
    question = "Which scopes are granted?"
    key = "scopes"
    requested = config.scopes
    unsupported = []
    if metadata is not None and metadata.scopes_supported:
        unsupported = [s for s in requested if s not in metadata.scopes_supported]
    note = f" Not in the provider's scopes_supported: {' '.join(unsupported)}." if unsupported else ""
    if token is None:
        verdict = "skipped" if skipped else "unknown"
        return ProbeRow(question, f"No token was issued, so nothing can be said about granted scopes.{note}",
                        verdict, "", key)
    granted = token.scope.split() if token.scope else None
    decoded = decode_unverified(token.access_token)
    in_claim: list[str] | None = None
    if decoded is not None:
        value = decoded[1].get("scope", decoded[1].get("scp"))
        if isinstance(value, str):
            in_claim = value.split()
        elif isinstance(value, list):
            in_claim = [str(v) for v in value]
    claim = f" The token's own scope claim says {scrub(' '.join(in_claim))!r}." if in_claim is not None else ""
    asked = " ".join(requested) if requested else "none (the provider's default applies)"
    if granted is None and in_claim is None:
        return ProbeRow(question, f"Requested: {asked}. Neither the response nor the token names a scope.{note}",
                        "unknown", "Ask the provider which scopes its default grants.", key)
    if granted is None:
        granted = in_claim
    caveat = ""
    if requested and in_claim is None and not any("granted scope" in n for n in token.notes):
        caveat = " (as the response says, or as requested when it says nothing: RFC 6749 §5.1)"
    evidence = f"Requested: {asked}. Granted: {' '.join(granted)}{caveat}.{claim}{note}"
    if in_claim is not None:
        granted = [s for s in granted if s in in_claim]
    missing = [s for s in requested if s not in granted]
    if missing:
        return ProbeRow(question, evidence, "no",
                        f"Not granted: {' '.join(missing)}. A receiver that needs it will refuse the token; "
                        "ask the provider's admin to allow it for this client, or stop requesting it.", key)
    fix = "Request only the scopes the receiver needs." if set(granted) - set(requested) and requested else ""
    return ProbeRow(question, evidence, "yes", fix, key)


# -- the authorization endpoint -----------------------------------------------------------------


@dataclass
class _AuthorizeAnswer:
    """How the authorization endpoint answered one GET."""

    kind: str  # login | error_redirect | error_page | code | server_error | transport
    status: int | None = None
    error: str | None = None
    description: str | None = None
    to_redirect_uri: bool = False
    location: str = ""
    page: str = ""
    iss: str | None = None
    failure: WebhookAuthError | None = None

    @property
    def refused(self) -> bool:
        return self.kind in ("error_redirect", "error_page")

    def describe(self) -> str:
        if self.kind == "transport":
            return f"no answer: {self.failure.message}"  # type: ignore[union-attr]
        if self.kind in ("error_redirect", "code") or (self.kind == "login" and self.location):
            target = "the redirect URI" if self.to_redirect_uri else self.location
            what = "a code" if self.kind == "code" else (
                f"error={scrub(self.error)}" + (f" ({scrub(self.description)})" if self.description else "")
                if self.error else "no error (a login page, presumably)")
            iss = f", iss={scrub(self.iss)}" if self.iss else ""
            return f"HTTP {self.status} redirect to {target} with {what}{iss}"
        if self.kind == "login":
            return f"HTTP {self.status} page {self.page}".rstrip() + " (a login page: not refused before login)"
        return f"HTTP {self.status} page {self.page}".rstrip()


def _authorize_url(config: WebhookAuthConfig, *, state: bool, pkce: bool) -> str:
    extra = dict(config.extra_params)
    if pkce:
        verifier = pkce_helpers.new_verifier()  # thrown away: no code will ever be exchanged
        extra.update(code_challenge=pkce_helpers.challenge_for(verifier), code_challenge_method=pkce_helpers.METHOD)
    client = WebApplicationClient(client_id=config.client_id)
    with allow_loopback_http():
        # oauthlib keeps a query the endpoint URL already has (RFC 6749 §3.1).
        return client.prepare_request_uri(
            config.auth_url,
            redirect_uri=config.redirect_uri,
            scope=config.scopes or None,
            state=secrets.token_urlsafe(16) if state else None,
            **extra,
        )


def _ask_authorize(session: requests.Session, boundary: Boundary, config: WebhookAuthConfig,
                   *, state: bool, pkce: bool, step: str) -> _AuthorizeAnswer:
    url = _authorize_url(config, state=state, pkce=pkce)
    try:
        with allow_loopback_http(), boundary.step(step, "GET", url):
            response = session.get(url, allow_redirects=False, timeout=config.timeout,
                                   headers={"Accept": "text/html,application/xhtml+xml"})
    except TransportError as exc:
        return _AuthorizeAnswer("transport", failure=exc)
    status = response.status_code
    if response.is_redirect:
        location = urljoin(url, response.headers.get("Location", ""))
        parts = urlsplit(location)
        query = parse_qs(parts.query)
        fragment = parse_qs(parts.fragment)
        params = query if ("error" in query or "code" in query) else fragment

        def one(name: str) -> str | None:
            values = params.get(name)
            return values[0] if values else None

        answer = _AuthorizeAnswer(
            "login", status=status, location=redact_url(location.split("?")[0].split("#")[0]),
            to_redirect_uri=same_endpoint(location, config.redirect_uri),
            error=one("error"), description=one("error_description"), iss=one("iss"),
        )
        if answer.error:
            answer.kind = "error_redirect"
        elif one("code"):
            answer.kind = "code"
        if boundary.last is not None:
            boundary.last.note = f"Location: {redact_url(location)}"
        return answer
    title, text = _page(response.content) if response.content else ("", "")
    shown = f"{title!r}" if title else ""
    if status >= 400 and text:
        shown = (shown + ": " if shown else "") + repr(text[:120])
    if status >= 500:
        return _AuthorizeAnswer("server_error", status=status, page=shown)
    if status >= 400:
        return _AuthorizeAnswer("error_page", status=status, page=shown)
    if re.search(r"\b(error|invalid)\b", title, re.I):
        # Some servers show an error page with HTTP 200.
        return _AuthorizeAnswer("error_page", status=status, page=shown)
    return _AuthorizeAnswer("login", status=status, page=shown)


def _redirect_uri_row(config: WebhookAuthConfig, baseline: _AuthorizeAnswer) -> ProbeRow:
    question = f"Is the redirect URI accepted? ({config.redirect_uri})"
    key = "redirect_uri"
    evidence = _sentence("A complete authorize request (state and PKCE): " + baseline.describe())
    register = (f"Register exactly {config.redirect_uri} for this client at the provider (scheme, host, "
                "path and trailing slash must match), or set Redirect URI to the registered value.")
    if baseline.kind == "transport":
        return ProbeRow(question, evidence, "unknown", baseline.failure.hint, key)  # type: ignore[union-attr]
    if baseline.kind == "login":
        return ProbeRow(question, evidence, "yes",
                        "" if not baseline.location else "Some providers check the redirect URI only after login.",
                        key)
    if baseline.kind == "code":
        return ProbeRow(question, evidence, "yes", "", key)
    if baseline.kind == "error_redirect":
        if baseline.to_redirect_uri:
            # The server sent the browser there, so it trusts that URI (RFC 6749 §4.1.2.1).
            return ProbeRow(question, evidence, "yes",
                            "The redirect URI is trusted, but the request was refused: "
                            + hint_for_oauth_error(baseline.error), key)
        if "redirect" in f"{baseline.error} {baseline.description}".lower():
            return ProbeRow(question, evidence, "no", register, key)
        return ProbeRow(question, evidence, "unknown", hint_for_oauth_error(baseline.error), key)
    if baseline.kind == "error_page":
        return ProbeRow(question, evidence, "no",
                        register + " (An error page can also mean the Client ID is unknown: read the page text.)",
                        key)
    return ProbeRow(question, evidence, "unknown",
                    "The provider failed internally; retry later or ask its support.", key)


def _required_row(what: str, key: str, question: str, baseline: _AuthorizeAnswer,
                  without: _AuthorizeAnswer | None, *, yes_fix: str, no_fix: str) -> ProbeRow:
    if without is None:
        if baseline.kind == "transport":
            return ProbeRow(question, _sentence("The authorization endpoint did not answer: "
                                      + baseline.failure.message),  # type: ignore[union-attr]
                            "unknown", baseline.failure.hint, key)  # type: ignore[union-attr]
        return ProbeRow(question,
                        "Even a complete authorize request was refused (" + baseline.describe()
                        + "), so whether " + what + " is required cannot be told.",
                        "unknown", "Fix the redirect URI (or what the row above reports) first, then probe again.",
                        key)
    evidence = _sentence(f"Without {what}: {without.describe()}")
    if without.refused:
        return ProbeRow(question, evidence, "yes", yes_fix, key)
    if without.kind in ("login", "code"):
        return ProbeRow(question, evidence, "no", no_fix, key)
    fix = without.failure.hint if without.failure is not None else "The provider failed; retry later."
    return ProbeRow(question, evidence, "unknown", fix, key)


def _authorize_rows(config: WebhookAuthConfig, transcript: Transcript, metadata) -> list[ProbeRow]:
    questions = {
        "redirect_uri": f"Is the redirect URI accepted? ({config.redirect_uri or 'none set'})",
        "state_required": "Does the authorize endpoint reject a request without state?",
        "pkce_required": "Does the authorize endpoint reject a request without PKCE?",
    }
    missing = [name for name in ("auth_url", "client_id", "redirect_uri") if not getattr(config, name)]
    problem = _url_problem(config, "auth_url") or (
        _url_problem(config, "redirect_uri") if config.redirect_uri else None)
    if missing or problem:
        why = (f"Not contacted: {problem}." if problem else
               f"Not contacted: no {', '.join(m.replace('_', ' ') for m in missing)} configured "
               "(needed only for OAuth Code).")
        return [ProbeRow(q, why, "skipped", "", k) for k, q in questions.items()]
    with requests.Session() as session:
        # Redirects are read, never followed: the Location is the answer.
        boundary = Boundary(session, transcript, timeout=config.timeout, verify=config.verify_tls,
                            follow_redirects=True)
        baseline = _ask_authorize(session, boundary, config, state=True, pkce=True,
                                  step="probe: authorize (complete request)")
        usable = baseline.kind in ("login", "code")
        no_state = _ask_authorize(session, boundary, config, state=False, pkce=True,
                                  step="probe: authorize without state") if usable else None
        no_pkce = _ask_authorize(session, boundary, config, state=True, pkce=False,
                                 step="probe: authorize without PKCE") if usable else None
    pkce_note = ""
    if metadata is not None and not metadata.supports_pkce_s256:
        pkce_note = " The metadata does not advertise S256."
    rows = [
        _redirect_uri_row(config, baseline),
        _required_row(
            "state", "state_required", questions["state_required"], baseline, no_state,
            yes_fix=("This server requires state: a platform that cannot send it will fail; "
                     f"{MANUAL_FLOW_FIX}."),
            no_fix=("state is not required at this step, so a platform that cannot send it gets past it. "
                    "Send state anyway where you can: it is what stops a forged redirect (CSRF)."),
        ),
        _required_row(
            "PKCE", "pkce_required", questions["pkce_required"], baseline, no_pkce,
            yes_fix=("This server requires PKCE: a platform that does not send a code_challenge (S256) will "
                     f"fail; {MANUAL_FLOW_FIX} (it sends PKCE)."
                     + ("" if config.pkce else " Turn PKCE on in this tool.")),
            no_fix=("PKCE is not required at this step. This tool sends it anyway: it protects the code "
                    "if the redirect is intercepted." + pkce_note),
        ),
    ]
    return rows


# -- all together -----------------------------------------------------------------------------


def probe(config: WebhookAuthConfig, *, metadata=None, transcript: Transcript | None = None) -> ProbeReport:
    """Run the safe checks for ``config`` and return one :class:`ProbeRow` per question.

    ``metadata`` (a :class:`~widgets.discovery.ProviderMetadata`) fills an empty Auth URL,
    Token URL and issuer, and adds what the provider advertises to the evidence. Failures of
    single checks become their rows' verdicts; nothing here raises for a provider's answer.
    """
    transcript = transcript if transcript is not None else Transcript()
    if metadata is not None:
        config = _fill_from(metadata, config)
    already = len(transcript)
    rows = [_token_endpoint_row(config, transcript)]
    reachable = rows[0].verdict == "yes" or not config.token_url
    if reachable:
        basic = _try_client_auth(config, "client_secret_basic", transcript)
        post = _try_client_auth(config, "client_secret_post", transcript)
    else:
        why = "Not tried: the token endpoint did not answer (see the row above)."
        basic = _AuthAttempt("client_secret_basic", skipped=why)
        post = _AuthAttempt("client_secret_post", skipped=why)
    rows.append(_client_auth_row(basic, post, config, metadata))
    rows.append(_client_auth_row(post, basic, config, metadata))
    if config.client_auth in CLIENT_AUTH_FIELDS:
        beyond = _try_beyond_secret(config, transcript) if reachable else _AuthAttempt(
            config.client_auth, skipped="Not tried: the token endpoint did not answer (see the row above).")
        rows.append(_beyond_secret_row(beyond, config, metadata))
    preferred = (post, basic) if config.client_auth == "client_secret_post" else (basic, post)
    if config.client_auth in CLIENT_AUTH_FIELDS:
        preferred = (beyond, *preferred)
    token = next((a.token for a in preferred if a.token is not None), None)
    rows.append(_scopes_row(config, token, all(a.skipped != "" for a in preferred), metadata))
    rows.extend(_authorize_rows(config, transcript, metadata))
    sent = [entry for entry in list(transcript)[already:] if entry.method]
    return ProbeReport(rows, transcript, requests_sent=len(sent),
                       requests_answered=sum(entry.status is not None for entry in sent))
