"""Step 6: why something fails, and what to paste into the webhook.

"Probe the provider" runs :func:`widgets.probe.probe`: safe checks (no login) of whether the
token endpoint answers, which client authentication works, and whether the authorize endpoint
requires state or PKCE, each with a verdict and the fix in plain words. "Ready to paste" shows
the webhook form's values and the ThousandEyes connector JSON, secrets masked.
"""

from __future__ import annotations

import ipywidgets as ipw

from ..markup import COLOURS, esc
from .base import Step, handler

__all__ = ["DiagnoseStep", "VERDICT_KIND", "scorecard_table_html"]


def _full_card() -> int:
    from ...diagnose.scorecard import logins_needed

    return logins_needed()

#: How each verdict is coloured: a "no" to "does client auth work" is bad, to "is state
#: required" it is good news, so the colour comes from the row's key as well.
VERDICT_KIND = {"yes": "ok", "no": "error", "unknown": "warning", "skipped": ""}
_GOOD_WHEN_NO = {"state_required", "pkce_required"}


def _kind(row) -> str:
    if row.key in _GOOD_WHEN_NO and row.verdict in ("yes", "no"):
        return "warning" if row.verdict == "yes" else "ok"
    return VERDICT_KIND.get(row.verdict, "")


def probe_table_html(report) -> str:
    rows = []
    for row in report.rows:
        kind = _kind(row)
        bg = COLOURS[kind][1] if kind else "transparent"
        rows.append(
            f"<tr style='background:{bg}'><td>{esc(row.question)}</td><td><b>{esc(row.verdict)}</b></td>"
            f"<td>{esc(row.evidence)}</td><td>{esc(row.fix)}</td></tr>"
        )
    return ("<table class='wal-probe' style='border-collapse:collapse;font-size:12px'>"
            "<thead><tr><th>question</th><th>verdict</th><th>evidence</th><th>what to do</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


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
        self.report = None
        self.ready = None
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
        self.children = [
            ipw.HTML("<b>What does this provider require?</b> <span style='color:#6b7280;font-size:12px'>"
                   "Safe checks: a token request per client-authentication method and authorize requests "
                   "that are never logged in to.</span>"),
            self._probe,
            self._table,
            ipw.HTML("<b>What does it enforce after login?</b> <span style='color:#6b7280;font-size:12px'>"
                   f"Up to {_full_card()} logins: the demo's scripted browser does them; for another provider, "
                   "the command line does (<code>python -m widgets scorecard --loopback</code>).</span>"),
            self._score,
            self._card,
            ipw.HTML("<b>What to paste into the webhook</b> <span style='color:#6b7280;font-size:12px'>"
                   "(secrets masked)</span>"),
            self._paste,
            self._ready,
            self._busy_html,
            self._message,
        ]

    @handler
    def _on_probe(self, _button=None) -> None:
        with self.working(self._probe, "Asking the provider…"):
            self.report = self._model.probe()
        self._table.value = probe_table_html(self.report)
        self.say(f"{len(self.report.rows)} checks done; each row says what to do.", "ok")

    @handler
    def _on_scorecard(self, _button=None) -> None:
        with self.working(self._score, "Logging in and checking…"):
            self.card = self._model.scorecard()
        self._card.value = scorecard_table_html(self.card)
        self.say(f"{len(self.card.rows)} checks done with {self.card.logins} login(s).", "ok")

    @handler
    def _on_paste_ready(self, _button=None) -> None:
        self.ready = self._model.paste_ready()
        rows = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>" for k, v in self.ready.fields.items())
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.ready.notes)
        self._ready.value = (
            f"<table style='font-size:12px'>{rows}</table>"
            + (f"<ul style='font-size:12px'>{notes}</ul>" if notes else "")
            + f"<pre style='font-size:12px'>{esc(self.ready.connector_json())}</pre>"
        )
