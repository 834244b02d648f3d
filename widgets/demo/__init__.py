"""An OAuth 2.0 authorization server that runs inside the notebook, for teaching and tests.

    from widgets.demo import DemoProvider
    with DemoProvider(require_state=True) as provider:
        ...  # provider.auth_url, provider.token_url, provider.approve(url), ...
"""

from .provider import DemoProvider

__all__ = ["DemoProvider"]
