import dataclasses

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN
from widgets import THOUSANDEYES_REDIRECT_URI, AuthType, ConfigError, WebhookAuthConfig
from widgets.core.config import EXTRA_PARAM_FIELDS, FIELD_LABELS, FORM_FIELDS, SECRET_FIELDS


def test_redirect_uri_defaults_to_thousandeyes_callback():
    assert WebhookAuthConfig().redirect_uri == THOUSANDEYES_REDIRECT_URI


@pytest.mark.parametrize("text", ["basic", "BASIC", "Basic", AuthType.BASIC])
def test_auth_type_accepts_names_values_and_labels(text):
    assert WebhookAuthConfig(auth_type=text).auth_type is AuthType.BASIC


def test_auth_type_label_with_spaces_is_accepted():
    assert WebhookAuthConfig(auth_type="OAuth Client Credentials").auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS


def test_scope_list_becomes_space_separated_string():
    cfg = WebhookAuthConfig(scope=["alerts:write", " profile "])
    assert cfg.scope == "alerts:write profile"
    assert cfg.scopes == ["alerts:write", "profile"]


@pytest.mark.parametrize(
    "auth_type, missing",
    [
        (AuthType.BASIC, {"username", "password"}),
        (AuthType.TOKEN, {"token"}),
        (AuthType.OAUTH_CLIENT_CREDENTIALS, {"token_url", "client_id", "client_secret"}),
        (AuthType.OAUTH_CODE, {"auth_url", "token_url", "client_id"}),
    ],
)
def test_validate_lists_every_missing_field_for_the_auth_type(auth_type, missing):
    with pytest.raises(ConfigError) as info:
        WebhookAuthConfig(auth_type=auth_type).validate()
    assert missing <= set(info.value.problems)
    for field in missing:
        assert field in str(info.value)


def test_validate_reports_all_problems_at_once():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url="ftp://x", client_id="",
                            client_secret="s", webhook_url="http://example.com/hook", timeout=0)
    problems = cfg.problems()
    assert {"token_url", "client_id", "webhook_url", "timeout"} <= set(problems)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/token", "http://localhost:9/token", "http://[::1]:80/t",
                                 "https://login.example.com/oauth2/token"])
def test_https_and_loopback_http_are_accepted(url):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c", client_secret="s")
    assert cfg.problems() == {}


@pytest.mark.parametrize("url", ["http://login.example.com/token", "http://10.0.0.5/token", "http://127.0.0.1.nip.io/t"])
def test_plain_http_elsewhere_is_refused_with_a_hint(url):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c", client_secret="s")
    message = cfg.problems()["token_url"][0]
    assert "https" in message and "127.0.0.1" in message


@pytest.mark.parametrize("url", ["login.example.com/token", "/token", "https://", "https://exa mple.com/t",
                                 "https://user:pw@example.com/t", "https://example.com/t#frag", "https://example.com:99999/t"])
def test_malformed_urls_are_refused(url):
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=url, client_id="c", client_secret="s")
    assert "token_url" in cfg.problems()


def test_redirect_uri_http_must_be_loopback_too():
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url="https://a.example/authorize",
                            token_url="https://a.example/token", client_id="c", redirect_uri="http://example.com/cb")
    assert "redirect_uri" in cfg.problems()


def test_public_client_without_pkce_is_refused():
    cfg = WebhookAuthConfig(auth_type="oauth_code", auth_url="https://a.example/authorize",
                            token_url="https://a.example/token", client_id="c", pkce=False)
    assert "pkce" in cfg.problems()


def test_extra_params_cannot_override_flow_parameters():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url="https://a.example/token",
                            client_id="c", client_secret="s", extra_params={"grant_type": "password", "audience": "x"})
    assert cfg.problems() == {"extra_params": [cfg.problems()["extra_params"][0]]}
    assert "grant_type" in cfg.problems()["extra_params"][0]


def test_invalid_scope_characters_are_refused():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url="https://a.example/token",
                            client_id="c", client_secret="s", scope='read "write"')
    assert "scope" in cfg.problems()


def test_basic_username_with_colon_is_refused():
    assert "username" in WebhookAuthConfig(auth_type="basic", username="a:b", password="p").problems()


def test_token_with_bearer_prefix_or_spaces_is_refused():
    assert "token" in WebhookAuthConfig(auth_type="token", token="Bearer abc").problems()
    assert "token" in WebhookAuthConfig(auth_type="token", token="abc def").problems()


def test_repr_and_str_mask_every_secret():
    cfg = WebhookAuthConfig(auth_type="basic", client_secret=CANARY_SECRET, password=CANARY_PASSWORD,
                            token=CANARY_TOKEN, username="alice", extra_params={"client_assertion": CANARY_TOKEN})
    for text in (repr(cfg), str(cfg), f"{cfg}"):
        for canary in (CANARY_SECRET, CANARY_PASSWORD, CANARY_TOKEN):
            assert canary not in text
        assert "alice" in text


def test_config_error_names_each_field_and_has_a_hint():
    err = ConfigError({"token_url": ["is required"], "client_id": ["is required"]})
    assert "token_url: is required" in str(err) and "client_id: is required" in str(err)
    assert err.hint


@pytest.mark.parametrize(("auth_type", "field"), [
    ("oauth_client_credentials", "client_id"), ("oauth_client_credentials", "client_secret"), ("basic", "username"),
    ("basic", "password"), ("token", "token"), ("oauth_client_credentials", "token_url"),
])
def test_text_that_cannot_be_sent_is_a_problem_of_its_field(auth_type, field):
    # A lone surrogate (a broken copy and paste) has no UTF-8 form: every request would fail
    # to encode it, with a bare UnicodeEncodeError, so the settings say so first.
    values = {"client_id": "cid", "client_secret": "s3cret-value-long-enough", "token_url": "https://idp.example/token",
              "username": "alice", "password": "pw", "token": "tok",
              field: ("https://idp.example/t\ud800" if field == "token_url" else "abc\ud800def")}
    problems = WebhookAuthConfig(auth_type=auth_type, **values).problems()
    assert any("cannot be sent" in message for message in problems.get(field, [])), problems
    assert "\ud800" not in str(problems)  # the value itself is not repeated


def test_extra_params_that_cannot_be_sent_are_a_problem():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url="https://idp.example/token",
                            client_id="cid", client_secret="s3cret-value-long-enough", extra_params={"audience": "\udfff"})
    assert "cannot be sent" in " ".join(cfg.problems()["extra_params"])


# -- which fields each auth type has ------------------------------------------------------------

# with every client-authentication method's fields (AuthType.fields_for keeps one method's)
OAUTH = {"issuer", "token_url", "client_id", "client_secret", "scope", "audience", "resource", "client_auth",
         "client_key_file", "client_key_id", "client_assertion_alg", "tls_client_cert", "tls_client_key",
         "tls_ca_file", "webhook_url"}
EXPECTED = {
    AuthType.BASIC: ({"username", "password", "webhook_url"}, {"username", "password"}, {"password"}),
    AuthType.TOKEN: ({"token", "webhook_url"}, {"token"}, {"token"}),
    AuthType.OAUTH_CODE: (OAUTH | {"auth_url", "redirect_uri", "pkce"},
                          {"auth_url", "token_url", "client_id", "redirect_uri"}, {"client_secret"}),
    AuthType.OAUTH_CLIENT_CREDENTIALS: (OAUTH, {"token_url", "client_id", "client_secret"}, {"client_secret"}),
    AuthType.DEVICE: (OAUTH | {"device_authorization_url"}, {"device_authorization_url", "token_url", "client_id"},
                      {"client_secret"}),
}


@pytest.mark.parametrize("auth_type", list(AuthType))
def test_each_type_says_its_fields_required_fields_and_secrets(auth_type):
    fields, required, secrets = EXPECTED[auth_type]
    assert set(auth_type.fields) == fields and len(auth_type.fields) == len(fields)
    assert set(auth_type.required) == required
    assert set(auth_type.secrets) == secrets
    assert list(auth_type.fields) == [name for name in FORM_FIELDS if name in fields]  # one order for all


def test_labels_and_secrets_cover_every_field():
    assert set(FORM_FIELDS) == set().union(*(t.fields for t in AuthType))
    assert set(FIELD_LABELS) >= set(FORM_FIELDS)
    assert set(SECRET_FIELDS) == {"client_secret", "password", "token"}
    attributes = {f.name for f in dataclasses.fields(WebhookAuthConfig)}
    for auth_type in AuthType:
        assert set(auth_type.settings) <= attributes
        assert ("extra_params" in auth_type.settings) == bool(set(EXTRA_PARAM_FIELDS) & set(auth_type.fields))


# A value that is a problem in a type that has the field.
BAD = {
    "issuer": "http://login.example.com",
    "auth_url": "http://login.example.com/authorize",
    "device_authorization_url": "http://login.example.com/device",
    "token_url": "ftp://login.example.com/token",
    "client_id": "cid\ud800",
    "client_secret": "secret\ud800",
    "redirect_uri": "not a url",
    "scope": 'read "write"',
    "extra_params": {"grant_type": "password"},
    "client_auth": "client_secret_jwt_typo",  # private_key_jwt is a method now
    "pkce": False,  # with no client secret: a public client without PKCE
    "username": "a:b",
    "password": "pw\ud800",
    "token": "Bearer abc",
    "webhook_url": "http://receiver.example.com/hook",
}


@pytest.mark.parametrize("auth_type", list(AuthType))
@pytest.mark.parametrize("name", list(BAD))
def test_a_problem_in_a_field_the_type_does_not_have_is_never_reported(auth_type, name):
    plain = WebhookAuthConfig(auth_type=auth_type)
    bad = WebhookAuthConfig(auth_type=auth_type, **{name: BAD[name]})
    if name in auth_type.settings:
        assert name in bad.problems()  # the value is bad where it counts, so this test can fail
    else:
        assert bad.problems() == plain.problems()


@pytest.mark.parametrize("auth_type", list(AuthType))
def test_problems_name_only_settings_of_the_type(auth_type):
    bad = dict(BAD, client_secret="")  # no secret, so that pkce=False is a problem too
    found = WebhookAuthConfig(auth_type=auth_type, timeout="soon", **bad).problems()
    assert set(found) <= set(auth_type.settings)
    assert {name for name in bad if name in auth_type.settings and name != "client_secret"} <= set(found)
    assert "timeout" in found  # every type has it


def test_client_credentials_ignores_a_redirect_uri_it_never_sends():
    cfg = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url="https://a.example/token",
                            client_id="c", client_secret="s", redirect_uri="not a url")
    assert cfg.problems() == {}
    assert "redirect_uri" in cfg.replace(auth_type="oauth_code", auth_url="https://a.example/authorize").problems()
