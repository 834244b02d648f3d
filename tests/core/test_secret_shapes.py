"""A secret is masked in the shapes it travels in, not only as typed.

The toolkit sends a client secret form-encoded and inside Base64 (``client_secret_basic``), a
webhook password inside Base64; a provider that echoes what it got quotes those shapes, or
HTML- or JSON-escapes the secret in its own page. Each test has a real server on 127.0.0.1
echo one shape back and reads every place the toolkit shows the answer.
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import parse_qsl, quote, quote_plus

import pytest

from tests.support.servers import Reply
from widgets import ClientCredentialsFlow, TokenEndpointError, Transcript, WebhookAuthConfig, send_test_webhook
from widgets.core import redact
from widgets.core.headers import client_secret_basic_authorization
from widgets.core.redact import remember, scrub

#: Every encoding changes it: quotes, ampersand, angle brackets, space, + : % /, a non-ASCII letter.
SHAPED_SECRET = 'canary-"shape"&<é> +:%/-5d1f0a'


def shapes_of(secret: str) -> dict[str, str]:
    return {"as typed": secret, "percent-encoded": quote(secret, safe=""), "path-encoded": quote(secret),
            "form-encoded": quote_plus(secret), "HTML-escaped": html.escape(secret),
            "JSON-escaped": json.dumps(secret)[1:-1], "JSON-escaped, UTF-8": json.dumps(secret, ensure_ascii=False)[1:-1]}


def shown_texts(err: BaseException, transcript: Transcript) -> list[str]:
    return [str(err), err.hint, str(getattr(err, "description", "")),
            *(json.dumps(row, default=str) for row in transcript.rows()), transcript.to_csv(), transcript.to_html()]


@pytest.mark.parametrize("shape", list(shapes_of(SHAPED_SECRET)))
def test_a_token_endpoint_echoing_the_secret_in_any_shape_shows_none_of_it(scripted, shape):
    echoed = shapes_of(SHAPED_SECRET)[shape]
    scripted.routes["/token"] = Reply(400, {"error": "invalid_client", "error_description": f"you sent {echoed}"})
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="shape-client", client_secret=SHAPED_SECRET, redirect_uri="")
    transcript = Transcript()
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(config, transcript).fetch_token()
    for text in shown_texts(info.value, transcript):
        assert echoed not in text, (shape, text)


def test_the_base64_client_credentials_echoed_without_basic_are_masked_whole(scripted):
    def echo(request):
        credentials = request["headers"]["Authorization"].partition(" ")[2]
        return Reply(401, f"<html><p>bad credentials {credentials}</p></html>", content_type="text/html",
                     headers={"X-Seen": credentials})
    scripted.routes["/token"] = echo
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="shape-client", client_secret=SHAPED_SECRET, redirect_uri="")
    transcript = Transcript()
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(config, transcript).fetch_token()
    credentials = client_secret_basic_authorization("shape-client", SHAPED_SECRET).partition(" ")[2]
    for text in shown_texts(info.value, transcript):
        assert credentials not in text and credentials[-4:] not in text.replace("****", ""), text


def delivery_texts(scripted, echo, password: str) -> list[str]:
    """Send a Basic test delivery to a receiver that answers 401 with ``echo``; every text shown of it."""
    scripted.routes["/hook"] = echo
    config = WebhookAuthConfig(auth_type="basic", username="webhook", password=password,
                               webhook_url=scripted.url("/hook"))
    transcript = Transcript()
    result = send_test_webhook(config, transcript)
    assert result.status == 401
    return [result.body_preview, result.hint, json.dumps(result.headers_sent),
            *(json.dumps(row, default=str, ensure_ascii=False) for row in transcript.rows()), transcript.to_csv()]


@pytest.mark.parametrize("password", ["ab3x9", 'p&"<5', "hunter2-but-longer"])
def test_a_webhook_password_of_any_length_echoed_by_the_receiver_is_masked(scripted, password):
    def echo(request):
        credentials = request["headers"]["Authorization"].partition(" ")[2]
        user, _, got = base64.b64decode(credentials).decode().partition(":")
        body = {"error": "unauthorized", "got": got, "as_html": html.escape(got), "base64": credentials,
                "form": quote_plus(got)}
        return Reply(401, body, headers={"X-Echo": f"{got} {credentials}"})
    texts = delivery_texts(scripted, echo, password)
    credentials = base64.b64encode(f"webhook:{password}".encode()).decode()
    for text in texts:
        for form in (password, html.escape(password), quote_plus(password), credentials):
            assert form not in text, (form, text)


def test_a_short_secret_nobody_called_a_secret_of_the_config_is_left_alone():
    remember("abc9z")  # not known=True: a value too short to look for in ordinary text
    assert scrub("abc9z is a word here") == "abc9z is a word here"
    remember("q7w3e", known=True)
    assert "q7w3e" not in scrub("the password q7w3e, echoed")
    remember("k9z", known=True)  # three characters: masked as a whole word only
    assert scrub("k9z echoed; k9zx stays") == "**** echoed; k9zx stays"
    remember("s", known=True)  # one character: only where it stands alone, not inside "it's"
    assert scrub("it's a secret; you sent 's', s.") == "it's a secret; you sent '****', ****."
    remember("1", known=True)  # nor inside an address or a version
    assert scrub("http://127.0.0.1:8080/hook over HTTP/1.1, v1, x1: pin=1") == \
        "http://127.0.0.1:8080/hook over HTTP/1.1, v1, x1: pin=****"


@pytest.mark.parametrize("password", ["Q", "7k", "z9!"])
def test_a_one_to_three_character_webhook_password_echoed_by_the_receiver_is_masked(scripted, password):
    # "whatever their length": the echoes quote it, put it after "=" or ":", in JSON, in a header.
    def echo(request):
        credentials = request["headers"]["Authorization"].partition(" ")[2]
        got = base64.b64decode(credentials).decode().partition(":")[2]
        return Reply(401, {"error": "unauthorized", "error_description": f"password '{got}' is wrong; got={got}",
                           "got": got}, headers={"X-Echo": f"password: {got}"})
    texts = delivery_texts(scripted, echo, password)
    echoes = [f"'{password}'", f"got={password}", json.dumps({"got": password})[1:-1], f"password: {password}"]
    assert any("got" in text for text in texts)  # the echo was shown, masked
    for text in texts:
        for echo_ in echoes:
            assert echo_ not in text, (echo_, text)


def test_padded_basic_credentials_do_not_share_one_index_key(monkeypatch):
    # Base64 of "id:secret" often ends in "==", percent-encoded "%3D%3D": indexed by their last
    # characters, all of them would be candidates for any text holding one. A fresh index, so
    # that neither what other tests remembered nor these 50 leak across tests.
    from collections import OrderedDict

    monkeypatch.setattr(redact, "_known", OrderedDict())
    monkeypatch.setattr(redact, "_by_suffix", {})
    monkeypatch.setattr(redact, "_whole", set())
    for n in range(50):
        remember(base64.b64encode(f"client-{n}:secret-{n:03d}x".encode()).decode(), known=True, whole=True)
    assert max(len(group) for group in redact._by_suffix.values()) <= 3


def test_forms_urlencoded_body_sent_is_masked_in_the_transcript(scripted):
    scripted.routes["/token"] = Reply(400, {"error": "invalid_client"})
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="shape-client", client_secret=SHAPED_SECRET, redirect_uri="",
                               client_auth="client_secret_post")
    transcript = Transcript()
    with pytest.raises(TokenEndpointError):
        ClientCredentialsFlow(config, transcript).fetch_token()
    sent = dict(parse_qsl(scripted.requests_to("/token")[-1]["body"]))
    assert sent["client_secret"] == SHAPED_SECRET  # it did go on the wire, form-encoded
    for text in shown_texts(TokenEndpointError("x"), transcript):
        for form in shapes_of(SHAPED_SECRET).values():
            assert form not in text, (form, text)
