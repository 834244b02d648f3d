"""``python -m widgets scorecard``: against the demo (scripted logins), pasted logins, and logins
caught on loopback in a real subprocess; JSON, CSV and HTML output; no secret printed."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from tests.support.canaries import CANARY_SECRET
from widgets.cli.main import EXIT_OK, EXIT_USAGE, main
from widgets.diagnose.scorecard import check_keys

REPO = Path(__file__).resolve().parents[2]
SECRET_ENV = "WEBHOOK_LAB_TEST_SECRET"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/authorize\?\S+)")


@pytest.fixture
def provider(make_demo, monkeypatch):
    running = make_demo(client_secret=CANARY_SECRET)
    monkeypatch.setenv(SECRET_ENV, running.client_secret)
    return running


def provider_args(provider, *extra):
    return ["--auth-url", provider.auth_url, "--token-url", provider.token_url, "--client-id", provider.client_id,
            "--issuer", provider.issuer, "--client-secret-env", SECRET_ENV, "--scope", "alerts:write", *extra]


def test_scorecard_against_the_demo_prints_one_json_row_per_check(capsys):
    assert main(["scorecard", "--demo", "--json"]) == EXIT_OK
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert [row["key"] for row in document["checks"]] == check_keys()
    verdicts = {row["key"]: row["verdict"] for row in document["checks"]}
    assert verdicts["downgrade_refused"] == "enforces" and verdicts["state_required"] == "does not"
    assert "needs at most 10 login(s)" in captured.err
    assert "eyJ" not in captured.out + captured.err


def test_an_unknown_check_is_a_usage_error(capsys):
    assert main(["scorecard", "--demo", "--checks", "everything"]) == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


class _Person:
    """Standard input played by a person: reads the last link printed, logs in, pastes the answer."""

    def __init__(self, provider, capsys):
        self.provider, self.capsys, self.printed, self.logins = provider, capsys, [], 0

    def readline(self):
        self.printed.append(self.capsys.readouterr())
        links = LINK.findall(self.printed[-1].out + self.printed[-1].err)
        self.logins += 1
        return self.provider.approve(links[-1]) + "\n"


def test_pasted_logins_against_a_provider_and_the_exports(provider, capsys, monkeypatch, tmp_path):
    person = _Person(provider, capsys)
    monkeypatch.setattr(sys, "stdin", person)
    argv = ["scorecard", *provider_args(provider, "--redirect-uri", provider.callback_url),
            "--checks", "iss_returned", "state_required", "redirect_query",
            "--csv", str(tmp_path / "card.csv"), "--html", str(tmp_path / "card.html")]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "[   ENFORCES   ] Does the authorization response carry the right iss?" in out
    assert "[   DOES NOT   ] Is an authorization request without state refused?" in out
    assert person.logins == 3  # the demo accepts any path and query on loopback, so the query check logs in
    rows = list(csv.DictReader((tmp_path / "card.csv").open(encoding="utf-8")))
    assert [r["check"] for r in rows] == ["redirect_query", "state_required", "iss_returned"]
    page = (tmp_path / "card.html").read_text(encoding="utf-8")
    for text in (out, page, (tmp_path / "card.csv").read_text(encoding="utf-8"), *[p.out + p.err for p in person.printed]):
        assert CANARY_SECRET not in text and "eyJ" not in text


def test_an_empty_line_means_no_login_was_done(provider, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", type("Nobody", (), {"readline": lambda self: "\n"})())
    assert main(["scorecard", *provider_args(provider, "--redirect-uri", provider.callback_url),
                 "--checks", "iss_returned", "--json"]) == EXIT_OK
    row = json.loads(capsys.readouterr().out)["checks"][0]
    assert row["verdict"] == "could not tell"


def test_loopback_logins_are_caught_in_a_real_subprocess(provider):
    env = {**os.environ, SECRET_ENV: provider.client_secret, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "widgets", "scorecard", *provider_args(provider), "--loopback",
               "--checks", "iss_returned", "code_single_use", "--wait", "60", "--json"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    seen = []

    def person():
        for line in child.stderr:
            seen.append(line)
            found = LINK.search(line)
            if found:  # the person's browser: log in, then follow the redirect to the catcher
                try:
                    requests.get(provider.approve(found.group(1)), timeout=10)
                except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                    seen.append(f"the browser failed: {exc!r}\n")

    browsing = threading.Thread(target=person, daemon=True)
    browsing.start()
    # Only the person reads stderr: communicate() would read it too, and whichever read the line
    # with the link left the other without it (no login, then a 60 s wait for nothing).
    out = child.stdout.read()  # the child gives up by itself after --wait
    child.wait(timeout=150)
    browsing.join(timeout=10)
    assert child.returncode == EXIT_OK, "".join(seen)
    document = json.loads(out)
    assert document["logins"] == 2
    assert {r["key"]: r["verdict"] for r in document["checks"]} == {"code_single_use": "enforces",  # noqa: E501
                                                                   "iss_returned": "enforces"}, "".join(seen)
    assert CANARY_SECRET not in out + "".join(seen)
