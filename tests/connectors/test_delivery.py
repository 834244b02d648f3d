"""audit(deliver=True): one test alert to each connector's receiver, with its own credentials, only when asked."""

from __future__ import annotations

import threading
import time

from tests.support.connectors import bearer_connector, client_credentials_connector, code_connector
from tests.support.servers import Reply
from widgets.connectors import audit


def basic_connector(provider, *, password: str | None = None, name: str = "alerts-basic") -> dict:
    return {"type": "generic", "name": name, "target": provider.webhook_url,
            "authentication": {"type": "basic", "username": provider.webhook_username,
                               "password": provider.webhook_password if password is None else password}}


def a_token_with_scope(provider, scope: str) -> str:
    from widgets import AuthType, ClientCredentialsFlow, WebhookAuthConfig

    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CLIENT_CREDENTIALS, token_url=provider.token_url,
                               client_id=provider.client_id, client_secret=provider.client_secret, scope=scope)
    return ClientCredentialsFlow(config).fetch_token().access_token


def by_name(report):
    return {row.name: row for row in report.rows}


def test_without_deliver_no_receiver_gets_a_single_request(stand_in, te, provider, login, scripted):
    scripted.routes["/hook"] = Reply(200, {"ok": True})
    stand_in.add_connector(bearer_connector(login.access_token, target=scripted.url("/hook")))
    stand_in.add_connector(code_connector(provider, token=login.access_token, refresh=login.refresh_token))
    stand_in.add_connector(basic_connector(provider))
    provider.reset_records()
    report = audit(te, progress=False)  # the probe on, the default
    assert scripted.requests == [] and provider.webhook_deliveries == []
    assert {r.delivery for r in report.rows} == {"not asked"} and report.deliveries == 0
    # The same receivers count a delivery when one is asked for: they would have seen one.
    audit(te, progress=False, probe=False, deliver=True)
    assert len(scripted.requests) == 1 and len(provider.webhook_deliveries) == 2


def test_each_connector_is_delivered_to_with_its_own_credentials_and_the_answer_is_tabulated(
        stand_in, te, provider, login):
    narrow = a_token_with_scope(provider, "alerts:read")
    stand_in.add_connector(bearer_connector(login.access_token, target=provider.webhook_url, name="pasted"))
    stand_in.add_connector(bearer_connector("nobody-issued-this-token-5e0c1d", target=provider.webhook_url,
                                            name="rejected"))
    stand_in.add_connector(bearer_connector(narrow, target=provider.webhook_url, name="narrow scope"))
    stand_in.add_connector(code_connector(provider, token=login.access_token, name="code"))
    stand_in.add_connector(client_credentials_connector(provider, name="cc without token"))
    stand_in.add_connector(client_credentials_connector(provider, secret="not-the-secret-4f1e", name="cc refused"))
    stand_in.add_connector(basic_connector(provider, name="good password"))
    stand_in.add_connector(basic_connector(provider, password="not-the-password-77", name="refused password"))
    provider.reset_records()
    report = audit(te, probe=False, deliver=True, progress=False)
    rows = by_name(report)
    assert {n: (r.delivery, r.delivery_status) for n, r in rows.items()} == {
        "pasted": ("yes", 200), "rejected": ("no", 401), "narrow scope": ("no", 403), "code": ("yes", 200),
        "cc without token": ("yes", 200), "cc refused": ("no", None),
        "good password": ("yes", 200), "refused password": ("no", 401)}
    assert "insufficient_scope" in rows["narrow scope"].delivery_reason
    assert "refused the credentials" in rows["rejected"].delivery_reason
    # client credentials, as the platform does: a token fetched with the stored client, not kept
    assert [r["grant_type"] for r in provider.token_requests] == ["client_credentials", "client_credentials"]
    assert "refused the stored client" in rows["cc refused"].delivery_reason
    # What the receiver saw: one sample alert per connector sent, each with its own scheme.
    seen = provider.webhook_deliveries
    assert len(seen) == 7
    assert sorted(d["auth_scheme"] for d in seen) == ["Basic", "Basic"] + ["Bearer"] * 5
    assert {d["json"]["eventType"] for d in seen} == {"ALERT_NOTIFICATION_TRIGGER"}
    assert report.deliveries == 7  # "cc refused" got no token, so nothing was sent
    assert "7 test deliveries of which the receivers accepted 4" in report.summary(), report.summary()
    frame = report.to_dataframe()
    assert {"delivery", "delivery_status", "delivery_reason"} <= set(frame.columns)


def test_the_connectors_own_headers_go_with_the_alert_but_never_replace_its_authorization(stand_in, te, login,
                                                                                         scripted):
    scripted.routes["/hook"] = Reply(200, {"ok": True})
    connector = bearer_connector(login.access_token, target=scripted.url("/hook"))
    connector["headers"] += [{"name": "Authorization", "value": "Basic bm8tb25lOmF0LWFsbA=="},
                             {"name": "X-Api-Key", "value": "receiver-key-7d2c91e0a4"}]
    stand_in.add_connector(connector)
    row = audit(te, probe=False, deliver=True, progress=False).rows[0]
    sent = scripted.requests[0]["headers"]
    assert row.delivery == "yes"
    assert sent["X-Team"] == "noc" and sent["X-Api-Key"] == "receiver-key-7d2c91e0a4"
    assert sent["Authorization"] == "Bearer " + login.access_token and sent["Content-Type"] == "application/json"


def test_a_connector_header_that_cannot_be_sent_skips_the_delivery(stand_in, te, login, scripted):
    scripted.routes["/hook"] = Reply(200, {"ok": True})
    connector = bearer_connector(login.access_token, target=scripted.url("/hook"))
    connector["headers"] = [{"name": "X-Split", "value": "a\r\nX-Injected: 1"}]
    stand_in.add_connector(connector)
    row = audit(te, probe=False, deliver=True, progress=False).rows[0]
    assert row.delivery == "skipped" and "X-Split" in row.delivery_reason
    assert scripted.requests == []


def test_a_plain_http_target_on_another_host_is_never_sent_to(stand_in, te, login):
    stand_in.add_connector(bearer_connector(login.access_token, target="http://receiver.example/alerts"))
    row = audit(te, probe=False, deliver=True, progress=False).rows[0]
    assert (row.delivery, row.delivery_status) == ("skipped", None)
    assert "plain http" in row.delivery_reason


def test_the_receivers_answer_is_scrubbed_even_when_it_echoes_the_credentials(stand_in, te, login, scripted):
    def echo(seen):
        return Reply(401, f"<b>no</b> {seen['headers'].get('Authorization')} \x1b[31m", content_type="text/html")

    scripted.routes["/hook"] = echo
    stand_in.add_connector(bearer_connector(login.access_token, target=scripted.url("/hook")))
    report = audit(te, probe=False, deliver=True, progress=False)
    row = report.rows[0]
    assert scripted.requests[0]["headers"]["Authorization"] == "Bearer " + login.access_token  # it was sent...
    assert (row.delivery, row.delivery_status) == ("no", 401)
    shown = row.delivery_reason + report.to_text() + report.to_dataframe().to_string()
    assert login.access_token not in shown and "\x1b" not in shown  # ...and is nowhere in what we show


def test_deliveries_run_in_the_same_bounded_pool(stand_in, te, login, scripted):
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(seen):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.15)
        with lock:
            now[0] -= 1
        return Reply(200, {"ok": True})

    scripted.routes["/hook"] = slow
    for i in range(9):
        stand_in.add_connector(bearer_connector(login.access_token, target=scripted.url("/hook"), name=f"c{i}"))
    report = audit(te, probe=False, deliver=True, workers=3, progress=False)
    assert {r.delivery for r in report.rows} == {"yes"} and len(scripted.requests) == 9
    assert 2 <= peak[0] <= 3


def test_the_status_column_holds_integers_or_na(stand_in, te, login):
    stand_in.add_connector(bearer_connector(login.access_token, target="http://receiver.example/alerts"))
    frame = audit(te, probe=False, deliver=True, progress=False).to_dataframe()
    assert str(frame["delivery_status"].dtype) == "Int64"


def test_notebook_06_offers_the_delivery_and_leaves_it_off():
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[2] / "notebooks" / "06-after-the-paste.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]]
    at = [i for i, c in enumerate(cells) if c.startswith("DELIVER = False")]
    assert len(at) == 1 and "--deliver" in cells[at[0] - 1] and "deliver=True" in cells[at[0]]
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not [c for c in code if "deliver=True" in c and not c.startswith("DELIVER = False")]
