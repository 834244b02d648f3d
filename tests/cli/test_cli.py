"""The command line end to end against the demo: outputs, state files, exit codes, no leaked secret."""

import io
import json
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.cli import SECRET_ENV, run_cli
from tests.support.servers import Reply
from widgets.cli.main import (
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    exit_code_for,
    main,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """State files go to a temporary XDG cache, never the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "webhook-oauth-lab"


@pytest.fixture
def provider(make_demo, monkeypatch):
    running = make_demo(require_state=True, require_pkce=True, client_secret=CANARY_SECRET)
    monkeypatch.setenv(SECRET_ENV, running.client_secret)
    return running


def client_args(provider, *extra):
    return ["--token-url", provider.token_url, "--client-id", provider.client_id,
            "--client-secret-env", SECRET_ENV, *extra]


def code_args(provider, *extra):
    return ["--auth-url", provider.auth_url, *client_args(provider), "--redirect-uri", provider.callback_url,
            "--issuer", provider.issuer, *extra]


def with_state(location: str, state: str) -> str:
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = state
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- token ------------------------------------------------------------------------------------------


def test_token_prints_it_masked(capsys, provider):
    code, out, err = run_cli(capsys, "token", *client_args(provider))
    assert code == EXIT_OK, err
    assert "access token   ****" in out and "--reveal" in out
    assert "eyJ" not in out  # no JWT, whole or in part


def test_token_json_parses_and_reveal_shows_the_token(capsys, provider):
    code, out, _ = run_cli(capsys, "token", *client_args(provider), "--json")
    data = json.loads(out)
    assert code == EXIT_OK and data["ok"] is True
    assert data["token"]["access_token"].startswith("****")
    code, out, _ = run_cli(capsys, "token", *client_args(provider), "--json", "--reveal")
    assert json.loads(out)["token"]["access_token"].count(".") == 2


def test_token_with_paste_ready_prints_the_form_and_connector(capsys, provider):
    code, out, _ = run_cli(capsys, "token", *client_args(provider), "--paste-ready", "--json")
    ready = json.loads(out)["paste_ready"]
    assert ready["connector"]["authentication"]["type"] == "oauth-client-credentials"
    assert ready["fields"]["Client Secret"].startswith("****")


def test_token_urls_can_come_from_the_issuer(capsys, make_demo, monkeypatch):
    demo = make_demo(client_auth_methods=("client_secret_post",))
    monkeypatch.setenv(SECRET_ENV, demo.client_secret)
    code, out, err = run_cli(capsys, "token", "--issuer", demo.issuer, "--client-id", demo.client_id,
                         "--client-secret-env", SECRET_ENV)
    assert code == EXIT_OK, err
    assert "client_secret_post" in out  # the only method the metadata advertises
    assert demo.token_requests[-1]["client_auth"] == "client_secret_post"


# -- authorize and exchange -------------------------------------------------------------------------


def test_authorize_then_exchange_with_the_state_file(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, err = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    assert code == EXIT_OK, err
    started = json.loads(out)
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    saved = json.loads(state_file.read_text())
    assert saved["state"] == started["state"] and saved["code_verifier"]
    assert saved["code_verifier"] not in out
    assert CANARY_SECRET not in state_file.read_text()

    location = provider.approve(started["authorize_url"])
    code, out, err = run_cli(capsys, "exchange", location, "--state-file", str(state_file),
                         "--client-secret-env", SECRET_ENV)
    assert code == EXIT_OK, err
    assert "Token from" in out and "access token   ****" in out
    assert not state_file.exists()
    assert provider.token_requests[-1]["grant_type"] == "authorization_code"
    assert provider.token_requests[-1]["status"] == 200


def test_exchange_finds_the_state_file_by_the_pasted_state_and_reads_stdin(capsys, provider, cache, monkeypatch):
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--json")
    started = json.loads(out)
    path = Path(started["state_file"])
    assert path.parent == cache and path.name.startswith("pending-" + started["state"][:8])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    monkeypatch.setattr(sys, "stdin", io.StringIO(provider.approve(started["authorize_url"]) + "\n"))
    code, out, err = run_cli(capsys, "exchange", "-", "--client-secret-env", SECRET_ENV, "--json")
    assert code == EXIT_OK, err
    assert json.loads(out)["token"]["refresh_token"].startswith("****")
    assert not path.exists()


def test_a_tampered_state_exits_4_deletes_the_file_and_requests_no_token(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    location = provider.approve(json.loads(out)["authorize_url"])
    forged = with_state(location, "forged-state-value")
    code, out, err = run_cli(capsys, "exchange", forged, "--state-file", str(state_file),
                         "--client-secret-env", SECRET_ENV)
    assert code == EXIT_MISMATCH
    assert "state" in err.lower() and "hint:" in err
    assert not state_file.exists()
    assert [r for r in provider.token_requests if r["grant_type"] == "authorization_code"] == []


def test_a_state_with_no_pending_file_exits_4(capsys, provider, cache):
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--json")
    location = provider.approve(json.loads(out)["authorize_url"])
    code, _, err = run_cli(capsys, "exchange", with_state(location, "../../etc/passwd"),
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_MISMATCH
    code, _, err = run_cli(capsys, "exchange", with_state(location, "unknownstate123"),
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_MISMATCH and "No pending authorization" in err


def test_pasting_the_authorize_link_is_a_usage_error_and_keeps_the_file(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    code, _, err = run_cli(capsys, "exchange", json.loads(out)["authorize_url"], "--state-file", str(state_file),
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE and "authorize link itself" in err
    assert state_file.exists()


def test_a_denied_login_exits_3_and_deletes_the_file(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    location = provider.approve(json.loads(out)["authorize_url"], deny=True)
    code, out, _ = run_cli(capsys, "exchange", location, "--state-file", str(state_file),
                       "--client-secret-env", SECRET_ENV, "--json")
    assert code == EXIT_REFUSED
    failure = json.loads(out)
    assert failure["ok"] is False and failure["exit_code"] == EXIT_REFUSED
    assert failure["error"]["type"] == "AuthorizationDenied" and failure["error"]["hint"]
    assert not state_file.exists()


def test_authorize_refuses_to_overwrite_a_state_file(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    state_file.write_text("{}")
    code, _, err = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file))
    assert code == EXIT_USAGE and "already exists" in err


# -- other commands ---------------------------------------------------------------------------------


def test_discover_and_probe_json(capsys, provider):
    code, out, _ = run_cli(capsys, "discover", provider.issuer, "--json")
    assert code == EXIT_OK and json.loads(out)["metadata"]["token_endpoint"] == provider.token_url
    code, out, err = run_cli(capsys, "probe", "--issuer", provider.issuer, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--json")
    assert code == EXIT_OK, err
    verdicts = {row["key"]: row["verdict"] for row in json.loads(out)["rows"]}
    assert verdicts["state_required"] == "yes" and verdicts["pkce_required"] == "yes"


def test_probe_human_output(capsys, provider):
    code, out, _ = run_cli(capsys, "probe", *code_args(provider))
    assert code == EXIT_OK
    assert "[  YES  ] Does the authorize endpoint reject a request without state?" in out


def test_inspect_from_stdin_verifies_with_the_discovered_jwks(capsys, provider, monkeypatch):
    code, out, _ = run_cli(capsys, "token", *client_args(provider), "--json", "--reveal")
    token = json.loads(out)["token"]["access_token"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
    code, out, err = run_cli(capsys, "inspect", "-", "--issuer", provider.issuer, "--json")
    assert code == EXIT_OK, err
    inspection = json.loads(out)["inspection"]
    assert inspection["signature"] == "verified"
    assert token not in out
    code, out, _ = run_cli(capsys, "inspect", token, "--jwks-url", provider.jwks_url)
    assert re.search(r"^signature\s+verified$", out, re.M)
    assert token not in out


def test_transcript_file_is_written_masked(capsys, provider, tmp_path):
    path = tmp_path / "transcript.csv"
    code, _, _ = run_cli(capsys, "token", *client_args(provider), "--transcript", str(path))
    text = path.read_text()
    assert code == EXIT_OK and "client credentials: token" in text
    assert CANARY_SECRET not in text and "eyJ" not in text


# -- exit codes -------------------------------------------------------------------------------------


def test_wrong_secret_exits_3(capsys, provider, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "wrong-secret-0123456789")
    code, _, err = run_cli(capsys, "token", *client_args(provider))
    assert code == EXIT_REFUSED and "invalid_client" in err and "hint:" in err


def test_nothing_listening_exits_5(capsys, provider):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run_cli(capsys, "token", "--token-url", f"http://127.0.0.1:{port}/token", "--client-id", "c",
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_TRANSPORT and "refused" in err


def test_missing_settings_exit_2(capsys, provider):
    code, _, err = run_cli(capsys, "token", "--client-id", "c", "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE and "token_url" in err
    code, _, err = run_cli(capsys, "token", *client_args(provider)[:-2], "--client-secret-env", "NO_SUCH_VAR_X")
    assert code == EXIT_USAGE and "NO_SUCH_VAR_X" in err


def test_a_secret_on_the_command_line_is_refused_without_echoing_it(capsys):
    for argv in (["token", "--client-secret", CANARY_SECRET], ["token", f"--client-secret={CANARY_SECRET}"],
                 ["token", "--clientsecret", CANARY_SECRET]):
        code, out, err = run_cli(capsys, *argv)  # run_cli() asserts the value is in neither stream
        assert code == EXIT_USAGE


def test_discovery_failures_exit_3_and_a_foreign_issuer_exits_4(capsys, scripted):
    code, _, err = run_cli(capsys, "discover", scripted.base)
    assert code == EXIT_REFUSED and "No provider metadata" in err
    scripted.routes["/.well-known/oauth-authorization-server"] = Reply(200, {"issuer": "https://other.example.com"})
    code, _, _ = run_cli(capsys, "discover", scripted.base)
    assert code == EXIT_MISMATCH


def test_exit_code_mapping():
    from widgets import (AuthorizationDenied, ConfigError, IssuerMismatchError, PastedRedirectError,
                         StateMismatchError, TokenEndpointError, TransportError, WebhookAuthError)
    from widgets.core.errors import DiscoveryError, DiscoveryIssuerMismatch

    assert exit_code_for(ConfigError({"x": ["y"]})) == 2
    assert exit_code_for(PastedRedirectError("x")) == 2
    assert exit_code_for(TokenEndpointError("x")) == 3
    assert exit_code_for(AuthorizationDenied("access_denied")) == 3
    assert exit_code_for(DiscoveryError("x")) == 3
    assert exit_code_for(StateMismatchError("x")) == 4
    assert exit_code_for(IssuerMismatchError("x")) == 4
    assert exit_code_for(DiscoveryIssuerMismatch("x")) == 4
    assert exit_code_for(TransportError("x", reason="timeout")) == 5
    assert exit_code_for(WebhookAuthError("x")) == 1
    assert exit_code_for(RuntimeError("x")) == 1


def test_a_world_readable_secret_file_gets_a_warning(capsys, provider, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(provider.client_secret + "\n")
    secret_file.chmod(0o644)
    code, _, err = run_cli(capsys, "token", "--token-url", provider.token_url, "--client-id", provider.client_id,
                       "--client-secret-file", str(secret_file))
    assert code == EXIT_OK and "chmod 600" in err


# -- as a program -------------------------------------------------------------------------------------


def test_help_documents_exit_codes_and_the_ps_warning():
    out = subprocess.run([sys.executable, "-m", "widgets", "--help"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0
    assert "exit codes: 0 ok, 2 usage/config error, 3 provider refused" in out.stdout
    assert "ps" in out.stdout
    out = subprocess.run([sys.executable, "-m", "widgets", "token", "--help"], capture_output=True, text=True,
                         cwd=REPO)
    assert "never on the command line" in " ".join(out.stdout.split()) and "--client-secret-file" in out.stdout
    assert "--insecure" not in out.stdout


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == EXIT_USAGE


def test_demo_runs_in_the_foreground_until_ctrl_c(capsys, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "widgets", "demo", "--require-state"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:  # blocks until the demo prints; no sleeping
            lines.append(line)
            if "Serving until Ctrl-C" in line:
                break
        fields = dict(line.split(None, 1) for line in lines if line.startswith("  ") and len(line.split()) >= 2)
        issuer = fields["issuer"].strip()
        secret_file = Path(fields["client_secret_file"].strip())
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        secret = secret_file.read_text().strip()
        assert secret not in "".join(lines)  # printed masked; the file holds it
        code = main(["probe", "--issuer", issuer, "--client-id", "demo-client", "--client-secret-file",
                     str(secret_file), "--json"])
        out = capsys.readouterr().out
        assert code == EXIT_OK
        assert {r["key"]: r["verdict"] for r in json.loads(out)["rows"]}["state_required"] == "yes"
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=30)
        rest = proc.stdout.read() + proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert rc == 0, rest
    assert not secret_file.exists()


def test_authorize_with_loopback_catches_the_redirect_and_finishes(capsys, provider, monkeypatch):
    import queue
    import threading

    import requests

    from widgets.cli import output

    shown: "queue.Queue[str]" = queue.Queue()
    monkeypatch.setattr(output._Out, "info", lambda self, text: shown.put(text))
    result = {}
    args = ["authorize", "--loopback", "--auth-url", provider.auth_url, *client_args(provider),
            "--issuer", provider.issuer, "--json"]
    worker = threading.Thread(target=lambda: result.setdefault("code", main(args)))
    worker.start()
    try:
        text = shown.get(timeout=30)  # the link, printed before waiting
        link = next(w for w in text.split() if w.startswith(provider.auth_url))
        assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in link
        requests.get(provider.approve(link), timeout=10)  # the browser follows the redirect
    finally:
        worker.join(timeout=60)
    out = capsys.readouterr().out
    assert result["code"] == EXIT_OK
    assert json.loads(out)["token"]["access_token"].startswith("****")
    assert CANARY_SECRET not in out and "eyJ" not in out


def test_a_loopback_wait_that_times_out_exits_1_with_a_hint(capsys, provider, monkeypatch):
    from widgets.cli import output

    monkeypatch.setattr(output._Out, "info", lambda self, text: None)
    code, _, err = run_cli(capsys, "authorize", "--loopback", "--wait", "0.01", "--auth-url", provider.auth_url,
                       *client_args(provider))
    assert code == 1 and "No redirect arrived" in err and "hint:" in err


@pytest.mark.parametrize("argv", [["demo", "--port", "70000"], ["token", "--timeout", "0"],
                                  ["authorize", "--loopback", "--wait", "never"]])
def test_out_of_range_numbers_are_usage_errors(capsys, argv):
    assert run_cli(capsys, *argv)[0] == EXIT_USAGE


def test_a_state_file_others_can_write_is_refused(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    location = provider.approve(json.loads(out)["authorize_url"])
    state_file.chmod(0o666)
    code, _, err = run_cli(capsys, "exchange", location, "--state-file", str(state_file),
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE and "writable by other users" in err
    assert [r for r in provider.token_requests if r["grant_type"] == "authorization_code"] == []


def private_file(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("data, says", [
    ({"format": "someone-else/session", "state": "abc"}, "format is not"),
    ([1, 2, 3], "must be a JSON object"),
    ({"format": "webhook-oauth-lab/pending-authorization", "version": 2}, "version is not 1"),
])
def test_a_foreign_state_file_is_a_usage_error_naming_the_file(capsys, tmp_path, data, says):
    state_file = private_file(tmp_path / "pending.json", data)
    code, out, err = run_cli(capsys, "exchange", "https://app.example.com/cb?code=abc&state=abc",
                         "--state-file", str(state_file), "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE
    assert f"{state_file} is not a state file written by `authorize`" in err and says in err
    assert "hint:" in err and "fresh authorize link" in err
    assert state_file.exists()


def test_a_state_file_without_its_settings_is_refused_before_any_token_request(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    code, out, _ = run_cli(capsys, "authorize", *code_args(provider), "--state-file", str(state_file), "--json")
    location = provider.approve(json.loads(out)["authorize_url"])
    saved = json.loads(state_file.read_text())
    del saved["config"]
    state_file.unlink()
    private_file(state_file, saved)
    code, _, err = run_cli(capsys, "exchange", location, "--state-file", str(state_file), "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE and "is damaged (no settings)" in err
    assert [r for r in provider.token_requests if r["grant_type"] == "authorization_code"] == []
