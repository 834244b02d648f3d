"""Each provider quirk against a real loopback endpoint that misbehaves in exactly that way."""

from urllib.parse import parse_qs

import pytest

from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, TokenEndpointError, Transcript, WebhookAuthConfig


def flow_for(scripted, **changes):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url("/token"),
                            client_id="client", client_secret="s3cret-value-long-enough", **changes)
    return ClientCredentialsFlow(cfg, Transcript())


def code_flow_for(scripted):
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                            token_url=scripted.url("/token"), client_id="client",
                            client_secret="s3cret-value-long-enough", redirect_uri=scripted.url("/cb"))
    return AuthorizationCodeFlow(cfg, Transcript())


def code_exchange(flow):
    """Build the authorize link, then paste back the redirect a provider would send to it."""
    request = flow.begin()
    return flow.complete(f"{request.redirect_uri}?code=code-from-the-provider&state={request.state}")


def test_github_style_form_encoded_token(scripted):
    scripted.routes["/token"] = Reply(200, "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo&token_type=bearer",
                                      content_type="application/x-www-form-urlencoded; charset=utf-8")
    token = flow_for(scripted).fetch_token()
    assert token.access_token == "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    assert token.token_type == "Bearer" and token.scope == "repo"
    assert any("form-encoded" in n for n in token.notes)


def test_github_style_200_with_error(scripted):
    scripted.routes["/token"] = Reply(200, "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.",
                                      content_type="application/x-www-form-urlencoded")
    flow = flow_for(scripted)
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    assert info.value.error == "bad_verification_code"
    assert "expired" in info.value.description and "code" in info.value.hint
    assert flow.transcript[-1].outcome in ("error", "refused")


def test_lowercase_bearer_token_type(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "bearer", "expires_in": 60})
    token = flow_for(scripted).fetch_token()
    assert token.authorization_header == "Bearer abc123"


def test_missing_expires_in(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer"})
    token = flow_for(scripted).fetch_token()
    assert token.expires_at is None and any("expires" in n for n in token.notes)


def test_expires_in_as_string(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer", "expires_in": "120"})
    token = flow_for(scripted).fetch_token()
    assert 100 < token.expires_in() <= 120


def test_narrowed_scope_is_a_note_in_token_and_transcript(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer", "scope": "read"})
    flow = flow_for(scripted, scope="read write")
    token = flow.fetch_token()
    assert token.scope == "read"
    assert any("granted scope" in n for n in token.notes)
    assert "granted scope" in flow.transcript[-1].note


def test_scope_and_extra_params_are_sent_with_client_secret_basic(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer"})
    flow_for(scripted, scope="alerts:write profile", extra_params={"audience": "https://api.example", "resource": "urn:x"}).fetch_token()
    sent = scripted.requests_to("/token")[0]
    form = parse_qs(sent["body"])
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["alerts:write profile"]
    assert form["audience"] == ["https://api.example"] and form["resource"] == ["urn:x"]
    assert "client_secret" not in form and "client_id" not in form
    assert sent["headers"]["Authorization"].startswith("Basic ")


def test_client_secret_post_sends_credentials_in_the_body(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer"})
    flow_for(scripted, client_auth="client_secret_post").fetch_token()
    sent = scripted.requests_to("/token")[0]
    form = parse_qs(sent["body"])
    assert form["client_id"] == ["client"] and form["client_secret"] == ["s3cret-value-long-enough"]
    assert "Authorization" not in sent["headers"]


def test_token_endpoint_receives_json_accept_header(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer"})
    flow_for(scripted).fetch_token()
    assert "application/json" in scripted.requests_to("/token")[0]["headers"]["Accept"]


def test_client_credentials_sends_no_redirect_uri(scripted):
    scripted.routes["/token"] = Reply(200, {"access_token": "abc123", "token_type": "Bearer"})
    flow_for(scripted).fetch_token()  # the config keeps its default (ThousandEyes) redirect_uri
    assert "redirect_uri" not in parse_qs(scripted.requests_to("/token")[0]["body"])


# -- missing_token_type: the quirk, and the strict reader's branch it leaves ----------------

def without_token_type(value):
    """A token response whose token_type is ``value`` (absent for the string "absent")."""
    def reply(request):
        grant = parse_qs(request["body"])["grant_type"][0]
        # distinct endings: the by-value secret net indexes what it remembers by them
        body = {"access_token": f"token-for-{grant}", "refresh_token": "refresh-token-for-later",
                "expires_in": 60}
        if value != "absent":
            body["token_type"] = value
        return Reply(200, body)
    return reply


OMITTED = ["absent", None, "", "   "]
WRONG_KIND = [(42, "a number"), (True, "true"), (False, "false"), (["Bearer"], "a list"),
              ({"type": "Bearer"}, "an object")]


@pytest.mark.parametrize("token_type", OMITTED, ids=repr)
def test_omitted_token_type_is_bearer_with_a_note_in_client_credentials(scripted, token_type):
    scripted.routes["/token"] = without_token_type(token_type)
    flow = flow_for(scripted)
    token = flow.fetch_token()
    assert token.token_type == "Bearer"
    assert token.authorization_header == "Bearer token-for-client_credentials"
    assert "No token_type in the response; assuming Bearer." in token.notes
    assert "No token_type" in flow.transcript[-1].note


@pytest.mark.parametrize("token_type", OMITTED, ids=repr)
def test_omitted_token_type_is_bearer_in_the_code_exchange_and_the_refresh(scripted, token_type):
    scripted.routes["/token"] = without_token_type(token_type)
    flow = code_flow_for(scripted)
    token = code_exchange(flow)
    assert token.authorization_header == "Bearer token-for-authorization_code"
    assert "No token_type in the response; assuming Bearer." in token.notes
    assert "No token_type" in flow.transcript[-1].note
    refreshed = flow.refresh()
    assert refreshed.authorization_header == "Bearer token-for-refresh_token"
    assert "No token_type in the response; assuming Bearer." in refreshed.notes
    assert [parse_qs(r["body"])["grant_type"] for r in scripted.requests_to("/token")] == [
        ["authorization_code"], ["refresh_token"]]


@pytest.mark.parametrize("token_type, kind", WRONG_KIND, ids=repr)
def test_token_type_of_the_wrong_kind_is_refused_in_client_credentials(scripted, token_type, kind):
    scripted.routes["/token"] = without_token_type(token_type)
    flow = flow_for(scripted)
    with pytest.raises(TokenEndpointError) as info:
        flow.fetch_token()
    assert f"has a token_type that is {kind}, not the name of a token type" in info.value.message
    assert "RFC 6749 §5.1 requires token_type" in info.value.hint
    assert flow.transcript[-1].outcome in ("error", "refused")
    assert len(scripted.requests_to("/token")) == 1


@pytest.mark.parametrize("token_type, kind", WRONG_KIND, ids=repr)
def test_token_type_of_the_wrong_kind_is_refused_in_the_code_exchange(scripted, token_type, kind):
    scripted.routes["/token"] = without_token_type(token_type)
    flow = code_flow_for(scripted)
    with pytest.raises(TokenEndpointError) as info:
        code_exchange(flow)
    assert f"has a token_type that is {kind}," in info.value.message
    assert flow.token is None
