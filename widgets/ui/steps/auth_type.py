"""Step 1: choose how the webhook authenticates, each choice explained in one sentence."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...core.config import AuthType
from ..markup import esc
from .base import Step, handler

__all__ = ["AuthTypeStep"]


class AuthTypeStep(Step):
    """Radio buttons of the four auth types, linked to ``model.auth_type``."""

    name = "auth_type"
    title = "Auth type"

    def __init__(self, model):
        super().__init__(model)
        self._choice = ipw.RadioButtons(
            options=[(t.label, t) for t in AuthType],
            value=model.auth_type,
            description="Auth type",
            layout=ipw.Layout(width="auto"),
        )
        self._choice.add_class("wal-auth-type")
        self._link = traitlets.link((self._choice, "value"), (model, "auth_type"))
        self._descriptions = ipw.HTML()
        self._descriptions.add_class("wal-auth-type-descriptions")
        model.observe(self._on_auth_type, names="auth_type")
        self.children = [
            ipw.HTML("<b>How does the webhook receiver expect to be authenticated?</b>"),
            self._choice,
            self._descriptions,
            self._message,
        ]
        self._render()

    @property
    def value(self) -> AuthType:
        return self._model.auth_type

    def select(self, auth_type: AuthType | str) -> None:
        self._choice.value = AuthType.parse(auth_type)

    @handler
    def _on_auth_type(self, change) -> None:
        self._render()

    def _render(self) -> None:
        rows = []
        for t in AuthType:
            chosen = t is self._model.auth_type
            style = ("background:#eef2ff;border-left:3px solid #4f46e5;" if chosen
                     else "border-left:3px solid transparent;")
            rows.append(
                f"<div class='wal-auth-type-{esc(t.value)}' style='{style}padding:3px 8px;margin:2px 0'>"
                f"<b>{esc(t.label)}</b>{' (chosen)' if chosen else ''}: {esc(t.description)}</div>"
            )
        self._descriptions.value = "<div style='font-size:13px;max-width:760px'>" + "".join(rows) + "</div>"
