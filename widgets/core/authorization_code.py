"""RFC 6749 §4.1 — https://www.rfc-editor.org/rfc/rfc6749#section-4.1
RFC 7636 (PKCE) — https://www.rfc-editor.org/rfc/rfc7636
RFC 9207 §2 (``iss``) — https://www.rfc-editor.org/rfc/rfc9207#section-2

The authorization code grant by hand, with state, PKCE and the ``iss`` response parameter.

This is the manual workaround for platforms that cannot send ``state``: the tool builds the
authorize link *with* a state, a person logs in and pastes back where the browser landed, the
tool checks the answer and exchanges the code; the token is then pasted into the webhook.

Checks on a pasted answer run in this order, and a failed check stops everything after it:

1. ``error=`` in the redirect → :class:`AuthorizationDenied` (no token request);
2. ``state`` wrong, missing, expired or already used → :class:`StateMismatchError`
   (no token request);
3. ``iss`` different from the known issuer, or missing when the provider always sends it
   (``config.require_iss``, from its metadata) → :class:`IssuerMismatchError`;
4. the code exchange, with the same ``redirect_uri`` and the PKCE ``code_verifier``;
5. OpenID Connect: when ``openid`` is in the scope the link carries a ``nonce``, and the ID token
   of the answer is validated (:mod:`widgets.core.id_token`): a token that fails a check is
   refused with :class:`IdTokenError`, and no token is kept.

A bare code (the code alone, no state) is refused before check 1 unless the caller passes
``allow_bare_code=True``: accepting an answer whose state cannot be checked is a choice a
person makes before the exchange.

:meth:`AuthorizationCodeFlow.exchange` returns a :class:`CodeExchange` saying what was checked;
:meth:`~AuthorizationCodeFlow.complete` is ``exchange(...).token``.

When is an authorize link spent (RFC 6749 §10.12: a state is good for one answer)?

* a state is consumed once its answer passed check 2, whatever happens next: an answer refused
  at check 3 cannot be sent again with ``iss`` removed or changed (RFC 9207 §2.4); a successful
  exchange spends it, and so does a token request that fails for any reason but one;
* that reason is ``invalid_grant`` from the token endpoint: the provider did not accept the
  code (mistyped, cut short, expired, or from another attempt), so nothing was issued against
  this state. The link is opened again: the right answer to it can still be pasted, or the same
  link opened again for a fresh code. The error's hint says so; :meth:`is_open` tells a caller.
* an answer refused at checks 1-2 never touches the state it names, nor does a bare code that is
  not allowed, or one for a provider that always sends ``iss`` (``require_iss``: a code alone
  carries none, so it is refused before it is matched to a link).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth2 import WebApplicationClient

from . import pkce
from .authorize import AuthorizationRequest, PastedRedirect, code_candidates, parse_pasted_redirect, same_endpoint
from .claims import decode_unverified
from .config import AuthType, WebhookAuthConfig
from .errors import (
    AuthorizationDenied,
    ConfigError,
    IdTokenError,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    WebhookAuthError,
)
from .id_token import IdTokenValidation, IdTokenValidator, check_refreshed, validate_claims_only, with_checks
from .loopback import allow_loopback_http
from .redact import redact_url, remember
from .secret import Secret
from .token import Token
from .token_endpoint import AssertionSigner, TokenEndpoint
from .transcript import Transcript

__all__ = ["AuthorizationCodeFlow", "CodeExchange", "STATE_BYTES", "STATE_LIFETIME", "LINK_STILL_OPEN"]

#: 32 random bytes: 256 bits of entropy, twice the 128 bits asked for.
STATE_BYTES = 32
#: An authorize link older than this is refused when its answer comes back.
STATE_LIFETIME = 15 * 60
#: The scope that makes the flow an OpenID Connect login.
OPENID = "openid"
#: Ends the hint of an ``invalid_grant`` that leaves the authorize link open.
LINK_STILL_OPEN = ("No token was issued, and the authorize link is still open: paste the right address "
                   "for it, or open the same link again, log in, and paste the new address.")
#: What a bare code's answer says, in the transcript and in :attr:`CodeExchange.warnings`.
BARE_CODE_WARNING = ("A bare code was pasted, so state could not be checked: nothing shows that it answers "
                     "the link built here. Paste the whole redirect address to have the state checked.")


@dataclass(frozen=True, repr=False)
class CodeExchange:
    """What :meth:`AuthorizationCodeFlow.exchange` did: the token, and which checks it made.

    ``source`` is ``"redirect"`` (a pasted address, query or fragment) or ``"bare_code"``;
    ``state_checked`` is True only when the pasted state matched an open link built here;
    ``iss_checked`` only when the answer named an issuer and it equals the configured one.
    ``warnings`` are sentences for the reader (also in the transcript).
    """

    token: Token
    source: str
    state_checked: bool
    iss_checked: bool
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"CodeExchange(token={self.token!r}, source={self.source!r}, state_checked={self.state_checked}, "
                f"iss_checked={self.iss_checked}, warnings={len(self.warnings)})")


class AuthorizationCodeFlow:
    """Run the authorization code grant by hand: :meth:`begin`, a browser, :meth:`complete`.

    ``begin()`` may be called more than once (each link gets its own state); each state can
    be completed once. Every step is recorded in ``transcript``, masked.

    ``id_token_validator``: what checks an OpenID Connect ID token, called as
    ``validator(id_token, nonce=..., access_token=...)`` and returning an
    :class:`~widgets.core.id_token.IdTokenValidation` (the one of
    :mod:`widgets.diagnose.id_token` verifies the signature against the provider's JWKS).
    Without one, the claims are checked and the signature is reported "not checked". The
    result of the last check is :attr:`id_token_validation`.
    """

    def __init__(self, config: WebhookAuthConfig, transcript: Transcript | None = None, *,
                 client_assertion: AssertionSigner | None = None,
                 id_token_validator: IdTokenValidator | None = None):
        """``client_assertion`` signs the client assertion of the ``*_jwt`` client-auth methods."""
        config = config.replace(auth_type=AuthType.OAUTH_CODE)
        config.validate()
        self.config = config
        self.id_token_validator = id_token_validator
        self.id_token_validation: IdTokenValidation | None = None
        self._client = WebApplicationClient(client_id=config.client_id)
        self._endpoint = TokenEndpoint(config, transcript, self._client, client_assertion=client_assertion)
        self._pending: dict[str, AuthorizationRequest] = {}
        self._used: set[str] = set()
        self.token: Token | None = None

    @property
    def transcript(self) -> Transcript:
        return self._endpoint.transcript

    # -- 1. the authorize link ------------------------------------------------------------
    def begin(self) -> AuthorizationRequest:
        """Build a fresh authorize URL with a new state (and PKCE S256 unless ``pkce=False``)."""
        cfg = self.config
        state = secrets.token_urlsafe(STATE_BYTES)
        verifier = challenge = method = None
        extra = dict(cfg.extra_params)
        nonce = None
        if OPENID in cfg.scopes:  # OpenID Connect Core §3.1.2.1: binds the ID token to this link
            nonce = secrets.token_urlsafe(STATE_BYTES)
            extra["nonce"] = nonce
        if cfg.pkce:
            verifier = pkce.new_verifier()
            challenge, method = pkce.challenge_for(verifier), pkce.METHOD
            extra.update(code_challenge=challenge, code_challenge_method=method)
            remember(verifier)
        with allow_loopback_http():
            url, _ = self._endpoint.session.authorization_url(cfg.auth_url, state=state, **extra)
        request = AuthorizationRequest(
            url=url,
            state=state,
            redirect_uri=cfg.redirect_uri,
            code_verifier=verifier,
            code_challenge=challenge,
            code_challenge_method=method,
            params=dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)),
            nonce=nonce,
        )
        self._pending[state] = request
        self.transcript.record(
            "authorization code: authorize link",
            kind="browser",
            method="GET",
            url=url,
            note="Open this link in a browser, log in, and paste back the address you land on."
            + (" PKCE S256 challenge included." if cfg.pkce else " PKCE is off.")
            + (" OpenID Connect: a nonce is included." if nonce else ""),
        )
        return request

    def resume(self, request: AuthorizationRequest) -> None:
        """Accept answers to a request made earlier (e.g. by another process that saved it)."""
        if request.state not in self._used:
            self._pending[request.state] = request
            remember(request.code_verifier)

    # -- 2. the pasted answer -------------------------------------------------------------
    def complete(self, pasted: str, *, allow_bare_code: bool = False) -> Token:
        """``exchange(pasted, allow_bare_code=...).token``."""
        return self.exchange(pasted, allow_bare_code=allow_bare_code).token

    def exchange(self, pasted: str, *, allow_bare_code: bool = False) -> CodeExchange:
        """Check what was pasted and exchange the code for a token; say what was checked.

        ``pasted`` is the address the browser landed on. A bare code (the code alone) carries
        no state to check, so it is refused with :class:`PastedRedirectError` unless the
        caller passes ``allow_bare_code=True``, for a person who chose it knowingly; it is
        then matched to the newest open link, and the :class:`CodeExchange` and the transcript
        say state went unchecked. See the module docstring for when the link is spent.
        """
        step = "authorization code: pasted redirect"
        pasted = Secret.wrap(pasted) if isinstance(pasted, (str, Secret)) else pasted  # it holds the code
        try:
            answer = parse_pasted_redirect(pasted.reveal() if isinstance(pasted, Secret) else pasted)
        except WebhookAuthError as exc:
            # What cannot be read may still be a code (a stray quote, a word before it): it is
            # masked wherever it turns up, and only an address is shown (masked by name).
            remember(*code_candidates(pasted))
            shown = pasted.strip() if isinstance(pasted, str) and "://" in pasted and len(pasted) < 4096 else ""
            self.transcript.record(step, url=shown, outcome="refused", error=exc,
                                   note="" if shown else "The pasted text is not shown: it may hold a code.",
                                   kind="browser")
            raise
        # before any row about this answer; OAuth's own words (a bare "access_denied") are no code:
        # remembered, they would be masked in every later message of the process
        remember(*code_candidates(answer.code), *code_candidates(pasted))
        shown_url = pasted.strip() if answer.source != "bare" else ""
        if answer.source == "bare" and allow_bare_code is not True:
            exc = PastedRedirectError(
                "This is a code on its own, without the address around it: its state cannot be checked, "
                "so it was not exchanged.",
                hint="Paste the whole address of the page you land on (it holds the code and the state). If the "
                "provider shows only the code, exchange it knowingly: in the wizard, tick 'I only have the "
                "code'; in code, complete(code, allow_bare_code=True) (command line: exchange "
                "--allow-bare-code).",
            )
            self.transcript.record(step, outcome="refused", error=exc, kind="browser")
            raise exc
        if answer.source == "bare" and self.config.require_iss is True:
            # Checked before any state is matched, so nothing is spent: the address will do.
            exc = IssuerMismatchError(
                "This provider sends iss with every answer (RFC 9207; its metadata says so), and a code on its "
                "own carries none, so it cannot be told from another server's code: it was not exchanged.",
                hint="Paste the whole address of the page you land on (it holds the code, the state and iss); "
                "the authorize link is still open.",
            )
            self.transcript.record(step, outcome="refused", error=exc, kind="browser")
            raise exc
        try:
            request, warnings = self._check(answer)
        except WebhookAuthError as exc:
            self.transcript.record(step, url=shown_url, outcome="refused", error=exc, kind="browser")
            raise
        bare = answer.source == "bare"
        iss_checked = answer.iss is not None and bool(self.config.issuer)
        if bare:
            note = "WARNING: " + BARE_CODE_WARNING
            warnings = [BARE_CODE_WARNING, *warnings]
        else:
            note = f"Read from the {answer.source}; state checked."
            if answer.iss is not None and not self.config.issuer:
                note += " iss present but no issuer configured, so it was not compared."
                warnings.append("The answer names an issuer (iss), but none is configured, so it was not compared.")
            elif iss_checked:
                note += " iss matches the issuer."
        self.transcript.record(step, url=shown_url, outcome="warning" if bare else "ok", note=note, kind="browser")

        # Held as Secret down to the call that sends them: a verbose traceback prints this frame.
        grant = {"code": Secret(answer.code)}
        if request.code_verifier:
            grant["code_verifier"] = Secret(request.code_verifier)
        try:
            token = self._endpoint.request_token("authorization code: exchange", **grant)
        except TokenEndpointError as exc:
            if exc.error == "invalid_grant" and self._reopen(request):
                # The general hint says "start a new authorization"; here the same link still works.
                exc.hint = ("The provider did not accept this code: codes are single-use and expire within "
                            "minutes, so it was mistyped, cut short, expired or already used. " + LINK_STILL_OPEN)
            raise
        self._check_id_token(token, request)
        self.token = token
        return CodeExchange(token=token, source="bare_code" if bare else "redirect", state_checked=not bare,
                            iss_checked=iss_checked, warnings=tuple(warnings))

    def is_open(self, state: str) -> bool:
        """Whether an answer carrying ``state`` would still be accepted (not used, not expired)."""
        self._expire_old()
        return state in self._pending

    def _reopen(self, request: AuthorizationRequest) -> bool:
        """Put a link back after the provider refused its code (invalid_grant); False if expired."""
        if time.time() - request.created_at > STATE_LIFETIME:
            return False
        self._used.discard(request.state)
        self._pending[request.state] = request
        return True

    def _check_id_token(self, token: Token, request: AuthorizationRequest) -> None:
        """Step 5: validate the ID token, record every check, refuse the answer if one fails."""
        self.id_token_validation = None
        step = "OpenID Connect: ID token"
        if token.id_token is None:
            if request.nonce is not None:
                self.transcript.record(step, outcome="warning",
                                       note="openid was requested but the answer has no id_token.")
            return
        self._keep_id_token_result(step, self._validate_id_token(token, request.nonce))

    def _validate_id_token(self, token: Token, nonce: str | None) -> IdTokenValidation:
        """The flow's validator (signature and claims), or the claim checks alone without one."""
        if self.id_token_validator is not None:
            return self.id_token_validator(token.id_token, nonce=nonce, access_token=token.access_token)
        return validate_claims_only(token.id_token, issuer=self.config.issuer, client_id=self.config.client_id,
                                    nonce=nonce, access_token=token.access_token)

    def _keep_id_token_result(self, step: str, result: IdTokenValidation) -> None:
        """Keep ``result``, record every check in the transcript, raise IdTokenError if one failed."""
        self.id_token_validation = result
        details = ", ".join(f"{check} {word}" for check, word, _ in result.rows())  # no "key: value": signature is a secret-looking name
        try:
            result.raise_for_failure()
        except IdTokenError as exc:
            self.transcript.record(step, outcome="refused", error=exc, note=details)
            raise
        self.transcript.record(step, outcome="ok" if result.verified else "warning",
                               note=f"{result.summary()} ({details})")

    def _check(self, answer: PastedRedirect) -> tuple[AuthorizationRequest, list[str]]:
        """Steps 1-3 of the module docstring; consumes the state.

        Returns the matching request and warnings for the reader."""
        warnings: list[str] = []
        if answer.error:
            raise AuthorizationDenied(answer.error, answer.error_description)
        if not answer.code:
            raise PastedRedirectError("The pasted address has no authorization code.")
        self._expire_old()
        if answer.source == "bare":
            if not self._pending:
                raise StateMismatchError(
                    "There is no open authorize link for this code.",
                    hint="Build the authorize link here first (each link can be completed once).",
                )
            state = max(self._pending, key=lambda s: self._pending[s].created_at)
        else:
            state = answer.state
            if not state:
                raise StateMismatchError(
                    "The pasted address carries no state, so it cannot be matched to the link built here.",
                    hint="The provider dropped the state, or this is not the answer to our link. Start "
                    "again with a fresh link; if the provider never returns state, paste the bare code.",
                )
            if state not in self._pending:
                if state in self._used:
                    raise StateMismatchError(
                        "This answer was already used: each authorize link can be completed once.",
                        hint="Build a new authorize link and log in again to get a fresh code.",
                    )
                raise StateMismatchError(
                    "The state in the pasted address does not match any authorize link built here.",
                )
        # The state is spent from here on, as it is when its check fails: a refused answer
        # must not pass on a second try with iss removed or changed.
        request = self._pending.pop(state)
        self._used.add(state)
        # RFC 9207 §2.4: simple string comparison, no normalisation.
        if answer.iss is not None and self.config.issuer and answer.iss != self.config.issuer:
            raise IssuerMismatchError(
                f"The answer says it comes from issuer {answer.iss!r}, not {self.config.issuer!r} (RFC 9207).",
            )
        if answer.iss is None and self.config.require_iss:
            raise IssuerMismatchError(
                "The answer carries no iss, but this provider sends one with every answer "
                f"(RFC 9207; its metadata says so), so it may come from another server than {self.config.issuer!r}.",
                hint="Paste the whole address of the page you land on, unchanged (it holds iss=), after a "
                "fresh authorize link: this link is used up. If the provider really sends no iss, set "
                "require_iss=False.",
            )
        if answer.landed_on and answer.source != "bare" and not same_endpoint(answer.landed_on, request.redirect_uri):
            # Not fatal: people paste from tools that rewrite the host. The provider checks
            # redirect_uri against the code anyway. Recorded so the reader sees it.
            said = f"The pasted address is not under the configured redirect URI ({request.redirect_uri})."
            warnings.append(said)
            self.transcript.record("authorization code: pasted redirect", outcome="warning", note=said, kind="browser")
        return request, warnings

    def _expire_old(self) -> None:
        now = time.time()
        for state, request in list(self._pending.items()):
            if now - request.created_at > STATE_LIFETIME:
                del self._pending[state]
                self._used.add(state)

    # -- 3. later -------------------------------------------------------------------------
    def refresh(self, token: Token | None = None) -> Token:
        """Use the refresh token of ``token`` (default: the last one) to get a new token."""
        token = token or self.token
        if token is None or not token.refresh_token:
            raise ConfigError(
                {"refresh_token": ["there is no refresh token to use"]},
                hint="This provider issued no refresh token. Run the authorization again; some "
                "providers only issue one for a scope such as offline_access.",
            )
        new = self._endpoint.request_token("refresh", refresh_token=token.refresh_token)
        if not new.refresh_token:  # RFC 6749 §6: the old one stays valid when none is issued
            new = Token(**{**new.__dict__, "refresh_token": token.refresh_token})
        self._check_refreshed_id_token(new, token)
        self.token = new
        return new

    def _check_refreshed_id_token(self, new: Token, old: Token) -> None:
        """OIDC Core §12.2: an ID token that comes with a refresh is validated as at login (no
        nonce was sent) and must name the same issuer, subject and audience as the login's."""
        if new.id_token is None:
            return
        result = self._validate_id_token(new, None)  # no nonce is sent with a refresh
        login = decode_unverified(old.id_token) if old.id_token else None
        if login is not None and result.claims:
            result = with_checks(result, check_refreshed(login[1], result.claims))
        self._keep_id_token_result("OpenID Connect: ID token (refresh)", result)

    def __repr__(self) -> str:
        return (f"AuthorizationCodeFlow({redact_url(self.config.auth_url)!r}, client_id={self.config.client_id!r}, "
                f"pending={len(self._pending)})")
