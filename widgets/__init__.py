"""webhook-oauth-lab: authenticate an outgoing webhook step by step.

The core (everything imported here eagerly) needs only requests, requests-oauthlib and
oauthlib. ``DemoProvider`` (a local authorization server) and ``Wizard`` (ipywidgets) load on
first use, so ``import widgets`` stays light and never imports pandas or ipywidgets.
"""

from __future__ import annotations

from .authorization_code import AuthorizationCodeFlow
from .authorize import AuthorizationRequest
from .client_credentials import ClientCredentialsFlow
from .config import THOUSANDEYES_REDIRECT_URI, AuthType, WebhookAuthConfig
from .errors import (
    AuthorizationDenied,
    ConfigError,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    TransportError,
    WebhookAuthError,
    WebhookDeliveryError,
)
from .redact import install_log_redaction
from .token import Token
from .transcript import Transcript
from .webhook import DeliveryResult, send_test_webhook

__version__ = "0.1.0"

__all__ = [
    "AuthType",
    "WebhookAuthConfig",
    "THOUSANDEYES_REDIRECT_URI",
    "Token",
    "Transcript",
    "ClientCredentialsFlow",
    "AuthorizationCodeFlow",
    "AuthorizationRequest",
    "DemoProvider",
    "send_test_webhook",
    "DeliveryResult",
    "WebhookAuthError",
    "ConfigError",
    "PastedRedirectError",
    "StateMismatchError",
    "IssuerMismatchError",
    "AuthorizationDenied",
    "TokenEndpointError",
    "WebhookDeliveryError",
    "TransportError",
    "Wizard",
]

_LAZY = {
    "DemoProvider": ("widgets.demo", "DemoProvider"),
    "Wizard": ("widgets.ui", "Wizard"),
}

install_log_redaction()


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        install_log_redaction()  # the new modules' loggers too
        globals()[name] = value
        return value
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
