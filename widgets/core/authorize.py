"""RFC 6749 §4.1.1-4.1.2 — https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1

The authorization request and its response, as pure data.

:class:`AuthorizationRequest` is what :meth:`AuthorizationCodeFlow.begin` hands out: the URL to
open in a browser and the one-time values it carries. :func:`parse_pasted_redirect` reads what
a person copies back from the browser: the whole redirect URL (query or ``#fragment``
response), with stray whitespace, invisible characters or quotes (typographic ones too)
around it, or a bare code. :func:`code_candidates` finds what may be a code in a paste that
cannot be read, so that it is masked all the same.

:meth:`AuthorizationRequest.to_dict` and :meth:`~AuthorizationRequest.from_dict` carry a
request from the process that built the link to the one that completes it (the command line
keeps it in a 0600 file between ``authorize`` and ``exchange``).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import pkce
from .errors import ConfigError, PastedRedirectError, StateMismatchError
from .redact import mask, redact_url, remember

__all__ = ["AuthorizationRequest", "PastedRedirect", "parse_pasted_redirect", "same_endpoint", "MAX_PASTE",
           "PENDING_FORMAT", "PENDING_VERSION", "code_candidates"]

#: Longest paste accepted; real redirect URLs are well under 4 KiB.
MAX_PASTE = 16 * 1024
# RFC 6749 Appendix A.11: code = 1*VSCHAR (printable ASCII)
_VSCHAR = frozenset(chr(c) for c in range(0x20, 0x7F))
_RESPONSE_PARAM = re.compile(r"(^|[?&#])(code|error|state|iss)=")
#: The ``format`` tag of :meth:`AuthorizationRequest.to_dict`; ``version`` changes with its keys.
PENDING_FORMAT = "webhook-oauth-lab/pending-authorization"
PENDING_VERSION = 1
_NOT_PENDING_HINT = ("This is not an authorization request saved by this tool, or it was changed since. "
                     "Start again with a fresh authorize link.")
# What a copy from a chat, a document or a terminal puts around a code: invisible characters
# anywhere, and quotes around it (typographic ones too).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_QUOTE_PAIRS = ('""', "''", "<>", "``", "\u201c\u201d", "\u2018\u2019", "\u00ab\u00bb", "\u201e\u201c",
                "\u00bb\u00ab")
# code=VALUE (or "code: VALUE", the value maybe quoted) anywhere in a paste, up to what cannot follow it
_CODE_VALUE = re.compile(r"(?i)(?<![\w-])code\s*[=:]\s*[\"'`\u201c\u2018\u00ab]?([^&#\s\"'<>`\u201d\u2019\u00bb]+)")
# what cannot be in a code: whitespace, quotes of any kind, and anything outside printable ASCII
_NOT_IN_A_CODE = re.compile(r"[\s\"'`<>()\[\]{},;]+|[^\x21-\x7e]+")
# Words, and words joined as OAuth's own vocabulary is (access_denied, invalid-grant, Bearer):
# never a code, and remembered as one they would be masked in every later message.
_PLAIN_WORDS = re.compile(r"(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:[_.-](?:[a-z]+|[A-Z]+|[A-Z][a-z]+))*")


def code_candidates(text: object) -> list[str]:
    """The strings in a paste that may be an authorization code, for the by-value mask.

    A paste that cannot be read (a stray quote, an invisible character, a word before the
    code) still holds the code; whatever records the paste or a later echo of it masks these.
    Plain words are left out, so that remembering them cannot mask ordinary text.
    """
    if not isinstance(text, str):
        return []
    text = text[:MAX_PASTE]
    found = [m.group(1) for m in _CODE_VALUE.finditer(text)]
    if "://" not in text and not _RESPONSE_PARAM.search(text):  # no address around it: maybe the code itself
        found.append(text)
    pieces: list[str] = []
    for value in found:
        pieces.append(value)
        pieces.extend(_NOT_IN_A_CODE.split(value))
        pieces.append("".join(value.split()).translate(_INVISIBLE))  # what the parser makes of it
    return [p for p in dict.fromkeys(pieces) if p and not _PLAIN_WORDS.fullmatch(p)]


@dataclass(frozen=True, repr=False)
class AuthorizationRequest:
    """One authorize link and the one-time values behind it (keep ``code_verifier`` secret)."""

    url: str
    state: str
    redirect_uri: str
    code_verifier: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)
    #: OpenID Connect: the ``nonce`` sent with the link (when ``openid`` is in the scope); the
    #: ID token must carry it back.
    nonce: str | None = None

    def __repr__(self) -> str:
        verifier = f", code_verifier={mask(self.code_verifier)}" if self.code_verifier else ""
        return f"AuthorizationRequest(url={redact_url(self.url)!r}, state={self.state!r}{verifier})"

    def to_dict(self) -> dict:
        """The request as JSON-ready data, for :meth:`from_dict` in a later process.

        It holds the ``code_verifier`` in clear: keep it only where nobody else can read it.
        The flow's settings (token URL, client, issuer) are not part of the request; a caller
        that completes it later saves those beside it, without the client secret.
        """
        return {
            "format": PENDING_FORMAT,
            "version": PENDING_VERSION,
            "url": self.url,
            "state": self.state,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.code_verifier,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "params": dict(self.params),
            "created_at": self.created_at,
            "nonce": self.nonce,
        }

    @classmethod
    def from_dict(cls, data: object) -> "AuthorizationRequest":
        """The request :meth:`to_dict` made; raises :class:`ConfigError` for anything else.

        Keys it does not know are ignored, so a caller may keep its own beside them. No value
        is quoted in the error: the data holds a secret. The verifier is remembered for masking.
        """
        if not isinstance(data, Mapping):
            raise ConfigError({"pending_authorization": ["must be a JSON object (a dict)"]},
                              hint=_NOT_PENDING_HINT)
        if data.get("format") != PENDING_FORMAT:
            raise ConfigError({"format": [f"is not {PENDING_FORMAT!r}: this was not saved by this tool"]},
                              hint=_NOT_PENDING_HINT)
        if type(data.get("version")) is not int or data["version"] != PENDING_VERSION:
            raise ConfigError({"version": [f"is not {PENDING_VERSION}, the only one this version of the tool reads"]},
                              hint="It was saved by another version of this tool. Start again with a fresh "
                              "authorize link.")
        problems: dict[str, list[str]] = {}
        for name in ("url", "state", "redirect_uri"):
            if not isinstance(data.get(name), str) or not data[name]:
                problems[name] = ["must be non-empty text"]
        for name in ("code_verifier", "code_challenge", "code_challenge_method", "nonce"):
            if not isinstance(data.get(name), (str, type(None))):
                problems[name] = ["must be text or null"]
        verifier = data.get("code_verifier")
        if isinstance(verifier, str) and not pkce.is_valid_verifier(verifier):
            problems["code_verifier"] = ["is not a PKCE code_verifier (RFC 7636 §4.1)"]
        params = data.get("params", {})
        if not isinstance(params, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in params.items()):
            problems["params"] = ["must map text to text"]
        created_at = data.get("created_at")
        if isinstance(created_at, bool) or not isinstance(created_at, (int, float)) or not math.isfinite(created_at):
            problems["created_at"] = ["must be a time in seconds since the epoch"]
        if problems:
            raise ConfigError(problems, hint=_NOT_PENDING_HINT)
        remember(verifier)
        return cls(url=data["url"], state=data["state"], redirect_uri=data["redirect_uri"],
                   code_verifier=verifier, code_challenge=data.get("code_challenge"),
                   code_challenge_method=data.get("code_challenge_method"), params=dict(params),
                   created_at=float(created_at), nonce=data.get("nonce"))


@dataclass(frozen=True, repr=False)
class PastedRedirect:
    """The parameters found in a paste. ``source`` is ``query``, ``fragment`` or ``bare``."""

    source: str
    code: str | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None
    error_uri: str | None = None
    iss: str | None = None
    #: scheme://host/path of the pasted URL, to compare with the redirect URI; None for a bare code.
    landed_on: str | None = None

    def __repr__(self) -> str:
        return (f"PastedRedirect(source={self.source!r}, code={mask(self.code)!r}, state={self.state!r}, "
                f"error={self.error!r}, iss={self.iss!r})")


def _single(params: dict[str, list[str]], name: str, *, source: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        error = StateMismatchError if name == "state" else PastedRedirectError
        raise error(
            f"The pasted {source} carries '{name}' {len(values)} times; a genuine authorization "
            "response has each parameter once (RFC 6749 §3.1), so it was refused."
        )
    return values[0]


def parse_pasted_redirect(text: str) -> PastedRedirect:
    """Read a pasted redirect URL or bare code. Raises :class:`PastedRedirectError`."""
    if not isinstance(text, str):
        raise PastedRedirectError("Nothing usable was pasted.")
    if len(text) > MAX_PASTE:
        raise PastedRedirectError(f"The pasted text is {len(text)} characters long; that is not a redirect URL.")
    # URLs and codes hold no whitespace or invisible characters; pasting adds some
    cleaned = "".join(text.split()).translate(_INVISIBLE)
    while len(cleaned) >= 2 and cleaned[0] + cleaned[-1] in _QUOTE_PAIRS:
        cleaned = cleaned[1:-1].strip()
    if not cleaned:
        raise PastedRedirectError("Nothing was pasted.")
    if any(ch not in _VSCHAR for ch in cleaned):
        raise PastedRedirectError("The pasted text contains characters that cannot be in a redirect URL or code.")

    # A bare code may itself end in '=' (Base64 padding), so only these shapes count as a URL.
    looks_like_url = "://" in cleaned or cleaned[0] in "?#/" or bool(_RESPONSE_PARAM.search(cleaned))
    if not looks_like_url:
        return PastedRedirect(source="bare", code=cleaned)

    try:
        parts = urlsplit(cleaned if "://" in cleaned or cleaned[0] in "?#/" else "?" + cleaned)
    except ValueError as exc:
        raise PastedRedirectError(f"The pasted text is not a valid URL ({exc}).") from None
    query = parse_qs(parts.query, keep_blank_values=True)
    fragment = parse_qs(parts.fragment, keep_blank_values=True)
    # Response parameters are in the query (response_mode=query, the default for code) or in
    # the fragment (response_mode=fragment); use whichever holds a code or an error.
    if any(k in query for k in ("code", "error")):
        params, source = query, "query"
    elif any(k in fragment for k in ("code", "error")):
        params, source = fragment, "fragment"
    else:
        if "response_type" in query or "client_id" in query or "code_challenge" in query:
            raise PastedRedirectError(
                "This is the authorize link itself, not where the browser landed.",
                hint="Open the authorize link, log in and approve, then copy the address of the "
                "page you land on (it contains code=) and paste that.",
            )
        raise PastedRedirectError(
            # not echoed: whatever was pasted may hold a code under a name no parser expects
            "The pasted address has neither code= nor error= where a redirect carries them.",
        )
    landed_on = None
    if parts.scheme and parts.netloc:
        landed_on = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return PastedRedirect(
        source=source,
        code=_single(params, "code", source=source),
        state=_single(params, "state", source=source),
        error=_single(params, "error", source=source),
        error_description=_single(params, "error_description", source=source),
        error_uri=_single(params, "error_uri", source=source),
        iss=_single(params, "iss", source=source),
        landed_on=landed_on,
    )


def same_endpoint(a: str, b: str) -> bool:
    """Same scheme, host, port and path (trailing slash aside); False for unparseable URLs."""
    try:
        x, y = urlsplit(a), urlsplit(b)
        return (x.scheme.lower(), x.hostname or "", x.port, x.path.rstrip("/")) == (
            y.scheme.lower(), y.hostname or "", y.port, y.path.rstrip("/"))
    except ValueError:  # e.g. a port out of range in what was pasted
        return False
