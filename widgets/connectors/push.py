"""Push a fresh token into a connector: read, change one thing, write (a dry run unless applied).

``update_generic_connector`` is a full replacement (PUT), so a careless write erases whatever it
leaves out. Here the connector is read through the SDK (parsed by :mod:`.sdk_fix`), exactly the
fields asked for are changed on that copy, and the SDK's own serialisation of it is the body.
The plan shows the masked before and after of each changed field and the exact JSON that would
be sent, masked; :func:`apply_push` sends it only when asked, after reading the connector again
and refusing if it changed since the plan (someone else's edit would be overwritten). A
failed write changes nothing: the API either stores the whole body or refuses it.

What can be pushed:

* ``token``: the access token of ``bearer-token`` (the by-hand path: the token pasted into the
  webhook's Token field), ``other-token`` and ``oauth-auth-code`` connectors;
* ``refresh_token``: the ``refreshToken`` of an ``oauth-auth-code`` connector.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

from ..core.redact import SECRET_KEYS, mask, redact_url, remember, scrub
from . import sdk_fix
from .client import TeClient
from .errors import ConnectorShapeError, PushRefused

__all__ = ["Change", "PushPlan", "plan_push", "apply_push", "push", "masked_connector", "PUSHABLE"]

#: What can be pushed, per auth type: our name -> the API's member.
PUSHABLE = {
    "bearer-token": {"token": "token"},
    "other-token": {"token": "token"},
    "oauth-auth-code": {"token": "token", "refresh_token": "refreshToken"},
}
_MODEL_FIELD = {"token": "token", "refreshToken": "refresh_token"}
_SECRET_HEADER_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", *SECRET_KEYS})


def masked_connector(data: dict) -> dict:
    """A connector's JSON with every secret masked: auth secrets, and secret-looking header values."""
    out = copy.deepcopy(data)
    auth = out.get("authentication")
    if isinstance(auth, dict):
        for member in sdk_fix.SECRET_MEMBERS:
            if isinstance(auth.get(member), str):
                auth[member] = mask(auth[member])
        for member in ("oauthAuthUrl", "oauthTokenUrl", "redirectUri"):
            if isinstance(auth.get(member), str):
                auth[member] = redact_url(auth[member])
    for header in out.get("headers") or ():
        if isinstance(header, dict) and isinstance(header.get("value"), str):
            name = str(header.get("name") or "").lower()
            header["value"] = mask(header["value"]) if name in _SECRET_HEADER_NAMES else scrub(header["value"])
    if isinstance(out.get("target"), str):
        out["target"] = redact_url(out["target"])
    return out


@dataclass(frozen=True)
class Change:
    field: str
    before: str  # masked
    after: str  # masked


@dataclass(frozen=True, repr=False)
class PushPlan:
    """What a push would do. Everything shown is masked; the body to send stays private."""

    connector_id: str
    name: str
    auth_type: str
    changes: tuple[Change, ...]
    before: dict
    after: dict
    masked_json: str
    last_modified: int | None
    applied: bool = False
    notes: tuple[str, ...] = ()
    _connector: object = field(default=None, compare=False)

    def __repr__(self) -> str:
        state = "applied" if self.applied else "dry run"
        return (f"PushPlan({self.connector_id!r}, {self.auth_type}, {state}: "
                + ", ".join(f"{c.field} {c.before} -> {c.after}" for c in self.changes) + ")")

    __str__ = __repr__

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame([c.__dict__ for c in self.changes], columns=["field", "before", "after"])

    def to_dict(self) -> dict:
        return {"connector_id": self.connector_id, "name": self.name, "auth_type": self.auth_type,
                "applied": self.applied, "changes": [c.__dict__ for c in self.changes],
                "body": json.loads(self.masked_json), "notes": list(self.notes)}

    def to_text(self) -> str:
        head = "applied" if self.applied else "dry run: nothing was written (add --apply to write it)"
        lines = [f"connector {self.connector_id} ({self.name}, {self.auth_type}): {head}"]
        lines += [f"  {c.field:<14} {c.before or '(empty)'}  ->  {c.after}" for c in self.changes]
        lines += ["the exact JSON of the update (PUT, a full replacement), masked:", self.masked_json]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _check_value(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PushRefused(f"The new {name} is empty.")
    value = value.strip()
    if any(c.isspace() for c in value):
        raise PushRefused(f"The new {name} has spaces or line breaks in it.",
                          hint="Give the token alone (without 'Bearer '), on one line.")
    if value.lower().startswith("bearer"):
        raise PushRefused(f"The new {name} starts with 'Bearer'.", hint="Give the token alone: the connector adds the scheme.")
    remember(value)
    return value


def plan_push(te: TeClient, connector_id: str, *, token: str | None = None,
              refresh_token: str | None = None) -> PushPlan:
    """Read connector ``connector_id`` and plan putting ``token`` (and/or ``refresh_token``) into it."""
    asked = {k: _check_value(k.replace("_", " "), v) for k, v in
             (("token", token), ("refresh_token", refresh_token)) if v is not None}
    if not asked:
        raise PushRefused("Nothing to push: give a token (or a refresh token).")
    raw = te.get_raw(connector_id)
    connector = sdk_fix.parse_connector(raw)
    auth = sdk_fix.auth_dict(raw)
    kind = str(auth.get("type") or "none")
    allowed = PUSHABLE.get(kind)
    if allowed is None:
        raise PushRefused(f"Connector {connector_id} uses {kind} authentication, which holds no token to push.",
                          hint="Change its type to bearer-token in ThousandEyes first (by hand: that is a "
                               "change of what the receiver checks), then push.")
    wrong = [k for k in asked if k not in allowed]
    if wrong:
        raise PushRefused(f"A {kind} connector has no {', '.join(wrong)} to push.")
    model = connector.authentication.actual_instance
    changes = []
    for ours, member in ((k, allowed[k]) for k in asked):
        before = auth.get(member)
        setattr(model, _MODEL_FIELD[member], asked[ours])
        changes.append(Change(member, mask(before) if isinstance(before, str) else "", mask(asked[ours])))
    connector.links = None  # server-made hypermedia, not a setting: not sent back
    body = sdk_fix.body_of(connector, te.api_client)
    notes = []
    untouched = {k: v for k, v in raw.items() if k not in ("id", "lastModifiedDate", "_links")}
    expected = copy.deepcopy(untouched)
    if isinstance(expected.get("authentication"), dict):
        for ours in asked:
            expected["authentication"][allowed[ours]] = asked[ours]
    if body != expected:  # the SDK would send something else than the read copy plus the change
        differing = sorted(k for k in set(body) | set(expected) if body.get(k) != expected.get(k))
        raise ConnectorShapeError(f"The SDK would rewrite more than was asked ({', '.join(differing)}); "
                                  "nothing was written.")
    if auth.get("type") == "oauth-auth-code" and "token" in asked and "refresh_token" not in asked \
            and auth.get("refreshToken"):
        notes.append("the connector's refreshToken is kept as it was")
    return PushPlan(connector_id=connector_id, name=scrub(str(raw.get("name") or "")), auth_type=kind,
                    changes=tuple(changes), before=masked_connector(untouched), after=masked_connector(body),
                    masked_json=json.dumps(masked_connector(body), indent=2, ensure_ascii=False),
                    last_modified=raw.get("lastModifiedDate"), notes=tuple(notes), _connector=connector)


def apply_push(te: TeClient, plan: PushPlan) -> PushPlan:
    """Send the plan's update, if the connector is still as it was read; returns the plan, applied."""
    if plan.applied:
        return plan
    now = te.get_raw(plan.connector_id)
    if now.get("lastModifiedDate") != plan.last_modified:
        raise PushRefused(f"Connector {plan.connector_id} changed since the plan was made; nothing was written.",
                          hint="Run the push again: it reads the connector anew.")
    written = te.update(plan.connector_id, plan._connector)
    notes = list(plan.notes)
    if isinstance(written, dict):
        sent = sdk_fix.auth_dict(sdk_fix.body_of(plan._connector, te.api_client))
        got = sdk_fix.auth_dict(written)
        for change in plan.changes:
            if change.field in got and got[change.field] != sent.get(change.field):
                notes.append(f"the API's answer shows another {change.field} than was sent")
    return PushPlan(**{**plan.__dict__, "applied": True, "notes": tuple(notes)})


def push(te: TeClient, connector_id: str, *, token: str | None = None, refresh_token: str | None = None,
         apply: bool = False) -> PushPlan:
    """:func:`plan_push`, then :func:`apply_push` when ``apply``; a dry run by default."""
    plan = plan_push(te, connector_id, token=token, refresh_token=refresh_token)
    return apply_push(te, plan) if apply else plan
