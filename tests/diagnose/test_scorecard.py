"""The provider scorecard: verdicts against the demo started strict, lax in each respect, and
providers that answer oddly (a login page instead of an error, an error in the fragment)."""

from __future__ import annotations

import csv
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from widgets import THOUSANDEYES_REDIRECT_URI
from widgets.core.errors import ConfigError
from widgets.diagnose.scorecard import (
    CHECKS, DOES_NOT, ENFORCES, UNKNOWN, Scorecard, ScorecardRun, ScoreRow, check_keys, logins_needed, scorecard,
)

from tests.support.configs import code_config

STRICT = dict(require_state=True, require_pkce=True)
#: The demo's default settings: state and PKCE not required, everything else strict.
DEFAULT_VERDICTS = {key: ENFORCES for key in CHECKS} | {"state_required": DOES_NOT, "pkce_required": DOES_NOT}


def _config(provider, **changes):
    return code_config(provider, **{"redirect_uri": THOUSANDEYES_REDIRECT_URI, "scope": "alerts:write alerts:read",
                                    **changes})


def test_a_full_card_needs_ten_logins_at_most_and_fewer_for_fewer_checks():
    assert logins_needed() == 10
    assert logins_needed(["iss_returned", "token_lifetime", "scope_narrowed"]) == 1
    assert logins_needed(["redirect_path", "code_single_use"]) == 2
    with pytest.raises(ConfigError, match="checks"):
        logins_needed(["no_such_check"])


def test_the_strict_demo_enforces_everything_and_needs_only_the_logins_it_cannot_refuse_before(make_demo):
    provider = make_demo(**STRICT)
    card = scorecard(_config(provider), provider.approve)
    assert card.verdicts() == {key: ENFORCES for key in check_keys()}
    assert card.logins == 3  # answer, refresh, code reuse: the rest were refused before any login
    assert all(row.kind == "ok" for row in card.rows)
    assert not provider._internal_errors


def test_the_default_demo_requires_neither_state_nor_pkce(make_demo):
    provider = make_demo()
    card = scorecard(_config(provider), provider.approve)
    assert card.verdicts() == DEFAULT_VERDICTS
    assert card["state_required"].kind == "warning" and card["pkce_required"].kind == "warning"


@pytest.mark.parametrize("settings, changed", [
    (dict(lax={"redirect_uri": "prefix"}), {"redirect_path": DOES_NOT, "redirect_query": DOES_NOT}),
    (dict(lax={"redirect_uri": "pattern"}),
     {"redirect_path": DOES_NOT, "redirect_query": DOES_NOT, "redirect_port": DOES_NOT}),
    (dict(lax={"pkce_downgrade": True}), {"downgrade_refused": DOES_NOT}),
    (dict(lax={"pkce_plain": True}), {"plain_refused": DOES_NOT}),
    (dict(lax={"code_reuse": "allow"}), {"code_single_use": DOES_NOT, "code_reuse_revokes": DOES_NOT}),
    (dict(lax={"code_reuse": "keep_tokens"}), {"code_reuse_revokes": DOES_NOT}),
    (dict(lax={"refresh": "no_rotation"}), {"refresh_rotation": DOES_NOT, "refresh_replay": DOES_NOT}),
    (dict(lax={"refresh": "no_replay_detection"}), {"refresh_replay": DOES_NOT}),
    (dict(lax={"iss": False}), {"iss_returned": DOES_NOT}),
    (dict(lax={"scope": "widen"}), {"scope_narrowed": DOES_NOT}),
    (dict(access_token_ttl=3 * 24 * 3600), {"token_lifetime": DOES_NOT}),
    (dict(issue_refresh_tokens=False), {"refresh_rotation": UNKNOWN, "refresh_replay": UNKNOWN,
                                        "code_reuse_revokes": UNKNOWN}),
])
def test_a_demo_lax_in_one_respect_is_caught_in_that_respect_only(make_demo, settings, changed):
    provider = make_demo(**settings)
    card = scorecard(_config(provider), provider.approve)
    assert card.verdicts() == DEFAULT_VERDICTS | changed
    for key in changed:
        assert card[key].evidence and card[key].reference == CHECKS[key].reference


def test_lax_in_every_respect_at_once_fails_every_check(make_demo):
    provider = make_demo(access_token_ttl=10**6, lax={
        "redirect_uri": "pattern", "pkce_downgrade": True, "pkce_plain": True, "code_reuse": "allow",
        "refresh": "no_rotation", "iss": False, "scope": "widen"})
    card = scorecard(_config(provider), provider.approve)
    assert set(card.verdicts().values()) == {DOES_NOT}
    assert card.logins == 10


def test_on_a_loopback_redirect_uri_another_port_is_information_not_an_alarm(make_demo):
    provider = make_demo()
    card = scorecard(_config(provider, redirect_uri=provider.callback_url), provider.approve, checks=["redirect_port"])
    assert card["redirect_port"].verdict == DOES_NOT
    assert card["redirect_port"].kind == "info" and "RFC 8252" in card["redirect_port"].evidence


def test_checks_can_be_picked(make_demo):
    provider = make_demo()
    card = scorecard(_config(provider), provider.approve, checks=["iss_returned", "redirect_path"])
    assert [row.key for row in card.rows] == ["redirect_path", "iss_returned"]


def test_nobody_logging_in_gives_could_not_tell(make_demo):
    provider = make_demo()
    card = scorecard(_config(provider), lambda url: None, checks=["state_required", "iss_returned", "redirect_path"])
    assert card.verdicts() == {"redirect_path": ENFORCES, "state_required": UNKNOWN, "iss_returned": UNKNOWN}
    assert card.logins == 2


def test_a_run_one_login_at_a_time(make_demo):
    provider = make_demo(**STRICT)
    run = ScorecardRun(_config(provider), checks=["code_single_use", "redirect_query"])
    assert run.logins_needed == 2
    login = run.next_login()
    assert login is not None and login.checks == ("code_single_use",)  # only what was picked
    assert run.next_login() is login  # the same until answered
    with pytest.raises(ConfigError):
        run.result()
    assert run.answer(provider.approve(login.url)) is None
    card = run.result()
    assert card.verdicts() == {"redirect_query": ENFORCES, "code_single_use": ENFORCES}
    assert provider.client_secret not in repr(login)


def test_the_card_keeps_no_secret_and_the_exports_are_safe(make_demo):
    provider = make_demo()
    card = scorecard(_config(provider), provider.approve)
    texts = [card.to_text(), card.to_csv(), card.to_html(), card.transcript.to_csv(), repr(card.to_dicts()),
             card.styled().to_html()]
    for text in texts:
        assert provider.client_secret not in text and provider.password not in text
        assert "eyJ" not in text  # no JWT in clear
        assert "code=" not in text.replace("code=****", "")


def test_csv_cells_cannot_start_a_formula_and_html_cells_are_escaped():
    row = ScoreRow("iss_returned", "=HYPERLINK(\"http://x\")", ENFORCES, "@SUM(1)", "-1+1",
                   exchanges=("+cmd",), kind="ok", meaning="<img src=x onerror=alert(1)>")
    card = Scorecard([row])
    cells = next(csv.DictReader(io.StringIO(card.to_csv())))
    assert all(not v.startswith(("=", "+", "-", "@")) for v in cells.values())
    assert "<img" not in card.to_html() and "&lt;img" in card.to_html()
    assert "<img" not in card.styled().to_html()


# --- providers that answer oddly -----------------------------------------------------------------


class _Odd(BaseHTTPRequestHandler):
    """/authorize per ``mode``; /token answers an HTML login page (not an OAuth error)."""

    mode = "login_page"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", ctype="text/html", location=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        mode = self.server.mode
        if mode == "login_page":
            self._send(200, b"<title>Sign in</title><form><input name=user></form>")
        elif mode == "elsewhere":
            self._send(302, location="/login?return=1")
        elif mode == "fragment_error":
            self._send(302, location=params.get("redirect_uri", "") + "#error=invalid_request"
                       "&error_description=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E")
        else:
            self._send(404, b"<title>Not found</title>")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(200, b"<title>Sign in</title><p>Please sign in</p>")


@pytest.fixture
def odd():
    servers = []

    def start(mode):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
        server.mode = mode
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        from widgets import WebhookAuthConfig

        return WebhookAuthConfig(auth_type="oauth_code", auth_url=base + "/authorize", token_url=base + "/token",
                                 client_id="odd-client", client_secret="odd-secret-0123456789",
                                 redirect_uri=THOUSANDEYES_REDIRECT_URI, scope="alerts:write", issuer=base)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _fragment_error_at(url):
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    return redirect + "#error=access_denied&error_description=no"


def test_a_login_page_instead_of_an_error_then_an_error_in_the_fragment_counts_as_refused(odd):
    config = odd("login_page")
    seen = []
    card = scorecard(config, lambda url: seen.append(url) or _fragment_error_at(url),
                     checks=["redirect_path", "state_required", "pkce_required"])
    # The error went to the changed URI: the provider trusts it, so it does not enforce the path.
    assert card.verdicts() == {"redirect_path": DOES_NOT, "state_required": ENFORCES, "pkce_required": ENFORCES}
    assert len(seen) == 3 and card.logins == 3


def test_a_login_page_then_an_error_on_the_registered_uri_counts_as_enforced(odd):
    config = odd("login_page")
    card = scorecard(config, lambda url: THOUSANDEYES_REDIRECT_URI + "#error=invalid_request",
                     checks=["redirect_path", "redirect_query"])
    assert card.verdicts() == {"redirect_path": ENFORCES, "redirect_query": ENFORCES}


def test_a_redirect_to_a_login_page_elsewhere_asks_for_a_login(odd):
    config = odd("elsewhere")
    card = scorecard(config, lambda url: "The provider said: invalid request", checks=["state_required"])
    assert card["state_required"].verdict == ENFORCES and card.logins == 1


def test_an_error_in_the_fragment_for_every_request_means_nothing_can_be_told(odd):
    config = odd("fragment_error")
    logins = []
    card = scorecard(config, logins.append)
    assert set(card.verdicts().values()) == {UNKNOWN}
    assert logins == []
    assert "<img" not in card.to_html() and "<img" not in card.styled().to_html()


def test_a_token_endpoint_that_answers_a_login_page_gives_could_not_tell(odd):
    config = odd("login_page")
    card = scorecard(config, lambda url: THOUSANDEYES_REDIRECT_URI + "?code=odd-code-123&iss=" + config.issuer,
                     checks=["iss_returned", "downgrade_refused", "code_single_use"])
    assert card["iss_returned"].verdict == ENFORCES
    assert card["downgrade_refused"].verdict == UNKNOWN
    assert card["code_single_use"].verdict == UNKNOWN
    assert "odd-code-123" not in card.to_csv() + card.transcript.to_csv()
