"""Step 4: the token masked/revealed/copyable, its claims and expiry, and the test delivery."""

from __future__ import annotations

import html

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET
from tests.support.ui import one, run_code_flow, run_device_flow, saved_state, tree_state
from widgets import AuthType


def to_result(make_wizard, provider, auth_type):
    wizard = make_wizard(auth_type)
    assert wizard.next() and wizard.step == "run"
    if auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS:
        one(wizard.run_step, "wal-get-token").click()
    elif auth_type is AuthType.OAUTH_CODE:
        run_code_flow(wizard, provider)
    elif auth_type is AuthType.DEVICE:
        run_device_flow(wizard)
    assert wizard.run_step.message_kind in ("", "ok"), wizard.run_step.message
    assert wizard.next() and wizard.step == "result"
    return wizard, wizard.result_step


def test_the_token_shows_masked_with_claims_not_verified_and_expiry(make_wizard, canary_demo):
    wizard, result = to_result(make_wizard, canary_demo, AuthType.OAUTH_CLIENT_CREDENTIALS)
    token = result.token
    masked = one(result, "wal-token-masked").value
    assert token.masked in masked and token.access_token not in masked
    assert f"Bearer {token.masked}" in one(result, "wal-auth-header").value
    claims = one(result, "wal-claims").value
    assert "not verified" in claims
    assert html.escape(token.claims["iss"]) in claims and "<table" in claims
    expiry = one(result, "wal-expiry").value
    assert "expires in" in expiry and "UTC" in expiry
    assert result.expiry.startswith("expires in")
    assert "alerts:write" in one(result, "wal-token-facts").value
    assert token.access_token not in tree_state(wizard)


def test_refresh_recomputes_the_expiry_from_the_current_time(make_wizard, canary_demo, monkeypatch):
    wizard, result = to_result(make_wizard, canary_demo, AuthType.OAUTH_CLIENT_CREDENTIALS)
    token = result.token
    # Move the clock past the expiry instead of waiting for it.
    import widgets.core.token as token_module

    later = token.expires_at + 120
    monkeypatch.setattr(token_module.time, "time", lambda: later)
    one(result, "wal-refresh-expiry").click()
    assert "expired 2 min ago" in one(result, "wal-expiry").value


def test_reveal_sends_the_values_in_messages_and_hiding_wipes_them(make_wizard, canary_demo, monkeypatch):
    wizard, result = to_result(make_wizard, canary_demo, AuthType.OAUTH_CODE)
    secret, header = result.token.access_token, result.token.authorization_header
    copy, revealed, reveal = one(result, "wal-copy"), one(result, "wal-revealed"), one(result, "wal-reveal")
    sent = {copy: [], revealed: []}
    for view in sent:
        monkeypatch.setattr(view, "send", sent[view].append)
    assert not copy.revealed and not revealed.revealed and copy.labels == revealed.labels == []
    reveal.value = True
    assert reveal.description == "Hide"
    assert sent[revealed] == [{"event": "values", "values": [secret, header]}]
    assert sent[copy] == [{"event": "values", "values": [secret, header]}]
    assert copy.labels == ["Copy token", "Copy header"] and copy.revealed
    assert revealed.labels == ["Access token", "Authorization header value"]
    assert revealed.masked == [result.token.masked, f"Bearer {result.token.masked}"]
    # what a notebook would save holds the masked forms only, while revealed too
    assert secret not in tree_state(wizard) and secret not in saved_state()
    assert result.token.masked in tree_state(wizard)
    assert secret not in repr(copy) and secret not in repr(revealed)
    # a view drawn while revealed asks again, and gets the values again
    revealed._on_message(revealed, {"event": "want"}, [])
    assert sent[revealed][-1] == {"event": "values", "values": [secret, header]}
    reveal.value = False
    assert sent[revealed][-1] == sent[copy][-1] == {"event": "hide"}
    assert not copy.revealed and copy.labels == [] and copy.masked == []
    revealed._on_message(revealed, {"event": "want"}, [])  # hidden: nothing is sent on asking
    assert sent[revealed][-1] == {"event": "hide"}
    assert secret not in tree_state(wizard) and secret not in saved_state()


def test_the_secret_view_front_end_copies_from_its_closure_never_a_synced_string():
    from widgets.ui.reveal import SecretView

    esm = SecretView._esm
    assert 'model.on("msg:custom"' in esm and "navigator.clipboard.writeText" in esm
    assert "model.set(" not in esm and "save_changes" not in esm  # nothing goes back into state
    assert "setAttribute(\"value\"" not in esm and "data-copy" not in esm


def test_leaving_the_step_or_a_new_token_hides_what_was_revealed(make_wizard, canary_demo):
    wizard, result = to_result(make_wizard, canary_demo, AuthType.OAUTH_CLIENT_CREDENTIALS)
    first = result.token.access_token
    one(result, "wal-reveal").value = True
    wizard.back()
    assert not one(result, "wal-reveal").value and first not in tree_state(wizard)
    one(wizard.run_step, "wal-get-token").click()
    wizard.next()
    assert result.token.access_token != first and not one(result, "wal-reveal").value


@pytest.mark.parametrize("auth_type", list(AuthType))
def test_send_test_webhook_is_accepted_by_the_demo_for_every_auth_type(make_wizard, canary_demo, auth_type):
    wizard, result = to_result(make_wizard, canary_demo, auth_type)
    one(result, "wal-send-webhook").click()
    delivery = result.delivery
    assert delivery is not None and delivery.status == 200 and delivery.ok, result.message
    assert wizard.delivery is delivery
    assert result.message_kind == "ok" and "HTTP 200" in result.message
    shown = one(result, "wal-delivery").value
    assert "HTTP 200" in shown and " ms" in shown and "received" in shown
    assert canary_demo.webhook_deliveries[-1]["accepted"]
    expected_scheme = "Basic" if auth_type is AuthType.BASIC else "Bearer"
    assert canary_demo.webhook_deliveries[-1]["auth_scheme"] == expected_scheme
    state = saved_state()
    assert CANARY_SECRET not in state and CANARY_PASSWORD not in state


def test_basic_result_has_no_token_but_the_header(make_wizard, canary_demo):
    wizard, result = to_result(make_wizard, canary_demo, AuthType.BASIC)
    assert "no token" in one(result, "wal-token-masked").value
    assert "Basic ****" in one(result, "wal-auth-header").value
    assert one(result, "wal-claims").value == "" and one(result, "wal-expiry").value == ""


def test_a_refused_delivery_shows_status_and_hint(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.BASIC)
    wizard.details_step.field("password").value = "not-the-webhook-password"
    wizard.go_to("result")
    result = wizard.result_step
    one(result, "wal-send-webhook").click()
    assert result.delivery.status == 401 and not result.delivery.ok
    assert result.message_kind == "error"
    assert "HTTP 401" in result.message and "Hint: The receiver refused the credentials" in result.message
    assert "Hint:" in one(result, "wal-delivery").value


def test_oauth_code_without_a_token_says_to_run_the_flow_first(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE)
    wizard.go_to("result")
    result = wizard.result_step
    assert "No token yet" in one(result, "wal-token-masked").value
    one(result, "wal-send-webhook").click()
    assert result.message_kind == "error" and "complete the flow first" in result.message
    assert canary_demo.webhook_deliveries == []


def unsigned_jwt(claims: dict) -> str:
    import base64
    import json

    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def test_a_token_dated_beyond_what_the_clock_can_show_still_displays(make_wizard):
    wizard = make_wizard(AuthType.TOKEN, fill=False)
    wizard.details_step.field("token").value = unsigned_jwt({"sub": "x", "exp": 10**18, "iat": 10**19})
    wizard.go_to("result")
    result = wizard.result_step
    assert result.message == ""  # rendered without an error
    assert "not verified" in one(result, "wal-claims").value
    assert "not a date this system can show" in one(result, "wal-claims").value
    assert "Traceback" not in one(result, "wal-expiry").value


def test_a_pasted_jwt_with_exp_gets_its_expiry_from_the_claim(make_wizard):
    import time as clock

    wizard = make_wizard(AuthType.TOKEN, fill=False)
    exp = int(clock.time()) + 7200
    wizard.details_step.field("token").value = unsigned_jwt({"sub": "x", "exp": exp})
    assert wizard.token.expires_at == exp
    assert any("exp claim" in n for n in wizard.token.notes)
    wizard.go_to("result")
    assert "expires in" in one(wizard.result_step, "wal-expiry").value
