"""What the tests share that is not a fixture: loopback servers, canary secrets, helpers.

``servers`` (the scriptable provider and its ``Reply``, small servers' start and answers),
``canaries`` (secrets that must never show, and the forms they take), ``configs`` (settings for
a demo provider), ``urls`` (a query read or changed), ``demo``, ``ui``, ``cli``, ``browser``,
``connectors`` and ``reliability`` (the helpers of those suites), ``imports`` (what a fresh
interpreter loads), ``hostile`` (provider text that tries to become markup), ``tls`` (a TLS
token endpoint, a recording CONNECT proxy, names that resolve to 127.0.0.1), ``client_auth``,
``jwks``, ``prefix_proxy``. Fixtures stay in the ``conftest.py`` files and build on these
(tests/test_test_layout.py holds them to that).
"""
