"""Masking of secrets in everything this package shows, stores or logs.

Two nets, because either alone misses something:

* by name: parameters, JSON keys and headers that carry secrets (``client_secret``, ``code``,
  ``access_token``, ``Authorization`` ...) are masked wherever they appear;
* by value: every secret the package has handled in this process is remembered (in memory
  only) and masked wherever it turns up, e.g. echoed back in a provider's HTML error page.
  Each is remembered in the shapes it travels in, too: percent- and form-encoded, HTML- and
  JSON-escaped; the Basic credentials the toolkit builds are remembered as the Base64 text
  they are, "Basic" or not. A secret of the config (``remember(..., known=True)``: a client
  secret, a webhook password a person chose) is masked whatever its length: from 4 characters
  anywhere, 3 as a whole word, 1 or 2 as a word that stands alone (not inside "it's",
  "127.0.0.1" or "HTTP/1.1", or every such letter would go). Other values are masked only from
  6 characters, since shorter ones would mangle ordinary text.

A masked value shows at most its last four characters, and only when the secret is long
enough (16+) that four characters give nothing away.

requests-oauthlib logs request bodies and tokens at DEBUG, and urllib3 logs URLs that carry
authorization codes. :func:`install_log_redaction` puts a filter on those loggers that
rewrites every record before any handler sees it.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

from .secret import Secret

__all__ = [
    "SECRET_KEYS",
    "mask",
    "remember",
    "scrub",
    "mask_remembered",
    "redact_url",
    "redact_headers",
    "redact_header_pairs",
    "redact_params",
    "redact_body",
    "install_log_redaction",
]

MASK = "****"

#: Parameter / JSON key names whose values are secrets (compared case-insensitively).
SECRET_KEYS = frozenset(
    {
        "client_secret",
        "password",
        "code",
        "code_verifier",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "assertion",
        "client_assertion",
        "subject_token",
        "actor_token",
        "device_code",
        "webhook_password",
        # credentials webhook receivers and APIs commonly take in a query string
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "key",
        "secret",
        "sig",
        "signature",
        "auth",
        "access_key",
        "secret_key",
        "private_key",
        "session_token",
    }
)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Values set by requests/urllib3 or by us, never free text; they were a good share of the scrubs of
# a token fetch (BENCHMARKS.md).
_PLAIN_HEADERS = frozenset({"user-agent", "accept", "accept-encoding", "connection", "content-length",
                            "content-type", "host", "date"})

# The shortest value the by-value net looks for: shorter strings would mangle ordinary text.
_MIN_REMEMBERED = 6
_MAX_REMEMBERED = 4096

#: Each remembered secret, oldest first, with its forms (:func:`shapes`) of indexable length.
_known: OrderedDict[str, tuple[str, ...]] = OrderedDict()
# Remembered secrets by their last characters: scrubbing looks each position of the text up
# here, so its cost grows with the text, not with the number of secrets remembered. The last
# characters rather than the first: every JWT starts "eyJhbGci", so a prefix index put every
# remembered token under one key, and a text holding any JWT was compared with all of them.
_by_suffix: dict[str, list[str]] = {}
# Known secrets of the config shorter than the index's width: few (a person typed each), each
# looked for on its own. Three characters only as a whole word, or every "abc" would go; one or
# two only where they stand alone: not joined to a word by . / - or ' either, or every "s" of
# "it's" and every "1" of "127.0.0.1" would go. Echoes quote them, or put them after "=" or a space.
_short: tuple[str, ...] = ()
_short_words: re.Pattern[str] | None = None
_SHORT_AS_SUBSTRING = 4
_SHORT_AS_WORD = 3
_JOINED = r"[./\-']"
# Forms masked with no tail shown (remember(..., whole=True)); never more than the secrets.
_whole: set[str] = set()
_known_lock = threading.Lock()


def mask(secret: object) -> str:
    """``'****'`` plus the last 4 characters when the secret has 16 or more, else ``'****'``."""
    if secret is None or secret == "":
        return ""
    text = secret.reveal() if isinstance(secret, Secret) else str(secret)
    return MASK + text[-4:] if len(text) >= 16 else MASK


def shapes(secret: str) -> set[str]:
    """The forms ``secret`` takes on its way: as typed, percent- and form-encoded (the bodies
    and URLs the toolkit sends), HTML-escaped (pages that echo it), JSON-escaped (bodies)."""
    forms = {secret, html.escape(secret), html.escape(secret, quote=False),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    try:
        forms |= {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe=":/")}
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: it is never sent encoded
        pass
    forms.discard("")
    return forms


def remember(*secrets: object, known: bool = False, whole: bool = False) -> None:
    """Add secrets, in each of their :func:`shapes`, to the by-value net (this process only).

    ``known=True``: secrets of the config, which a person chose (a 5-character webhook
    password); those are masked whatever their length (see the module's docstring for how
    one to three characters are looked for). Others need 6 characters or more.
    ``whole=True``: masked without the last four characters a long secret keeps (the tail
    of a Basic credential's Base64 is the tail of the password).
    """
    texts = [s.reveal() if isinstance(s, Secret) else str(s) for s in secrets if s is not None]
    texts = [t for t in texts if t]
    if not texts:
        return
    fresh: dict[str, tuple[str, ...]] = {}
    short = []
    for text in texts:
        if text in _known:
            fresh[text] = _known[text]
            continue
        forms = shapes(text)
        long_forms = tuple(sorted((f for f in forms if len(f) >= _MIN_REMEMBERED), key=len, reverse=True))
        if long_forms:
            fresh[text] = long_forms
        if known:
            short += [f for f in forms if len(f) < _MIN_REMEMBERED and f not in _short]
        if whole:
            _whole.update(forms)
    if short:
        _remember_short(short)
    if not fresh:
        return
    with _known_lock:
        for secret, forms in fresh.items():
            if secret in _known:
                _known.move_to_end(secret)
                continue
            _known[secret] = forms
            # The index holds each secret once per suffix of its forms (most forms of a secret
            # end alike); copy-on-write: a scrub running in another thread keeps a consistent list.
            for key in {_index_key(f) for f in forms}:
                _by_suffix[key] = [*_by_suffix.get(key, ()), secret]
        while len(_known) > _MAX_REMEMBERED:
            old, forms = _known.popitem(last=False)
            _whole.difference_update(forms)
            for key in {_index_key(f) for f in forms}:
                rest = [x for x in _by_suffix.get(key, []) if x != old]
                if rest:
                    _by_suffix[key] = rest
                else:
                    _by_suffix.pop(key, None)


_PADDING = re.compile(r"(?:=|%3D)+$", re.IGNORECASE)


def _index_key(form: str) -> str:
    """The characters a form is indexed by: its last ones, padding aside.

    Any substring of a form would do (a text holding the form holds it); the end of it is
    what tells tokens apart, except Base64 padding, which every Basic credential may share
    ("==", percent-encoded "%3D%3D"), and which would put them all under one key.
    """
    core = _PADDING.sub("", form)
    return core[-_MIN_REMEMBERED:] if len(core) >= _MIN_REMEMBERED else form[-_MIN_REMEMBERED:]


def _remember_short(forms: list[str]) -> None:
    global _short, _short_words
    with _known_lock:
        every = tuple(sorted({*_short, *forms}, key=len, reverse=True))
        words = [_standing_alone(s) for s in every if len(s) < _SHORT_AS_SUBSTRING]
        _short_words = re.compile("|".join(words)) if words else None
        _short = every


def _standing_alone(secret: str) -> str:
    """The pattern of a short secret as a word of its own (see ``_short`` for the two rules)."""
    word = re.escape(secret)
    if len(secret) >= _SHORT_AS_WORD:
        return rf"(?<!\w){word}(?!\w)"
    return rf"(?<!\w)(?<!\w{_JOINED}){word}(?!\w)(?!{_JOINED}\w)"


def _mask_short(text: str) -> str:
    for secret in _short:
        if len(secret) >= _SHORT_AS_SUBSTRING and secret in text:
            text = text.replace(secret, MASK)
    if _short_words is not None:
        text = _short_words.sub(MASK, text)
    return text


def _mask_known(text: str) -> str:
    text = _mask_long(text)
    return _mask_short(text) if _short else text


def _mask_long(text: str) -> str:
    index = _by_suffix
    width = _MIN_REMEMBERED
    if not index or len(text) < width:
        return text
    # Every occurrence of a remembered secret ends with one of the indexed suffixes, so the
    # text's own substrings of that width tell which secrets can be in it (usually none).
    if len(index) < len(text):
        hits = [suffix for suffix in index if suffix in text]
    else:
        # (not set.intersection(index): with a dict argument it walks the whole index)
        hits = {window for i in range(len(text) - width + 1) if (window := text[i : i + width]) in index}
    if not hits:
        return text
    known = _known
    candidates = sorted({form for key in hits for s in index.get(key, ()) for form in known.get(s, (s,))},
                        key=len, reverse=True)
    for secret in candidates:  # longest first: a secret that contains another is masked whole
        if secret in text:
            text = text.replace(secret, MASK if secret in _whole else mask(secret))
    return text


def mask_remembered(text: object) -> str:
    """``text`` with every remembered secret masked: the by-value net alone.

    For our own sentences (error messages, hints), which a by-name pass could mangle
    ("client_secret: must not be empty"); provider text goes through :func:`scrub`.
    """
    return "" if text is None else _mask_known(str(text))


_KEY_ALT = "|".join(sorted((re.escape(k) for k in SECRET_KEYS), key=len, reverse=True))
# key=value, 'key': 'value', "key":"value", key: value  (logs, reprs, JSON, query strings)
_BY_KEY = re.compile(
    # a key starts the text, follows punctuation, or follows a percent-encoded # & ?
    rf"(?i)(?:(?<![\w-])|(?<=%23)|(?<=%26)|(?<=%3f))(?P<key>{_KEY_ALT})(?P<sep>['\"]?\s*[:=]\s*['\"]?\s*)(?P<value>[^'\"&\s,;}}\]\)]+)"
)
# Authorization header values: "Basic dXNlcjpwYXNz", "Bearer eyJ..."
_SCHEMES = ("basic", "bearer", "dpop", "mac")
_BY_SCHEME = re.compile(r"(?i)\b(?P<scheme>basic|bearer|dpop|mac)(?P<sp>\s+)(?P<value>[A-Za-z0-9._~+/=-]{4,})")


def _mask_match(m: re.Match[str]) -> str:
    return m.group("key") + m.group("sep") + mask(m.group("value"))


def _finder(names: Iterable[str]):
    """A test of whether casefolded text contains any of ``names``.

    A case-insensitive alternation in ``re`` tries every name at every position, with case
    folding, so it is slow and grows with the text. Casefolding once, then a plain
    alternation (short text) or one substring search per name (long text) gives the same
    answer many times faster (BENCHMARKS.md, the name checks). casefold() rather than lower():
    the substitutions below are case-insensitive, and ``re`` also matches "ſ" to "s" there.
    """
    names = tuple(sorted(names, key=len, reverse=True))
    pattern = re.compile("|".join(re.escape(n) for n in names))

    def found_in(folded: str) -> bool:
        if len(folded) <= 256:
            return pattern.search(folded) is not None
        return any(n in folded for n in names)

    return found_in


_names_a_key = _finder(SECRET_KEYS)
_names_a_scheme = _finder(_SCHEMES)


def scrub(text: object) -> str:
    """Mask every secret found in free text, by name and by value."""
    if text is None:
        return ""
    out = _mask_known(str(text))
    folded = out.casefold()  # the checks below are necessary conditions of each substitution
    if ("=" in out or ":" in out) and _names_a_key(folded):
        out = _BY_KEY.sub(_mask_match, out)
    if _names_a_scheme(folded):
        out = _BY_SCHEME.sub(
            lambda m: m.group("scheme") + m.group("sp") + _mask_credentials(m.group("scheme"), m.group("value")), out)
    return out


def _mask_credentials(scheme: str, credentials: str) -> str:
    # The tail of a Basic value is Base64 of the password's tail: show none of it.
    return MASK if scheme.lower() == "basic" else mask(credentials)


_MANGLED = re.compile(r"[?#&;/%\s]")


def _is_secret_key(key: object) -> bool:
    name = key.lower() if type(key) is str else str(key).lower()
    if name in SECRET_KEYS:
        return True
    if not _MANGLED.search(name):
        return False
    # "#code", "/callback?code", "%23code": a name mangled by an odd URL is still that name
    return re.split(r"[?#&;/]", unquote(name).strip())[-1] in SECRET_KEYS


def redact_params(params: Iterable[tuple[str, str]] | Mapping[str, object]) -> list[tuple[str, str]]:
    """Mask the values of secret parameters; other values go through :func:`scrub`."""
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(k), mask(v) if _is_secret_key(k) else scrub(v)) for k, v in items]


def redact_url(url: str) -> str:
    """The URL with secret query and fragment parameters masked (``state`` stays visible)."""
    if not url:
        return ""
    if url.isascii() and not any(c in url for c in "?#@[]"):
        # No query, fragment or user info, and nothing urlsplit could refuse: only the path
        # can hold a secret, a remembered one. Every token request comes this way. A "path"
        # with key=value in it is usually a query pasted without its '?': masked by name too.
        return scrub(url) if "=" in url else _mask_known(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub(url)

    def clean(component: str) -> str:
        if "=" not in component:
            return scrub(component)
        pairs = parse_qsl(component, keep_blank_values=True)
        # scrub() again over the result: a hash-routed "#/cb?code=..." hides the key from parse_qsl
        # backslashreplace: a lone surrogate in a paste cannot be UTF-8 encoded, only shown
        return scrub(urlencode(redact_params(pairs), safe="*:/?", errors="backslashreplace"))

    netloc = parts.netloc
    if "@" in netloc:  # user:password@host
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, _mask_known(parts.path), clean(parts.query), clean(parts.fragment)))


def redact_headers(headers: Mapping[str, object] | None) -> dict[str, str]:
    """Headers with credentials masked; ``Authorization`` keeps its scheme visible.

    What each header shows is :func:`redact_header_pairs`'s rule, one value per name.
    """
    return dict(redact_header_pairs((headers or {}).items()))


def redact_header_pairs(pairs: Iterable[tuple[object, object]]) -> list[tuple[str, str]]:
    """``(name, value)`` pairs (repeats kept, e.g. several ``Set-Cookie``) with secrets masked.

    * ``Authorization`` / ``Proxy-Authorization``: the scheme stays, the credentials go;
    * ``Cookie`` / ``Set-Cookie``: every cookie's name and the attributes (``Path``,
      ``HttpOnly`` ...) stay, every cookie value is masked;
    * ``WWW-Authenticate`` / ``Proxy-Authenticate`` / ``Authentication-Info``: the scheme and
      the parameters a person needs to diagnose a refusal (``realm``, ``error``,
      ``error_description``, ``scope`` ...; RFC 6750 §3) stay, scrubbed; every other
      parameter (``nonce``, ``opaque``, a Negotiate token ...) is masked;
    * a header whose name says it carries a credential (``X-Api-Key``, ``X-Auth-Token``,
      ``X-CSRF-Token`` ...) or whose value looks like a JWT: masked whole;
    * anything else goes through :func:`scrub` (remembered secrets, ``key=value`` pairs).
    """
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        out.append((name, _redact_header(name.lower(), text)))
    return out


_COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
_CHALLENGE_HEADERS = frozenset({"www-authenticate", "proxy-authenticate", "authentication-info"})
#: Challenge parameters that say why a request was refused and hold no credential.
_CHALLENGE_PLAIN = frozenset({"realm", "error", "error_description", "error_uri", "scope", "charset",
                              "algorithm", "qop", "stale", "resource_metadata", "max_age"})
_SECRET_HEADER_NAME = re.compile(r"token|secret|passw|api-?key|apikey|auth|session|signature|credential"
                                 r"|csrf|xsrf|-key$|^key$")
_JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.")
_CHALLENGE_PARAM = re.compile(r'(?P<name>[A-Za-z0-9_.-]+)\s*=\s*(?P<value>"(?:[^"\\]|\\.)*"|[^\s,]*)')


def _redact_header(lowered: str, text: str) -> str:
    if lowered in _SECRET_HEADERS and lowered not in _COOKIE_HEADERS:
        scheme, _, credentials = text.partition(" ")
        return f"{scheme} {_mask_credentials(scheme, credentials)}" if credentials else mask(text)
    if lowered in _COOKIE_HEADERS:
        return _redact_cookies(text)
    if lowered in _CHALLENGE_HEADERS:
        return _redact_challenge(text)
    if lowered in _PLAIN_HEADERS and len(text) < 200:
        return text
    if _SECRET_HEADER_NAME.search(lowered) or _JWT_LIKE.search(text):
        return mask(text)
    return scrub(text)


_COOKIE_ATTRIBUTES = frozenset({"path", "domain", "expires", "max-age", "samesite", "secure", "httponly",
                                "partitioned", "priority"})
# A cookie value holds no comma, semicolon or space (RFC 6265 §4.1.1), so a pair ends at one;
# "Expires=Wed, 21 Oct ..." keeps its date because an attribute is shown as it is.
_COOKIE_PAIR = re.compile(r"(?P<name>[^=;,\s]+)=(?P<value>[^;,]*)")


def _redact_cookies(text: str) -> str:
    """Every cookie's value masked, names and attributes kept. requests joins repeated
    ``Set-Cookie`` headers with ", ", which this reads too."""
    def one(m: re.Match[str]) -> str:
        name, value = m.group("name"), m.group("value")
        if name.lower() in _COOKIE_ATTRIBUTES:
            return m.group(0)
        return f"{name}={mask(value) or MASK}"

    return _mask_known(_COOKIE_PAIR.sub(one, text))


def _redact_challenge(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        name, value = m.group("name"), m.group("value")
        if name.lower() in _CHALLENGE_PLAIN:
            return f"{name}={scrub(value)}"
        quoted = value.startswith('"')
        return f'{name}="{MASK}"' if quoted else f"{name}={MASK}"

    out = _CHALLENGE_PARAM.sub(one, text)
    # a token68 challenge (Negotiate, NTLM): "scheme <credentials>" with no parameters
    return re.sub(r"(?i)\b(negotiate|ntlm|kerberos)\s+[A-Za-z0-9._~+/=-]{4,}", lambda m: f"{m.group(1)} {MASK}", out)


def redact_body(body: object, content_type: str = "") -> str:
    """A request or response body as text with secrets masked (JSON, form or anything else)."""
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    stripped = text.strip().lstrip("\ufeff")
    if stripped[:1] in "{[" or "json" in content_type:
        try:
            return json.dumps(_redact_json(json.loads(stripped)), ensure_ascii=False)
        except (ValueError, RecursionError):
            return scrub(text)
    if "=" in text and ("form-urlencoded" in content_type or not content_type) and " " not in stripped:
        encoded = "%" in text or "+" in text
        folded = text.casefold()
        if not encoded and not _names_a_key(folded) and not _names_a_scheme(folded):
            # No secret name, no auth scheme and nothing encoded that could hide one: only
            # remembered values can be here (the body a client credentials grant sends, say).
            return _mask_known(text)
        pairs = parse_qsl(stripped, keep_blank_values=True)
        if pairs:
            return urlencode(redact_params(pairs), safe="*:/", errors="backslashreplace")
    return scrub(text)


def _redact_json(value: object) -> object:
    if isinstance(value, dict):
        return {k: (mask(v) if _is_secret_key(k) and isinstance(v, (str, int)) else _redact_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked, before handlers format it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix; still never leak args
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Handlers format the traceback later, from the live exception: do it now, masked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FILTER = _RedactingFilter()
_LOGGER_PREFIXES = ("requests_oauthlib", "oauthlib", "urllib3", "requests", "werkzeug", "widgets")


_seen_loggers = 0


def install_log_redaction(prefixes: Iterable[str] = _LOGGER_PREFIXES) -> None:
    """Attach the redacting filter to every existing logger under ``prefixes``.

    A logger's filters only see records logged on that very logger (not its children), so
    the filter goes on each module logger. Called again after new modules are imported; a
    call when no logger was created since the last one returns at once.
    """
    global _seen_loggers
    registry = logging.Logger.manager.loggerDict
    if prefixes is _LOGGER_PREFIXES and len(registry) == _seen_loggers:
        return
    prefixes = tuple(prefixes)
    names = [name for name in list(registry) if name.startswith(prefixes)]
    for name in list(prefixes) + names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    if prefixes == _LOGGER_PREFIXES:
        _seen_loggers = len(registry)
