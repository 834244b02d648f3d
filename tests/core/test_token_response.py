"""The strict reader and the quirk functions, as pure functions (no HTTP)."""

import json

import pytest

from widgets import Token, TokenEndpointError
from widgets.core.token_response import TokenAnswer, parse_token_answer, read_token_answer


def read(status, ctype, body, **kw):
    if isinstance(body, dict):
        body = json.dumps(body)
    return read_token_answer(status, ctype, body.encode() if isinstance(body, str) else body, **kw)


def test_rfc6749_example_response_is_read():
    params, notes = read(200, "application/json", {"access_token": "2YotnFZFEjr1zCsicMWpAA", "token_type": "example",
                                                   "expires_in": 3600, "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA"})
    assert params["access_token"] == "2YotnFZFEjr1zCsicMWpAA" and params["expires_in"] == 3600
    assert notes == []


@pytest.mark.parametrize("error", ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                                   "unsupported_grant_type", "invalid_scope", "redirect_uri_mismatch",
                                   "bad_verification_code"])
def test_every_rfc_error_code_maps_to_an_actionable_hint(error):
    with pytest.raises(TokenEndpointError) as info:
        read(400, "application/json", {"error": error, "error_description": "nope"})
    err = info.value
    assert err.status == 400 and err.error == error and err.description == "nope"
    assert err.hint and "Check the settings" not in err.hint and error not in ("",)


def test_invalid_client_hint_names_the_other_client_auth_method():
    with pytest.raises(TokenEndpointError) as info:
        read(401, "application/json", {"error": "invalid_client"}, client_auth="client_secret_basic")
    assert "client_secret_post" in info.value.hint
    with pytest.raises(TokenEndpointError) as info:
        read(401, "application/json", {"error": "invalid_client"}, client_auth="client_secret_post")
    assert "client_secret_basic" in info.value.hint


def test_html_error_page_reports_status_type_and_a_plain_short_preview():
    # plain text: escaping is the job of whatever renders the error as HTML (tests/ui)
    page = "<html><body><h1>500 Internal Server Error</h1>" + "<p>x</p>" * 200 + "</body></html>"
    with pytest.raises(TokenEndpointError) as info:
        read(500, "text/html; charset=utf-8", page)
    text = info.value.message
    assert "500" in text and "text/html" in text
    assert "<h1>500 Internal Server Error</h1>" in text and "&lt;" not in text
    preview = text.split("Start of the body: ", 1)[1]
    assert len(preview) <= 200 and preview.startswith("<html><body><h1>")
    assert info.value.status == 500


def test_invalid_json_is_an_error_not_a_decode_exception():
    with pytest.raises(TokenEndpointError):
        read(200, "application/json", '{"access_token": "abc", ')


@pytest.mark.parametrize("body", ["[1, 2]", '"token"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(body):
    with pytest.raises(TokenEndpointError):
        read(200, "application/json", body)


@pytest.mark.parametrize("value", [None, 42, "", "   ", ["a"], {"a": 1}])
def test_missing_or_unusable_access_token_is_refused(value):
    with pytest.raises(TokenEndpointError):
        read(200, "application/json", {"access_token": value, "token_type": "Bearer"})


def test_200_with_error_is_an_error():
    with pytest.raises(TokenEndpointError) as info:
        read(200, "application/x-www-form-urlencoded", "error=bad_verification_code&error_description=The+code+is+wrong")
    assert info.value.error == "bad_verification_code"


def test_form_encoded_token_is_read_with_a_note():
    params, notes = read(200, "application/x-www-form-urlencoded", "access_token=gho_abc&scope=repo&token_type=bearer")
    assert params["access_token"] == "gho_abc" and params["token_type"] == "Bearer"
    assert any("form-encoded" in n for n in notes)


@pytest.mark.parametrize("value, expected", [("3600", 3600), (3600.7, 3600), (0, 0)])
def test_expires_in_as_string_or_float(value, expected):
    params, _ = read(200, "application/json", {"access_token": "a", "token_type": "Bearer", "expires_in": value})
    assert params["expires_in"] == expected


@pytest.mark.parametrize("value", ["soon", -5, True, [3600]])
def test_unusable_expires_in_is_dropped_with_a_note(value):
    params, notes = read(200, "application/json", {"access_token": "a", "token_type": "Bearer", "expires_in": value})
    assert "expires_in" not in params and any("expir" in n for n in notes)


def test_missing_expires_in_gives_a_note_and_unknown_expiry():
    token = Token.parse({"access_token": "abc", "token_type": "Bearer"})
    assert token.expires_at is None and token.expires_in() is None and not token.is_expired()
    assert any("expires" in n for n in token.notes)


def test_token_type_any_case_becomes_bearer():
    token = Token.parse({"access_token": "abc", "token_type": "BEARER", "expires_in": 60})
    assert token.token_type == "Bearer" and token.authorization_header == "Bearer abc"


def test_expiry_is_computed_from_local_receipt_time():
    token = Token.parse({"access_token": "abc", "token_type": "Bearer", "expires_in": 60,
                         "expires_at": 1}, received_at=1000.0)
    assert token.expires_at == 1060.0 and token.is_expired(now=1061) and not token.is_expired(now=1059)


def test_narrowed_scope_is_a_note_not_an_exception():
    token = Token.parse({"access_token": "abc", "token_type": "Bearer", "scope": "read"},
                        requested_scope="read write")
    assert token.scope == "read" and any("granted scope" in n for n in token.notes)


def test_strict_reader_alone_refuses_what_the_quirks_fix():
    with pytest.raises(TokenEndpointError):
        parse_token_answer(TokenAnswer(200, "application/x-www-form-urlencoded", b"access_token=a&token_type=bearer"))
    with pytest.raises(TokenEndpointError):
        parse_token_answer(TokenAnswer(200, "application/json", b'{"access_token": "a"}'))


def test_jwt_claims_are_decoded_and_opaque_tokens_have_none():
    import base64

    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    jwt = f"{b64({'alg': 'ES256', 'kid': 'k1'})}.{b64({'sub': 'demo', 'exp': 2000000000})}.c2ln"
    token = Token.parse({"access_token": jwt, "token_type": "Bearer"})
    assert token.is_jwt and token.claims["sub"] == "demo" and token.header["kid"] == "k1"
    opaque = Token.parse({"access_token": "opaque-value", "token_type": "Bearer"})
    assert not opaque.is_jwt and opaque.claims is None


def test_token_repr_masks_access_and_refresh_tokens():
    token = Token.parse({"access_token": "A" * 40 + "wxyz", "token_type": "Bearer",
                         "refresh_token": "R" * 40 + "rstu", "expires_in": 60})
    text = repr(token) + str(token) + json.dumps(token.to_dict())
    assert "A" * 10 not in text and "R" * 10 not in text and "wxyz" in text
    assert token.to_dict(reveal=True)["access_token"] == "A" * 40 + "wxyz"


def test_parse_reads_a_pasted_body_as_text_or_bytes():
    token = Token.parse("access_token=gho_abc&scope=repo&token_type=bearer")
    assert token.access_token == "gho_abc" and token.token_type == "Bearer" and token.scope == "repo"
    assert any("form-encoded" in n for n in token.notes)
    token = Token.parse(b'{"access_token": "abc", "token_type": "Bearer", "expires_in": 60}', received_at=10.0)
    assert token.expires_at == 70.0


def test_parse_refuses_a_body_that_is_not_a_token():
    with pytest.raises(TokenEndpointError):
        Token.parse("<html><body>Sign in</body></html>")


def test_from_params_takes_checked_params_as_they_are_without_reading_them_again():
    params, notes = read(200, "application/json", {"access_token": "abc", "token_type": "Bearer", "scope": "read"})
    assert any("expires" in n for n in notes)
    token = Token.from_params(params, received_at=5.0, requested_scope="read write")
    assert token.access_token == "abc" and token.token_type == "Bearer" and token.expires_at is None
    # only the scope note: the reader's notes are the caller's to pass, not found a second time
    assert len(token.notes) == 1 and "granted scope" in token.notes[0]


@pytest.mark.parametrize("body", [b'{"access_token": "a"}', b'{"access_token": "a", "token_type": null}',
                                  b'{"access_token": "a", "token_type": ""}', b'{"access_token": "a", "token_type": " "}'])
def test_strict_reader_alone_says_an_omitted_token_type_is_missing(body):
    with pytest.raises(TokenEndpointError) as info:
        parse_token_answer(TokenAnswer(200, "application/json", body))
    assert "has no token_type" in info.value.message
    params, notes = read(200, "application/json", body)  # what the missing_token_type quirk is for
    assert params["token_type"] == "Bearer" and "No token_type in the response; assuming Bearer." in notes
