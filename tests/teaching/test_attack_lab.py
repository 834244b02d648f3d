"""Each attack of the lab (notebook 07): the careless party is compromised, the toolkit is not.

And the careless code stays out of reach: nothing in the toolkit's own flows imports
``widgets.teaching``, and nothing there starts a demo provider lax.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from widgets.teaching.attack_lab import ATTACKER, CLIENT_REDIRECT, VICTIM, AttackLab
from widgets.teaching.careless_client import AttackerServer

ROOT = Path(__file__).resolve().parents[2]
TOOLKIT = ("core", "diagnose", "connectors", "cli", "ui")


@pytest.fixture(scope="module")
def lab():
    with AttackLab() as running:
        yield running
        for provider in running._started:
            assert not provider._internal_errors, provider._internal_errors


def test_login_csrf_signs_the_careless_client_into_the_attackers_account_and_not_the_toolkit(lab):
    before = len(lab.honest.token_requests)
    played = lab.login_csrf()
    assert played.careless.compromised and ATTACKER in played.careless.what_happened
    assert not played.careful.compromised
    assert played.careful.stopped_by.startswith("StateMismatchError")
    # The careless client redeemed the attacker's code; the toolkit sent nothing.
    assert len(lab.honest.token_requests) - before == 1


def test_code_injection_gives_the_careless_client_the_victims_account_and_pkce_refuses_it(lab):
    played = lab.code_injection()
    assert played.careless.compromised and repr(VICTIM) in played.careless.what_happened
    assert not played.careful.compromised
    assert played.careful.stopped_by.startswith("TokenEndpointError") and "invalid_grant" in played.careful.stopped_by


def test_mix_up_sends_the_honest_code_to_the_attacker_unless_iss_is_checked(lab):
    played = lab.mix_up()
    assert played.careless.compromised
    assert not played.careful.compromised
    assert played.careful.stopped_by.startswith("IssuerMismatchError")


@pytest.mark.parametrize("matching", ["pattern", "prefix"])
def test_redirect_manipulation_reaches_the_attacker_at_a_lax_provider_only(lab, matching):
    played = lab.redirect_manipulation(matching)
    assert played.careless.compromised and "received code ****" in played.careless.what_happened
    assert not played.careful.compromised and "error page" in played.careful.what_happened


def test_pkce_downgrade_works_at_a_lax_provider_and_is_refused_by_the_strict_one(lab):
    played = lab.pkce_downgrade()
    assert played.careless.compromised
    assert not played.careful.compromised and "downgrade" in played.careful.stopped_by.lower()


def test_a_round_shows_no_code_or_token_in_clear(lab):
    played = lab.code_injection()
    frame = played.to_dataframe()
    assert list(frame["compromised"]) == [True, False]
    text = frame.to_string() + repr(played)
    assert lab.honest.client_secret not in text and lab.attacker_password not in text
    assert "eyJ" not in text


def test_the_careless_client_with_its_checks_on_refuses_the_same_attacks(lab):
    careless = lab.careless_client(use_state=True)
    forged = lab.honest.approve(lab.careless_client().login_link(), user=ATTACKER, password=lab.attacker_password)
    careless.login_link()
    with pytest.raises(PermissionError, match="state"):
        careless.callback(forged)


def test_the_attacker_server_stays_on_loopback():
    with pytest.raises(ValueError):
        AttackerServer(host="0.0.0.0")
    assert CLIENT_REDIRECT.startswith("http://localhost:")


# --- out of reach of the toolkit's defaults ---------------------------------------------------


def _sources(*packages):
    for package in packages:
        yield from sorted((ROOT / "widgets" / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return found


def test_nothing_in_the_toolkit_imports_the_teaching_package():
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if "teaching" in i)
                 for p in _sources(*TOOLKIT, "demo")}
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}
    assert all("teaching" not in i for i in _imports(ROOT / "widgets" / "__init__.py"))


def test_no_toolkit_code_passes_lax_settings_or_the_non_loopback_flag():
    offenders = []
    for path in _sources(*TOOLKIT):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                names = {k.arg for k in node.keywords}
                if names & {"lax", "allow_non_loopback"} or any(k.arg is None for k in node.keywords
                                                                 if "DemoProvider" in ast.unparse(node.func)):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_providers_the_toolkit_starts_by_default_are_strict():
    from widgets.cli.parser import build_parser
    from widgets.demo import DemoProvider
    from widgets.ui.model import WizardModel

    model = WizardModel()
    try:
        assert model.ensure_provider().lax == {}
    finally:
        model.close()
    assert DemoProvider().lax == {} and DemoProvider.from_env().lax == {}
    demo = build_parser().parse_args(["demo"])
    assert not any("lax" in name for name in vars(demo))
