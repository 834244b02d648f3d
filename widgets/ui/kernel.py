"""The kernel's event loop, where there is one: callbacks from threads are handed to it."""

from __future__ import annotations

import asyncio

__all__ = ["kernel_loop"]


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop of the IPython kernel this code runs in; None in scripts and tests.

    ``asyncio.get_running_loop()`` alone is not enough: after nbclient (nest_asyncio) ran in a
    process, it can report a loop that nobody runs, and a callback handed to it never runs.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
