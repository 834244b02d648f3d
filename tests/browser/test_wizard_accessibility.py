"""axe-core on every wizard step, in JupyterLab and in Voilà: no critical or serious violation
inside the wizard. Each step is checked with what it shows after its own action (a token, a
delivery, the table, a probe and paste-ready values), so the rendered results are checked too.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.person import (
    LONG, axe_violations, button, choose, expect, format_violations, go_to, message, open_notebook_copy,
    press, shot, visible_step, wizard,
)

pytestmark = pytest.mark.browser


def _walk_every_step(page, artifacts, prefix):
    """Yield (step title, violations) for each of the six steps, each after its action."""
    go_to(page, "Auth type")
    yield "Auth type", axe_violations(page)
    choose(page, "OAuth Client Credentials")
    yield "Details", axe_violations(page)
    press(page, "Next")
    button(page, "Get token").click()
    expect()(message(page)).to_contain_text("Got a Bearer token", timeout=LONG)
    yield "Run", axe_violations(page)
    press(page, "Next")
    button(page, "Send test webhook").click()
    expect()(message(page)).to_contain_text("accepted", timeout=LONG)
    yield "Result", axe_violations(page)
    press(page, "Next")
    expect()(visible_step(page).locator("table").first).to_be_visible(timeout=LONG)
    yield "Results table", axe_violations(page)
    press(page, "Next")
    button(page, "Probe the provider").click()
    expect()(message(page)).to_contain_text("questions", timeout=LONG)
    button(page, "Ready to paste").click()
    expect()(visible_step(page).get_by_text(re.compile(r"^Choose "))).to_be_visible(timeout=LONG)
    shot(page, artifacts, f"{prefix}-a11y-diagnose")
    yield "Diagnose", axe_violations(page)
    # and the code flow's Run step, with its link, bare-code choice and warning
    choose(page, "OAuth Code")
    press(page, "Next")
    button(page, "Build authorize link").click()
    expect()(visible_step(page).get_by_role("link", name=re.compile("state="))).to_be_visible(timeout=LONG)
    visible_step(page).get_by_label("I only have the code (the provider sends no state back)").check()
    expect()(visible_step(page).get_by_text("State will not be checked")).to_be_visible(timeout=LONG)
    yield "Run (OAuth Code)", axe_violations(page)
    visible_step(page).get_by_label("I only have the code (the provider sends no state back)").uncheck()


def _check(page, artifacts, prefix):
    found = {title: v for title, v in _walk_every_step(page, artifacts, prefix) if v}
    assert not found, "\n".join(f"{title}: {format_violations(v)}" for title, v in found.items())


def test_no_serious_accessibility_violation_on_any_step_in_jupyterlab(browser_context, lab_server, artifacts):
    page = open_notebook_copy(browser_context, lab_server, "accessibility")
    try:
        _check(page, artifacts, "lab")
    finally:
        page.close()


def test_no_serious_accessibility_violation_on_any_step_in_voila(browser_context, voila_server, artifacts):
    page = browser_context.new_page()
    try:
        page.goto(voila_server["start"])
        expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
        expect()(wizard(page).get_by_text("Step 1 of")).to_be_visible(timeout=LONG)
        _check(page, artifacts, "voila")
    finally:
        page.close()
