"""What the real-browser tests build on: where chromium is, the flags that keep it off the
(closed) network, JupyterLab started on loopback in a home of its own, the canaries it runs with.

Playwright cannot download its own browser here, so the system chromium is used. Without it the
browser tests skip with one line, except under CI=true, where a missing browser fails: CI must
not silently skip them. The fixtures on top of these are in tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "00-start-here.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Canary secrets the notebook's demo provider is started with (it reads these variables).
CANARIES = {
    "WAL_DEMO_CLIENT_SECRET": "canary-browser-client-secret-5e1d7c",
    "WAL_DEMO_WEBHOOK_PASSWORD": "canary-browser-webhook-pw-0b3f9a",
    "WAL_DEMO_PASSWORD": "canary-browser-login-pw-7c2e41",
}
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")


def chromium_path() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def require_browser() -> str:
    path = chromium_path()
    reason = None
    if path is None:
        reason = "chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (make test installs it)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready at {url}:\n{log.read_text()[-3000:]}")


def isolated_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        **CANARIES,
    )
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_lab(tmp_path_factory, notebooks, *, base_url: str = "/", name: str = "lab", extra_args=(),
              env: dict[str, str] | None = None, root: Path | None = None):
    """JupyterLab on a free loopback port, token required, copies of ``notebooks`` in its root.

    Returns (process, info); ``info["base"]`` is the server's URL with its ``base_url``
    (``http://127.0.0.1:P/user/ana/`` without the trailing slash), ``info["origin"]`` without it.
    ``root``: serve that folder (a checkout) instead of a new one.
    """
    require_browser()
    home = tmp_path_factory.mktemp(f"{name}-home")
    root = root if root is not None else tmp_path_factory.mktemp(f"{name}-root")
    for notebook in notebooks:
        shutil.copy(notebook, root / notebook.name)
    port, token = free_port(), secrets.token_urlsafe(16)
    log = home / "lab.log"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--IdentityProvider.token={token}",
           f"--port={port}", "--ip=127.0.0.1", "--ServerApp.port_retries=0", "--allow-root",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=", "--ServerApp.open_browser=False",
           f"--ServerApp.base_url={base_url}", *extra_args]
    with open(log, "w") as out:
        process = subprocess.Popen(cmd, env={**isolated_env(home), **(env or {})}, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=root)
    origin = f"http://127.0.0.1:{port}"
    base = origin + base_url.rstrip("/")
    try:
        wait_http(f"{base}/api/status?token={token}", process, log)
    except BaseException:
        stop(process)
        raise
    return process, {"base": base, "origin": origin, "token": token, "root": root, "log": log, "home": home}
