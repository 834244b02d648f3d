"""An ID token's checks (OpenID Connect Core §3.1.3.7) as a small HTML table for the Result step."""

from __future__ import annotations

from ..markup import COLOURS, esc

__all__ = ["id_token_table_html"]


def id_token_table_html(result) -> str:
    """One row per check of an :class:`~widgets.core.id_token.IdTokenValidation`; text escaped."""
    colours = {"ok": COLOURS["ok"][0], "FAILED": COLOURS["error"][0], "not checked": COLOURS["warning"][0]}
    rows = "".join(
        f"<tr class='wal-id-token-{esc(check)}'><th style='text-align:left;padding:1px 8px'>{esc(check)}</th>"
        f"<td style='padding:1px 8px;color:{colours[word]};font-weight:600'>{esc(word)}</td>"
        f"<td style='padding:1px 8px;word-break:break-all'>{esc(detail)}</td></tr>"
        for check, word, detail in result.rows()
    )
    verdict = ("every check held: the ID token is trusted" if result.verified else
               "a check failed: the ID token was refused" if not result.ok else
               "the claims hold, the signature was not checked")
    return ("<div style='font-size:13px;margin-top:6px'>OpenID Connect ID token, claim by claim "
            f"({esc(verdict)})</div>"
            f"<table style='font-size:12px;border-collapse:collapse;margin-top:2px'>{rows}</table>")
