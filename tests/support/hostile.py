"""Provider text that tries to become markup, and the check that an error quotes it plain."""

from __future__ import annotations

__all__ = ["HOSTILE_ERROR", "HOSTILE_DESCRIPTION", "ENTITIES", "assert_plain"]

#: What a hostile provider may answer as ``error`` and ``error_description``: quotes, markup, ampersands.
HOSTILE_ERROR = "weird_error'<script>alert(1)</script>&"
HOSTILE_DESCRIPTION = 'it\'s <script>alert("x")</script> & <b>more</b>'
#: What html.escape makes of those characters; none may reach a terminal.
ENTITIES = ("&#x27;", "&#39;", "&lt;", "&gt;", "&quot;", "&amp;")


def assert_plain(text: str, *quoted: str) -> None:
    """Each of ``quoted`` is in ``text`` as written, and ``text`` holds no HTML entity."""
    for part in quoted:
        assert part in text, (part, text)
    for entity in ENTITIES:
        assert entity not in text, (entity, text)
