"""The transcript's response headers, raw HTTP, HAR 1.2, Mermaid diagram and CSV, all masked."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import datetime

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.configs import code_config
from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, Transcript, WebhookAuthConfig, send_test_webhook
from widgets.core.redact import redact_header_pairs
from widgets.core.sequence import MAX_DRAWN, mermaid_markdown, transcript_mermaid
from widgets.core.transcript import spreadsheet_safe

COOKIE = "sessioncanary-0a9b8c7d6e5f4"
NONCE = "noncecanary-11aa22bb33cc"


def two_cookies(handler, _stop):
    """A 401 with two Set-Cookie lines and a Digest-style challenge, as a real server sends."""
    body = b'{"error":"invalid_client","error_description":"client authentication failed"}'
    handler.send_response(401, "Unauthorized")
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Set-Cookie", f"sid={COOKIE}; Path=/; HttpOnly")
    handler.send_header("Set-Cookie", f"csrf={COOKIE}x; Path=/; Secure")
    handler.send_header("WWW-Authenticate", f'Digest realm="lab", nonce="{NONCE}", opaque="{NONCE}o"')
    handler.send_header("WWW-Authenticate", 'Bearer error="invalid_token", error_description="expired"')
    handler.send_header("X-Auth-Token", NONCE + "t")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def refused_fetch(scripted) -> Transcript:
    scripted.routes["/token"] = Reply(action=two_cookies)
    transcript = Transcript()
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                            client_id="lab-client", client_secret=CANARY_SECRET)
    with pytest.raises(Exception):
        ClientCredentialsFlow(cfg, transcript).fetch_token()
    return transcript


def test_response_headers_are_recorded_each_line_with_secrets_masked(scripted):
    row = refused_fetch(scripted)[-1]
    names = [name for name, _ in row.response_headers]
    assert names.count("Set-Cookie") == 2 and names.count("WWW-Authenticate") == 2
    headers = dict(row.response_headers)
    assert headers["Content-Type"] == "application/json"
    shown = repr(row.response_headers)
    assert COOKIE not in shown and NONCE not in shown
    cookies = [v for k, v in row.response_headers if k == "Set-Cookie"]
    assert cookies[0].startswith("sid=****") and cookies[0].endswith("; Path=/; HttpOnly")
    challenges = [v for k, v in row.response_headers if k == "WWW-Authenticate"]
    assert challenges[0] == 'Digest realm="lab", nonce="****", opaque="****"'
    assert challenges[1] == 'Bearer error="invalid_token", error_description="expired"'  # why it was refused
    assert headers["X-Auth-Token"].startswith("****")
    assert row.status_text == "Unauthorized" and row.http_version.startswith("HTTP/1")


def test_raw_http_shows_the_exchange_whole_and_masked(scripted):
    row = refused_fetch(scripted)[-1]
    raw = row.raw_http()
    request, _, response = raw.partition("\n\nHTTP/1")
    assert request.startswith("POST /token HTTP/1.1\nHost: 127.0.0.1:")
    assert "Content-Type: application/x-www-form-urlencoded" in request
    assert "grant_type=client_credentials" in request
    assert response.split("\n", 1)[0].endswith(" 401 Unauthorized")
    assert "Set-Cookie: sid=****" in response and '"error": "invalid_client"' in response
    for secret in (CANARY_SECRET, COOKIE, NONCE):
        assert secret not in raw


def test_browser_legs_are_their_own_kind_and_say_what_they_were(demo):
    transcript = Transcript()
    flow = AuthorizationCodeFlow(code_config(demo), transcript)
    request = flow.begin()
    flow.complete(demo.approve(request.url))
    kinds = [(e.kind, e.step) for e in transcript]
    assert kinds[0] == ("browser", "authorization code: authorize link")
    assert kinds[1] == ("browser", "authorization code: pasted redirect")
    assert kinds[-1] == ("http", "authorization code: exchange")
    link, pasted = transcript[0], transcript[1]
    assert link.method == "GET" and link.status is None
    assert "In the person's browser" in link.raw_http() and "To open there (GET): http" in link.raw_http()
    assert "Pasted back: " in pasted.raw_http() and "HTTP/1.1" not in pasted.raw_http()
    with pytest.raises(ValueError):
        transcript.record("x", kind="telepathy")


def test_har_is_valid_1_2_one_entry_per_http_exchange(demo, scripted):
    transcript = Transcript()
    flow = AuthorizationCodeFlow(code_config(demo), transcript)
    flow.complete(demo.approve(flow.begin().url))
    send_test_webhook(WebhookAuthConfig(auth_type="token", token=flow.token.access_token,
                                        webhook_url=demo.webhook_url), transcript)
    scripted.stop()  # nothing listens there now: a request that got no answer
    with pytest.raises(Exception):
        ClientCredentialsFlow(WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/t"),
                                                client_id="c", client_secret=CANARY_SECRET), transcript).fetch_token()
    har = json.loads(json.dumps(transcript.to_har()))  # JSON-clean
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] and log["creator"]["version"]
    http_rows = [e for e in transcript if e.kind == "http"]
    assert len(log["entries"]) == len(http_rows) == 3
    assert "authorize link" in log["comment"]
    for entry in log["entries"]:
        # the fields HAR 1.2 requires, with their types
        datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        assert isinstance(entry["time"], (int, float)) and entry["time"] >= 0
        req, resp = entry["request"], entry["response"]
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"):
            assert key in req, key
        for key in ("status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL",
                    "headersSize", "bodySize"):
            assert key in resp, key
        assert {"size", "mimeType"} <= set(resp["content"])
        assert all(set(h) == {"name", "value"} for h in req["headers"] + resp["headers"])
        assert entry["cache"] == {} and all(entry["timings"][k] >= 0 for k in ("send", "wait", "receive"))
    ok, webhook, failed = log["entries"]
    assert ok["response"]["status"] == 200 and ok["request"]["postData"]["mimeType"].startswith("application/x-www")
    assert webhook["response"]["headers"] and webhook["request"]["method"] == "POST"
    assert failed["response"]["status"] == 0 and failed["_error"]
    text = json.dumps(har)
    for secret in (CANARY_SECRET, flow.token.access_token, flow.token.refresh_token):
        assert secret not in text


def test_the_diagram_draws_each_exchange_between_lab_browser_and_hosts(demo):
    transcript = Transcript()
    flow = AuthorizationCodeFlow(code_config(demo), transcript)
    flow.complete(demo.approve(flow.begin().url))
    text = transcript_mermaid(transcript)
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert "    participant Person as Person's browser" in lines and "    participant Lab as This lab" in lines
    assert any(re.fullmatch(r"    Person->>H1: GET /authorize\?…", line) for line in lines)
    assert any(line.startswith("    Lab->>H1: POST /token") for line in lines)
    assert any(line.startswith("    H1-->>Lab: 200") for line in lines)
    assert flow.token.access_token not in text and "code=" not in text
    assert mermaid_markdown(transcript).startswith("```mermaid\nsequenceDiagram\n")


def test_provider_text_cannot_break_out_of_the_diagram():
    transcript = Transcript()
    hostile = 'OK"; end\nparticipant X as <img src=x onerror=alert(1)> #59; %%{init: {}}%% `x`'
    transcript.record("token", method="POST", url="https://idp.example/token", status=400,
                      status_text=hostile, outcome="error", error=ValueError(hostile))
    text = transcript_mermaid(transcript)
    body = text.splitlines()[3:]
    assert len(body) == 3  # request, answer, note: the newline did not start a statement
    for line in body:
        label = line.split(": ", 1)[1]  # what follows the arrow is the provider's text
        bare = re.sub(r"#(\d+|quot|lt|gt|amp);", "", label)  # Mermaid's entity codes
        assert not set(bare) & set('";<>`%{}#')


def test_a_long_session_draws_the_latest_exchanges_and_says_how_many_were_left_out():
    transcript = Transcript()
    for i in range(MAX_DRAWN + 7):
        transcript.record(f"call {i}", method="GET", url="https://x.example/", status=204)
    text = transcript_mermaid(transcript)
    assert "7 earlier exchanges not drawn" in text
    assert "(call 7)" in text and "(call 6)" not in text


def test_csv_cells_a_spreadsheet_would_run_are_text_in_the_new_columns_too():
    transcript = Transcript()
    transcript.record("=HYPERLINK(\"http://evil\",\"x\")", method="GET", url="https://x.example/",
                      status=500, note="@SUM(1+1)", outcome="error", error=ValueError("+cmd|' /C calc'!A0"))
    row = next(csv.DictReader(io.StringIO(transcript.to_csv())))
    assert row["step"].startswith("'=") and row["note"].startswith("'@") and row["error"].startswith("'+")
    assert row["status"] == "500" and row["kind"] == "http"
    assert spreadsheet_safe(-1) == -1 and spreadsheet_safe("plain") == "plain"


def test_header_rules_by_name_and_by_value():
    shown = dict(redact_header_pairs([
        ("Cookie", "a=abcdefgh; b=12345678"), ("X-Api-Key", "k-1234567"),
        ("X-Debug", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
        ("WWW-Authenticate", "Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEF"),
        ("Cache-Control", "no-store"),
    ]))
    assert shown["Cookie"] == "a=****; b=****"
    assert shown["X-Api-Key"] == "****" and shown["X-Debug"].startswith("****")
    assert shown["WWW-Authenticate"] == "Negotiate ****"
    assert shown["Cache-Control"] == "no-store"


def test_the_diagram_module_needs_no_pandas():
    import subprocess

    code = ("import sys, widgets.core.sequence, widgets.core.transcript as t; "
            "t.Transcript().to_har(); assert 'pandas' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
