"""The one error tree: every class in widgets.core.errors, drawn in its docstring and README."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import widgets
from widgets.core import errors

README = Path(__file__).resolve().parents[2] / "README.md"
_CHILD = re.compile(r"^(?P<pre>[ │]*)[├└]── (?P<name>[A-Z]\w+)")


def tree_of(text: str) -> list[tuple[str, str | None]]:
    """``(class, parent)`` for every class drawn in the first ``├──``/``└──`` tree of ``text``.

    The tree starts at a line that begins with ``WebhookAuthError`` and ends at a blank line.
    """
    lines = iter(text.splitlines())
    for line in lines:
        if (found := re.match(r"^( *)WebhookAuthError\b", line)) is not None:
            indent = len(found.group(1))
            break
    else:
        return []
    entries: list[tuple[str, str | None]] = [("WebhookAuthError", None)]
    stack = ["WebhookAuthError"]
    for line in lines:
        if not line.strip() or line.strip().startswith("```"):
            break
        if (found := _CHILD.match(line)) is not None:
            depth = (len(found.group("pre")) - indent) // 4 + 1
            del stack[depth:]
            entries.append((found.group("name"), stack[-1]))
            stack.append(found.group("name"))
    return entries


def every_error_class() -> set[type]:
    """Every subclass of WebhookAuthError defined anywhere in the package (all modules imported)."""
    for info in pkgutil.walk_packages(widgets.__path__, "widgets."):
        if info.name != "widgets.__main__":
            importlib.import_module(info.name)
    found, todo = set(), [errors.WebhookAuthError]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return {c for c in found if c.__module__.startswith("widgets.")}


def test_every_error_class_of_the_package_is_defined_in_core_errors():
    classes = every_error_class()
    assert {c.__module__ for c in classes} == {"widgets.core.errors"}
    exported = {name for name in errors.__all__ if isinstance(getattr(errors, name), type)}
    assert {c.__name__ for c in classes} == exported


@pytest.mark.parametrize("source", ["docstring", "README"])
def test_the_drawn_tree_is_the_class_tree(source):
    text = errors.__doc__ if source == "docstring" else README.read_text(encoding="utf-8").split("## Errors", 1)[1]
    drawn = tree_of(text)
    names = {c.__name__ for c in every_error_class()}
    assert {name for name, _ in drawn} == names
    for name, parent in drawn:
        cls = getattr(errors, name)
        assert parent is None or getattr(errors, parent) in cls.__bases__, (name, parent)
    for cls in every_error_class():  # every base of a class is drawn as its parent
        for base in cls.__bases__:
            if issubclass(base, errors.WebhookAuthError):
                assert (cls.__name__, base.__name__) in drawn, (cls.__name__, base.__name__)


def test_the_modules_that_raise_them_still_export_them():
    from widgets.core import transport
    from widgets.diagnose import catcher, discovery, inspect_token

    for module, names in ((discovery, ("DiscoveryError", "DiscoveryIssuerMismatch")),
                          (catcher, ("CatcherTimeout", "CatcherError")),
                          (inspect_token, ("InspectionError", "IntrospectionError")),
                          (transport, ("BodyTooLarge",))):
        for name in names:
            assert name in module.__all__ and getattr(module, name) is getattr(errors, name)
