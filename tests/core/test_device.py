"""The device authorization grant (RFC 8628) from the client side: against the demo provider,
and against a scripted provider that answers each poll as a test says (§3.5 errors)."""

from __future__ import annotations

import json
import threading

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.servers import Reply
from widgets.core.config import AuthType, WebhookAuthConfig
from widgets.core.device import DEFAULT_INTERVAL, DeviceFlow, parse_device_authorization
from widgets.core.errors import (
    ConfigError,
    DeviceAccessDenied,
    DeviceCodeExpired,
    DevicePollTimeout,
    TokenEndpointError,
)

DEVICE_CODE = "device-CODE-secret-0123456789abcdef"


class FakeTime:
    """A clock that moves only when the flow sleeps: polling without waiting."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def scripted_config(scripted, **changes) -> WebhookAuthConfig:
    settings = dict(auth_type="device", device_authorization_url=scripted.url("/device_authorization"),
                    token_url=scripted.url("/token"), client_id="dev-client", client_secret=CANARY_SECRET,
                    scope="alerts:read")
    settings.update(changes)
    return WebhookAuthConfig(**settings)


def device_answer(**changes) -> dict:
    answer = dict(device_code=DEVICE_CODE, user_code="BCDF-GHJK", verification_uri="http://127.0.0.1/device",
                  verification_uri_complete="http://127.0.0.1/device?user_code=BCDF-GHJK", expires_in=300,
                  interval=2)
    answer.update(changes)
    return {k: v for k, v in answer.items() if v is not None}


def polls(*errors: str):
    """A /token route answering each poll in turn: an error code, or "ok" for a token."""
    answers = list(errors)

    def route(seen):
        error = answers.pop(0) if answers else "authorization_pending"
        if error == "ok":
            return Reply(200, {"access_token": "device-access-token-0123456789", "token_type": "Bearer",
                               "expires_in": 60})
        return Reply(400, {"error": error})

    return route


# -- against the demo provider -------------------------------------------------------------------


def test_device_flow_against_the_demo_gets_a_token_once_the_person_approves(make_demo):
    demo = make_demo(device_interval=1)
    config = WebhookAuthConfig(auth_type="device", scope="alerts:write", **demo.client_settings("device"))
    flow = DeviceFlow(config)
    authorization = flow.begin()
    assert authorization.verification_uri == demo.verification_url
    assert authorization.verification_uri_complete.startswith(demo.verification_url + "?user_code=")
    assert authorization.interval == 1 and authorization.expires_in == 600
    events = []
    approver = threading.Timer(1.3, demo.approve_device, args=(authorization.user_code,))
    approver.start()
    try:
        token = flow.poll(timeout=30, on_event=events.append)
    finally:
        approver.cancel()
    assert token.scope == "alerts:write" and token.access_token
    kinds = [e.kind for e in events]
    assert kinds[-1] == "approved" and "pending" in kinds
    grants = [r["grant_type"] for r in demo.token_requests]
    assert set(grants) == {"urn:ietf:params:oauth:grant-type:device_code"} and len(grants) == flow.polls
    # the token works where the demo's tokens work
    assert demo._validator.access_token_claims(token.access_token)["scope"] == "alerts:write"


def test_a_person_who_denies_ends_the_polling_with_access_denied(make_demo):
    demo = make_demo(device_interval=1)
    flow = DeviceFlow(WebhookAuthConfig(auth_type="device", **demo.client_settings("device")))
    authorization = flow.begin()
    assert demo.approve_device(authorization.user_code, deny=True) == "Request denied"
    with pytest.raises(DeviceAccessDenied) as info:
        flow.poll(timeout=30)
    assert info.value.error == "access_denied" and info.value.exit_code == 3
    assert "Deny" in info.value.hint


def test_the_demo_answers_slow_down_to_a_client_that_polls_too_fast(make_demo):
    demo = make_demo(device_interval=2)
    time = FakeTime()  # the fake sleep does not wait, so the client polls faster than it says
    flow = DeviceFlow(WebhookAuthConfig(auth_type="device", **demo.client_settings("device")),
                      sleep=time.sleep, clock=time.clock)
    flow.begin()
    with pytest.raises(DevicePollTimeout):
        flow.poll(timeout=10)
    errors = [r["error"] for r in demo.token_requests]
    assert errors[0] == "authorization_pending" and "slow_down" in errors
    assert flow.interval == 2 + 5  # one slow_down, then the timeout came first


def test_a_wrong_code_or_password_on_the_verification_page_is_refused(make_demo):
    demo = make_demo()
    flow = DeviceFlow(WebhookAuthConfig(auth_type="device", **demo.client_settings("device")))
    authorization = flow.begin()
    with pytest.raises(RuntimeError, match="unknown or has expired"):
        demo.approve_device("ZZZZ-ZZZZ")
    with pytest.raises(RuntimeError, match="Wrong username or password"):
        demo.approve_device(authorization.user_code, password="not-the-password")
    # typed in lower case, without the dash: still the same code (RFC 8628 §6.1)
    assert demo.approve_device(authorization.user_code.lower().replace("-", "")) == "Device approved"
    with pytest.raises(RuntimeError, match="unknown or has expired"):  # decided once
        demo.approve_device(authorization.user_code)


# -- against a scripted provider -----------------------------------------------------------------


def test_begin_sends_client_id_scope_and_basic_client_authentication(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer())
    flow = DeviceFlow(scripted_config(scripted))
    authorization = flow.begin()
    sent = scripted.requests_to("/device_authorization")[0]
    assert sent["method"] == "POST" and sent["headers"]["Authorization"].startswith("Basic ")
    assert "client_id=dev-client" in sent["body"] and "scope=alerts%3Aread" in sent["body"]
    assert "client_secret" not in sent["body"] and "grant_type" not in sent["body"]
    assert authorization.user_code == "BCDF-GHJK" and authorization.interval == 2
    row = list(flow.transcript)[-1]
    assert DEVICE_CODE not in json.dumps(row.row()) and "BCDF-GHJK" in row.note


def test_poll_honours_interval_pending_and_slow_down(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer(interval=3))
    scripted.routes["/token"] = polls("authorization_pending", "slow_down", "authorization_pending", "ok")
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    flow.begin()
    events = []
    token = flow.poll(on_event=events.append)
    assert token.access_token == "device-access-token-0123456789"
    assert time.slept == [3, 3, 8, 8]  # +5 s after slow_down, for that and every later request
    assert [e.kind for e in events if e.kind != "waiting"] == ["pending", "slow_down", "pending", "approved"]
    bodies = [r["body"] for r in scripted.requests_to("/token")]
    assert all("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code" in b for b in bodies)
    assert all(f"device_code={DEVICE_CODE}" in b for b in bodies)
    rows = [r for r in flow.transcript if r.step.startswith("device: poll")]
    assert [r.outcome for r in rows] == ["warning", "warning", "warning", "ok"]
    assert all(DEVICE_CODE not in json.dumps(r.row()) for r in flow.transcript)


def test_no_interval_means_five_seconds(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer(interval=None))
    scripted.routes["/token"] = polls("ok")
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    assert flow.begin().interval == DEFAULT_INTERVAL == 5
    flow.poll()
    assert time.slept == [5]


@pytest.mark.parametrize("error, raised, words", [
    ("access_denied", DeviceAccessDenied, "Deny"),
    ("expired_token", DeviceCodeExpired, "expired"),
])
def test_access_denied_and_expired_token_stop_polling_with_a_hint(scripted, error, raised, words):
    scripted.routes["/device_authorization"] = Reply(200, device_answer())
    scripted.routes["/token"] = polls("authorization_pending", error)
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    flow.begin()
    with pytest.raises(raised) as info:
        flow.poll()
    assert info.value.error == error and words in info.value.hint
    assert len(scripted.requests_to("/token")) == 2
    assert DEVICE_CODE not in str(info.value)


def test_polling_stops_when_the_codes_expire_without_asking_again(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer(expires_in=7, interval=2))
    scripted.routes["/token"] = polls()  # pending for ever
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    flow.begin()
    with pytest.raises(DeviceCodeExpired) as info:
        flow.poll()
    assert len(scripted.requests_to("/token")) == 3 and sum(time.slept) == 6
    assert "not approved" in info.value.message


def test_a_timeout_bounds_polling(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer())
    scripted.routes["/token"] = polls()
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    flow.begin()
    with pytest.raises(DevicePollTimeout) as info:
        flow.poll(timeout=5)
    assert sum(time.slept) <= 5 and info.value.exit_code == 1


def test_another_token_error_while_polling_is_raised_as_it_is(scripted):
    scripted.routes["/device_authorization"] = Reply(200, device_answer())
    scripted.routes["/token"] = polls("invalid_client")
    time = FakeTime()
    flow = DeviceFlow(scripted_config(scripted), sleep=time.sleep, clock=time.clock)
    flow.begin()
    with pytest.raises(TokenEndpointError) as info:
        flow.poll()
    assert type(info.value) is TokenEndpointError and info.value.error == "invalid_client"


def test_poll_before_begin_is_a_config_error(scripted):
    with pytest.raises(ConfigError, match="device_code"):
        DeviceFlow(scripted_config(scripted)).poll()


@pytest.mark.parametrize("reply, words", [
    (Reply(400, {"error": "unauthorized_client"}), "device grant"),
    (Reply(200, "<html>login</html>", content_type="text/html"), "not a device authorization"),
    (Reply(200, device_answer(user_code=None)), "no user_code"),
    (Reply(200, device_answer(verification_uri="http://evil.example/device")), "verification_uri"),
    (Reply(200, device_answer(expires_in=-1)), "expires_in"),
])
def test_a_device_authorization_answer_that_is_not_one_is_refused(scripted, reply, words):
    scripted.routes["/device_authorization"] = reply
    flow = DeviceFlow(scripted_config(scripted))
    with pytest.raises(TokenEndpointError) as info:
        flow.begin()
    assert words in str(info.value)
    assert DEVICE_CODE not in str(info.value)


def test_google_style_verification_url_is_read_with_a_note():
    answer = device_answer(verification_uri=None, verification_url="https://www.google.com/device",
                           expires_in="1800")
    authorization = parse_device_authorization(200, "application/json", json.dumps(answer).encode())
    assert authorization.verification_uri == "https://www.google.com/device" and authorization.expires_in == 1800
    assert any("verification_url" in n for n in authorization.notes)


def test_the_device_code_never_shows_in_repr_or_to_dict():
    authorization = parse_device_authorization(200, "application/json", json.dumps(device_answer()).encode())
    shown = repr(authorization) + str(authorization) + json.dumps(authorization.to_dict())
    assert DEVICE_CODE not in shown and "BCDF-GHJK" in shown


def test_the_device_type_is_teaching_only_and_has_its_own_fields():
    assert "webhooks cannot use it" in AuthType.DEVICE.description
    assert set(AuthType.DEVICE.required) == {"device_authorization_url", "token_url", "client_id"}
    assert AuthType.DEVICE.secrets == ("client_secret",)
    assert AuthType.parse("Device (teaching only)") is AuthType.DEVICE
    problems = WebhookAuthConfig(auth_type="device", device_authorization_url="http://as.example/device").problems()
    assert "plain http" in " ".join(problems["device_authorization_url"])
    assert {"token_url", "client_id"} <= set(problems)
