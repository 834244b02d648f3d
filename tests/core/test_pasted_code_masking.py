"""A code pasted with a stray character is masked wherever it is recorded (issue 14, item 7).

Before, a paste that could not be read (a typographic quote, an invisible character, a
word in front) was recorded whole in the transcript's url column, and a query pasted
without its '?' (``code=...&state=...``) was not masked by name either.
"""

import secrets

import pytest

from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, Transcript, WebhookAuthConfig, WebhookAuthError

# A fresh code for every case: the by-value mask remembers codes for the whole process, so a
# shared one would be masked in later cases only because an earlier case remembered it.
def fresh_code() -> str:
    return "canaryCODE" + secrets.token_hex(6)

#: Each holds the code ({c}, or {a} and {b} its two halves) with something around or inside it.
PASTES = [
    "\u201c{c}\u201d", "\u2018{c}\u2019", "\u00ab{c}\u00bb", "{c}\"", "\"{c}", "{c}'", "`{c}`", "<{c}>",
    "({c})", "{c};", "{c},", "{c}\u200b", "\u200b{c}", "\ufeff{c}", "{c}\u2026", "{c}\x00", "{c}\ud800",
    "{c}\u00e9", "{c} ", " {c}\n", "{a} {b}", "{a}\u00a0{b}", "{a}\u200b{b}",
    "code={c}", "code={c}\"", "code={c}&state=wrong", "Code: {c}", "code: {c}", "the code is {c}",
    "code={c}\u201d&state=x", "?code={c}\x00", "#code={c}\u2026",
    "https://app.example/cb?code={c}\u201d", "https://app.example/cb?code={c}\u200b&state=x",
    "https://app.example/cb?code={c}&state=wrong\u00e9", "app.example/cb?code={c}&state=x",
    "https://app.example/cb#code={c}\x00",
]


def _render(template: str, code: str) -> str:
    return template.format(c=code, a=code[:11], b=code[11:])


@pytest.fixture
def flow(scripted):
    # A token endpoint that echoes the code it got, as some error pages do.
    def echo(seen):
        return Reply(400, f"<html><p>The code {seen['body']} is not valid.</p></html>", content_type="text/html")

    scripted.routes["/token"] = echo
    config = WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                               token_url=scripted.url("/token"), client_id="client",
                               client_secret="s3cret-value-long-enough", redirect_uri=scripted.url("/cb"))
    flow = AuthorizationCodeFlow(config, Transcript())
    flow.begin()
    return flow


@pytest.mark.parametrize("template", PASTES, ids=repr)
@pytest.mark.parametrize("allow_bare_code", [False, True])
def test_a_code_with_a_stray_character_is_masked_wherever_it_is_recorded(flow, debug_logs, template, allow_bare_code):
    code = fresh_code()
    pasted = _render(template, code)
    flow.begin()
    try:
        flow.complete(pasted, allow_bare_code=allow_bare_code)
        error = None
    except WebhookAuthError as exc:
        error = exc
    assert error is not None  # the endpoint refuses every code
    shown = [flow.transcript.to_csv(), flow.transcript.to_html(), repr(flow), str(error), repr(error),
             error.hint, *debug_logs]
    shown += [str(v) for row in flow.transcript.rows() for v in row.values()]
    for text in shown:
        assert code not in text, f"{pasted!r}: the code is whole in {text[:300]!r}"


def test_typographic_quotes_and_invisible_characters_around_a_code_are_taken_off(flow):
    from widgets.core.authorize import parse_pasted_redirect

    for template in ("\u201c{c}\u201d", "\u2018{c}\u2019", "\u00ab{c}\u00bb", "{c}\u200b", "\ufeff{c}", "{a}\u200b{b}"):
        code = fresh_code()
        answer = parse_pasted_redirect(_render(template, code))
        assert (answer.source, answer.code) == ("bare", code), template


def test_code_candidates_leave_plain_words_alone():
    from widgets.core.authorize import code_candidates

    code = fresh_code()
    found = code_candidates(f"Here is the Authorization code: {code}\u201d")
    assert code in found
    assert not {"Here", "Authorization", "code", "the"} & set(found)
    assert code_candidates(None) == [] and code_candidates(12345) == []
