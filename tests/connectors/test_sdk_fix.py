"""The SDK's GenericConnectorAuth defect, shown on the stand-in, and the one workaround (sdk_fix)."""

from __future__ import annotations

import pytest
from thousandeyes_sdk.connectors import GenericConnectorsApi
from thousandeyes_sdk.connectors.models import (
    BasicAuthentication,
    BearerTokenAuthentication,
    OauthClientCredentialsAuthentication,
    OauthCodeAuthentication,
    OtherTokenAuthentication,
)
from thousandeyes_sdk.core import ApiClient, Configuration

from widgets.connectors import ConnectorShapeError, sdk_fix

from tests.support.connectors import bearer_connector, client_credentials_connector, code_connector

DEFECTIVE = {
    "bearer-token": BearerTokenAuthentication,
    "other-token": OtherTokenAuthentication,
    "oauth-auth-code": OauthCodeAuthentication,
}


def connector_of(kind: str, provider) -> dict:
    if kind == "bearer-token":
        return bearer_connector("opaque-token-e37b2584e52a")
    if kind == "other-token":
        body = bearer_connector("opaque-token-e37b2584e52a")
        body["authentication"]["type"] = "other-token"
        return body
    return code_connector(provider, token="access-5f218bf55391", refresh="refresh-95ea4235260b")


@pytest.fixture
def sdk(stand_in):
    with ApiClient(Configuration(host=stand_in.base_url, access_token=stand_in.api_token)) as client:
        yield GenericConnectorsApi(client)


@pytest.mark.parametrize("kind", sorted(DEFECTIVE))
def test_the_sdks_own_parse_fails_where_sdk_fix_reads_the_connector(kind, stand_in, sdk, te, provider):
    cid = stand_in.add_connector(connector_of(kind, provider))
    with pytest.raises(ValueError, match="(Multiple matches|No match) found"):
        sdk.get_generic_connector(cid)  # the SDK, unpatched
    with pytest.raises(ValueError, match="(Multiple matches|No match) found"):
        sdk_fix.sdk_parse(stand_in.connector(cid))
    ours = te.get(cid)
    assert ours.id == cid
    assert type(ours.authentication.actual_instance) is DEFECTIVE[kind]
    assert ours.authentication.actual_instance.type.value == kind


def test_the_sdks_list_fails_on_one_bad_connector_and_ours_lists_all(stand_in, sdk, te, provider):
    stand_in.add_connector(client_credentials_connector(provider))
    stand_in.add_connector(bearer_connector("opaque-token-e37b2584e52a"))
    with pytest.raises(ValueError):
        sdk.get_generic_connectors()
    items = te.list_connectors()
    assert sorted(i["authentication"]["type"] for i in items) == ["bearer-token", "oauth-client-credentials"]


@pytest.mark.parametrize("kind, model", [("basic", BasicAuthentication),
                                         ("oauth-client-credentials", OauthClientCredentialsAuthentication)])
def test_types_the_sdk_can_parse_are_parsed_alike(kind, model, stand_in, te, provider):
    body = (client_credentials_connector(provider) if kind != "basic" else
            {"type": "generic", "name": "b", "target": "https://r.example",
             "authentication": {"type": "basic", "username": "u", "password": "pw-da569be5d396"}})
    cid = stand_in.add_connector(body)
    assert type(sdk_fix.sdk_parse(stand_in.connector(cid)).authentication.actual_instance) is model
    assert type(te.get(cid).authentication.actual_instance) is model


def test_what_we_parse_serialises_back_to_the_same_body(stand_in, te, provider):
    cid = stand_in.add_connector(connector_of("oauth-auth-code", provider))
    stored = stand_in.connector(cid)
    body = sdk_fix.body_of(te.get(cid), te.api_client)
    expected = {k: v for k, v in stored.items() if k not in ("id", "lastModifiedDate")}
    assert body == expected


def test_a_connector_without_its_secret_is_refused_naming_the_field_not_any_value():
    data = {"type": "generic", "name": "n", "target": "https://r.example",
            "authentication": {"type": "oauth-auth-code", "oauthClientId": "id", "oauthAuthUrl": "https://a",
                               "oauthTokenUrl": "https://t", "code": "secret-code-value-123",
                               "redirectUri": "https://cb", "token": "tok-secret-value-1234567"}}
    with pytest.raises(ConnectorShapeError) as caught:
        sdk_fix.parse_connector(data)
    assert "oauthClientSecret" in caught.value.message
    assert "secret-code-value-123" not in str(caught.value) and "tok-secret-value" not in str(caught.value)


def test_an_unknown_auth_type_is_our_error():
    with pytest.raises(ConnectorShapeError, match="not one this tool knows"):
        sdk_fix.parse_connector({"type": "generic", "name": "n", "target": "https://r",
                                 "authentication": {"type": "conjur-host"}})
