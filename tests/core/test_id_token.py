"""The pure half of ID token validation (widgets.core.id_token) and the nonce of the code flow."""

from __future__ import annotations

import subprocess
import sys

from widgets.core.authorization_code import AuthorizationCodeFlow
from widgets.core.authorize import AuthorizationRequest
from widgets.core.config import WebhookAuthConfig
from widgets.core.id_token import at_hash_of


def test_at_hash_matches_the_example_of_openid_connect_core_appendix_a3():
    # OpenID Connect Core 1.0, A.3 (RS256): the access token and the at_hash of its ID token
    assert at_hash_of("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "RS256") == "77QmUPtjPfzWtF2AnpK9RQ"
    assert at_hash_of("x", "ES384") != at_hash_of("x", "ES256")
    assert at_hash_of("x", "none") is None


def test_openid_in_the_scope_puts_a_nonce_in_the_link_and_in_the_saved_request():
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url="https://as.example/authorize",
                               token_url="https://as.example/token", client_id="c", scope="openid profile")
    request = AuthorizationCodeFlow(config).begin()
    assert request.nonce and request.params["nonce"] == request.nonce and len(request.nonce) >= 32
    again = AuthorizationRequest.from_dict(request.to_dict())
    assert again.nonce == request.nonce
    older = {k: v for k, v in request.to_dict().items() if k != "nonce"}  # saved before nonces existed
    assert AuthorizationRequest.from_dict(older).nonce is None


def test_the_core_imports_no_jwt_even_for_id_tokens():
    code = ("import sys, widgets.core.id_token, widgets.core.authorization_code, widgets.core.device;"
            "print('jwt' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
