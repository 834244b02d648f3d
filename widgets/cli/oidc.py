"""OpenID Connect for the code-flow commands: an ID token validator when ``openid`` is asked for,
and its checks as a small table (OIDC Core §3.1.3.7)."""

from __future__ import annotations

from ..core.config import WebhookAuthConfig
from ..core.transcript import Transcript

__all__ = ["id_token_validator", "id_token_text"]


def id_token_validator(config: WebhookAuthConfig, transcript: Transcript):
    """The JWKS-checking validator of :mod:`widgets.diagnose.id_token` for an ``openid`` scope, else None."""
    if "openid" not in config.scopes:
        return None
    from ..diagnose.id_token import IdTokenValidator

    return IdTokenValidator.for_config(config, transcript) if config.issuer else None


def id_token_text(result) -> str:
    """``result.rows()`` as aligned lines under a heading."""
    rows = result.rows()
    width = max(len(check) for check, _, _ in rows)
    lines = [f"  {check:<{width}}  {word:<11}  {detail}" for check, word, detail in rows]
    return "ID token, claim by claim (OpenID Connect Core §3.1.3.7):\n" + "\n".join(lines)
