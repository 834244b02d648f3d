"""Real-browser fixtures: Debian's chromium driven by Playwright, JupyterLab and Voilà servers.

What they are built from (chromium's flags, starting JupyterLab, the canaries) is in
:mod:`tests.support.browser`.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import (
    ARTIFACTS, CHROMIUM_FLAGS, NOTEBOOK, ROOT, free_port, isolated_env, require_browser, start_lab, stop, wait_http,
)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab on a free loopback port, token required, a copy of notebook 00 in its root."""
    process, info = start_lab(tmp_path_factory, [NOTEBOOK])
    try:
        yield info
    finally:
        stop(process)


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """The notebooks as a Voilà app, as `make app` serves them (token required); ``start`` opens 00."""
    require_browser()
    home = tmp_path_factory.mktemp("voila-home")
    port, token = free_port(), secrets.token_urlsafe(16)
    log = home / "voila.log"
    # As `make app` does: the token through JUPYTER_TOKEN, never on the command line (`ps`).
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK.parent), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--Voila.auto_token=True"]
    env = {**isolated_env(home), "JUPYTER_TOKEN": token}
    with open(log, "w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        # Any page of Voilà's would start a kernel; a static asset only proves it is up.
        wait_http(f"http://127.0.0.1:{port}/voila/static/favicon.ico", process, log)
        base = f"http://127.0.0.1:{port}"
        yield {"base": base, "token": token, "log": log,
               "start": f"{base}/voila/render/{NOTEBOOK.name}?token={token}"}
    finally:
        stop(process)
