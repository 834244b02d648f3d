import subprocess
import sys

import widgets

EXPECTED = {
    "AuthType", "WebhookAuthConfig", "THOUSANDEYES_REDIRECT_URI", "Token", "Transcript",
    "ClientCredentialsFlow", "AuthorizationCodeFlow", "AuthorizationRequest", "DemoProvider",
    "send_test_webhook", "DeliveryResult", "WebhookAuthError", "ConfigError",
    "PastedRedirectError", "StateMismatchError", "IssuerMismatchError", "AuthorizationDenied",
    "TokenEndpointError", "WebhookDeliveryError", "TransportError", "Wizard",
    "discover", "probe", "inspect_token", "paste_ready", "LoopbackCatcher",
}


def test_public_api_is_exactly_the_documented_names():
    assert set(widgets.__all__) == EXPECTED
    for name in widgets.__all__:
        assert getattr(widgets, name) is not None


def test_errors_form_one_tree():
    for name in ("ConfigError", "PastedRedirectError", "StateMismatchError", "IssuerMismatchError",
                 "AuthorizationDenied", "TokenEndpointError", "WebhookDeliveryError", "TransportError"):
        assert issubclass(getattr(widgets, name), widgets.WebhookAuthError)


def test_import_does_not_load_pandas_or_ipywidgets():
    code = ("import sys, widgets; bad = [m for m in ('pandas', 'ipywidgets', 'IPython', 'jwt', 'werkzeug') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
