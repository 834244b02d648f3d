"""Reveal a secret on screen without putting it into widget state.

Widget state (every synced trait) is what JupyterLab (with saveState on), nbconvert and nbclient
write into the .ipynb. So a revealed secret never goes into a trait or into a synced HTML string:
:class:`SecretView` (an anywidget ES module) syncs only labels, the masked forms and a flag; the
real values reach the browser in a custom widget message (``send``), which is not part of the
saved state, live only in the module's closure and the DOM while revealed, and are wiped on
hide. Its ``buttons`` form copies from that closure (``navigator.clipboard.writeText``); its
``line`` form is one line of monospace text, the masked form until revealed.

A Reveal toggle still turns itself off after :data:`REVEAL_SECONDS` (:func:`auto_hide`): that no
longer guards the saved notebook, it limits how long the secret is on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import anywidget
import ipywidgets as ipw
import traitlets

__all__ = ["REVEAL_SECONDS", "SecretView", "auto_hide"]

#: How long a revealed secret stays shown before the toggle turns itself off.
REVEAL_SECONDS = 30.0


def auto_hide(toggle: ipw.ToggleButton, seconds: float | None = None) -> None:
    """Turn ``toggle`` off after ``seconds`` (default :data:`REVEAL_SECONDS`) whenever it turns on."""
    timers: list[threading.Timer] = []

    def hide() -> None:
        toggle.value = False

    def on_change(change) -> None:
        while timers:
            timers.pop().cancel()
        if change["new"]:
            timer = threading.Timer(REVEAL_SECONDS if seconds is None else seconds, hide)
            timer.daemon = True
            timers.append(timer)
            timer.start()

    toggle.observe(on_change, names="value")


_ESM = r"""
const BUTTON_CSS = "font-size:12px;padding:2px 10px;margin-right:6px;border:1px solid #9ca3af;" +
  "border-radius:3px;background:#f9fafb;cursor:pointer";

function copyText(text, button, label) {
  const done = (m) => { button.textContent = m; setTimeout(() => { button.textContent = label; }, 1800); };
  const fallback = () => {
    const a = document.createElement("textarea");
    a.value = text;
    a.setAttribute("readonly", "");
    a.style.position = "fixed";
    a.style.opacity = "0";
    document.body.appendChild(a);
    a.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    a.value = "";
    a.remove();
    done(ok ? "Copied \u2713" : "Select the text and press Ctrl+C");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done("Copied \u2713"), fallback);
  } else {
    fallback();
  }
}

function render({ model, el }) {
  let values = [];  // the secrets: only here and in the DOM, only while revealed
  const draw = () => {
    for (const input of el.querySelectorAll("input")) input.value = "";
    el.replaceChildren();
    const labels = model.get("labels") || [];
    const on = model.get("revealed") && values.length > 0 && values.length === labels.length;
    if (model.get("kind") === "buttons") {
      if (!on) {
        const b = document.createElement("button");
        b.type = "button";
        b.disabled = true;
        b.title = "Reveal first";
        b.style.cssText = BUTTON_CSS + ";cursor:not-allowed;opacity:.6";
        b.textContent = "Copy";
        el.appendChild(b);
        return;
      }
      labels.forEach((label, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "wal-copy-button";
        b.style.cssText = BUTTON_CSS;
        b.textContent = label;
        b.addEventListener("click", () => { if (values[i] !== undefined) copyText(values[i], b, label); });
        el.appendChild(b);
      });
      return;
    }
    if (model.get("kind") === "line") {
      const masked = model.get("masked") || [];
      labels.forEach((_label, i) => {
        const line = document.createElement("code");
        line.className = "wal-secret-line";
        line.style.cssText = "font-family:monospace;word-break:break-all;margin:0 8px 0 2px";
        line.textContent = on ? values[i] : (masked[i] || "");
        el.appendChild(line);
      });
      return;
    }
    if (!on) return;
    labels.forEach((label, i) => {
      const row = document.createElement("div");
      row.style.cssText = "font-size:12px;margin:2px 0";
      row.append(label, document.createElement("br"));
      const input = document.createElement("input");
      input.type = "text";
      input.readOnly = true;
      input.style.cssText = "width:720px;font-family:monospace;font-size:12px";
      input.value = values[i];  // the property, never an attribute
      input.addEventListener("click", () => input.select());
      row.appendChild(input);
      el.appendChild(row);
    });
  };
  const onMessage = (msg) => {
    if (!msg) return;
    if (msg.event === "values" && Array.isArray(msg.values)) {
      values = model.get("revealed") ? msg.values.slice() : [];
      draw();
    } else if (msg.event === "hide") {
      values = [];
      draw();
    }
  };
  const onRevealed = () => {
    if (!model.get("revealed")) values = [];
    draw();
  };
  model.on("msg:custom", onMessage);
  model.on("change:revealed", onRevealed);
  model.on("change:labels", draw);
  model.on("change:masked", draw);
  draw();
  // a view drawn while revealed (re-rendered, a second view) asks for the values again
  if (model.get("revealed")) model.send({ event: "want" });
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:revealed", onRevealed);
    model.off("change:labels", draw);
    model.off("change:masked", draw);
    values = [];
    el.replaceChildren();
  };
}
export default { render };
"""


class SecretView(anywidget.AnyWidget):
    """Shows secrets (``kind="boxes"``: read-only text boxes; ``kind="line"``: one line of
    monospace text, masked until revealed) or copies them (``kind="buttons"``).

    Its synced state is ``labels``, ``masked`` (the masked forms) and ``revealed``: never a
    secret. :meth:`show` sends the values to the browser in a custom message; :meth:`conceal`
    shows the masked forms only; :meth:`hide` forgets the values here and tells the browser to
    wipe them.
    """

    _esm = _ESM
    kind = traitlets.Unicode("boxes").tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    masked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    revealed = traitlets.Bool(False).tag(sync=True)

    def __init__(self, kind: str = "boxes", **kwargs):
        super().__init__(kind=kind, **kwargs)
        self._values: list[str] = []
        self.on_msg(self._on_message)

    def __repr__(self) -> str:  # the values are not traits, but say so plainly
        return f"SecretView(kind={self.kind!r}, labels={self.labels!r}, revealed={self.revealed!r})"

    def show(self, items: Sequence[tuple[str, str, str]]) -> None:
        """Reveal ``(label, value, masked)`` items: labels and masked forms sync, values are sent."""
        self._values = [value for _label, value, _masked in items]
        self.labels = [label for label, _value, _masked in items]
        self.masked = [masked for _label, _value, masked in items]
        self.revealed = bool(self._values)
        self._send_values()

    def conceal(self, items: Sequence[tuple[str, str]]) -> None:
        """Show ``(label, masked)`` items masked (``line`` draws them): the values are forgotten and wiped."""
        self._forget()
        self.labels = [label for label, _masked in items]
        self.masked = [masked for _label, masked in items]

    def hide(self) -> None:
        """Forget the values and have the browser wipe them."""
        self._forget()
        self.labels = []
        self.masked = []

    def _forget(self) -> None:
        was = self.revealed or bool(self._values)
        self._values = []
        self.revealed = False
        if was:
            self.send({"event": "hide"})

    def _send_values(self) -> None:
        if self.revealed and self._values:
            self.send({"event": "values", "values": list(self._values)})

    def _on_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "want":
            self._send_values()
