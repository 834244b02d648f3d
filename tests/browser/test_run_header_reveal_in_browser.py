"""The Run step's Reveal on the Token path, in JupyterLab as a person uses it: a token typed into
Details, Reveal shows the whole ``Authorization`` header on the page, Hide masks it again; while
it is shown, the kernel's widget state holds only the masked header (the full one reached the
page in a custom message). Screenshots of both states go to /tmp/shots-reveal2/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.person import (
    LONG, button, choose, expect, field, no_traceback, open_notebook_copy, press, run_in_new_cell, set_field, shot,
    visible_step,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-reveal2")
TYPED_TOKEN = "canary-browser-typed-TOKEN-8d3f6b1a9e"  # what the person types into Details

# One line (the editor would indent a second): does any live widget's state hold the full header?
STATE_WHILE_REVEALED = (
    "import json; from ipywidgets.widgets.widget import _instances as I; "
    "W=[w for w in I.values() if type(w).__name__=='Wizard'][-1]; h=W.model.authorization_header(); "
    "a=json.dumps([w.get_state() for w in list(I.values())], default=str); "
    "print('revealed', W.run_step.header_text == 'Authorization: ' + h, "
    "'masked', W.model.masked_header() in a, 'full', h.partition(' ')[2] in a)"
)


@pytest.fixture(scope="module")
def page(browser_context, lab_server):
    page = open_notebook_copy(browser_context, lab_server, "reveal-header")
    yield page
    page.close()


def test_reveal_shows_the_whole_token_header_on_the_page_and_hide_masks_it(page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    choose(page, "Token")
    set_field(page, "Token", TYPED_TOKEN)
    expect()(visible_step(page).get_by_text(f"secret stored (ends …{TYPED_TOKEN[-4:]})")).to_be_visible(
        timeout=LONG)
    assert field(page, "Token").input_value() == ""  # the field gave the token up
    press(page, "Next")
    step = visible_step(page)
    masked = f"Authorization: Bearer ****{TYPED_TOKEN[-4:]}"
    expect()(step.get_by_text(masked)).to_be_visible(timeout=LONG)
    assert TYPED_TOKEN not in step.inner_text()

    button(page, "Reveal").click()
    full = f"Authorization: Bearer {TYPED_TOKEN}"
    expect()(step.get_by_text(full, exact=True)).to_be_visible(timeout=LONG)
    expect()(button(page, "Hide")).to_be_visible()
    assert masked not in step.inner_text()
    shot(page, SHOTS, "run-header-revealed")
    # asked of the kernel while the header is on screen (it hides itself after 30 s)
    assert run_in_new_cell(page, STATE_WHILE_REVEALED) == "revealed True masked True full False"

    button(page, "Hide").click()
    expect()(step.get_by_text(masked)).to_be_visible(timeout=LONG)
    expect()(button(page, "Reveal")).to_be_visible()
    assert TYPED_TOKEN not in step.inner_text()
    assert TYPED_TOKEN not in step.evaluate("e => e.outerHTML")  # wiped from the page, not just hidden
    shot(page, SHOTS, "run-header-hidden-again")
    no_traceback(page)
