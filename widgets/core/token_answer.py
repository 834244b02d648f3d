"""A token endpoint's answer as received: status, content type, body, and notes on it.

Its own module so that the quirks (:mod:`widgets.core.compliance`), which change an answer,
and the strict reader (:mod:`widgets.core.token_response`), which runs them and then reads it,
both depend on it and not on each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["TokenAnswer"]


@dataclass
class TokenAnswer:
    """What came back from the token endpoint, before it is trusted."""

    status: int
    content_type: str
    body: bytes
    notes: list[str] = field(default_factory=list)
    _parsed: dict | None = field(default=None, init=False, repr=False, compare=False)
    _parsed_body: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def json_object(self) -> dict | None:
        """The body as a JSON object, or None when it is not one.

        Parsed once per body, not once per quirk. The dict is shared: a quirk that changes it
        must call :meth:`replace_json` with it, so body and dict stay the same answer.
        """
        if self._parsed_body is not self.body:
            try:
                value = json.loads(self.body.decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                value = None
            self._parsed = value if isinstance(value, dict) else None
            self._parsed_body = self.body
        return self._parsed

    def replace_json(self, params: dict) -> None:
        self.body = json.dumps(params).encode()
        self.content_type = "application/json"
        self._parsed, self._parsed_body = params, self.body
