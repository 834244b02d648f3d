"""The wizard with private_key_jwt and mTLS: the Details step shows each method's fields, the demo
fills them, Run gets a token, and no key, assertion or certificate key is in any widget state."""

from __future__ import annotations

import pytest

from tests.support.client_auth import beyond_secret_demo, pem_body_chunks
from tests.support.ui import one, saved_state, tree_state
from widgets import AuthType
from widgets.ui import Wizard


@pytest.fixture
def provider():
    running = beyond_secret_demo()
    yield running
    running.stop()
    assert not running._internal_errors, running._internal_errors


def shown(wizard) -> set[str]:
    details = wizard.details_step
    return {name for name, f in details._fields.items() if f.box.layout.display != "none"}


def test_choosing_a_method_shows_its_fields_and_hides_the_secret(provider):
    wizard = Wizard(provider=provider)
    try:
        wizard.auth_type_step.select(AuthType.OAUTH_CLIENT_CREDENTIALS)
        wizard.next()
        details = wizard.details_step
        assert "client_key_file" not in shown(wizard) and "client_secret" in shown(wizard)
        details.field("client_auth").value = "private_key_jwt"
        assert {"client_key_file", "client_key_id", "client_assertion_alg"} <= shown(wizard)
        assert "client_secret" not in shown(wizard) and "tls_client_cert" not in shown(wizard)
        details.field("client_auth").value = "tls_client_auth"
        assert {"tls_client_cert", "tls_client_key", "tls_ca_file"} <= shown(wizard)
        assert "client_key_file" not in shown(wizard)
        one(wizard, "wal-next").click()
        assert wizard.step == "details"
        assert details.field_error("tls_client_cert") == "Client certificate file is required for tls_client_auth"
    finally:
        wizard.close()


@pytest.mark.parametrize("method", ["private_key_jwt", "tls_client_auth"])
def test_fill_from_the_demo_then_get_a_token(provider, method):
    wizard = Wizard(provider=provider)
    try:
        wizard.auth_type_step.select(AuthType.OAUTH_CLIENT_CREDENTIALS)
        wizard.next()
        wizard.details_step.field("client_auth").value = method
        one(wizard, "wal-fill-demo").click()
        assert wizard.details_step.message_kind == "ok", wizard.details_step.message
        assert wizard.next() and wizard.step == "run", wizard.details_step.errors
        run = wizard.run_step
        one(run, "wal-get-token").click()
        assert run.token is not None, run.message
        assert provider.token_requests[-1]["client_auth"] == method
        cfg = wizard.model.config
        key_file = cfg.client_key_file if method == "private_key_jwt" else cfg.tls_client_key
        state = saved_state() + tree_state(wizard)
        assert key_file in state  # the path is shown ...
        assert not any(chunk in state for chunk in pem_body_chunks(key_file))  # ... never the key
        assert run.token.access_token not in state
    finally:
        wizard.close()


def test_the_paste_ready_output_says_the_platform_cannot_use_the_key(provider):
    wizard = Wizard(provider=provider)
    try:
        wizard.auth_type_step.select(AuthType.OAUTH_CLIENT_CREDENTIALS)
        wizard.next()
        wizard.details_step.field("client_auth").value = "private_key_jwt"
        one(wizard, "wal-fill-demo").click()
        wizard.next()
        one(wizard.run_step, "wal-get-token").click()
        ready = wizard.model.paste_ready()
        assert any("private_key_jwt" in note and "Token auth" in note for note in ready.notes)
        assert "Private key file" not in ready.fields
    finally:
        wizard.close()
