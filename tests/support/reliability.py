"""Machinery of the reliability suite (tests/reliability): hypothesis profiles, the tally,
known core bugs.

Profiles are applied with :func:`fuzz` to these tests only, never loaded globally, so the
rest of the suite keeps hypothesis' defaults. ``CI=true`` selects ``ci`` (>= 10,000 cases per
run, derandomized); otherwise ``dev`` (~2,000 cases, random each run).
``RELIABILITY_PROFILE=<name>`` overrides both.

Known core bugs. Every bug these tests found in ``widgets/`` has an id (``BUGS``) and a
regression test marked ``@pytest.mark.known_bug("Bn")`` that asserts the contract. While a
bug is listed in ``OPEN`` (reported to the owner with a patch, not fixed yet):

* its regression test is reported as xfail instead of failing, and as "appears fixed" in the
  summary once it passes: then delete the id from ``OPEN``;
* the properties tolerate exactly that bug (matched by exception type *and* the function in
  ``widgets/`` that raised it, or by the shape of the leaked text) and count its hits.

A bug not in ``OPEN`` is checked strictly everywhere: if a fixed bug comes back, its
regression test fails. ``RELIABILITY_STRICT=1`` treats every bug as not open.
"""

from __future__ import annotations

import os
import re
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

import widgets
from widgets.core.errors import WebhookAuthError

__all__ = [
    "PROFILE", "BASE", "fuzz", "Tally", "TALLY", "BUGS", "OPEN", "STRICT", "is_open", "label", "KnownBug",
    "KNOWN_EXCEPTIONS", "KNOWN_LEAKS", "known_bug", "only_package_errors", "check_canary",
]

# -- profiles ------------------------------------------------------------------------------

_COMMON = dict(
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("ci", max_examples=2200, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=420, **_COMMON)

PROFILE = os.environ.get("RELIABILITY_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
BASE = settings.get_profile(PROFILE)


def fuzz(weight: float = 1.0):
    """The active profile for one property; ``weight`` scales its examples (network-bound < 1)."""
    return settings(BASE, max_examples=max(20, int(BASE.max_examples * weight)))


# -- the tally printed at the end of the session -------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.faults: dict[str, str] = {}
        self.canary_checks = 0
        self.canary_hits = 0
        self.known_bug_hits: Counter[str] = Counter()
        self.bug_status: dict[str, str] = {}

    def case(self, name: str) -> None:
        self.cases[name] += 1


TALLY = Tally()

# -- known core bugs (RELIABILITY.md has each with its patch) -------------------------------

BUGS = {
    "B1": "expires_in Infinity / 1e400 -> OverflowError in the expires_in quirk",
    "B2": "expires_in '²' (a Unicode digit) -> ValueError in the expires_in quirk",
    "B3": "JSON nested deeper than the recursion limit -> RecursionError (reader, transcript)",
    "B4": "expires_in over 1e308 s -> OverflowError building the Token",
    "B5": "expiry millions of years away -> Token.to_dict() raises",
    "B6": "pasted redirect with a bad port and the right state -> ValueError",
    "B7": "extra_params that is not a mapping -> TypeError/ValueError from the constructor",
    "B8": "timeout beyond float range -> OverflowError from problems()",
    "B9": "body cut or stalled midway -> raw urllib3 error instead of TransportError",
    "B10": "code after '#/route?' (hash-routed callback) shown in clear in an error",
    "B11": "'\"access_token\": \" tok\"' (leading blank) or a JSON body with a BOM not masked",
    "B12": "a drip just under the read timeout overshoots timeout + 1 s",
    "B13": "reprs of the settings and the flows print URLs with their secret query",
    "B14": "api_key, key, sig, secret... in a URL query are not masked",
    "B15": "the chained requests exception a notebook prints quotes the raw URL",
}

#: Reported and not fixed in the tree this suite was last committed against.
OPEN: frozenset[str] = frozenset()

STRICT = os.environ.get("RELIABILITY_STRICT", "") not in ("", "0")


def is_open(bug: str) -> bool:
    return bug in OPEN and not STRICT


def label(bug: str) -> str:
    return f"{bug} {BUGS[bug]}"


@dataclass(frozen=True)
class KnownBug:
    bug: str
    types: tuple[type[BaseException], ...]
    file: str
    functions: tuple[str, ...]  # "*": any function of that file


def _urllib3_errors() -> tuple[type[BaseException], ...]:
    from urllib3.exceptions import HTTPError

    return (HTTPError,)


KNOWN_EXCEPTIONS = (
    KnownBug("B1", (OverflowError,), "compliance.py", ("expires_in_not_integer",)),
    KnownBug("B2", (ValueError,), "compliance.py", ("expires_in_not_integer",)),
    KnownBug("B3", (RecursionError,), "token_answer.py", ("json_object",)),
    KnownBug("B3", (RecursionError,), "redact.py", ("*",)),
    KnownBug("B4", (OverflowError,), "token.py", ("from_params",)),
    KnownBug("B5", (ValueError, OverflowError, OSError), "token.py", ("expires_at_utc",)),
    KnownBug("B6", (ValueError,), "authorization_code.py", ("_same_endpoint",)),
    KnownBug("B7", (TypeError, ValueError), "config.py", ("__post_init__",)),
    KnownBug("B8", (OverflowError,), "config.py", ("problems",)),
    KnownBug("B9", _urllib3_errors(), "transport.py", ("*",)),
)

#: Leaks already reported, recognised by what precedes the secret in the text.
KNOWN_LEAKS = (
    # redact_url masks a parameter only when its decoded name is exactly a secret name; in a
    # hash-routed callback (https://app/#/callback?code=...) the name is "/callback?code",
    # which urlencode writes back as "/callback%3Fcode".
    ("B10", re.compile(r"(?:%3F|%23)code=$", re.IGNORECASE)),
    # scrub()'s by-key pattern let the value start only right after the quote.
    ("B11", re.compile(r"(?i)(?:token|secret|code|password)(?:&(?:amp;)*(?:quot|#x27);|['\"])*\s*[:=]\s*"
                       r"(?:&(?:amp;)*(?:quot|#x27);|['\"])+\s+$")),
)

_PACKAGE_DIR = Path(widgets.__file__).resolve().parent


def known_bug(exc: BaseException) -> str | None:
    """The id of the open bug ``exc`` is, judged by where in ``widgets/`` it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename).resolve().is_relative_to(_PACKAGE_DIR)]
    if not frames:
        return None
    deepest = frames[-1]
    for known in KNOWN_EXCEPTIONS:
        if (is_open(known.bug) and isinstance(exc, known.types) and Path(deepest.filename).name == known.file
                and (deepest.name in known.functions or "*" in known.functions)):
            return known.bug
    return None


def only_package_errors(call, *args, **kwargs):
    """Run ``call``; return ``(result, None)`` or ``(None, error)`` for a WebhookAuthError.

    Any other exception fails the test, unless it is an open known bug (then counted and
    ``(None, None)`` returned, so the property moves on).
    """
    try:
        return call(*args, **kwargs), None
    except WebhookAuthError as exc:
        return None, exc
    except Exception as exc:  # noqa: BLE001 - that is exactly what is being looked for
        bug = known_bug(exc)
        if bug is None:
            raise
        TALLY.known_bug_hits[label(bug)] += 1
        return None, None


def check_canary(text: str, secret: str, where: str, *, known: str | None = None) -> None:
    """Count one canary check of ``text``; fail on any occurrence of ``secret`` that no open
    known leak explains.

    ``known`` names the bug a regression test pins: while it is open, a leak is counted under
    that bug (not as a canary hit); the test still fails, and is reported as xfail.
    """
    TALLY.canary_checks += 1
    if not secret or secret not in text:
        return
    if known is not None and is_open(known):
        TALLY.known_bug_hits[label(known)] += 1
        raise AssertionError(f"{known}: secret shown in {where}")
    explained = None
    for match in re.finditer(re.escape(secret), text):
        before = text[max(0, match.start() - 40):match.start()]
        bug = next((b for b, pattern in KNOWN_LEAKS if is_open(b) and pattern.search(before)), None)
        if bug is None:
            TALLY.canary_hits += 1
            raise AssertionError(f"secret leaked in {where}: ...{text[max(0, match.start() - 60):match.start()]}<SECRET>")
        explained = bug
    TALLY.known_bug_hits[label(explained)] += 1
