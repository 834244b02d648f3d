"""Within TE's rate limits: the stand-in tells them on every answer, the client paces itself by them."""

from __future__ import annotations

import requests

from widgets.connectors import TeClient, audit
from widgets.connectors.client import RateLimitGate, rate_limit_headers

LIMIT_HEADERS = ("x-organization-rate-limit-limit", "x-organization-rate-limit-remaining",
                 "x-organization-rate-limit-reset")


def test_every_answer_of_a_rate_limited_stand_in_carries_tes_headers(make_stand_in):
    server = make_stand_in(rate_limit=3, rate_window=60.0)
    auth = {"Authorization": "Bearer " + server.api_token}
    answers = [requests.get(server.base_url + "/connectors/generic", headers=auth, timeout=5),
               requests.get(server.base_url + "/connectors/generic/no-such-id", headers=auth, timeout=5),
               requests.get(server.base_url + "/connectors/generic", headers=auth, timeout=5),
               requests.get(server.base_url + "/connectors/generic", headers=auth, timeout=5)]
    assert [a.status_code for a in answers] == [200, 404, 200, 429]
    told = [rate_limit_headers(a.headers) for a in answers]
    assert [t[:2] for t in told] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    assert len({t[2] for t in told}) == 1 and told[0][2] == int(told[0][2])  # one window, a whole UTC second
    assert "Retry-After" not in answers[0].headers and "Retry-After" in answers[3].headers


def test_a_500_connector_audit_paces_itself_and_meets_almost_no_429(make_stand_in):
    # 100 requests a second: without the pacing (pace=False) this audit met 32 429s (BENCHMARKS.md).
    server = make_stand_in(list_detail="summary", rate_limit=100, rate_window=1.0)
    server.make_connectors(500)
    with TeClient(server.api_token, host=server.base_url) as te:
        report = audit(te, workers=8, progress=False, probe=False)
    assert len(report.rows) == 500 and not report.errors and report.requests == 501
    assert server.rate_limited <= 2, server.rate_limited
    assert report.paced_waits > 0 and "waiting for the rate limit's reset" in report.summary()


def test_the_same_audit_without_pacing_meets_429s_and_with_it_none(make_stand_in):
    limited = {}
    for pace in (False, True):
        server = make_stand_in(list_detail="summary", rate_limit=10, rate_window=1.0)
        server.make_connectors(25)
        with TeClient(server.api_token, host=server.base_url, pace=pace) as te:
            report = audit(te, workers=4, progress=False, probe=False)
        assert len(report.rows) == 25 and not report.errors
        limited[pace] = server.rate_limited
    assert limited[False] > 0 and limited[True] == 0, limited


class Clock:
    def __init__(self):
        self.now, self.slept = 1000.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def headers(limit, remaining, reset):
    return dict(zip(LIMIT_HEADERS, (str(limit), str(remaining), str(reset))))


def test_the_gate_waits_for_the_reset_when_the_budget_less_what_is_in_flight_is_spent():
    clock = Clock()
    gate = RateLimitGate(margin=0.05, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        gate.before()  # four in flight, nothing known yet
    gate.after(headers(10, 5, 1002))  # 5 left, 3 others in flight: 2 may start
    gate.before(), gate.before()
    assert clock.slept == []
    gate.after(headers(10, 6, 1001))  # from an older window, overtaken: ignored
    gate.before()
    assert clock.slept == [2.05] and clock.now == 1002.05  # waited for the reset, not for a 429


def test_the_gate_is_shared_by_threads_and_answers_without_headers_change_nothing():
    clock = Clock()
    gate = RateLimitGate(clock=clock, sleep=clock.sleep, max_wait=30)
    gate.before()
    gate.after({"Content-Type": "application/json"})
    gate.after(headers(240, "x", 1060))  # not a number: not believed
    gate.before()
    gate.after(headers(240, 0, 99999))  # spent, and a reset far away: the wait is capped
    gate.before()
    assert clock.slept == [30.0]
