"""Whatever lands in the settings form, checking it never crashes and never shows a secret."""

from __future__ import annotations

import dataclasses

from hypothesis import event, given
from hypothesis import strategies as st

from tests.reliability.strategies import HUGE_INTS, junk_text, printable
from tests.support.reliability import TALLY, check_canary, fuzz, only_package_errors
from widgets import AuthType, ConfigError, WebhookAuthConfig
from widgets.core.redact import SECRET_KEYS

SECRET_FIELDS = ("client_secret", "password", "token")
CANARY = "canary-CONFIG-SECRET-31415926"
_FIELDS = tuple(f.name for f in dataclasses.fields(WebhookAuthConfig))

_wrong_types = st.one_of(
    st.none(), st.booleans(), st.integers(), HUGE_INTS, st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20), st.lists(printable, max_size=3), st.dictionaries(printable, printable, max_size=2),
    st.tuples(printable), st.just(object()),
)
_urls = st.one_of(
    st.sampled_from([
        "https://login.example.com/oauth2/token", "http://127.0.0.1:8080/token", "http://localhost/t",
        "http://[::1]:9/t", "http://example.com/token", "https://h:99999/", "https://h:x/", "http://[::1/",
        "https://user:pw@h/", "https://h/t#frag", "ftp://h/", "https://", "//h/t", "https://h /t",
        "https://xn--n3h.example/", "https://☃.example/", "https://h/\x00", "http://0x7f.1/", "http://127.1/",
        "http://localhost./", "https://h/t?x=1", " https://h/t ", "HTTPS://H/T", "http://[::ffff:127.0.0.1]/",
    ]),
    st.builds(lambda s, h, p: s + h + p, st.sampled_from(["https://", "http://", ""]), printable, junk_text),
)
_text = st.one_of(junk_text, printable, st.builds(lambda t, n: (t or "x") * n, junk_text, st.integers(50, 400)))
_secret = st.sampled_from(["canary-CONFIG-SECRET-31415926", " canary-CONFIG-SECRET-31415926 ", "Bearer canary-CONFIG-SECRET-31415926"])
_auth_types = st.one_of(st.sampled_from(list(AuthType)), st.sampled_from(
    ["basic", "Token", "OAuth Code", "oauth-client-credentials", "OAUTH_CODE", " basic ", "bearer", ""]), junk_text)

_values = {
    "auth_type": _auth_types,
    "auth_url": _urls,
    "device_authorization_url": _urls,
    "token_url": _urls,
    "redirect_uri": _urls,
    "webhook_url": _urls,
    "issuer": _urls,
    "client_id": _text,
    "client_secret": _secret | _text,
    "username": _text,
    "password": _secret | _text,
    "token": _secret | _text,
    "scope": st.one_of(_text, st.lists(_text | _wrong_types, max_size=4), st.tuples(printable, printable)),
    "extra_params": st.one_of(
        st.dictionaries(st.sampled_from(["audience", "resource", "scope", "client_secret", "code", ""]) | _text,
                        _secret | _text, max_size=4),
        st.dictionaries(st.integers() | st.booleans() | st.none(), _wrong_types, max_size=2),
        st.lists(st.tuples(printable, printable), max_size=3),
    ),
    "client_auth": st.sampled_from(["client_secret_basic", "client_secret_post", "private_key_jwt", "", "BASIC"]) | _text,
    # the client-authentication methods' file paths and names (never read by problems() but for isfile)
    "client_key_file": _text,
    "client_key_id": _text,
    "client_assertion_alg": st.sampled_from(["", "RS256", "ES256", "HS256", "none"]) | _text,
    "tls_client_cert": _text,
    "tls_client_key": _text,
    "tls_ca_file": _text,
    "timeout": st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), HUGE_INTS,
                         st.sampled_from(["10", " 5 ", "abc", "", "1e400", "nan"])),
    "pkce": st.booleans(),
    "verify_tls": st.booleans() | _wrong_types,
    "require_iss": st.booleans() | _wrong_types,
}
assert set(_values) == set(_FIELDS), set(_FIELDS) ^ set(_values)

_VALID = {
    AuthType.BASIC: dict(username="user", password=CANARY, webhook_url="https://hooks.example/in"),
    AuthType.TOKEN: dict(token=CANARY, webhook_url="https://hooks.example/in"),
    AuthType.OAUTH_CODE: dict(auth_url="https://as.example/authorize", token_url="https://as.example/token",
                              client_id="client", client_secret=CANARY, scope="alerts:write",
                              issuer="https://as.example"),
    AuthType.OAUTH_CLIENT_CREDENTIALS: dict(token_url="http://127.0.0.1:9/token", client_id="client",
                                            client_secret=CANARY, extra_params={"audience": "api"}),
    AuthType.DEVICE: dict(device_authorization_url="https://as.example/device", token_url="https://as.example/token",
                          client_id="client", client_secret=CANARY, scope="alerts:read"),
}


@st.composite
def configs(draw) -> dict:
    """A valid config of one kind with up to three fields changed (reaches every check), or
    a handful of arbitrary fields on the defaults."""
    if draw(st.booleans()):
        kind = draw(st.sampled_from(list(AuthType)))
        fields = {"auth_type": draw(st.sampled_from([kind, kind.value, kind.label, kind.name])), **_VALID[kind]}
        changes = draw(st.lists(st.sampled_from(sorted(_values)), max_size=3, unique=True))
    else:
        fields = {}
        changes = draw(st.lists(st.sampled_from(sorted(_values)), min_size=1, max_size=8, unique=True))
    for name in changes:
        fields[name] = draw(_values[name] if draw(st.integers(0, 4)) else _wrong_types)
    return fields


@fuzz(1.0)
@given(fields=configs())
def test_problems_never_raises_and_repr_never_shows_a_secret(fields):
    TALLY.case("WebhookAuthConfig(...).problems()")
    config, error = only_package_errors(WebhookAuthConfig, **fields)
    if config is None:
        event("known core bug" if error is None else "refused by the constructor")
        assert error is None or isinstance(error, ConfigError)
        return
    found, error = only_package_errors(config.problems)
    assert error is None, f"problems() raised {error!r}"
    if found is None:  # known core bug
        event("known core bug")
        return
    event("usable" if not found else "problems")
    assert isinstance(found, dict)
    assert set(found) <= set(_FIELDS), set(found) - set(_FIELDS)
    assert all(isinstance(m, str) and m for msgs in found.values() for m in msgs)
    validated, error = only_package_errors(config.validate)
    assert (error is None) == (not found)
    if error is not None:
        assert isinstance(error, ConfigError) and error.problems == found
    # The canary must show nowhere, unless it was also typed into a field that is not secret.
    extra = config.extra_params if isinstance(config.extra_params, dict) else {}
    in_secret_place = any(CANARY in str(getattr(config, name, "")) for name in SECRET_FIELDS) or any(
        CANARY in str(v) for k, v in extra.items() if str(k).lower() in SECRET_KEYS)
    in_open_place = any(CANARY in str(getattr(config, name, "")) for name in _FIELDS
                        if name not in SECRET_FIELDS and name != "extra_params") or any(
        CANARY in str(k) or (CANARY in str(v) and str(k).lower() not in SECRET_KEYS) for k, v in extra.items())
    if in_secret_place and not in_open_place:
        check_canary(repr(config) + str(config) + (str(error) if error else ""), CANARY, "repr or ConfigError of a config")
