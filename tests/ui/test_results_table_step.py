"""Step 5: the transcript as a coloured table, and exports that hold no secret."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET
from tests.support.ui import one, run_code_flow
from widgets import AuthType, Transcript
from widgets.ui import Wizard
from widgets.ui.markup import COLOURS
from widgets.ui.steps.results_table import row_colour


def body_rows(table_html: str) -> list[str]:
    if "<tbody>" not in table_html:
        return []
    body = table_html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def session_with_a_refusal(make_wizard, provider) -> Wizard:
    """Demo fill, a code flow, a tampered paste, a test delivery: ok, refused and more rows."""
    wizard = make_wizard(AuthType.OAUTH_CODE)
    wizard.next()
    run = wizard.run_step
    run_code_flow(wizard, provider)
    one(run, "wal-build-link").click()
    one(run, "wal-paste").value = provider.approve(run.authorize_url).replace("state=", "state=x")
    one(run, "wal-exchange").click()
    assert run.message_kind == "error"
    wizard.next()
    one(wizard.result_step, "wal-send-webhook").click()
    wizard.next()
    assert wizard.step == "results_table"
    return wizard


def test_one_row_per_exchange_coloured_by_outcome(make_wizard, canary_demo):
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    table = one(wizard, "wal-results-table").value
    rows = body_rows(table)
    assert len(rows) == len(wizard.transcript) == len(wizard.results_table_step.dataframe())
    outcomes = [e.outcome for e in wizard.transcript]
    assert "refused" in outcomes and "ok" in outcomes
    assert 'class="dataframe' in table
    assert COLOURS["ok"][1] in table and COLOURS["error"][1] in table
    assert "200.0" not in table  # statuses shown as integers


def test_row_colours_follow_outcome_then_status():
    assert row_colour("ok", 200) == COLOURS["ok"][1]
    assert row_colour("ok", 401) == COLOURS["error"][1]
    assert row_colour("warning", 200) == COLOURS["warning"][1]
    assert row_colour("refused", None) == row_colour("error", 500) == COLOURS["error"][1]


def test_cells_are_escaped_so_provider_text_cannot_become_markup():
    transcript = Transcript()
    transcript.record("x <script>alert(1)</script>", note="<img src=x onerror=alert(2)>", outcome="warning")
    wizard = Wizard(transcript=transcript)
    try:
        wizard.go_to("results_table")
        table = one(wizard, "wal-results-table").value
        assert "<script>" not in table and "<img" not in table
        assert "&lt;script&gt;" in table and "&lt;img" in table
        assert COLOURS["warning"][1] in table
    finally:
        wizard.close()


def test_an_empty_transcript_says_so():
    wizard = Wizard()
    try:
        wizard.go_to("results_table")
        assert "No exchanges yet" in wizard.results_table_step.table_html
    finally:
        wizard.close()


def test_refresh_picks_up_new_exchanges(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS)
    wizard.go_to("results_table")
    before = len(body_rows(wizard.results_table_step.table_html))
    wizard.transcript.record("added later", method="GET", url="https://x.example/", status=204)
    one(wizard, "wal-refresh").click()
    assert len(body_rows(wizard.results_table_step.table_html)) == before + 1


def test_exports_land_in_the_current_directory_and_hold_no_secret(make_wizard, canary_demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    step = wizard.results_table_step
    one(step, "wal-export-csv").click()
    one(step, "wal-export-html").click()
    csv_path, html_path = (Path(p) for p in step.exports)
    assert csv_path.parent == tmp_path and html_path.parent == tmp_path
    assert re.fullmatch(r"webhook-oauth-lab-transcript-\d{8}-\d{6}(-\d+)?\.csv", csv_path.name)
    assert html_path.suffix == ".html"
    assert str(html_path) in step.message and step.message_kind == "ok"
    csv_text = csv_path.read_text(encoding="utf-8")
    html_text = html_path.read_text(encoding="utf-8")
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == len(wizard.transcript)
    secrets = [CANARY_SECRET, CANARY_PASSWORD, wizard.token.access_token, wizard.token.refresh_token]
    for text in (csv_text, html_text):
        for secret in secrets:
            assert secret not in text
