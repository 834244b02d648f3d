"""Small HTML fragments for the wizard's ``HTML`` widgets, every piece of text escaped.

An ``ipywidgets.HTML`` value is set as ``innerHTML`` in the browser, unsanitized: anything a
provider or a person wrote must go through :func:`esc` before it gets there.
"""

from __future__ import annotations

import html

__all__ = ["esc", "attr", "message_html", "field_error_html", "spinner_html", "COLOURS", "mono"]

COLOURS = {
    "ok": ("#0f5132", "#e6f4ea", "#a3cfbb"),
    "info": ("#1f2937", "#eef2f7", "#c9d3e0"),
    "warning": ("#664d03", "#fff4ce", "#ffe08a"),
    "error": ("#842029", "#fde2e1", "#f1aeb5"),
}
_ICONS = {"ok": "✓", "info": "ℹ", "warning": "⚠", "error": "✗"}


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values; line breaks become ``<br>``."""
    return html.escape("" if text is None else str(text), quote=True).replace("\n", "<br>")


def attr(text: object) -> str:
    """Escape text for a double- or single-quoted attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


def mono(text: object) -> str:
    return f"<code style='font-family:monospace;word-break:break-all'>{esc(text)}</code>"


def message_html(kind: str, text: str, hint: str | None = None) -> str:
    """A coloured box: ``kind`` is ok, info, warning or error; text and hint are plain text."""
    if not text:
        return ""
    fg, bg, border = COLOURS.get(kind, COLOURS["info"])
    hint_html = f"<div style='margin-top:4px'><b>Hint:</b> {esc(hint)}</div>" if hint else ""
    return (
        f"<div class='wal-msg wal-msg-{esc(kind)}' role='{'alert' if kind == 'error' else 'status'}' "
        f"style='color:{fg};background:{bg};border:1px solid {border};border-radius:4px;"
        f"padding:6px 10px;margin:6px 0;font-size:13px;line-height:1.4'>"
        f"{_ICONS.get(kind, '')} {esc(text)}{hint_html}</div>"
    )


def field_error_html(label: str, messages: list[str]) -> str:
    """The red line(s) under one form field."""
    if not messages:
        return ""
    fg = COLOURS["error"][0]
    lines = "".join(f"<div>⚠ {esc(label)} {esc(m)}</div>" for m in messages)
    return f"<div class='wal-error' style='color:{fg};font-size:12px;margin:0 0 4px 160px'>{lines}</div>"


def spinner_html(label: str) -> str:
    """An inline CSS spinner with a label (no images, no scripts)."""
    return (
        "<style>@keyframes wal-spin{to{transform:rotate(360deg)}}</style>"
        "<span style='display:inline-flex;align-items:center;gap:8px;font-size:13px;color:#374151'>"
        "<span style='width:12px;height:12px;border:2px solid #9ca3af;border-top-color:transparent;"
        "border-radius:50%;display:inline-block;animation:wal-spin .8s linear infinite'></span>"
        f"{esc(label)}</span>"
    )
