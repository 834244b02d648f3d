"""The scorecard cases whose output is kept word for word in ``scorecard_expected.json``.

Each case runs a card against a real server on loopback and returns what the card says (rows,
logins asked for, the exchanges behind it) with the servers' ports replaced by ``PORT``.
Regenerate the file only when a change of wording is meant:
``PYTHONPATH=$PWD python -m tests.diagnose.scorecard_cases > tests/diagnose/scorecard_expected.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.configs import code_config
from tests.support.servers import Reply, ScriptedProvider
from widgets import THOUSANDEYES_REDIRECT_URI, DemoProvider, WebhookAuthConfig
from widgets.diagnose.scorecard import ScorecardRun

EXPECTED = Path(__file__).with_name("scorecard_expected.json")
_PORT = re.compile(r"(127\.0\.0\.1|localhost|\[::1\]):\d+")
#: Values drawn afresh each run (the state, the PKCE challenge), kept as their names.
_FRESH = re.compile(r"\b(state|code_challenge)=[A-Za-z0-9_~.%*-]+")


def _same(text: str) -> str:
    return _FRESH.sub(r"\1=FRESH", _PORT.sub(r"\1:PORT", text))


def _run(config: WebhookAuthConfig, login) -> dict:
    """The card, one login at a time, with every login asked for."""
    run = ScorecardRun(config)
    asked = []
    pending = run.next_login()
    while pending is not None:
        asked.append({"purpose": pending.purpose, "checks": list(pending.checks),
                      "redirect_uri": pending.redirect_uri, "stateless": pending.state is None})
        try:
            landed = login(pending.url)
        except RuntimeError as exc:
            landed = f"error page: {exc}"
        pending = run.answer(landed)
    card = run.result()
    exchanges = [[e.step, e.method, e.url, e.status, e.outcome, e.note] for e in card.transcript]
    return json.loads(_same(json.dumps({"text": card.to_text(), "rows": card.to_dicts(), "logins": card.logins,
                                         "asked": asked, "exchanges": exchanges, "csv": card.to_csv()})))


def _demo_case(*, nobody: bool = False, **settings) -> dict:
    with DemoProvider(**settings) as provider:
        config = code_config(provider, redirect_uri=THOUSANDEYES_REDIRECT_URI, scope="alerts:write alerts:read")
        return _run(config, (lambda url: None) if nobody else provider.approve)


# --- a provider that gets almost everything wrong, scripted path by path ---------------------------


class _Careless:
    """/authorize issues a code to whatever redirect URI is asked for (an error page only for plain
    PKCE, a login page when state is missing); /token issues long-lived tokens with more scope than
    asked. ``refresh``: keep (the same refresh token, forever), refused (every refresh), rotate (a
    new one each time; a used one is refused, its family is not). ``code_once``: a second exchange
    of a code is refused, what the first issued keeps working. ``iss``: sent with each code."""

    def __init__(self, server: ScriptedProvider, *, refresh: str, code_once: bool = False, iss: str | None = None):
        self.server, self.refresh, self.code_once, self.iss = server, refresh, code_once, iss
        self.codes: set[str] = set()
        self.used: set[str] = set()
        self.n = 0
        server.routes["/authorize"] = self.authorize
        server.routes["/token"] = self.token

    def authorize(self, seen: dict) -> Reply:
        params = {k: v[0] for k, v in parse_qs(urlsplit(seen["url"]).query).items()}
        if params.get("code_challenge_method") == "plain":
            return Reply(400, "<title>Error</title><p>invalid_request: plain</p>", content_type="text/html")
        if "state" not in params:
            return Reply(200, "<title>Sign in</title><form></form>", content_type="text/html")
        return Reply(302, headers={"Location": self.redirect(params)})

    def redirect(self, params: dict) -> str:
        self.n += 1
        answer = {"code": f"careless-code-{self.n:04d}", **({"state": params["state"]} if "state" in params else {}),
                  **({"iss": self.iss} if self.iss else {})}
        return params["redirect_uri"] + ("&" if "?" in params["redirect_uri"] else "?") + urlencode(answer)

    def login(self, url: str) -> str:
        """The person's browser: a login page ends with a code on the asked-for URI."""
        return self.redirect({k: v[0] for k, v in parse_qs(urlsplit(url).query).items()})

    def _tokens(self, refresh_token: str, **extra) -> Reply:
        self.n += 1
        return Reply(200, {"access_token": f"careless-access-{self.n:04d}-" + "y" * 24, "token_type": "Bearer",
                           "expires_in": 90 * 24 * 3600, "refresh_token": refresh_token, **extra})

    def token(self, seen: dict) -> Reply:
        form = {k: v[0] for k, v in parse_qs(seen["body"]).items()}
        if form.get("grant_type") == "refresh_token":
            old = form["refresh_token"]
            if self.refresh == "refused" or old in self.used:
                return Reply(400, {"error": "invalid_grant", "error_description": "refresh token refused"})
            if self.refresh == "keep":
                return self._tokens(old)
            self.used.add(old)
            return self._tokens(f"careless-refresh-{self.n:04d}-" + "z" * 20)
        code = form.get("code", "")
        if self.code_once and code in self.codes:
            return Reply(400, {"error": "invalid_grant", "error_description": "code already used"})
        self.codes.add(code)
        return self._tokens(f"careless-refresh-{self.n:04d}-" + "z" * 20, scope="alerts:write admin everything")


def _careless_case(**behaviour) -> dict:
    server = ScriptedProvider().start()
    try:
        careless = _Careless(server, **behaviour)
        config = WebhookAuthConfig(auth_type="oauth_code", auth_url=server.url("/authorize"),
                                   token_url=server.url("/token"), client_id="careless-client",
                                   client_secret="careless-secret-0123456789", scope="alerts:write",
                                   redirect_uri=THOUSANDEYES_REDIRECT_URI, issuer=server.base)
        return _run(config, careless.login)
    finally:
        server.stop()


def _cli_case() -> dict:
    from widgets.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["scorecard", "--demo"])
    return {"exit": code, "stdout": _same(out.getvalue()), "stderr": _same(err.getvalue())}


CASES = {
    "demo_default": lambda: _demo_case(),
    "demo_lax_everywhere": lambda: _demo_case(access_token_ttl=10**6, lax={
        "redirect_uri": "pattern", "pkce_downgrade": True, "pkce_plain": True, "code_reuse": "allow",
        "refresh": "no_rotation", "iss": False, "scope": "widen"}),
    "demo_no_refresh_tokens": lambda: _demo_case(issue_refresh_tokens=False, require_state=True),
    "demo_nobody_logs_in": lambda: _demo_case(nobody=True),
    "careless_keeps_refresh": lambda: _careless_case(refresh="keep"),
    "careless_rotates_without_family": lambda: _careless_case(refresh="rotate", code_once=True,
                                                              iss="http://elsewhere.example"),
    "careless_refuses_refresh": lambda: _careless_case(refresh="refused", code_once=True),
    "cli_demo": _cli_case,
}


if __name__ == "__main__":
    print(json.dumps({name: case() for name, case in CASES.items()}, indent=1, ensure_ascii=False, sort_keys=True))
