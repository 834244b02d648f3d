"""Hints point at the likely cause (issue 14, item 16): a PKCE-required server that says so in
words gets the PKCE hint, and a bare 401/403 from the token endpoint points at the client's
credentials and authentication method, not at the Token URL."""

import pytest

from tests.support.servers import Reply
from widgets import (
    AuthorizationCodeFlow,
    AuthorizationDenied,
    ClientCredentialsFlow,
    TokenEndpointError,
    Transcript,
    WebhookAuthConfig,
)

PKCE_SAYINGS = ["Code challenge required.", "code challenge required", "Missing code-challenge",
                "code_challenge is required", "PKCE required", "pkce: S256 only",
                "Proof Key for Code Exchange is required for public clients", "Code verifier missing"]
PKCE_HINT = "requires PKCE"


@pytest.mark.parametrize("description", PKCE_SAYINGS)
def test_an_authorize_endpoint_asking_for_pkce_in_words_gets_the_pkce_hint(scripted, description):
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id="c", client_secret="s3cret-value-long",
                               redirect_uri=scripted.url("/cb"), pkce=False)
    flow = AuthorizationCodeFlow(config, Transcript())
    request = flow.begin()
    from urllib.parse import urlencode

    landed = scripted.url("/cb?" + urlencode({"error": "invalid_request", "error_description": description,
                                              "state": request.state}))
    with pytest.raises(AuthorizationDenied) as info:
        flow.complete(landed)
    assert PKCE_HINT in info.value.hint, (description, info.value.hint)


@pytest.mark.parametrize("description", PKCE_SAYINGS)
def test_a_token_endpoint_asking_for_pkce_in_words_gets_the_pkce_hint(scripted, description):
    scripted.routes["/token"] = Reply(400, {"error": "invalid_request", "error_description": description})
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="c", client_secret="s3cret-value-long")
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(config, Transcript()).fetch_token()
    assert PKCE_HINT in info.value.hint


@pytest.mark.parametrize("description, expected", [
    ("The state parameter is required", "requires the state parameter"),
    ("state_required", "requires the state parameter"),
    ("Missing parameter: audience", "missing or repeats a required parameter"),
    ("", "missing or repeats a required parameter"),
])
def test_other_invalid_request_hints_are_unchanged(description, expected):
    from widgets.core.errors import hint_for_oauth_error

    assert expected in hint_for_oauth_error("invalid_request", description=description)


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("body, content_type", [(b"", None), (b"Unauthorized", "text/plain"),
                                                (b"<html><h1>403 Forbidden</h1></html>", "text/html")],
                         ids=["empty", "text", "html"])
@pytest.mark.parametrize("client_auth, other", [("client_secret_basic", "client_secret_post"),
                                                ("client_secret_post", "client_secret_basic")])
def test_a_bare_401_or_403_from_the_token_endpoint_points_at_the_client_credentials(
        scripted, status, body, content_type, client_auth, other):
    scripted.routes["/token"] = Reply(status, body, content_type=content_type)
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="c", client_secret="s3cret-value-long", client_auth=client_auth)
    flow = ClientCredentialsFlow(config, Transcript())
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    hint = info.value.hint
    assert "usually a wrong Token URL" not in hint
    assert "Client Secret" in hint and f"used {client_auth}" in hint and other in hint
    assert flow.transcript[-1].hint == hint


@pytest.mark.parametrize("status", [404, 500])
def test_other_bare_errors_still_point_at_the_token_url(scripted, status):
    scripted.routes["/token"] = Reply(status, b"")
    config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                               client_id="c", client_secret="s3cret-value-long")
    with pytest.raises(TokenEndpointError) as info:
        ClientCredentialsFlow(config, Transcript()).fetch_token()
    assert "wrong Token URL" in info.value.hint
