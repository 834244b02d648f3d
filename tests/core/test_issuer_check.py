"""RFC 9207: the iss check refuses an answer without iss when the provider always sends one,
and a refused iss spends the state as a refused state does (issue 14, item 13)."""

import pytest

from widgets import AuthorizationCodeFlow, ConfigError, IssuerMismatchError, StateMismatchError, Transcript
from widgets.diagnose.discovery import discover
from tests.support.configs import by_hand_config
from tests.support.demo import token_posts
from tests.support.urls import query_of, with_query


@pytest.mark.parametrize("forge", [lambda issuer: "https://evil.example", lambda issuer: issuer + "/",
                                   lambda issuer: issuer.upper(), lambda issuer: ""],
                         ids=["other", "trailing-slash", "upper-case", "empty"])
def test_a_refused_iss_spends_the_state(demo, forge):
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    landed = demo.approve(flow.begin().url)
    assert query_of(landed)["iss"] == demo.issuer
    with pytest.raises(IssuerMismatchError):
        flow.complete(with_query(landed, iss=forge(demo.issuer)))
    # the same answer with iss removed, or with the right one, must not pass now
    for retry in (with_query(landed, iss=None), landed):
        with pytest.raises(StateMismatchError) as info:
            flow.complete(retry)
        assert "already used" in info.value.message
    assert token_posts(demo) == 0


def test_metadata_saying_iss_is_sent_makes_an_answer_without_iss_refused(demo):
    metadata = discover(demo.issuer)
    assert metadata.authorization_response_iss_parameter_supported
    config = metadata.apply_to(by_hand_config(demo, issuer=""))
    assert config.require_iss is True and config.issuer == demo.issuer
    flow = AuthorizationCodeFlow(config, Transcript())
    landed = demo.approve(flow.begin().url)
    with pytest.raises(IssuerMismatchError) as info:
        flow.complete(with_query(landed, iss=None))
    assert "no iss" in info.value.message and "RFC 9207" in info.value.message
    assert flow.transcript[-1].outcome == "refused"
    with pytest.raises(StateMismatchError):  # spent: putting iss back does not help
        flow.complete(landed)
    assert token_posts(demo) == 0
    # a fresh link, answered as the provider sent it, goes through
    assert flow.complete(demo.approve(flow.begin().url)).access_token


def test_without_require_iss_an_answer_without_iss_is_still_accepted(demo):
    # a provider that never sends iss (most, today) keeps working
    flow = AuthorizationCodeFlow(by_hand_config(demo), Transcript())
    landed = demo.approve(flow.begin().url)
    assert flow.complete(with_query(landed, iss=None)).access_token


@pytest.mark.parametrize("changes, field", [
    ({"require_iss": True, "issuer": ""}, "issuer"),
    ({"require_iss": "yes"}, "require_iss"),
    ({"require_iss": 1}, "require_iss"),
])
def test_require_iss_settings_that_cannot_work_are_config_errors(demo, changes, field):
    with pytest.raises(ConfigError) as info:
        AuthorizationCodeFlow(by_hand_config(demo, **changes))
    assert field in info.value.problems
