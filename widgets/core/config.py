"""What a webhook's authentication form holds, and the checks it must pass before any request.

The fields mirror a ThousandEyes custom webhook's auth form. Which of them each auth type
shows, requires and keeps secret is said once, here (:attr:`AuthType.fields`,
:attr:`AuthType.required`, :attr:`AuthType.secrets`, :data:`FIELD_LABELS`); the checks, the
wizard's form, the paste-ready output and the command line all read it.
:meth:`WebhookAuthConfig.problems` reports every problem of the chosen type's fields at once,
per field, so a form can show each next to its input; a field the type does not have is never
checked (a value left over from another type does no harm).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from .errors import ConfigError
from .loopback import connection_target, is_loopback_host, reading_problem
from .redact import mask, redact_params, redact_url
from .secret import Secret, reveal

__all__ = ["AuthType", "WebhookAuthConfig", "THOUSANDEYES_REDIRECT_URI", "CLIENT_AUTH_METHODS", "FORM_FIELDS",
           "FIELD_LABELS", "SECRET_FIELDS", "EXTRA_PARAM_FIELDS", "url_problem", "CLIENT_AUTH_FIELDS",
           "SECRET_CLIENT_AUTH", "ASSERTION_CLIENT_AUTH", "TLS_CLIENT_AUTH", "ASSERTION_ALGORITHMS"]

#: Where ThousandEyes sends the browser back after an OAuth login.
THOUSANDEYES_REDIRECT_URI = "https://app.thousandeyes.com/namespace/integrations/AuthCallbackPage.html"
#: How a client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7523 §2.2 with OpenID
#: Connect Core §9, RFC 8705 §2). The ``*_jwt`` methods send a signed assertion; the ``*tls*``
#: methods a client certificate.
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
                       "tls_client_auth", "self_signed_tls_client_auth")
#: The methods that send the client secret itself, or an assertion signed with it.
SECRET_CLIENT_AUTH = ("client_secret_basic", "client_secret_post", "client_secret_jwt")
#: The methods that send a signed JWT as ``client_assertion`` (RFC 7523 §2.2).
ASSERTION_CLIENT_AUTH = ("client_secret_jwt", "private_key_jwt")
#: The methods that authenticate with a client certificate in the TLS handshake (RFC 8705 §2).
TLS_CLIENT_AUTH = ("tls_client_auth", "self_signed_tls_client_auth")
#: The fields each client-authentication method adds to the OAuth types' form (file paths, never keys).
CLIENT_AUTH_FIELDS = {
    "private_key_jwt": ("client_key_file", "client_key_id", "client_assertion_alg"),
    "client_secret_jwt": ("client_assertion_alg",),
    "tls_client_auth": ("tls_client_cert", "tls_client_key", "tls_ca_file"),
    "self_signed_tls_client_auth": ("tls_client_cert", "tls_client_key", "tls_ca_file"),
}
_CLIENT_AUTH_REQUIRED = {
    "private_key_jwt": ("client_key_file",),
    "tls_client_auth": ("tls_client_cert", "tls_client_key"),
    "self_signed_tls_client_auth": ("tls_client_cert", "tls_client_key"),
}
#: JWS algorithms a client assertion may use, per method (RFC 7518 §3.1); "" lets the key decide.
ASSERTION_ALGORITHMS = {
    "private_key_jwt": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"),
    "client_secret_jwt": ("HS256", "HS384", "HS512"),
}
_CLIENT_AUTH_ONLY = frozenset(name for names in CLIENT_AUTH_FIELDS.values() for name in names)

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")
# Parameters the flows set themselves; an extra parameter must not override them.
_RESERVED_PARAMS = frozenset(
    {
        "grant_type", "code", "redirect_uri", "client_id", "client_secret", "state",
        "code_verifier", "code_challenge", "code_challenge_method", "response_type",
        "refresh_token", "scope", "username", "password",
    }
)


class AuthType(str, Enum):
    """The four kinds of authentication a custom webhook can use, and the device grant.

    ``DEVICE`` (RFC 8628) is for teaching only: a webhook cannot run it (someone must type a
    code on another screen), but the token it gets can be pasted as a Token.
    """

    BASIC = "basic"
    TOKEN = "token"
    OAUTH_CODE = "oauth_code"
    OAUTH_CLIENT_CREDENTIALS = "oauth_client_credentials"
    DEVICE = "device"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields of this type, in :data:`FORM_FIELDS` order.

        Each is an attribute of :class:`WebhookAuthConfig`, except the
        :data:`EXTRA_PARAM_FIELDS`, which are keys of its ``extra_params``.
        """
        return tuple(name for name in FORM_FIELDS if name in _FIELDS[self])

    @property
    def required(self) -> tuple[str, ...]:
        """The fields that must not be empty for this type (a subset of :attr:`fields`)."""
        return tuple(name for name in self.fields if name in _REQUIRED[self])

    def fields_for(self, client_auth: str) -> tuple[str, ...]:
        """The fields the form shows for this type when the client authenticates with ``client_auth``.

        :attr:`fields` holds every method's fields; this keeps those of ``client_auth`` alone, and
        drops the client secret for a method that does not use one (private_key_jwt, mTLS).
        """
        wanted = set(CLIENT_AUTH_FIELDS.get(client_auth, ()))
        return tuple(name for name in self.fields
                     if (name not in _CLIENT_AUTH_ONLY or name in wanted)
                     and not (name == "client_secret" and client_auth in _NO_SECRET_CLIENT_AUTH))

    def required_for(self, client_auth: str) -> tuple[str, ...]:
        """:attr:`required` for the method ``client_auth`` (see :meth:`fields_for`)."""
        shown = self.fields_for(client_auth)
        wanted = set(_REQUIRED[self]) | set(_CLIENT_AUTH_REQUIRED.get(client_auth, ()))
        return tuple(name for name in shown if name in wanted)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The fields of this type that are secrets: masked wherever they are shown."""
        return tuple(name for name in self.fields if name in SECRET_FIELDS)

    @property
    def settings(self) -> tuple[str, ...]:
        """The :class:`WebhookAuthConfig` attributes this type uses, which ``problems()`` checks.

        :attr:`fields` with the :data:`EXTRA_PARAM_FIELDS` as the one ``extra_params``
        (and, for the code grant, ``require_iss``), then ``timeout`` and ``verify_tls``, which
        every type has and the form does not show.
        """
        names = ["extra_params" if name in EXTRA_PARAM_FIELDS else name for name in self.fields]
        if self is AuthType.OAUTH_CODE:
            names.append("require_iss")  # the RFC 9207 check of the login's answer
        return tuple(dict.fromkeys([*names, "timeout", "verify_tls"]))

    @classmethod
    def parse(cls, value: "AuthType | str") -> "AuthType":
        """Accept the enum, its value, its name or its label, in any case."""
        if isinstance(value, cls):
            return value
        wanted = re.sub(r"[\s\-]+", "_", str(value).strip()).lower()
        for member in cls:
            if wanted in (member.value, member.name.lower(), re.sub(r"\s+", "_", member.label.lower())):
                return member
        raise ValueError(f"unknown auth type {value!r}")


_LABELS = {
    AuthType.BASIC: "Basic",
    AuthType.TOKEN: "Token",
    AuthType.OAUTH_CODE: "OAuth Code",
    AuthType.OAUTH_CLIENT_CREDENTIALS: "OAuth Client Credentials",
    AuthType.DEVICE: "Device (teaching only)",
}
_DESCRIPTIONS = {
    AuthType.BASIC: "The receiver checks a username and password sent with every delivery.",
    AuthType.TOKEN: "You already have a bearer token (an API key or a token obtained elsewhere) to paste.",
    AuthType.OAUTH_CODE: (
        "A person logs in at the provider once; use it when the receiver's tokens belong to a "
        "user, or when the provider requires state and the platform cannot send it."
    ),
    AuthType.OAUTH_CLIENT_CREDENTIALS: (
        "Machine to machine: the platform exchanges a client ID and secret for a token, no login."
    ),
    AuthType.DEVICE: (
        "Teaching only, webhooks cannot use it: a device shows a code, a person types it at the "
        "provider's verification page and approves, the device polls for the token (RFC 8628). "
        "The token it gets can be pasted as a Token."
    ),
}

#: Every field of the settings form, in the order the form shows them.
FORM_FIELDS = (
    "issuer", "auth_url", "device_authorization_url", "token_url", "client_id", "client_secret", "redirect_uri",
    "scope", "audience", "resource", "client_auth", "client_key_file", "client_key_id", "client_assertion_alg",
    "tls_client_cert", "tls_client_key", "tls_ca_file", "pkce", "username", "password", "token", "webhook_url",
)
#: Form fields that are one key of ``WebhookAuthConfig.extra_params``, not an attribute.
EXTRA_PARAM_FIELDS = ("audience", "resource")
_OAUTH_FIELDS = frozenset({"issuer", "token_url", "client_id", "client_secret", "scope", *EXTRA_PARAM_FIELDS,
                           "client_auth", *_CLIENT_AUTH_ONLY, "webhook_url"})
_NO_SECRET_CLIENT_AUTH = frozenset(m for m in CLIENT_AUTH_METHODS if m not in SECRET_CLIENT_AUTH)
_FIELDS = {
    AuthType.BASIC: frozenset({"username", "password", "webhook_url"}),
    AuthType.TOKEN: frozenset({"token", "webhook_url"}),
    # The code grant adds the login: the authorize endpoint, the redirect back, PKCE.
    AuthType.OAUTH_CODE: _OAUTH_FIELDS | {"auth_url", "redirect_uri", "pkce"},
    AuthType.OAUTH_CLIENT_CREDENTIALS: _OAUTH_FIELDS,
    # The device grant adds where the device asks for its codes (RFC 8628 §3.1).
    AuthType.DEVICE: _OAUTH_FIELDS | {"device_authorization_url"},
}
_REQUIRED = {
    AuthType.BASIC: frozenset({"username", "password"}),
    AuthType.TOKEN: frozenset({"token"}),
    AuthType.OAUTH_CODE: frozenset({"auth_url", "token_url", "client_id", "redirect_uri"}),
    AuthType.OAUTH_CLIENT_CREDENTIALS: frozenset({"token_url", "client_id", "client_secret"}),
    AuthType.DEVICE: frozenset({"device_authorization_url", "token_url", "client_id"}),
}
#: What each field (and each setting ``problems()`` can name) is called where a person reads it.
FIELD_LABELS = {
    "issuer": "Issuer",
    "auth_url": "Auth URL",
    "device_authorization_url": "Device authorization URL",
    "token_url": "Token URL",
    "client_id": "Client ID",
    "client_secret": "Client Secret",
    "redirect_uri": "Redirect URI",
    "scope": "Scope",
    "audience": "Audience",
    "resource": "Resource",
    "client_auth": "Client authentication",
    "client_key_file": "Private key file",
    "client_key_id": "Key ID (kid)",
    "client_assertion_alg": "Assertion algorithm",
    "tls_client_cert": "Client certificate file",
    "tls_client_key": "Client certificate key file",
    "tls_ca_file": "Server CA file",
    "pkce": "PKCE",
    "username": "Username",
    "password": "Password",
    "token": "Token",
    "webhook_url": "Webhook URL",
    # settings without a field of their own
    "extra_params": "Extra parameters",
    "timeout": "Timeout",
    "verify_tls": "TLS verification",
    "require_iss": "Require iss (RFC 9207)",
    "auth_type": "Auth type",
}
_URL_FIELDS = ("issuer", "auth_url", "device_authorization_url", "token_url", "redirect_uri", "webhook_url")


@dataclass(repr=False)
class WebhookAuthConfig:
    """Settings for one webhook's authentication. Secrets never show in ``repr`` or ``str``.

    ``client_secret``, ``password`` and ``token`` take a ``str`` and hold it as a
    :class:`~widgets.core.secret.Secret` (masked in every repr, so in verbose tracebacks too);
    ``.reveal()`` gives the value, and ``==`` compares it with a ``str``.
    """

    auth_type: AuthType | str = AuthType.OAUTH_CLIENT_CREDENTIALS
    auth_url: str = ""
    token_url: str = ""
    client_id: str = ""
    client_secret: Secret | str = field(default="", metadata={"secret": True})
    redirect_uri: str = THOUSANDEYES_REDIRECT_URI
    scope: str | list[str] | tuple[str, ...] = ""
    extra_params: dict[str, str] = field(default_factory=dict)
    client_auth: str = "client_secret_basic"
    pkce: bool = True
    username: str = ""
    password: Secret | str = field(default="", metadata={"secret": True})
    token: Secret | str = field(default="", metadata={"secret": True})
    webhook_url: str = ""
    #: TLS certificate verification; exactly True or False. False is shown on every https row
    #: of the transcript and in :attr:`tls_warning`.
    verify_tls: bool = True
    timeout: float = 10.0
    #: The provider's issuer identifier, when known: enables the RFC 9207 ``iss`` check.
    issuer: str = ""
    #: The provider always sends ``iss`` with its answers (its metadata says
    #: ``authorization_response_iss_parameter_supported``): an answer without one is refused.
    require_iss: bool = False
    #: RFC 8628 §3.1: where the device grant asks for its device and user codes.
    device_authorization_url: str = ""
    #: private_key_jwt: the PEM file of the key that signs the client assertion (its path only:
    #: the key is read when an assertion is signed and kept nowhere else).
    client_key_file: str = ""
    #: private_key_jwt: the ``kid`` the provider registered the key under (optional).
    client_key_id: str = ""
    #: The JWS algorithm of the client assertion; "" lets the key decide (RS256, ES256 ... HS256).
    client_assertion_alg: str = ""
    #: mTLS (RFC 8705): the client certificate and its key, as PEM files.
    tls_client_cert: str = ""
    tls_client_key: str = ""
    #: A CA file (PEM) trusted for the provider's certificate, on top of nothing: verification stays on.
    tls_ca_file: str = ""

    def __post_init__(self) -> None:
        try:
            self.auth_type = AuthType.parse(self.auth_type)
        except ValueError:
            pass  # validate() reports it next to the field
        if isinstance(self.scope, (list, tuple, set)):
            self.scope = " ".join(str(s).strip() for s in self.scope if str(s).strip())
        self.scope = " ".join(str(self.scope or "").split())
        for name in _STRIPPED_FIELDS:
            value = getattr(self, name)
            setattr(self, name, "" if value is None else (reveal(value) if isinstance(value, Secret) else str(value)).strip())
        for name in SECRET_FIELDS:
            value = getattr(self, name)
            setattr(self, name, Secret.wrap(reveal(value) if isinstance(value, Secret) else
                                            ("" if value is None else str(value))))
        if isinstance(self.extra_params, Mapping):
            self.extra_params = {str(k).strip(): str(v) for k, v in self.extra_params.items() if str(k).strip()}
        elif not self.extra_params:
            self.extra_params = {}
        # anything else stays as given, and problems() says so

    # -- derived -----------------------------------------------------------------------
    @property
    def scopes(self) -> list[str]:
        return self.scope.split() if self.scope else []

    def replace(self, **changes) -> "WebhookAuthConfig":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    # -- checks ------------------------------------------------------------------------
    def problems(self) -> dict[str, list[str]]:
        """Every problem of the chosen type's settings (:attr:`AuthType.settings`), per field;
        empty when the config is usable. Attributes the type does not use are not looked at."""
        if not isinstance(self.auth_type, AuthType):
            return {"auth_type": [f"must be one of: {', '.join(t.label for t in AuthType)}"]}
        found = {}
        for name in self.auth_type.settings:
            if messages := self._problems_of(name):
                found[name] = messages
        return found

    def _problems_of(self, name: str) -> list[str]:
        kind, value = self.auth_type, getattr(self, name)
        if isinstance(value, Secret):
            value = value.reveal()  # checked here, never quoted: the messages below do not repeat it
        found = []
        required = kind.required
        if name in _CLIENT_AUTH_ONLY or name == "client_secret":
            if name not in kind.fields_for(self.client_auth):
                return []  # a field of another client-authentication method
            required = kind.required_for(self.client_auth)
        if name in required and not value:
            found.append("is required for " + (self.client_auth if name in _CLIENT_AUTH_ONLY else kind.label))
        if name in _TEXT_FIELDS and not _sendable(value):
            found.append(_UNSENDABLE)
        if name in _URL_FIELDS and value and (message := url_problem(value, endpoint=name != "redirect_uri")):
            found.append(message)
        if name == "username" and ":" in value:
            found.append("must not contain ':' (RFC 7617 cannot carry it)")
        elif name == "token" and any(ch.isspace() for ch in value):
            found.append("contains spaces or line breaks; paste the token alone, without 'Bearer '")
        elif name == "token" and value.lower().startswith("bearer"):
            found.append("paste the token alone; 'Bearer' is added for you")
        elif name == "client_auth" and value not in CLIENT_AUTH_METHODS:
            found.append(f"must be one of: {', '.join(CLIENT_AUTH_METHODS)}")
        elif name == "scope":
            found.extend(f"{s!r} is not a valid scope (no quotes, backslashes or control characters)"
                         for s in self.scopes if not _SCOPE_TOKEN.match(s))
        elif name == "extra_params":
            found.extend(_extra_params_problems(value))
        elif name in _FILE_FIELDS and value and not os.path.isfile(value):
            found.append("names no file here; give the path of a PEM file")
        elif name == "client_assertion_alg" and value and value not in ASSERTION_ALGORITHMS.get(self.client_auth, ()):
            found.append("must be one of: " + ", ".join(ASSERTION_ALGORITHMS.get(self.client_auth, ())))
        elif name == "tls_ca_file" and value and self.verify_tls is not True:
            found.append("is a CA to verify against, and TLS verification is off: turn it on (verify_tls=True)")
        elif name == "pkce" and not self.client_secret and not self.pkce and self.client_auth not in _NO_SECRET_CLIENT_AUTH:
            found.append("a client without a secret (public client) needs PKCE")
        elif name == "timeout":
            try:
                if not 0 < float(value) <= 300:
                    found.append("must be between 0 and 300 seconds")
            except (TypeError, ValueError, OverflowError):
                found.append("must be a number of seconds")
        elif name == "verify_tls" and not isinstance(value, bool):  # 0, "", None, "false": never silently
            found.append(_VERIFY_TLS_NOT_BOOL.format(type(value).__name__))
        elif name == "require_iss" and not isinstance(value, bool):
            found.append("must be True or False")
        elif name == "issuer" and not value and self.require_iss is True:
            found.append("is needed to check the iss the provider sends (require_iss is on, RFC 9207)")
        return found

    def validate(self) -> "WebhookAuthConfig":
        """Raise :class:`ConfigError` listing every problem; return ``self`` when there is none."""
        found = self.problems()
        if found:
            raise ConfigError(found)
        return self

    @property
    def tls_warning(self) -> str:
        """A sentence for the UI when TLS verification is off (``verify_tls=False``), else ""."""
        return TLS_OFF_WARNING if self.verify_tls is False else ""

    # -- display -----------------------------------------------------------------------
    def __repr__(self) -> str:
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                value = mask(value)
            elif f.name in _URL_FIELDS:
                value = redact_url(value)
            elif isinstance(value, AuthType):
                value = value.value
            elif f.name == "extra_params" and isinstance(value, Mapping):
                value = dict(redact_params(value))
            shown.append(f"{f.name}={value!r}")
        return f"WebhookAuthConfig({', '.join(shown)})"

    __str__ = __repr__


_WHITESPACE = re.compile(r"\s")
_VERIFY_TLS_NOT_BOOL = ("must be True or False, not a {}: a value such as 0, '' or 'false' would decide "
                        "certificate checking without saying so")
#: Shown wherever verification is off: the transcript's https rows and the UI.
TLS_OFF_WARNING = ("WARNING: TLS certificate verification is OFF (verify_tls=False): anyone on the network "
                   "path can read and change these requests, credentials included. Turn it back on for "
                   "real use; to trust a private CA, set REQUESTS_CA_BUNDLE instead.")
_STRIPPED_FIELDS = ("auth_url", "device_authorization_url", "token_url", "client_id", "redirect_uri", "webhook_url", "username",
                    "client_secret", "token", "issuer", "client_auth")
_FILE_FIELDS = ("client_key_file", "tls_client_cert", "tls_client_key", "tls_ca_file")
_STRIPPED_FIELDS = (*_STRIPPED_FIELDS, *_FILE_FIELDS, "client_key_id", "client_assertion_alg")
_TEXT_FIELDS = (*_STRIPPED_FIELDS, "scope", "password")  # a password keeps its spaces
# The value is not repeated: it may be a secret.
_UNSENDABLE = ("contains a character that cannot be sent (a lone UTF-16 surrogate, usually from a "
               "broken copy and paste); type or paste it again")


#: The attributes of :class:`WebhookAuthConfig` that hold secrets (its ``secret`` metadata).
SECRET_FIELDS = tuple(f.name for f in dataclasses.fields(WebhookAuthConfig) if f.metadata.get("secret"))


def _extra_params_problems(params: object) -> list[str]:
    if not isinstance(params, Mapping):
        return ["must be a mapping of parameter names to values, like {'audience': 'https://api'}"]
    found = []
    if not all(_sendable(k) and _sendable(v) for k, v in params.items()):
        found.append(_UNSENDABLE)
    found.extend(f"{key!r} is set by the flow itself; use the field for it instead"
                 for key in params if key in _RESERVED_PARAMS)
    return found


def _sendable(value: object) -> bool:
    """False for text that has no UTF-8 form, which every request would fail to encode."""
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def url_problem(url: str, *, endpoint: bool = True) -> str | None:
    """Why ``url`` cannot be used (absolute http(s); plain http only on loopback), or None.

    ``endpoint``: an authorization server endpoint, which must not carry a #fragment.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not host:
        return "must be an absolute http(s) URL, like https://login.example.com/oauth2/token"
    if _WHITESPACE.search(url):
        return "contains spaces"
    if (problem := reading_problem(url)) is not None:
        return problem
    if parts.username or parts.password:
        return "must not carry a username or password"
    if endpoint and parts.fragment:
        return "must not contain a #fragment (RFC 6749 §3.1)"
    # the host the connection will use decides, not urlsplit's reading of it
    if parts.scheme == "http" and not is_loopback_host(connection_target(url)[1]):
        return (
            "uses plain http: credentials would travel unencrypted. Use https "
            "(plain http is allowed only for 127.0.0.1 / localhost)"
        )
    return None
