"""Driving the wizard as a person does: by the words on the screen (button names, field labels,
placeholders, headings), never by the wizard's CSS hooks. Every wait is on the page, never a sleep.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.support.browser import CANARIES, JWT, NOTEBOOK

LONG = 120_000  # ms: kernel start and Run All on a busy 2-core CI machine
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def wizard(page):
    return page.locator(".wal-wizard").last


def step_number(page) -> int:
    text = wizard(page).get_by_text(re.compile(r"^Step \d+ of \d+")).first.inner_text()
    return int(re.search(r"Step (\d+) of", text).group(1))


def visible_step(page):
    """The step on screen (the wizard's Stack shows one child)."""
    return wizard(page).locator(".wal-step:visible").first


def _named(name: str):
    # A button's icon (a Font Awesome glyph from CSS) comes first in its accessible name.
    return re.compile(rf"^\W?\s*{re.escape(name)}$")


def button(page, name: str):
    return visible_step(page).get_by_role("button", name=_named(name))


def press(page, name: str) -> None:
    """Back or Next, then wait until the step number has moved."""
    target = step_number(page) + (1 if name == "Next" else -1)
    nav = wizard(page).get_by_role("button", name=_named(name))
    expect()(nav).to_be_enabled(timeout=LONG)
    nav.click()
    expect()(wizard(page).get_by_text(f"Step {target} of")).to_be_visible(timeout=LONG)


def go_to(page, title: str) -> None:
    """Click a step's name in the breadcrumb."""
    crumb = wizard(page).get_by_role("button", name=re.compile(rf"^\d+\. {re.escape(title)}$"))
    expect()(crumb).to_be_enabled(timeout=LONG)
    crumb.click()
    at(page, title)


def at(page, title: str):
    """The step on screen, once its heading says it is ``title``."""
    expect()(wizard(page).get_by_text(re.compile(rf"^Step \d+ of \d+ · {re.escape(title)}$"))).to_be_visible(
        timeout=LONG)
    return visible_step(page)


def save_notebook(page) -> None:
    """Ctrl+S in the notebook on screen; wait until JupyterLab says it is saved."""
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    expect()(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=LONG)


def assert_holds_no_secret(saved: str) -> None:
    """A saved notebook's text: still a notebook, and none of the canaries, the wrong secret typed
    by a test, or a JWT in it."""
    assert json.loads(saved)["cells"]
    for canary in CANARIES.values():
        assert canary not in saved
    assert "definitely-not-the-secret" not in saved
    assert not JWT.search(saved)


def message(page):
    """The message area of the step on screen."""
    return visible_step(page).locator("[role=alert], [role=status]").last


def field(page, label: str):
    return visible_step(page).get_by_label(label, exact=True)


def set_field(page, label: str, value: str) -> None:
    box = field(page, label)
    box.fill(value)
    box.press("Tab")  # the value reaches the kernel when the field loses focus


def choose(page, auth_type: str) -> None:
    """From anywhere: step 1, pick the type, Next, fill from the demo provider."""
    go_to(page, "Auth type")
    visible_step(page).get_by_label(auth_type, exact=True).check()
    press(page, "Next")
    button(page, "Fill from the demo provider").click()
    expect()(message(page)).to_contain_text("Filled from the demo provider", timeout=LONG)


def run_in_new_cell(page, code: str) -> str:
    """Type ``code`` into a new last cell of the notebook, run it, and return its output text."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.locator(".jp-Notebook .jp-Cell").last.locator(".cm-content").click()
    page.keyboard.type(code)
    page.keyboard.press("Control+Enter")
    output = page.locator(".jp-Notebook .jp-CodeCell").last.locator(".jp-OutputArea-output")
    expect()(output).not_to_be_empty(timeout=LONG)
    return output.inner_text().strip()


def log_in(context, link, *, approve: bool = True, artifacts=None, name: str = "", login_shot: str = "",
           lands: re.Pattern | None = None):
    """Open the authorize link (a new tab), sign in as the demo user, approve or deny; return the
    tab, on the page it landed on.

    ``login_shot``: a screenshot of the filled-in sign-in page (before the decision) under that
    name; ``name``: one of the page landed on. ``lands``: the address it must land on (by
    default the callback with a code after Approve, any callback after Deny).
    """
    with context.expect_page() as new_tab:
        link.click()
    login = new_tab.value
    login.wait_for_load_state()
    expect()(login.get_by_label("Password")).to_be_visible()
    login.get_by_label("Username").fill("demo")
    login.get_by_label("Password").fill(CANARIES["WAL_DEMO_PASSWORD"])  # the person types it; no widget holds it
    if login_shot and artifacts is not None:
        shot(login, artifacts, login_shot)
    login.get_by_role("button", name="Approve" if approve else "Deny").click()
    login.wait_for_url(lands or re.compile(r"/callback\?.*code=" if approve else r"/callback\?"))
    login.wait_for_load_state()
    if name and artifacts is not None:
        shot(login, artifacts, name)
    return login


def log_in_and_land(context, link, **how) -> str:
    """:func:`log_in`, then close the tab: the address it landed on, as a person copies it."""
    tab = log_in(context, link, **how)
    landed = tab.url
    tab.close()
    return landed


def build_link(page):
    """On Run of OAuth Code: press Build authorize link; the link (with a state) once it is shown."""
    button(page, "Build authorize link").click()
    link = visible_step(page).get_by_role("link", name=re.compile(r"state="))
    expect()(link).to_be_visible(timeout=LONG)
    return link


def paste_and_exchange(page, text: str) -> None:
    """Paste ``text`` (an address, or a code alone) into Run's paste field and press Exchange."""
    box = visible_step(page).get_by_placeholder(re.compile(r"callback\?code=|the code alone"))
    box.fill(text)
    button(page, "Exchange").click()


def shot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    root = page.locator(".wal-wizard")
    if root.count() and root.last.is_visible():
        root.last.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def no_traceback(page) -> None:
    """No traceback on the page, and no cell wrote to stderr."""
    assert "Traceback" not in page.locator("body").inner_text()
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


def run_all(page) -> None:
    """Once the kernel is idle, Run All from JupyterLab's Run menu."""
    # The notebook's own indicator reads idle while the kernel is still starting: wait on the
    # status bar text instead, or Run All opens a "Select Kernel" dialog and nothing runs.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))",
        timeout=LONG,
    )
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def open_and_run_all(page, url: str) -> None:
    """Open a notebook's JupyterLab address, Run All, and wait until the wizard is on Step 1."""
    page.goto(url)
    run_all(page)
    expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
    expect()(wizard(page).get_by_text("Step 1 of")).to_be_visible(timeout=LONG)


def open_notebook_copy(context, lab_server, name: str):
    """Notebook 00 under another name (its own kernel), opened in JupyterLab and Run All."""
    copy = lab_server["root"] / f"{name}.ipynb"
    shutil.copy(NOTEBOOK, copy)
    page = context.new_page()
    # A workspace of its own: the default one would bring back (and select) the tabs other
    # tests opened on the same server.
    open_and_run_all(page, f"{lab_server['base']}/lab/workspaces/{name}/tree/{copy.name}?reset&token={lab_server['token']}")
    return page


def axe_violations(page) -> list[dict]:
    """axe-core run on the wizard element: the violations of impact critical or serious."""
    if not AXE.exists():
        import os

        reason = "axe-core is not installed: npm ci --prefix tests/browser"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const roots = [...document.querySelectorAll('.wal-wizard')];
            const root = roots[roots.length - 1];
            const r = await axe.run(root, {resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result


def format_violations(violations) -> str:
    return json.dumps(violations, indent=1)[:4000]
