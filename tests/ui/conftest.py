"""Fixtures for the wizard tests: a demo provider holding canary secrets, and wizards on it.

No browser: values are set on widgets, buttons are ``click()``ed, state is asserted.
"""

from __future__ import annotations

import pytest

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET
from tests.support.ui import one
from widgets import AuthType
from widgets.demo import DemoProvider
from widgets.ui import Wizard


@pytest.fixture
def canary_demo():
    """A demo provider whose client secret and webhook password are canaries."""
    # device_interval=1: the device grant's polls come a second apart, not five
    with DemoProvider(client_secret=CANARY_SECRET, webhook_password=CANARY_PASSWORD, device_interval=1) as provider:
        yield provider
    assert not provider._internal_errors, provider._internal_errors


@pytest.fixture
def make_wizard(canary_demo):
    """``make_wizard(auth_type, fill=True)``: a wizard on the canary demo, on the Details step."""
    made: list[Wizard] = []

    def make(auth_type: AuthType | None = None, *, fill: bool = True, provider=canary_demo, **kwargs) -> Wizard:
        wizard = Wizard(provider=provider, **kwargs)
        made.append(wizard)
        if auth_type is not None:
            wizard.auth_type_step.select(auth_type)
        assert wizard.next() and wizard.step == "details"
        if fill:
            one(wizard, "wal-fill-demo").click()
            assert wizard.details_step.message_kind == "ok", wizard.details_step.message
        return wizard

    yield make
    for wizard in made:
        wizard.close()
