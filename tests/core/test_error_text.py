"""Errors quote the provider as plain text: ``str(err)`` never shows ``&lt;`` or ``&#x27;``.

Escaping is the job of whatever renders an error as HTML (tests/ui/test_error_markup.py checks
that it happens there, once). Every answer here comes from a real server on 127.0.0.1.
"""

from __future__ import annotations

import csv
import html
import io
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.support.hostile import HOSTILE_DESCRIPTION, HOSTILE_ERROR, assert_plain
from tests.support.servers import Reply
from widgets import (AuthorizationCodeFlow, AuthorizationDenied, ClientCredentialsFlow, TokenEndpointError,
                     Transcript, WebhookAuthConfig)
from widgets.core.errors import hint_for_oauth_error


def cc_config(url: str) -> WebhookAuthConfig:
    return WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="client",
                             client_secret="s3cret-value-long-enough")


def test_a_token_endpoint_error_quotes_error_and_description_as_plain_text(scripted):
    scripted.routes["/token"] = Reply(400, {"error": HOSTILE_ERROR, "error_description": HOSTILE_DESCRIPTION})
    flow = ClientCredentialsFlow(cc_config(scripted.url("/token")), Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    err = info.value
    assert err.error == HOSTILE_ERROR and err.description == HOSTILE_DESCRIPTION
    assert_plain(str(err), HOSTILE_ERROR, HOSTILE_DESCRIPTION)
    assert_plain(err.hint, f"'{HOSTILE_ERROR}'")  # an unknown code: the hint names it
    assert_plain(repr(err), "<script>")


def test_an_html_page_is_quoted_as_plain_text(scripted):
    page = "<html><h1>It's down & out</h1><p class=\"x\">retry</p></html>"
    scripted.routes["/token"] = Reply(502, page, content_type="text/html")
    flow = ClientCredentialsFlow(cc_config(scripted.url("/token")), Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    assert_plain(str(info.value), page)


def test_the_transcript_holds_plain_text_and_its_html_escapes_it_once(scripted):
    scripted.routes["/token"] = Reply(400, {"error": HOSTILE_ERROR, "error_description": HOSTILE_DESCRIPTION})
    flow = ClientCredentialsFlow(cc_config(scripted.url("/token")), Transcript())
    with pytest.raises(TokenEndpointError):
        flow.fetch_token()
    row = flow.transcript[-1]
    assert_plain(row.error, HOSTILE_DESCRIPTION)
    assert_plain(row.hint, HOSTILE_ERROR)
    cells = list(csv.DictReader(io.StringIO(flow.transcript.to_csv())))[-1]
    assert_plain(cells["error"], HOSTILE_DESCRIPTION)
    page = flow.transcript.to_html()
    assert html.escape(HOSTILE_DESCRIPTION) in page and html.escape(HOSTILE_ERROR) in page
    assert "<script>" not in page and "<b>more" not in page
    assert "&amp;lt;" not in page and "&amp;#x27;" not in page and "&amp;quot;" not in page


def test_a_refused_authorization_quotes_the_redirect_as_plain_text(demo):
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=demo.auth_url, token_url=demo.token_url,
                               client_id=demo.client_id, client_secret=demo.client_secret,
                               redirect_uri=demo.callback_url, issuer=demo.issuer)
    flow = AuthorizationCodeFlow(config)
    landed = demo.approve(flow.begin().url, deny=True)
    parts = urlsplit(landed)
    query = dict(parse_qsl(parts.query), error=HOSTILE_ERROR, error_description=HOSTILE_DESCRIPTION)
    with pytest.raises(AuthorizationDenied) as info:
        flow.complete(urlunsplit(parts._replace(query=urlencode(query))))
    assert_plain(str(info.value), HOSTILE_ERROR, HOSTILE_DESCRIPTION)
    assert_plain(flow.transcript[-1].error, HOSTILE_DESCRIPTION)
    assert demo.token_requests == []


def test_the_hint_for_an_unknown_code_names_it_as_received():
    assert_plain(hint_for_oauth_error(HOSTILE_ERROR), f"'{HOSTILE_ERROR}'")
