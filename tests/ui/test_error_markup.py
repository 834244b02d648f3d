"""Where the wizard renders an error as HTML, provider text is escaped exactly once.

Errors hold plain text (tests/core/test_error_text.py); the message area, the probe table and
the results table escape it: no live markup, and no double escaping (``&amp;lt;``).
"""

from __future__ import annotations

import html

import pytest

from tests.support.hostile import HOSTILE_DESCRIPTION, HOSTILE_ERROR, assert_plain
from tests.support.servers import Reply
from tests.support.ui import one
from widgets import AuthType

from .test_run_step import to_run, with_param

#: What escaping an already escaped text leaves: ``&amp;lt;``, ``&amp;#x27;`` (or pandas' ``&amp;#39;``) ...
DOUBLE = ("&amp;lt;", "&amp;gt;", "&amp;#", "&amp;quot;", "&amp;amp;")


def assert_escaped_once(markup: str, *texts: str) -> None:
    """Each text is in ``markup`` escaped (in any entity spelling), and unescaping once gives it back."""
    for live in ("<script", "<b>more", "<h1>"):
        assert live not in markup, (live, markup)
    for twice in DOUBLE:
        assert twice not in markup, (twice, markup)
    once = html.unescape(markup)
    for text in texts:
        assert text not in markup and text in once, (text, markup)


@pytest.fixture
def hostile(scripted):
    scripted.routes["/token"] = Reply(400, {"error": HOSTILE_ERROR, "error_description": HOSTILE_DESCRIPTION})
    return scripted


def run_against(make_wizard, url):
    wizard = make_wizard(AuthType.OAUTH_CLIENT_CREDENTIALS)
    wizard.details_step.field("token_url").value = url
    assert wizard.next() and wizard.step == "run", wizard.details_step.message
    one(wizard.run_step, "wal-get-token").click()
    return wizard, wizard.run_step


def test_a_token_endpoint_error_is_shown_escaped_once(make_wizard, hostile):
    wizard, run = run_against(make_wizard, hostile.url("/token"))
    assert run.token is None and run.message_kind == "error"
    assert_plain(run.message, HOSTILE_ERROR, HOSTILE_DESCRIPTION)  # what the step says: plain text
    assert_escaped_once(one(run, "wal-message").value, HOSTILE_ERROR, HOSTILE_DESCRIPTION)


def test_an_html_error_page_is_shown_escaped_once(make_wizard, scripted):
    page = "<html><h1>It's down & out</h1></html>"
    scripted.routes["/token"] = Reply(502, page, content_type="text/html")
    wizard, run = run_against(make_wizard, scripted.url("/token"))
    assert run.message_kind == "error" and page in run.message
    assert_escaped_once(one(run, "wal-message").value, page)


def test_a_refused_login_with_quotes_and_markup_is_shown_escaped_once(make_wizard, canary_demo):
    wizard, run = to_run(make_wizard, AuthType.OAUTH_CODE)
    one(run, "wal-build-link").click()
    landed = canary_demo.approve(run.authorize_url, deny=True)
    one(run, "wal-paste").value = with_param(landed, error=HOSTILE_ERROR, error_description=HOSTILE_DESCRIPTION)
    one(run, "wal-exchange").click()
    assert run.message_kind == "error"
    assert_plain(run.message, HOSTILE_ERROR, HOSTILE_DESCRIPTION)
    assert_escaped_once(one(run, "wal-message").value, HOSTILE_ERROR, HOSTILE_DESCRIPTION)
    assert canary_demo.token_requests == []


def test_the_results_table_shows_the_error_escaped_once(make_wizard, hostile):
    wizard, run = run_against(make_wizard, hostile.url("/token"))
    wizard.go_to("results_table")
    step = wizard.results_table_step
    step.select(len(wizard.transcript))  # the error is shown with its exchange, as raw HTTP
    assert_escaped_once(one(step, "wal-raw-http").value, HOSTILE_DESCRIPTION, f"'{HOSTILE_ERROR}'")
    assert_escaped_once(step.table._dt_args["data_json"])  # the table's cells: no live markup either


def test_the_probe_table_shows_the_error_escaped_once(make_wizard, hostile):
    wizard, run = run_against(make_wizard, hostile.url("/token"))
    wizard.go_to("diagnose")
    step = wizard.diagnose_step
    one(step, "wal-probe").click()
    assert step.message_kind == "ok", step.message
    assert_escaped_once(one(step, "wal-probe-table").value, HOSTILE_DESCRIPTION, f"'{HOSTILE_ERROR}'")
