"""What to type into the webhook's authentication form, and the same as connector JSON.

The fields follow the custom webhook form for each auth type (Basic, Token, OAuth Code,
OAuth Client Credentials), and the type to choose follows the path the token took:

* by hand (this tool's authorization code flow, with ``state``; or any provider the platform's
  own OAuth Code cannot use) → **Token**, with the access token, its expiry in local time and
  what happens after it (``by_hand=True``);
* a provider the platform's OAuth Code can use itself → *OAuth Code* fields;
* client credentials → *OAuth Client Credentials* fields.
 :meth:`PasteReady.connector_json` gives the equivalent generic
connector of the ThousandEyes Integrations API v7 (``authentication.type`` is ``basic``,
``bearer-token``, ``oauth-auth-code`` or ``oauth-client-credentials``, members in camelCase
as the API names them).

Secrets (passwords, client secrets, tokens, refresh tokens, the ``Authorization`` header) are
masked with :func:`widgets.redact.mask` unless ``reveal=True``; ``repr`` never shows them.
"""

from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..core.headers import basic_authorization
from ..core.config import (CLIENT_AUTH_FIELDS, FIELD_LABELS, SECRET_CLIENT_AUTH, SECRET_FIELDS, AuthType,
                           WebhookAuthConfig)
from ..core.errors import ConfigError
from ..core.redact import mask, remember
from ..core.secret import reveal as reveal_secret
from ..core.token import Token

__all__ = ["PasteReady", "paste_ready", "CONNECTOR_TYPES"]

#: Our auth types and the connector API's names for them.
CONNECTOR_TYPES = {
    AuthType.BASIC: "basic",
    AuthType.TOKEN: "bearer-token",
    AuthType.OAUTH_CODE: "oauth-auth-code",
    AuthType.OAUTH_CLIENT_CREDENTIALS: "oauth-client-credentials",
}
#: Fields of ours the platform's form has no place for (see the notes paste_ready adds).
_NOT_ON_THE_FORM = frozenset({"issuer", "audience", "resource", "client_auth", "pkce", "webhook_url",
                              *(name for names in CLIENT_AUTH_FIELDS.values() for name in names)})
# The config's secrets under their form labels, and what is built from secrets.
_SECRET_LABELS = frozenset({FIELD_LABELS[name] for name in SECRET_FIELDS} | {"Refresh Token", "Header"})


@dataclass(frozen=True, repr=False)
class PasteReady:
    """Form fields (in form order) and connector JSON for one config. See :func:`paste_ready`."""

    auth_type: AuthType
    fields: "OrderedDict[str, str]"
    connector: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    revealed: bool = False
    #: One sentence: which auth type to choose in the webhook form, and what to paste.
    advice: str = ""

    def connector_json(self, indent: int | None = 2) -> str:
        """The ThousandEyes generic connector as JSON text (secrets masked unless revealed)."""
        return json.dumps(self.connector, indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        width = max((len(k) for k in self.fields), default=0)
        lines = [self.advice] if self.advice else []
        lines += [f"{k:<{width}}  {v}" for k, v in self.fields.items()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dataframe(self):
        """A two-column pandas DataFrame (field, value); pandas imported here."""
        import pandas as pd

        return pd.DataFrame(list(self.fields.items()), columns=["field", "value"])

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={'****' if k in _SECRET_LABELS and v else repr(v)}" for k, v in self.fields.items())
        return f"PasteReady({self.auth_type.value}: {shown})"

    __str__ = __repr__


def _local_time(seconds: float) -> str:
    """``2026-12-01 14:05 CET``: the reader's own clock, with its zone named."""
    try:
        when = datetime.fromtimestamp(int(seconds), timezone.utc).astimezone()
    except (OverflowError, OSError, ValueError):
        return "a time this system cannot show"
    return when.strftime("%Y-%m-%d %H:%M ") + (when.tzname() or when.strftime("UTC%z"))


def _connector(name: str, config: WebhookAuthConfig, auth: dict[str, str], notes: list[str]) -> dict[str, object]:
    """The ThousandEyes generic connector (its ``target`` only when a webhook URL is set: ``notes`` says so)."""
    connector: dict[str, object] = {"type": "generic", "name": name}
    if config.webhook_url:
        connector["target"] = config.webhook_url
    else:
        notes.append("No webhook URL set: the connector's 'target' is left out.")
    connector["authentication"] = auth
    return connector


def _by_hand(config: WebhookAuthConfig, token: Token | str | None, reveal: bool, name: str) -> PasteReady:
    """A token obtained by hand goes in as Token auth: the platform only carries it."""
    show = (lambda s: reveal_secret(s) or "") if reveal else mask
    access = token.access_token if isinstance(token, Token) else reveal_secret(token or "")
    fields: OrderedDict[str, str] = OrderedDict()
    notes: list[str] = []
    if config.webhook_url:
        fields["URL"] = config.webhook_url
    fields["Auth Type"] = AuthType.TOKEN.label
    if access:
        fields["Token"] = show(access)
        fields["Header"] = "Authorization: Bearer " + show(access)
        advice = ("Choose Token as the webhook's auth type and paste the access token this tool obtained by "
                  "hand. The platform's own OAuth Code cannot send state, so it fails with a provider that "
                  "requires it; Probe the provider tells whether this one does.")
    else:
        advice = "Choose Token as the webhook's auth type; get a token on the Run step first, then paste it."
        notes.append("Not ready yet: no token has been obtained.")
    if isinstance(token, Token) and token.expires_at is not None:
        notes.append(f"The token expires at {_local_time(token.expires_at)} (your local time). After that the "
                     "receiver refuses the deliveries (typically HTTP 401) until you paste a new token: log in "
                     "again with a fresh authorize link"
                     + (" (or use the refresh token this tool holds: notebook 02 shows how)" if token.refresh_token
                        else "")
                     + ". The platform does not renew a pasted token.")
    elif access:
        notes.append("The provider gave no lifetime: the token works until the provider stops accepting it; "
                     "then paste a new one. The platform does not renew a pasted token.")
    auth: dict[str, str] = {"type": CONNECTOR_TYPES[AuthType.TOKEN], "token": show(access)}
    connector = _connector(name, config, auth, notes)
    return PasteReady(AuthType.TOKEN, fields, connector, tuple(notes), reveal, advice)


_ADVICE = {
    AuthType.BASIC: "Choose Basic as the webhook's auth type and paste the username and password.",
    AuthType.TOKEN: "Choose Token as the webhook's auth type and paste the token.",
    AuthType.OAUTH_CODE: ("Choose OAuth Code as the webhook's auth type and fill in these fields: the platform "
                          "logs in and fetches its own tokens."),
    AuthType.OAUTH_CLIENT_CREDENTIALS: ("Choose OAuth Client Credentials as the webhook's auth type and fill in "
                                        "these fields: the platform fetches its own tokens with them."),
}


def paste_ready(config: WebhookAuthConfig, token: Token | str | None = None, *, reveal: bool = False,
                name: str = "webhook-oauth-lab", by_hand: bool = False) -> PasteReady:
    """The form fields and connector JSON for ``config`` (and the ``token`` a flow obtained).

    ``token`` stands in for ``config.token`` (Token auth) and is added to the OAuth types, with
    its refresh token. ``by_hand=True`` (an OAuth Code config whose token this tool obtained by
    hand, for a provider the platform's own OAuth Code cannot use) gives **Token** auth with that
    token instead. Missing required fields are listed in ``notes``, not raised, so a half-filled
    form can still be shown; an unknown auth type raises :class:`ConfigError`.
    """
    kind = config.auth_type
    if not isinstance(kind, AuthType):
        raise ConfigError({"auth_type": [f"must be one of: {', '.join(t.label for t in AuthType)}"]})
    if kind is AuthType.DEVICE:  # teaching only: no webhook runs the device grant, its token is pasted
        ready = paste_ready(config.replace(auth_type=AuthType.TOKEN), token, reveal=reveal, name=name)
        return dataclasses.replace(ready, notes=(
            "The device grant is for teaching: no webhook can run it. Its token is pasted as a Token "
            "webhook here, and stops working when it expires (nobody refreshes it).", *ready.notes))
    if by_hand and kind is AuthType.OAUTH_CODE:
        if isinstance(token, Token):
            remember(token.access_token, token.refresh_token)
        return _by_hand(config, token, reveal, name)
    access = token.access_token if isinstance(token, Token) else reveal_secret(token or config.token or "")
    refresh = token.refresh_token if isinstance(token, Token) else None
    remember(config.client_secret, config.password, known=True)
    remember(access, refresh)
    show = (lambda s: reveal_secret(s) or "") if reveal else mask

    fields: OrderedDict[str, str] = OrderedDict()
    auth: dict[str, str] = {"type": CONNECTOR_TYPES[kind]}
    notes: list[str] = []
    if config.webhook_url:
        fields["URL"] = config.webhook_url
    fields["Auth Type"] = kind.label

    values = {key: getattr(config, key) for key in kind.settings}
    if kind is AuthType.TOKEN:
        values["token"] = access
    for key in kind.fields_for(config.client_auth):  # the platform's form shows them in the same order
        if key in _NOT_ON_THE_FORM or (key == "scope" and not values[key]):
            continue
        fields[FIELD_LABELS[key]] = show(values[key]) if key in kind.secrets else values[key]

    if kind is AuthType.BASIC:
        if config.username and ":" not in config.username:
            raw = basic_authorization(config.username, config.password).split(" ", 1)[1]
            remember(raw, known=True, whole=True)  # the Base64 alone is as good as the password
            fields["Header"] = "Authorization: Basic " + show(raw)
        auth.update(username=config.username, password=show(config.password))
    elif kind is AuthType.TOKEN:
        if access:
            fields["Header"] = "Authorization: Bearer " + show(access)
        auth["token"] = show(access)
    else:
        if access:
            fields["Token"] = show(access)
        if refresh and kind is AuthType.OAUTH_CODE:
            fields["Refresh Token"] = show(refresh)
        if access:
            fields["Header"] = "Authorization: Bearer " + show(access)
        if kind is AuthType.OAUTH_CODE:
            auth.update(oauthAuthUrl=config.auth_url, oauthTokenUrl=config.token_url,
                        oauthClientId=config.client_id, oauthClientSecret=show(config.client_secret),
                        redirectUri=config.redirect_uri)
            if refresh:
                auth["refreshToken"] = show(refresh)
            notes.append("'code' is left out of the connector: a code is single-use and this tool already "
                         "exchanged it. The token (and refresh token) stand in for it.")
        else:
            auth.update(oauthTokenUrl=config.token_url, oauthClientId=config.client_id,
                        oauthClientSecret=show(config.client_secret))
            if config.scope:
                auth["scope"] = config.scope
        if access:
            auth["token"] = show(access)
        if config.extra_params:
            names = ", ".join(sorted(config.extra_params))
            notes.append(f"The form has no field for {names}. If the provider needs it to issue a token, "
                         "the platform's own token request will fail: paste a token from this tool as Token "
                         "auth instead (and renew it before it expires).")
        if config.client_auth not in SECRET_CLIENT_AUTH and config.client_auth in CLIENT_AUTH_FIELDS:
            proof = "a client certificate (mTLS)" if "tls" in config.client_auth else "a signed client assertion"
            notes.append(f"This tool authenticated with {config.client_auth} ({proof}); the webhook's form has "
                         "only a Client Secret, so the platform cannot fetch tokens this way. Paste the token "
                         "from this tool as Token auth instead, and renew it before it expires. The key and "
                         "certificate files stay on this machine: nothing of them is in these fields.")
        elif config.client_auth == "client_secret_jwt":
            notes.append("This tool authenticated with client_secret_jwt (an assertion signed with the secret); "
                         "the platform sends the secret itself, which the provider may refuse.")
        if config.client_secret and config.client_auth == "client_secret_post":
            notes.append("This tool authenticated with client_secret_post; the form has no such setting. If "
                         "the platform's token request is refused with invalid_client, the provider may not "
                         "accept the method the platform uses.")

    if isinstance(token, Token) and token.expires_at is not None:
        when = datetime.fromtimestamp(int(token.expires_at), timezone.utc).isoformat()
        if kind is AuthType.OAUTH_CLIENT_CREDENTIALS:
            renew = " The platform fetches its own tokens with the client credentials."
        elif kind is AuthType.OAUTH_CODE and refresh:
            renew = " The platform can renew it with the refresh token."
        else:
            renew = ""
        notes.append(f"The token expires at {when}; a pasted token stops working then.{renew}")

    # What is pasted is checked: for Token auth, the token given stands in for the config's.
    problems = (config.replace(token=access) if kind is AuthType.TOKEN else config).problems()
    missing = [f"{k}: {m[0]}" for k, m in problems.items()]
    if missing:
        notes.append("Not ready yet: " + "; ".join(missing) + ".")

    connector = _connector(name, config, auth, notes)
    return PasteReady(kind, fields, connector, tuple(notes), reveal, _ADVICE[kind])
