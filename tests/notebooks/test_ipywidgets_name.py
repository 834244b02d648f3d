"""In what a learner reads, ``widgets`` means this package only: ipywidgets is ``ipw``.

The package is called ``widgets``; ``import ipywidgets as widgets`` (the ipywidgets docs'
habit) or ``from ipywidgets import *`` would make the same name mean two things, or hide
which one a cell uses. Notebooks' code imports ipywidgets only as ``import ipywidgets as ipw``;
their markdown, the README and the docs never show the two forbidden forms.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

#: The forbidden forms, as text: in markdown, docs, and code that ast cannot read.
FORBIDDEN_TEXT = (
    re.compile(r"\bimport\s+ipywidgets(?:\.\w+)*\s+as\s+widgets\b"),
    re.compile(r"\bfrom\s+ipywidgets(?:\.\w+)*\s+import\s+\(?\s*\*"),
    re.compile(r"\bfrom\s+ipywidgets\s+import\s+[^\n]*\bwidgets\b"),
)
_MAGIC = re.compile(r"^\s*[%!]")


def text_problems(text: str) -> list[str]:
    """The forbidden imports written anywhere in ``text``."""
    return [m.group(0) for pattern in FORBIDDEN_TEXT for m in pattern.finditer(text)]


def code_problems(source: str) -> list[str]:
    """What is wrong with the ipywidgets imports of one code cell.

    ipywidgets may be imported only as ``import ipywidgets as ipw``, and nothing but this
    package may be bound to the name ``widgets``.
    """
    python = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return text_problems(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ipywidgets" and (alias.name, alias.asname) != ("ipywidgets", "ipw"):
                    found.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
                elif alias.asname == "widgets" and alias.name != "widgets":
                    found.append(f"import {alias.name} as widgets")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for alias in node.names:
                bound = alias.asname or alias.name
                if module.split(".")[0] == "ipywidgets":
                    found.append(f"from {module} import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
                elif bound == "widgets" or (alias.name == "*" and module.split(".")[0] != "widgets"):
                    found.append(f"from {module} import {alias.name}")
    return found


def notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def documents() -> list[Path]:
    """The README and every other document a learner may read: *.md at the root, docs/**."""
    found = set(ROOT.glob("*.md")) | set(ROOT.glob("*.rst"))
    docs = ROOT / "docs"
    if docs.is_dir():
        found |= {p for p in docs.rglob("*") if p.suffix in (".md", ".rst", ".txt", ".ipynb") and p.is_file()}
    return sorted(found)


# --- the checker itself -------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    "import ipywidgets as widgets",
    "from ipywidgets import *",
    "import ipywidgets",
    "import ipywidgets.widgets as widgets",
    "from ipywidgets import widgets",
    "from ipywidgets import Button, VBox",
    "import os, ipywidgets as widgets",
    "%matplotlib inline\nimport ipywidgets as widgets",
    "from traitlets import widgets",
    "from somewhere import *",
    "if True:\n    import ipywidgets as widgets",
    "import ipywidgets as widgets\nwidgets.Button(?",  # not Python: read as text
])
def test_the_code_check_flags_a_forbidden_import(source):
    assert code_problems(source), source


@pytest.mark.parametrize("source", [
    "import ipywidgets as ipw\nipw.Button()",
    "import widgets\nfrom widgets import Wizard, probe",
    "from widgets.demo import DemoProvider",
    "from widgets import *",
    "%pip install ipywidgets\nimport ipywidgets as ipw",
])
def test_the_code_check_accepts_ipw_and_this_package(source):
    assert code_problems(source) == [], source


@pytest.mark.parametrize("text", [
    "```python\nimport ipywidgets as widgets\n```",
    "Write `from ipywidgets import *` at the top.",
    "from  ipywidgets  import (*)",
    "from ipywidgets import Button, widgets",
])
def test_the_text_check_flags_the_forbidden_forms_in_prose_and_code_blocks(text):
    assert text_problems(text), text


def test_the_text_check_accepts_ipw():
    assert text_problems("```python\nimport ipywidgets as ipw\nfrom widgets import Wizard\n```") == []


# --- the files ------------------------------------------------------------------------------


def test_the_files_checked_include_every_notebook_and_the_readme():
    assert len(notebooks()) >= 6
    assert ROOT / "README.md" in documents()


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_imports_ipywidgets_only_as_ipw(path):
    nb = nbformat.read(path, as_version=4)
    problems = {
        i: code_problems(cell.source) if cell.cell_type == "code" else text_problems(cell.source)
        for i, cell in enumerate(nb.cells)
    }
    assert not {i: p for i, p in problems.items() if p}, f"{path.name}: use `import ipywidgets as ipw`"


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_document_never_shows_ipywidgets_as_widgets_or_a_star_import(path):
    text = path.read_text(encoding="utf-8")
    assert text_problems(text) == [], f"{path.relative_to(ROOT)}: use `import ipywidgets as ipw`"
