"""The errors of the connectors layer, defined with every other in :mod:`widgets.core.errors`.

::

    ConnectorsError              1  base here
    ├── TeSettingsError          2  no TE API token, a bad host or aid
    ├── TeApiError               3  the TE API refused: 401, 403, 404, 429 after waiting, 5xx (.status)
    ├── ConnectorShapeError      3  a connector that cannot be read or safely rewritten
    ├── PushRefused              2  the change asked for does not apply to this connector
    ├── RefreshFailed            3  the provider refused the refresh token: log in again
    └── TokenStoreError          2  the refresh token store cannot be read or written

Messages never hold a secret: what comes from the API or a provider goes through
:func:`widgets.core.redact.scrub` first.
"""

from __future__ import annotations

from ..core.errors import (
    ConnectorsError,
    ConnectorShapeError,
    PushRefused,
    RefreshFailed,
    TeApiError,
    TeSettingsError,
    TokenStoreError,
)

__all__ = ["ConnectorsError", "TeSettingsError", "TeApiError", "ConnectorShapeError", "PushRefused",
           "RefreshFailed", "TokenStoreError"]
