"""Every string a provider supplies goes through the secret scrub before anyone reads it.

A hostile (or merely careless) provider echoes what it was sent: the client secret inside
``error``, a token inside ``scope``, a secret in its content type or its metadata. Each test
plants the secret in one such field of a real answer on 127.0.0.1, then reads every place the
toolkit shows it: the error's attributes, message and hint, the transcript, the token's
display, the probe's table and the command line's output.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.servers import Reply
from widgets import (AuthorizationCodeFlow, AuthorizationDenied, ClientCredentialsFlow, TokenEndpointError,
                     Transcript, WebhookAuthConfig)
from widgets.core.token import Token

#: Masked or not, these must never appear: the secret and a distinctive piece of it.
LEAKS = (CANARY_SECRET, CANARY_SECRET[:16], "7f3a9c1e")


def assert_no_canary(*texts: object) -> None:
    for text in texts:
        for leak in LEAKS:
            assert leak not in str(text), (leak, text)


def cc_config(url: str, **changes) -> WebhookAuthConfig:
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="client",
                             client_secret=CANARY_SECRET, redirect_uri="", **changes)


@pytest.mark.parametrize("echo", [
    f"invalid_client {CANARY_SECRET}",           # the secret, as sent
    f"invalid_client:client_secret={CANARY_SECRET}",  # the secret, named
])
def test_a_secret_echoed_inside_error_reaches_no_attribute_message_hint_or_row(scripted, echo):
    scripted.routes["/token"] = Reply(400, {"error": echo, "error_description": f"got {CANARY_SECRET}",
                                            "error_uri": f"https://docs.example/{CANARY_SECRET}"})
    transcript = Transcript()
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(cc_config(scripted.url("/token")), transcript).fetch_token()
    err = info.value
    assert err.error.startswith("invalid_client")  # still the provider's code, as far as it is safe
    assert_no_canary(err.error, err.description, err.message, err.hint, str(err), repr(err))
    assert_no_canary(*(json.dumps(row, default=str) for row in transcript.rows()), transcript.to_csv())


def test_a_secret_echoed_in_an_authorization_error_is_scrubbed_in_its_attributes(scripted):
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id="client", client_secret=CANARY_SECRET,
                               redirect_uri="http://127.0.0.1/cb")
    flow = AuthorizationCodeFlow(config, Transcript())
    request = flow.begin()
    from urllib.parse import urlencode
    answer = "http://127.0.0.1/cb?" + urlencode({"error": f"access_denied {request.code_verifier}",
                                                 "error_description": f"verifier={request.code_verifier}",
                                                 "state": request.state})
    with pytest.raises(AuthorizationDenied) as info:
        flow.complete(answer)
    err = info.value
    for text in (err.error, err.description, err.message, err.hint, str(err)):
        assert request.code_verifier not in text, text
    assert err.error.startswith("access_denied")


def test_an_introspection_error_echoing_the_secret_is_scrubbed(scripted):
    from widgets.core.errors import IntrospectionError
    from widgets.diagnose.inspect_token import _introspect

    scripted.routes["/introspect"] = Reply(401, {"error": f"invalid_client {CANARY_SECRET}"})
    with pytest.raises(IntrospectionError) as info:
        _introspect("some-opaque-token-value", scripted.url("/introspect"), cc_config(scripted.url("/token")),
                    Transcript())
    assert_no_canary(info.value.error, info.value.message, info.value.hint)


def test_a_content_type_echoing_the_secret_is_scrubbed_in_the_message(scripted):
    scripted.routes["/token"] = Reply(502, "down", content_type=f"text/x-client_secret={CANARY_SECRET}")
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(cc_config(scripted.url("/token")), Transcript()).fetch_token()
    assert_no_canary(info.value.message, str(info.value))


def test_a_scope_echoing_the_secret_is_scrubbed_wherever_the_token_is_shown(scripted):
    answer = {"access_token": "opaque-access-token-scrub-test-4f1d", "token_type": "Bearer", "expires_in": 60,
              "scope": f"alerts:write client_secret={CANARY_SECRET}"}
    scripted.routes["/token"] = Reply(200, answer)
    token = ClientCredentialsFlow(cc_config(scripted.url("/token"), scope="alerts:write"), Transcript()).fetch_token()
    assert_no_canary(repr(token), str(token), json.dumps(token.to_dict()), *token.notes)


def test_claims_echoing_the_secret_are_scrubbed_in_the_inspection_rows():
    from widgets.diagnose.inspect_token import inspect_token
    from widgets.core.redact import remember

    remember(CANARY_SECRET)
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    jwt = ".".join([part({"alg": "none", "typ": f"x {CANARY_SECRET}"}),
                    part({"iss": f"https://x/{CANARY_SECRET}", "sub": CANARY_SECRET, "scope": CANARY_SECRET}), ""])
    result = inspect_token(jwt)
    assert_no_canary(*(value for _, value in result.rows()), result.to_text())


def test_the_command_line_prints_no_secret_echoed_in_error_or_scope(scripted, capsys, monkeypatch):
    from widgets.cli.main import main

    monkeypatch.setenv("WAL_TEST_SECRET", CANARY_SECRET)
    scripted.routes["/token"] = Reply(400, {"error": f"invalid_client {CANARY_SECRET}"})
    base = ["token", "--token-url", scripted.url("/token"), "--client-id", "client",
            "--client-secret-env", "WAL_TEST_SECRET"]
    assert main(base) != 0
    assert main([*base, "--json"]) != 0
    answer = {"access_token": "opaque-access-token-scrub-test-4f1d", "token_type": "Bearer",
              "scope": f"alerts:write {CANARY_SECRET}"}
    scripted.routes["/token"] = Reply(200, answer)
    assert main(base) == 0
    assert main([*base, "--json"]) == 0
    out = capsys.readouterr()
    assert "invalid_client" in out.out + out.err
    assert_no_canary(out.out, out.err)


def test_the_probe_table_quotes_no_secret_echoed_by_the_token_endpoint(scripted):
    from widgets import probe

    scripted.routes["/token"] = Reply(401, {"error": f"invalid_client {CANARY_SECRET}",
                                            "error_description": CANARY_SECRET},
                                      content_type=f"application/x-{CANARY_SECRET}")
    report = probe(cc_config(scripted.url("/token")))
    assert_no_canary(report.to_text(), json.dumps(report.to_dicts()))


def test_token_parse_of_a_pasted_answer_scrubs_its_scope():
    token = Token.parse({"access_token": "opaque-access-token-scrub-test-4f1d", "token_type": "Bearer",
                         "scope": f"password={CANARY_SECRET}"})
    assert_no_canary(repr(token), token.to_dict())
