"""Notebook 06 keeps every token it handled out of the saved notebook, refresh tokens included.

The demo's refresh tokens are random, so no canary can stand for them: a hidden cell, run in
the kernel before the notebook's own and never saved, records every access and refresh token the
demo provider mints; after the run those exact values are looked for in the saved notebook,
widget state included, next to the stand-in's TE API token.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.notebooks.test_notebooks import CELL_TIMEOUT, NOTEBOOKS, forms_of, kernel_env, strings_in
from tests.notebooks.test_notebooks import use_this_interpreter_kernelspec

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

RECORD = """\
import widgets.demo.validator as _v
_MINTED = []
_mint_refresh, _mint_access = _v.DemoValidator.mint_refresh_token, _v.DemoValidator.mint_access_token
_v.DemoValidator.mint_refresh_token = staticmethod(lambda r: _MINTED.append(_mint_refresh(r)) or _MINTED[-1])
_v.DemoValidator.mint_access_token = lambda self, r: _MINTED.append(_mint_access(self, r)) or _MINTED[-1]
"""
REPORT = "import json; print(json.dumps(_MINTED))"


@pytest.mark.notebook
def test_no_access_or_refresh_token_the_demo_minted_and_no_te_token_is_in_the_saved_notebook(monkeypatch, tmp_path):
    use_this_interpreter_kernelspec(monkeypatch)
    nb = nbformat.read(NOTEBOOKS / "06-after-the-paste.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    env = kernel_env()
    hidden, report = nbformat.v4.new_code_cell(RECORD), nbformat.v4.new_code_cell(REPORT)
    nb.cells = [hidden, *nb.cells, report]  # nbclient writes each cell back at its index
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        client.set_widgets_metadata()
    nb.cells = nb.cells[1:-1]  # the recording cells are not part of the saved notebook
    minted = json.loads(report.outputs[0]["text"])
    assert len(minted) >= 6, minted and "the notebook minted fewer tokens than it should"
    saved = tmp_path / "06.ipynb"
    nbformat.write(nb, saved)
    raw = saved.read_text(encoding="utf-8")
    text = raw + "\n" + "\n".join(strings_in(json.loads(raw)))
    for token in minted:
        assert token not in text, f"a token the demo minted (ending {token[-4:]}) is in the saved notebook"
    te_token = env["WAL_DEMO_TE_TOKEN"]
    assert not [f for f in forms_of(te_token) if f in text], "the TE API token leaked"
