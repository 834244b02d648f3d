"""The Device type's panel in the Run step (code big, QR code, countdown, polling) and the ID
token's checks in the Result step."""

from __future__ import annotations

import html

from tests.support.servers import Reply
from tests.support.ui import one, run_code_flow, run_device_flow, saved_state
from widgets import AuthType
from widgets.ui import Wizard


def test_the_device_panel_shows_code_qr_countdown_and_the_polling(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.DEVICE)
    assert wizard.next() and wizard.step == "run"
    panel = wizard.run_step.device_panel
    assert panel.layout.display is None and wizard.run_step._code_box.layout.display == "none"
    assert "webhook cannot use the device grant" in panel.children[0].value
    one(panel, "wal-device-begin").click()
    device = panel.device
    assert device.user_code in one(panel, "wal-device-code").value
    qr = one(panel, "wal-device-qr").value
    assert qr.startswith("<img src=\"data:image/svg+xml") and html.escape(device.link, quote=True) in qr
    assert "expires in" in panel.countdown_text and "wal-device-shrink" in one(panel, "wal-device-countdown").value
    one(panel, "wal-device-approve-demo").click()
    one(panel, "wal-device-poll").click()
    assert wizard.run_step.message_kind == "ok", wizard.run_step.message
    assert any("Approved" in e for e in panel.events) and any(e.startswith("Waiting") for e in panel.events)
    assert wizard.token is not None and wizard.token.access_token not in saved_state()
    assert device.device_code not in saved_state()
    assert wizard.next() and wizard.token.masked in one(wizard.result_step, "wal-token-masked").value


def test_a_hostile_user_code_is_shown_escaped(scripted):
    scripted.routes["/device"] = Reply(200, {
        "device_code": "dc-0123456789abcdef", "user_code": "<img src=x onerror=alert(1)>",
        "verification_uri": scripted.url("/verify"), "expires_in": 60, "interval": 5})
    from widgets import WebhookAuthConfig

    config = WebhookAuthConfig(auth_type="device", device_authorization_url=scripted.url("/device"),
                               token_url=scripted.url("/token"), client_id="c")
    wizard = Wizard(config=config)
    try:
        wizard.go_to("run")
        panel = wizard.run_step.device_panel
        one(panel, "wal-device-begin").click()
        shown = one(panel, "wal-device-code").value
        assert "<img src=x" not in shown and html.escape("<img src=x onerror=alert(1)>") in shown
    finally:
        wizard.close()


def test_the_result_step_shows_each_id_token_check(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE)
    wizard.details_step.field("scope").value = "openid alerts:write"
    assert wizard.next(), wizard.details_step.message
    run_code_flow(wizard, canary_demo)
    assert wizard.run_step.message_kind == "ok", wizard.run_step.message
    wizard.next()
    table = one(wizard.result_step, "wal-id-token-checks").value
    for check in ("signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash"):
        assert f"wal-id-token-{check}" in table
    assert "every check held" in table and "FAILED" not in table
    assert wizard.model.id_token_checks.verified
