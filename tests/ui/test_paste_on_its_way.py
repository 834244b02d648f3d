"""A click on Exchange can reach the kernel before the address pasted just before it: the field
syncs on blur, and the front end may hold that update back behind an unanswered one, while the
click goes out at once. The Run step then neither says "Nothing was pasted" for good nor lets a
late paste overwrite a result: the late text is exchanged for the click that wanted it, and that
click is not answered twice. A recorded event loop stands in for the kernel's."""

from __future__ import annotations

import pytest

from tests.support.ui import one
from widgets import AuthType
from widgets.ui.steps import run as run_module


class Loop:
    """The kernel's loop as the step sees it: call_later is recorded; the test runs it."""

    def __init__(self):
        self.later = []

    def call_later(self, _delay, callback):
        self.later.append(callback)

    def run_pending(self):
        pending, self.later = self.later, []
        for callback in pending:
            callback()


@pytest.fixture
def loop(monkeypatch):
    recorded = Loop()
    monkeypatch.setattr(run_module, "kernel_loop", lambda: recorded)
    return recorded


def at_run(make_wizard, demo):
    wizard = make_wizard(AuthType.OAUTH_CODE)
    assert wizard.next() and wizard.step == "run"
    run = wizard.run_step
    one(run, "wal-build-link").click()
    return wizard, run, demo.approve(run.authorize_url)


def test_a_paste_that_lands_within_the_grace_is_exchanged(make_wizard, canary_demo, loop):
    wizard, run, landed = at_run(make_wizard, canary_demo)
    one(run, "wal-exchange").click()  # the click came first
    assert run.token is None and loop.later
    one(run, "wal-paste").value = landed  # the held-back text
    loop.run_pending()
    assert run.message_kind == "ok" and run.token is not None, run.message
    assert len(canary_demo.token_requests) == 1


def test_a_paste_later_than_the_grace_is_exchanged_and_the_second_click_ignored(make_wizard, canary_demo, loop):
    wizard, run, landed = at_run(make_wizard, canary_demo)
    one(run, "wal-exchange").click()
    loop.run_pending()  # the grace ran out with the field still empty
    assert run.message_kind == "error" and "Nothing was pasted" in run.message
    one(run, "wal-paste").value = landed  # then it lands
    assert run.message_kind == "ok" and run.token is not None, run.message
    assert one(run, "wal-paste").value == ""
    one(run, "wal-exchange").click()  # a person's second click, or the click of that same paste
    loop.run_pending()
    assert run.message_kind == "ok", run.message  # not turned into "Nothing was pasted"
    assert len(canary_demo.token_requests) == 1


def test_a_paste_made_long_after_waits_for_its_own_click(make_wizard, canary_demo, loop, monkeypatch):
    wizard, run, landed = at_run(make_wizard, canary_demo)
    one(run, "wal-exchange").click()
    loop.run_pending()
    assert "Nothing was pasted" in run.message
    monkeypatch.setattr(run_module, "PASTE_WAIT", 0.0)  # as if the person pasted a while later
    one(run, "wal-paste").value = landed
    assert run.token is None and len(canary_demo.token_requests) == 0
    one(run, "wal-exchange").click()
    assert run.message_kind == "ok" and run.token is not None, run.message
