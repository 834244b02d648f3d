import __future__
import types

import widgets
from tests.support.imports import loaded_by

EXPECTED = {
    "AuthType", "WebhookAuthConfig", "THOUSANDEYES_REDIRECT_URI", "Token", "Transcript",
    "ClientCredentialsFlow", "AuthorizationCodeFlow", "AuthorizationRequest", "DemoProvider",
    "send_test_webhook", "DeliveryResult", "WebhookAuthError", "ConfigError",
    "PastedRedirectError", "StateMismatchError", "IssuerMismatchError", "AuthorizationDenied",
    "TokenEndpointError", "TransportError", "Wizard",
    "discover", "probe", "inspect_token", "paste_ready", "LoopbackCatcher",
}


def test_public_api_is_exactly_the_documented_names():
    assert set(widgets.__all__) == EXPECTED
    for name in widgets.__all__:
        assert getattr(widgets, name) is not None


def public_names(names, namespace) -> set[str]:
    """The public names among ``names``, less the package's submodules and compiler directives."""
    return {
        name for name in names
        if not name.startswith("_")
        # widgets.core, widgets.demo, ...: submodules are attributes once imported, not API
        and not (isinstance(namespace[name], types.ModuleType) and namespace[name].__name__.startswith("widgets."))
        # ``from __future__ import annotations`` binds ``annotations``
        and not isinstance(namespace[name], __future__._Feature)
    }


def test_every_public_name_of_the_namespace_is_in_all_and_back():
    """As httpx's tests/test_exported_members.py: what ``widgets`` offers is exactly ``__all__``.

    The lazy names (Wizard, DemoProvider, the diagnostics) enter the namespace on first use, so
    each is used first; then the module's own globals and ``dir()`` must both equal ``__all__``.
    """
    assert len(widgets.__all__) == len(set(widgets.__all__)), "a name is listed twice"
    for name in widgets.__all__:
        getattr(widgets, name)
    listed = {name: getattr(widgets, name) for name in dir(widgets)}
    for where, namespace in (("globals", vars(widgets)), ("dir()", listed)):
        public = public_names(namespace, namespace)
        assert public <= set(widgets.__all__), f"public in {where}, not in __all__: {sorted(public - set(widgets.__all__))}"
        assert set(widgets.__all__) <= public, f"in __all__, not in {where}: {sorted(set(widgets.__all__) - public)}"


def test_errors_form_one_tree():
    for name in ("ConfigError", "PastedRedirectError", "StateMismatchError", "IssuerMismatchError",
                 "AuthorizationDenied", "TokenEndpointError", "TransportError"):
        assert issubclass(getattr(widgets, name), widgets.WebhookAuthError)


def test_import_does_not_load_pandas_or_ipywidgets():
    assert loaded_by(["widgets"], ("pandas", "ipywidgets", "IPython", "jwt", "werkzeug")) == []
