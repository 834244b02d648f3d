"""What the command line prints: text for people by default, one JSON document with ``--json``.

Everything the command line writes goes through :class:`_Out`, and :class:`_Out` cleans it
twice on the way out, whatever the command:

* :func:`scrub` masks every secret it finds, by name and by value. Provider text (an OAuth
  ``error`` member, a probe's evidence, discovery metadata, token claims) is quoted into the
  output, and a provider can echo a secret into any of it. The only exceptions are the values
  a command shows on purpose (``--reveal``) and the masked forms (``****abcd``) it made itself.
* :func:`terminal_safe` writes every character a terminal acts on, rather than shows, as a
  visible escape (``\\x1b``, ``\\u202e``): ESC sequences (colours, cursor moves, OSC 52
  clipboard writes, window titles), other C0 and C1 controls, DEL, ``\\r`` (overwrites a line),
  bidi overrides and isolates, zero-width and other format characters, line and paragraph
  separators, lone surrogates. Newlines and tabs stay. ``--json`` writes the same characters as
  JSON ``\\uXXXX`` escapes: the document parses to the same data, but no raw control byte
  reaches a terminal that shows it.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone

from ..core.errors import WebhookAuthError
from ..core.redact import mask, scrub

__all__ = ["terminal_safe", "json_terminal_safe", "scrub_except"]

# Unicode categories a terminal acts on rather than shows: controls (Cc: C0, DEL, C1), format
# characters (Cf: bidi overrides and isolates, zero-width space and joiners, BOM, tags), line and
# paragraph separators (Zl, Zp), lone surrogates (Cs, which cannot even be encoded for output).
_ACTS = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_KEEP = frozenset("\n\t")
_ASCII_ACTS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _acts(char: str) -> bool:
    return char not in _KEEP and unicodedata.category(char) in _ACTS


def _visible(char: str) -> str:
    code = ord(char)
    if char == "\r":
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as a visible escape.

    Newlines and tabs stay as they are; ``\\x1b`` becomes the four characters ``\\x1b``,
    U+202E the six characters ``\\u202e``. Pure, and a no-op on ordinary text.
    """
    if text.isascii():
        return _ASCII_ACTS.sub(lambda m: _visible(m.group()), text) if _ASCII_ACTS.search(text) else text
    return "".join(_visible(c) if _acts(c) else c for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_terminal_safe(document: str) -> str:
    """A JSON text from :func:`json.dumps` with the same characters as ``\\uXXXX`` escapes.

    json.dumps escapes only C0 controls; with ``ensure_ascii=False`` it writes DEL, C1 controls
    and bidi characters as they are. Such characters can only stand inside strings (the rest of
    a JSON text is ASCII punctuation, digits and the layout's own newlines), so escaping them
    there gives a document that parses to the very same data.
    """
    if document.isascii():
        return document.replace("\x7f", "\\u007f")
    return "".join(_json_escape(c) if _acts(c) else c for c in document)


# Text the command line writes itself that scrub() would take for a secret, kept as it is:
# a masked value exactly as mask() writes it ("****" and at most 4 characters, then no more of a
# value); "Bearer token(s)", which the scheme net reads as the credential "token"; and a scheme
# word that ends a line ("type  Bearer"), after which that net would mask the next line's first
# word (a header never has a line break between scheme and credentials).
_VALUE_CHAR = r"[^'\"&\s,;}\]\)]"
_CREDENTIAL_CHAR = r"[A-Za-z0-9._~+/=-]"
_OWN_TEXT = "|".join([
    rf"\*\*\*\*(?:{_VALUE_CHAR}{{4}})?(?!{_VALUE_CHAR})",
    rf"(?i:\b(?:basic|bearer|dpop|mac)[ \t]+tokens?(?![A-Za-z0-9_~+/=-]|\.{_CREDENTIAL_CHAR}))",  # "token." ends a sentence
    r"(?i:\b(?:basic|bearer|dpop|mac)[ \t]*(?=\n|$))",
])


def scrub_except(text: str, keep: Iterable[str] = ()) -> str:
    """:func:`scrub` over ``text``, leaving alone the ``keep`` values and the tool's own words.

    ``keep`` holds what a command shows on purpose (a token with ``--reveal``): the by-value net
    remembers those secrets too and would mask them. A masked ``****abcd`` is kept because
    scrubbing ``token: ****abcd`` again would leave ``token: ****``; see ``_OWN_TEXT`` for the
    rest. Each stretch of text between kept parts is scrubbed on its own.
    """
    kept = sorted({k for k in keep if k}, key=len, reverse=True)
    pattern = re.compile("|".join([*(re.escape(k) for k in kept), _OWN_TEXT]))
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [scrub(text[last:match.start()]), match.group()]
        last = match.end()
    pieces.append(scrub(text[last:]))
    return "".join(pieces)


def _clean_data(value: object, keep: tuple[str, ...]) -> object:
    if isinstance(value, str):
        return scrub_except(value, keep)
    if isinstance(value, dict):
        return {scrub_except(str(k), keep): _clean_data(v, keep) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_data(v, keep) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub_except(str(value), keep)


class _Out:
    """One per run: ``--json`` decides whether stdout gets text for people or one JSON document.

    The one place the command line writes (argparse's usage errors aside, which quote only
    what was typed, and pass :func:`terminal_safe` too). See the module docstring.
    """

    def __init__(self, as_json: bool):
        self.as_json = as_json

    @staticmethod
    def _text(text: object, keep: Iterable[str] = ()) -> str:
        return terminal_safe(scrub_except(str(text), keep))

    def _json(self, document: dict, keep: Iterable[str] = (), indent: int | None = 2) -> str:
        cleaned = _clean_data(document, tuple(keep))
        return json_terminal_safe(json.dumps(cleaned, indent=indent, ensure_ascii=False, default=str))

    def result(self, human: str, data: dict, *, revealed: Iterable[str] = (), indent: int | None = 2) -> None:
        """The command's answer on stdout; ``revealed`` lists what it shows on purpose (``--reveal``)."""
        revealed = tuple(revealed)
        if self.as_json:
            print(self._json({"ok": True, **data}, revealed, indent))
        else:
            print(self._text(human, revealed))
        sys.stdout.flush()

    def info(self, text: str) -> None:
        """Progress for people: stdout normally, stderr in --json mode (stdout is the document)."""
        stream = sys.stderr if self.as_json else sys.stdout
        print(self._text(text), file=stream)
        stream.flush()

    def warn(self, text: str) -> None:
        print(f"warning: {self._text(text)}", file=sys.stderr)

    def note(self, text: str) -> None:
        """A line for people on stderr (never part of the --json document)."""
        print(self._text(text), file=sys.stderr)

    def error(self, exc: BaseException, code: int) -> None:
        if isinstance(exc, WebhookAuthError):
            kind, message, hint = type(exc).__name__, exc.message, exc.hint
        else:
            kind, message, hint = type(exc).__name__, str(exc), "This is a bug or an unexpected situation; " \
                "please report it with the command you ran (secrets are never needed to reproduce it)."
        if self.as_json:
            print(self._json({"ok": False, "exit_code": code,
                              "error": {"type": kind, "message": message, "hint": hint}}))
            sys.stdout.flush()
        else:
            print(f"error: {self._text(message)}\nhint: {self._text(hint)}", file=sys.stderr)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "unknown"
    from ..core.durations import format_duration

    moment = datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")
    left = epoch - time.time()
    return f"{moment} ({'in ' + format_duration(left) if left > 0 else 'expired ' + format_duration(left)})"


def _token_text(token, *, reveal: bool, heading: str) -> str:
    lines = [heading,
             f"  access token   {token.access_token if reveal else token.masked}"
             + ("" if reveal else "   (--reveal to show it)"),
             f"  type           {scrub(token.token_type)}",
             f"  expires        {_when(token.expires_at)}",
             f"  scope          {scrub(token.scope) or '(none named)'}",  # the provider's text
             f"  refresh token  {(token.refresh_token if reveal else mask(token.refresh_token)) or '-'}"]
    lines += [f"note: {n}" for n in token.notes]
    return "\n".join(lines)
