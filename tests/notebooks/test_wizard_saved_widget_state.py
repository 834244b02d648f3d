"""A notebook that shows the wizard, types a redirect and reveals secrets: the .ipynb nbclient
saves (nbclient always saves widget state) holds none of them.

Run headless with nbclient against the demo provider with canary secrets. The revealed token
(Result step) and the revealed header (Run step, Basic and Token) go to the browser in custom
messages only (widgets/ui/reveal.py SecretView), so a notebook saved while they are revealed holds
the masked forms only; the toggles also turn themselves off (shortened to one second in the
first test), and the pasted address is cleared when the exchange starts.
"""

from __future__ import annotations

import json

import pytest

from tests.notebooks.test_notebooks import (CANARIES, CELL_TIMEOUT, COMPLETE_JWT, NOTEBOOKS, UNMASKED_CODE, kernel_env,
                                            use_this_interpreter_kernelspec)
from tests.support.canaries import forms_of, leaked_forms, strings_in

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    """import time
from tests.support.ui import one
from widgets import AuthType, DemoProvider, Wizard
from widgets.ui import reveal
reveal.REVEAL_SECONDS = 1.0  # the toggles' own timer, shortened for the test
demo = DemoProvider.from_env().start()""",
    """code = Wizard(provider=demo)
code.auth_type_step.select(AuthType.OAUTH_CODE); code.next()
one(code, "wal-fill-demo").click(); code.next()
one(code.run_step, "wal-build-link").click()
one(code.run_step, "wal-paste").value = demo.approve(code.run_step.authorize_url)  # typed by a person
code""",
    """one(code.run_step, "wal-exchange").click(); code.next()
got = []  # what the revealed view sends the browser (a custom message, not widget state)
code.result_step._revealed.send = got.append
one(code.result_step, "wal-reveal").value = True
print("token revealed:", got[-1]["values"][0] == code.token.access_token)""",
    """basic = Wizard(provider=demo)
basic.auth_type_step.select(AuthType.BASIC); basic.next()
one(basic, "wal-fill-demo").click(); basic.next()
shown = []  # what the header line sends the browser (a custom message, not widget state)
one(basic.run_step, "wal-auth-header").send = shown.append
one(basic.run_step, "wal-reveal").value = True
print("header revealed:", "****" not in shown[-1]["values"][0])
basic""",
    """time.sleep(2.5)
print("still revealed:", one(code.result_step, "wal-reveal").value, one(basic.run_step, "wal-reveal").value)""",
    "demo.stop()",
]


@pytest.mark.notebook
def test_a_saved_notebook_holds_no_typed_redirect_or_revealed_secret_in_its_widget_state(tmp_path, monkeypatch):
    use_this_interpreter_kernelspec(monkeypatch)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=kernel_env())  # store_widget_state: its default, True
    saved = tmp_path / "wizard.ipynb"
    nbformat.write(nb, saved)

    printed = "".join(out.get("text", "") for cell in nb.cells for out in cell.outputs)
    # The secrets were really shown: otherwise a clean state would prove nothing.
    assert "token revealed: True" in printed and "header revealed: True" in printed, printed

    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    raw = json.dumps(state, ensure_ascii=False)
    text = raw + "\n" + "\n".join(strings_in(state))
    for variable, canary in CANARIES.items():
        leaked = sorted(form for form in forms_of(canary) if form in text)
        assert not leaked, f"{variable} in the saved widget state as {leaked}"
    assert COMPLETE_JWT.search(text) is None, "a token is in the saved widget state"
    assert UNMASKED_CODE.search(text) is None, "the typed redirect's code is in the saved widget state"
    assert "still revealed: False False" in printed, printed  # hidden by themselves


#: The first cell of the reveal notebooks: a demo, and every custom message a widget sends to the
#: browser kept in ``sent`` (what Reveal sends must be there, and nowhere in the saved state).
CAPTURING_SENDS = """import json, os
import ipywidgets
from tests.support.ui import one, tree
from widgets import AuthType, DemoProvider, Wizard
demo = DemoProvider.from_env().start()
sent = []
_send = ipywidgets.Widget.send
def capture(self, content, buffers=None):
    sent.append(content)
    return _send(self, content, buffers)
ipywidgets.Widget.send = capture"""

REVEALED_AT_SAVE = [
    CAPTURING_SENDS,
    """wizard = Wizard(provider=demo)
wizard.auth_type_step.select(AuthType.OAUTH_CLIENT_CREDENTIALS); wizard.next()
one(wizard, "wal-fill-demo").click(); wizard.next()
one(wizard.run_step, "wal-get-token").click(); wizard.next()
result = wizard.result_step
one(result, "wal-reveal").value = True  # Reveal pressed; left on while the notebook is saved
wizard""",
    """secret = wizard.token.access_token
shown = json.dumps(sent) + json.dumps([w.get_state() for w in tree(result)], default=str)
print("token revealed:", secret in shown, one(result, "wal-reveal").value)
copy = one(result, "wal-copy")
print("copy holds it:", secret in json.dumps(sent) or secret in json.dumps(copy.get_state(), default=str))""",
    """print("still revealed at the save:", one(result, "wal-reveal").value)  # 30 s have not passed
demo.stop()""",
]


@pytest.mark.notebook
def test_a_notebook_saved_while_the_token_is_revealed_holds_no_token_in_its_widget_state(tmp_path, monkeypatch):
    use_this_interpreter_kernelspec(monkeypatch)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in REVEALED_AT_SAVE]
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=kernel_env())  # store_widget_state: its default, True; saved with the reveal on
    saved = tmp_path / "revealed.ipynb"
    nbformat.write(nb, saved)

    printed = "".join(out.get("text", "") for cell in nb.cells for out in cell.outputs)
    assert "token revealed: True True" in printed and "copy holds it: True" in printed, printed
    assert "still revealed at the save: True" in printed, printed
    state = json.loads(saved.read_text())["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    raw = json.dumps(state, ensure_ascii=False)
    text = raw + "\n" + "\n".join(strings_in(state))
    assert "****" in text  # the masked forms are there: the revealed views were saved
    for variable, canary in CANARIES.items():
        leaked = sorted(form for form in forms_of(canary) if form in text)
        assert not leaked, f"{variable} in the saved widget state as {leaked}"
    assert COMPLETE_JWT.search(text) is None, "the revealed token is in the saved widget state"


def test_the_pasted_address_syncs_on_enter_or_blur_not_on_every_keystroke():
    from tests.support.ui import one
    from widgets.ui import Wizard

    paste = one(Wizard(), "wal-paste")
    assert paste.continuous_update is False


#: The token a person types into Details (Token path): read from the kernel's environment, so that
#: the notebook's own cells never hold it and any trace of it in the saved file is a leak.
TYPED_TOKEN = "canary-typed-TOKEN.2e9c4a71b0~+/="  # a bearer token68: no space, no é

REVEALED_HEADER_AT_SAVE = [
    CAPTURING_SENDS,
    """token = Wizard(provider=demo)
token.auth_type_step.select(AuthType.TOKEN); token.next()
one(token, "wal-fill-demo").click()
token.details_step.field("token").value = os.environ["WAL_TEST_TYPED_TOKEN"]  # typed by a person
token.next()
one(token.run_step, "wal-reveal").value = True  # Reveal pressed; left on while the notebook is saved
token""",
    """basic = Wizard(provider=demo)
basic.auth_type_step.select(AuthType.BASIC); basic.next()
one(basic, "wal-fill-demo").click(); basic.next()
one(basic.run_step, "wal-reveal").value = True
basic""",
    """values = [v for m in sent if m.get("event") == "values" for v in m["values"]]
for wizard in (token, basic):
    full = "Authorization: " + wizard.model.authorization_header()
    print(wizard.model.auth_type.value, "header revealed:", full in values, wizard.run_step.header_text == full)""",
    """print("still revealed at the save:", one(token.run_step, "wal-reveal").value, one(basic.run_step, "wal-reveal").value)
demo.stop()""",
]


@pytest.mark.notebook
def test_a_notebook_saved_while_the_run_header_is_revealed_holds_no_password_or_token(tmp_path, monkeypatch):
    use_this_interpreter_kernelspec(monkeypatch)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in REVEALED_HEADER_AT_SAVE]
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    # store_widget_state: its default, True; saved with both reveals on (30 s have not passed)
    client.execute(env={**kernel_env(), "WAL_TEST_TYPED_TOKEN": TYPED_TOKEN})
    saved = tmp_path / "run-header-revealed.ipynb"
    nbformat.write(nb, saved)

    printed = "".join(out.get("text", "") for cell in nb.cells for out in cell.outputs)
    assert "still revealed at the save: True True" in printed, printed
    raw = saved.read_text(encoding="utf-8")
    text = raw + "\n" + "\n".join(strings_in(json.loads(raw)))
    # the whole file: the password alone or inside the Basic credential's Base64, the typed token,
    # percent-, HTML- or JSON-escaped
    for variable, canary in {**CANARIES, "WAL_TEST_TYPED_TOKEN": TYPED_TOKEN}.items():
        leaked = leaked_forms(canary, text)
        assert not leaked, f"{variable} in the saved notebook as {leaked}"
    state = json.dumps(json.loads(raw)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"])
    assert "Authorization: Bearer ****" in state and "Authorization: Basic ****" in state  # the masked headers
    # The headers really were revealed (sent to the browser), else a clean file would prove nothing.
    assert "token header revealed: True True" in printed and "basic header revealed: True True" in printed, printed
