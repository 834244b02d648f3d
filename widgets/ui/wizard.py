"""The guided wizard: six steps in an ``ipywidgets.Stack`` with Back/Next and a breadcrumb whose
every step is a button that goes there.

    from widgets import Wizard
    wizard = Wizard()          # last expression of the cell: the notebook displays it
    ...
    wizard.close()             # stops the demo provider if the wizard started one

The state and the work live in :class:`~widgets.ui.model.WizardModel`; this module only lays
out the steps and moves between them.
"""

from __future__ import annotations

import ipywidgets as ipw

from ..core.config import WebhookAuthConfig
from ..core.transcript import Transcript
from .location import JupyterPage
from .markup import esc
from .model import STEP_TITLES, STEPS, WizardModel
from .steps import AuthTypeStep, DetailsStep, DiagnoseStep, ResultStep, ResultsTableStep, RunStep, Step

__all__ = ["Wizard"]


def _descendants(widget: ipw.Widget):
    for child in getattr(widget, "children", ()) or ():
        yield from _descendants(child)
        yield child
    for name in ("layout", "style"):
        sub = getattr(widget, name, None)
        if isinstance(sub, ipw.Widget):
            yield sub


class Wizard(ipw.VBox):
    """Authenticate a webhook step by step: Auth type, Details, Run, Result, Results table, Diagnose.

    ``provider``: a running :class:`~widgets.demo.DemoProvider` for "Fill from the demo
    provider" (one is started on demand when omitted; :meth:`close` stops it).
    ``transcript``: where every exchange is recorded (a new one by default).
    ``config``: a :class:`~widgets.config.WebhookAuthConfig` to start from.
    """

    def __init__(self, provider=None, transcript: Transcript | None = None,
                 config: WebhookAuthConfig | None = None):
        super().__init__()
        self._model = model = WizardModel(provider=provider, transcript=transcript, config=config)
        # Where the browser is: when the page comes through a Jupyter server that proxies ports,
        # the demo's pages (and a caught callback) go through it; see widgets.ui.location.
        self._page = JupyterPage()
        self._page.observe(self._on_page, names=["proxy"])
        model.on_provider_start = lambda _provider: self.route_provider()
        self._auth_type_step = AuthTypeStep(model)
        self._details_step = DetailsStep(model)
        commit = lambda: self._details_step.commit(show=True)  # noqa: E731
        self._run_step = RunStep(model, before_run=commit, page=self._page)
        self._result_step = ResultStep(model, before_run=commit)
        self._results_table_step = ResultsTableStep(model)
        self._diagnose_step = DiagnoseStep(model)
        self._steps: dict[str, Step] = {
            "auth_type": self._auth_type_step,
            "details": self._details_step,
            "run": self._run_step,
            "result": self._result_step,
            "results_table": self._results_table_step,
            "diagnose": self._diagnose_step,
        }
        assert tuple(self._steps) == STEPS
        self._stack = ipw.Stack(children=list(self._steps.values()), selected_index=0)
        self._indicator = ipw.HTML()
        self._indicator.add_class("wal-step-indicator")
        # The breadcrumb goes where it says: each step's name is a button (Back/Next stay the
        # way through Details that checks the form first).
        self._crumbs = {name: ipw.Button(description=f"{i + 1}. {STEP_TITLES[name]}",
                                         tooltip=f"Go to step {i + 1}: {STEP_TITLES[name]}",
                                         layout=ipw.Layout(width="auto", height="26px", margin="0 4px 0 0"))
                        for i, name in enumerate(STEPS)}
        for name, crumb in self._crumbs.items():
            crumb.add_class("wal-crumb")
            crumb.add_class(f"wal-crumb-{name}")
            crumb.style.font_size = "12px"
            crumb.on_click(lambda _b, name=name: self.go_to(name))
        self._breadcrumb = ipw.HBox(list(self._crumbs.values()), layout=ipw.Layout(flex_flow="row wrap",
                                                                                    margin="0 0 6px 0"))
        self._breadcrumb.add_class("wal-breadcrumb")
        self._back = ipw.Button(description="Back", icon="arrow-left", layout=ipw.Layout(width="auto"))
        self._back.add_class("wal-back")
        self._next = ipw.Button(description="Next", icon="arrow-right", button_style="primary",
                              layout=ipw.Layout(width="auto"))
        self._next.add_class("wal-next")
        self._back.on_click(lambda _b: self.back())
        self._next.on_click(lambda _b: self.next())
        model.observe(self._on_step, names="step")
        model.observe(self._on_busy, names="busy")
        self.children = [
            ipw.HTML("<div style='font-size:16px;font-weight:600;margin-bottom:2px'>Webhook authentication</div>"),
            self._page,
            self._indicator,
            self._breadcrumb,
            self._stack,
            ipw.HBox([self._back, self._next], layout=ipw.Layout(margin="10px 0 0 0")),
        ]
        self.add_class("wal-wizard")
        self.layout.border = "1px solid #e5e7eb"
        self.layout.padding = "10px 14px"
        self.layout.max_width = "980px"
        self._render_nav()
        self.current_step.show()

    # -- state -------------------------------------------------------------------------------
    @property
    def model(self) -> WizardModel:
        return self._model

    @property
    def config(self) -> WebhookAuthConfig:
        return self._model.config

    @property
    def token(self):
        return self._model.token

    @property
    def transcript(self) -> Transcript:
        return self._model.transcript

    @property
    def provider(self):
        return self._model.provider

    @property
    def delivery(self):
        return self._model.delivery

    @property
    def step(self) -> str:
        """The current step's name, one of :data:`~widgets.ui.model.STEPS`."""
        return self._model.step

    @property
    def steps(self) -> dict[str, Step]:
        return dict(self._steps)

    @property
    def current_step(self) -> Step:
        return self._steps[self._model.step]

    auth_type_step = property(lambda self: self._auth_type_step)
    details_step = property(lambda self: self._details_step)
    run_step = property(lambda self: self._run_step)
    result_step = property(lambda self: self._result_step)
    results_table_step = property(lambda self: self._results_table_step)
    diagnose_step = property(lambda self: self._diagnose_step)

    # -- moving ------------------------------------------------------------------------------
    def go_to(self, name: str) -> None:
        """Show step ``name`` (leaving Details stores the form, without blocking on problems)."""
        self._model.go_to(name)

    def next(self) -> bool:
        """One step on. From Details, only when the form has no problems (they are shown)."""
        if self._model.step == "details" and self._details_step.commit(show=True):
            return False
        return self._model.next()

    def back(self) -> bool:
        return self._model.back()

    def _on_step(self, change) -> None:
        self._steps[change["old"]].hide()
        if change["old"] == "details":
            self._details_step.commit(show=False)  # empties any secret still in a widget
        self._stack.selected_index = STEPS.index(change["new"])
        self._render_nav()
        self._steps[change["new"]].show()

    @property
    def page(self) -> JupyterPage:
        """What the browser said about the page (origin, Jupyter base URL, proxy)."""
        return self._page

    def _on_page(self, change) -> None:
        self.route_provider()

    def route_provider(self) -> None:
        """Send the browser to the demo provider through the Jupyter server when the page can.

        Leaves a ``public_url`` someone set alone; says on the page what was decided.
        """
        page, provider = self._page, self._model.provider
        if not page.known or provider is None:
            return
        try:
            port = provider.port
        except RuntimeError:  # not started yet: fill_from_provider starts it and calls again
            return
        proxied = page.proxy_url(port)
        if proxied and provider.public_url is None:
            provider.public_url = proxied
        if provider.public_url:
            page.note = (f"The demo provider's pages open through the Jupyter server ({provider.public_url}/…), "
                         "so the login works wherever this notebook runs; the kernel calls it directly.")
        else:
            page.note = ""

    def _on_busy(self, change) -> None:
        self._render_nav()

    def _render_nav(self) -> None:
        i = self._model.index
        busy = self._model.busy
        self._back.disabled = busy or i == 0
        self._next.disabled = busy or i == len(STEPS) - 1
        for j, (name, crumb) in enumerate(self._crumbs.items()):
            crumb.disabled = busy
            current = j == i
            crumb.style.font_weight = "bold" if current else ""
            crumb.style.button_color = "#dbeafe" if current else "#f3f4f6"
            crumb.style.text_color = "#111827"
            if current:
                crumb.add_class("wal-crumb-current")
            else:
                crumb.remove_class("wal-crumb-current")
        self._indicator.value = (
            f"<div style='font-size:13px;margin-bottom:4px'>"
            f"<span class='wal-step-count'>Step {i + 1} of {len(STEPS)} · {esc(STEP_TITLES[STEPS[i]])}</span></div>"
        )

    @property
    def indicator_text(self) -> str:
        i = self._model.index
        return f"Step {i + 1} of {len(STEPS)} · {STEP_TITLES[STEPS[i]]}"

    # -- end -----------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the demo provider this wizard started (if any) and close every widget in it."""
        model = getattr(self, "_model", None)
        if model is not None:
            model.close()
        for widget in list(_descendants(self)):
            widget.close()
        super().close()
