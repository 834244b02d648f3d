"""The pending-authorization file that ``authorize`` writes and ``exchange`` reads (mode 0600).

It holds the state and the PKCE verifier (:meth:`AuthorizationRequest.to_dict`) and the settings
of the exchange, which say where the client secret is sent next. So it is created private, never
overwritten, never followed through a symlink, and refused when another user owns it or could
write it. The client secret itself is never written. Only the file is checked here; what it says
is checked by :meth:`AuthorizationRequest.from_dict` and :func:`widgets.cli.commands._cmd_exchange`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from ..core.errors import ConfigError, StateMismatchError

__all__ = ["default_state_dir", "path_for", "write_private", "find_state_file", "load_state_file"]

_STATE_PREFIX = 12
_SAFE_STATE = re.compile(r"^[A-Za-z0-9_-]+$")


def default_state_dir() -> Path:
    """``$XDG_CACHE_HOME/webhook-oauth-lab`` (default ``~/.cache/webhook-oauth-lab``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "webhook-oauth-lab"


def path_for(state: str) -> Path:
    """Where ``authorize`` keeps the pending authorization for ``state`` by default."""
    return default_state_dir() / f"pending-{state[:_STATE_PREFIX]}.json"


def write_private(path: Path, data: dict) -> None:
    """Create ``path`` with mode 0600, refusing to overwrite or to follow a symlink."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ConfigError({"state_file": [f"{path} already exists; choose another path or delete it"]}) from None
    except OSError as exc:
        raise ConfigError({"state_file": [f"cannot create {path}: {exc.strerror or exc}"]}) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask said
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def find_state_file(state_file: str | None, pasted: str) -> Path:
    """``state_file`` if given, else the file named by the pasted state (or the only one there)."""
    if state_file:
        return Path(state_file).expanduser()
    from ..core.authorize import parse_pasted_redirect

    state = parse_pasted_redirect(pasted).state
    folder = default_state_dir()
    if state:
        if not _SAFE_STATE.match(state):
            # Never let text from a pasted URL pick a path.
            raise StateMismatchError("The state in the pasted address is not one this tool makes.")
        path = path_for(state)
        if not path.exists():
            raise StateMismatchError(
                "No pending authorization here matches the state in the pasted address.",
                hint="Paste the address from the login you started with `authorize` on this machine (each "
                "link can be completed once, within 15 minutes), or pass its --state-file.",
            )
        return path
    pending = sorted(folder.glob("pending-*.json")) if folder.is_dir() else []
    if len(pending) != 1:
        raise ConfigError({"state_file": [
            "the paste carries no state, and there is not exactly one pending authorization; pass --state-file"]})
    return pending[0]


def load_state_file(path: Path, warn: Callable[[str], None]) -> object:
    """The file's JSON, once it is known to be a regular file only this user can write.

    What the JSON says is checked by :meth:`AuthorizationRequest.from_dict`, not here.
    """
    try:
        info = path.lstat()
    except OSError:
        raise ConfigError({"state_file": [f"{path} does not exist (already used, or never created)"]}) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError({"state_file": [f"{path} is not a regular file"]})
    # The file says where the client secret is sent next: only trust one nobody else could write.
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError({"state_file": [f"{path} belongs to another user; refusing to use it"]})
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError({"state_file": [f"{path} is writable by other users; refusing to use it"]})
    if info.st_mode & 0o077:
        warn(f"{path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):o}); it should be 0600.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise ConfigError({"state_file": [f"{path} is not a state file written by `authorize`"]}) from None
    return data

