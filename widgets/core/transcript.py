"""A record of every HTTP exchange (and every browser leg) of a session, safe to show.

Entries are masked when they are recorded: the transcript never holds a secret, so any
view of it (a DataFrame, CSV, HTML, HAR, the raw HTTP of one exchange) is safe too. pandas
is imported only by :meth:`Transcript.to_dataframe`.

Each row has a ``kind``: ``"http"`` for a request this package sent (with the answer's status
line, headers and body when one came), ``"browser"`` for what happened in the person's
browser (the authorize link opened there, the address it landed on pasted back): no HTTP
exchange of ours, so no status.

HAR 1.2: http://www.softwareishard.com/blog/har-12-spec/ (the format Chrome DevTools imports).
"""

from __future__ import annotations

import csv
import html
import io
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

from .redact import redact_body, redact_header_pairs, redact_headers, redact_url, scrub
from .token_response import PREVIEW_WINDOW, preview

__all__ = ["Exchange", "Transcript", "COLUMNS", "OUTCOMES", "KINDS", "BODY_CHARS", "spreadsheet_safe", "csv_text"]

#: What a row records: a request of ours, or a leg in the person's browser.
KINDS = ("http", "browser")
#: The most of a (masked) response body a row keeps for the raw view and the HAR.
BODY_CHARS = 8 * 1024
#: ``log.creator.version`` of :meth:`Transcript.to_har` (the package version).
HAR_CREATOR_VERSION = "0.1.0"

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
    "kind",
    "response_headers",
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


def csv_text(columns: Iterable[str], rows: Iterable[Mapping[str, object]], path: str | None = None) -> str:
    """CSV text of ``rows`` under ``columns`` (also written to ``path`` when given). Needs no pandas.

    Every cell passes :func:`spreadsheet_safe`; None is an empty cell.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else spreadsheet_safe(v) for k, v in row.items()})
    text = buffer.getvalue()
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    return text


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
    kind: str = "http"
    #: ``(name, value)`` pairs as the answer sent them (repeats kept), masked.
    response_headers: tuple[tuple[str, str], ...] = ()
    #: The answer's body, masked, at most :data:`BODY_CHARS` characters.
    response_body: str = ""
    status_text: str = ""
    http_version: str = ""

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
            "kind": self.kind,
            "response_headers": "; ".join(f"{k}: {v}" for k, v in self.response_headers),
        }

    def raw_http(self) -> str:
        """This exchange whole, as HTTP/1.1 text: request line, headers, body; status line,
        response headers, body. Masked like everything here. A browser leg says what it was."""
        if self.kind == "browser":
            lines = [f"# In the person's browser (not a request of this package): {self.step}"]
            if self.url:
                lines.append((f"To open there ({self.method}): " if self.method else "Pasted back: ") + self.url)
            return "\n".join(lines + self._notes())
        target = self.url or "(no URL)"
        parts = urlsplit(self.url) if self.url else None
        if parts is not None and parts.netloc:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = [f"{self.method or '?'} {target} HTTP/1.1"]
        if parts is not None and parts.netloc and not any(k.lower() == "host" for k in self.request_headers):
            request.append(f"Host: {parts.netloc}")
        request += [f"{k}: {v}" for k, v in self.request_headers.items()]
        out = "\n".join(request) + "\n\n" + (self.request_body or "")
        if self.status is None:
            out += "\n\n# No answer" + (f": {self.error}" if self.error else ".")
        else:
            status_line = f"{self.http_version or 'HTTP/1.1'} {self.status} {self.status_text}".rstrip()
            response = [status_line, *(f"{k}: {v}" for k, v in self.response_headers)]
            out += "\n\n" + "\n".join(response) + "\n\n" + (self.response_body or self.response_preview)
        notes = self._notes()
        return out.rstrip("\n") + ("\n\n" + "\n".join(notes) if notes else "")

    def _notes(self) -> list[str]:
        notes = []
        if self.status is not None and self.error:
            notes.append(f"# {self.outcome}: {self.error}")
        if self.hint:
            notes.append(f"# Hint: {self.hint}")
        if self.warning:
            notes.append(f"# Warning: {self.warning}")
        if self.note:
            notes.append(f"# Note: {self.note}")
        return notes

    def har_entry(self) -> dict[str, object]:
        """This exchange as a HAR 1.2 ``entries[]`` item (only meaningful for ``kind="http"``)."""
        elapsed = max(float(self.elapsed_ms or 0.0), 0.0)
        started = datetime.fromtimestamp(self.time - elapsed / 1000, tz=timezone.utc)
        query = urlsplit(self.url).query if self.url else ""
        request: dict[str, object] = {
            "method": self.method,
            "url": self.url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in self.request_headers.items()],
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)],
            "headersSize": -1,
            "bodySize": len(self.request_body.encode("utf-8")) if self.request_body else 0,
        }
        if self.request_body:
            request["postData"] = {"mimeType": self.request_headers.get("Content-Type", ""),
                                   "text": self.request_body}
        response_type = self.response_type or ""
        body = self.response_body or self.response_preview
        response = {
            "status": self.status or 0,
            "statusText": self.status_text,
            "httpVersion": self.http_version or ("HTTP/1.1" if self.status else ""),
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in self.response_headers],
            "content": {"size": len(body.encode("utf-8")), "mimeType": response_type, "text": body},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1 if self.status is None else len(body.encode("utf-8")),
        }
        entry: dict[str, object] = {
            "startedDateTime": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "time": round(elapsed, 3),
            "request": request,
            "response": response,
            "cache": {},
            # only the total is known: it is the wait, as send and receive are not measured apart
            "timings": {"send": 0, "wait": round(elapsed, 3), "receive": 0},
            "comment": " ".join(x for x in (self.step, self.error, self.note) if x),
        }
        if self.status is None and self.error:
            entry["_error"] = self.error  # as Chrome writes a request that got no answer
        return entry


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
        kind: str = "http",
        response_headers: Mapping[str, object] | Iterable[tuple[object, object]] | None = None,
        status_text: str = "",
        http_version: str = "",
    ) -> Exchange:
        """Add a row. Everything passed in is masked here; pass raw values.

        ``kind="browser"`` for a leg in the person's browser (see the module docstring).
        ``response_headers``: a mapping or ``(name, value)`` pairs (repeated names kept).
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        body = redact_body(response_body[:PREVIEW_WINDOW], response_type) if response_body else ""
        pairs = response_headers.items() if isinstance(response_headers, Mapping) else (response_headers or ())
        entry = Exchange(
            kind=kind,
            step=step,
            method=method,
            url=redact_url(url),
            status=status,
            elapsed_ms=elapsed_ms,
            outcome=outcome,
            request_headers=redact_headers(request_headers),
            request_body=redact_body(request_body, request_content_type),
            response_type=response_type,
            response_preview=preview(body, masked=True) if body else "",
            response_body=body if len(body) <= BODY_CHARS else body[: BODY_CHARS - 1] + "…",
            response_headers=tuple(redact_header_pairs(pairs)),
            status_text=scrub(status_text)[:80],
            http_version=http_version,
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
        """A pandas DataFrame with the columns in :data:`COLUMNS` (pandas imported here).

        ``status`` is a nullable integer column (``Int64``): a row without an HTTP answer is
        ``<NA>``, and the others read ``200``, never ``200.0``.
        """
        import pandas as pd

        frame = pd.DataFrame(self.rows(), columns=list(COLUMNS))
        frame["status"] = frame["status"].astype("Int64")
        return frame

    def to_csv(self, path: str | None = None) -> str:
        """CSV text (also written to ``path`` when given). Needs no pandas.

        Every cell passes :func:`spreadsheet_safe`: provider text that starts like a formula
        gets a leading ``'``, so a spreadsheet shows it instead of running it.
        """
        return csv_text(COLUMNS, self.rows(), path)

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

    def to_har(self) -> dict[str, object]:
        """The HTTP exchanges as a HAR 1.2 log (a dict; ``json.dumps`` it to save a .har file).

        One entry per ``kind="http"`` row, in order; a request that got no answer has status 0
        and an ``_error``, as Chrome writes it. Browser legs are not HTTP exchanges of ours: they
        are listed in ``log.comment``. Masked like every other view.
        """
        entries, legs = [], []
        for entry in self:
            if entry.kind == "http" and entry.method and entry.url:
                entries.append(entry.har_entry())
            elif entry.kind == "browser":
                legs.append(entry.step)
        log: dict[str, object] = {
            "version": "1.2",
            "creator": {"name": "webhook-oauth-lab", "version": HAR_CREATOR_VERSION},
            "entries": entries,
        }
        if legs:
            log["comment"] = "In the person's browser, not recorded as HTTP: " + "; ".join(legs)
        return {"log": log}
