"""Reading and changing the query of an address (a redirect a person pastes, an authorize link)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

__all__ = ["query_of", "with_query"]


def query_of(url: str) -> dict[str, str]:
    """Single-valued query parameters of ``url`` (a redirect Location, a pasted address)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def with_query(url: str, **changes: str | None) -> str:
    """``url`` with query parameters set, or removed where the value is None."""
    params = query_of(url)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlunsplit(urlsplit(url)._replace(query=urlencode(params)))
