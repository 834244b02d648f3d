"""Each protocol module's docstring opens with the sections it implements and their URLs.

Read from the source with ``ast``, so no module (nor what it imports) is loaded.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "widgets"
PROTOCOL_MODULES = [
    "core/pkce.py", "core/authorize.py", "core/authorization_code.py", "core/client_credentials.py",
    "core/token_endpoint.py", "core/token_response.py", "core/token.py", "core/claims.py",
    "core/headers.py", "core/compliance.py", "core/webhook.py", "core/loopback.py",
    "diagnose/discovery.py", "diagnose/inspect_token.py", "diagnose/probe.py", "diagnose/catcher.py",
    "diagnose/client_assertion.py",
]
REFERENCE = re.compile(r"^(?P<label>\S.*?) — (?P<url>https://\S+)$")
RFC = re.compile(r"^RFC (?P<number>\d+)(?: §(?P<section>[0-9A-Z][0-9.]*[0-9]|[0-9]))?")


@pytest.mark.parametrize("path", PROTOCOL_MODULES)
def test_protocol_module_docstring_opens_with_its_sections_and_their_urls(path):
    doc = ast.get_docstring(ast.parse((PACKAGE / path).read_text(encoding="utf-8"))) or ""
    references, _, summary = doc.partition("\n\n")
    lines = references.splitlines()
    assert lines and all(REFERENCE.match(line) for line in lines), lines
    assert summary.strip(), "the references are followed by what the module does"
    for line in lines:
        label, url = REFERENCE.match(line).group("label", "url")
        rfc = RFC.match(label)
        if rfc is None:  # a specification that is not an RFC (OpenID, ThousandEyes)
            assert not url.startswith("https://www.rfc-editor.org/"), line
            continue
        assert url.startswith(f"https://www.rfc-editor.org/rfc/rfc{rfc['number']}"), line
        rest = url.removeprefix(f"https://www.rfc-editor.org/rfc/rfc{rfc['number']}")
        if rfc["section"]:
            assert rest == f"#section-{rfc['section']}", line
        else:
            assert rest == "", line

