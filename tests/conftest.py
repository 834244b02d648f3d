"""Shared fixtures: the demo provider, a scriptable misbehaving provider, DEBUG log capture.

What they build on lives in :mod:`tests.support`.
"""

from __future__ import annotations

import logging
import os

import pytest

from tests.support.servers import ScriptedProvider

# A test must never be able to pass because oauthlib's https check was switched off globally.
os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)


@pytest.fixture
def scripted():
    """A :class:`~tests.support.servers.ScriptedProvider` on 127.0.0.1 for this test."""
    server = ScriptedProvider().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo():
    from widgets import DemoProvider

    with DemoProvider() as provider:
        yield provider


@pytest.fixture
def make_demo():
    """Start ``DemoProvider(**settings)``; every one started is stopped after the test."""
    from widgets import DemoProvider

    started = []

    def factory(**settings):
        provider = DemoProvider(**settings).start()
        started.append(provider)
        return provider

    yield factory
    for provider in started:
        provider.stop()
        # The demo answers an unexpected exception with a 500; none may have happened.
        assert not provider._internal_errors, provider._internal_errors


@pytest.fixture
def debug_logs():
    """Capture everything logged at DEBUG by any logger while the test runs."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)



@pytest.fixture(autouse=True)
def _short_secrets_stay_in_their_test():
    """Each test is one person's session: a one- to five-character secret a test's config knew
    (``client_secret="s"``) is masked wherever it stands alone for the rest of the process, which
    would turn every later test's lone "s" or "1" into ``****``. Long secrets are left
    remembered: they cannot turn up in another test's text by chance."""
    from widgets.core import redact

    saved = redact._short, redact._short_words
    yield
    redact._short, redact._short_words = saved
