"""Step 6: why something fails, and what to paste into the webhook.

"Probe the provider" runs :func:`widgets.probe.probe`: safe checks (no login) of whether the
token endpoint answers, which client authentication works, and whether the authorize endpoint
requires state or PKCE, each with a verdict and the fix in plain words. "Ready to paste" shows
which webhook auth type to choose for the path the token took, the form's values and the
ThousandEyes connector JSON, secrets masked.

Both are model results (``probe_report``, ``ready``) tagged with the settings they were made
from: the step renders them from the model, so they are gone when the settings change.
"""

from __future__ import annotations

import ipywidgets as ipw

from ..markup import COLOURS, esc
from .base import Step, handler

__all__ = ["DiagnoseStep", "VERDICT_KIND", "scorecard_table_html"]


def _full_card() -> int:
    from ...diagnose.scorecard import logins_needed

    return logins_needed()

#: How each row is coloured, from what its verdict means (:attr:`ProbeRow.outcome`): a "no" to
#: "does client auth work" is bad, to "is state required" it is good news.
OUTCOME_KIND = {"good": "ok", "bad": "error", "unclear": "warning", "skipped": ""}
#: Kept for callers that coloured by verdict alone.
VERDICT_KIND = {"yes": "ok", "no": "error", "unknown": "warning", "skipped": ""}


def _kind(row) -> str:
    if row.key in ("state_required", "pkce_required") and row.outcome == "bad":
        return "warning"  # required state or PKCE: a finding, not a failure of the probe
    return OUTCOME_KIND.get(row.outcome, "")


_CELL = "padding:3px 6px;vertical-align:top;text-align:left;overflow-wrap:anywhere;border-bottom:1px solid #e5e7eb"


def probe_table_html(report) -> str:
    """The probe rows as a table that fits the step: fixed column shares, long URLs wrapped."""
    rows = []
    for row in report.rows:
        kind = _kind(row)
        bg = COLOURS[kind][1] if kind else "transparent"
        rows.append(
            f"<tr style='background:{bg}'><td style='{_CELL}'>{esc(row.question)}</td>"
            f"<td style='{_CELL}'><b>{esc(row.verdict)}</b></td>"
            f"<td style='{_CELL}'>{esc(row.evidence)}</td><td style='{_CELL}'>{esc(row.fix)}</td></tr>"
        )
    head = "".join(f"<th scope='col' style='{_CELL};width:{w}'>{esc(t)}</th>" for t, w in
                   (("question", "24%"), ("verdict", "8%"), ("evidence", "38%"), ("what to do", "30%")))
    return ("<table class='wal-probe' style='border-collapse:collapse;font-size:12px;table-layout:fixed;"
            f"width:100%;color:#111827'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def scorecard_table_html(card) -> str:
    rows = []
    for row in card.rows:
        bg = COLOURS[row.kind][1] if row.kind in COLOURS else "transparent"
        rows.append(f"<tr style='background:{bg}'><td>{esc(row.question)}</td><td><b>{esc(row.verdict)}</b></td>"
                    f"<td>{esc(row.evidence)}</td><td>{esc(row.reference)}</td></tr>")
    return ("<table class='wal-scorecard' style='border-collapse:collapse;font-size:12px'>"
            "<thead><tr><th>does the provider…</th><th>verdict</th><th>evidence</th><th>reference</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


class DiagnoseStep(Step):
    """Probe table and ready-to-paste values. ``report`` and ``ready`` are read-only results."""

    name = "diagnose"
    title = "Diagnose"

    def __init__(self, model):
        super().__init__(model)
        self._probe = self._button("Probe the provider", "wal-probe", style="primary", icon="stethoscope")
        self._probe.on_click(self._on_probe)
        self._table = ipw.HTML()
        self._table.add_class("wal-probe-table")
        self.card = None
        self._score = self._button("Scorecard (after login)", "wal-scorecard", icon="list")
        self._score.on_click(self._on_scorecard)
        self._card = ipw.HTML()
        self._card.add_class("wal-scorecard-table")
        self._paste = self._button("Ready to paste", "wal-paste-ready", icon="clipboard")
        self._paste.on_click(self._on_paste_ready)
        self._ready = ipw.HTML()
        self._ready.add_class("wal-paste-ready-values")
        model.observe(self._on_model_change, names=["probe_report", "ready"])
        self.children = [
            ipw.HTML("<b>What does this provider require?</b> <span style='color:#4b5563;font-size:12px'>"
                   "Safe checks: a token request per client-authentication method and authorize requests "
                   "that are never logged in to.</span>"),
            self._probe,
            self._table,
            ipw.HTML("<b>What does it enforce after login?</b> <span style='color:#4b5563;font-size:12px'>"
                   f"Up to {_full_card()} logins: the demo's scripted browser does them; for another provider, "
                   "the command line does (<code>python -m widgets scorecard --loopback</code>).</span>"),
            self._score,
            self._card,
            ipw.HTML("<b>What to paste into the webhook</b> <span style='color:#4b5563;font-size:12px'>"
                   "(secrets masked)</span>"),
            self._paste,
            self._ready,
            self._busy_html,
            self._message,
        ]
        self.render()

    @property
    def report(self):
        """The probe report of today's settings, or None."""
        return self._model.probe_report

    @property
    def ready(self):
        """The ready-to-paste values of today's settings and token, or None."""
        return self._model.ready

    def on_show(self) -> None:
        self.render()

    @handler
    def _on_model_change(self, change) -> None:
        self.render()

    def render(self) -> None:
        report, ready = self._model.probe_report, self._model.ready
        self._table.value = "" if report is None else probe_table_html(report)
        if ready is None:
            self._ready.value = ""
            return
        rows = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>" for k, v in ready.fields.items())
        notes = "".join(f"<li>{esc(n)}</li>" for n in ready.notes)
        self._ready.value = (
            f"<div class='wal-paste-advice' style='font-size:13px;margin:4px 0'><b>{esc(ready.advice)}</b></div>"
            f"<table style='font-size:12px'>{rows}</table>"
            + (f"<ul style='font-size:12px'>{notes}</ul>" if notes else "")
            + f"<pre style='font-size:12px'>{esc(ready.connector_json())}</pre>"
        )

    @handler
    def _on_probe(self, _button=None) -> None:
        with self.working(self._probe, "Asking the provider…"):
            self._model.probe()

    @handler
    def _on_scorecard(self, _button=None) -> None:
        with self.working(self._score, "Logging in and checking…"):
            self.card = self._model.scorecard()
        self._card.value = scorecard_table_html(self.card)
        self.say(f"{len(self.card.rows)} checks done with {self.card.logins} login(s).", "ok")

    @handler
    def _on_paste_ready(self, _button=None) -> None:
        self._model.paste_ready()
