"""A token or a pasted address given as an argument (visible in `ps`) works, with a warning to use `-`."""

from __future__ import annotations

import io
import json
import sys

from tests.support.canaries import CANARY_SECRET
from widgets.cli.main import EXIT_OK, main

SECRET_ENV = "WEBHOOK_LAB_ARGS_SECRET"
WARNING = "was given on the command line, where `ps` shows it to every user"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def a_token(capsys, demo, monkeypatch) -> str:
    monkeypatch.setenv(SECRET_ENV, demo.client_secret)
    code, out, _ = run(capsys, "token", "--token-url", demo.token_url, "--client-id", demo.client_id,
                       "--client-secret-env", SECRET_ENV, "--json", "--reveal")
    return json.loads(out)["token"]["access_token"]


def test_a_token_as_an_argument_is_inspected_with_a_warning_that_says_why_and_what_instead(capsys, demo,
                                                                                           monkeypatch):
    token = a_token(capsys, demo, monkeypatch)
    code, out, err = run(capsys, "inspect", token, "--jwks-url", demo.jwks_url)
    assert code == EXIT_OK
    assert "signature" in out and "verified" in out
    assert err.startswith("warning: the token " + WARNING)
    assert "Give - instead" in err and "standard input" in err
    assert token not in err and token not in out


def test_a_token_from_standard_input_gets_no_warning(capsys, demo, monkeypatch):
    token = a_token(capsys, demo, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
    code, out, err = run(capsys, "inspect", "-", "--jwks-url", demo.jwks_url, "--json")
    assert code == EXIT_OK and json.loads(out)["inspection"]["signature"] == "verified"
    assert "warning" not in err and WARNING not in err


def test_a_pasted_address_as_an_argument_gets_the_warning_without_its_code(capsys, make_demo, monkeypatch, tmp_path):
    demo = make_demo(client_secret=CANARY_SECRET)
    monkeypatch.setenv(SECRET_ENV, demo.client_secret)
    state_file = tmp_path / "pending.json"
    code, out, _ = run(capsys, "authorize", "--auth-url", demo.auth_url, "--token-url", demo.token_url,
                       "--client-id", demo.client_id, "--client-secret-env", SECRET_ENV,
                       "--redirect-uri", demo.callback_url, "--state-file", str(state_file), "--json")
    landed = demo.approve(json.loads(out)["authorize_url"])
    code, out, err = run(capsys, "exchange", landed, "--state-file", str(state_file), "--client-secret-env", SECRET_ENV)
    assert code == EXIT_OK
    assert err.startswith("warning: the pasted address " + WARNING)
    code_value = landed.split("code=", 1)[1].split("&", 1)[0]
    assert code_value not in err and code_value not in out


def test_the_help_and_the_readme_prefer_standard_input():
    from pathlib import Path

    from widgets.cli.parser import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("inspect", "exchange"):
        assert "`ps`" in sub.choices[name].format_help()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith(".venv/bin/python -m widgets ")]
    assert {line.split()[3] for line in commands} >= {"inspect", "exchange"}
    for line in commands:
        words = line.split("#", 1)[0].split()
        if words[3] in ("inspect", "exchange"):
            assert words[4:] == ["-"], line
