"""One exchange of the transcript shown whole, as raw HTTP text, in an HTML widget.

The text is :meth:`~widgets.core.transcript.Exchange.raw_http`: masked when recorded. Here it
is only escaped (an ``HTML`` widget's value is set as ``innerHTML``) and wrapped, so a long
header or body breaks onto the next line instead of widening the step.
"""

from __future__ import annotations

import html

from ..core.transcript import Exchange

__all__ = ["raw_http_html"]


def raw_http_html(number: int, entry: Exchange) -> str:
    """``entry`` (row ``number`` of the table) as a captioned, escaped ``<pre>`` block."""
    what = "in the person's browser" if entry.kind == "browser" else "raw HTTP, secrets masked"
    return (
        f"<div class='wal-raw-http-caption' style='font-size:12px;color:#374151;margin:6px 0 2px'>"
        f"<b>Exchange {number}</b> · {html.escape(entry.step)} ({what})</div>"
        "<pre class='wal-raw-http-text' tabindex='0' aria-label='the selected exchange as raw HTTP' "
        "style='margin:0;padding:6px 8px;background:#f8fafc;border:1px solid #d1d5db;border-radius:4px;"
        "font-size:12px;line-height:1.35;max-height:320px;overflow-y:auto;overflow-x:hidden;"
        "white-space:pre-wrap;overflow-wrap:anywhere;margin-bottom:6px'>"
        f"{html.escape(entry.raw_http())}</pre>"
    )
