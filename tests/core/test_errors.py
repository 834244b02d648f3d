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
_ROOT = re.compile(r"^(?P<pre> *)(?P<name>WebhookAuthError)\s+(?P<code>\d+)\b")
_CHILD = re.compile(r"^(?P<pre>[ │]*)[├└]── (?P<name>[A-Z]\w+)\s+(?P<code>\d+)\b")


def tree_of(text: str) -> list[tuple[str, str | None, int]]:
    """``(class, parent, exit code)`` for every class drawn in the first tree of ``text``.

    The tree starts at a line that begins with ``WebhookAuthError`` and its exit code, and
    ends at a blank line; each class's exit code follows its name.
    """
    lines = iter(text.splitlines())
    for line in lines:
        if (found := _ROOT.match(line)) is not None:
            break
    else:
        return []
    indent = len(found.group("pre"))
    entries: list[tuple[str, str | None, int]] = [("WebhookAuthError", None, int(found.group("code")))]
    stack = ["WebhookAuthError"]
    for line in lines:
        if not line.strip() or line.strip().startswith("```"):
            break
        if (found := _CHILD.match(line)) is not None:
            depth = (len(found.group("pre")) - indent) // 4 + 1
            del stack[depth:]
            entries.append((found.group("name"), stack[-1], int(found.group("code"))))
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


def drawn_tree(source: str) -> list[tuple[str, str | None, int]]:
    text = errors.__doc__ if source == "docstring" else README.read_text(encoding="utf-8").split("## Errors", 1)[1]
    return tree_of(text)


@pytest.mark.parametrize("source", ["docstring", "README"])
def test_the_drawn_tree_is_the_class_tree_with_each_exit_code(source):
    drawn = drawn_tree(source)
    classes = every_error_class()
    assert {name for name, _, _ in drawn} == {c.__name__ for c in classes}
    for name, parent, code in drawn:
        cls = getattr(errors, name)
        assert parent is None or getattr(errors, parent) in cls.__bases__, (name, parent)
        assert cls.exit_code == code, (name, code)
    pairs = {(name, parent) for name, parent, _ in drawn}
    for cls in classes:  # every base of a class is drawn as its parent
        for base in cls.__bases__:
            if issubclass(base, errors.WebhookAuthError):
                assert (cls.__name__, base.__name__) in pairs, (cls.__name__, base.__name__)


def test_the_modules_that_raise_them_still_export_them():
    from widgets.core import transport
    from widgets.diagnose import catcher, discovery, inspect_token

    for module, names in ((discovery, ("DiscoveryError", "DiscoveryIssuerMismatch")),
                          (catcher, ("CatcherTimeout", "CatcherError")),
                          (inspect_token, ("InspectionError", "IntrospectionError")),
                          (transport, ("BodyTooLarge",))):
        for name in names:
            assert name in module.__all__ and getattr(module, name) is getattr(errors, name)


# -- exit codes --------------------------------------------------------------------------------


def readme_exit_codes() -> dict[int, str]:
    """The README's "Exit codes: 0 ok, 2 usage or config error, ..." sentence, as {code: meaning}."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    sentence = text.split("Exit codes: ", 1)[1].split(".", 1)[0]
    return {int(code): meaning.strip() for code, meaning in re.findall(r"(\d+) ([^,]+)", sentence)}


def test_every_error_class_sets_its_own_exit_code():
    # its own, not inherited: a new class must choose, and DiscoveryIssuerMismatch, whose first
    # base is DiscoveryError (3), would otherwise exit as a refusal instead of a mismatch (4)
    for cls in every_error_class():
        assert "exit_code" in vars(cls), cls.__name__
        assert type(cls.exit_code) is int and cls.exit_code in readme_exit_codes(), cls.__name__
    assert errors.DiscoveryIssuerMismatch.exit_code == errors.IssuerMismatchError.exit_code


def test_the_cli_exits_with_the_class_exit_code_and_the_readme_names_the_cli_codes():
    cli = importlib.import_module("widgets.cli.main")  # the package re-exports the function main()

    for cls in every_error_class():
        assert cli.exit_code_for(cls.__new__(cls)) == cls.exit_code, cls.__name__
    assert cli.exit_code_for(RuntimeError("x")) == cli.EXIT_OTHER
    assert cli.exit_code_for(KeyboardInterrupt()) == cli.EXIT_INTERRUPTED
    said = readme_exit_codes()
    assert set(said) == {cli.EXIT_OK, cli.EXIT_OTHER, cli.EXIT_USAGE, cli.EXIT_REFUSED,
                         cli.EXIT_MISMATCH, cli.EXIT_TRANSPORT}
    assert said[cli.EXIT_OK] == "ok" and said[cli.EXIT_OTHER] == "anything else"
    assert "usage" in said[cli.EXIT_USAGE] and "refused" in said[cli.EXIT_REFUSED]
    assert "mismatch" in said[cli.EXIT_MISMATCH] and "no HTTP answer" in said[cli.EXIT_TRANSPORT]
    by_kind = {cli.EXIT_USAGE: (errors.ConfigError, errors.PastedRedirectError, errors.InspectionError),
               cli.EXIT_REFUSED: (errors.TokenEndpointError, errors.AuthorizationDenied,
                                       errors.DiscoveryError, errors.IntrospectionError),
               cli.EXIT_MISMATCH: (errors.StateMismatchError, errors.IssuerMismatchError,
                                        errors.DiscoveryIssuerMismatch),
               cli.EXIT_TRANSPORT: (errors.TransportError, errors.BodyTooLarge),
               cli.EXIT_OTHER: (errors.WebhookAuthError, errors.CatcherTimeout, errors.CatcherError)}
    for code, classes in by_kind.items():
        for cls in classes:
            assert cls.exit_code == code, cls.__name__


def test_the_classes_the_cli_docstring_names_per_exit_code_have_that_code():
    cli = importlib.import_module("widgets.cli.main")  # the package re-exports the function main()

    table = cli.__doc__.split("Exit codes::", 1)[1]
    rows = re.findall(r"^ {4}(\d+) +(.*(?:\n {7,}.*)*)", table, re.M)
    assert rows
    for code, text in rows:
        for name in re.findall(r"\b[A-Z]\w+(?:Error|Denied|Mismatch)\b", text):
            assert getattr(errors, name).exit_code == int(code), (name, code)


def test_a_config_error_is_also_a_value_error():
    from widgets import ClientCredentialsFlow, ConfigError, Transcript, WebhookAuthConfig

    assert issubclass(ConfigError, ValueError) and issubclass(ConfigError, errors.WebhookAuthError)
    with pytest.raises(ValueError) as info:  # what a caller who catches built-ins writes
        ClientCredentialsFlow(WebhookAuthConfig(auth_type="oauth_client_credentials"), Transcript())
    err = info.value
    assert isinstance(err, ConfigError) and "token_url" in err.problems
    assert str(err).startswith("The settings have problems:") and "Hint: " in str(err)
    assert err.exit_code == 2
