"""Step 6: why something fails, and what to paste into the webhook.

"Probe the provider" runs :func:`widgets.probe.probe`: safe checks (no login) of whether the
token endpoint answers, which client authentication works, and whether the authorize endpoint
requires state or PKCE, each with a verdict and the fix in plain words. "Ready to paste" shows
which webhook auth type to choose for the path the token took, the form's values and the
ThousandEyes connector JSON, secrets masked.

"Scorecard (after login)" runs the picked checks of :mod:`widgets.diagnose.scorecard`: the
demo's scripted browser does the logins at this wizard's demo provider; at another provider the
step shows one login at a time (its question, the link, a field for the address the browser
lands on, "Skip this login") until the card is done. The answers are pasted: the scorecard's
logins send changed redirect URIs (another path, another port) and one request without state
on purpose, which the Run step's catcher, waiting on one address for one state, cannot receive.

All are model results (``probe_report``, ``ready``, ``scorecard_login``, ``scorecard_card``)
tagged with the settings they were made from: the step renders them from the model, so they
are gone when the settings change.
"""

from __future__ import annotations

import ipywidgets as ipw

from ..markup import COLOURS, attr, esc
from .base import Step, handler

__all__ = ["DiagnoseStep", "VERDICT_KIND", "scorecard_table_html"]


def _questions() -> dict[str, str]:
    from ...diagnose.scorecard import CHECKS

    return {key: check.question for key, check in CHECKS.items()}


def _logins(n: int) -> str:
    return f"{n} login" if n == 1 else f"{n} logins"

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
    """Probe table, scorecard and ready-to-paste values. ``report``, ``card`` and ``ready`` are
    read-only results of the model."""

    name = "diagnose"
    title = "Diagnose"

    def __init__(self, model):
        super().__init__(model)
        self._probe = self._button("Probe the provider", "wal-probe", style="primary", icon="stethoscope")
        self._probe.on_click(self._on_probe)
        self._table = ipw.HTML()
        self._table.add_class("wal-probe-table")

        # the scorecard: which checks, how many logins, and the login waiting for a person
        self._picks = {}
        for key, question in _questions().items():
            box = ipw.Checkbox(value=True, description=question, indent=False,
                               layout=ipw.Layout(width="auto", margin="0 12px 0 0"))
            box.add_class("wal-scorecard-check")
            box.add_class(f"wal-scorecard-check-{key}")
            box.observe(self._on_pick, names="value")
            self._picks[key] = box
        self._checks = ipw.GridBox(list(self._picks.values()), layout=ipw.Layout(
            grid_template_columns="repeat(2, minmax(0, 1fr))", width="100%"))
        self._checks.add_class("wal-scorecard-checks")
        self._count = ipw.HTML()
        self._count.add_class("wal-scorecard-count")
        self._score = self._button("Scorecard (after login)", "wal-scorecard", icon="list")
        self._score.on_click(self._on_scorecard)
        self._progress = ipw.HTML()
        self._progress.add_class("wal-scorecard-progress")
        self._login_link = ipw.HTML()
        self._login_link.add_class("wal-scorecard-link")
        # continuous_update=False: the landed address (it holds a code) reaches the kernel on Enter
        # or when the field loses focus, not keystroke by keystroke. Only "Use this address" answers
        # the login: a blur is no decision (a person who pasted, then pressed Skip, meant Skip).
        self._landed = ipw.Text(description="Paste the address you landed on", continuous_update=False,
                                placeholder="https://…/callback?code=…&state=…",
                                style={"description_width": "230px"},
                                layout=ipw.Layout(flex="1 1 640px", min_width="360px"))
        self._landed.add_class("wal-scorecard-paste")
        self._use = self._button("Use this address", "wal-scorecard-use", icon="check")
        self._use.on_click(self._on_use)
        self._skip = self._button("Skip this login", "wal-scorecard-skip", icon="forward")
        self._skip.on_click(self._on_skip)
        for button in (self._use, self._skip):
            button.layout.flex = "0 0 auto"  # the field gives way; the buttons' words stay whole
        self._login_box = ipw.VBox([self._progress, self._login_link, ipw.HBox([self._landed, self._use, self._skip])],
                                   layout=ipw.Layout(border="1px solid #c9d3e0", padding="4px 8px", margin="4px 0"))
        self._login_box.add_class("wal-scorecard-login")
        self._card = ipw.HTML()
        self._card.add_class("wal-scorecard-table")

        self._paste = self._button("Ready to paste", "wal-paste-ready", icon="clipboard")
        self._paste.on_click(self._on_paste_ready)
        self._ready = ipw.HTML()
        self._ready.add_class("wal-paste-ready-values")
        self._syncing = False  # True while render() sets the boxes from the model
        model.observe(self._on_model_change, names=["probe_report", "ready", "scorecard_checks", "scorecard_login",
                                                    "scorecard_card"])
        self.children = [
            ipw.HTML("<b>What does this provider require?</b> <span style='color:#4b5563;font-size:12px'>"
                   "Safe checks: a token request per client-authentication method and authorize requests "
                   "that are never logged in to.</span>"),
            self._probe,
            self._table,
            ipw.HTML("<b>What does it enforce after login?</b> <span style='color:#4b5563;font-size:12px'>"
                   "Pick the checks. At the demo provider its scripted browser does the logins; at another "
                   "provider you do each one here: open its link, log in, paste the address you land on "
                   "(<code>python -m widgets scorecard --loopback</code> catches them on 127.0.0.1 "
                   "instead).</span>"),
            self._checks,
            self._count,
            self._score,
            self._login_box,
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
    def card(self):
        """The scorecard of today's provider settings, or None."""
        return self._model.scorecard_card

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
        self._render_scorecard()
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

    def _render_scorecard(self) -> None:
        model = self._model
        picked = set(model.scorecard_checks)
        self._syncing = True
        try:
            for key, box in self._picks.items():
                box.value = key in picked
        finally:
            self._syncing = False
        if picked:
            self._count.value = (f"<div style='font-size:13px;margin:2px 0'>These checks need up to "
                                 f"<b>{esc(_logins(model.scorecard_logins_needed))}</b>; a provider that refuses "
                                 "a request before its login page needs fewer.</div>")
        else:
            self._count.value = ("<div style='font-size:13px;margin:2px 0'>No check is picked: tick at least "
                                 "one.</div>")
        waiting = model.scorecard_login
        if waiting is None:
            self._login_box.layout.display = "none"
            self._progress.value = self._login_link.value = ""
        else:
            login = waiting.login
            self._login_box.layout.display = None
            self._progress.value = (
                f"<div style='font-size:13px;line-height:1.6'><b>Login {waiting.number} of up to {waiting.most}</b>"
                f" · this login answers: {esc(login.purpose)}</div>")
            self._login_link.value = (
                "<div style='margin:4px 0;font-size:13px;word-break:break-all'>"
                f"<a href=\"{attr(login.url)}\" target=\"_blank\" rel=\"noopener\" referrerpolicy=\"no-referrer\" "
                f"style='color:#1d4ed8;text-decoration:underline'>{esc(login.url)}</a></div>"
                "<div style='font-size:12px;color:#4b5563'>Open it, log in and approve. The page you land on may "
                "show an error: only its address matters. If the provider shows an error page instead of its "
                "login, paste what the page says.</div>")
        card = model.scorecard_card
        self._card.value = "" if card is None else scorecard_table_html(card)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._model.busy
        self._score.disabled = busy or not self._model.scorecard_checks
        self._skip.disabled = self._use.disabled = busy or self._model.scorecard_login is None
        self._landed.disabled = busy

    @handler
    def _on_pick(self, change) -> None:
        if self._syncing:
            return
        self._model.scorecard_checks = [key for key, box in self._picks.items() if box.value]

    @handler
    def _on_probe(self, _button=None) -> None:
        with self.working(self._probe, "Asking the provider…"):
            self._model.probe()

    @handler
    def _on_scorecard(self, _button=None) -> None:
        demo = self._model.scorecard_by_demo
        with self.working(self._score, "Logging in and checking…" if demo else "Asking the provider…"):
            self._model.scorecard()

    @handler
    def _on_use(self, _button=None) -> None:
        landed = self._landed.value.strip()
        self._landed.value = ""  # it carries a one-time code: not kept in the widget
        if not landed:
            self._model.notify("diagnose", "Nothing was pasted: paste the address you landed on, or skip this login.",
                               "warning")
            return
        with self.working(self._use, "Reading the answer, asking the provider…"):
            self._model.answer_scorecard_login(landed)

    @handler
    def _on_skip(self, _button=None) -> None:
        self._landed.value = ""  # whatever was pasted is not this login's answer
        with self.working(self._skip, "Skipping, asking the provider…"):
            self._model.skip_scorecard_login()

    @handler
    def _on_paste_ready(self, _button=None) -> None:
        self._model.paste_ready()
