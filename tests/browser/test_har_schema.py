"""The HAR the results view downloads is HAR 1.2 as the HAR schema has it (npm's har-validator,
the schema tools such as Chrome DevTools' importer follow), for a session with every kind of row:
a code flow against the demo, a delivery, a refused token request with cookies and a challenge,
and a request that got no answer. No browser needed; node and tests/browser's npm packages are."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.configs import code_config
from tests.support.servers import Reply
from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.client_credentials import ClientCredentialsFlow
from widgets.core.config import WebhookAuthConfig
from widgets.core.errors import TokenEndpointError, TransportError
from widgets.core.webhook import send_test_webhook

VALIDATOR = Path(__file__).resolve().parent / "node_modules" / "har-validator"

VALIDATE = """
const validate = require(process.argv[1]);
const har = JSON.parse(require('fs').readFileSync(0, 'utf8'));
validate.har(har).then(() => console.log('valid'), (e) => { console.log(JSON.stringify(e.errors || e.message)); process.exit(1); });
"""


def har_errors(har: dict) -> str:
    """'valid', or har-validator's errors."""
    node = shutil.which("node")
    if node is None or not VALIDATOR.exists():
        reason = "node or har-validator missing: npm ci --prefix tests/browser"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run([node, "-e", VALIDATE, str(VALIDATOR)], input=json.dumps(har), capture_output=True,
                          text=True, timeout=60)
    return done.stdout.strip() or done.stderr.strip()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_har_of_a_session_with_every_kind_of_row_is_valid_har_1_2(demo, scripted):
    flow = AuthorizationCodeFlow(code_config(demo, redirect_uri=demo.callback_url))
    token = flow.complete(demo.approve(flow.begin().url))
    transcript = flow.transcript
    send_test_webhook(code_config(demo, webhook_url=demo.webhook_url), transcript, token=token)
    scripted.routes["/token"] = Reply(401, {"error": "invalid_client"},
                                      headers={"WWW-Authenticate": 'Basic realm="x", error="invalid_client"',
                                               "Set-Cookie": "sid=s3ssion-cookie-0123456789; HttpOnly"})
    refused = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                                client_id="c", client_secret="har-secret-0123456789")
    with pytest.raises(TokenEndpointError):
        ClientCredentialsFlow(refused, transcript).fetch_token()
    unanswered = refused.replace(token_url=f"http://127.0.0.1:{closed_port()}/token", timeout=2)
    with pytest.raises(TransportError):
        ClientCredentialsFlow(unanswered, transcript).fetch_token()

    har = transcript.to_har()
    entries = har["log"]["entries"]
    assert {e["response"]["status"] for e in entries} >= {200, 401, 0}  # every kind is in it
    assert "pasted redirect" in har["log"]["comment"]  # the browser legs, named
    assert har_errors(har) == "valid"
    text = json.dumps(har)
    for secret in (token.access_token, "har-secret-0123456789", "s3ssion-cookie-0123456789", demo.client_secret):
        assert secret not in text


def test_the_validator_refuses_a_har_that_is_not_1_2():
    # The check above can fail: an entry without its request is refused.
    broken = {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"},
                      "entries": [{"startedDateTime": "2026-12-01T00:00:00.000Z", "time": 1, "cache": {},
                                   "timings": {"send": 0, "wait": 0, "receive": 0},
                                   "response": {"status": 200}}]}}
    assert har_errors(broken) != "valid"
