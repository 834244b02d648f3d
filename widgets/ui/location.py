"""What only the browser knows: the page's origin, the Jupyter server's base URL, and whether that
server passes requests on to this machine's ports (jupyter-server-proxy).

On Binder, a JupyterHub or a remote Jupyter server the browser cannot open 127.0.0.1 of the
kernel's machine, and the kernel cannot know the address the browser uses: behind a hub's proxy,
a load balancer or an SSH tunnel, only ``location`` in the page says it. So :class:`JupyterPage`
is a tiny widget (anywidget: an ES module the widget manager loads in JupyterLab, Notebook 7 and
Voilà alike, with no extension of ours to install) whose front end reads ``location.origin`` and
the server's ``baseUrl`` (the ``jupyter-config-data`` every Jupyter page carries), asks
``<baseUrl>server-proxy/servers-info`` whether jupyter-server-proxy is loaded, and syncs the
answers to the kernel. Then :meth:`JupyterPage.proxy_url` gives
``<origin><baseUrl>proxy/<port>``, where the browser reaches a port of the kernel's machine.

Only the origin and the base path are sent to the kernel: never the page's query, which may hold
the Jupyter token. The answer arrives as a widget message, so a cell that runs in the same *Run
all* as the one that displayed the widget does not have it yet; the wizard reacts when it comes.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import anywidget
from traitlets import Unicode

__all__ = ["JupyterPage"]

_ESM = r"""
function serverBase() {
  const data = document.getElementById("jupyter-config-data");
  if (!data) return "";
  try {
    const base = JSON.parse(data.textContent).baseUrl || "";
    return base.endsWith("/") ? base : base + "/";
  } catch (e) {
    return "";
  }
}

async function initialize({ model }) {
  const base = serverBase();
  model.set("origin", window.location.origin);
  model.set("base_url", base);
  model.save_changes();
  let proxy = "no";
  if (base) {
    try {
      const answer = await fetch(base + "server-proxy/servers-info", { credentials: "same-origin" });
      proxy = answer.ok ? "yes" : "no";
    } catch (e) {
      proxy = "no";
    }
  }
  model.set("proxy", proxy);
  model.save_changes();
}

function render({ model, el }) {
  el.classList.add("wal-page-location");
  const show = () => {
    el.textContent = model.get("note");
    el.style.display = model.get("note") ? "" : "none";
  };
  model.on("change:note", show);
  show();
}

export default { initialize, render };
"""


class JupyterPage(anywidget.AnyWidget):
    """The notebook page as the browser sees it; ``proxy`` is ``"unknown"`` until the page answers.

    ``origin`` (``https://hub.example.org``) and ``base_url`` (``/user/ana/``, ``""`` outside a
    Jupyter server's page) come from the browser; ``proxy`` is ``"yes"`` when the Jupyter server
    that served the page runs jupyter-server-proxy, ``"no"`` when it does not (Voilà on its own,
    or a server without the extension). ``note`` is a sentence the widget shows (plain text).
    """

    _esm = _ESM
    origin = Unicode("").tag(sync=True)
    base_url = Unicode("").tag(sync=True)
    proxy = Unicode("unknown").tag(sync=True)
    note = Unicode("").tag(sync=True)

    @property
    def known(self) -> bool:
        """True once the browser has said whether the proxy is there."""
        return self.proxy in ("yes", "no")

    def proxy_url(self, port: int | str) -> str | None:
        """``<origin><base_url>proxy/<port>``, or None when the page has no proxy (or has not said).

        ``port`` may be ``"{port}"``, for a server that binds its port later.
        """
        if self.proxy != "yes":
            return None
        return proxy_url(self.origin, self.base_url, port)


def proxy_url(origin: str, base_url: str, port: int | str) -> str | None:
    """The address jupyter-server-proxy gives ``127.0.0.1:<port>``: ``<origin><base_url>proxy/<port>``.

    None when ``origin`` is not an http(s) origin. ``base_url`` defaults to the hub's
    ``JUPYTERHUB_SERVICE_PREFIX`` when empty.
    """
    parts = urlsplit(origin or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return None
    base = base_url or os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    return f"{parts.scheme}://{parts.netloc}{base}proxy/{port}"
