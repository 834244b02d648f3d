"""After the paste: ThousandEyes generic connectors through the official SDK.

A layer above :mod:`widgets.core` and :mod:`widgets.diagnose` (it may import them, the TE SDK,
pandas, keyring and tqdm; never ipywidgets, and the core never imports it):

* :mod:`.client`      the SDK set up: API token from the environment or a file, host, aid, 429s
* :mod:`.sdk_fix`     the one workaround of the SDK's ``GenericConnectorAuth`` defect
* :mod:`.audit`       every connector's token: expiry, time left, does the token endpoint accept the client
* :mod:`.push`        a fresh token into a connector: read, change one field, write (dry run by default)
* :mod:`.keep`        refresh before expiry and push; :mod:`.token_store` holds the refresh token
* :mod:`.errors`      this layer's errors, each with a hint and an exit code
"""

from .audit import AuditReport, AuditRow, audit
from .client import TE_DEFAULT_HOST, TeClient, connect, read_te_token
from .errors import (
    ConnectorsError,
    ConnectorShapeError,
    PushRefused,
    RefreshFailed,
    TeApiError,
    TeSettingsError,
    TokenStoreError,
)
from .keep import KeepResult, KeepSettings, keep_loop, keep_once
from .push import PushPlan, apply_push, plan_push, push
from .token_store import RefreshTokenStore

__all__ = [
    "TE_DEFAULT_HOST", "TeClient", "connect", "read_te_token",
    "audit", "AuditReport", "AuditRow",
    "push", "plan_push", "apply_push", "PushPlan",
    "keep_once", "keep_loop", "KeepSettings", "KeepResult", "RefreshTokenStore",
    "ConnectorsError", "TeSettingsError", "TeApiError", "ConnectorShapeError", "PushRefused", "RefreshFailed",
    "TokenStoreError",
]
