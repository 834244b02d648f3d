"""A record of every HTTP exchange (and every pasted redirect) of a session, safe to show.

Entries are masked when they are recorded: the transcript never holds a secret, so any
view of it (a DataFrame, CSV, HTML) is safe too. pandas is imported only by
:meth:`Transcript.to_dataframe` and the exports.
"""

from __future__ import annotations

import csv
import html
import io
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .redact import redact_body, redact_headers, redact_url, scrub
from .token_response import PREVIEW_WINDOW, preview

__all__ = ["Exchange", "Transcript", "COLUMNS", "OUTCOMES", "spreadsheet_safe"]

#: Column order of :meth:`Transcript.to_dataframe` and the exports. Stable: tests lock it.
COLUMNS = (
    "time",
    "step",
    "method",
    "url",
    "status",
    "elapsed_ms",
    "outcome",
    "error",
    "hint",
    "request_headers",
    "request_body",
    "response_type",
    "response_preview",
    "note",
)


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (or, for
# tab, CR and LF, strips them and looks again); fullwidth forms are folded to them by some.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows rather than runs: text starting like a formula gets a ``'``.

    OWASP's guidance on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection):
    a cell starting with ``=``, ``+``, ``-``, ``@``, tab, CR or LF (or the fullwidth ＝＋－＠)
    is prefixed with a single quote, which spreadsheets read as "text", and is otherwise kept
    as it is. Numbers are not text: ``-1`` in a numeric column stays the number -1. Pure.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


#: The outcomes the package records; :meth:`Transcript.to_html` styles rows by them.
OUTCOMES = ("ok", "error", "warning", "refused")


@dataclass
class Exchange:
    """One row: a request and its answer, or a local step such as parsing a pasted redirect."""

    step: str
    method: str = ""
    url: str = ""
    status: int | None = None
    elapsed_ms: float | None = None
    outcome: str = "ok"  # ok | error | warning | refused
    error: str = ""
    hint: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    response_type: str = ""
    response_preview: str = ""
    note: str = ""
    time: float = field(default_factory=time.time)
    #: Said before ``note`` in every view, and kept when a step rewrites its note (TLS off).
    warning: str = ""

    def fail(self, error: BaseException, outcome: str = "error") -> None:
        """Mark this exchange as failed with an error of ours (already written for people)."""
        self.outcome = outcome
        # errors hold plain text; the views that render HTML (to_html, the wizard) escape it
        self.error = scrub(getattr(error, "message", None) or str(error))
        self.hint = scrub(getattr(error, "hint", "") or "")

    def row(self) -> dict[str, object]:
        # Field by field: dataclasses.asdict() deep-copies every value, and was most of the
        # time of to_dataframe() (BENCHMARKS.md).
        return {
            "time": time.strftime("%H:%M:%S", time.localtime(self.time)) + f".{int(self.time * 1000) % 1000:03d}",
            "step": self.step,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 1),
            "outcome": self.outcome,
            "error": self.error,
            "hint": self.hint,
            "request_headers": "; ".join(f"{k}: {v}" for k, v in self.request_headers.items()),
            "request_body": self.request_body,
            "response_type": self.response_type,
            "response_preview": self.response_preview,
            "note": f"{self.warning} {self.note}".strip() if self.warning else self.note,
        }


class Transcript:
    """Thread-safe list of :class:`Exchange` rows, masked at the door."""

    def __init__(self) -> None:
        self._entries: list[Exchange] = []
        self._lock = threading.Lock()

    def record(
        self,
        step: str,
        *,
        method: str = "",
        url: str = "",
        status: int | None = None,
        elapsed_ms: float | None = None,
        outcome: str = "ok",
        request_headers: Mapping[str, object] | None = None,
        request_body: object = None,
        request_content_type: str = "",
        response_type: str = "",
        response_body: object = None,
        note: str = "",
        error: BaseException | None = None,
    ) -> Exchange:
        """Add a row. Everything passed in is masked here; pass raw values."""
        entry = Exchange(
            step=step,
            method=method,
            url=redact_url(url),
            status=status,
            elapsed_ms=elapsed_ms,
            outcome=outcome,
            request_headers=redact_headers(request_headers),
            request_body=redact_body(request_body, request_content_type),
            response_type=response_type,
            response_preview=(preview(redact_body(response_body[:PREVIEW_WINDOW], response_type), masked=True)
                              if response_body else ""),
            note=scrub(note),
        )
        if error is not None:
            entry.fail(error, outcome if outcome != "ok" else "error")
        with self._lock:
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Exchange:
        return self._entries[index]

    def __repr__(self) -> str:
        return f"<Transcript {len(self)} exchanges>"

    def rows(self) -> list[dict[str, object]]:
        return [e.row() for e in self]

    # -- views -------------------------------------------------------------------------
    def to_dataframe(self):
        """A pandas DataFrame with the columns in :data:`COLUMNS` (pandas imported here)."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=list(COLUMNS))

    def to_csv(self, path: str | None = None) -> str:
        """CSV text (also written to ``path`` when given). Needs no pandas.

        Every cell passes :func:`spreadsheet_safe`: provider text that starts like a formula
        gets a leading ``'``, so a spreadsheet shows it instead of running it.
        """
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow({k: "" if v is None else spreadsheet_safe(v) for k, v in row.items()})
        text = buffer.getvalue()
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return text

    def to_html(self, path: str | None = None) -> str:
        """A self-contained HTML table, every cell escaped. Needs no pandas."""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
        body = []
        for row in self.rows():
            # A class name from a fixed set, never from the row: an outcome passed to record()
            # is free text, and escaping keeps it inside the attribute but not out of the class list.
            css = row["outcome"] if row["outcome"] in OUTCOMES else "other"
            cells = "".join(f"<td>{html.escape('' if row[c] is None else str(row[c]))}</td>" for c in COLUMNS)
            body.append(f'<tr class="outcome-{css}">{cells}</tr>')
        text = (
            "<!doctype html><meta charset='utf-8'><title>webhook-oauth-lab transcript</title>"
            "<style>table{border-collapse:collapse;font:13px sans-serif}td,th{border:1px solid #ccc;"
            "padding:3px 6px;vertical-align:top}.outcome-error td,.outcome-refused td{background:#fde2e1}"
            ".outcome-warning td{background:#fff4ce}</style>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text
