"""The smallest input for each core bug the properties found, asserting the contract.

Each is reported with a patch in RELIABILITY.md and marked ``known_bug``: while its id is in
``OPEN`` (tests/support/reliability.py) a failure here is reported as xfail; once fixed it must
stay fixed. B9 and B12 live in test_fault_injection.py, B13-B15 in test_secret_canaries_more.py.
"""

from __future__ import annotations

import pytest

from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, Token, Transcript, WebhookAuthConfig
from widgets.core.authorize import parse_pasted_redirect
from widgets.core.errors import WebhookAuthError
from widgets.core.token_response import read_token_answer


def known(bug: str):
    return pytest.mark.known_bug(bug)


def only_ours(call, *args, **kwargs):
    """What the contract says: a result, or one of the package's errors."""
    try:
        return call(*args, **kwargs)
    except WebhookAuthError:
        return None


def body(expires_in: str) -> bytes:
    return ('{"access_token": "tok-0123456789abcdef", "token_type": "Bearer", "expires_in": %s}' % expires_in).encode()


@known("B1")
def test_b1_expires_in_infinity():
    only_ours(read_token_answer, 200, "application/json", body("Infinity"))


@known("B1")
def test_b1_expires_in_beyond_float_range():
    only_ours(read_token_answer, 200, "application/json", body("1e400"))


@known("B2")
def test_b2_expires_in_superscript_digit():
    only_ours(read_token_answer, 200, "application/json", body('"\\u00b2"'))


@known("B3")
def test_b3_deeply_nested_json_in_the_reader():
    only_ours(read_token_answer, 200, "application/json", b"[" * 100_000)


@known("B3")
def test_b3_deeply_nested_json_in_a_transcript():
    Transcript().record("token", response_body=b'{"a":' * 2000 + b"1" + b"}" * 2000, response_type="application/json")


@known("B4")
def test_b4_expires_in_over_1e308_seconds():
    params, notes = read_token_answer(200, "application/json", body("1" + "0" * 400))
    only_ours(Token.from_params, params)


@known("B5")
def test_b5_far_expiry_breaks_token_display():
    token = Token.parse({"access_token": "tok-0123456789abcdef", "token_type": "Bearer",
                         "expires_in": 10**14})
    token.to_dict()


@known("B6")
@pytest.mark.parametrize("port", ["99999", "x"])
def test_b6_pasted_redirect_with_a_bad_port_and_the_right_state(scripted, port):
    scripted.routes["/token"] = Reply(200, {"access_token": "tok-0123456789abcdef", "token_type": "Bearer"})
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id="c",
                               client_secret="code-secret-0123456789", redirect_uri=scripted.url("/cb"))
    flow = AuthorizationCodeFlow(config, Transcript())
    request = flow.begin()
    only_ours(flow.complete, f"http://127.0.0.1:{port}/cb?code=abcdefgh&state={request.state}")


@known("B7")
@pytest.mark.parametrize("value", ["audience=api", 5, ["audience"]], ids=["text", "int", "list"])
def test_b7_extra_params_that_is_not_a_mapping(value):
    only_ours(lambda: WebhookAuthConfig(extra_params=value).problems())


@known("B8")
def test_b8_timeout_beyond_float_range():
    only_ours(WebhookAuthConfig(timeout=10**400).problems)


def test_b6_parse_alone_reads_a_paste_with_a_bad_port():
    """parse_pasted_redirect itself is fine with it: the bug was further on."""
    assert parse_pasted_redirect("http://127.0.0.1:99999/cb?code=abc&state=s").code == "abc"


@known("B10")
def test_b10_hash_routed_callback_code_is_echoed_in_the_error():
    secret = "canary-B10-code-0123456789"
    try:
        parse_pasted_redirect(f"https://app.example/#/callback?code={secret}&state=s")
    except WebhookAuthError as exc:  # refusing it is fine; quoting the code is not
        assert secret not in str(exc) + repr(exc)


@known("B11")
def test_b11_quoted_token_with_leading_blank_is_shown_in_an_error_preview():
    secret = "canary-B11-token-0123456789"
    with pytest.raises(WebhookAuthError) as info:
        read_token_answer(500, "application/json", ('{"access_token": " %s"}' % secret).encode())
    assert secret not in str(info.value) + repr(info.value)


@known("B11")
def test_b11_json_body_with_a_bom_falls_back_to_by_key_scrubbing_in_the_transcript(scripted):
    secret = "canary-B11-bom-0123456789"
    scripted.routes["/token"] = Reply(200, ('\ufeff{"access_token": " %s", "token_type": "Bearer"}' % secret).encode(),
                                      content_type="application/json")
    flow = ClientCredentialsFlow(WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                                                   client_id="c", client_secret="cc-secret-0123456789"), Transcript())
    flow.fetch_token()
    assert secret not in flow.transcript.to_csv()
