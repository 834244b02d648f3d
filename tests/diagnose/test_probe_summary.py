"""The probe says only what is so: TLS only over https, no "all done" when nothing answered."""

import socket

import pytest

from tests.support.configs import code_config
from widgets import WebhookAuthConfig
from widgets.diagnose.probe import probe


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_plain_http_token_endpoint_is_never_called_reachable_over_tls(make_demo):
    provider = make_demo()
    assert provider.token_url.startswith("http://")
    row = probe(code_config(provider))["token_endpoint"]
    assert row.verdict == "yes"
    assert "TLS" not in row.question.replace("no TLS", "")
    assert "plain http" in row.question and "plain http" in row.evidence


def test_a_probe_where_every_request_was_refused_is_an_error_summary():
    base = f"http://127.0.0.1:{closed_port()}"
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=base + "/authorize", token_url=base + "/token",
                               client_id="c", client_secret="s-0123456789", redirect_uri=base + "/cb", timeout=3)
    report = probe(config)
    assert report.requests_sent >= 2 and report.requests_answered == 0
    kind, text = report.summary()
    assert kind == "error"
    assert "answered none" in text and "done" not in text
    for row in report.rows:
        assert ".." not in row.evidence.replace("…", ""), row.evidence
        assert row.verdict != "yes", row


def test_a_healthy_provider_summary_counts_the_verdicts(make_demo):
    report = probe(code_config(make_demo(require_state=True)))
    kind, text = report.summary()
    assert report.requests_answered == report.requests_sent > 0
    assert text.startswith("7 questions: ")
    assert kind == "ok" and "1 finding needs attention" in text  # state is required
    assert report["state_required"].outcome == "bad" and report["token_endpoint"].outcome == "good"


def test_nothing_sent_is_not_reported_as_checked():
    kind, text = probe(WebhookAuthConfig(auth_type="oauth_code")).summary()
    assert kind == "warning" and text.startswith("Nothing was sent")
