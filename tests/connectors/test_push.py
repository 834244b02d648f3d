"""Push: a dry run shows masked before/after and the exact masked JSON; apply changes one field only."""

from __future__ import annotations

import json

import pytest

from widgets.connectors import sdk_fix
from widgets.connectors import ConnectorShapeError, PushRefused, TeApiError, TeClient, apply_push, plan_push, push
from widgets.connectors.push import masked_connector

from tests.support.connectors import CANARY_TE_TOKEN, bearer_connector, code_connector

NEW = "new-access-token-19040b1635c9-wxyz"
OLD = "old-access-token-e2c31fc0ef6f-abcd"


def test_a_dry_run_shows_masked_before_after_and_the_exact_json_and_writes_nothing(stand_in, te):
    cid = stand_in.add_connector(bearer_connector(OLD))
    before = stand_in.connector_json(cid)
    stand_in.reset_records()
    plan = push(te, cid, token=NEW)
    assert not plan.applied
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("token", "****abcd", "****wxyz")]
    stored = json.loads(before)
    sent = {k: v for k, v in stored.items() if k not in ("id", "lastModifiedDate", "_links")}
    sent["authentication"] = {"token": NEW, "type": "bearer-token"}
    masked = {**sent, "authentication": {"token": "****wxyz", "type": "bearer-token"}}
    assert json.loads(plan.masked_json) == masked == masked_connector(sent)
    assert stand_in.connector_json(cid) == before
    assert [r["method"] for r in stand_in.requests] == ["GET"]
    assert NEW not in plan.to_text() + repr(plan) + json.dumps(plan.to_dict()) and OLD not in plan.to_text()
    # Exact: applying this very plan sends a body whose masked JSON is the one shown, byte for byte.
    apply_push(te, plan)
    put = stand_in.requests[-1]
    assert put["method"] == "PUT" and put["body"] == sent
    assert json.dumps(masked_connector(put["body"]), indent=2, ensure_ascii=False) == plan.masked_json


def test_apply_reads_changes_one_field_and_writes_the_rest_as_it_was(stand_in, te):
    cid = stand_in.add_connector(bearer_connector(OLD))
    before = stand_in.connector(cid)
    stand_in.reset_records()
    plan = push(te, cid, token=NEW, apply=True)
    assert plan.applied
    after = stand_in.connector(cid)
    assert after["authentication"]["token"] == NEW
    strip = lambda c: {k: v for k, v in c.items() if k not in ("lastModifiedDate",)}  # noqa: E731
    assert strip({**after, "authentication": before["authentication"]}) == strip(before)
    assert [r["method"] for r in stand_in.requests] == ["GET", "GET", "PUT"]  # read, re-check, write
    assert stand_in.requests[-1]["body"]["headers"] == [{"name": "X-Team", "value": "noc"}]


def test_an_oauth_code_connector_gets_its_token_and_keeps_secret_code_and_refresh_token(stand_in, te, provider):
    cid = stand_in.add_connector(code_connector(provider, token=OLD, refresh="refresh-feebe109ae6c-keep"))
    before = stand_in.connector(cid)["authentication"]
    plan = push(te, cid, token=NEW, apply=True)
    after = stand_in.connector(cid)["authentication"]
    assert after == {**before, "token": NEW}
    assert "refreshToken is kept" in " ".join(plan.notes)
    push(te, cid, refresh_token="refresh-8b2790309440-new1", apply=True)
    assert stand_in.connector(cid)["authentication"] == {**before, "token": NEW, "refreshToken": "refresh-8b2790309440-new1"}


def test_a_failed_write_leaves_the_connector_byte_for_byte_as_it_was(stand_in, te):
    cid = stand_in.add_connector(bearer_connector(OLD))
    before = stand_in.connector_json(cid)
    plan = plan_push(te, cid, token=NEW)
    stand_in.fail_next(1, status=500, method="PUT")
    with pytest.raises(TeApiError) as caught:
        apply_push(te, plan)
    assert caught.value.status == 500
    assert stand_in.connector_json(cid) == before


def test_a_429_that_outlasts_the_waits_fails_the_push_and_changes_nothing(make_stand_in):
    server = make_stand_in()
    cid = server.add_connector(bearer_connector(OLD))
    before = server.connector_json(cid)
    with TeClient(server.api_token, host=server.base_url, max_waits=1) as te:
        plan = plan_push(te, cid, token=NEW)
        server.fail_next(4, status=429, retry_after=0, method="PUT")
        with pytest.raises(TeApiError) as caught:
            apply_push(te, plan)
    assert caught.value.status == 429 and "rate limiting" in caught.value.hint
    assert server.connector_json(cid) == before


def test_a_connector_changed_since_the_plan_is_not_overwritten(stand_in, te):
    cid = stand_in.add_connector(bearer_connector(OLD))
    plan = plan_push(te, cid, token=NEW)
    edited = {**stand_in.connector(cid), "name": "renamed by a colleague"}
    stand_in.clock = lambda: 4_000_000_000.0  # the colleague's edit goes through the API, later
    te.update(cid, sdk_fix.parse_connector(edited))
    between = stand_in.connector_json(cid)
    with pytest.raises(PushRefused, match="changed since"):
        apply_push(te, plan)
    assert stand_in.connector_json(cid) == between


@pytest.mark.parametrize("value, why", [("two words", "spaces"), ("Bearer abcdefgh", "Bearer"), ("", "empty")])
def test_a_token_that_cannot_be_right_is_refused_before_any_request(stand_in, te, value, why):
    cid = stand_in.add_connector(bearer_connector(OLD))
    stand_in.reset_records()
    with pytest.raises(PushRefused, match=why):
        push(te, cid, token=value, apply=True)
    assert stand_in.requests == []


def test_a_basic_connector_has_no_token_to_push(stand_in, te):
    cid = stand_in.add_connector({"type": "generic", "name": "b", "target": "https://r.example",
                                  "authentication": {"type": "basic", "username": "u", "password": "pw-da569be5d396"}})
    before = stand_in.connector_json(cid)
    with pytest.raises(PushRefused, match="basic"):
        push(te, cid, token=NEW, apply=True)
    assert stand_in.connector_json(cid) == before


def test_an_api_that_leaves_secrets_out_is_never_rewritten_in_full(make_stand_in, provider):
    server = make_stand_in(echo_secrets=False)
    cid = server.add_connector(code_connector(provider, token=OLD))
    before = server.connector_json(cid)
    with TeClient(server.api_token, host=server.base_url) as te:
        with pytest.raises(ConnectorShapeError, match="oauthClientSecret"):
            push(te, cid, token=NEW, apply=True)
    assert server.connector_json(cid) == before


def test_a_wrong_te_token_is_a_401_that_names_no_secret(stand_in):
    cid = stand_in.add_connector(bearer_connector(OLD))
    with TeClient("wrong-te-token-68381ebf18ef", host=stand_in.base_url) as te:
        with pytest.raises(TeApiError) as caught:
            push(te, cid, token=NEW)
    assert caught.value.status == 401 and "API token was refused" in caught.value.hint
    assert "wrong-te-token" not in str(caught.value) and CANARY_TE_TOKEN not in str(caught.value)


def test_an_unknown_connector_is_a_404_with_a_hint(te):
    with pytest.raises(TeApiError) as caught:
        push(te, "no-such-connector", token=NEW)
    assert caught.value.status == 404 and "audit" in caught.value.hint
