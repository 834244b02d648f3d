"""The command line ends with the error's own exit_code, and prints provider text plain."""

from __future__ import annotations

import json
import socket

from tests.support.hostile import HOSTILE_DESCRIPTION, HOSTILE_ERROR, assert_plain
from tests.support.servers import Reply
from widgets.cli.main import main
from widgets.core.errors import DiscoveryIssuerMismatch, TokenEndpointError, TransportError

SECRET_ENV = "WEBHOOK_LAB_TEST_SECRET"


def token_args(url: str, *extra: str) -> list[str]:
    return ["token", "--token-url", url, "--client-id", "client", "--client-secret-env", SECRET_ENV, *extra]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_token_request_exits_with_its_code_and_prints_the_provider_plain(scripted, capsys, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "s3cret-value-long-enough")
    scripted.routes["/token"] = Reply(400, {"error": HOSTILE_ERROR, "error_description": HOSTILE_DESCRIPTION})
    assert main(token_args(scripted.url("/token"))) == TokenEndpointError.exit_code == 3
    err = capsys.readouterr().err
    assert_plain(err, HOSTILE_ERROR, HOSTILE_DESCRIPTION)

    assert main(token_args(scripted.url("/token"), "--json")) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["exit_code"] == 3 and answer["error"]["type"] == "TokenEndpointError"
    assert_plain(answer["error"]["message"], HOSTILE_ERROR, HOSTILE_DESCRIPTION)
    assert_plain(answer["error"]["hint"], HOSTILE_ERROR)


def test_no_http_answer_exits_with_the_transport_code(capsys, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "s3cret-value-long-enough")
    url = f"http://127.0.0.1:{closed_port()}/token"
    assert main(token_args(url, "--json")) == TransportError.exit_code == 5
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "TransportError"


def test_a_foreign_issuer_in_the_metadata_exits_with_the_mismatch_code(scripted, capsys):
    scripted.routes["/.well-known/oauth-authorization-server"] = Reply(200, {"issuer": "https://other.example.com"})
    assert main(["discover", scripted.base, "--json"]) == DiscoveryIssuerMismatch.exit_code == 4
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "DiscoveryIssuerMismatch"
