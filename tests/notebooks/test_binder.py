"""binder/: what Binder installs must be what pyproject.toml asks for, pinned exactly."""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
PROJECT = "webhook-oauth-lab"
#: The extras a Binder session needs: JupyterLab with the widgets (``lab`` pulls in ``ui``).
EXTRAS = ("lab",)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def wanted() -> dict[str, Requirement]:
    """The project's dependencies plus those of EXTRAS, following self-references."""
    project = pyproject()["project"]
    optional = project.get("optional-dependencies", {})
    found: dict[str, Requirement] = {}
    todo, seen = [Requirement(r) for r in project["dependencies"]], set()
    todo += [Requirement(f"{PROJECT}[{extra}]") for extra in EXTRAS]
    while todo:
        req = todo.pop()
        if canonicalize_name(req.name) == PROJECT:
            for extra in req.extras - seen:
                seen.add(extra)
                todo += [Requirement(r) for r in optional[extra]]
            continue
        found[canonicalize_name(req.name)] = req
    return found


def pins() -> dict[str, Requirement]:
    lines = (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    reqs = [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]
    names = [canonicalize_name(r.name) for r in reqs]
    assert len(names) == len(set(names)), f"a package is pinned twice: {names}"
    return dict(zip(names, reqs))


def pinned_version(req: Requirement) -> Version:
    specs = list(req.specifier)
    assert len(specs) == 1 and specs[0].operator == "==", f"{req} is not an exact pin"
    return Version(specs[0].version)


def requirements_of(parent: Requirement) -> list[Requirement]:
    """What an installed distribution requires, with the extras ``parent`` asks for (pyjwt[crypto] -> cryptography)."""
    found = []
    for text in metadata.requires(parent.name) or []:
        req = Requirement(text)
        if req.marker is None or any(
            req.marker.evaluate({**default_environment(), "extra": e}) for e in {"", *parent.extras}
        ):
            found.append(req)
    return found


def pulled_in() -> dict[str, list[Requirement]]:
    """Name -> the requirements naming it, of every pin reachable from pyproject through pins."""
    pinned, required = pins(), wanted()
    found: dict[str, list[Requirement]] = {}
    todo, seen = [pinned[name] for name in required if name in pinned], set()
    while todo:
        parent = todo.pop()
        if canonicalize_name(parent.name) in seen:
            continue
        seen.add(canonicalize_name(parent.name))
        for req in requirements_of(parent):
            name = canonicalize_name(req.name)
            found.setdefault(name, []).append(req)
            if name in pinned:
                todo.append(pinned[name])
    return found


def test_every_dependency_of_the_project_and_its_lab_extra_is_pinned():
    missing = sorted(set(wanted()) - set(pins()))
    assert not missing, f"binder/requirements.txt lacks {missing}"


def test_each_pin_is_exact_and_satisfies_pyproject():
    required = wanted()
    for name, pin in pins().items():
        version = pinned_version(pin)
        if name in required:
            req = required[name]
            assert version in req.specifier, f"{pin} does not satisfy pyproject's {req}"
            assert pin.extras == req.extras, f"{pin} should carry pyproject's extras {sorted(req.extras)}"


def test_pins_beyond_pyproject_are_pulled_in_by_what_it_asks_for():
    """cryptography comes with pyjwt[crypto], jaraco.functools and more-itertools with cheroot;
    a pin that nothing pinned requires is refused, and so is one a requirement does not allow."""
    required, pulled = wanted(), pulled_in()
    for name, pin in pins().items():
        if name in required:
            continue
        assert name in pulled, f"{pin} is neither in pyproject nor required by another pin"
        for req in pulled[name]:
            assert pinned_version(pin) in req.specifier, f"{pin} does not satisfy {req}"


def test_runtime_is_a_python_the_project_supports():
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, text
    requires = Requirement(f"python{pyproject()['project']['requires-python']}").specifier
    assert Version(match.group(1) + ".0") in requires or Version(match.group(1) + ".99") in requires


def test_post_build_is_executable_and_installs_the_project_without_dependencies():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!")
    assert re.search(r"pip install .*--no-deps.* \.$", text, re.M), text
