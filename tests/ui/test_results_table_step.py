"""Step 5: the transcript as a compact table, one exchange as raw HTTP, a sequence diagram, and
downloads that hold no secret."""

from __future__ import annotations

import csv
import io
import json
import re
import time

from tests.support.canaries import CANARY_PASSWORD, CANARY_SECRET
from tests.support.ui import one, run_code_flow, tree
from widgets import AuthType, Transcript
from widgets.ui import Wizard
from widgets.ui.steps.results_table import TABLE_COLUMNS, table_rows


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


def data_of(step) -> list[list]:
    return json.loads(step.table._dt_args["data_json"])


def test_one_compact_row_per_exchange_browser_legs_shown_as_such(make_wizard, canary_demo):
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    step = wizard.results_table_step
    rows = data_of(step)
    assert len(rows) == len(wizard.transcript) == len(step.dataframe())
    assert len(rows[0]) == len(TABLE_COLUMNS) == 6
    by_step = {(r[2], r[3], r[4]) for r in rows}
    assert ("authorization code: authorize link", "browser", "—") in by_step
    assert ("authorization code: pasted redirect", "browser", "—") in by_step
    statuses = [r[4] for r in rows if r[3] != "browser"]
    assert "200" in statuses and all(re.fullmatch(r"\d{3}|no answer", s) for s in statuses)  # never 200.0 / NaN
    outcomes = {r[5] for r in rows}
    assert "✓ ok" in outcomes and "✗ refused" in outcomes
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))


def test_selecting_a_row_shows_that_exchange_whole_as_raw_http(make_wizard, canary_demo):
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    step = wizard.results_table_step
    assert "Select a row" in step.raw_http_html
    number = next(i for i, e in enumerate(wizard.transcript, 1) if e.step == "authorization code: exchange")
    step.select(number)
    raw = step.raw_http_html
    assert f"Exchange {number}" in raw
    assert "POST /token HTTP/1.1" in raw and "grant_type=authorization_code" in raw
    assert re.search(r"HTTP/1\.1 200 OK\n", raw) and "Content-Type: application/json" in raw
    assert "access_token&quot;: &quot;****" in raw  # the body, masked and escaped
    step.select(1)
    assert "In the person&#x27;s browser" in step.raw_http_html and "To open there (GET): " in step.raw_http_html
    secrets = [CANARY_SECRET, wizard.token.access_token, wizard.token.refresh_token]
    for secret in secrets:
        assert secret not in raw


def test_cells_are_escaped_so_provider_text_cannot_become_markup():
    transcript = Transcript()
    transcript.record("x <script>alert(1)</script>", note="<img src=x onerror=alert(2)>", outcome="warning",
                      method="GET", url="https://x.example/", status=500, status_text="<b>bad</b>")
    wizard = Wizard(transcript=transcript)
    try:
        wizard.go_to("results_table")
        step = wizard.results_table_step
        data = step.table._dt_args["data_json"]
        assert "<script>" not in data and "&lt;script&gt;" in data
        step.select(1)
        assert "<img" not in step.raw_http_html and "&lt;img" in step.raw_http_html
        assert "<b>bad" not in step.raw_http_html
        diagram = step._diagram.outputs[0]["data"]["text/markdown"]
        assert "<script>" not in diagram and "#lt;script#gt;" in diagram
    finally:
        wizard.close()


def test_an_empty_transcript_says_so():
    wizard = Wizard()
    try:
        wizard.go_to("results_table")
        assert "No exchanges yet" in wizard.results_table_step.table_html
        assert wizard.results_table_step.table is None
    finally:
        wizard.close()


def test_refresh_picks_up_new_exchanges(make_wizard, canary_demo):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS)
    wizard.go_to("results_table")
    step = wizard.results_table_step
    before = len(data_of(step)) if step.table is not None else 0
    wizard.transcript.record("added later", method="GET", url="https://x.example/", status=204)
    one(wizard, "wal-refresh").click()
    assert len(data_of(step)) == before + 1
    assert "added later" in step._diagram.outputs[0]["data"]["text/markdown"]


def test_the_sequence_diagram_is_mermaid_markdown_for_jupyterlab(make_wizard, canary_demo):
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    (output,) = one(wizard, "wal-sequence-diagram").outputs
    text = output["data"]["text/markdown"]
    assert text.startswith("```mermaid\nsequenceDiagram\n") and text.endswith("```\n")
    assert "Person->>H1: GET /authorize" in text and "Lab->>H1: POST /webhook" in text


def test_downloads_are_made_at_the_click_and_hold_no_secret(make_wizard, canary_demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wizard = session_with_a_refusal(make_wizard, canary_demo)
    step = wizard.results_table_step
    sent = {kind: one(step, f"wal-export-{kind}").click() for kind in ("csv", "html", "har")}
    assert list(tmp_path.iterdir()) == []  # nothing written where the notebook runs
    assert re.fullmatch(r"webhook-oauth-lab-transcript-\d{8}-\d{6}\.csv", sent["csv"].filename)
    assert sent["html"].filename.endswith(".html") and sent["har"].filename.endswith(".har")
    assert sent["har"].filename in step.message and step.message_kind == "ok"
    assert len(list(csv.DictReader(io.StringIO(sent["csv"].text)))) == len(wizard.transcript)
    har = json.loads(sent["har"].text)
    assert har["log"]["version"] == "1.2"
    assert len(har["log"]["entries"]) == sum(1 for e in wizard.transcript if e.kind == "http")
    secrets = [CANARY_SECRET, CANARY_PASSWORD, wizard.token.access_token, wizard.token.refresh_token]
    for download in sent.values():
        for secret in secrets:
            assert secret not in download.text
        # the file travels in a message, never as widget state a notebook could save
    for widget in tree(step):
        assert sent["har"].text not in json.dumps(widget.get_state(), default=str)


def widgets_made_by_showing(transcript: Transcript) -> tuple[int, Wizard]:
    from ipywidgets.widgets.widget import _instances

    before = len(_instances)
    wizard = Wizard(transcript=transcript)
    wizard.go_to("results_table")
    return len(_instances) - before, wizard


def many(n: int) -> Transcript:
    transcript = Transcript()
    for i in range(n):
        transcript.record(f"call {i}", method="POST", url="https://idp.example/token", status=200,
                          response_type="application/json", response_body=b'{"token_type":"Bearer"}')
    return transcript


def test_ten_thousand_exchanges_make_as_many_widgets_as_one():
    small, small_wizard = widgets_made_by_showing(many(1))
    small_wizard.close()
    started = time.perf_counter()
    made, wizard = widgets_made_by_showing(many(10_000))
    print(f"\n10,000 exchanges: wizard and results step built in {time.perf_counter() - started:.2f} s")
    try:
        step = wizard.results_table_step
        assert made == small  # one table widget, whatever the number of rows
        assert len(data_of(step)) == 10_000
        assert step.table._dt_args["pageLength"] == 10  # the browser shows one page at a time
        step.select(10_000)
        assert "Exchange 10000" in step.raw_http_html
        diagram = step._diagram.outputs[0]["data"]["text/markdown"]
        assert "earlier exchanges not drawn" in diagram and diagram.count("\n") < 200
    finally:
        wizard.close()


def test_table_rows_of_an_unanswered_request():
    transcript = Transcript()
    transcript.record("token", method="POST", url="http://127.0.0.1:9/token", outcome="error")
    assert table_rows(transcript)["status"] == ["no answer"]
