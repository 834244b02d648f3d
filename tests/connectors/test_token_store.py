"""The refresh token store: the OS keyring when a real backend exists, else a 0600 file."""

from __future__ import annotations

import os
import stat

import keyring
import pytest
from keyring.backend import KeyringBackend

from widgets.connectors import RefreshTokenStore, TokenStoreError
from widgets.connectors.token_store import keyring_usable

RT = "refresh-token-canary-e45ac075a241"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend (the keyring library's own interface), holding entries in memory."""

    priority = 10

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_the_file_store_is_0600_in_a_0700_folder_and_round_trips(tmp_path):
    path = tmp_path / "state" / "rt.json"
    store = RefreshTokenStore("file", path=path)
    store.put("aid/c1", RT, expires_at=123.0, access_token="access-6dc9eeee6d75")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    got = RefreshTokenStore("file", path=path).get("aid/c1")
    assert got.refresh_token == RT and got.expires_at == 123.0 and got.access_fingerprint
    assert "access-6dc9eeee6d75" not in path.read_text()
    assert RT not in repr(got) + repr(store) + str(got)
    store.delete("aid/c1")
    assert store.get("aid/c1") is None


def test_a_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "rt.json"
    RefreshTokenStore("file", path=path).put("k", RT)
    os.chmod(path, 0o644)
    with pytest.raises(TokenStoreError, match="other users"):
        RefreshTokenStore("file", path=path).get("k")


def test_a_symlinked_file_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    os.chmod(target, 0o600)
    link = tmp_path / "rt.json"
    link.symlink_to(target)
    with pytest.raises(TokenStoreError):
        RefreshTokenStore("file", path=link).get("k")
    assert target.read_text() == "{}"


def test_auto_uses_a_usable_keyring_and_never_writes_a_file(memory_keyring, tmp_path):
    store = RefreshTokenStore("auto", path=tmp_path / "rt.json")
    assert store.backend == "keyring"
    store.put("aid/c1", RT)
    assert store.get("aid/c1").refresh_token == RT
    assert not (tmp_path / "rt.json").exists()
    assert any(RT in value for value in memory_keyring.entries.values())


def test_auto_falls_back_to_the_file_when_keyring_has_only_its_fail_backend(tmp_path):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not keyring_usable()
        assert RefreshTokenStore("auto", path=tmp_path / "rt.json").backend == "file"
        with pytest.raises(TokenStoreError, match="keyring"):
            RefreshTokenStore("keyring")
    finally:
        keyring.set_keyring(previous)


def test_a_refresh_token_with_spaces_is_not_stored(tmp_path):
    with pytest.raises(TokenStoreError):
        RefreshTokenStore("file", path=tmp_path / "rt.json").put("k", "two words")
