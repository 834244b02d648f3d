"""Errors of the connectors layer (audit, push, keep): each with a ``hint`` and an ``exit_code``.

::

    WebhookAuthError (widgets.core.errors)
    └── ConnectorsError              base here; .exit_code for the command line
        ├── TeSettingsError          no TE API token, a bad host or aid (exit 2)
        ├── TeApiError               the TE API refused: 401, 403, 404, 429 after waiting,
        │                            5xx (.status; exit 3)
        ├── ConnectorShapeError      a connector that cannot be read or safely rewritten (exit 3)
        ├── PushRefused              the change asked for does not apply to this connector (exit 2)
        ├── RefreshFailed            the provider refused the refresh token: log in again (exit 3)
        └── TokenStoreError          the refresh token store cannot be read or written (exit 2)

Messages never hold a secret: what comes from the API or a provider goes through
:func:`widgets.core.redact.scrub` first. (Another helper is consolidating the error tree; these
subclass its base so that ``except WebhookAuthError`` catches them.)
"""

from __future__ import annotations

from ..core.errors import WebhookAuthError

__all__ = ["ConnectorsError", "TeSettingsError", "TeApiError", "ConnectorShapeError", "PushRefused",
           "RefreshFailed", "TokenStoreError"]


class ConnectorsError(WebhookAuthError):
    """Base of this layer's errors; ``exit_code`` is what ``python -m widgets`` exits with."""

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
