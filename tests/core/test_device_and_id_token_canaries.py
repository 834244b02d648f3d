"""Canaries for the secrets of the device grant and of OpenID Connect: the device code and the
ID token never reach an output, a DEBUG log, a transcript export, a repr or an error."""

from __future__ import annotations

import json

import pytest

from tests.support.canaries import CANARY_SECRET, assert_clean
from tests.support.jwks import TestKey, id_token_claims, jwks_of
from tests.support.servers import Reply
from widgets import DemoProvider, Transcript, WebhookAuthConfig
from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.device import DeviceFlow
from widgets.core.errors import DeviceAccessDenied, IdTokenError
from widgets.diagnose.id_token import IdTokenValidator

CANARY_DEVICE_CODE = "canary-DEVICE-CODE-+/=-8a6c4e2f0b"


def exports(transcript: Transcript) -> str:
    return transcript.to_csv() + transcript.to_html() + transcript.to_dataframe().to_csv() + \
        json.dumps([row.row() for row in transcript], default=str)


def test_a_device_code_is_in_no_log_transcript_repr_or_error(scripted, debug_logs):
    scripted.routes["/device"] = Reply(200, {
        "device_code": CANARY_DEVICE_CODE, "user_code": "BCDF-GHJK", "verification_uri": scripted.url("/verify"),
        "expires_in": 60, "interval": 1})
    answers = iter([Reply(400, {"error": "authorization_pending",
                                "error_description": f"still waiting for {CANARY_DEVICE_CODE}"}),
                    Reply(400, {"error": "access_denied", "error_description": f"denied {CANARY_DEVICE_CODE}"})])
    scripted.routes["/token"] = lambda seen: next(answers)
    config = WebhookAuthConfig(auth_type="device", device_authorization_url=scripted.url("/device"),
                               token_url=scripted.url("/token"), client_id="c", client_secret=CANARY_SECRET,
                               client_auth="client_secret_post")
    transcript = Transcript()
    flow = DeviceFlow(config, transcript, sleep=lambda s: None)
    device = flow.begin()
    with pytest.raises(DeviceAccessDenied) as info:
        flow.poll()
    sent = " ".join(r["body"] for r in scripted.requests_to("/token"))
    assert CANARY_DEVICE_CODE.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D") in sent  # it was sent
    assert any("requests_oauthlib" in line or "urllib3" in line for line in debug_logs)
    text = "\n".join(debug_logs) + exports(transcript) + repr(device) + str(device) + repr(flow)
    text += str(info.value) + repr(info.value) + json.dumps(device.to_dict())
    assert_clean(text, [CANARY_DEVICE_CODE, CANARY_SECRET])


def test_the_demo_device_flow_leaves_no_device_code_or_token_in_logs(debug_logs):
    with DemoProvider(client_secret=CANARY_SECRET, device_interval=1) as demo:
        transcript = Transcript()
        flow = DeviceFlow(WebhookAuthConfig(auth_type="device", **demo.client_settings("device")), transcript)
        device = flow.begin()
        demo.approve_device(device.user_code)
        token = flow.poll(timeout=20)
    text = "\n".join(debug_logs) + exports(transcript) + repr(token) + repr(flow)
    assert_clean(text, [device.device_code, token.access_token, token.refresh_token, CANARY_SECRET])


def test_an_id_token_good_or_refused_is_in_no_log_transcript_or_error(scripted, debug_logs):
    key = TestKey("ES256", "k")
    scripted.routes["/jwks"] = Reply(200, jwks_of(key), content_type="application/json")
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id="c", client_secret=CANARY_SECRET,
                               redirect_uri="http://127.0.0.1/cb", scope="openid", issuer=scripted.base)
    transcript = Transcript()
    flow = AuthorizationCodeFlow(config, transcript,
                                 id_token_validator=IdTokenValidator(scripted.base, "c", scripted.url("/jwks")))
    request = flow.begin()
    id_token = key.sign(id_token_claims(scripted.base, "c", nonce="not-the-nonce"))
    scripted.routes["/token"] = Reply(200, {"access_token": "access-0123456789abcdef", "token_type": "Bearer",
                                            "id_token": id_token})
    with pytest.raises(IdTokenError) as info:
        flow.complete(f"http://127.0.0.1/cb?code=code-0123456789&state={request.state}")
    text = "\n".join(debug_logs) + exports(transcript) + str(info.value) + repr(info.value)
    text += repr(flow.id_token_validation) + json.dumps(flow.id_token_validation.to_dict())
    assert_clean(text, [id_token, id_token.split(".")[2], CANARY_SECRET])
