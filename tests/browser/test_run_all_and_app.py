"""After *Run all* every by-hand path still works; a fresh clone stays clean after running every
notebook in the browser; the Voilà app links its notebooks, hides prose about code it hides, and
nothing runs past its right edge.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.browser.person import LONG, expect, run_all, save_notebook, shot
from tests.support.browser import ROOT, start_lab, stop

pytestmark = pytest.mark.browser

#: Every notebook of the checkout, whatever is added later.
NOTEBOOKS = tuple(sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone of this checkout's HEAD, set up as `make lab` sets it up (the git filter)."""
    path = tmp_path_factory.mktemp("clone") / "webhook-oauth-lab"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(path)], check=True)
    subprocess.run([sys.executable, "-m", "nbstripout", "--install", "--attributes", ".gitattributes"],
                   cwd=path, check=True)
    make = (ROOT / "Makefile").read_text()
    keys = " ".join(re.search(r"NB_EXTRA_KEYS := (.*?)\n\n", make, re.S).group(1).replace("\\\n", " ").split())
    git("config", "filter.nbstripout.extrakeys", keys, cwd=path)
    assert git("status", "--porcelain", cwd=path) == ""
    return path


@pytest.fixture(scope="module")
def clone_lab(tmp_path_factory, clone):
    # As `make lab`: the checkout's etc/jupyter on JUPYTER_CONFIG_PATH.
    process, info = start_lab(tmp_path_factory, [], name="clone-lab", root=clone,
                              env={"JUPYTER_CONFIG_PATH": str(clone / "etc" / "jupyter")})
    try:
        yield info
    finally:
        stop(process)


def run_every_cell(page, lab, name):
    # A workspace of its own, so that only this notebook is open (Run all acts on the current tab).
    page.goto(f"{lab['base']}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb?reset&token={lab['token']}")
    expect()(page.locator(".jp-NotebookPanel")).to_have_count(1, timeout=LONG)
    run_all(page)
    # Every code cell has run: a number in its prompt, none queued ([*]) or unrun ([ ]).
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];"
        " return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }",
        timeout=LONG * 2,
    )
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, name


@pytest.mark.timeout(1200)  # six notebooks, each run whole in the browser, on a busy 2-core machine
def test_every_notebook_run_in_the_browser_leaves_a_fresh_clone_clean(browser_context, clone, clone_lab,
                                                                       artifacts):
    for name in NOTEBOOKS:
        page = browser_context.new_page()  # a new page a notebook: one notebook's cells on screen at a time
        try:
            run_every_cell(page, clone_lab, name)
            if name == "02-authorization-code-with-state":
                login_link_opens_a_live_page(page, browser_context, artifacts)
            if name == "04-troubleshooting":
                probe_is_not_all_refused(page, artifacts)
            save_notebook(page)
            expect()(page.locator(".jp-OutputArea-output").first).to_be_visible()  # outputs stay on screen
        except BaseException:
            page.screenshot(path=str(artifacts / f"run-all-{name}-failed.png"))
            raise
        finally:
            page.close()
    assert git("status", "--porcelain", "--untracked-files=all", cwd=clone) == ""
    assert not list(clone.glob("notebooks/*transcript*")), "an export landed inside the repository"


def login_link_opens_a_live_page(page, browser_context, artifacts):
    link = page.locator("a:text('Open the login page ↗')").first
    expect()(link).to_be_visible()
    with browser_context.expect_page() as new_tab:
        link.click()
    login = new_tab.value
    login.wait_for_load_state()
    expect()(login.locator("h1")).to_contain_text("Sign in to allow")
    shot(login, artifacts, "run-all-02-login-page")
    login.close()


def probe_is_not_all_refused(page, artifacts):
    diagnose = page.locator(".wal-step-diagnose")
    diagnose.locator(".wal-probe").first.click()
    rows = diagnose.locator("table.wal-probe tbody tr")
    expect()(rows.first).to_be_visible(timeout=LONG)
    texts = rows.all_inner_texts()
    assert texts and not all("refused" in t for t in texts), texts
    assert any(re.search(r"\t(yes|no)\t", t) for t in texts), texts
    shot(page, artifacts, "run-all-04-probe")


# -- the Voilà app ---------------------------------------------------------------------------------

def test_voila_app_links_hides_prose_of_hidden_cells_and_does_not_overflow(browser_context, voila_server,
                                                                           artifacts):
    page = browser_context.new_page()
    try:
        page.goto(voila_server["start"])
        expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
        text = page.locator("body").inner_text()
        for prose in ("change only this cell", "Run all", "No module named", "Showing `demo`", "Showing demo"):
            assert prose.lower() not in text.lower(), prose
        overflow = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth - document.documentElement.clientWidth,"
            " boxes: [...document.querySelectorAll('.jp-OutputArea-output, pre')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60))})")
        assert overflow["page"] <= 0 and not overflow["boxes"], overflow
        page.screenshot(path=str(artifacts / "voila-start.png"), full_page=True)
        link = page.locator("a:text('01 · Client credentials')")
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_url(re.compile(r"/voila/render/01-client-credentials\.ipynb"), timeout=LONG)
        expect()(page.locator("h1")).to_contain_text("01 · OAuth Client Credentials", timeout=LONG)
        page.screenshot(path=str(artifacts / "voila-01.png"))
    finally:
        page.close()
