"""The Run step's Reveal (Basic and Token): while the full header is on screen, no widget's state
holds it, so a notebook saved at that moment (nbclient, Ctrl-S with widget state on) keeps only
the masked header. The full header reaches the browser in a custom message only.
"""

from __future__ import annotations

import base64
import json

import pytest
from ipywidgets.widgets.widget import _instances  # what ipw.Widget.widgets (deprecated) returns

from tests.support.canaries import CANARY_PASSWORD, CANARY_TOKEN, leaked_forms
from tests.support.ui import one
from widgets import AuthType


def every_widget_state() -> str:
    """``get_state()`` of every live widget (the wizard's tree and anything else), as text."""
    states = [widget.get_state() for widget in list(_instances.values())]
    return json.dumps(states, default=str, ensure_ascii=False) + "\n" + json.dumps(states, default=str)


def to_run_with_typed_secret(make_wizard, canary_demo, auth_type):
    """Details filled from the demo, the secret typed over it by hand, then Run; returns the
    wizard and the secrets that must stay out of widget state."""
    wizard = make_wizard(auth_type)
    details = wizard.details_step
    if auth_type is AuthType.BASIC:
        details.field("password").value = CANARY_PASSWORD
        user_password = f"{canary_demo.webhook_username}:{CANARY_PASSWORD}"
        secrets = [CANARY_PASSWORD, base64.b64encode(user_password.encode()).decode()]
    else:
        details.field("token").value = CANARY_TOKEN
        secrets = [CANARY_TOKEN]
    assert wizard.next() and wizard.step == "run", details.message
    header = wizard.model.authorization_header()
    secrets.append(header.partition(" ")[2])
    return wizard, secrets


@pytest.mark.parametrize("auth_type", [AuthType.BASIC, AuthType.TOKEN])
def test_while_the_run_header_is_revealed_no_widget_state_holds_the_secret(make_wizard, canary_demo, auth_type):
    wizard, secrets = to_run_with_typed_secret(make_wizard, canary_demo, auth_type)
    run = wizard.run_step
    sent = []  # custom messages to the browser: not widget state, never saved
    view = one(run, "wal-auth-header")
    view.send = sent.append
    header = wizard.model.authorization_header()

    one(run, "wal-reveal").value = True

    assert one(run, "wal-reveal").description == "Hide"
    assert run.header_text == f"Authorization: {header}"
    state = every_widget_state()
    for secret in secrets:
        assert not leaked_forms(secret, state), f"...{secret[-4:]} in widget state while revealed"
    assert wizard.model.masked_header() in state  # the masked header is still there, as before
    assert not any(secret in repr(view) for secret in secrets)
    # It really is revealed: the browser was sent the full header, in a message.
    assert sent and sent[-1] == {"event": "values", "values": [f"Authorization: {header}"]}, sent

    one(run, "wal-reveal").value = False
    assert sent[-1] == {"event": "hide"}
    assert run.header_text == f"Authorization: {wizard.model.masked_header()}"


@pytest.mark.parametrize("auth_type", [AuthType.BASIC, AuthType.TOKEN])
def test_a_view_drawn_while_revealed_gets_the_header_again_and_none_once_hidden(make_wizard, canary_demo,
                                                                                auth_type):
    wizard, _secrets = to_run_with_typed_secret(make_wizard, canary_demo, auth_type)
    run = wizard.run_step
    view = one(run, "wal-auth-header")
    sent = []
    view.send = sent.append
    one(run, "wal-reveal").value = True
    view._on_message(view, {"event": "want"}, [])  # a second view (or a reload) asks
    assert sent[-1] == {"event": "values", "values": [run.header_text]}
    wizard.back()  # leaving the step hides it
    assert not one(run, "wal-reveal").value and sent[-1] == {"event": "hide"}
    count = len(sent)
    view._on_message(view, {"event": "want"}, [])
    assert len(sent) == count  # hidden: asking gets nothing
