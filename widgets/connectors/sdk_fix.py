"""The one place that works around the SDK's ``GenericConnectorAuth`` defect.

thousandeyes-sdk-connectors 6.0.0 generates ``GenericConnectorAuth`` as a ``oneOf`` without its
discriminator (``discriminator_value_class_map`` is empty), and its auth models allow extra
fields. So reading back a connector whose authentication is ``bearer-token``, ``other-token`` or
``oauth-auth-code`` raises ``ValueError: Multiple matches found`` (a bearer body also fits
``OtherTokenAuthentication``, and so on), or ``No match found`` when a secret is absent; and
``get_generic_connectors()`` fails when any one connector does. The OpenAPI document declares
``discriminator: propertyName: type``; this module does what that says.

How: the API calls go through ``*_without_preload_content`` (the raw urllib3 response, nothing
parsed), the JSON is read here, the auth model is picked by ``authentication.type`` and
validated alone, and the ``GenericConnector`` is built around it. Serialising is not affected:
``GenericConnectorAuth(actual_instance=model)`` validates by ``isinstance``, so the SDK sends
what we give it. :func:`sdk_parse` is the SDK's own parse, kept for the test that shows it fail.
"""

from __future__ import annotations

import json

from pydantic import ValidationError
from thousandeyes_sdk.connectors.models import (
    BasicAuthentication,
    BearerTokenAuthentication,
    GenericConnector,
    GenericConnectorAuth,
    OauthClientCredentialsAuthentication,
    OauthCodeAuthentication,
    OtherTokenAuthentication,
)

from ..core.redact import remember
from .errors import ConnectorShapeError

__all__ = ["AUTH_MODELS", "SECRET_MEMBERS", "read_json", "parse_auth", "parse_connector", "sdk_parse",
           "body_of", "auth_dict", "remember_secrets"]

#: ``authentication.type`` -> the model the spec's discriminator maps it to.
AUTH_MODELS = {
    "basic": BasicAuthentication,
    "bearer-token": BearerTokenAuthentication,
    "other-token": OtherTokenAuthentication,
    "oauth-auth-code": OauthCodeAuthentication,
    "oauth-client-credentials": OauthClientCredentialsAuthentication,
}
#: Members of ``authentication`` (API names) whose values are secrets.
SECRET_MEMBERS = frozenset({"password", "token", "refreshToken", "oauthClientSecret", "code"})


def read_json(raw: bytes | str, *, what: str = "the answer") -> object:
    """JSON of a raw response body; ConnectorShapeError when it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ConnectorShapeError(f"The ThousandEyes API sent {what} that is not JSON.") from None


def auth_dict(data: dict) -> dict:
    """The ``authentication`` member of a connector as a dict ({} when absent or malformed)."""
    auth = data.get("authentication") if isinstance(data, dict) else None
    return auth if isinstance(auth, dict) else {}


def remember_secrets(data: dict) -> None:
    """Put every secret of a connector into the by-value masking net."""
    auth = auth_dict(data)
    remember(*(auth.get(k) for k in SECRET_MEMBERS if isinstance(auth.get(k), str)))
    for header in data.get("headers") or ():
        if isinstance(header, dict) and isinstance(header.get("value"), str):
            remember(header["value"])


def _fields(exc: ValidationError) -> str:
    names = sorted({".".join(str(p) for p in err.get("loc", ())) for err in exc.errors(include_input=False)})
    return ", ".join(names) or "(unknown)"


def parse_auth(auth: dict) -> GenericConnectorAuth:
    """``GenericConnectorAuth`` for an ``authentication`` dict, its model chosen by ``type``."""
    kind = auth.get("type") if isinstance(auth, dict) else None
    model = AUTH_MODELS.get(kind)
    if model is None:
        raise ConnectorShapeError(f"The connector's authentication type {str(kind)[:40]!r} is not one this tool knows "
                                  f"({', '.join(AUTH_MODELS)}).")
    try:
        return GenericConnectorAuth(actual_instance=model.from_dict(auth))
    except ValidationError as exc:
        # Field names only: the values may be secrets.
        raise ConnectorShapeError(
            f"The connector's {kind} authentication lacks or garbles: {_fields(exc)}.",
            hint="The API did not return every field this type requires (it may leave secrets out of its "
                 "answers). A full replacement would erase what is missing, so nothing was written.",
        ) from None


def parse_connector(data: object) -> GenericConnector:
    """A ``GenericConnector`` from the API's JSON, the auth by its ``type`` (see the module docstring)."""
    if not isinstance(data, dict):
        raise ConnectorShapeError("The ThousandEyes API sent a connector that is not a JSON object.")
    remember_secrets(data)
    try:
        connector = GenericConnector.from_dict({**data, "authentication": None})
    except ValidationError as exc:
        raise ConnectorShapeError(f"The connector lacks or garbles: {_fields(exc)}.") from None
    auth = data.get("authentication")
    if auth is not None:
        connector.authentication = parse_auth(auth)
    return connector


def sdk_parse(data: object) -> GenericConnector:
    """The SDK's own parse (``GenericConnector.from_dict``), defect included: for tests and the notebook."""
    return GenericConnector.from_dict(data)


def body_of(connector: GenericConnector, api_client=None) -> dict:
    """The JSON body the SDK sends for ``connector``: ``ApiClient.sanitize_for_serialization``."""
    if api_client is None:
        from thousandeyes_sdk.core import ApiClient, Configuration

        api_client = ApiClient(Configuration(host="http://127.0.0.1/v7"))  # no request is made
    return api_client.sanitize_for_serialization(connector)
