"""Fixtures of the reliability suite, and the figures it prints at the end of a run."""

from __future__ import annotations

import pytest

from tests.support.reliability import BUGS, PROFILE, TALLY, is_open, label
from tests.support.servers import ScriptedProvider


@pytest.fixture(scope="module")
def scripted_module():
    """A scriptable loopback server shared by one module's properties (hypothesis cannot
    use function-scoped fixtures: they would not be reset between examples)."""
    server = ScriptedProvider().start()
    try:
        yield server
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not TALLY.cases and not TALLY.faults and not TALLY.canary_checks:
        return  # the reliability suite did not run in this session
    write = terminalreporter.write_line
    terminalreporter.section("reliability figures")
    total = sum(TALLY.cases.values())
    write(f"hypothesis profile: {PROFILE}; cases generated: {total}")
    for name, count in sorted(TALLY.cases.items()):
        write(f"  {count:6d}  {name}")
    write(f"faults injected on loopback: {len(TALLY.faults)} "
          f"(each ended as a package error within timeout + 1 s)")
    for name, outcome in sorted(TALLY.faults.items()):
        write(f"  {name}: {outcome}")
    write(f"secret canaries: {TALLY.canary_checks} texts checked, {TALLY.canary_hits} hits")
    if TALLY.bug_status:
        still_open = sorted((b for b, s in TALLY.bug_status.items() if s.startswith("open")), key=lambda b: int(b[1:]))
        write(f"core bugs found by this suite: {len(BUGS)}; still open here: {len(still_open)} "
              f"({', '.join(still_open) or 'none'})")
        for bug in sorted(TALLY.bug_status, key=lambda b: int(b[1:])):
            write(f"  {bug:4s} {TALLY.bug_status[bug]}")
    if TALLY.known_bug_hits:
        write("hits of open core bugs (tolerated, counted, not hidden):")
        for key, count in sorted(TALLY.known_bug_hits.items()):
            write(f"  {count:6d}  {key}")


def pytest_configure(config):
    config.addinivalue_line("markers", "known_bug(id): regression test of a core bug listed in tests/support/reliability.py BUGS")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing regression test of an open bug is an xfail; a passing one says it is fixed."""
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("known_bug")
    if marker is None or report.when != "call":
        return
    bug = marker.args[0]
    if report.failed and is_open(bug):
        report.outcome = "skipped"
        report.wasxfail = f"open core bug {label(bug)} (RELIABILITY.md)"
        TALLY.bug_status.setdefault(bug, "open: still reproduces")
    elif report.passed:
        TALLY.bug_status[bug] = ("appears FIXED: remove it from OPEN (tests/support/reliability.py)"
                                 if is_open(bug)
                                 else "fixed: checked strictly")
    elif report.failed:
        TALLY.bug_status[bug] = "FAILS: not in OPEN (tests/support/reliability.py); a regression?"
