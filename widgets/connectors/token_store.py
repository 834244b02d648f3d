"""Where ``keep`` holds the refresh token between runs: the OS keyring, else a 0600 file.

The keyring (the ``keyring`` library: macOS Keychain, Windows Credential Locker, the Secret
Service on a Linux desktop) is used when a real backend is there; on a server or in a
container there usually is none (``keyring.backends.fail``), and then a JSON file with mode
0600 in a 0700 folder (``$XDG_STATE_HOME/webhook-oauth-lab/refresh-tokens.json``, by default
under ``~/.local/state``) holds it, written atomically and never through a symlink.

What is stored per key: the refresh token, and about the access token it last produced its
expiry and a fingerprint (the first 16 hex digits of its SHA-256: enough to tell it is the
same token, useless to anyone holding the file). The refresh token is never printed, logged
or put in a ``repr``; it goes into the masking net when read.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ..core.redact import mask, remember
from .errors import TokenStoreError

__all__ = ["StoredRefresh", "RefreshTokenStore", "fingerprint", "keyring_usable", "default_store_path"]

SERVICE = "webhook-oauth-lab"


def fingerprint(token: str | None) -> str | None:
    return None if not token else hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, repr=False)
class StoredRefresh:
    refresh_token: str
    expires_at: float | None = None
    access_fingerprint: str | None = None

    def __repr__(self) -> str:
        return f"StoredRefresh(refresh_token={mask(self.refresh_token)!r}, expires_at={self.expires_at!r})"

    __str__ = __repr__

    def to_json(self) -> str:
        return json.dumps({"refresh_token": self.refresh_token, "expires_at": self.expires_at,
                           "access_fingerprint": self.access_fingerprint})

    @classmethod
    def from_json(cls, text: str) -> "StoredRefresh":
        try:
            data = json.loads(text)
            if isinstance(data, str):  # a bare refresh token put there by hand
                data = {"refresh_token": data}
            refresh = data["refresh_token"]
            if not isinstance(refresh, str) or not refresh:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise TokenStoreError("The stored refresh token entry is not readable.") from None
        remember(refresh)
        expires = data.get("expires_at")
        return cls(refresh, float(expires) if isinstance(expires, (int, float)) else None,
                   data.get("access_fingerprint"))


def default_store_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "webhook-oauth-lab" / "refresh-tokens.json"


def keyring_usable() -> bool:
    """True when ``keyring`` has a backend that really stores (not the fail or null one)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring set-up is "not usable"
        return False
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return False
    return True


class RefreshTokenStore:
    """Refresh tokens by key (one per connector). ``backend``: ``auto``, ``keyring`` or ``file``."""

    def __init__(self, backend: str = "auto", *, path: str | os.PathLike | None = None, service: str = SERVICE):
        if backend not in ("auto", "keyring", "file"):
            raise TokenStoreError(f"Unknown store {backend!r}: use auto, keyring or file.")
        if backend == "auto":
            backend = "keyring" if keyring_usable() else "file"
        elif backend == "keyring" and not keyring_usable():
            raise TokenStoreError("No usable OS keyring here (keyring found only its fail/null backend).",
                                  hint="Use --store file (a 0600 file), or install and unlock a keyring.")
        self.backend = backend
        self.service = service
        self.path = Path(path).expanduser() if path else default_store_path()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = f"path={str(self.path)!r}" if self.backend == "file" else f"service={self.service!r}"
        return f"RefreshTokenStore(backend={self.backend!r}, {where})"

    # -- public ---------------------------------------------------------------------------------
    def get(self, key: str) -> StoredRefresh | None:
        with self._lock:
            if self.backend == "keyring":
                text = self._keyring("get_password", key)
                return None if text is None else StoredRefresh.from_json(text)
            entry = self._read_file().get(key)
            return None if entry is None else StoredRefresh.from_json(json.dumps(entry))

    def put(self, key: str, refresh_token: str, *, expires_at: float | None = None,
            access_token: str | None = None) -> StoredRefresh:
        if not refresh_token or any(c.isspace() for c in refresh_token):
            raise TokenStoreError("The refresh token is empty or has spaces in it; nothing was stored.")
        remember(refresh_token)
        entry = StoredRefresh(refresh_token, expires_at, fingerprint(access_token))
        with self._lock:
            if self.backend == "keyring":
                self._keyring("set_password", key, entry.to_json())
            else:
                data = self._read_file()
                data[key] = json.loads(entry.to_json())
                self._write_file(data)
        return entry

    def delete(self, key: str) -> None:
        with self._lock:
            if self.backend == "keyring":
                try:
                    self._keyring("delete_password", key)
                except TokenStoreError:
                    pass
            else:
                data = self._read_file()
                if data.pop(key, None) is not None:
                    self._write_file(data)

    # -- keyring --------------------------------------------------------------------------------
    def _keyring(self, name: str, key: str, *value: str):
        import keyring

        try:
            return getattr(keyring, name)(self.service, key, *value)
        except Exception as exc:  # noqa: BLE001 - keyring's errors vary by backend; never show their text
            raise TokenStoreError(f"The OS keyring refused to {name.split('_')[0]} the entry "
                                  f"({type(exc).__name__}).") from None

    # -- file -----------------------------------------------------------------------------------
    def _read_file(self) -> dict:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise TokenStoreError(f"{self.path} cannot be opened ({exc.strerror or type(exc).__name__}).") from None
        with os.fdopen(fd, "r", encoding="utf-8") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise TokenStoreError(f"{self.path} can be read by other users.",
                                      hint=f"`chmod 600 {self.path}`: it holds refresh tokens.")
            try:
                data = json.load(fh)
            except ValueError:
                raise TokenStoreError(f"{self.path} is not a JSON object of refresh tokens.") from None
        if not isinstance(data, dict):
            raise TokenStoreError(f"{self.path} is not a JSON object of refresh tokens.")
        return data

    def _write_file(self, data: dict) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".refresh-tokens-", dir=folder)  # 0600, O_EXCL
        except OSError as exc:
            raise TokenStoreError(f"{folder} cannot be written ({exc.strerror or type(exc).__name__}).") from None
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, self.path)  # replaces a symlink itself, never writes through it
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
