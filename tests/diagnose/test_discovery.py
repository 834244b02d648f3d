"""Discovery reads RFC 8414 / OIDC metadata strictly, and every bad answer ends as DiscoveryError."""

import socket

import pytest

from tests.support.servers import Reply
from widgets import ConfigError, IssuerMismatchError, Transcript, TransportError, WebhookAuthConfig
from widgets.core.errors import DiscoveryError, DiscoveryIssuerMismatch
from widgets.diagnose.discovery import OIDC_SUFFIX, RFC8414_SUFFIX, discover, metadata_urls


def good_metadata(issuer: str, **changes) -> dict:
    document = {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "jwks_uri": issuer + "/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


# -- where to look (pure) ---------------------------------------------------------------------------


def test_issuer_with_a_path_gets_the_suffix_inserted_before_the_path_and_oidc_appended():
    assert metadata_urls("https://as.example.com/tenant/one/") == [
        "https://as.example.com/.well-known/oauth-authorization-server/tenant/one",
        "https://as.example.com/tenant/one/.well-known/openid-configuration",
    ]


def test_issuer_without_a_path_has_both_documents_at_the_root():
    assert metadata_urls("https://as.example.com") == [
        "https://as.example.com/.well-known/oauth-authorization-server",
        "https://as.example.com/.well-known/openid-configuration",
    ]


@pytest.mark.parametrize("issuer", ["http://as.example.com", "https://as.example.com/?tenant=1",
                                    "https://as.example.com/#x", "as.example.com", ""])
def test_unusable_issuer_is_a_config_error_before_any_request(issuer, scripted):
    with pytest.raises(ConfigError) as info:
        discover(issuer)
    assert "issuer" in info.value.problems
    assert scripted.requests == []


# -- against the demo provider ----------------------------------------------------------------------


def test_demo_metadata_is_found_and_read(demo):
    transcript = Transcript()
    metadata = discover(demo.issuer, transcript=transcript)
    assert metadata.issuer == demo.issuer
    assert metadata.authorization_endpoint == demo.auth_url
    assert metadata.token_endpoint == demo.token_url
    assert metadata.jwks_uri == demo.jwks_url
    assert metadata.introspection_endpoint == demo.introspection_url
    assert metadata.source_url == demo.metadata_url
    assert metadata.code_challenge_methods_supported == ("S256",)
    assert metadata.authorization_response_iss_parameter_supported is True
    assert isinstance(metadata.grant_types_supported, tuple)
    assert metadata.raw["issuer"] == demo.issuer
    assert [row.step for row in transcript] == ["discovery: RFC 8414 metadata"]


def test_the_metadata_url_itself_is_accepted_as_input(demo):
    assert discover(demo.metadata_url).issuer == demo.issuer
    assert discover(demo.issuer + OIDC_SUFFIX).source_url == demo.issuer + OIDC_SUFFIX


def test_apply_to_fills_urls_and_issuer(demo):
    config = discover(demo.issuer).apply_to(WebhookAuthConfig(auth_type="oauth_code", client_id="x"))
    assert (config.auth_url, config.token_url, config.issuer) == (demo.auth_url, demo.token_url, demo.issuer)
    assert config.client_auth == "client_secret_basic"  # both advertised: the config's choice stays


def test_apply_to_picks_the_only_client_auth_method_advertised(make_demo):
    provider = make_demo(client_auth_methods=("client_secret_post",))
    config = discover(provider.issuer).apply_to(WebhookAuthConfig(client_auth="client_secret_basic"))
    assert config.client_auth == "client_secret_post"


# -- against misbehaving endpoints ------------------------------------------------------------------


def test_found_at_the_rfc8414_path_inserted_location_for_an_issuer_with_a_path(scripted):
    issuer = scripted.url("/tenant")
    scripted.routes[RFC8414_SUFFIX + "/tenant"] = Reply(200, good_metadata(issuer))
    metadata = discover(issuer)
    assert metadata.source_url == scripted.url(RFC8414_SUFFIX + "/tenant")
    assert metadata.token_endpoint == issuer + "/token"


def test_falls_back_to_openid_configuration_when_rfc8414_is_missing(scripted):
    issuer = scripted.url("/tenant")
    scripted.routes["/tenant" + OIDC_SUFFIX] = Reply(200, good_metadata(issuer))
    metadata = discover(issuer)
    assert metadata.source_url == issuer + OIDC_SUFFIX
    assert [r["path"] for r in scripted.requests] == [RFC8414_SUFFIX + "/tenant", "/tenant" + OIDC_SUFFIX]


def test_404_on_both_is_a_discovery_error_naming_both_urls(scripted):
    transcript = Transcript()
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base, transcript=transcript)
    assert "404" in info.value.message
    assert RFC8414_SUFFIX in info.value.message and OIDC_SUFFIX in info.value.message
    assert "issuer" in info.value.hint and "by hand" in info.value.hint
    assert len(transcript) == 2


def test_an_html_page_is_not_metadata(scripted):
    page = Reply(200, "<!doctype html><html><title>Login</title></html>", content_type="text/html")
    scripted.routes[RFC8414_SUFFIX] = page
    scripted.routes[OIDC_SUFFIX] = page
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base)
    assert "HTML" in info.value.message


def test_invalid_json_is_reported_not_raised_as_a_decode_error(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, '{"issuer": "x",', content_type="application/json")
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base)
    assert "not valid JSON" in info.value.message


def test_a_json_array_is_not_metadata(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, "[1, 2]", content_type="application/json")
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base)
    assert "not an object" in info.value.message


def test_members_of_the_wrong_type_are_each_named(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(
        scripted.base, token_endpoint=["https://x"], grant_types_supported="client_credentials",
        authorization_response_iss_parameter_supported="yes"))
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base)
    for name in ("token_endpoint", "grant_types_supported", "authorization_response_iss_parameter_supported"):
        assert name in info.value.message
    assert not isinstance(info.value, IssuerMismatchError)


def test_a_plain_http_endpoint_off_loopback_is_refused(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(
        scripted.base, token_endpoint="http://login.example.com/token"))
    with pytest.raises(DiscoveryError) as info:
        discover(scripted.base)
    assert "token_endpoint uses plain http" in info.value.message and "Use https" in info.value.message


def test_missing_issuer_is_refused(scripted):
    document = good_metadata(scripted.base)
    del document["issuer"]
    scripted.routes[RFC8414_SUFFIX] = Reply(200, document)
    with pytest.raises(DiscoveryError, match="no issuer"):
        discover(scripted.base)


def test_missing_token_endpoint_is_refused_when_a_grant_needs_it(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(scripted.base, token_endpoint=None))
    with pytest.raises(DiscoveryError, match="token_endpoint"):
        discover(scripted.base)


def test_another_issuer_in_the_metadata_is_a_mismatch_and_nothing_is_used(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata("https://attacker.example.com"))
    with pytest.raises(DiscoveryIssuerMismatch) as info:
        discover(scripted.base)
    assert isinstance(info.value, IssuerMismatchError) and isinstance(info.value, DiscoveryError)
    assert "attacker.example.com" in info.value.message and "RFC 8414" in info.value.message


def test_a_trailing_slash_on_a_path_issuer_is_a_mismatch(scripted):
    issuer = scripted.url("/tenant")
    scripted.routes[RFC8414_SUFFIX + "/tenant"] = Reply(200, good_metadata(issuer + "/"))
    with pytest.raises(DiscoveryIssuerMismatch) as info:
        discover(issuer)
    assert "exactly that value" in info.value.hint


def test_an_empty_path_and_a_slash_are_the_same_issuer(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(scripted.base + "/"))
    metadata = discover(scripted.base)
    assert metadata.issuer == scripted.base + "/"  # the server's own spelling is kept
    assert any("use exactly that value" in n for n in metadata.notes)


def test_rfc_defaults_apply_to_omitted_members(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(
        scripted.base, token_endpoint_auth_methods_supported=None, grant_types_supported=None,
        code_challenge_methods_supported=None))
    metadata = discover(scripted.base)
    assert metadata.token_endpoint_auth_methods_supported == ("client_secret_basic",)
    assert metadata.grant_types_supported == ("authorization_code", "implicit")
    assert metadata.code_challenge_methods_supported == ()
    assert any("does not support PKCE" in n for n in metadata.notes)


def test_a_redirecting_well_known_url_is_not_followed_and_the_next_is_tried(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(302, "", headers={"Location": "https://elsewhere.example.com/m"})
    scripted.routes[OIDC_SUFFIX] = Reply(200, good_metadata(scripted.base))
    metadata = discover(scripted.base)
    assert metadata.source_url == scripted.url(OIDC_SUFFIX)


def test_nothing_listening_is_a_transport_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransportError) as info:
        discover(f"http://127.0.0.1:{port}")
    assert info.value.reason == "refused"


def test_a_malformed_rfc8414_document_does_not_hide_valid_openid_metadata(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata(scripted.base, jwks_uri=42))
    scripted.routes[OIDC_SUFFIX] = Reply(200, good_metadata(scripted.base))
    assert discover(scripted.base).source_url == scripted.url(OIDC_SUFFIX)


def test_a_foreign_issuer_stops_discovery_even_if_the_next_url_is_fine(scripted):
    scripted.routes[RFC8414_SUFFIX] = Reply(200, good_metadata("https://attacker.example.com"))
    scripted.routes[OIDC_SUFFIX] = Reply(200, good_metadata(scripted.base))
    with pytest.raises(DiscoveryIssuerMismatch):
        discover(scripted.base)
    assert scripted.requests_to(OIDC_SUFFIX) == []
