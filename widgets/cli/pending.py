"""The pending-authorization file that ``authorize`` writes and ``exchange`` reads (mode 0600),
and :func:`open_private`, the one way the command line opens a file to write (``--transcript`` too).

It holds the state and the PKCE verifier (:meth:`AuthorizationRequest.to_dict`) and the settings
of the exchange, which say where the client secret is sent next. So it is created private, never
overwritten, never followed through a symlink, and refused when another user owns it or could
write it. The client secret itself is never written. Only the file is checked here; what it says
is checked by :meth:`AuthorizationRequest.from_dict` and :func:`widgets.cli.commands._cmd_exchange`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from ..core.errors import ConfigError, StateMismatchError

__all__ = ["default_state_dir", "path_for", "open_private", "write_private", "find_state_file", "load_state_file"]

_STATE_PREFIX = 12
_SAFE_STATE = re.compile(r"^[A-Za-z0-9_-]+$")


def default_state_dir() -> Path:
    """``$XDG_CACHE_HOME/webhook-oauth-lab`` (default ``~/.cache/webhook-oauth-lab``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "webhook-oauth-lab"


def path_for(state: str) -> Path:
    """Where ``authorize`` keeps the pending authorization for ``state`` by default."""
    return default_state_dir() / f"pending-{state[:_STATE_PREFIX]}.json"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a FIFO must fail or return at once, not wait for the other end.
_OPEN_FLAGS = _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _refused(field: str, problem: str, hint: str | None = None) -> ConfigError:
    return ConfigError({field: [problem]}, hint=hint)


def open_private(path: Path, *, field: str, replace: bool = False) -> int:
    """A descriptor open for writing on ``path``: a regular file of this user's, mode 0600.

    The last component of ``path`` is never followed if it is a symbolic link (``O_NOFOLLOW``),
    and what was opened is checked on the descriptor itself (``fstat``), so nothing can be
    swapped in between a check and the open. ``replace=False`` creates the file and refuses an
    existing one (``O_EXCL``). ``replace=True`` also takes an existing regular file owned by
    this user with no other hard link, and empties it, only after those checks (``O_TRUNC``
    would empty whatever the open reached first). A refusal is a :class:`ConfigError` on
    ``field`` with a hint.
    """
    hint = ("Give a new file, or a regular file of yours. Symbolic links, other users' files and "
            "special files are refused, so that what this tool writes cannot end up elsewhere.")
    flags = os.O_WRONLY | os.O_CREAT | _OPEN_FLAGS | (0 if replace else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise _refused(field, f"{path} already exists; choose another path or delete it") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refused(field, f"{path} is a symbolic link; refusing to write through it", hint) from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):
            raise _refused(field, f"{path} is not a regular file", hint) from None
        raise _refused(field, f"cannot create {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(field, f"{path} is not a regular file", hint)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise _refused(field, f"{path} belongs to another user; refusing to write to it", hint)
        if info.st_nlink > 1:
            raise _refused(field, f"{path} has other hard links; refusing to write to it", hint)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask said, or the file's mode before
        os.ftruncate(fd, 0)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: Path, data: dict) -> None:
    """Create ``path`` (and its folder, 0700) with mode 0600 holding ``data`` as JSON.

    Refuses to overwrite or to follow a symlink: see :func:`open_private`.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = open_private(path, field="state_file")
    try:
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

    The file is opened once, without following a symbolic link, and the checks are made on
    that descriptor (``fstat``): checking the path first and opening it after would leave a
    moment in which the file could be swapped. What the JSON says is checked by
    :meth:`AuthorizationRequest.from_dict`, not here.
    """
    try:
        fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except FileNotFoundError:
        raise ConfigError({"state_file": [f"{path} does not exist (already used, or never created)"]}) from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):
            raise ConfigError({"state_file": [f"{path} is not a regular file"
                                              + (" (a symbolic link)" if exc.errno == errno.ELOOP else "")]}) from None
        raise ConfigError({"state_file": [f"cannot read {path}: {exc.strerror or exc}"]}) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
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
            os.set_blocking(fh.fileno(), True)
            data = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            raise ConfigError({"state_file": [f"{path} is not a state file written by `authorize`"]}) from None
    return data
