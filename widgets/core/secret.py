"""A secret value whose ``repr`` and ``str`` are masked, so no traceback mode shows it.

IPython's ``%xmode Verbose`` (and ``VerboseTB``, ``cgitb``, debuggers, ``locals()`` in a log)
print the value of every local variable and attribute on the failing lines of every frame.
A client secret, an authorization code or a PKCE verifier held as a ``str`` is printed whole;
held as a :class:`Secret`, it prints as ``Secret('****abcd')``. The raw value is read with
:meth:`Secret.reveal`, only where it goes on the wire (and in comparisons, which never show it).

Frames inside requests and oauthlib receive plain strings (they build the request body and
headers) and are outside this package's control; README says so.
"""

from __future__ import annotations

__all__ = ["Secret", "reveal"]


class Secret(str):
    """A ``str`` whose ``repr``, ``str()`` and f-string forms are masked (``****`` + last 4 at 16+).

    A subclass of ``str`` so that everything that takes a string keeps working (``==``, ``in``,
    ``bool``, ``len``, slicing, ``.encode()`` for the wire), and only the ways text is *shown*
    change: ``repr`` (what tracebacks, debuggers and reprs of containers print), ``str()``,
    ``format()`` and ``%s``. :meth:`reveal` gives the plain value; call it where the value goes
    on the wire through code that formats it (``urlencode`` calls ``str()``).
    """

    __slots__ = ()

    def __new__(cls, value: "str | None" = "") -> "Secret":
        return super().__new__(cls, reveal(value))

    @classmethod
    def wrap(cls, value: "str | None") -> "Secret":
        """``value`` as a Secret (itself when it is one already)."""
        return value if isinstance(value, Secret) else cls("" if value is None else str(value))

    def reveal(self) -> str:
        """The raw value, as a plain ``str``."""
        return str.__str__(self)

    def __str__(self) -> str:
        value = str.__str__(self)
        if not value:
            return ""
        return "****" + value[-4:] if len(value) >= 16 else "****"

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __mod__(self, other):  # "%s" formatting of the secret itself would be a template
        return str.__mod__(self.reveal(), other)

    def __reduce__(self):  # pickle, copy: a Secret again, not a plain str
        return (Secret, (self.reveal(),))


def reveal(value):
    """The raw text of ``value`` when it is a :class:`Secret` or None (""); anything else as it is."""
    if isinstance(value, Secret):
        return str.__str__(value)
    return "" if value is None else value
