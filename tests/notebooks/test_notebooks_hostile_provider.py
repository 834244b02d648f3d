"""Every notebook, run against a provider whose every field is markup, shows it only as text.

The kernels of this test load ``hostile_startup.py`` (an IPython startup file in a throw-away
IPYTHONDIR, a test setting the product does not have): each DemoProvider they start puts markup
in scope, error, error_description, error_uri, token fields, JWT claims, discovery metadata,
headers, redirects and pages. The notebooks run unchanged. Then every HTML output of every cell,
and every HTML value in the saved widget state, is parsed with ``html.parser``: only the tags
and attributes the toolkit, pandas and ipywidgets emit themselves may appear; no script, no
``on*`` attribute, no ``javascript:`` URL. The markers of the payloads must show up as text in
those outputs, so the test knows the hostile values reached the HTML (and were escaped).
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.notebooks.test_notebooks import CELL_TIMEOUT, EXPECTED, NOTEBOOKS, kernel_env, use_this_interpreter_kernelspec

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

STARTUP = Path(__file__).with_name("hostile_startup.py")

#: What the notebooks' HTML may hold: pandas' tables and Styler, the notebooks' own links,
#: the wizard's fragments (widgets/ui/markup.py and the steps; a disabled Copy button), and
#: segno's SVG of a QR code (notebook 08: the address is drawn as a path, never as text).
ALLOWED_TAGS = frozenset({"svg", "path", "table", "thead", "tbody", "tr", "th", "td", "style", "div", "span", "b", "i", "code",
                          "a", "br", "p", "ol", "ul", "li", "strong", "em", "small", "pre", "details", "summary",
                          "button"})
ALLOWED_ATTRS = frozenset({"class", "id", "style", "href", "target", "rel", "border", "title", "role", "colspan",
                           "rowspan", "type", "aria-live", "aria-label", "aria-hidden", "scoped", "disabled",
                           "data-label", "width", "height", "viewbox", "xmlns", "transform", "stroke", "fill",
                           "d"})
MARKER = re.compile(r"wal-hostile-(\w+)")


class LiveMarkup(HTMLParser):
    """Collects what would run, or is foreign, in an HTML fragment; and the markers shown as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hits: list[str] = []
        self.seen: set[str] = set()
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.hits.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name not in ALLOWED_ATTRS:
                self.hits.append(f"<{tag} {name}=…>")
            if value and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:")):
                self.hits.append(f"<{tag} {name}={value[:40]!r}>")
        if tag == "style":
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag == "style" and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open and MARKER.search(data):
            self.hits.append(f"provider text inside <style>: {data[:60]!r}")
        self.seen.update(MARKER.findall(data))


def html_outputs(nb) -> list[tuple[str, str]]:
    """(where, markup) for every text/html output and every HTML widget value of a run notebook."""
    found = []

    def from_outputs(where, outputs):
        for out in outputs:
            markup = out.get("data", {}).get("text/html")
            if markup:
                found.append((where, markup if isinstance(markup, str) else "".join(markup)))

    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            from_outputs(f"cell {i}", cell.get("outputs", []))
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model_id, model in state.items():
        values = model.get("state", {})
        if model.get("model_name") in ("HTMLModel", "HTMLMathModel", "LabelModel"):
            found.append((f"widget {model_id[:8]}", str(values.get("value", ""))))
        if model.get("model_name") == "OutputModel":
            from_outputs(f"output widget {model_id[:8]}", values.get("outputs", []))
    return found


@pytest.mark.notebook
def test_every_notebook_shows_a_hostile_providers_markup_only_as_text(tmp_path, monkeypatch):
    use_this_interpreter_kernelspec(monkeypatch)
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(STARTUP, startup / "00-hostile-provider.py")
    env = {**kernel_env(), "IPYTHONDIR": str(tmp_path / "ipython")}
    hits, seen, errors, scanned = [], set(), [], 0
    for name in EXPECTED:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute(env=env)
        errors += [f"{name} cell {i}: {out.get('ename')}: {out.get('evalue')}"
                   for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                   for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        for where, markup in html_outputs(nb):
            scanned += 1
            parser = LiveMarkup()
            parser.feed(markup)
            parser.close()
            hits += [f"{name} {where}: {hit}" for hit in parser.hits]
            seen |= parser.seen
    print(f"\nhostile provider: {len(EXPECTED)} notebooks, {scanned} HTML outputs parsed, markers seen as text: "
          f"{sorted(seen)}, live markup: {len(hits)}")
    assert not hits, f"live or foreign markup in {len(hits)} places:\n" + "\n".join(hits[:40])
    # The notebooks handle every error they provoke; an error here means a hostile value broke a
    # cell, and the outputs after it were never made (so never scanned).
    assert not errors, errors
    # Proof that the payloads got into the HTML at all: the fields the notebooks show as HTML
    # tables (the summary of notebook 04, the transcript previews); the others (descriptions
    # past a preview's 200 characters, headers, claims) reach only text/plain outputs.
    assert scanned > 20, scanned
    assert {"error", "scope", "token_field"} <= seen, sorted(seen)
