"""widgets.ui.text: how the wizard says the model's state, as pure functions (no widgets)."""

from __future__ import annotations


import pytest

from tests.support.imports import loaded_by
from widgets import Token
from widgets.core.durations import format_duration
from widgets.diagnose.inspect_token import inspect_token
from widgets.ui.text import claim_rows, expiry_text, secret_hint


def test_text_module_imports_neither_ipywidgets_nor_pandas():
    assert loaded_by(["widgets.ui.text"], ("ipywidgets", "pandas")) == []


def test_the_package_still_exports_the_text_helpers_it_exported():
    import widgets.ui

    assert widgets.ui.expiry_text is expiry_text and widgets.ui.secret_hint is secret_hint


def test_secret_hint_shows_at_most_the_last_four_characters_of_long_secrets_only():
    assert secret_hint("") == ""
    assert secret_hint("short-secret") == "secret stored"
    assert secret_hint("0123456789abcdef") == "secret stored (ends …cdef)"
    assert "0123" not in secret_hint("0123456789abcdef")


@pytest.mark.parametrize(("left", "expected"), [
    (3599.5, "expires in 59 min 59 s (at 01:16 UTC)"),
    (42, "expires in 42 s"),
    (3 * 3600 + 5 * 60, "expires in 3 h 5 min"),
    (3 * 86400, "expires in 3 d"),
    (-180, "expired 3 min ago"),
])
def test_expiry_text_counts_down_from_the_given_now(left, expected):
    now = 1000.0
    token = Token(access_token="a" * 20, expires_at=now + left)
    text = expiry_text(token, now=now)
    assert text.split(" (at ")[0] == expected.split(" (at ")[0]
    if left == 3599.5:
        assert text == expected  # 1000 + 3599.5 s after the epoch is 01:16 UTC


def test_expiry_text_says_when_the_lifetime_is_unknown():
    assert "unknown" in expiry_text(Token(access_token="a" * 20))
    assert expiry_text(None) == ""


@pytest.mark.parametrize("left", [3598.4, 42, 7500, -95, 2 * 86400 + 3 * 3600 + 59])
def test_the_wizard_and_inspection_say_the_same_time_left(left):
    # The same token, the same moment: one formatter, so one text.
    now = 1_800_000_000.0
    token = Token(access_token="opaque-token-for-the-duration-test", expires_at=now + left)
    inspection = inspect_token(token, now=now)
    wizard = expiry_text(token, now=now).split(" (at ")[0]
    assert wizard == ("expires in " if left > 0 else "") + inspection.time_left_text
    assert format_duration(left) in wizard


def test_claim_rows_show_time_claims_as_utc_dates():
    rows = dict(claim_rows({"sub": "demo", "exp": 0, "aud": ["a", "b"]}))
    assert rows["sub"] == "demo"
    assert rows["exp"].startswith("0") and "1970-01-01 00:00:00 UTC" in rows["exp"]
    assert rows["aud"] == '["a", "b"]'
