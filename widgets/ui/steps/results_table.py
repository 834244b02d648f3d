"""Step 5: every exchange of the session, readable: a compact table, the selected exchange as
raw HTTP, a sequence diagram, and downloads (CSV, HTML, HAR). The transcript is masked when
recorded, so everything here and in the files is too.

The table is itables' ``ITable`` widget (DataTables in the page): one widget however many
rows, paged in the browser (10 rows a page), searchable and sortable, its cells escaped by
itables. The diagram is a Markdown ```mermaid block in an ``Output``, which JupyterLab 4 draws
(Voilà shows the block's text).
"""

from __future__ import annotations

import json
import time

import ipywidgets as ipw

from ...core.sequence import mermaid_markdown
from ...core.transcript import Exchange, Transcript
from ..download import Download, DownloadButton
from ..markup import esc
from ..raw_http import raw_http_html
from .base import Step, handler

__all__ = ["ResultsTableStep", "table_rows", "TABLE_COLUMNS", "PAGE_LENGTH"]

#: The table's columns: the whole exchange is one click away, in the raw HTTP view.
TABLE_COLUMNS = ("#", "time", "step", "method", "status", "outcome")
PAGE_LENGTH = 10
_OUTCOME = {"ok": "✓ ok", "warning": "⚠ warning", "error": "✗ error", "refused": "✗ refused"}
_STEP_CHARS = 48


def _status(entry: Exchange) -> str:
    if entry.kind == "browser":
        return "—"
    return "no answer" if entry.status is None else str(int(entry.status))


def table_rows(transcript: Transcript) -> dict[str, list]:
    """The table's columns as lists (status as text: ``200``, never ``200.0`` or ``NaN``)."""
    columns: dict[str, list] = {c: [] for c in TABLE_COLUMNS}
    for i, entry in enumerate(transcript, start=1):
        row = entry.row()
        step = entry.step if len(entry.step) <= _STEP_CHARS else entry.step[: _STEP_CHARS - 1] + "…"
        columns["#"].append(i)
        columns["time"].append(str(row["time"])[:12])
        columns["step"].append(step)
        columns["method"].append("browser" if entry.kind == "browser" else (entry.method or "—"))
        columns["status"].append(_status(entry))
        columns["outcome"].append(_OUTCOME.get(entry.outcome, entry.outcome))
    return columns


def _signature(transcript: Transcript) -> tuple:
    # Rows are appended, and only the latest ones are amended (an error attached, a note):
    # the length and the last rows tell whether the table must be rebuilt.
    n = len(transcript)
    tail = tuple((e.outcome, e.error, e.note, e.status) for e in (transcript[i] for i in range(max(n - 3, 0), n)))
    return n, tail


class ResultsTableStep(Step):
    """The transcript, readable. ``selected`` is the exchange shown as raw HTTP (None: none);
    :meth:`download` is what a download button would send."""

    name = "results_table"
    title = "Results table"

    def __init__(self, model):
        super().__init__(model)
        self._shown: tuple | None = None
        self._table = None  # the ITable, made at the first render with rows (imports pandas)
        # No width="100%" here or below: ipywidgets' 2px margins would make the step scroll sideways
        self._table_box = ipw.VBox()  # a column: the table stretches across it
        self._table_box.add_class("wal-results-table")
        self._empty = ipw.HTML()
        self._summary = ipw.HTML()
        self._raw = ipw.HTML()
        self._raw.add_class("wal-raw-http")
        self._diagram = ipw.Output(layout=ipw.Layout(overflow="auto"))
        self._diagram.add_class("wal-sequence-diagram")
        self._refresh = self._button("Refresh", "wal-refresh", icon="refresh")
        self._refresh.on_click(self._on_refresh)
        self._downloads = {
            kind: DownloadButton(f"Download {kind.upper()}", lambda kind=kind: self.download(kind),
                                 tooltip=f"Save the transcript as a .{kind} file in your browser",
                                 on_sent=self._on_sent, on_error=self._on_download_error)
            for kind in ("csv", "html", "har")
        }
        for kind, button in self._downloads.items():
            button.add_class(f"wal-export-{kind}")
        self.children = [
            ipw.HTML("<b>Every exchange of this session</b> <span style='color:#6b7280;font-size:12px'>"
                     "(secrets masked when recorded; select a row to see it as raw HTTP)</span>"),
            self._summary,
            self._empty,
            self._table_box,
            self._raw,
            ipw.HBox([self._refresh, *self._downloads.values()], layout=ipw.Layout(flex_flow="row wrap")),
            self._busy_html,
            self._message,
            ipw.HTML("<b>Sequence diagram</b> <span style='color:#6b7280;font-size:12px'>"
                     "(Mermaid, from this session's transcript: JupyterLab draws it, Voilà shows its text)</span>"),
            self._diagram,
        ]
        # Nothing is built until the step is first shown (on_show): a wizard opened on a long
        # transcript does not pay for a table nobody looks at yet.

    # -- what tests read ---------------------------------------------------------------------
    @property
    def table(self):
        """The ITable widget (None before the first exchange)."""
        return self._table

    @property
    def table_html(self) -> str:
        """What the empty state says, else the table's header (its rows are in the browser)."""
        if self._table is None or not len(self._model.transcript):
            return self._empty.value
        return self._table._dt_args.get("table_html", "")

    @property
    def raw_http_html(self) -> str:
        return self._raw.value

    @property
    def selected(self) -> Exchange | None:
        rows = list(self._table.selected_rows) if self._table is not None else []
        transcript = self._model.transcript
        return transcript[rows[0]] if rows and rows[0] < len(transcript) else None

    def select(self, number: int) -> None:
        """Select table row ``number`` (1-based), as a click on it does."""
        self._table.selected_rows = [number - 1]

    def dataframe(self):
        return self._model.transcript.to_dataframe()

    def download(self, kind: str) -> Download:
        """The file a download button sends: ``csv``, ``html`` or ``har``, made now."""
        transcript = self._model.transcript
        stem = "webhook-oauth-lab-transcript-" + time.strftime("%Y%m%d-%H%M%S")
        if kind == "csv":
            return Download(stem + ".csv", "text/csv", transcript.to_csv())
        if kind == "html":
            return Download(stem + ".html", "text/html", transcript.to_html())
        if kind == "har":
            return Download(stem + ".har", "application/json", json.dumps(transcript.to_har(), indent=1))
        raise ValueError("kind must be 'csv', 'html' or 'har'")

    # -- render ------------------------------------------------------------------------------
    def on_show(self) -> None:
        self.render()

    def render(self, force: bool = False) -> None:
        transcript = self._model.transcript
        signature = _signature(transcript)
        if signature == self._shown and not force:
            return
        self._shown = signature
        n = len(transcript)
        self._diagram.outputs = ()  # (clear_output() would print a terminal escape outside a kernel)
        if n == 0:
            self._summary.value = ""
            self._empty.value = ("<div style='font-size:13px;color:#6b7280'>No exchanges yet: run a step "
                                 "and press Refresh.</div>")
            self._table_box.children = ()
            self._table_box.layout.display = "none"
            self._raw.value = ""
            return
        counts: dict[str, int] = {}
        for entry in transcript:
            counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
        self._summary.value = ("<div style='font-size:12px;color:#374151'>"
                               + esc(f"{n} exchange{'s' if n != 1 else ''}: "
                                     + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
                               + "</div>")
        self._empty.value = ""
        self._show_table(transcript)
        markdown = mermaid_markdown(transcript)
        self._diagram.outputs = ({"output_type": "display_data", "metadata": {},
                                  "data": {"text/markdown": markdown, "text/plain": markdown}},)
        self._on_select()

    def _show_table(self, transcript: Transcript) -> None:
        import pandas as pd

        frame = pd.DataFrame(table_rows(transcript), columns=list(TABLE_COLUMNS))
        selected = [i for i in (self._table.selected_rows if self._table is not None else []) if i < len(frame)]
        options = dict(
            showIndex=False,
            maxBytes=0,  # every row goes to the page: DataTables pages them there
            pageLength=PAGE_LENGTH,
            lengthMenu=[5, 10, 25, 100],
            select={"style": "single", "info": False},
            classes="display compact cell-border",
            style="width:100%;table-layout:auto;caption-side:bottom;font-size:12px",
            columnDefs=[{"targets": [0, 4], "className": "dt-right"}],
            selected_rows=selected,
        )
        if self._table is None:
            from itables.widget import ITable

            self._table = ITable(frame, caption="The session's exchanges, oldest first", **options)
            self._table.observe(self._on_select, names="selected_rows")
        else:
            self._table.update(frame, **options)
        self._table_box.children = (self._table,)
        self._table_box.layout.display = None

    # -- handlers ----------------------------------------------------------------------------
    @handler
    def _on_refresh(self, _button=None) -> None:
        self.render(force=True)

    @handler
    def _on_select(self, _change=None) -> None:
        entry = self.selected
        if entry is None:
            self._raw.value = ("<div style='font-size:12px;color:#6b7280;margin:4px 0'>Select a row to see "
                               "that exchange whole, as raw HTTP.</div>")
            return
        self._raw.value = raw_http_html(self._table.selected_rows[0] + 1, entry)

    def _on_sent(self, download: Download) -> None:
        n = len(self._model.transcript)
        self.say(f"Sent {download.filename} to your browser as a download "
                 f"({n} exchange{'s' if n != 1 else ''}, secrets masked).", "ok")

    def _on_download_error(self, exc: BaseException) -> None:
        self.say(f"The file could not be made ({type(exc).__name__}); nothing was downloaded.", "error",
                 hint="Try again; if it keeps happening, restart the wizard and report the exception type.")

