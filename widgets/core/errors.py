"""Errors a person can act on: one tree, each error with a plain ``hint`` and an ``exit_code``.

Every error class of the package is defined here, and only here (the modules that raise
them import them from here and still export them under their old names). The number after
each name is its ``exit_code``, the exit status of the command line (``python -m widgets``)
when it ends with that error::

    WebhookAuthError                 1  base; every error here has .message, .hint, .exit_code.
    │                                   Read the hint: it says what to change.
    ├── ConfigError                  2  the settings are incomplete or unsafe (.problems per
    │                                   field); also a ValueError. Fix each field listed.
    ├── PastedRedirectError          2  what was pasted is not an authorization response.
    │                                   Paste the whole address the browser landed on.
    ├── InspectionError              2  the text given as a token is not one, or its JWKS is
    │                                   unusable. Paste the bare token; check the JWKS URL.
    ├── StateMismatchError           4  the pasted state is wrong, missing or already used.
    │                                   Start again with a fresh link; no token was requested.
    ├── IssuerMismatchError          4  the answer names another issuer (RFC 9207 mix-up
    │   │                               defence). Check the Auth URL and issuer; no token was
    │   │                               requested.
    │   └── DiscoveryIssuerMismatch  4  the metadata names another issuer (RFC 8414 §3.3); also a
    │                                   DiscoveryError. Discover again with the issuer it names.
    ├── AuthorizationDenied          3  the provider answered the authorize request with an
    │                                   error (.error, .description). Act on the code's hint.
    ├── TokenEndpointError           3  the token endpoint refused or answered nonsense
    │   │                               (.status, .error, .description, .retry_after). Act on
    │   │                               the code's hint; for a 5xx, retry later.
    │   ├── DeviceAccessDenied       3  the person pressed Deny on the verification page (RFC
    │   │                               8628 §3.5 access_denied). Start again and approve.
    │   └── DeviceCodeExpired        3  the device code expired before anyone approved it
    │                                   (expired_token). Start again; approve sooner.
    ├── DevicePollTimeout            1  the device flow's own time bound ran out while the
    │                                   approval was still pending. Approve sooner, or wait longer.
    ├── IdTokenError                 4  an OpenID Connect ID token failed a check (.check,
    │                                   .detail, .checks): signature, iss, aud, exp, nonce ...
    │                                   The token was refused; start again with a fresh login.
    ├── DiscoveryError               3  no usable metadata at the issuer (RFC 8414, OpenID
    │   │                               Connect Discovery). Check the issuer, or type the Auth
    │   │                               and Token URLs by hand.
    │   └── DiscoveryIssuerMismatch  4  (see above: 4, as a mismatch, not 3)
    ├── IntrospectionError           3  the introspection endpoint (RFC 7662) refused or
    │                                   answered nonsense (.status, .error). Check its URL and
    │                                   the client credentials.
    ├── CatcherTimeout               1  no redirect reached the loopback catcher in time.
    │                                   Finish the login sooner, or paste the address by hand.
    ├── CatcherError                 1  the loopback catcher cannot listen, or is used outside
    │                                   its `with` block. Use port=0; one catcher per login.
    ├── ConnectorsError              1  widgets.connectors (ThousandEyes connectors after the
    │   │                               paste): the base of the classes below.
    │   ├── TeSettingsError          2  no TE API token, or a bad host or aid. Give the token
    │   │                               in an environment variable or a 0600 file.
    │   ├── TeApiError               3  the TE API refused (.status: 401, 403, 404, 429, 5xx).
    │   │                               Act on the status's hint.
    │   ├── ConnectorShapeError      3  a connector that cannot be read or safely rewritten;
    │   │                               nothing was written.
    │   ├── PushRefused              2  the change asked for does not apply to this connector.
    │   ├── RefreshFailed            3  the provider refused the refresh token. Log in by hand
    │   │                               again; the connector was left as it was.
    │   └── TokenStoreError          2  the refresh token store cannot be read or written.
    │                                   Unlock the keyring, or chmod 600 the file.
    └── TransportError               5  the request never got an HTTP answer: timeout, refused,
        │                               DNS, TLS, proxy, redirect (.reason). Check the URL,
        │                               the network and the proxy settings; retry.
        └── BodyTooLarge             5  the answer is over 1 MiB (.reason "too_large").
                                        Check the URL: it points at a download or a page.

Exit codes: 0 success, 1 anything else, 2 usage or configuration, 3 the provider refused or
answered nonsense, 4 state or issuer mismatch, 5 no HTTP answer (130: interrupted). Every
class sets its own ``exit_code``, even where it equals its parent's, so that a new class
decides, and a class with two parents (``DiscoveryIssuerMismatch``) does not take the first
one's by accident.

A webhook receiver that answers a test delivery with a non-2xx status is not an error here:
:func:`widgets.core.webhook.send_test_webhook` returns every HTTP answer as a ``DeliveryResult``
(with a hint); only no answer at all raises (:class:`TransportError`).

Library exceptions (requests, oauthlib) are translated into these once, at the boundary
(:mod:`widgets.core.transport`), with ``raise ... from``. Messages never contain secrets: callers
pass text that has been through :func:`widgets.core.redact.scrub`.

Messages and hints are plain text, quoting the provider as it answered: ``str(err)`` reads right
in a terminal, a log or a CSV. Provider text is hostile, so whatever renders an error as HTML
escapes it, once, there (:func:`widgets.ui.markup.esc`, :func:`widgets.ui.markup.message_html`).
"""

from __future__ import annotations

import re

from .redact import mask_remembered, redact_url, scrub

__all__ = [
    "WebhookAuthError",
    "ConfigError",
    "PastedRedirectError",
    "StateMismatchError",
    "IssuerMismatchError",
    "AuthorizationDenied",
    "TokenEndpointError",
    "TransportError",
    "BodyTooLarge",
    "DiscoveryError",
    "DiscoveryIssuerMismatch",
    "InspectionError",
    "IntrospectionError",
    "CatcherTimeout",
    "CatcherError",
    "ConnectorsError",
    "TeSettingsError",
    "TeApiError",
    "ConnectorShapeError",
    "PushRefused",
    "RefreshFailed",
    "TokenStoreError",
    "DeviceAccessDenied",
    "DeviceCodeExpired",
    "DevicePollTimeout",
    "IdTokenError",
    "hint_for_oauth_error",
]


class WebhookAuthError(Exception):
    """Base of every error this package raises on purpose."""

    #: The command line's exit status for this error (see the table above).
    exit_code = 1
    default_hint = "Check the settings and try again."

    def __init__(self, message: str, *, hint: str | None = None):
        # Callers scrub the provider's text they quote; this catches any remembered secret they
        # missed (by value only: a by-name pass would mangle our own "client_secret: ..." lines).
        message = mask_remembered(message)
        super().__init__(message)
        self.message = message
        self.hint = mask_remembered(hint or self.default_hint)

    def __str__(self) -> str:
        return f"{self.message}\nHint: {self.hint}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(WebhookAuthError, ValueError):
    """The configuration cannot work. ``problems`` maps each field to what is wrong with it.

    Also a :class:`ValueError` (as requests' ``InvalidURL`` is), so a caller that guards its own
    input with ``except ValueError`` catches bad settings too.
    """

    exit_code = 2
    default_hint = "Fix the fields listed above; each line says what is expected."

    def __init__(self, problems: dict[str, list[str]], *, hint: str | None = None):
        self.problems = {field: list(msgs) for field, msgs in problems.items()}
        lines = [f"{field}: {msg}" for field, msgs in self.problems.items() for msg in msgs]
        super().__init__("The settings have problems:\n  " + "\n  ".join(lines), hint=hint)


class PastedRedirectError(WebhookAuthError):
    """What was pasted is not an authorization response (nor a bare code)."""

    exit_code = 2
    default_hint = (
        "Paste the whole address of the page the browser landed on after you logged in "
        "(it contains code= and state=), not the authorize link."
    )


class StateMismatchError(WebhookAuthError):
    """The pasted ``state`` is wrong, missing or already used: no token is requested."""

    exit_code = 4
    default_hint = (
        "Start again with a fresh authorize link and paste the address you land on from "
        "that same attempt. A state that does not match can mean a stale tab or a forged "
        "redirect, so no token was requested."
    )


class IssuerMismatchError(WebhookAuthError):
    """The answer names another issuer than the configured one (RFC 9207 mix-up defence)."""

    exit_code = 4
    default_hint = (
        "The answer came from another authorization server than the one this link was built "
        "for (a mix-up attack, or a wrong issuer setting). Check the Auth URL and issuer, then "
        "start again. No token was requested."
    )


class AuthorizationDenied(WebhookAuthError):
    """The authorization server redirected back with ``error=`` instead of a code.

    The message quotes the redirect's ``error`` and ``description`` as plain text, scrubbed of
    secrets but not escaped: anybody could have put markup there, so whatever shows it in HTML
    escapes it.
    """

    exit_code = 3

    def __init__(self, error: str, description: str | None = None, *, hint: str | None = None):
        hint = hint or hint_for_oauth_error(error, description=description)
        # The provider's text: scrubbed once, here, for every reader of .error and .description.
        self.error = error = scrub(error)
        self.description = description = None if description is None else scrub(description)
        shown = f": {description}" if description else ""
        super().__init__(f"The provider refused the authorization ({error}){shown}", hint=hint)


class TokenEndpointError(WebhookAuthError):
    """The token endpoint answered with an error, or with something that is not a token.

    The message quotes the provider's text as plain text (scrubbed, not escaped).
    """

    exit_code = 3

    #: Seconds the provider asked to wait (a 429 or 503 with Retry-After), else None.
    retry_after: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        description: str | None = None,
        hint: str | None = None,
        client_auth: str | None = None,
    ):
        self.status = status
        hint = hint or hint_for_oauth_error(error, client_auth=client_auth, description=description)
        # The provider's text: scrubbed once, here, for every reader of .error and .description.
        self.error = None if error is None else scrub(error)
        self.description = None if description is None else scrub(description)
        super().__init__(message, hint=hint)


class TransportError(WebhookAuthError):
    """No HTTP answer: ``reason`` is one of timeout, refused, dns, tls, proxy, redirect, invalid_url, network."""

    exit_code = 5

    def __init__(self, message: str, *, reason: str, hint: str | None = None):
        self.reason = reason
        super().__init__(message, hint=hint)


class BodyTooLarge(TransportError):
    """The answer is larger than the transport reads (1 MiB): raised by :mod:`widgets.core.transport`."""

    exit_code = 5

    def __init__(self, url: str, size: int | None):
        shown = f"{size} bytes" if size else "more than 1 MiB"
        super().__init__(
            f"The answer from {redact_url(url)} is {shown}; refusing to read more than 1 MiB.",
            reason="too_large",
            hint="A token or webhook response is a few hundred bytes. Check the URL: it probably "
            "points at a download or a web page.",
        )


class DiscoveryError(WebhookAuthError):
    """No usable metadata at the issuer: missing, not JSON, or not what RFC 8414 describes."""

    exit_code = 3
    default_hint = (
        "Check the issuer URL (the provider's documentation calls it 'issuer' or 'authority'). "
        "If the provider publishes no metadata, type the Auth URL and Token URL by hand."
    )


class DiscoveryIssuerMismatch(DiscoveryError, IssuerMismatchError):
    """The metadata names another issuer than the one asked for (RFC 8414 §3.3)."""

    exit_code = 4
    default_hint = (
        "The metadata belongs to another issuer, so none of it was used (RFC 8414 §3.3). If the "
        "issuer it names is the provider you meant, run discovery again with exactly that value."
    )


class InspectionError(WebhookAuthError):
    """The token to inspect is unusable, or its JWK Set could not be read."""

    exit_code = 2
    default_hint = "Paste the access token alone: no 'Bearer ', quotes or line breaks."


class IntrospectionError(WebhookAuthError):
    """The introspection endpoint refused the request or did not answer as RFC 7662 says."""

    exit_code = 3

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None,
                 hint: str | None = None):
        self.status = status
        self.error = None if error is None else scrub(error)  # the provider's text
        super().__init__(message, hint=hint)


class CatcherTimeout(WebhookAuthError):
    """No authorization response reached the loopback catcher within its timeout."""

    exit_code = 1
    default_hint = (
        "Open the authorize link in a browser on this machine and finish the login before the time "
        "runs out. If the provider shows an error instead of sending you back, it may not accept this "
        "loopback redirect URI: register http://127.0.0.1 (any port, RFC 8252 §7.3) for the client, or "
        "use the manual flow (paste the address you land on)."
    )


class CatcherError(WebhookAuthError):
    """The loopback catcher cannot listen on its port, or is used outside its lifetime."""

    exit_code = 1
    default_hint = "Use port=0 to let the system pick a free port, and register that loopback URI."


# -- widgets.connectors: ThousandEyes connectors after the paste ---------------------------------


class ConnectorsError(WebhookAuthError):
    """Base of the errors of widgets.connectors (audit, push, keep)."""

    exit_code = 1


class TeSettingsError(ConnectorsError):
    exit_code = 2
    default_hint = ("Give the ThousandEyes API token in an environment variable (TE_API_TOKEN by default, "
                    "or --te-token-env VAR) or a 0600 file (--te-token-file PATH), never on the command line.")


class TeApiError(ConnectorsError):
    """The API answered with an error status; ``status`` is it (None when it never answered)."""

    exit_code = 3

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None):
        self.status = status
        super().__init__(message, hint=hint or _API_HINTS.get(status, self.default_hint))


_API_HINTS = {
    400: "The API refused the connector as sent; the message lists the fields it objected to.",
    401: ("The ThousandEyes API token was refused: check it (Account Settings > Users and Roles > "
          "User API Tokens) and that it is an OAuth bearer token for API v7."),
    403: "This token's user is not assigned to that account group (aid), or lacks the permission.",
    404: "No connector with this id in this account group: list them with `python -m widgets audit`.",
    429: "The API is rate limiting this organization: wait and run again, or lower --workers.",
}


class ConnectorShapeError(ConnectorsError):
    exit_code = 3
    default_hint = "The connector as the API returned it cannot be used here; nothing was written."


class PushRefused(ConnectorsError):
    exit_code = 2
    default_hint = "Push a token to a bearer-token, other-token or oauth-auth-code connector."


class RefreshFailed(ConnectorsError):
    exit_code = 3
    default_hint = ("The provider refused the refresh token (expired, revoked or already used). Log in by "
                    "hand again (notebook 02, or `python -m widgets authorize`), store the new refresh token "
                    "with `keep --seed-refresh-token -`, and run keep again. The connector was left as it was.")


class TokenStoreError(ConnectorsError):
    exit_code = 2
    default_hint = ("Check the refresh token store: the keyring is unlocked, or the file is yours with mode "
                    "0600. Seed it with `keep --seed-refresh-token -` (the token read from standard input).")


# -- the device grant (RFC 8628) and OpenID Connect ID tokens --------------------------------------


class DeviceAccessDenied(TokenEndpointError):
    """The person denied the device's request on the verification page (RFC 8628 §3.5)."""

    exit_code = 3
    default_hint = (
        "Someone pressed Deny on the verification page (or the provider refused the request). "
        "Start the device flow again and approve it, signed in as the right user."
    )


class DeviceCodeExpired(TokenEndpointError):
    """The device code expired before the request was approved (RFC 8628 §3.5 ``expired_token``)."""

    exit_code = 3
    default_hint = (
        "The code shown expired before it was approved. Start the device flow again and enter the "
        "new code at the verification page before the countdown ends."
    )


class DevicePollTimeout(WebhookAuthError):
    """Polling stopped at the flow's own time bound while approval was still pending."""

    exit_code = 1
    default_hint = (
        "Nobody approved the code in time. Open the verification page, type the code and approve, "
        "then start again (or poll with a longer timeout)."
    )


class IdTokenError(WebhookAuthError):
    """An OpenID Connect ID token failed one of its checks (OIDC Core §3.1.3.7); it was refused.

    ``check`` names the first failed check (``signature``, ``iss``, ``aud``, ``azp``, ``exp``,
    ``iat``, ``nonce``, ``at_hash``), ``detail`` says why, and ``checks`` holds every check's
    ``(check, ok, detail)``. Claim values quoted here come from the token and are plain text.
    """

    exit_code = 4
    default_hint = (
        "The ID token cannot be trusted, so no token from this answer was kept. Start again with a "
        "fresh login; if it keeps failing, check the issuer, the client ID and the provider's JWKS."
    )

    def __init__(self, check: str, detail: str, checks=(), *, hint: str | None = None):
        self.check = check
        self.detail = detail
        self.checks = tuple(checks)
        super().__init__(f"The ID token failed the {check} check: {scrub(detail)}", hint=hint)


_PKCE_WORDS = re.compile(r"\b(?:code challenge|code verifier|pkce|proof key)")

_OTHER_CLIENT_AUTH = {
    "client_secret_basic": "client_secret_post",
    "client_secret_post": "client_secret_basic",
}

# invalid_client for the methods without a secret on the wire (RFC 7523 §2.2, RFC 8705 §2)
_BEYOND_SECRET_HINTS = {
    "private_key_jwt": (
        "The provider did not accept the client assertion: check that the key file is the private half "
        "of the public key registered for this client (and the Key ID, if it registered one), that the "
        "Client ID is right, and that this machine's clock is right (assertions live a minute)."),
    "client_secret_jwt": (
        "The provider did not accept the client assertion signed with the client secret: check the "
        "Client ID and Client Secret, the algorithm (HS256 unless the provider says otherwise), and the "
        "clock of this machine."),
    "tls_client_auth": (
        "The provider did not accept the client certificate: it must be the one registered for this "
        "client (its subject), and the Token URL the provider's mTLS endpoint (mtls_endpoint_aliases)."),
    "self_signed_tls_client_auth": (
        "The provider did not accept the client certificate: it must be the self-signed certificate "
        "registered for this client, and the Token URL the provider's mTLS endpoint."),
}

_HINTS = {
    # RFC 6749 §5.2
    "invalid_request": (
        "The request is missing or repeats a required parameter. Check the extra parameters "
        "(audience/resource) and that the provider supports this grant with these settings."
    ),
    "invalid_client": (
        "The provider did not accept the client credentials: check the Client ID and Client "
        "Secret (no stray spaces), and that the client is allowed to use this grant."
    ),
    "invalid_grant": (
        "The code or refresh token was rejected: codes are single-use and expire within "
        "minutes, and the redirect URI must match the authorize request exactly. Start a new "
        "authorization and exchange the code promptly."
    ),
    "unauthorized_client": (
        "This client is not allowed to use this grant type. Enable it for the client in the "
        "provider's console."
    ),
    "unsupported_grant_type": (
        "The provider does not support this grant type at this token URL. Check the Token URL "
        "and the provider's supported grant types."
    ),
    "invalid_scope": (
        "A requested scope is unknown or not allowed for this client. Remove it or ask for "
        "one listed in the provider's documentation."
    ),
    # RFC 6749 §4.1.2.1 (authorization endpoint)
    "access_denied": "The login was cancelled or consent was refused. Start again and approve.",
    "unsupported_response_type": "The provider does not allow the code flow for this client.",
    "server_error": "The provider failed internally. Try again later or contact its support.",
    "temporarily_unavailable": "The provider is overloaded or down. Wait a moment and retry.",
    # RFC 6750 and common non-standard codes
    "invalid_token": "The token is invalid or expired. Get a new one.",
    "insufficient_scope": "The token lacks a scope the receiver needs. Request that scope.",
    "redirect_uri_mismatch": (
        "The redirect URI differs from the one registered for this client. Copy the exact "
        "registered value (scheme, host, path, trailing slash) into Redirect URI."
    ),
    "invalid_redirect_uri": (
        "The provider does not accept this redirect URI. Register it for the client or use the "
        "registered one."
    ),
    "bad_verification_code": (
        "The code is wrong or expired (GitHub's name for invalid_grant). Start a new "
        "authorization and exchange the code within a few minutes."
    ),
    "incorrect_client_credentials": "The Client ID or Client Secret is wrong (GitHub).",
    "expired_token": "The token or code expired. Start again.",
    # RFC 8628 §3.5 (device authorization grant): polling answers
    "authorization_pending": (
        "Nobody has approved the code yet: open the verification page, type the code and approve. "
        "Polling goes on at the interval the provider asked for."
    ),
    "slow_down": "The provider asked to poll less often: the interval grows by 5 seconds (RFC 8628 §3.5).",
    "consent_required": "The user must consent first: open the authorize link and approve.",
    "login_required": "The user must log in first: open the authorize link and log in.",
    "interaction_required": "The provider needs the user in the browser: open the authorize link.",
}


def hint_for_oauth_error(error: str | None, *, client_auth: str | None = None,
                         description: str | None = None) -> str:
    """A sentence a person can act on for an OAuth ``error`` code (RFC 6749 §5.2 and common ones)."""
    if not error:
        return WebhookAuthError.default_hint
    # Descriptions are prose: "Code challenge required.", "code_challenge missing", "PKCE ...".
    said = " ".join(re.sub(r"[_\-]+", " ", (description or "").lower()).split())
    if error == "invalid_request" and _PKCE_WORDS.search(said):
        return "This provider requires PKCE: turn PKCE on (S256) and build a new authorize link."
    if error == "invalid_request" and re.search(r"\bstate\b", said):
        return (
            "This provider requires the state parameter. A platform that cannot send it (such as "
            "ThousandEyes) fails here: run the OAuth Code flow by hand with this tool (notebook 02), "
            "which always sends state, and paste the token into the webhook's Token field."
        )
    hint = _HINTS.get(error, f"The provider answered '{scrub(error)}'. Check its documentation for this code.")
    if error == "invalid_client" and client_auth in ("private_key_jwt", "client_secret_jwt") and "jti" in said:
        return ("An assertion is good for one request, and this one was already used: sign a new one for "
                "every request (the flows do, when they are given a signer).")
    if error == "invalid_client" and client_auth in _BEYOND_SECRET_HINTS:
        return _BEYOND_SECRET_HINTS[client_auth]
    if error in ("invalid_client", "incorrect_client_credentials") and client_auth in _OTHER_CLIENT_AUTH:
        other = _OTHER_CLIENT_AUTH[client_auth]
        hint += (
            f" This request used {client_auth}; some providers accept only one method, so try "
            f"Client authentication = {other}."
        )
    return hint
