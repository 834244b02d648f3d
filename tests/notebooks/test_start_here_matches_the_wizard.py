"""Notebook 00 describes the wizard it shows: as many steps, in that order, the same preselection."""

import re
from pathlib import Path

import nbformat

from widgets.ui.model import STEP_TITLES, STEPS, WizardModel

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "00-start-here.ipynb"
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def markdown() -> str:
    return "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")


def test_the_step_count_in_the_text_is_the_wizards():
    text = markdown().lower()
    said = set(re.findall(r"\b(two|three|four|five|six|seven|eight)[- ]steps?\b", text))
    assert said == {NUMBERS[len(STEPS)]}, said


def test_the_numbered_steps_are_the_wizards_in_order():
    cell = next(c for c in markdown().split("\n## ") if c.startswith("The wizard"))
    titles = re.findall(r"^\d+\. \*\*([^*]+?)\.?\*\*", cell, re.M)
    assert titles == [STEP_TITLES[name] for name in STEPS]


def test_the_preselected_auth_type_is_the_one_the_text_names():
    opened = WizardModel().auth_type.label
    text = " ".join(markdown().split())
    assert f"opens with **{opened}** chosen" in text
    assert "Start with **OAuth Code**" not in text
