"""keep: refresh before expiry and push, once and in a bounded loop; a failure leaves the connector alone."""

from __future__ import annotations

import requests

from widgets.connectors import KeepSettings, RefreshTokenStore, keep_loop, keep_once

from tests.support.connectors import bearer_connector


def settings_for(provider, cid, **changes) -> KeepSettings:
    return KeepSettings(connector_id=cid, token_url=provider.token_url, client_id=provider.client_id,
                        client_secret=provider.client_secret, **changes)


def seeded(tmp_path, key, refresh_token) -> RefreshTokenStore:
    store = RefreshTokenStore("file", path=tmp_path / "state" / "refresh-tokens.json")
    store.put(key, refresh_token)
    return store


def test_a_token_with_time_left_is_kept_without_any_refresh_or_write(stand_in, te, provider, login, tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = seeded(tmp_path, f"default/{cid}", login.refresh_token)
    provider.reset_records()
    stand_in.reset_records()
    result = keep_once(te, settings_for(provider, cid), store)
    assert result.action == "kept" and "nothing to do before" in result.line
    assert provider.token_requests == [] and [r["method"] for r in stand_in.requests] == ["GET"]


def test_a_token_due_is_refreshed_pushed_and_the_receiver_accepts_the_new_one(stand_in, te, provider, login, tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = seeded(tmp_path, f"default/{cid}", login.refresh_token)
    result = keep_once(te, settings_for(provider, cid, refresh_before=7200), store)
    assert result.action == "refreshed", result.line
    pushed = stand_in.connector(cid)["authentication"]["token"]
    assert pushed != login.access_token
    assert "****" + pushed[-4:] in result.line and pushed not in result.line
    delivered = requests.post(provider.webhook_url, json={"alert": "test"},
                              headers={"Authorization": f"Bearer {pushed}"}, timeout=10)
    assert delivered.status_code == 200
    # The demo rotates refresh tokens: the store holds the new one, the old one is spent.
    stored = store.get(f"default/{cid}")
    assert stored.refresh_token != login.refresh_token and stored.expires_at
    assert "rotated and stored" in result.line


def test_keep_runs_a_bounded_loop_refreshing_only_when_due(stand_in, te, provider, login, tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = seeded(tmp_path, f"default/{cid}", login.refresh_token)
    pauses = []
    results = keep_loop(te, settings_for(provider, cid, refresh_before=600), store, runs=3, every=30,
                        sleep=pauses.append)
    assert [r.action for r in results] == ["kept", "kept", "kept"] and pauses == [30, 30]
    provider.reset_records()
    results = keep_loop(te, settings_for(provider, cid, refresh_before=7200), store, runs=2, every=30,
                        sleep=pauses.append)
    assert [r.action for r in results] == ["refreshed", "refreshed"]
    assert [r["grant_type"] for r in provider.token_requests] == ["refresh_token", "refresh_token"]


def test_a_refused_refresh_says_log_in_again_and_leaves_the_connector_byte_for_byte(stand_in, te, provider, login,
                                                                                     tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = seeded(tmp_path, f"default/{cid}", "a-refresh-token-nobody-issued-0123")
    before = stand_in.connector_json(cid)
    results = keep_loop(te, settings_for(provider, cid, refresh_before=7200), store, runs=5, every=1,
                        sleep=lambda s: None)
    assert len(results) == 1, "a refused refresh stops the loop: only a person can log in again"
    result = results[0]
    assert result.action == "failed" and result.exit_code == 3 and result.error == "RefreshFailed"
    assert "Log in by hand again" in result.line and "left as it was" in result.line
    assert stand_in.connector_json(cid) == before
    assert not [r for r in stand_in.requests if r["method"] == "PUT"]


def test_a_failed_push_after_a_refresh_keeps_the_rotated_refresh_token_and_the_connector(stand_in, te, provider,
                                                                                         login, tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = seeded(tmp_path, f"default/{cid}", login.refresh_token)
    before = stand_in.connector_json(cid)
    stand_in.fail_next(1, status=500, retry_after=None, method="PUT")
    result = keep_once(te, settings_for(provider, cid, refresh_before=7200), store)
    assert result.action == "failed" and result.exit_code == 3
    assert stand_in.connector_json(cid) == before
    assert store.get(f"default/{cid}").refresh_token != login.refresh_token  # the new one, not lost
    assert keep_once(te, settings_for(provider, cid, refresh_before=7200), store).action == "refreshed"


def test_no_stored_refresh_token_is_a_settings_failure_with_how_to_seed(stand_in, te, provider, login, tmp_path):
    cid = stand_in.add_connector(bearer_connector(login.access_token))
    store = RefreshTokenStore("file", path=tmp_path / "empty.json")
    result = keep_once(te, settings_for(provider, cid), store, force=True)
    assert result.action == "failed" and result.exit_code == 2 and "--seed-refresh-token" in result.line


def test_an_opaque_token_is_refreshed_then_known_by_the_expiry_recorded_for_it(stand_in, te, make_demo, tmp_path):
    from widgets import AuthorizationCodeFlow, AuthType, WebhookAuthConfig

    provider = make_demo()
    config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, auth_url=provider.auth_url,
                               token_url=provider.token_url, client_id=provider.client_id,
                               client_secret=provider.client_secret, redirect_uri=provider.callback_url)
    flow = AuthorizationCodeFlow(config)
    login = flow.complete(provider.approve(flow.begin().url))
    cid = stand_in.add_connector(bearer_connector("opaque-pasted-token-fadf8ef81eb6"))
    store = seeded(tmp_path, f"default/{cid}", login.refresh_token)
    first = keep_once(te, settings_for(provider, cid), store)
    assert first.action == "refreshed", "an unknown expiry is refreshed: better early than silent failures"
    assert keep_once(te, settings_for(provider, cid), store).action == "kept"
