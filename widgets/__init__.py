"""webhook-oauth-lab: authenticate an outgoing webhook step by step.

The core (everything imported here eagerly) needs only requests, requests-oauthlib and
oauthlib. ``DemoProvider`` (a local authorization server), ``Wizard`` (ipywidgets) and the
diagnostics (``discover``, ``probe``, ``inspect_token``, ``paste_ready``, ``LoopbackCatcher``)
load on first use, so ``import widgets`` stays light and never imports pandas or ipywidgets.
"""

from __future__ import annotations

from .core.authorization_code import AuthorizationCodeFlow
from .core.authorize import AuthorizationRequest
from .core.client_credentials import ClientCredentialsFlow
from .core.config import THOUSANDEYES_REDIRECT_URI, AuthType, WebhookAuthConfig
from .core.errors import (
    AuthorizationDenied,
    ConfigError,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    TransportError,
    WebhookAuthError,
)
from .core.redact import install_log_redaction as _install_log_redaction
from .core.token import Token
from .core.transcript import Transcript
from .core.webhook import DeliveryResult, send_test_webhook

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
    "TransportError",
    "Wizard",
    # diagnosing a provider
    "discover",
    "probe",
    "inspect_token",
    "paste_ready",
    "LoopbackCatcher",
]

_LAZY = {
    "DemoProvider": ("widgets.demo", "DemoProvider"),
    "Wizard": ("widgets.ui", "Wizard"),
    "discover": ("widgets.diagnose.discovery", "discover"),
    "probe": ("widgets.diagnose.probe", "probe"),
    "inspect_token": ("widgets.diagnose.inspect_token", "inspect_token"),
    "paste_ready": ("widgets.diagnose.paste_ready", "paste_ready"),
    "LoopbackCatcher": ("widgets.diagnose.catcher", "LoopbackCatcher"),
}

_install_log_redaction()


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        _install_log_redaction()  # the new modules' loggers too
        globals()[name] = value
        return value
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
