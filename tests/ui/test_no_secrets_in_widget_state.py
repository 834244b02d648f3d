"""Whole sessions, every auth type: nothing a notebook could save holds a secret afterwards.

nbclient and JupyterLab can write every widget's state into the .ipynb, so that state is
checked after typing secrets, running the flow, revealing and hiding, and sending.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN
from tests.support.ui import one, run_device_flow, saved_state, tree, tree_state
from widgets import AuthType


def assert_clean(wizard, secrets):
    per_widget = tree_state(wizard)
    everything = saved_state()
    for secret in secrets:
        if secret:
            assert secret not in per_widget, f"...{secret[-4:]} in the wizard's widget state"
            assert secret not in everything, f"...{secret[-4:]} in the manager state"
    for widget in tree(wizard):
        if hasattr(widget, "value") and type(widget).__name__ == "Password":
            assert widget.value == ""


@pytest.mark.parametrize("auth_type", list(AuthType))
def test_a_whole_session_leaves_no_secret_in_widget_state(make_wizard, canary_demo, auth_type):
    wizard = make_wizard(auth_type, fill=False)
    details = wizard.details_step
    one(wizard, "wal-fill-demo").click()
    # a person typing the secrets by hand as well, over what the fill stored
    if auth_type is AuthType.BASIC:
        details.field("password").value = CANARY_PASSWORD
    elif auth_type is AuthType.TOKEN:
        pass  # the fill fetched a real token; a typed canary would not be accepted by the receiver
    else:
        one(wizard, "wal-client-secret").value = CANARY_SECRET
    assert wizard.next(), details.message
    run = wizard.run_step
    pasted_code = device_code = None
    if auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS:
        one(run, "wal-get-token").click()
    elif auth_type is AuthType.OAUTH_CODE:
        one(run, "wal-build-link").click()
        landed = canary_demo.approve(run.authorize_url)
        pasted_code = parse_qs(urlsplit(landed).query)["code"][0]
        one(run, "wal-paste").value = landed
        one(run, "wal-exchange").click()
    elif auth_type is AuthType.DEVICE:
        run_device_flow(wizard)
        device_code = run.device_panel.device.device_code
    else:
        one(run, "wal-reveal").value = True
        one(run, "wal-reveal").value = False
    assert run.message_kind in ("", "ok"), run.message
    wizard.next()
    result = wizard.result_step
    one(result, "wal-reveal").value = True
    one(result, "wal-reveal").value = False
    one(result, "wal-send-webhook").click()
    assert result.delivery.status == 200, result.message
    wizard.next()
    one(wizard, "wal-refresh").click()
    table = wizard.results_table_step
    for number in range(1, len(wizard.transcript) + 1):  # every exchange shown as raw HTTP once
        table.select(number)
    downloads = [one(table, f"wal-export-{kind}").click() for kind in ("csv", "html", "har")]

    token = wizard.token
    secrets = [CANARY_SECRET, CANARY_PASSWORD, pasted_code, device_code,
               wizard.model.authorization_header().partition(" ")[2]]
    if token is not None:
        secrets += [token.access_token, token.refresh_token]
    if wizard.model.authorization is not None:
        secrets.append(wizard.model.authorization.code_verifier)
    assert_clean(wizard, secrets)
    for download in downloads:
        for secret in secrets:
            if secret:
                assert secret not in download.text, f"...{secret[-4:]} in {download.filename}"


def test_response_headers_shown_as_raw_http_leave_no_secret_in_widget_state(scripted):
    from tests.support.servers import Reply
    from widgets import ClientCredentialsFlow, Transcript, WebhookAuthConfig, WebhookAuthError
    from widgets.ui import Wizard

    cookie = "canary-COOKIE-5a4b3c2d1e0f"
    scripted.routes["/token"] = Reply(401, {"error": "invalid_client"}, headers={
        "Set-Cookie": f"sid={cookie}; Path=/; HttpOnly",
        "WWW-Authenticate": f'Digest realm="x", nonce="{cookie}n"',
        "X-Session-Token": cookie + "s",
    })
    transcript = Transcript()
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                            client_id="c", client_secret=CANARY_SECRET)
    with pytest.raises(WebhookAuthError):
        ClientCredentialsFlow(cfg, transcript).fetch_token()
    wizard = Wizard(transcript=transcript)
    try:
        wizard.go_to("results_table")
        wizard.results_table_step.select(len(transcript))
        shown = wizard.results_table_step.raw_http_html
        assert "Set-Cookie: sid=****" in shown and "WWW-Authenticate: Digest realm=" in shown
        har = wizard.results_table_step.download("har").text
        assert "Set-Cookie" in har and cookie not in har
        assert_clean(wizard, [cookie, CANARY_SECRET])
    finally:
        wizard.close()


def test_a_config_given_with_secrets_never_reaches_a_widget(canary_demo):
    from widgets import WebhookAuthConfig
    from widgets.ui import Wizard

    config = WebhookAuthConfig(auth_type=AuthType.TOKEN, token=CANARY_TOKEN, client_secret=CANARY_SECRET,
                               password=CANARY_PASSWORD, webhook_url=canary_demo.webhook_url)
    wizard = Wizard(provider=canary_demo, config=config)
    try:
        for name in ("auth_type", "details", "run", "result", "results_table", "diagnose"):
            wizard.go_to(name)
        assert wizard.details_step.secret_hint("token").endswith(CANARY_TOKEN[-4:] + ")")
        assert_clean(wizard, [CANARY_TOKEN, CANARY_SECRET, CANARY_PASSWORD])
    finally:
        wizard.close()


def test_the_bare_code_choice_the_probe_and_paste_ready_leave_no_secret(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE)
    assert wizard.next(), wizard.details_step.message
    # as for a provider that does not always send iss, so that a bare code can be exchanged
    wizard.model._set_config(wizard.config.replace(require_iss=False))
    run = wizard.run_step
    one(run, "wal-build-link").click()
    landed = canary_demo.approve(run.authorize_url)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    one(run, "wal-paste").value = code
    one(run, "wal-exchange").click()  # refused: the bare code was not chosen
    assert run.message_kind == "error" and code not in run.message
    one(run, "wal-bare-code").value = True
    one(run, "wal-paste").value = code
    one(run, "wal-exchange").click()
    assert run.message_kind == "warning", run.message
    for name in ("wal-crumb-result", "wal-crumb-results_table", "wal-crumb-diagnose"):
        one(wizard, name).click()
    one(wizard, "wal-probe").click()
    one(wizard, "wal-paste-ready").click()
    # the probe found neither state nor PKCE required: the platform can use this provider itself
    assert "oauth-auth-code" in one(wizard, "wal-paste-ready-values").value
    token = wizard.token
    assert_clean(wizard, [CANARY_SECRET, code, token.access_token, token.refresh_token,
                          wizard.model.authorization.code_verifier])
