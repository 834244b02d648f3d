"""A test delivery to a connector's receiver, only when asked: the audit's ``deliver=True``.

ThousandEyes has no "test this connector" endpoint (FIELD-NOTES.md), so the question "does the
receiver still take this connector's credentials?" is answered by sending what
:func:`widgets.core.webhook.send_test_webhook` sends (its :func:`~widgets.core.webhook.sample_alert`)
to the connector's ``target``, with the connector's own authentication as the API returned it:

* ``basic``: its username and password (RFC 7617);
* ``bearer-token``, ``oauth-auth-code``: its stored ``token`` as a Bearer token (RFC 6750 §2.1).
  No token is fetched or refreshed for it: the question is whether the stored one still works;
* ``oauth-client-credentials``: as the platform does, a token fetched with the stored client
  (token URL, client ID and secret, scope) and sent as Bearer; the token is not kept. Only
  when the client is incomplete, the stored ``token``;
* ``other-token``: not sent. How TE puts such a token on the wire (header, scheme) was not
  checked, and sending it as Bearer would answer another question.

The connector's own ``headers`` go with the alert, as the platform sends them (not in place of
``Authorization`` or ``Content-Type``). The core's rules hold: plain http only to loopback (a
connector whose target breaks them is skipped, nothing is sent), the answer's text is scrubbed,
and the transcript (masked) is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import AuthType, WebhookAuthConfig
from ..core.errors import ConfigError, TokenEndpointError, TransportError, WebhookAuthError
from ..core.redact import redact_url, scrub
from ..core.transcript import Transcript
from ..core.webhook import sample_alert, send_test_webhook
from . import sdk_fix

__all__ = ["Delivery", "deliver_test", "NOT_ASKED"]

_REASON_LIMIT = 200


@dataclass(frozen=True)
class Delivery:
    """The receiver's answer: ``accepted`` yes | no | skipped | unknown | not asked."""

    accepted: str
    status: int | None = None
    reason: str = ""


NOT_ASKED = Delivery("not asked")


def _config(data: dict) -> WebhookAuthConfig | Delivery:
    auth = sdk_fix.auth_dict(data)
    kind = str(auth.get("type") or "none")
    target = str(data.get("target") or "")
    if kind == "basic":
        username, password = auth.get("username"), auth.get("password")
        if not isinstance(password, str) or not password or not isinstance(username, str):
            return Delivery("skipped", reason="no password in the API's answer: nothing to send")
        return WebhookAuthConfig(auth_type=AuthType.BASIC, username=username, password=password,
                                 webhook_url=target)
    if kind == "other-token":
        return Delivery("skipped", reason="other-token: how TE sends it was not checked, so it is not sent")
    client = [auth.get(k) for k in ("oauthTokenUrl", "oauthClientId", "oauthClientSecret")]
    if kind == "oauth-client-credentials" and all(isinstance(v, str) and v for v in client):
        token_url, client_id, secret = client
        return WebhookAuthConfig(auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, token_url=token_url,
                                 client_id=client_id, client_secret=secret, scope=str(auth.get("scope") or ""),
                                 redirect_uri="", webhook_url=target)
    if kind in ("bearer-token", "oauth-auth-code", "oauth-client-credentials"):
        token = auth.get("token")
        if not isinstance(token, str) or not token:
            return Delivery("skipped", reason="no stored token in the API's answer (and for client credentials "
                            "no complete client to fetch one): nothing to send")
        return WebhookAuthConfig(auth_type=AuthType.TOKEN, token=token, webhook_url=target)
    return Delivery("skipped", reason=f"no authentication of a known type ({scrub(kind)[:40]})")


def deliver_test(data: dict, *, timeout: float = 10.0) -> Delivery:
    """POST one sample alert to the connector's target with its own credentials; the answer, scrubbed.

    ``data`` is the connector's JSON as the API returned it. Never raises for what the receiver
    or the network does: that is the answer.
    """
    made = _config(data)
    if isinstance(made, Delivery):
        return made
    config = made.replace(timeout=float(timeout))
    where = redact_url(config.webhook_url)
    try:
        result = send_test_webhook(config, Transcript(), sample_alert("webhook-oauth-lab audit test delivery"),
                                   headers=_headers(data))
    except ConfigError as exc:
        # The core refuses before sending: no target, or plain http to a host that is not loopback.
        problems = "; ".join(f"{name} {'; '.join(msgs)}" for name, msgs in exc.problems.items())
        return Delivery("skipped", reason=_short(f"not sent: {problems}"))
    except TransportError as exc:
        return Delivery("unknown", reason=_short(f"no answer from {where}: {exc.message}"))
    except TokenEndpointError as exc:
        return Delivery("no", reason=_short(f"no token to deliver with: the token endpoint refused the stored client "
                                            f"({exc.message.splitlines()[0]})"))
    except WebhookAuthError as exc:
        return Delivery("unknown", reason=_short(exc.message.splitlines()[0]))
    if result.ok:
        return Delivery("yes", result.status, _short(f"{where} accepted the test alert"))
    answer = f" (it said: {result.body_preview})" if result.body_preview else ""
    return Delivery("no", result.status, _short(f"HTTP {result.status}{answer}. {result.hint}"))


def _headers(data: dict) -> dict[str, str]:
    """The connector's own headers as a mapping (entries without a string name and value left out)."""
    pairs = data.get("headers") if isinstance(data.get("headers"), list) else []
    return {h["name"]: h["value"] for h in pairs
            if isinstance(h, dict) and isinstance(h.get("name"), str) and isinstance(h.get("value"), str)}


def _short(text: str) -> str:
    # The receiver's text is hostile: secrets masked, control characters (terminal escapes) dropped.
    text = " ".join("".join(c if c.isprintable() else " " for c in scrub(text)).split())
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"
