"""Step 2: only the needed fields, inline validation, secrets that never stay in a widget."""

from __future__ import annotations

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN
from tests.support.ui import one, saved_state, tree_state, with_class
from widgets import AuthType, THOUSANDEYES_REDIRECT_URI, WebhookAuthConfig
from widgets.core.config import SECRET_FIELDS


def visible_fields(wizard) -> tuple[str, ...]:
    """The fields shown, in the order of the step's children."""
    details = wizard.details_step
    by_box = {id(f.box): name for name, f in details._fields.items()}
    return tuple(by_box[id(child)] for child in details.children
                 if id(child) in by_box and child.layout.display != "none")


@pytest.mark.parametrize("auth_type", list(AuthType))
def test_only_the_fields_the_auth_type_needs_are_shown(make_wizard, auth_type):
    wizard = make_wizard(auth_type, fill=False)
    assert visible_fields(wizard) == auth_type.fields_for("client_secret_basic")


def test_switching_the_auth_type_shows_exactly_the_new_types_fields(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    for auth_type in (AuthType.BASIC, AuthType.OAUTH_CLIENT_CREDENTIALS, AuthType.TOKEN, AuthType.OAUTH_CODE):
        wizard.back()
        wizard.auth_type_step.select(auth_type)
        wizard.next()
        assert wizard.step == "details"
        assert visible_fields(wizard) == auth_type.fields_for("client_secret_basic")


def test_redirect_uri_starts_with_the_thousandeyes_default_and_pkce_on(make_wizard):
    details = make_wizard(AuthType.OAUTH_CODE, fill=False).details_step
    assert details.field("redirect_uri").value == THOUSANDEYES_REDIRECT_URI
    assert details.field("pkce").value is True
    assert details.field("client_auth").value == "client_secret_basic"


def error_lines(wizard) -> str:
    return " ".join(w.value for w in with_class(wizard.details_step, "wal-field-error"))


def test_a_missing_token_url_is_shown_under_its_field_and_next_stays(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS, fill=False)
    details = wizard.details_step
    details.field("client_id").value = "my-client"
    details.field("client_secret").value = "s3cret-value"
    assert details.errors == {}  # nothing shown before the first Next
    one(wizard, "wal-next").click()
    assert wizard.step == "details"
    assert details.errors == {"token_url": ["is required for OAuth Client Credentials"]}
    assert details.field_error("token_url") == "Token URL is required for OAuth Client Credentials"
    assert "Token URL is required for OAuth Client Credentials" in error_lines(wizard)
    assert details.message_kind == "error"
    # fixing it clears the line at once, and Next goes on
    details.field("token_url").value = "https://login.example.com/oauth2/token"
    assert details.errors == {} and error_lines(wizard).strip() == ""
    assert wizard.next() and wizard.step == "run"


def test_plain_http_to_a_remote_host_is_refused_inline(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    details = wizard.details_step
    details.field("auth_url").value = "http://login.example.com/authorize"
    details.field("token_url").value = "http://127.0.0.1:9/token"  # loopback: allowed
    assert not wizard.next()
    assert any("uses plain http" in m for m in details.errors["auth_url"])
    assert "token_url" not in details.errors
    assert "Auth URL uses plain http" in error_lines(wizard)


def test_a_bad_value_left_in_a_field_of_another_type_does_not_hold_the_form_back(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    wizard.details_step.field("auth_url").value = "http://login.example.com/authorize"
    wizard.back()
    wizard.auth_type_step.select(AuthType.BASIC)
    wizard.next()
    details = wizard.details_step
    details.field("username").value = "u"
    details.field("password").value = "p"
    assert wizard.next() and wizard.step == "run"
    assert details.errors == {} and "Auth URL" not in details.message
    assert error_lines(wizard).strip() == ""
    assert wizard.config.auth_url == "http://login.example.com/authorize"  # kept, for a switch back
    wizard.go_to("auth_type")
    wizard.auth_type_step.select(AuthType.OAUTH_CODE)
    wizard.next()
    assert not wizard.next()
    assert any("uses plain http" in m for m in details.errors["auth_url"])


def test_problems_of_settings_without_a_field_go_to_the_message_area(make_wizard):
    config = WebhookAuthConfig(auth_type="basic", username="u", password="p", timeout=0)
    wizard = make_wizard(AuthType.BASIC, fill=False, config=config)
    assert not wizard.next()
    details = wizard.details_step
    assert "Timeout must be between 0 and 300 seconds" in details.message
    assert "WebhookAuthConfig" in details.message  # the hint says where to fix it
    assert error_lines(wizard).strip() == ""  # no field has a line for it


def test_audience_and_resource_fill_extra_params(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS)
    details = wizard.details_step
    details.field("audience").value = "https://api.example.com"
    details.field("resource").value = ""
    assert wizard.config.extra_params == {"audience": "https://api.example.com"}


@pytest.mark.parametrize("name", SECRET_FIELDS)
def test_a_typed_secret_moves_into_the_config_and_leaves_the_widget(make_wizard, name):
    auth = {"client_secret": AuthType.OAUTH_CODE, "password": AuthType.BASIC, "token": AuthType.TOKEN}[name]
    wizard = make_wizard(auth, fill=False)
    widget = wizard.details_step.field(name)
    widget.value = CANARY_TOKEN
    assert widget.value == ""
    assert getattr(wizard.config, name) == CANARY_TOKEN
    assert wizard.details_step.secret_hint(name) == f"secret stored (ends …{CANARY_TOKEN[-4:]})"
    assert "secret stored (ends …" in tree_state(wizard.details_step)
    assert CANARY_TOKEN not in tree_state(wizard) and CANARY_TOKEN not in saved_state()


def test_a_short_secret_shows_no_characters_and_an_empty_field_keeps_it(make_wizard):
    wizard = make_wizard(AuthType.BASIC, fill=False)
    details = wizard.details_step
    details.field("username").value = "alice"
    details.field("password").value = "hunter22"
    assert details.secret_hint("password") == "secret stored"
    assert "hunter22" not in tree_state(wizard)
    assert details.commit() == {}  # Next / Run with the field empty
    assert wizard.config.password == "hunter22"
    assert details.field("password").placeholder.startswith("stored")


def test_secrets_set_on_widgets_before_next_are_gone_after_next(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS, fill=False)
    details = wizard.details_step
    # bypass the observer, as a front end racing a click might: Next still empties it
    with details.field("client_secret").hold_trait_notifications():
        details._syncing = True
        details.field("client_secret").value = CANARY_SECRET
        details._syncing = False
    details.field("token_url").value = "https://login.example.com/token"
    details.field("client_id").value = "c"
    assert wizard.next()
    assert details.field("client_secret").value == ""
    assert wizard.config.client_secret == CANARY_SECRET
    assert CANARY_SECRET not in saved_state()


def test_fill_from_demo_stores_secrets_without_putting_them_in_widgets(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE)
    cfg, p = wizard.config, canary_demo
    assert (cfg.auth_url, cfg.token_url, cfg.client_id, cfg.webhook_url, cfg.issuer, cfg.redirect_uri) == (
        p.auth_url, p.token_url, p.client_id, p.webhook_url, p.issuer, p.callback_url)
    assert cfg.client_secret == CANARY_SECRET
    details = wizard.details_step
    assert details.field("client_secret").value == ""
    assert details.field("auth_url").value == p.auth_url
    assert "secret stored (ends …" in one(details, "wal-client-secret").placeholder + tree_state(details)
    state = saved_state()
    assert CANARY_SECRET not in state and CANARY_PASSWORD not in state


def test_fill_from_demo_for_basic_uses_the_webhook_credentials(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.BASIC)
    assert wizard.config.username == canary_demo.webhook_username
    assert wizard.config.password == CANARY_PASSWORD
    assert wizard.details_step.field("username").value == canary_demo.webhook_username
    assert CANARY_PASSWORD not in saved_state()


def test_fill_from_demo_for_token_fetches_a_token_to_stand_in_for_a_pasted_one(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.TOKEN)
    assert wizard.config.token and wizard.token is not None
    assert wizard.token.access_token == wizard.config.token
    assert len(canary_demo.token_requests) == 1
    assert wizard.config.token not in saved_state()


def test_fill_from_issuer_reads_the_demo_metadata(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    details = wizard.details_step
    one(details, "wal-issuer").value = canary_demo.issuer
    one(details, "wal-fill-issuer").click()
    assert details.message_kind == "ok", details.message
    assert wizard.config.auth_url == canary_demo.auth_url
    assert wizard.config.token_url == canary_demo.token_url
    assert wizard.config.issuer == canary_demo.issuer
    assert details.field("token_url").value == canary_demo.token_url
    assert "alerts:write" in details.message  # the scopes it offers
    assert any(e.step.startswith("discovery") for e in wizard.transcript)


def test_fill_from_issuer_refuses_plain_http_and_says_so_under_the_field(make_wizard):
    wizard = make_wizard(AuthType.OAUTH_CODE, fill=False)
    details = wizard.details_step
    one(details, "wal-issuer").value = "http://login.example.com"
    one(details, "wal-fill-issuer").click()
    assert details.message_kind == "error"
    assert "issuer" in details.errors
    assert "Issuer " in error_lines(wizard)
    assert "Traceback" not in details.message


def test_fill_from_issuer_without_metadata_shows_the_discovery_hint(make_wizard, scripted):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS, fill=False)
    details = wizard.details_step
    one(details, "wal-issuer").value = scripted.base
    one(details, "wal-fill-issuer").click()
    assert details.message_kind == "error"
    assert "No provider metadata" in details.message and "Hint:" in details.message
    assert wizard.config.token_url == ""


def test_an_unknown_client_auth_method_from_a_config_is_shown_with_its_error(canary_demo):
    from widgets import WebhookAuthConfig
    from widgets.ui import Wizard

    wizard = Wizard(config=WebhookAuthConfig(client_auth="private_key_jwt_v9", token_url="https://as.example/t",
                                             client_id="c", client_secret="s"))
    try:
        wizard.next()
        assert wizard.details_step.field("client_auth").value == "private_key_jwt_v9"
        assert not wizard.next()
        assert "client_auth" in wizard.details_step.errors
        wizard.details_step.field("client_auth").value = "client_secret_post"
        assert wizard.next()
        options = [v for _, v in wizard.details_step.field("client_auth").options]
        assert options.count("private_key_jwt_v9") == 1
    finally:
        wizard.close()
