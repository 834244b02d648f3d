"""The probe's verdicts match how each provider is configured, with a fix in plain words."""

import socket

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.configs import cc_config, code_config
from tests.support.imports import loaded_by
from tests.support.servers import Reply
from widgets import Transcript
from widgets.diagnose.discovery import discover
from widgets.diagnose.probe import MANUAL_FLOW_FIX, ProbeReport, probe

KEYS = ["token_endpoint", "client_secret_basic", "client_secret_post", "scopes",
        "redirect_uri", "state_required", "pkce_required"]


@pytest.mark.parametrize("settings, expected", [
    (dict(require_state=True, require_pkce=True),
     dict(state_required="yes", pkce_required="yes", client_secret_basic="yes", client_secret_post="yes")),
    (dict(), dict(state_required="no", pkce_required="no", client_secret_basic="yes", client_secret_post="yes")),
    (dict(require_state=True), dict(state_required="yes", pkce_required="no")),
    (dict(require_pkce=True), dict(state_required="no", pkce_required="yes")),
    (dict(client_auth_methods=("client_secret_basic",)), dict(client_secret_basic="yes", client_secret_post="no")),
    (dict(client_auth_methods=("client_secret_post",)), dict(client_secret_basic="no", client_secret_post="yes")),
], ids=["requires-state-and-pkce", "requires-neither", "requires-state", "requires-pkce", "basic-only",
        "post-only"])
def test_verdicts_match_the_provider_configuration(make_demo, settings, expected):
    provider = make_demo(**settings)
    report = probe(code_config(provider, scope="alerts:write"), metadata=discover(provider.issuer))
    assert [row.key for row in report.rows] == KEYS
    verdicts = report.verdicts()
    assert verdicts["token_endpoint"] == "yes"
    assert verdicts["redirect_uri"] == "yes"
    assert verdicts["scopes"] == "yes"
    for key, verdict in expected.items():
        assert verdicts[key] == verdict, (key, report[key])
    for row in report.rows:
        assert row.question and row.evidence


def test_required_state_comes_with_the_manual_flow_fix(make_demo):
    provider = make_demo(require_state=True)
    row = probe(code_config(provider))["state_required"]
    assert row.verdict == "yes"
    assert "requires state" in row.fix and MANUAL_FLOW_FIX in row.fix
    assert "state parameter is required" in row.evidence  # the provider's own error_description


def test_not_required_means_not_rejected_before_login(make_demo):
    row = probe(code_config(make_demo()))["state_required"]
    assert row.verdict == "no"
    assert "login page" in row.evidence and "not refused before login" in row.evidence


def test_the_fix_names_the_method_the_server_accepts(make_demo):
    provider = make_demo(client_auth_methods=("client_secret_post",))
    report = probe(cc_config(provider))
    assert "client_secret_post" in report["client_secret_basic"].fix
    assert "invalid_client" in report["client_secret_basic"].evidence
    assert "Set Client authentication = client_secret_post" in report["client_secret_post"].fix


def test_wrong_secret_is_no_with_both_methods(make_demo):
    provider = make_demo()
    report = probe(cc_config(provider, client_secret="not-the-right-secret-at-all"))
    assert report["client_secret_basic"].verdict == report["client_secret_post"].verdict == "no"
    assert "both methods" in report["client_secret_basic"].fix
    assert report["scopes"].verdict == "unknown"


def test_without_a_secret_the_client_auth_rows_are_skipped(make_demo):
    provider = make_demo()
    report = probe(code_config(provider, client_secret=""))
    assert report["client_secret_basic"].verdict == "skipped"
    assert report["client_secret_post"].verdict == "skipped"
    assert report["scopes"].verdict == "skipped"
    assert report["state_required"].verdict == "no"  # the authorize checks need no secret
    assert not [r for r in provider.token_requests if r["client_auth"]]


def test_an_unregistered_redirect_uri_is_refused_and_state_cannot_be_told(make_demo):
    provider = make_demo(require_state=True)
    report = probe(code_config(provider, redirect_uri="https://elsewhere.example.com/cb"))
    row = report["redirect_uri"]
    assert row.verdict == "no"
    assert "HTTP 400" in row.evidence
    assert "Register exactly https://elsewhere.example.com/cb" in row.fix
    assert report["state_required"].verdict == "unknown"
    assert report["pkce_required"].verdict == "unknown"


def test_authorize_requests_are_never_followed_nor_logged_in(make_demo):
    provider = make_demo(require_state=True, require_pkce=True)
    transcript = Transcript()
    probe(code_config(provider), transcript=transcript)
    sent = provider.authorize_requests
    assert len(sent) == 3
    assert "state" not in sent[1]["params"] and "code_challenge" in sent[1]["params"]
    assert "state" in sent[2]["params"] and "code_challenge" not in sent[2]["params"]
    # Only the three GETs: no sign-in form was posted, no code was exchanged.
    assert [r for r in provider.token_requests if r["grant_type"] == "authorization_code"] == []
    steps = [row.step for row in transcript]
    assert steps.count("probe: authorize without state") == 1
    assert all(row.method == "GET" for row in transcript if row.step.startswith("probe: authorize"))


def test_narrowed_scopes_are_reported_with_what_is_missing(scripted):
    scripted.routes["/token"] = lambda seen: (
        Reply(401, {"error": "invalid_client"}) if "Authorization" not in seen["headers"]
        and "client_secret" not in seen["body"]
        else Reply(200, {"access_token": "opaque-token-value-1234567890", "token_type": "Bearer",
                         "expires_in": 60, "scope": "alerts:write"}))
    config = cc_config_for(scripted, scope="alerts:write alerts:read")
    row = probe(config)["scopes"]
    assert row.verdict == "no"
    assert "Not granted: alerts:read" in row.fix
    assert "Granted: alerts:write" in row.evidence


def cc_config_for(scripted, **changes):
    from widgets import WebhookAuthConfig

    return WebhookAuthConfig(token_url=scripted.url("/token"), client_id="client",
                             client_secret="secret-value-long-enough", **changes)


def test_an_html_token_url_is_reachable_but_flagged(scripted):
    scripted.routes["/token"] = Reply(200, "<html><title>Portal</title></html>", content_type="text/html")
    row = probe(cc_config_for(scripted))["token_endpoint"]
    assert row.verdict == "yes"
    assert "HTML page" in row.evidence and "not a token endpoint" in row.fix


def test_plain_http_on_loopback_is_noted_as_such(make_demo):
    row = probe(cc_config(make_demo()))["token_endpoint"]
    assert "plain http on the loopback interface" in row.evidence


def test_unreachable_token_endpoint_skips_the_credential_checks():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from widgets import WebhookAuthConfig

    report = probe(WebhookAuthConfig(token_url=f"http://127.0.0.1:{port}/token", client_id="c",
                                     client_secret="secret-value-long-enough"))
    assert report["token_endpoint"].verdict == "no"
    assert "port" in report["token_endpoint"].fix
    assert report["client_secret_basic"].verdict == "skipped"
    assert report["redirect_uri"].verdict == "skipped"  # no Auth URL configured


def test_metadata_fills_the_urls(make_demo):
    from widgets import WebhookAuthConfig

    provider = make_demo()
    config = WebhookAuthConfig(auth_type="oauth_code", client_id=provider.client_id,
                               client_secret=provider.client_secret)
    report = probe(config, metadata=discover(provider.issuer))
    assert report["token_endpoint"].verdict == "yes"
    assert report["redirect_uri"].verdict == "yes"
    assert "metadata advertises" in report["client_secret_basic"].evidence


def test_no_secret_in_rows_or_transcript(make_demo):
    provider = make_demo(client_secret=CANARY_SECRET)
    transcript = Transcript()
    report = probe(code_config(provider), transcript=transcript)
    assert report["client_secret_basic"].verdict == "yes"  # the canary, form-encoded, was accepted
    text = report.to_text() + repr(report.to_dicts()) + transcript.to_csv()
    assert CANARY_SECRET not in text
    assert "canary-SECRET" not in text


def test_to_dataframe_has_the_four_columns(make_demo):
    frame = probe(cc_config(make_demo())).to_dataframe()
    assert list(frame.columns) == ["question", "evidence", "verdict", "fix"]
    assert len(frame) == len(KEYS)


def test_report_lookup_by_key():
    report = ProbeReport([])
    with pytest.raises(KeyError):
        report["state_required"]


def test_importing_the_diagnostics_loads_neither_pandas_nor_jwt():
    modules = ["widgets.diagnose.probe", "widgets.diagnose.discovery", "widgets.diagnose.inspect_token",
               "widgets.diagnose.catcher", "widgets.diagnose.paste_ready", "widgets.cli.commands"]
    assert loaded_by(modules, ("pandas", "ipywidgets", "jwt", "werkzeug")) == []


# -- other servers' ways of answering ------------------------------------------------------------------


def authorize_config(scripted, **changes):
    from widgets import WebhookAuthConfig

    settings = dict(auth_type="oauth_code", auth_url=scripted.url("/authorize"), token_url=scripted.url("/token"),
                    client_id="client")
    return WebhookAuthConfig(**{**settings, **changes})


def test_a_redirect_to_a_login_page_is_not_a_rejection(scripted):
    scripted.routes["/authorize"] = Reply(302, "", headers={"Location": "/login?return=%2Fauthorize"})
    report = probe(authorize_config(scripted))
    assert report["redirect_uri"].verdict == "yes"
    assert report["state_required"].verdict == "no"
    assert "/login" in report["state_required"].evidence
    assert len(scripted.requests_to("/login")) == 0  # read, never followed


def test_an_error_in_the_fragment_of_the_redirect_counts(scripted):
    from widgets import THOUSANDEYES_REDIRECT_URI

    def answer(seen):
        if "code_challenge=" not in seen["url"]:
            return Reply(302, "", headers={"Location": THOUSANDEYES_REDIRECT_URI
                                           + "#error=invalid_request&error_description=PKCE+required"})
        return Reply(200, "<html><title>Sign in</title></html>", content_type="text/html")

    scripted.routes["/authorize"] = answer
    report = probe(authorize_config(scripted))
    assert report["pkce_required"].verdict == "yes"
    assert "PKCE required" in report["pkce_required"].evidence
    assert report["state_required"].verdict == "no"


def test_an_error_page_served_with_200_is_recognised(scripted):
    scripted.routes["/authorize"] = Reply(200, "<html><title>Error: invalid redirect_uri</title></html>",
                                          content_type="text/html")
    report = probe(authorize_config(scripted))
    assert report["redirect_uri"].verdict == "no"
    assert report["state_required"].verdict == "unknown"


def test_an_authorize_url_with_its_own_query_keeps_it(scripted):
    scripted.routes["/authorize"] = Reply(200, "<html><title>Sign in</title></html>", content_type="text/html")
    probe(authorize_config(scripted, auth_url=scripted.url("/authorize?p=B2C_1_signin")))
    assert all("p=B2C_1_signin" in r["url"] for r in scripted.requests_to("/authorize"))


@pytest.mark.parametrize("auth_type", ["basic", "token", "oauth_client_credentials", "oauth_code"])
def test_plain_http_to_a_remote_host_is_never_contacted_whatever_the_auth_type(auth_type):
    # The probe asks about both endpoints of every config, also those its type does not use.
    from widgets import WebhookAuthConfig

    transcript = Transcript()
    report = probe(WebhookAuthConfig(auth_type=auth_type, token_url="http://login.example.com/token",
                                     auth_url="http://login.example.com/authorize", client_id="c",
                                     client_secret="secret-value-long-enough"), transcript=transcript)
    assert report["token_endpoint"].verdict == "no"
    assert "Not contacted: token url uses plain http" in report["token_endpoint"].evidence
    assert report["redirect_uri"].verdict == "skipped"
    assert "Not contacted: auth url uses plain http" in report["redirect_uri"].evidence
    assert not any("login.example.com" in (entry.url or "") for entry in transcript)
