"""RFC 6749 §4.4 — https://www.rfc-editor.org/rfc/rfc6749#section-4.4

The client credentials grant: a client ID and secret for a token, no user.
"""

from __future__ import annotations

from oauthlib.oauth2 import BackendApplicationClient

from .config import AuthType, WebhookAuthConfig
from .redact import redact_url
from .token import Token
from .token_endpoint import AssertionSigner, TokenEndpoint
from .transcript import Transcript

__all__ = ["ClientCredentialsFlow"]


class ClientCredentialsFlow:
    """Fetch a token with the client credentials grant.

    ``scope``, ``extra_params`` (``audience``, ``resource`` ...) and ``client_auth``
    (``client_secret_basic``, ``client_secret_post``, the ``*_jwt`` methods, mTLS) come from the
    config; ``client_assertion`` signs the assertion of the ``*_jwt`` methods (see
    :mod:`widgets.core.token_endpoint`). Every request is recorded in ``transcript`` (a new one
    when not given), masked.
    """

    def __init__(self, config: WebhookAuthConfig, transcript: Transcript | None = None, *,
                 client_assertion: AssertionSigner | None = None):
        config = config.replace(auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS)
        config.validate()
        self.config = config
        client = BackendApplicationClient(client_id=config.client_id, scope=config.scopes or None)
        self._endpoint = TokenEndpoint(config, transcript, client, send_redirect_uri=False,
                                       client_assertion=client_assertion)
        self.token: Token | None = None

    @property
    def transcript(self) -> Transcript:
        return self._endpoint.transcript

    def fetch_token(self) -> Token:
        """Request a token; raises TokenEndpointError or TransportError with a hint."""
        self.token = self._endpoint.request_token("client credentials: token")
        return self.token

    def __repr__(self) -> str:
        return f"ClientCredentialsFlow({redact_url(self.config.token_url)!r}, client_id={self.config.client_id!r})"
