"""Running the command line in-process, as the CLI tests do: no secret may reach its output."""

from __future__ import annotations

from tests.support.canaries import CANARY_SECRET
from widgets.cli.main import main

__all__ = ["SECRET_ENV", "run_cli"]

#: The environment variable the tests hand the client secret in (``--client-secret-env``).
SECRET_ENV = "WEBHOOK_LAB_TEST_SECRET"


def run_cli(capsys, *argv):
    """main(argv) -> (exit code, stdout, stderr); asserts the client secret is in neither, nor a
    JWT (access token), whole or in part, unless ``--reveal`` asked for it."""
    code = main(list(argv))
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert CANARY_SECRET not in text
        assert "canary-SECRET" not in text
        if "--reveal" not in argv:
            assert "eyJ" not in text
    return code, captured.out, captured.err
