"""Catch the authorization response in the kernel, so nobody has to paste it.

A :class:`~widgets.diagnose.catcher.LoopbackCatcher` listens on 127.0.0.1 of the kernel's machine.
When the notebook's page comes through a Jupyter server with jupyter-server-proxy (see
:mod:`widgets.ui.location`), the redirect URI is the catcher's address *through that server*
(``<origin><base_url>proxy/<port>/callback``), so the answer reaches the kernel wherever Jupyter
runs; otherwise it is the catcher's loopback address, which only a browser on the kernel's machine
can open. The demo provider has that address registered for its client here; a real provider must
have it registered by a person first (the option says which address).

Pasting stays the method the notebooks teach; this is an option of the Run step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import ipywidgets as ipw

from ..core.errors import WebhookAuthError
from ..diagnose.catcher import CatcherError, LoopbackCatcher
from .kernel import kernel_loop
from .markup import esc, mono

__all__ = ["CatchOption"]


class CatchOption(ipw.VBox):
    """A checkbox "catch the answer here"; :meth:`prepare` before building a link, :meth:`arm` after.

    ``page``: the :class:`~widgets.ui.location.JupyterPage` of the wizard (None: loopback only).
    ``on_caught(url)`` runs on the kernel's event loop when the browser arrives with an answer;
    ``on_failed(error)`` when no answer came in time.
    """

    def __init__(self, model, page=None, *, on_caught: Callable[[str], None],
                 on_failed: Callable[[WebhookAuthError], None], timeout: float = 600):
        super().__init__()
        self._model, self._page = model, page
        self._on_caught, self._on_failed = on_caught, on_failed
        self._timeout = timeout
        self._catcher: LoopbackCatcher | None = None
        self._port = 0  # 0 until a catcher has bound one
        self._toggle = ipw.Checkbox(value=False, indent=False, layout=ipw.Layout(width="auto"),
                                  description="Catch the answer here instead of pasting it "
                                              "(steps 3 and 4 then happen by themselves)")
        self._toggle.add_class("wal-catch")
        self._where = ipw.HTML()
        self._where.add_class("wal-catch-where")
        self.children = [self._toggle, self._where]

    @property
    def enabled(self) -> bool:
        return self._toggle.value

    @property
    def catcher(self) -> LoopbackCatcher | None:
        return self._catcher

    def prepare(self) -> None:
        """Start a catcher and point the config's Redirect URI at it (only when ticked)."""
        self.stop()
        if not self.enabled:
            self._where.value = ""
            return
        public = self._page.proxy_url("{port}") if self._page is not None else None
        # The same port as last time when it is free: an address registered with a provider stays valid.
        try:
            catcher = LoopbackCatcher(port=self._port, public_url=public, timeout=self._timeout).start()
        except CatcherError:
            catcher = LoopbackCatcher(public_url=public, timeout=self._timeout).start()
        self._catcher, self._port = catcher, catcher.port
        provider = self._model.provider
        if self._model.using_demo_provider:
            provider.register_redirect_uri(catcher.redirect_uri)
            registered = "The demo provider has it registered for its client."
        else:
            registered = "Register exactly this address as a redirect URI of the client with your provider first."
        through = ("through the Jupyter server (jupyter-server-proxy), so it works wherever Jupyter runs"
                   if public else "on 127.0.0.1 of the kernel's machine: only a browser on that machine reaches it")
        self._model.apply({"redirect_uri": catcher.redirect_uri})
        self._where.value = (
            "<div style='font-size:13px;line-height:1.6'>"
            f"Redirect URI: {mono(catcher.redirect_uri)}<br>"
            f"The answer comes back {esc(through)}. {esc(registered)}</div>"
        )

    def arm(self) -> None:
        """Wait for the answer in a background thread; hand it to ``on_caught`` on the kernel's loop."""
        catcher = self._catcher
        if catcher is None:
            return
        if self._model.authorization is not None:
            # Only the answer to this link: anything else arriving on the port is refused on arrival.
            catcher.expect(self._model.authorization.state)
        loop = kernel_loop()  # None outside a kernel (tests, scripts): call back from the thread

        def deliver(call, value):
            if loop is None:
                call(value)
            else:
                loop.call_soon_threadsafe(call, value)

        def wait():
            try:
                url = catcher.wait()
            except WebhookAuthError as exc:
                if self._catcher is catcher:  # not replaced or stopped meanwhile
                    deliver(self._on_failed, exc)
                return
            deliver(self._on_caught, url)

        threading.Thread(target=wait, name="CatchOption", daemon=True).start()

    def stop(self) -> None:
        catcher, self._catcher = self._catcher, None
        if catcher is not None:
            catcher.stop()

    def close(self) -> None:
        self.stop()
        super().close()
