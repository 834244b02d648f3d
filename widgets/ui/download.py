"""A button that saves a file in the person's browser: JupyterLab and Voilà alike.

The kernel writes nothing to disk (a file in ``notebooks/`` would be one more place a
transcript lives, and in Voilà or on a hub the person cannot reach the server's disk anyway).
A click in the browser asks the kernel for the file; the kernel makes it then and sends it
in a custom widget message; the browser turns it into a ``Blob`` and clicks an ``<a download>``
for it. The file's content is never a widget trait, so it is never in the widget state a
notebook can save, and it is always made from the transcript as it is at the click.

anywidget (https://anywidget.dev) carries the front-end code; it is what itables' widget
runs on, so it is here already.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import anywidget
import traitlets

from ..core.redact import scrub

__all__ = ["Download", "DownloadButton"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Download:
    """What a download button sends: a file name, its MIME type, its text."""

    filename: str
    mime: str
    text: str


_ESM = r"""
function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button widget-button wal-download-button";
  const label = () => {
    // the icon ipywidgets' own buttons use (Font Awesome, loaded with them); hidden from readers
    button.innerHTML = '<i class="fa fa-download" aria-hidden="true"></i> ';
    button.append(model.get("busy") ? "Preparing…" : model.get("description"));
    button.disabled = model.get("busy") || model.get("disabled");
    button.title = model.get("tooltip");
  };
  label();
  model.on("change:description", label);
  model.on("change:busy", label);
  model.on("change:disabled", label);
  model.on("change:tooltip", label);
  button.addEventListener("click", () => model.send({ event: "want" }));
  const onFile = (msg) => {
    if (!msg || msg.event !== "file") return;
    const blob = new Blob([msg.text], { type: msg.mime });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = msg.filename;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };
  model.on("msg:custom", onFile);
  el.appendChild(button);
  return () => model.off("msg:custom", onFile);
}
export default { render };
"""


class DownloadButton(anywidget.AnyWidget):
    """A button whose click downloads ``make()`` in the browser.

    ``make`` returns a :class:`Download`; it runs in the kernel at each click. ``on_sent``
    (optional) is called with that Download after it was sent, e.g. to say so in the step.
    ``on_error`` is called with an exception ``make`` raised (nothing is sent then).
    """

    _esm = _ESM
    description = traitlets.Unicode("Download").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)

    def __init__(self, description: str, make: Callable[[], Download], *, tooltip: str = "",
                 on_sent: Callable[[Download], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None, **kwargs):
        super().__init__(description=description, tooltip=tooltip, **kwargs)
        self._make = make
        self._on_sent = on_sent
        self._on_error = on_error
        self.on_msg(self._on_message)

    def prepare(self) -> Download:
        """What a click would send now (no browser needed: the tests read this)."""
        return self._make()

    def click(self) -> Download | None:
        """Do what a click in the browser does; returns what was sent (None on an error)."""
        self.busy = True
        try:
            download = self._make()
        except Exception as exc:  # the step says what failed; a traceback never reaches the page
            log.debug("download %s failed: %s", self.description, scrub("".join(traceback.format_exception(exc))))
            if self._on_error is not None:
                self._on_error(exc)
            return None
        finally:
            self.busy = False
        self.send({"event": "file", "filename": download.filename, "mime": download.mime, "text": download.text})
        if self._on_sent is not None:
            self._on_sent(download)
        return download

    def _on_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "want" and not self.disabled:
            self.click()
