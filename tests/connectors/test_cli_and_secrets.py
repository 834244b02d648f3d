"""python -m widgets audit|push|keep end to end, and no secret in output, logs or reprs."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.canaries import CANARY_SECRET
from widgets.cli import main

from tests.support.connectors import CANARY_TE_TOKEN, bearer_connector, client_credentials_connector, code_connector

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch, provider, tmp_path):
    monkeypatch.setenv("TE_API_TOKEN", CANARY_TE_TOKEN)
    monkeypatch.setenv("LAB_CLIENT_SECRET", provider.client_secret)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_constants_are_the_librarys():
    from widgets.cli import connectors as cli
    from widgets.connectors import client

    assert (cli.TE_DEFAULT_HOST, cli.TE_TOKEN_ENV) == (client.TE_DEFAULT_HOST, client.TE_TOKEN_ENV)


def test_audit_push_and_keep_from_the_command_line_leak_nothing(stand_in, provider, login, env, capsys, monkeypatch,
                                                                caplog):
    caplog.set_level(logging.DEBUG)
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    stand_in.add_connector(client_credentials_connector(provider))
    stand_in.add_connector(code_connector(provider, refresh=login.refresh_token))
    host = ["--host", stand_in.base_url]
    outputs = []

    code, out, err = run(capsys, "audit", *host, "--json")
    outputs += [out, err]
    data = json.loads(out)
    assert code == 0 and data["ok"] and len(data["rows"]) == 3
    assert {r["client_accepted"] for r in data["rows"]} == {"not applicable", "yes"}

    monkeypatch.setenv("NEW_TOKEN", "pushed-by-hand-token-14fca013e592")
    code, out, err = run(capsys, "push", cid, *host, "--token-env", "NEW_TOKEN", "--json")
    outputs += [out, err]
    assert code == 0 and json.loads(out)["applied"] is False
    assert stand_in.connector(cid)["authentication"]["token"] == login.access_token  # a dry run
    code, out, err = run(capsys, "push", cid, *host, "--token-env", "NEW_TOKEN", "--apply")
    outputs += [out, err]
    assert code == 0 and "applied" in out
    assert stand_in.connector(cid)["authentication"]["token"] == "pushed-by-hand-token-14fca013e592"

    keep = ["keep", cid, *host, "--token-url", provider.token_url, "--client-id", provider.client_id,
            "--client-secret-env", "LAB_CLIENT_SECRET", "--store", "file"]
    code, out, err = run(capsys, *keep, "--seed-refresh-token", "-", stdin=login.refresh_token + "\n",
                         monkeypatch=monkeypatch)
    outputs += [out, err]
    assert code == 0 and "refreshed" in out and len(out.strip().splitlines()) == 1, (out, err)
    code, out, err = run(capsys, *keep, "--loop", "--runs", "2", "--every", "1", "--json")
    outputs += [out, err]
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0 and [line["action"] for line in lines] == ["kept", "kept"]

    secrets = [CANARY_TE_TOKEN, CANARY_SECRET, provider.client_secret, login.access_token, login.refresh_token,
               "pushed-by-hand-token-14fca013e592", stand_in.connector(cid)["authentication"]["token"]]
    stored = json.loads((env / "state" / "webhook-oauth-lab" / "refresh-tokens.json").read_text())
    secrets += [entry["refresh_token"] for entry in stored.values()]
    seen = "\n".join(outputs) + "\n" + caplog.text
    for secret in secrets:
        assert secret not in seen, f"a secret ending {secret[-4:]} leaked"


def test_a_refused_refresh_exits_3_and_says_what_to_do(stand_in, provider, login, env, capsys, monkeypatch):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    before = stand_in.connector_json(cid)
    code, out, err = run(capsys, "keep", cid, "--host", stand_in.base_url, "--token-url", provider.token_url,
                         "--client-id", provider.client_id, "--client-secret-env", "LAB_CLIENT_SECRET",
                         "--store", "file", "--force", "--seed-refresh-token", "-",
                         stdin="nobody-issued-this-refresh-token\n", monkeypatch=monkeypatch)
    assert code == 3 and "Log in by hand again" in err and out == ""
    assert "nobody-issued-this-refresh-token" not in out + err
    assert stand_in.connector_json(cid) == before


def test_no_te_token_is_exit_2_and_a_wrong_one_exit_3(stand_in, monkeypatch, capsys):
    monkeypatch.delenv("TE_API_TOKEN", raising=False)
    code, out, err = run(capsys, "audit", "--host", stand_in.base_url)
    assert code == 2 and "TE_API_TOKEN" in err
    monkeypatch.setenv("TE_API_TOKEN", "wrong-te-token-68381ebf18ef")
    code, out, err = run(capsys, "audit", "--host", stand_in.base_url, "--json")
    assert code == 3 and json.loads(out)["error"]["type"] == "TeApiError" and "wrong-te-token" not in out + err


def test_a_token_on_the_command_line_is_refused_without_repeating_it(capsys):
    for argv in (["audit", "--te-token", "secret-on-cli-0123"], ["push", "x", "--token", "secret-on-cli-0123"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and "secret-on-cli-0123" not in out + err


def test_plain_http_to_a_remote_te_host_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("TE_API_TOKEN", CANARY_TE_TOKEN)
    code, out, err = run(capsys, "audit", "--host", "http://api.example.com/v7")
    assert code == 2 and "plain http" in err


def test_python_dash_m_widgets_audit_runs_in_a_fresh_interpreter(stand_in):
    stand_in.make_connectors(3)
    done = subprocess.run([sys.executable, "-m", "widgets", "audit", "--host", stand_in.base_url, "--json"],
                          capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "TE_API_TOKEN": CANARY_TE_TOKEN, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["rows"]) == 3
    assert CANARY_TE_TOKEN not in done.stdout + done.stderr


def test_library_objects_keep_secrets_out_of_their_reprs(stand_in, te, provider, login, tmp_path):
    from widgets.connectors import KeepSettings, RefreshTokenStore, audit, plan_push

    cid = stand_in.add_connector(code_connector(provider, token=login.access_token, refresh=login.refresh_token))
    report = audit(te, progress=False)
    plan = plan_push(te, cid, token="another-token-993b1be274d8")
    settings = KeepSettings(cid, provider.token_url, provider.client_id, provider.client_secret)
    store = RefreshTokenStore("file", path=tmp_path / "rt.json")
    shown = " ".join(repr(o) for o in (report, report.rows, plan, settings, store, te, stand_in))
    shown += report.to_text() + plan.to_text() + report.to_dataframe().to_string()
    for secret in (CANARY_TE_TOKEN, provider.client_secret, login.access_token, login.refresh_token,
                   "another-token-993b1be274d8", "used-code-fd9f9258272c"):
        assert secret not in shown


def test_the_layer_imports_no_ipywidgets_and_the_core_never_imports_it():
    code = ("import sys, widgets.connectors, widgets.cli.connectors, widgets.connectors.audit;"
            "assert 'ipywidgets' not in sys.modules, 'ipywidgets';"
            "import widgets.core.token_endpoint, widgets.core.config")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    core = [p for p in (REPO / "widgets" / "core").glob("*.py")
            if re.search(r"^\s*(from|import)\s+(widgets\.connectors|\.\.connectors)", p.read_text(encoding="utf-8"), re.M)]
    assert not core, core


def test_the_stand_in_imports_nothing_of_the_toolkit():
    import ast

    tree = ast.parse((REPO / "widgets" / "demo" / "thousandeyes.py").read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith("widgets") or m.startswith(".")], imported
    levels = [n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any(levels), "no relative import"


def test_audit_deliver_from_the_command_line_leaks_nothing_and_without_it_sends_nothing(
        stand_in, provider, login, env, capsys, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    from widgets import AuthType, ClientCredentialsFlow, WebhookAuthConfig

    cc_token = ClientCredentialsFlow(WebhookAuthConfig(
        auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, token_url=provider.token_url, client_id=provider.client_id,
        client_secret=provider.client_secret, scope="alerts:write")).fetch_token().access_token
    stand_in.add_connector(bearer_connector(login.access_token, target=provider.webhook_url, name="pasted"))
    stand_in.add_connector(bearer_connector("refused-by-the-receiver-31c9e7a0", target=provider.webhook_url,
                                            name="refused"))
    stand_in.add_connector(code_connector(provider, token=login.access_token, refresh=login.refresh_token))
    cc = client_credentials_connector(provider)
    cc["authentication"]["token"] = cc_token
    stand_in.add_connector(cc)
    stand_in.add_connector({"type": "generic", "name": "with password", "target": provider.webhook_url,
                            "authentication": {"type": "basic", "username": provider.webhook_username,
                                               "password": provider.webhook_password}})
    provider.reset_records()
    host = ["--host", stand_in.base_url]
    outputs = []

    code, out, err = run(capsys, "audit", *host, "--json")
    outputs += [out, err]
    assert code == 0 and provider.webhook_deliveries == []  # never without --deliver
    assert {r["delivery"] for r in json.loads(out)["rows"]} == {"not asked"}

    code, out, err = run(capsys, "audit", *host, "--deliver", "--json")
    outputs += [out, err]
    data = json.loads(out)
    assert code == 0 and data["stats"]["deliveries"] == 5 == len(provider.webhook_deliveries)
    assert {r["name"]: (r["delivery"], r["delivery_status"]) for r in data["rows"]} == {
        "pasted": ("yes", 200), "refused": ("no", 401), "alerts-oauth-code": ("yes", 200),
        "alerts-cc": ("yes", 200), "with password": ("yes", 200)}
    code, out, err = run(capsys, "audit", *host, "--deliver", "--no-probe")
    outputs += [out, err]
    assert code == 0 and "delivery: no (HTTP 401)" in out

    done = subprocess.run([sys.executable, "-m", "widgets", "audit", *host, "--deliver", "--json"],
                          capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "TE_API_TOKEN": CANARY_TE_TOKEN, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    outputs += [done.stdout, done.stderr]
    # What the stand-in answered, as the tool received it (secrets echoed: echo_secrets=True).
    answers = json.dumps([stand_in.connector(i) for i in stand_in.connector_ids()])
    secrets = [CANARY_TE_TOKEN, CANARY_SECRET, provider.client_secret, login.access_token, login.refresh_token,
               cc_token, provider.webhook_password, "refused-by-the-receiver-31c9e7a0", "used-code-fd9f9258272c"]
    assert all(s in answers for s in secrets if s not in (CANARY_TE_TOKEN, CANARY_SECRET))
    seen = "\n".join(outputs) + "\n" + caplog.text
    for secret in secrets:
        assert secret not in seen, f"a secret ending {secret[-4:]} leaked"
