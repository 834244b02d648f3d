"""Fixtures for the diagnostics tests (the demo providers come from tests/conftest.py)."""

from __future__ import annotations

# Old import path (``from tests.diagnose.conftest import cc_config``) until a later pass.
from tests.support.configs import cc_config, code_config  # noqa: F401
