"""ThousandEyes custom webhooks — https://docs.thousandeyes.com/product-documentation/integration-guides/custom-webhooks
RFC 7617 §2 (Basic) — https://www.rfc-editor.org/rfc/rfc7617#section-2
RFC 6750 §2.1 (Bearer) — https://www.rfc-editor.org/rfc/rfc6750#section-2.1

A test delivery to the webhook receiver, authenticated as the platform would do it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests

from .headers import basic_authorization, bearer_authorization, remember_basic
from .client_credentials import ClientCredentialsFlow
from .config import AuthType, WebhookAuthConfig
from .errors import ConfigError
from .loopback import allow_loopback_http
from .redact import redact_headers, remember, scrub
from .token import Token
from .token_endpoint import AssertionSigner
from .token_response import preview
from .transcript import Transcript
from .transport import Boundary

__all__ = ["DeliveryResult", "sample_alert", "send_test_webhook", "authorization_for"]

_HINTS = {
    401: "The receiver refused the credentials. Check the username/password or token, and that "
    "the token is for this receiver (audience) and not expired.",
    403: "The credentials were accepted but lack permission (scope, role). Request the scope "
    "the receiver needs.",
    404: "The webhook URL is wrong: nothing is listening at that path.",
    405: "The receiver does not accept POST at this URL. Check the webhook URL.",
    413: "The receiver refused the payload as too large.",
    415: "The receiver wants another content type; ThousandEyes sends application/json.",
    429: "The receiver is rate limiting. Wait (see Retry-After) before sending again.",
}


@dataclass(frozen=True)
class DeliveryResult:
    """What came back from a test delivery. ``headers_sent`` are masked."""

    status: int
    ok: bool
    elapsed_ms: float
    body_preview: str
    content_type: str
    headers_sent: dict[str, str] = field(default_factory=dict)
    hint: str = ""


# Headers a delivery sets itself; a connector's own headers of these names are not sent.
_DELIVERY_OWN_HEADERS = frozenset({"authorization", "content-type"})


def sample_alert(test_name: str = "webhook-oauth-lab test delivery") -> dict:
    """A ThousandEyes-style alert notification body (the shape of a custom webhook's default)."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "eventId": str(uuid.uuid4()),
        "eventType": "ALERT_NOTIFICATION_TRIGGER",
        "alert": {
            "id": "0b6a2f52-8e6f-4d9e-9d1c-demo0000001",
            "alertState": "trigger",
            "severity": "major",
            "startDate": now,
            "ruleId": "4411",
            "ruleName": "Default HTTP Alert Rule",
            "ruleExpression": "((errorType != \"None\"))",
            "testId": "281474976710656",
            "testName": test_name,
            "testType": "http-server",
            "meta": {"violationCount": 1, "agentsInViolation": 1},
            "agents": [{"agentId": "10", "agentName": "Frankfurt, Germany", "metricsAtStart": "Error type: DNS"}],
            "links": {
                "appLink": "https://app.thousandeyes.com/alerts/list/?__a=0",
                "apiLink": "https://api.thousandeyes.com/v7/alerts/0b6a2f52",
            },
        },
    }


def authorization_for(config: WebhookAuthConfig, transcript: Transcript | None = None,
                      token: Token | str | None = None, *, client_assertion: AssertionSigner | None = None) -> str:
    """The ``Authorization`` header value the platform would send for this config.

    ``client_assertion``: for client credentials with ``private_key_jwt`` / ``client_secret_jwt``
    (:func:`widgets.diagnose.client_assertion.assertion_signer` makes one from the config)."""
    kind = config.auth_type
    if kind is AuthType.BASIC:
        remember(config.password, known=True)
        header = basic_authorization(config.username, config.password)
        remember_basic(header)  # what goes on the wire, in the shape it goes
        return header
    if isinstance(token, Token):
        return token.authorization_header
    if token:
        return bearer_authorization(token)
    if kind is AuthType.OAUTH_CLIENT_CREDENTIALS:
        return ClientCredentialsFlow(config, transcript, client_assertion=client_assertion).fetch_token().authorization_header
    if config.token:
        remember(config.token, known=True)
        return bearer_authorization(config.token)
    raise ConfigError(
        {"token": ["is needed: run the authorization and paste the token here"]},
        hint="For OAuth Code, complete the flow first, then pass its token (token=...).",
    )


def _delivery_config(config: WebhookAuthConfig, token: Token | str | None) -> WebhookAuthConfig:
    """The settings a delivery depends on. With a token in hand (from a flow, or pasted into an
    OAuth Code config) it is Token auth: the OAuth settings that got the token play no part."""
    if config.auth_type is AuthType.BASIC:
        return config  # Basic sends the username and password, never a token
    given = token.access_token if isinstance(token, Token) else token
    if not given and config.auth_type is AuthType.OAUTH_CODE:
        given = config.token
    return config.replace(auth_type=AuthType.TOKEN, token=given) if given else config


def send_test_webhook(
    config: WebhookAuthConfig,
    transcript: Transcript | None = None,
    payload: dict | None = None,
    *,
    token: Token | str | None = None,
    client_assertion: AssertionSigner | None = None,
    headers: Mapping[str, str] | None = None,
) -> DeliveryResult:
    """POST a sample alert to ``config.webhook_url`` with the configured authentication.

    For client credentials a token is fetched first (recorded in the transcript too), signing
    a client assertion with ``client_assertion`` when the config's method needs one. ``headers``:
    more headers the platform adds to each delivery (a connector's own); ``Authorization`` and
    ``Content-Type`` are the delivery's and are not replaced. An HTTP
    answer of any status is returned as a :class:`DeliveryResult` (with a hint when it is not
    2xx); no answer at all raises :class:`~widgets.errors.TransportError`.
    """
    problems = _delivery_config(config, token).problems()
    if not config.webhook_url:
        problems.setdefault("webhook_url", []).append("is required to send a test delivery")
    extra = {}
    for name, value in (headers or {}).items():
        try:
            if not (isinstance(name, str) and isinstance(value, str)):
                raise TypeError(name)
            requests.utils.check_header_validity((name, value))  # no CR/LF, no leading space, a name
        except (requests.exceptions.InvalidHeader, TypeError, ValueError):
            problems.setdefault("headers", []).append(f"{scrub(repr(name))[:60]} is not a header that can be sent")
            continue
        if name.lower() not in _DELIVERY_OWN_HEADERS:
            extra[name] = value
    if problems:
        raise ConfigError(problems)
    transcript = transcript if transcript is not None else Transcript()
    header = authorization_for(config, transcript, token, client_assertion=client_assertion)
    session = requests.Session()
    boundary = Boundary(session, transcript, timeout=config.timeout, verify=config.verify_tls)
    headers = {**extra, "Authorization": header, "Content-Type": "application/json", "Accept": "application/json, */*"}
    started = time.monotonic()
    with allow_loopback_http(), boundary.step("webhook: test delivery", "POST", config.webhook_url):
        response = session.post(config.webhook_url, json=payload if payload is not None else sample_alert(),
                                headers=headers, timeout=config.timeout)
    elapsed = (time.monotonic() - started) * 1000
    ok = 200 <= response.status_code < 300
    hint = "" if ok else _HINTS.get(response.status_code, "The receiver did not accept the delivery; see its answer.")
    if boundary.last is not None and hint:
        boundary.last.hint = hint
    return DeliveryResult(
        status=response.status_code,
        ok=ok,
        elapsed_ms=elapsed,
        body_preview=preview(response.content),
        content_type=response.headers.get("Content-Type", ""),
        headers_sent=redact_headers(headers),
        hint=hint,
    )
