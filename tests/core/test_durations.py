"""widgets.core.durations.format_duration: the one way a duration is said."""

from __future__ import annotations

import math

import pytest

from widgets.core.durations import format_duration


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 s"),
    (0.9, "0 s"),  # counted down: never more time than there is
    (1, "1 s"),
    (59.99, "59 s"),
    (60, "1 min"),
    (61, "1 min 1 s"),
    (3599.5, "59 min 59 s"),
    (3600, "1 h"),
    (3 * 3600 + 5 * 60 + 59, "3 h 5 min"),  # two units at most
    (23 * 3600 + 59 * 60, "23 h 59 min"),
    (86400, "1 d"),
    (86400 + 59 * 60, "1 d"),  # the second unit is hours: 0 h is left out
    (3 * 86400 + 4 * 3600, "3 d 4 h"),
    (400 * 86400, "400 d"),
])
def test_durations_read_in_their_two_largest_units(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [
    (-1, "1 s ago"),
    (-90, "1 min 30 s ago"),
    (-180, "3 min ago"),
    (-2 * 86400 - 3600, "2 d 1 h ago"),
    (-0.4, "0 s ago"),
])
def test_a_negative_duration_is_in_the_past(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_what_is_no_duration_is_refused(value):
    with pytest.raises(ValueError):
        format_duration(value)


def test_the_name_inspection_exported_is_the_same_function():
    from widgets.diagnose.inspect_token import format_duration as from_inspection

    assert from_inspection is format_duration

