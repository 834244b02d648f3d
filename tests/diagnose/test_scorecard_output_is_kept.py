"""The scorecard says, word for word, what it said when ``scorecard_expected.json`` was written:
rows, verdicts, evidence, order, the logins it asks for, the exchanges it records, and the output
of ``python -m widgets scorecard --demo`` (see :mod:`tests.diagnose.scorecard_cases`)."""

from __future__ import annotations

import json

import pytest

from .scorecard_cases import CASES, EXPECTED

_EXPECTED = json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_every_case_has_its_expected_output():
    assert sorted(_EXPECTED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_card_says_what_it_said(name):
    got = CASES[name]()
    expected = _EXPECTED[name]
    for part in expected:  # part by part, so a failure names the part that changed
        assert got[part] == expected[part], f"{name}: {part}"
    assert got == expected


def test_every_check_runs_in_exactly_one_group_and_the_groups_keep_the_order_of_the_logins():
    from widgets.diagnose.scorecard import _GROUPS, check_keys

    keys = [key for group in _GROUPS for key in group.checks]
    assert sorted(keys) == sorted(check_keys())
    assert [group.checks[0] for group in _GROUPS] == [
        "redirect_path", "redirect_query", "redirect_port", "state_required", "pkce_required", "plain_refused",
        "downgrade_refused", "iss_returned", "refresh_rotation", "code_single_use"]
