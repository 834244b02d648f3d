"""RFC 6749 §5.1 — https://www.rfc-editor.org/rfc/rfc6749#section-5.1
RFC 6750 §2.1 (the ``Authorization`` header) — https://www.rfc-editor.org/rfc/rfc6750#section-2.1

An access token as a person needs it: what to paste, when it expires, what it says.

``expires_at`` is computed from the moment *we* received the response plus ``expires_in``,
never from the provider's clock (RFC 6749 §5.1 gives a lifetime, not a time).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .claims import decode_unverified
from .redact import mask, remember, scrub
from .token_response import read_token_answer

__all__ = ["Token"]


@dataclass(frozen=True, repr=False)
class Token:
    """A token response. ``repr`` masks the token; :attr:`authorization_header` does not."""

    access_token: str
    token_type: str = "Bearer"
    expires_at: float | None = None
    refresh_token: str | None = None
    scope: str | None = None
    id_token: str | None = None
    received_at: float = field(default_factory=time.time)
    #: Things the reader should know about this response (narrowed scope, missing expiry...).
    notes: tuple[str, ...] = ()
    #: Other, non-standard response parameters (secrets among them are masked on display).
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        remember(self.access_token, self.refresh_token, self.id_token)

    # -- construction --------------------------------------------------------------------
    @classmethod
    def parse(
        cls,
        answer: Mapping[str, object] | str | bytes,
        *,
        received_at: float | None = None,
        requested_scope: str | None = None,
        notes: list[str] | tuple[str, ...] = (),
    ) -> "Token":
        """Read a token response nobody has checked: a body (JSON or form text), or its JSON as a dict.

        The known provider quirks are undone and the answer is read strictly, as the token
        endpoint's answers are (:func:`~widgets.core.token_response.read_token_answer`);
        anything that is not a token ends as :class:`~widgets.core.errors.TokenEndpointError`.
        """
        if isinstance(answer, Mapping):
            body = json.dumps(dict(answer), default=str).encode()
        else:
            body = answer.encode() if isinstance(answer, str) else bytes(answer)
        params, parse_notes = read_token_answer(200, "", body)
        all_notes = list(notes)
        all_notes.extend(n for n in parse_notes if n not in all_notes)
        return cls.from_params(params, received_at=received_at, requested_scope=requested_scope, notes=all_notes)

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, object],
        *,
        received_at: float | None = None,
        requested_scope: str | None = None,
        notes: list[str] | tuple[str, ...] = (),
    ) -> "Token":
        """Build a token from parameters that :func:`read_token_answer` has already checked.

        Nothing is read a second time (the token endpoint's path: its compliance hook ran the
        reader on this very answer), so ``params`` must have a usable ``access_token`` and
        ``token_type``; for anything else use :meth:`parse`.
        """
        all_notes = list(notes)
        received_at = time.time() if received_at is None else received_at
        expires_in = params.get("expires_in")
        scope = params.get("scope")
        if isinstance(scope, (list, tuple)):
            scope = " ".join(scope)
        if requested_scope is not None and scope is not None and set(scope.split()) != set(requested_scope.split()):
            note = f"The provider granted scope '{scrub(scope)}' although '{requested_scope}' was requested."
            if note not in all_notes:
                all_notes.append(note)
        known = {"access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token"}
        return cls(
            access_token=params["access_token"],
            token_type=params["token_type"],
            expires_at=None if expires_in is None else received_at + int(expires_in),
            refresh_token=params.get("refresh_token") or None,
            scope=scope if scope is not None else requested_scope or None,
            id_token=params.get("id_token") or None,
            received_at=received_at,
            notes=tuple(all_notes),
            extra={k: v for k, v in params.items() if k not in known},
        )

    # -- what a person pastes --------------------------------------------------------------
    @property
    def authorization_header(self) -> str:
        """The ``Authorization`` header value, e.g. ``Bearer eyJ...`` (RFC 6750 §2.1)."""
        return f"{self.token_type} {self.access_token}"

    @property
    def masked(self) -> str:
        return mask(self.access_token)

    # -- time ------------------------------------------------------------------------------
    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds left (negative when expired), None when the provider gave no lifetime."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def is_expired(self, now: float | None = None, leeway: float = 0.0) -> bool:
        left = self.expires_in(now)
        return left is not None and left <= leeway

    @property
    def expires_at_utc(self) -> datetime | None:
        """The expiry as a UTC datetime; None when unknown or beyond what a calendar can show."""
        if self.expires_at is None:
            return None
        try:
            return datetime.fromtimestamp(self.expires_at, timezone.utc)
        except (OverflowError, ValueError, OSError):
            return None

    # -- contents --------------------------------------------------------------------------
    @property
    def is_jwt(self) -> bool:
        return decode_unverified(self.access_token) is not None

    @property
    def claims(self) -> dict | None:
        """The JWT payload, **not verified** (anyone can mint a token that decodes); None if opaque."""
        decoded = decode_unverified(self.access_token)
        return None if decoded is None else decoded[1]

    @property
    def header(self) -> dict | None:
        """The JWT header (``alg``, ``kid``), not verified; None if opaque."""
        decoded = decode_unverified(self.access_token)
        return None if decoded is None else decoded[0]

    def to_dict(self, *, reveal: bool = False) -> dict[str, object]:
        """Plain values for display; secrets masked unless ``reveal``."""
        show = (lambda s: s) if reveal else mask
        return {
            "access_token": show(self.access_token),
            "token_type": scrub(self.token_type),
            "expires_at": None if self.expires_at_utc is None else self.expires_at_utc.isoformat(),
            "refresh_token": show(self.refresh_token) if self.refresh_token else None,
            "scope": None if self.scope is None else scrub(self.scope),
            "id_token": show(self.id_token) if self.id_token else None,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        left = self.expires_in()
        expiry = "unknown expiry" if left is None or not math.isfinite(left) else f"expires in {int(left)}s"
        refresh = ", refresh_token=" + mask(self.refresh_token) if self.refresh_token else ""
        scope = None if self.scope is None else scrub(self.scope)  # the provider's text
        return f"Token({scrub(self.token_type)} {mask(self.access_token)}, {expiry}, scope={scope!r}{refresh})"

    __str__ = __repr__
