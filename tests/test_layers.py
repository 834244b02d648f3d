"""The rules of the package's layout, each a test: who may import whom, no cycles, light imports.

Layers, lowest first (README, "What is where")::

    core      the standard library, requests, oauthlib, requests-oauthlib; nothing above it
    diagnose  core (PyJWT and pandas start here)
    demo      nothing of widgets: it stands in for a real provider, so it must not share code
              with the client it is testing
    connectors core, diagnose (the ThousandEyes SDK, keyring and tqdm start here)
    cli, ui   core, diagnose, demo; cli also connectors (ipywidgets only in ui)
    teaching  core, demo: the attack lab's careless code, imported by nothing else
    facade    widgets/__init__ and widgets/__main__: anything, lazily

The static checks read every module with :mod:`ast` (imports inside functions included, since
a lazy import is still a dependency); the dynamic ones import modules in a fresh interpreter
and look at :data:`sys.modules`.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "widgets"

ALLOWED = {
    "core": {"core"},
    "diagnose": {"core", "diagnose"},
    "demo": {"demo"},
    "connectors": {"core", "diagnose", "connectors"},
    "cli": {"core", "diagnose", "demo", "connectors", "cli"},
    "ui": {"core", "diagnose", "demo", "ui"},
    # the attack lab's careless code: nothing else imports it (tests/teaching checks that too)
    "teaching": {"core", "demo", "teaching"},
    "facade": {"core", "diagnose", "demo", "connectors", "cli", "ui", "facade"},
}
#: Names a layer may import from the facade although the facade sits above it: metadata, not
#: code. (The cycle check still applies, so core cannot.)
FACADE_METADATA = {"__version__"}

#: Third-party packages a layer must not import, even inside a function.
FORBIDDEN = {
    "core": {"jwt", "pandas", "ipywidgets", "anywidget", "werkzeug", "cheroot"},
    "diagnose": {"ipywidgets", "anywidget"},
    "connectors": {"ipywidgets", "anywidget"},
}
#: The one lazy exception: the transcript's DataFrame view imports pandas when it is called.
LAZY_EXCEPTIONS = {("widgets.core.transcript", "pandas")}


# -- the static import graph ---------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def modules(package_dir: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package ``__init__``) for every module under ``package_dir``."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _resolve(name: str, known) -> str:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts)


def import_edges(package_dir: Path) -> list[Edge]:
    """Every import of one module of the package by another: absolute, relative, lazy."""
    known = modules(package_dir)
    top = package_dir.name
    edges = []
    for source, (path, is_package) in known.items():
        here = source if is_package else source.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[tuple[str, tuple[str, ...]]] = []
            if isinstance(node, ast.Import):
                targets = [(alias.name, ()) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    # ``from . import errors`` names a module; ``from .errors import X`` a name.
                    sub = f"{module}.{alias.name}"
                    targets.append((sub, ()) if sub in known else (module, (alias.name,)))
            elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)
                  and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")):
                targets = [(node.args[0].value, ())]
            for name, names in targets:
                if name.split(".")[0] != top:
                    continue
                target = _resolve(name, known)
                if target and target != source:
                    edges.append(Edge(source, target, node.lineno, names))
    return edges


def layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return "facade"
    return parts[1] if parts[1] in ALLOWED and parts[1] != "facade" else None


def layer_violations(edges: list[Edge]) -> list[str]:
    problems = []
    for edge in edges:
        source, target = layer(edge.source), layer(edge.target)
        if source is None:
            problems.append(f"{edge.source} is in no layer (put it under one of {sorted(ALLOWED)})")
        elif target == "facade" and source != "facade" and edge.names and set(edge.names) <= FACADE_METADATA:
            continue
        elif target not in ALLOWED[source]:
            problems.append(f"{edge}: {source} may import only {', '.join(sorted(ALLOWED[source]))}")
    return sorted(set(problems))


def import_cycles(edges: list[Edge]) -> list[str]:
    """One cycle per strongly connected group of modules, as ``a -> b -> a`` with lines."""
    graph: dict[str, dict[str, Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, {}).setdefault(edge.target, edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    found = []
    for group in groups:
        start = min(group)
        # the shortest way from start back to itself inside the group
        paths = {start: [start]}
        queue = [start]
        cycle = None
        while queue and cycle is None:
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, {})):
                if nxt == start:
                    cycle = paths[node] + [start]
                    break
                if nxt in group and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
        lines = "; ".join(str(graph[a][b]) for a, b in zip(cycle, cycle[1:]))
        found.append(f"import cycle {' -> '.join(cycle)}: {lines}")
    return sorted(found)


def forbidden_imports(package_dir: Path) -> list[str]:
    """Imports of a third-party package the module's layer must not use, even lazily."""
    problems = []
    for name, (path, _) in modules(package_dir).items():
        banned = FORBIDDEN.get(layer(name) or "", set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                tops = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops = {node.module.split(".")[0]}
            else:
                continue
            for dependency in sorted(tops & banned):
                if (name, dependency) not in LAZY_EXCEPTIONS:
                    problems.append(f"{name} imports {dependency} (line {node.lineno})")
    return problems


def test_no_import_cycle_inside_the_package():
    cycles = import_cycles(import_edges(PACKAGE))
    assert not cycles, "\n".join(cycles)


def test_every_import_follows_the_layer_order():
    problems = layer_violations(import_edges(PACKAGE))
    assert not problems, "\n".join(problems)


def test_every_module_belongs_to_a_layer():
    assert [name for name in modules(PACKAGE) if layer(name) is None] == []


def test_the_demo_imports_nothing_of_the_rest_of_the_package():
    edges = [e for e in import_edges(PACKAGE) if layer(e.source) == "demo" and layer(e.target) != "demo"]
    assert not edges, "\n".join(map(str, edges))


def test_core_and_diagnose_never_import_what_their_layer_must_not_use():
    problems = forbidden_imports(PACKAGE)
    assert not problems, "\n".join(problems)


def test_the_lazy_exceptions_still_exist():
    """An exception that no longer applies must go, or it would excuse the next one."""
    for module, dependency in LAZY_EXCEPTIONS:
        path, _ = modules(PACKAGE)[module]
        assert f"import {dependency}" in path.read_text(encoding="utf-8"), (module, dependency)


# -- the checks can fail --------------------------------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / "widgets" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "widgets"


def test_the_graph_check_finds_a_synthetic_cycle_and_upward_imports(tmp_path):
    package = write_package(tmp_path, {
        "__init__.py": "from .core import a\n",
        "__main__.py": "from .cli import main\n",
        "core/__init__.py": "",
        "core/a.py": "def later():\n    from ..ui import b\n",       # lazy, still upward
        "core/c.py": "from . import d\n",
        "core/d.py": "def later():\n    from .c import value\n",     # closes c -> d -> c
        "core/e.py": "import importlib\nimportlib.import_module('widgets.diagnose.f')\n",
        "diagnose/__init__.py": "",
        "diagnose/f.py": "from widgets.core.a import later\n",
        "demo/__init__.py": "import widgets.core.a as a\n",
        "cli/__init__.py": "from .. import __version__\n",            # metadata: allowed
        "cli/main.py": "from widgets import Token\n",               # the facade's code: not
        "ui/__init__.py": "",
        "ui/b.py": "from widgets.core import a\nfrom widgets.demo import x\n",
        "stray.py": "from .core import a\n",
    })
    edges = import_edges(package)
    cycles = import_cycles(edges)
    assert any("widgets.core.c -> widgets.core.d -> widgets.core.c" in c for c in cycles), cycles
    assert any("widgets.core.a -> widgets.ui.b -> widgets.core.a" in c for c in cycles), cycles
    assert any("widgets.core.a -> widgets.ui.b" in c and "(line 2)" in c for c in cycles), cycles

    problems = "\n".join(layer_violations(edges))
    assert "widgets.core.a imports widgets.ui.b (line 2): core may import only core" in problems
    assert "widgets.core.e imports widgets.diagnose.f (line 2)" in problems
    assert "widgets.demo imports widgets.core.a (line 1): demo may import only demo" in problems
    assert "widgets.cli.main imports widgets (line 1)" in problems
    assert "widgets.stray is in no layer" in problems
    for allowed in ("widgets.cli imports", "widgets.ui.b imports", "widgets.diagnose.f imports"):
        assert allowed not in problems

    with pytest.raises(AssertionError, match=r"widgets\.core\.c -> widgets\.core\.d"):
        assert not cycles, "\n".join(cycles)


def test_the_dependency_check_finds_a_lazy_forbidden_import(tmp_path):
    package = write_package(tmp_path, {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/claims.py": "def decode():\n    import jwt\n",
        "core/transcript.py": "def to_dataframe():\n    import pandas as pd\n",
        "diagnose/__init__.py": "",
        "diagnose/probe.py": "from ipywidgets import Output\nimport pandas\n",
        "ui/__init__.py": "import ipywidgets\n",
    })
    assert forbidden_imports(package) == [
        "widgets.core.claims imports jwt (line 2)",
        "widgets.diagnose.probe imports ipywidgets (line 1)",
    ]


# -- what a fresh interpreter loads ---------------------------------------------------------

PROBE = r"""
import importlib, json, sys, types
bare, steps = json.loads(sys.argv[1])
if bare:
    # The package without its facade: widgets/__init__.py does not run, so nothing is loaded
    # on the layer's behalf.
    package = types.ModuleType("widgets")
    package.__path__ = [bare]
    sys.modules["widgets"] = package
report = []
for name in steps:
    before = set(sys.modules)
    module = importlib.import_module(name)
    report.append([name, getattr(module, "__file__", None), sorted(set(sys.modules) - before)])
print(json.dumps(report))
"""


def fresh_imports(steps: list[str], *, without_facade: bool = False) -> list[tuple[str, list[str]]]:
    """Import ``steps`` in order in a new interpreter: (step, modules it newly loaded) each."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    arg = json.dumps([str(PACKAGE) if without_facade else None, steps])
    done = subprocess.run([sys.executable, "-c", PROBE, arg], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    for name, file, _ in report:  # this tree, not an installed copy
        assert file and Path(file).resolve().is_relative_to(PACKAGE), (name, file)
    return [(name, loaded) for name, _, loaded in report]


def modules_of(layer_name: str) -> list[str]:
    return [name for name in modules(PACKAGE) if layer(name) == layer_name]


def heavy(loaded: list[str], banned: set[str]) -> list[str]:
    return sorted({name.split(".")[0] for name in loaded} & banned)


def test_import_widgets_and_every_core_module_load_no_heavy_dependency():
    """``import widgets`` imports the core eagerly, so it is held to the core's rule too."""
    for step, loaded in fresh_imports(["widgets", *modules_of("core")]):
        assert not heavy(loaded, FORBIDDEN["core"]), f"importing {step} loaded {heavy(loaded, FORBIDDEN['core'])}"


def test_import_widgets_loads_neither_pandas_nor_ipywidgets():
    [(_, loaded)] = fresh_imports(["widgets"])
    assert "widgets.core.config" in loaded  # the probe sees what is imported
    assert not heavy(loaded, {"pandas", "ipywidgets"})


def test_diagnose_and_each_of_its_modules_load_no_ipywidgets():
    for step, loaded in fresh_imports(modules_of("diagnose")):
        assert not heavy(loaded, FORBIDDEN["diagnose"]), f"importing {step} loaded ipywidgets"


def test_the_demo_loads_no_module_of_widgets_beyond_what_import_widgets_loads():
    (_, facade), *demo = fresh_imports(["widgets", *modules_of("demo")])
    for step, loaded in demo:
        others = [m for m in loaded if m.startswith("widgets.") and not m.startswith("widgets.demo")]
        assert not others, f"importing {step} loaded {others}"
    assert all(not m.startswith("widgets.demo") for m in facade), "import widgets loads the demo eagerly"


@pytest.mark.parametrize("layer_name", ["core", "diagnose", "demo", "cli", "ui"])
def test_each_layer_alone_loads_only_the_layers_below_it(layer_name):
    """Without the facade, which loads the core on everyone's behalf, a layer shows what it needs."""
    allowed = ALLOWED[layer_name]
    for step, loaded in fresh_imports(modules_of(layer_name), without_facade=True):
        wrong = [m for m in loaded if m.startswith("widgets.") and layer(m) not in allowed]
        assert not wrong, f"importing {step} loaded {wrong}: {layer_name} may import only {sorted(allowed)}"
        banned = heavy(loaded, FORBIDDEN.get(layer_name, set()))
        assert not banned, f"importing {step} loaded {banned}"
