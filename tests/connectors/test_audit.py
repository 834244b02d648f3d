"""The audit against the stand-in and the demo provider: expiry, time left, the client probe, 429s."""

from __future__ import annotations

import time

import jwt
import pytest

from widgets.connectors import TeClient, audit

from tests.support.connectors import CANARY_TE_TOKEN, bearer_connector, client_credentials_connector, code_connector


def a_jwt(exp: float | None) -> str:
    claims = {"sub": "someone", "iat": int(time.time()) - 60}
    if exp is not None:
        claims["exp"] = int(exp)
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def by_name(report):
    return {row.name: row for row in report.rows}


def test_each_row_tells_the_tokens_expiry_time_left_and_masks_it(stand_in, te, login):
    now = time.time()
    stand_in.add_connector(bearer_connector(login.access_token, name="fresh"))
    expired = a_jwt(now - 120)
    stand_in.add_connector(bearer_connector(expired, name="expired"))
    stand_in.add_connector(bearer_connector("opaque-token-e37b2584e52a", name="opaque"))
    stand_in.add_connector(bearer_connector(a_jwt(None), name="no exp"))
    rows = by_name(audit(te, probe=False, progress=False, now=now))
    fresh = rows["fresh"]
    assert fresh.token_kind == "jwt" and fresh.token == "****" + login.access_token[-4:]
    assert 3500 < fresh.time_left_s <= 3600 and fresh.time_left.startswith("59 min")
    assert fresh.expires_at.endswith("Z")
    assert rows["expired"].time_left_s == pytest.approx(-120, abs=2) and rows["expired"].time_left.startswith("expired")
    assert (rows["opaque"].token_kind, rows["opaque"].expires_at, rows["opaque"].time_left_s) == ("opaque", "unknown", None)
    assert rows["no exp"].token_kind == "jwt" and rows["no exp"].time_left_s is None


def test_the_probe_tells_whether_the_token_endpoint_accepts_each_stored_client(stand_in, te, provider, login):
    stand_in.add_connector(client_credentials_connector(provider, name="cc good"))
    stand_in.add_connector(client_credentials_connector(provider, secret="wrong-secret-abcdef", name="cc bad"))
    stand_in.add_connector(code_connector(provider, token=login.access_token, refresh=login.refresh_token,
                                          name="code good"))
    stand_in.add_connector(code_connector(provider, secret="wrong-secret-abcdef", name="code bad"))
    provider.reset_records()
    rows = by_name(audit(te, progress=False))
    assert {n: r.client_accepted for n, r in rows.items()} == {
        "cc good": "yes", "cc bad": "no", "code good": "yes", "code bad": "no"}
    assert "invalid_grant" in rows["code good"].evidence and "invalid_client" in rows["code bad"].evidence
    assert rows["code good"].refresh_token == "****" + login.refresh_token[-4:]
    # A probe, not a delivery: the receiver got nothing, and no real code or refresh token was used.
    assert provider.webhook_deliveries == []
    assert {r["grant_type"] for r in provider.token_requests} == {"client_credentials", "authorization_code"}


def test_the_probe_used_up_nothing_the_refresh_token_still_works(stand_in, te, provider, login):
    from widgets import AuthorizationCodeFlow, AuthType, WebhookAuthConfig

    stand_in.add_connector(code_connector(provider, refresh=login.refresh_token))
    assert audit(te, progress=False).rows[0].client_accepted == "yes"
    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, auth_url=provider.auth_url,
                               token_url=provider.token_url, client_id=provider.client_id,
                               client_secret=provider.client_secret, redirect_uri=provider.callback_url)
    assert AuthorizationCodeFlow(config).refresh(login).access_token


def test_connectors_sharing_a_client_are_probed_once(stand_in, te, provider):
    for i in range(6):
        stand_in.add_connector(client_credentials_connector(provider, name=f"cc {i}"))
    provider.reset_records()
    report = audit(te, progress=False)
    assert report.probes == 1 and len(provider.token_requests) == 1
    assert {r.client_accepted for r in report.rows} == {"yes"}


def test_a_list_without_authentication_is_read_connector_by_connector(make_stand_in):
    server = make_stand_in(list_detail="summary")
    server.make_connectors(12)
    with TeClient(server.api_token, host=server.base_url) as te:
        report = audit(te, workers=4, progress=False)
    assert len(report.rows) == 12 and report.requests == 13 and not report.errors
    assert {r.auth_type for r in report.rows} == {"bearer-token"}
    assert [r["method"] for r in server.requests].count("GET") == 13


def test_rate_limits_are_waited_out_with_retry_after_and_counted(make_stand_in):
    # Without the pacing (test_rate_limits.py), so that 429s come and the fallback is what is tested.
    server = make_stand_in(list_detail="summary", rate_limit=8, rate_window=1.0)
    server.make_connectors(20)
    with TeClient(server.api_token, host=server.base_url, pace=False) as te:
        report = audit(te, workers=4, progress=False)
    assert len(report.rows) == 20 and not report.errors
    assert server.rate_limited > 0 and report.rate_limit_waits > 0 and report.rate_limit_seconds > 0.2
    assert report.requests >= 21


def test_a_429_with_only_tes_reset_header_is_waited_out_too(make_stand_in):
    server = make_stand_in(list_detail="summary", rate_limit=5, rate_window=1.0, retry_after=False)
    server.make_connectors(8)
    with TeClient(server.api_token, host=server.base_url, pace=False) as te:
        report = audit(te, workers=2, progress=False)
    assert len(report.rows) == 8 and not report.errors and server.rate_limited > 0


def test_a_refused_list_raises_the_api_error_and_the_next_run_reads_them_all(make_stand_in):
    server = make_stand_in(list_detail="summary")
    server.make_connectors(3)
    server.fail_next(1, status=500, method="GET")  # the list itself then fails...
    with TeClient(server.api_token, host=server.base_url) as te:
        from widgets.connectors import TeApiError

        with pytest.raises(TeApiError) as caught:
            audit(te, progress=False)
        assert caught.value.status == 500
        report = audit(te, progress=False)  # ...and a second run reads them all
    assert len(report.rows) == 3


def test_the_table_has_the_columns_a_person_reads_soonest_expiry_first(stand_in, te, login):
    stand_in.add_connector(bearer_connector("opaque-token-e37b2584e52a", name="opaque"))
    stand_in.add_connector(bearer_connector(login.access_token, name="fresh"))
    stand_in.add_connector(bearer_connector(a_jwt(time.time() - 5), name="expired"))
    frame = audit(te, progress=False).to_dataframe()
    assert list(frame.columns[:9]) == ["name", "target", "auth_type", "token", "token_kind", "expires_at",
                                       "time_left", "client_accepted", "evidence"]
    assert list(frame["name"]) == ["expired", "fresh", "opaque"]
    assert CANARY_TE_TOKEN not in frame.to_string() and login.access_token not in frame.to_string()
