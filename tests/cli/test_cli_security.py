"""The command line's side of issue 14: what the library now refuses reaches the CLI too
(RFC 9207 iss from discovered metadata, the bare-code opt-in)."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.cli import SECRET_ENV, run_cli
from widgets.cli.main import EXIT_MISMATCH, EXIT_OK


@pytest.fixture
def provider(make_demo, monkeypatch):
    running = make_demo(require_state=True, require_pkce=True, client_secret=CANARY_SECRET)
    monkeypatch.setenv(SECRET_ENV, running.client_secret)
    return running


def without(location: str, name: str) -> str:
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != name}
    return urlunsplit(parts._replace(query=urlencode(query)))


def code_exchanges(provider):
    return [r for r in provider.token_requests if r["grant_type"] == "authorization_code"]


def test_an_issuer_whose_metadata_says_iss_is_sent_refuses_an_answer_without_it(capsys, provider, tmp_path):
    state_file = tmp_path / "pending.json"
    # only --issuer: the endpoints, and that iss is always sent, come from discovery
    code, out, err = run_cli(capsys, "authorize", "--issuer", provider.issuer, "--client-id", provider.client_id,
                         "--client-secret-env", SECRET_ENV, "--redirect-uri", provider.callback_url,
                         "--state-file", str(state_file), "--json")
    assert code == EXIT_OK, err
    assert json.loads(state_file.read_text())["config"]["require_iss"] is True
    location = provider.approve(json.loads(out)["authorize_url"])
    code, _, err = run_cli(capsys, "exchange", without(location, "iss"), "--state-file", str(state_file),
                       "--client-secret-env", SECRET_ENV)
    assert code == EXIT_MISMATCH and "iss" in err
    assert not state_file.exists() and code_exchanges(provider) == []


def test_exchange_takes_a_bare_code_only_with_allow_bare_code(capsys, provider, tmp_path):
    from widgets.cli.main import EXIT_USAGE

    state_file = tmp_path / "pending.json"
    code, out, err = run_cli(capsys, "authorize", "--auth-url", provider.auth_url, "--token-url", provider.token_url,
                         "--client-id", provider.client_id, "--client-secret-env", SECRET_ENV,
                         "--redirect-uri", provider.callback_url, "--state-file", str(state_file), "--json")
    assert code == EXIT_OK, err
    bare = parse_qs(urlsplit(provider.approve(json.loads(out)["authorize_url"])).query)["code"][0]
    code, out, err = run_cli(capsys, "exchange", bare, "--state-file", str(state_file), "--client-secret-env", SECRET_ENV)
    assert code == EXIT_USAGE and "--allow-bare-code" in err
    assert bare not in out + err
    assert state_file.exists() and code_exchanges(provider) == []  # nothing spent: the file stays
    code, out, err = run_cli(capsys, "exchange", bare, "--state-file", str(state_file), "--client-secret-env", SECRET_ENV,
                         "--allow-bare-code")
    assert code == EXIT_OK, err
    assert not state_file.exists() and len(code_exchanges(provider)) == 1
