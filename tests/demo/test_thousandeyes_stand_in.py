"""The ThousandEyes stand-in answers as the v7 connectors API is documented (see its docstring)."""

from __future__ import annotations

import requests

from widgets.demo.thousandeyes import ThousandEyesStandIn

TOKEN = "stand-in-api-token-c7be0c40e90b"
BODY = {"type": "generic", "name": "n", "target": "https://r.example",
        "authentication": {"type": "bearer-token", "token": "t-abc22402e519"}}


def call(server, method, path="", *, token=TOKEN, **kwargs):
    return requests.request(method, server.base_url + "/connectors/generic" + path,
                            headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs)


def test_a_wrong_or_missing_bearer_token_is_a_401():
    with ThousandEyesStandIn(api_token=TOKEN) as server:
        assert call(server, "GET", token="wrong").status_code == 401
        answer = requests.get(server.base_url + "/connectors/generic", timeout=10)
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"


def test_bodies_are_validated_with_the_sdks_models_by_auth_type():
    with ThousandEyesStandIn(api_token=TOKEN) as server:
        missing = {**BODY, "authentication": {"type": "bearer-token"}}
        answer = call(server, "POST", json=missing)
        assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "authentication.token"
        assert call(server, "POST", json={**BODY, "name": 5}).status_code == 400
        assert call(server, "POST", json={**BODY, "authentication": {"type": "kerberos"}}).status_code == 400
        created = call(server, "POST", json=BODY)
        assert created.status_code == 201 and created.json()["authentication"] == BODY["authentication"]


def test_list_shape_404_403_put_as_full_replacement_and_delete():
    with ThousandEyesStandIn(api_token=TOKEN, account_groups=("1", "2")) as server:
        cid = server.add_connector({**BODY, "headers": [{"name": "X", "value": "y"}]})
        listed = call(server, "GET").json()
        assert set(listed) == {"items", "_links"} and listed["items"][0]["id"] == cid
        assert call(server, "GET", params={"aid": "2"}).json()["items"] == []
        assert call(server, "GET", params={"aid": "3"}).status_code == 403
        assert call(server, "GET", "/nope").status_code == 404
        assert call(server, "PUT", f"/{cid}", json=BODY).status_code == 200
        assert "headers" not in server.connector(cid)  # a full replacement
        assert call(server, "DELETE", f"/{cid}").status_code == 204 and server.connector_ids() == []


def test_a_burst_is_answered_429_with_retry_after_and_tes_headers():
    with ThousandEyesStandIn(api_token=TOKEN, rate_limit=2, rate_window=30) as server:
        statuses = [call(server, "GET") for _ in range(3)]
        assert [s.status_code for s in statuses] == [200, 200, 429]
        limited = statuses[-1]
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["x-organization-rate-limit-remaining"] == "0"
        assert int(limited.headers["x-organization-rate-limit-reset"]) > 0
    with ThousandEyesStandIn(api_token=TOKEN, rate_limit=1, rate_window=30, retry_after=False) as server:
        limited = [call(server, "GET") for _ in range(2)][-1]
        assert limited.status_code == 429 and "Retry-After" not in limited.headers


def test_it_makes_500_connectors_and_records_requests():
    with ThousandEyesStandIn(api_token=TOKEN) as server:
        assert len(set(server.make_connectors(500))) == 500
        call(server, "GET")
        assert server.requests[-1]["method"] == "GET" and server.requests[-1]["status"] == 200
        assert TOKEN not in repr(server)
