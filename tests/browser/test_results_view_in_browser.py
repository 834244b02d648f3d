"""The results step in a real browser, JupyterLab and Voilà: a table that fits, raw HTTP of a
clicked row with response headers masked, the sequence diagram, and downloads that arrive in
the browser and hold no secret.

Driven by what a person sees: button names, row text, the step's heading.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.browser.person import (
    LONG, at, build_link, button, choose, expect, log_in_and_land, message, no_traceback, open_and_run_all,
    paste_and_exchange, press, shot,
)
from tests.support.browser import CANARIES, JWT

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1400, 1000
#: axe-core from npm, as tests/browser/package.json installs it (``npm ci`` in tests/browser).
AXE = Path(os.environ.get("WAL_AXE_JS") or Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js")


def serious_axe_violations(page, selector: str) -> list[str]:
    """axe-core's critical and serious violations inside ``selector``, one line each."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"axe-core is not installed at {AXE} (npm ci in tests/browser)")
        pytest.skip(f"axe-core is not installed at {AXE} (npm ci in tests/browser)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (selector) => {
            const result = await axe.run(document.querySelector(selector), {resultTypes: ['violations']});
            return result.violations.filter(v => ['critical', 'serious'].includes(v.impact))
                .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
        }""",
        selector,
    )
    return found


def session_to_results(page, browser_context) -> None:
    """OAuth Code by hand, then two test deliveries: browser legs and HTTP rows, 5 or more."""
    choose(page, "OAuth Code")
    press(page, "Next")
    paste_and_exchange(page, log_in_and_land(browser_context, build_link(page)))
    expect()(at(page, "Run").locator(".wal-message .wal-msg-ok")).to_be_visible(timeout=LONG)
    press(page, "Next")
    at(page, "Result")
    # Each delivery's answer is numbered: wait for the second one's own, not the first one's still
    # on screen (a Next pressed while the second is sent lands on a disabled button).
    for number in (1, 2):
        button(page, "Send test webhook").click()
        expect()(message(page)).to_contain_text(f"accepted test delivery {number} ", timeout=LONG)
    press(page, "Next")
    at(page, "Results table")


def no_sideways_scroll(page, locator) -> list[str]:
    """Elements from the step up to the page, and scroll boxes inside it, wider than they show."""
    return locator.evaluate(
        """(el) => {
            const bad = [];
            const wide = (e) => e.scrollWidth > e.clientWidth + 1;
            for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
                const ox = getComputedStyle(e).overflowX;
                if ((ox === 'auto' || ox === 'scroll' || e === el) && wide(e))
                    bad.push(`${e.className || e.tagName} ${e.scrollWidth}>${e.clientWidth}`);
            }
            for (const e of el.querySelectorAll('*')) {
                const ox = getComputedStyle(e).overflowX;
                if ((ox === 'auto' || ox === 'scroll') && wide(e))
                    bad.push(`${e.className || e.tagName} ${e.scrollWidth}>${e.clientWidth}`);
            }
            const box = el.getBoundingClientRect();
            if (box.right > window.innerWidth + 1) bad.push('step wider than the window');
            return bad;
        }"""
    )


def check_results_view(page, browser_context, artifacts, prefix: str, diagram_svg: bool) -> None:
    session_to_results(page, browser_context)
    results = at(page, "Results table")
    table = results.locator("table.dataTable")
    expect()(table.locator("tbody tr").first).to_be_visible(timeout=LONG)
    rows = table.locator("tbody tr")
    assert rows.count() >= 5, rows.count()
    expect()(table).to_contain_text("authorization code: authorize link")
    expect()(table).to_contain_text("browser")

    # fits 1400x1000: nothing scrolls sideways, and five rows are on screen at once
    assert page.viewport_size == {"width": WIDTH, "height": HEIGHT}
    table.scroll_into_view_if_needed()
    table.locator("thead").evaluate("e => e.scrollIntoView({block: 'start'})")
    visible = rows.evaluate_all(
        "rs => rs.filter(r => { const b = r.getBoundingClientRect(); "
        "return b.top >= 0 && b.bottom <= window.innerHeight && b.height > 0; }).length")
    shot(page, artifacts, f"{prefix}-results-table")
    assert visible >= 5, visible
    assert no_sideways_scroll(page, results) == []

    # a click on a row shows that exchange whole, masked
    raw = results.locator(".wal-raw-http")
    expect()(raw).to_contain_text("Select a row")
    rows.filter(has_text="authorization code: exchange").first.click()
    expect()(raw).to_contain_text("POST /token HTTP/1.1", timeout=LONG)
    expect()(raw).to_contain_text(re.compile(r"HTTP/1\.[01] 200 OK"))
    expect()(raw).to_contain_text("Content-Type: application/json")
    expect()(raw).to_contain_text("code=****")
    text = raw.inner_text()
    assert re.search(r"\nHTTP/1\.[01] 200 OK\n(.+\n)+", text), text  # the response headers
    assert not JWT.search(text) and "****" in text
    assert no_sideways_scroll(page, results) == []
    shot(page, artifacts, f"{prefix}-results-raw-http")
    rows.filter(has_text="authorization code: authorize link").first.click()
    expect()(raw).to_contain_text("In the person's browser")

    # the sequence diagram
    diagram = results.locator(".wal-sequence-diagram")
    if diagram_svg:
        # JupyterLab 4 draws Mermaid into an <img> of SVG (jp-RenderedMermaid)
        drawn = diagram.locator(".jp-RenderedMermaid img[src^='data:image/svg+xml']").first
        expect()(drawn).to_be_visible(timeout=LONG)
        svg = unquote(drawn.get_attribute("src").split(",", 1)[1])
        assert "<svg" in svg and "This lab" in svg and "Person's browser" in svg
        assert re.search(r"127\.0\.0\.1:\d+", svg)  # the host, drawn with its port
        assert not JWT.search(svg) and "code=" not in svg
        diagram.scroll_into_view_if_needed()
        shot(page, artifacts, f"{prefix}-results-diagram")
    else:  # Voilà has no Mermaid renderer: the diagram's text is shown instead
        expect()(diagram).to_contain_text("sequenceDiagram", timeout=LONG)

    # downloads arrive in the browser, the HAR with one entry per HTTP row, none with a secret
    length = results.get_by_role("combobox")  # only there when the rows need more than a page
    if length.count():
        length.first.select_option("100")
    methods = [r.locator("td").nth(3).inner_text() for r in rows.all()]
    http_rows = sum(1 for m in methods if m != "browser")
    files = {}
    for kind in ("CSV", "HTML", "HAR"):
        with page.expect_download() as download:
            results.get_by_role("button", name=f"Download {kind}").click()
        path = download.value.path()
        assert download.value.suggested_filename.endswith("." + kind.lower())
        files[kind] = open(path, encoding="utf-8").read()
        expect()(results.locator(".wal-message")).to_contain_text(download.value.suggested_filename)
    har = json.loads(files["HAR"])
    assert har["log"]["version"] == "1.2"
    assert len(har["log"]["entries"]) == http_rows
    assert files["CSV"].count("\n") >= len(methods) + 1
    for kind, text in files.items():
        for canary in CANARIES.values():
            assert canary not in text, kind
        assert not JWT.search(text), kind
    no_traceback(page)
    # last, as it skips where axe-core is not installed: the whole view, table, raw HTTP and
    # diagram, for screen readers and keyboards too
    assert serious_axe_violations(page, ".wal-step-results_table") == []


@pytest.fixture(scope="module")
def lab_results_page(browser_context, lab_server):
    page = browser_context.new_page()
    open_and_run_all(page, f"{lab_server['base']}/lab/tree/00-start-here.ipynb?token={lab_server['token']}")
    yield page
    page.close()


def test_results_view_in_jupyterlab(lab_results_page, browser_context, artifacts):
    check_results_view(lab_results_page, browser_context, artifacts, "lab", diagram_svg=True)


def test_results_view_in_voila(browser_context, voila_server, artifacts):
    page = browser_context.new_page()
    try:
        page.goto(voila_server["start"])
        expect()(page.locator(".wal-wizard")).to_be_visible(timeout=LONG)
        check_results_view(page, browser_context, artifacts, "voila", diagram_svg=False)
    finally:
        page.close()
