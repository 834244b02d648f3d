"""Hypothesis strategies for what a person pastes and what a provider returns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

from hypothesis import strategies as st

# -- text of every kind --------------------------------------------------------------------

#: Any code point, lone surrogates included (what a broken clipboard can hand over).
any_char = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from("\x00\t\n\r \x7f\u00a0\u200b\u2028\ufeff%&=#?/:;@[]<>\"'`\\+"),
)
junk_text = st.text(any_char, max_size=60)
printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30)
binary_as_text = st.binary(max_size=120).map(lambda b: b.decode("latin-1")) | st.binary(max_size=120).map(
    lambda b: b.decode("utf-8", "surrogateescape")
)

# -- pasted redirects ------------------------------------------------------------------------


class Placeholder(str):
    """Replaced when the paste is rendered: the flow's real state, issuer or a canary code."""


STATE = Placeholder("<state>")
ISSUER = Placeholder("<issuer>")
CODE = Placeholder("<code>")

_RESPONSE_KEYS = ("code", "state", "iss", "error", "error_description", "error_uri")
_OTHER_KEYS = ("session_state", "scope", "response_type", "client_id", "code_challenge", "Code", "STATE",
               "state ", "code[]", "")
_ERRORS = ("access_denied", "invalid_request", "server_error", "<b>x</b>", "temporarily_unavailable")

_value = st.one_of(
    st.sampled_from([STATE, STATE, CODE, CODE, ISSUER, "", "null", "=", "&", "%", "%G1", "%E2%82", "%00", "%FF%FE"]),
    st.sampled_from(_ERRORS),
    printable,
    junk_text,
)
_encoding = st.sampled_from(["raw", "quote", "quote_plus", "double", "upper-hex"])


@dataclass(frozen=True)
class RedirectSpec:
    """A pasted redirect, rendered only once the flow's state and issuer are known."""

    prefix: str
    query: tuple[tuple[str, object, str], ...]
    fragment: tuple[tuple[str, object, str], ...]
    tail: str
    wrap: tuple[str, str]
    padding: int

    def render(self, state: str, issuer: str, code: str) -> str:
        def value(v, key):
            if v is STATE:
                return state
            if v is ISSUER:
                return issuer
            if v is CODE:  # the canary goes only where a code belongs
                return code if key == "code" else "not-the-code"
            return v

        def encode(text: str, how: str) -> str:
            if how == "quote":
                return quote(text, safe="", errors="surrogatepass")
            if how == "quote_plus":
                return quote_plus(text, errors="surrogatepass")
            if how == "double":
                return quote(quote(text, safe="", errors="surrogatepass"), safe="")
            if how == "upper-hex":
                return "".join(f"%{b:02X}" for b in text.encode("utf-8", "surrogatepass"))
            return text

        def component(pairs):
            return "&".join(f"{encode(k, how)}={encode(value(v, k), how)}" if k or v else "" for k, v, how in pairs)

        text = self.prefix
        if self.query:
            text += "?" + component(self.query)
        if self.padding:
            text += ("&" if self.query else "?") + "pad=" + "a" * self.padding
        if self.fragment:
            text += "#" + component(self.fragment)
        text += self.tail
        return self.wrap[0] + text + self.wrap[1]


_pairs = st.lists(
    st.tuples(st.sampled_from(_RESPONSE_KEYS) | st.sampled_from(_OTHER_KEYS) | printable, _value, _encoding),
    max_size=8,
)
_prefix = st.one_of(
    st.sampled_from([
        "https://app.thousandeyes.com/namespace/integrations/AuthCallbackPage.html",
        "http://127.0.0.1:{port}/cb",
        "http://127.0.0.1:99999/cb",
        "http://127.0.0.1:x/cb",
        "http://[::1/cb",
        "http://[::1]:0/cb",
        "https://user:pw@app.example/cb",
        "HTTPS://APP.THOUSANDEYES.COM/namespace/integrations/AuthCallbackPage.html/",
        "//app.example/cb",
        "/cb",
        "",
        "javascript:alert(1)",
        "https://xn--n3h.example/cb",
        "https://☃.example/cb",
        "https://app.example/cb;params",
    ]),
    st.builds(lambda s, h, p: s + h + p, st.sampled_from(["https://", "http://", "", "ftp://"]), printable, printable),
)
_wrap = st.sampled_from([("", ""), (" ", "\n"), ('"', '"'), ("'", "'"), ("<", ">"), ("`", "`"), ("\t", "  "),
                         ('"', ""), ("\u00a0", ""), ("\ufeff", "")])
_padding = st.sampled_from([0] * 12 + [3000, 16 * 1024 - 200, 16 * 1024 + 10, 70_000])


@st.composite
def _noisy_specs(draw) -> RedirectSpec:
    where = draw(st.sampled_from(["query", "query", "fragment", "both", "none"]))
    query = tuple(draw(_pairs)) if where in ("query", "both") else ()
    fragment = tuple(draw(_pairs)) if where in ("fragment", "both") else ()
    return RedirectSpec(
        prefix=draw(_prefix),
        query=query,
        fragment=fragment,
        tail=draw(st.sampled_from(["", "", "", "#", "&", "?", "%", "&&", "#x=1"]) | junk_text),
        wrap=draw(_wrap),
        padding=draw(_padding),
    )


_MUTATIONS = ("duplicate", "drop", "junk-value", "empty-value", "swap-state", "add-error", "add-extra")


@st.composite
def _genuine_specs(draw) -> RedirectSpec:
    """A real authorization response, then zero to three small mutations: these reach the
    state, issuer and redirect checks and the token request, where junk never gets."""
    pairs = [("code", CODE, "raw"), ("state", STATE, "raw")]
    if draw(st.booleans()):
        pairs.append(("iss", ISSUER, draw(st.sampled_from(["quote", "raw"]))))
    pairs = draw(st.permutations(pairs))
    for mutation in draw(st.lists(st.sampled_from(_MUTATIONS), max_size=3)):
        i = draw(st.integers(0, len(pairs) - 1)) if pairs else 0
        if mutation == "duplicate" and pairs:
            pairs.insert(i, pairs[i])
        elif mutation == "drop" and pairs:
            pairs.pop(i)
        elif mutation == "junk-value" and pairs:
            pairs[i] = (pairs[i][0], draw(printable | junk_text), draw(_encoding))
        elif mutation == "empty-value" and pairs:
            pairs[i] = (pairs[i][0], "", "raw")
        elif mutation == "swap-state":
            pairs = [(k, "st4te-from-another-tab" if v is STATE else v, how) for k, v, how in pairs]
        elif mutation == "add-error":
            pairs.append(("error", draw(st.sampled_from(_ERRORS)), "raw"))
            pairs.append(("error_description", draw(printable | junk_text), draw(_encoding)))
        elif mutation == "add-extra":
            pairs.append((draw(st.sampled_from(_OTHER_KEYS) | printable), draw(_value), draw(_encoding)))
    in_fragment = draw(st.sampled_from([False, False, False, True]))
    return RedirectSpec(
        prefix=draw(st.sampled_from(["http://127.0.0.1:{port}/cb"] * 4 + ["http://127.0.0.1:{port}/cb/", "http://LOCALHOST:{port}/cb"]) | _prefix),
        query=() if in_fragment else tuple(pairs),
        fragment=tuple(pairs) if in_fragment else (),
        tail="",
        wrap=draw(st.sampled_from([("", "")] * 6) | _wrap),
        padding=draw(st.sampled_from([0] * 6) | _padding),
    )


def redirect_specs() -> st.SearchStrategy[RedirectSpec]:
    """Mostly genuine answers with small mutations, and pure noise."""
    return st.one_of(_genuine_specs(), _noisy_specs())


#: Things that are not a redirect at all: junk, binary, non-strings.
pasted_junk = st.one_of(
    junk_text,
    binary_as_text,
    # right at the paste limit, either side
    st.builds(lambda t, n: ((t or "x") * n)[:n], junk_text, st.sampled_from([16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1])),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "=", "&", "?", "#", "%", " ", "é", "\x00"]),
              st.integers(0, 40_000)),
    st.sampled_from([None, 0, 1.5, b"code=abc&state=xyz", ["code=abc"], {"code": "abc"}, object()]),
    printable,
)

# -- token endpoint answers ------------------------------------------------------------------

HUGE_INTS = st.sampled_from([19, 63, 308, 309, 400, -400, 4000]).map(lambda e: 10**e if e > 0 else -(10**-e))
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), HUGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True), st.text(any_char, max_size=12),
)
_json_keys = st.sampled_from(["access_token", "token_type", "error", "a", "", "\u00e9", "expires_in"]) | st.text(max_size=4)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_json_keys, inner, max_size=3),
    max_leaves=6,
)

#: A distinctive access token: it must never show up in an error or a transcript.
TOKEN_CANARY = "canary-ACCESS-TOKEN-5c1e9a7b3d"

_token_values = st.one_of(
    st.sampled_from([TOKEN_CANARY, TOKEN_CANARY, " " + TOKEN_CANARY + "\n", "", " ", "x"]),
    json_scalars,
)
_expires = st.one_of(
    st.integers(-10, 10**6), HUGE_INTS,
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, 3600.5, -0.0, 0.0]),
    st.sampled_from(["3600", " 3600 ", "", "-5", "1e3", "3600s", "²", "٣٦٠٠", "0x10", "১২"]),
    json_scalars,
)
_token_type = st.sampled_from(["Bearer", "bearer", "BEARER", " bearer ", "mac", "", "DPoP"]) | json_scalars
_scope = st.sampled_from(["alerts:write", "a b", ["a", "b"], ["a", 1], "", 5]) | json_scalars

_wild_token_objects = st.fixed_dictionaries(
    {},
    optional={
        "access_token": _token_values,
        "token_type": _token_type,
        "expires_in": _expires,
        "expires_at": json_scalars,
        "refresh_token": _token_values,
        "id_token": _token_values,
        "scope": _scope,
        "error": st.sampled_from(["invalid_client", "invalid_grant", "", "<script>", "slow_down"]) | json_scalars,
        "error_description": junk_text | json_scalars,
        "extra": json_values,
    },
)
#: Close to a real success response, so the reader's later checks and Token get exercised.
_plausible_token_objects = st.fixed_dictionaries(
    {
        "access_token": st.sampled_from([TOKEN_CANARY, " " + TOKEN_CANARY + "\n"]),
        "token_type": st.sampled_from(["Bearer", "bearer", "BEARER", " bearer ", "mac", "DPoP"]),
    },
    optional={
        "expires_in": _expires,
        "refresh_token": st.sampled_from([TOKEN_CANARY, "short", ""]) | json_scalars,
        "scope": _scope,
        "extra": json_values,
        "expires_at": json_scalars,
    },
)
token_objects = st.one_of(_plausible_token_objects, _wild_token_objects)


def _form(obj: dict) -> bytes:
    pairs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()}
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


def _nested(depth: int, opener: str, closed: bool, in_token: bool) -> bytes:
    if opener == "[":
        inner = "[" * depth + ("]" * depth if closed else "")
    else:
        inner = '{"a":' * depth + "1" + ("}" * depth if closed else "")
    if in_token:
        return f'{{"access_token":"{TOKEN_CANARY}","token_type":"Bearer","nested":{inner}}}'.encode()
    return inner.encode()


_nesting = st.builds(
    _nested,
    st.sampled_from([10, 400, 600, 990, 1_000, 5_000, 20_000]),  # the limit is ~1,000
    st.sampled_from(["[", "{"]),
    st.booleans(),
    st.booleans(),
)
_huge_number = st.builds(
    lambda digits, exp: (f'{{"access_token":"{TOKEN_CANARY}","token_type":"Bearer","expires_in":'
                         f'{"9" * digits}{exp}}}').encode(),
    st.sampled_from([1, 19, 309, 4300, 4301, 10_000]),
    st.sampled_from(["", "", ".5", "e400", "e-400", "E+999"]),
)
_encoded_json = st.builds(
    lambda obj, enc: (json.dumps(obj) if enc != "ascii-unsafe" else json.dumps(obj, ensure_ascii=False)).encode(
        "utf-8", "surrogatepass") if enc in ("utf-8", "ascii-unsafe") else json.dumps(obj).encode(enc),
    token_objects,
    st.sampled_from(["utf-8", "utf-8", "ascii-unsafe", "utf-8-sig", "utf-16", "utf-32"]),
)

token_bodies = st.one_of(
    _plausible_token_objects.map(lambda obj: json.dumps(obj).encode()),
    _plausible_token_objects.map(lambda obj: json.dumps(obj).encode()),
    _plausible_token_objects.map(_form),
    _encoded_json,
    _encoded_json,
    token_objects.map(_form),
    json_values.map(lambda v: json.dumps(v).encode()),
    _nesting,
    _huge_number,
    st.binary(max_size=300),
    st.builds(lambda a, b, c: a + b + c, _encoded_json, st.binary(max_size=8), st.binary(max_size=8)),
    st.sampled_from([b"", b" ", b"null", b"{", b'{"access_token":', b"NaN", b"Infinity", b"\xff\xfe{}",
                     b"<html><body>Login</body></html>", b"access_token=" + TOKEN_CANARY.encode()]),
)
_CONTENT_TYPES = (
    "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
    "text/plain", "text/plain; charset=iso-8859-1", "text/html", "", "application/jwt",
    "APPLICATION/JSON", "application/problem+json",
)
content_types = st.one_of(st.sampled_from(_CONTENT_TYPES), st.text(max_size=30))
statuses = st.one_of(st.sampled_from([200] * 8 + [201, 400, 401, 403, 404, 429, 500, 502, 503]), st.integers(-10**6, 10**6))
#: What a real HTTP server can send without breaking the connection for the next request.
http_statuses = st.sampled_from([200, 200, 200, 201, 202, 299, 302, 400, 401, 403, 404, 418, 429, 500, 503, 599])
header_safe_content_types = st.one_of(
    st.sampled_from(_CONTENT_TYPES),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
)
