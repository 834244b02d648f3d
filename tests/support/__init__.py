"""What the tests share that is not a fixture: loopback servers, canary secrets, helpers.

``servers`` (the scriptable provider and its ``Reply``), ``canaries`` (secrets that must never
show), ``configs`` (settings for a demo provider), ``demo``, ``ui`` and ``reliability`` (the
helpers of those suites), ``hostile`` (provider text that tries to become markup), ``tls`` (a
TLS token endpoint, a recording CONNECT proxy, names that resolve to 127.0.0.1). Fixtures stay
in the ``conftest.py`` files and build on these.
"""
