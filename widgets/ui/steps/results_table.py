"""Step 5: every HTTP exchange of the session as a pandas table, coloured by outcome, with
CSV and HTML exports. The transcript is masked when recorded, so the table and the files
hold no secret.
"""

from __future__ import annotations

import os

import ipywidgets as ipw

from ...core.transcript import Transcript
from ..markup import COLOURS, esc
from .base import Step, handler

__all__ = ["ResultsTableStep", "styled_transcript", "row_colour", "CELL_CHARS"]

#: Longest cell text shown in the table (the exports keep everything).
CELL_CHARS = 240


def row_colour(outcome: object, status: object) -> str:
    """Background of a row: green ok, amber warning, red error/refused or an HTTP error status."""
    outcome = str(outcome or "")
    try:
        failed_status = status is not None and int(status) >= 400
    except (TypeError, ValueError):
        failed_status = False
    if outcome in ("error", "refused") or (outcome == "ok" and failed_status):
        return COLOURS["error"][1]
    if outcome == "warning":
        return COLOURS["warning"][1]
    if outcome == "ok":
        return COLOURS["ok"][1]
    return ""


def styled_transcript(transcript: Transcript):
    """The transcript as a pandas ``Styler``: cells HTML-escaped, rows coloured by outcome."""
    import pandas as pd

    df = transcript.to_dataframe()
    df["status"] = pd.array(df["status"], dtype="Int64")
    # long previews and header lists would make the table unreadable; the exports keep them whole
    df = df.map(lambda v: v[:CELL_CHARS] + "…" if isinstance(v, str) and len(v) > CELL_CHARS else v)
    df.index = range(1, len(df) + 1)

    def colour(row):
        bg = row_colour(row["outcome"], None if pd.isna(row["status"]) else row["status"])
        return [f"background-color: {bg}" if bg else "" for _ in row]

    return (
        df.style.apply(colour, axis=1)
        # provider answers are in these cells: never let them become markup
        .format(escape="html", na_rep="", precision=1)
        .set_table_attributes('class="dataframe wal-transcript"')
        .set_table_styles([
            {"selector": "", "props": "border-collapse:collapse;font-size:12px"},
            # break-word (not anywhere) keeps words whole, so the table scrolls sideways instead
            # of squeezing "status" into one character per line
            {"selector": "th, td", "props": "border:1px solid #d1d5db;padding:2px 6px;vertical-align:top;"
                                            "text-align:left;max-width:32em;overflow-wrap:break-word"},
            {"selector": "thead th", "props": "background:#f3f4f6;position:sticky;top:0"},
        ])
    )


class ResultsTableStep(Step):
    """The transcript table. ``table_html`` and ``exports`` are read-only; ``directory`` is where
    exports go (default: the current directory at the time of the click)."""

    name = "results_table"
    title = "Results table"

    def __init__(self, model, directory: str | os.PathLike | None = None):
        super().__init__(model)
        self.directory = directory
        self._exports: list[str] = []
        self._table = ipw.HTML()
        self._table.add_class("wal-results-table")
        self._refresh = self._button("Refresh", "wal-refresh", icon="refresh")
        self._export_csv = self._button("Export CSV", "wal-export-csv", icon="download")
        self._export_html = self._button("Export HTML", "wal-export-html", icon="download")
        self._refresh.on_click(self._on_refresh)
        self._export_csv.on_click(self._on_export_csv)
        self._export_html.on_click(self._on_export_html)
        self._summary = ipw.HTML()
        self.children = [
            ipw.HTML("<b>Every exchange of this session</b> <span style='color:#6b7280;font-size:12px'>"
                   "(secrets masked when recorded)</span>"),
            self._summary,
            self._table,
            ipw.HBox([self._refresh, self._export_csv, self._export_html]),
            self._busy_html,
            self._message,
        ]
        self.render()

    @property
    def table_html(self) -> str:
        return self._table.value

    @property
    def exports(self) -> tuple[str, ...]:
        """Paths written by the export buttons, oldest first."""
        return tuple(self._exports)

    def dataframe(self):
        return self._model.transcript.to_dataframe()

    def on_show(self) -> None:
        self.render()

    def render(self) -> None:
        transcript = self._model.transcript
        n = len(transcript)
        if n == 0:
            self._summary.value = ""
            self._table.value = ("<div style='font-size:13px;color:#6b7280'>No exchanges yet: run a step "
                                 "and press Refresh.</div>")
            return
        counts: dict[str, int] = {}
        for entry in transcript:
            counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
        self._summary.value = ("<div style='font-size:12px;color:#374151'>"
                               + esc(f"{n} exchange{'s' if n != 1 else ''}: "
                                     + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
                               + "</div>")
        html_table = styled_transcript(transcript).to_html()
        self._table.value = f"<div style='max-height:460px;overflow:auto'>{html_table}</div>"

    @handler
    def _on_refresh(self, _button=None) -> None:
        self.render()

    def _export(self, kind: str, button: ipw.Button) -> None:
        with self.working(button, f"Writing {kind.upper()}…"):
            path = self._model.export_transcript(kind, self.directory)
        self._exports.append(path)
        self.say(f"Wrote {path}", "ok")

    @handler
    def _on_export_csv(self, _button=None) -> None:
        self._export("csv", self._export_csv)

    @handler
    def _on_export_html(self, _button=None) -> None:
        self._export("html", self._export_html)
