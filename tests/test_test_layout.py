"""The tests' own layout: a ``conftest.py`` holds fixtures and hooks, nothing a test imports.

Shared helpers live in tests/support (issue 11). A conftest that defines a helper, a constant or a
class, or imports a name only to hand it on (``# noqa: F401``), is where the old shims lived; and
a test that imports from a conftest brings them back. Both are refused here, by reading the files
(ast), not by running them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CONFTESTS = sorted(TESTS.rglob("conftest.py"))
#: A name a test file imports from a conftest, by absolute or relative path.
FROM_CONFTEST = re.compile(r"^\s*from\s+(?:tests(?:\.\w+)*\.|\.+)conftest\s+import\b|^\s*import\s+tests(?:\.\w+)*\.conftest\b",
                           re.M)
NOQA_F401 = re.compile(r"#\s*noqa\b.*F401")


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr == "fixture" and isinstance(target.value, ast.Name) and target.value.id == "pytest"
    return isinstance(target, ast.Name) and target.id == "fixture"


def _names_used(tree: ast.Module) -> set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            while isinstance(node, ast.Attribute):
                node = node.value
            if isinstance(node, ast.Name):
                used.add(node.id)
    return used


def not_fixtures(source: str) -> list[str]:
    """What a conftest's ``source`` holds besides fixtures and hooks, one line each; [] if nothing."""
    tree = ast.parse(source)
    found = []
    lines = source.splitlines()
    used = _names_used(tree)
    for index, node in enumerate(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("pytest_"):
                continue  # a hook (a hookimpl decorator is fine)
            if not any(_is_fixture(d) for d in node.decorator_list):
                found.append(f"line {node.lineno}: def {node.name} is neither a fixture nor a pytest_* hook")
        elif isinstance(node, ast.ClassDef):
            found.append(f"line {node.lineno}: class {node.name} (a helper: tests/support)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            if any(NOQA_F401.search(line) for line in lines[node.lineno - 1:node.end_lineno]):
                found.append(f"line {node.lineno}: an import kept for others (noqa: F401)")
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                if alias.name == "*":
                    found.append(f"line {node.lineno}: import * from {node.module}")
                elif name not in used:
                    found.append(f"line {node.lineno}: {name} is imported but not used by the fixtures")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and not name.id.startswith("_"):
                        found.append(f"line {node.lineno}: {name.id} = ... (a constant tests share: tests/support;"
                                     f" one only the fixtures use: _{name.id})")
        elif isinstance(node, ast.Expr) and index == 0 and isinstance(node.value, ast.Constant):
            continue  # the docstring
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            continue  # set-up the whole session needs, e.g. os.environ.pop(...)
        else:
            found.append(f"line {node.lineno}: a top-level {type(node).__name__}")
    return found


@pytest.mark.parametrize("path", CONFTESTS, ids=[p.relative_to(TESTS.parent).as_posix() for p in CONFTESTS])
def test_a_conftest_holds_only_fixtures_and_hooks(path):
    assert not_fixtures(path.read_text()) == []


def test_no_test_imports_from_a_conftest():
    importing = [p.relative_to(TESTS.parent).as_posix() for p in sorted(TESTS.rglob("*.py"))
                 if p.name != "conftest.py"
                 and FROM_CONFTEST.search(p.read_text())]
    assert importing == [], "helpers a test needs belong in tests/support, not a conftest"


def test_every_folder_of_tests_has_its_conftest_found():
    # the check above would pass on nothing if the glob went astray
    assert {p.parent.name for p in CONFTESTS} >= {"tests", "ui", "browser", "reliability"}


# -- the checker itself, on conftests that break the rule in each way ----------------------------

GOOD = '''"""Fixtures."""
from __future__ import annotations

import os

import pytest

from tests.support.servers import ScriptedProvider

os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
_PORTS = (1, 2)


@pytest.fixture
def scripted():
    yield ScriptedProvider(_PORTS)


@pytest.fixture(scope="module")
def other(): ...


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield


def pytest_configure(config): ...
'''


def test_the_checker_passes_fixtures_hooks_and_what_they_use():
    assert not_fixtures(GOOD) == []


@pytest.mark.parametrize("added,said", [
    ("from tests.support.canaries import CANARY_SECRET  # noqa: F401\n", "noqa: F401"),
    ("from tests.support.servers import Reply\n", "Reply is imported but not used"),
    ("from tests.support.ui import *\n", "import *"),
    ("def code_config(provider):\n    return provider\n", "def code_config is neither"),
    ("@other\ndef decorated():\n    pass\n", "def decorated is neither"),
    ("class Helper:\n    pass\n", "class Helper"),
    ("CANARY = 'x'\n", "CANARY = ..."),
    ("if True:\n    pass\n", "a top-level If"),
], ids=["noqa-reexport", "unused-import", "star-import", "helper-def", "other-decorator", "class",
        "constant", "statement"])
def test_the_checker_names_what_is_not_a_fixture(added, said):
    found = not_fixtures(GOOD + "\n\n" + added)
    assert found and any(said in line for line in found), found


@pytest.mark.parametrize("line,imports", [
    ("from tests.diagnose.conftest import code_config", True),
    ("from .conftest import bearer_connector", True),
    ("    from tests.browser.conftest import CANARIES, JWT", True),
    ("import tests.conftest", True),
    ("from tests.support.configs import code_config", False),
    ("# see tests/conftest.py", False),
])
def test_an_import_from_a_conftest_is_recognised(line, imports):
    assert bool(FROM_CONFTEST.search(line)) is imports
