"""The teaching notebooks: each runs headless top to bottom against the demo provider, and the
notebook nbclient saves afterwards holds no secret, not even in the widget state.

Each notebook is executed once (cached per module) with canary secrets in the environment
variables its demo setup reads; the run and the leak checks are separate tests on that one
execution, so a leak and an error are reported apart.
"""

from __future__ import annotations

import base64
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.canaries import forms_of, strings_in

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

#: Listed explicitly: a notebook that goes missing must fail a test, not shrink the suite.
EXPECTED = (
    "00-start-here",
    "01-client-credentials",
    "02-authorization-code-with-state",
    "03-basic-and-token",
    "04-troubleshooting",
    "05-results",
    "06-after-the-paste",
    "07-attack-lab",
    "08-beyond-the-webhook",
)

#: Distinctive values for the secrets the notebooks' demo providers read from the environment.
#: They contain characters whose encoded forms differ (space, '+', ':', '/', '%', '&', 'é').
CANARIES = {
    "WAL_DEMO_CLIENT_SECRET": "canary-client-SECRET +:%/é-5f1c9a7e",
    "WAL_DEMO_PASSWORD": "canary-login-PASSWORD &+é-8b2d4e60",
    "WAL_DEMO_WEBHOOK_PASSWORD": "canary-webhook-PASSWORD +:/é-3c7a1f92",
    # the ThousandEyes API token of the stand-in (notebook 06): a TE token is a bearer token
    "WAL_DEMO_TE_TOKEN": "canary-TE-API-TOKEN-6d0b2f84a1c9e7",
}

#: A complete JWT (the demo's access tokens are ES256 JWTs): header.payload.signature.
COMPLETE_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}")
#: An authorization code in a URL that was not masked ("code=****abcd" is fine).
UNMASKED_CODE = re.compile(r"[?&#]code=(?!\*{4})[A-Za-z0-9_~.%-]{8,}")

CELL_TIMEOUT = 120


def kernel_env() -> dict[str, str]:
    """The environment for the kernel: canaries set, `widgets` importable from this checkout.

    ``make test`` installs the project editable into .venv; PYTHONPATH also covers a checkout
    that is not installed. oauthlib's process-wide switches are removed so that no notebook can
    pass because the https check was off.
    """
    env = dict(os.environ)
    for name in ("OAUTHLIB_INSECURE_TRANSPORT", "OAUTHLIB_RELAX_TOKEN_SCOPE"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(CANARIES)
    return env


def use_this_interpreter_kernelspec(monkeypatch) -> None:
    """Look up the kernel spec in this interpreter's prefix first.

    The python3 spec says ``python``, which jupyter_client replaces with ``sys.executable``; a
    user-level spec of the same name could otherwise point at another interpreter.
    """
    prefix_path = str(Path(sys.prefix) / "share" / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, (prefix_path, os.environ.get("JUPYTER_PATH")))))


class Execution:
    def __init__(self, name: str, nb, saved: Path, error: BaseException | None, seconds: float):
        self.name, self.nb, self.saved, self.error, self.seconds = name, nb, saved, error, seconds


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """name -> Execution, each notebook run at most once per test module."""
    cache: dict[str, Execution] = {}
    out = tmp_path_factory.mktemp("executed-notebooks")
    monkeypatch = pytest.MonkeyPatch()
    use_this_interpreter_kernelspec(monkeypatch)

    def run(name: str) -> Execution:
        if name not in cache:
            source = NOTEBOOKS / f"{name}.ipynb"
            if not source.exists():
                pytest.fail(f"notebooks/{name}.ipynb is missing")
            nb = nbformat.read(source, as_version=4)
            client = nbclient.NotebookClient(
                nb,
                timeout=CELL_TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": str(NOTEBOOKS)}},
                # store_widget_state stays at its default (True), as a person's nbconvert run
                # would save it: that state is exactly where Password values leak.
            )
            started = time.monotonic()
            error = None
            try:
                client.execute(env=kernel_env())
            except Exception as exc:  # noqa: BLE001 - reported by the test that needs it
                error = exc
            saved = out / f"{name}.ipynb"
            nbformat.write(nb, saved)
            cache[name] = Execution(name, nb, saved, error, time.monotonic() - started)
        return cache[name]

    yield run
    monkeypatch.undo()


# --- the kernel ---------------------------------------------------------------------------


@pytest.mark.notebook
def test_python3_kernel_is_this_interpreter_and_imports_widgets(tmp_path, monkeypatch):
    use_this_interpreter_kernelspec(monkeypatch)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import sys, widgets\nprint(sys.executable)\nprint(widgets.__file__)"))
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute(env=kernel_env())
    executable, package = nb.cells[0].outputs[0]["text"].split()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(package).resolve().is_relative_to(ROOT)


# --- running --------------------------------------------------------------------------------


@pytest.mark.notebook
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom_against_the_demo_without_errors(executed, name):
    run = executed(name)
    errors = [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(run.nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert run.error is None and not errors, f"{name}: {run.error!r} {errors}"
    stderr = [
        out["text"]
        for cell in run.nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not [s for s in stderr if "Traceback" in s or "Warning" in s], stderr
    # Generous: the whole suite runs on two cores in CI, next to other tests.
    assert run.seconds < 90, f"{name} took {run.seconds:.1f}s"


# --- secrets ----------------------------------------------------------------------------------


def test_forms_of_a_secret_catch_it_inside_a_basic_header():
    secret = CANARIES["WAL_DEMO_WEBHOOK_PASSWORD"]
    for user in ("webhook", "a", "ab", "demo-client"):
        header = base64.b64encode(f"{user}:{secret}".encode()).decode()
        assert any(form in header for form in forms_of(secret)), user
    assert not any(form in base64.b64encode(b"webhook:other").decode() for form in forms_of(secret))


@pytest.mark.notebook
@pytest.mark.parametrize("name", EXPECTED)
def test_saved_notebook_holds_no_canary_secret_token_or_code(executed, name):
    run = executed(name)
    raw = run.saved.read_text(encoding="utf-8")
    text = raw + "\n" + "\n".join(strings_in(json.loads(raw)))
    for variable, canary in CANARIES.items():
        leaked = sorted(form for form in forms_of(canary) if form in text)
        assert not leaked, f"{name}: {variable} leaked into the saved notebook as {leaked}"
    jwt = COMPLETE_JWT.search(text)
    assert jwt is None, f"{name}: a complete JWT is in the saved notebook: {jwt.group(0)[:24]}…"
    code = UNMASKED_CODE.search(text)
    assert code is None, f"{name}: an authorization code is in the saved notebook: {code.group(0)[:12]}…"


class _Tables(html.parser.HTMLParser):
    """Every <table> of an HTML output as (header cells, body rows)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            head, body = self.tables[-1]
            if self._in_head and not head:
                head.extend(self._row)
            elif not self._in_head:
                body.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.mark.notebook
@pytest.mark.parametrize("name", EXPECTED)
def test_http_statuses_in_tables_read_as_integers(executed, name):
    """Never 200.0, 401.000000 or NaN: a status is an integer, or empty / <NA> when none came."""
    run = executed(name)
    bad = []
    for i, cell in enumerate(run.nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            markup = (out.get("data") or {}).get("text/html")
            if not markup:
                continue
            parser = _Tables()
            parser.feed("".join(markup) if isinstance(markup, list) else markup)
            for head, body in parser.tables:
                # a header row may start with an empty index cell the body rows also have
                for column in [j for j, h in enumerate(head) if h == "status"]:
                    offset = len(body[0]) - len(head) if body else 0
                    bad += [f"cell {i}: {row[column + offset]!r}" for row in body
                            if 0 <= column + offset < len(row)
                            and not re.fullmatch(r"\d{3}|<NA>|", row[column + offset])]
    assert not bad, f"{name}: statuses that are not integers: {bad[:5]}"


# --- the committed files -----------------------------------------------------------------------


def committed_notebooks() -> list[Path]:
    """Every notebook under notebooks/, except JupyterLab's (git-ignored) checkpoints."""
    return sorted(p for p in NOTEBOOKS.glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_every_expected_notebook_is_committed():
    present = {p.stem for p in committed_notebooks()}
    assert not [n for n in EXPECTED if n not in present], present


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs_counts_or_widget_state(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata, "metadata.widgets must be stripped (nbstripout)"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"
        assert "execution" not in cell.metadata, f"cell {i} has execution timing metadata"


def test_committed_notebooks_are_as_nbstripout_leaves_them():
    """So the optional pre-commit hook (.pre-commit-config.yaml) never rewrites them."""
    pytest.importorskip("nbstripout")
    paths = [str(p) for p in committed_notebooks()]
    done = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", *paths],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_follows_the_house_style(name):
    """Short code cells, each after a markdown cell; one marked real-provider cell near the top."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    cells = nb.cells
    assert cells[0].cell_type == "markdown"
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            lines = cell.source.strip().splitlines()
            assert 1 <= len(lines) <= 10, f"cell {i} has {len(lines)} lines"
            assert cells[i - 1].cell_type == "markdown", f"code cell {i} has no markdown before it"
    marked = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
              and "Point this notebook at a real provider: change only this cell" in c.source]
    assert len(marked) == 1 and marked[0] < 6, marked
    switch = cells[marked[0] + 1]
    assert switch.cell_type == "code" and switch.source.startswith("USE_DEMO = True")
    # Secrets of a real provider come from the environment (or a hidden prompt), never this cell.
    assert not re.search(r"\b(client_secret|password|token)\s*=", switch.source), switch.source
    code = "".join(c.source for c in cells if c.cell_type == "code")
    assert re.search(r'"WAL_(CLIENT_SECRET|WEBHOOK_PASSWORD)"', code), "real secrets come from the environment"
    last = cells[-1]
    assert last.cell_type == "code" and ".stop()" in last.source, "the last cell stops the demo provider"


# --- the real-provider switch ---------------------------------------------------------------


def latest_authorize_link(nb) -> str | None:
    """The href of the last "Open the login page" link a cell has shown so far."""
    found = None
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            markup = out.get("data", {}).get("text/html", "")
            for href in re.findall(r'<a href="([^"]+)"', markup if isinstance(markup, str) else "".join(markup)):
                found = html.unescape(href)
    return found


@pytest.mark.notebook
@pytest.mark.parametrize("name", EXPECTED)
def test_real_provider_switch_runs_against_a_provider_outside_the_kernel(name, tmp_path, monkeypatch):
    """``USE_DEMO = False`` with ``REAL`` filled in, as a person would, pointed at a provider the
    kernel did not start; secrets come from the environment, and the by-hand login is done here,
    pasted into the ``PASTED`` cell."""
    from widgets import ClientCredentialsFlow, DemoProvider, WebhookAuthConfig

    use_this_interpreter_kernelspec(monkeypatch)
    with DemoProvider() as outside:
        real = dict(auth_url=outside.auth_url, token_url=outside.token_url, client_id=outside.client_id,
                    redirect_uri=outside.callback_url, webhook_url=outside.webhook_url,
                    username=outside.webhook_username, scope="alerts:write", issuer=outside.issuer)
        token = ClientCredentialsFlow(WebhookAuthConfig(token_url=outside.token_url, client_id=outside.client_id,
                                                        client_secret=outside.client_secret, redirect_uri="")).fetch_token()
        env = {**kernel_env(), "WAL_CLIENT_SECRET": outside.client_secret,
               "WAL_WEBHOOK_PASSWORD": outside.webhook_password, "WAL_WEBHOOK_TOKEN": token.access_token}
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(NOTEBOOKS)}})
        pasted = 0
        with client.setup_kernel(env=env):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if cell.source.startswith("USE_DEMO = True"):
                    cell.source = cell.source.replace("USE_DEMO = True", "USE_DEMO = False", 1)
                    cell.source += f"\nREAL.update({{k: v for k, v in {real!r}.items() if k in REAL}})"
                elif cell.source.strip() == 'PASTED = ""':
                    link = latest_authorize_link(nb)
                    assert link and link.startswith(outside.auth_url), "no authorize link shown before PASTED"
                    cell.source = f"PASTED = {outside.approve(link)!r}"
                    pasted += 1
                client.execute_cell(cell, index)  # raises CellExecutionError on any error
                if "demo.approve_device" in cell.source:  # the person at the verification page
                    printed = "".join(out.get("text", "") for out in cell.outputs)
                    user_code = re.search(r"type the code (\S+) and approve", printed)
                    assert user_code, printed
                    outside.approve_device(user_code.group(1))
        if name in ("02-authorization-code-with-state", "04-troubleshooting", "06-after-the-paste",
                    "07-attack-lab"):
            assert pasted == 1
        grants = {r["grant_type"] for r in outside.token_requests if r["status"] == 200}
        expected = {"00-start-here": set(), "03-basic-and-token": {"client_credentials"},
                    "02-authorization-code-with-state": {"authorization_code", "refresh_token"},
                    "04-troubleshooting": {"authorization_code"},
                    "06-after-the-paste": {"authorization_code", "refresh_token", "client_credentials"},
                    "07-attack-lab": {"authorization_code"},
                    "08-beyond-the-webhook": {"authorization_code", "urn:ietf:params:oauth:grant-type:device_code"},
                    }.get(name, {"client_credentials"})
        assert grants >= expected, (name, outside.token_requests)
        if name in ("01-client-credentials", "02-authorization-code-with-state", "03-basic-and-token",
                    "04-troubleshooting"):
            assert any(d["accepted"] for d in outside.webhook_deliveries), outside.webhook_deliveries


@pytest.mark.parametrize("name", ["02-authorization-code-with-state", "05-results"])
def test_notebook_draws_its_own_session_as_a_mermaid_sequence_diagram(executed, name):
    """The diagram cell's output is a ```mermaid block (JupyterLab draws it) of this run's exchanges."""
    run = executed(name)
    assert run.error is None, run.error
    drawn = [o["data"]["text/markdown"] for c in run.nb.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    diagrams = [d for d in drawn if d.startswith("```mermaid\nsequenceDiagram\n")]
    assert len(diagrams) == 1, drawn
    assert "Lab->>H1: POST /token" in diagrams[0] and "-->>Lab: 200" in diagrams[0]
