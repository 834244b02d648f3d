"""A session's transcript drawn as a Mermaid sequence diagram (text; JupyterLab 4 renders it).

    from IPython.display import Markdown
    Markdown(mermaid_markdown(transcript))      # a ```mermaid block, drawn by JupyterLab

Pure functions, no I/O. Everything in the diagram comes from the transcript, which is
masked when recorded; it is scrubbed again here, and every piece of text a provider could
have written is escaped for Mermaid, whose sequence syntax would otherwise read ``;`` as the
end of a statement, ``#`` as an entity, a newline as a new statement, ``<`` as HTML and ``"``
as the end of a name (https://mermaid.js.org/syntax/sequenceDiagram.html#entity-codes-to-escape-characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from .redact import scrub
from .transcript import Exchange

__all__ = ["transcript_mermaid", "mermaid_markdown", "mermaid_text", "MAX_DRAWN"]

#: The most exchanges one diagram draws (the latest ones); a note says how many were left out.
MAX_DRAWN = 40
_LABEL_CHARS = 90

# Entity codes Mermaid decodes in labels (#35; is '#'): with these no provider text can end a
# statement, open a comment or markup, or close a quoted name. A colon stays: only the first
# one of a message line is syntax, and that one is ours.
_ENTITIES = {"#": "#35;", ";": "#59;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
             "%": "#37;", "{": "#123;", "}": "#125;", "`": "#96;", "\\": "#92;"}


def mermaid_text(text: object, limit: int = _LABEL_CHARS, *, scrubbed: bool = True) -> str:
    """``text`` as one line of Mermaid label: scrubbed, shortened, every special character escaped.

    ``scrubbed=False`` for the package's own words (step names): scrub() would take
    "authorization code: authorize" for a ``code`` parameter and mask it.
    """
    plain = " ".join((scrub(text) if scrubbed else str(text)).split())  # newlines (and other whitespace) become spaces
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    return "".join(_ENTITIES.get(c, c) if c.isprintable() else " " for c in plain)


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.netloc.rsplit("@", 1)[-1] or "(no host)"
    except ValueError:
        return "(unreadable URL)"


def _path(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return (parts.path or "/") + ("?…" if parts.query else "")


def transcript_mermaid(transcript: Iterable[Exchange], *, max_drawn: int = MAX_DRAWN) -> str:
    """The exchanges as a ``sequenceDiagram``: this lab, the person's browser, each host.

    An HTTP row is a request arrow and an answer arrow (a cross when no answer came); a
    browser leg is drawn between the browser and the lab or the authorization server.
    Only the last ``max_drawn`` rows are drawn.
    """
    rows = list(transcript)
    skipped = max(len(rows) - max_drawn, 0)
    rows = rows[skipped:]
    hosts: dict[str, str] = {}  # host -> participant id

    def participant(url: str) -> str:
        host = _host(url)
        if host not in hosts:
            hosts[host] = f"H{len(hosts) + 1}"
        return hosts[host]

    lines: list[str] = []
    uses_browser = False
    for row in rows:
        step = mermaid_text(row.step, 40, scrubbed=False)
        if row.kind == "browser":
            uses_browser = True
            if row.method and row.url:  # the authorize link, opened in the browser
                target = participant(row.url)
                lines.append(f"    Lab-->>Person: {step}")
                lines.append(f"    Person->>{target}: {mermaid_text(row.method + ' ' + _path(row.url))}")
            else:  # the address the browser landed on, pasted back
                verdict = "refused" if row.outcome in ("refused", "error") else row.outcome
                lines.append(f"    Person->>Lab: {step} ({mermaid_text(verdict, 20)})")
            if row.error:
                lines.append(f"    Note over Person,Lab: {mermaid_text(row.error)}")
            continue
        target = participant(row.url) if row.url else participant("")
        lines.append(f"    Lab->>{target}: {mermaid_text((row.method or '?') + ' ' + _path(row.url))} ({step})")
        if row.status is None:
            lines.append(f"    {target}--xLab: no answer: {mermaid_text(row.error or row.outcome)}")
        else:
            answer = f"{row.status} {row.status_text}".strip()
            if row.response_type:
                answer += f" {row.response_type.split(';')[0]}"
            arrow = "--x" if row.outcome in ("error", "refused") or row.status >= 400 else "-->>"
            lines.append(f"    {target}{arrow}Lab: {mermaid_text(answer)}")
            if row.error:
                lines.append(f"    Note over Lab,{target}: {mermaid_text(row.error)}")
    head = ["sequenceDiagram"]
    if uses_browser:
        head.append("    participant Person as Person's browser")
    head.append("    participant Lab as This lab")
    head += [f"    participant {pid} as {mermaid_text(host, 60)}" for host, pid in hosts.items()]
    if skipped:
        head.append(f"    Note over Lab: {skipped} earlier exchange{'s' if skipped != 1 else ''} not drawn")
    if not rows:
        head.append("    Note over Lab: no exchanges yet")
    return "\n".join(head + lines) + "\n"


def mermaid_markdown(transcript: Iterable[Exchange], **kwargs) -> str:
    """:func:`transcript_mermaid` in a fenced ```mermaid block, as JupyterLab 4 renders Markdown."""
    return "```mermaid\n" + transcript_mermaid(transcript, **kwargs) + "```\n"
