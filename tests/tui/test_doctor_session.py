"""The doctor as the wizard's screens use it (doctor_session): facts from the wizard's values,
answers and typed facts, answer keys, the doctor's word on a failed attempt, score bars."""

from __future__ import annotations

import pytest

from oauth_wizard.consent.url import build_consent_url
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.diagnosis import Question
from oauth_wizard.tui import demo
from oauth_wizard.tui.sessions.doctor import (
    FactProblem,
    explain_failure,
    failure_facts,
    keyed_choices,
    parse_typed_fact,
    run,
    score_bar,
    set_fact,
    state_facts,
)
from oauth_wizard.tui.state import WizardState, to_profile

STATE = "s" * 43
DEMO = demo.demo_state(STATE, "http://127.0.0.1:47932/login", "http://127.0.0.1:47932/cb")


def test_keys_number_the_choices_across_questions_best_first() -> None:
    questions = (Question("beta_in_url", "?", ("yes", "no")),
                 Question("consent_url", "?", ()),
                 Question("via", "?", ("consent", "self-auth", "token-exchange", "token-refresh",
                                       "api-call", "listing")),
                 Question("app_state", "?", ("draft", "submitted", "published")))
    keyed = keyed_choices(questions)
    assert [(k.key, k.question.fact, k.value) for k in keyed[:3]] == [
        ("1", "beta_in_url", "yes"), ("2", "beta_in_url", "no"), ("3", "via", "consent")]
    assert all(k.question.fact != "consent_url" for k in keyed)  # typed: no key
    assert [k.key for k in keyed] == [*"123456789", "", ""]  # eleven choices, nine keys
    assert keyed[-1].value == "published"


def test_answers_are_checked_and_normalised() -> None:
    facts = set_fact({}, "Edits-Pending", "yes")
    assert facts == {"edit_pending": "true"}
    facts = set_fact(facts, "marketplace", "br")
    assert facts["marketplace"] == "BR"
    with pytest.raises(FactProblem, match="hybrid.*yes or no"):
        set_fact(facts, "hybrid", "maybe")
    with pytest.raises(FactProblem, match="Did you mean marketplace"):
        set_fact(facts, "markteplace", "BR")
    with pytest.raises(FactProblem, match="Known facts: app_state"):
        set_fact(facts, "colour", "blue")


def test_a_new_marketplace_drops_a_region_that_no_longer_fits() -> None:
    facts = {"marketplace": "DE", "region": "EU"}
    assert set_fact(facts, "marketplace", "FR") == {"marketplace": "FR", "region": "EU"}
    assert set_fact(facts, "marketplace", "BR") == {"marketplace": "BR"}


def test_typed_facts_split_at_the_first_separator() -> None:
    url = "https://sellercentral.amazon.com/apps/authorize/consent?application_id=x&version=beta"
    facts, key = parse_typed_fact({}, f"consent_url: {url}")
    assert (key, facts["consent_url"]) == ("consent_url", url)
    facts, key = parse_typed_fact(facts, "app_marketplaces = us, ca,MX")
    assert (key, facts["app_marketplaces"]) == ("app_marketplaces", "US,CA,MX")
    with pytest.raises(FactProblem, match="key=value"):
        parse_typed_fact({}, "BR")


def test_score_bars_fill_in_eighths() -> None:
    assert score_bar(1.0) == "█" * 10
    assert score_bar(0.0) == " " * 10
    assert score_bar(0.55) == "█████▌    "
    assert all(len(score_bar(x / 100)) == 10 for x in range(101))


def test_state_facts_are_the_preflight_facts_of_the_described_app() -> None:
    ws = DEMO.with_(demo=False, login_uri="https://example.com/login",
                    redirect_uris=("https://example.com/cb",))
    consent = build_consent_url(to_profile(ws).profile, "DE", STATE)
    facts = state_facts(ws, consent)
    assert facts["app_state"] == "draft" and facts["hybrid"] == "false"
    assert (facts["marketplace"], facts["region"]) == ("DE", "EU")
    assert facts["app_marketplaces"].split(",")[:3] == ["US", "CA", "MX"]
    assert facts["consent_url"] == consent.url and facts["beta_in_url"] == "true"


def test_state_facts_of_an_unfinished_description_keep_what_is_valid() -> None:
    ws = WizardState(publish="published", hybrid=True, dev_ids=(("EU", "123456789012"),),
                     marketplaces=("US", "XX"), seller_marketplace="ZZ")
    facts = state_facts(ws)
    assert facts == {"app_state": "published", "hybrid": "true", "dev_id_regions": "EU"}


def test_failure_facts_say_where_it_failed_and_which_cause_was_named() -> None:
    facts = failure_facts(DEMO, None, "auth_code_expired_or_reused", exchanging=False)
    assert facts["via"] == "token-exchange"  # the cause's own step wins
    assert facts["cause"] == "auth_code_expired_or_reused"
    assert facts["marketplace"] == "DE"
    assert failure_facts(DEMO, None, "not_primary_user", exchanging=False)["via"] == "consent"
    unknown = failure_facts(DEMO, None, "no_such_cause", exchanging=True)
    assert unknown["via"] == "token-exchange" and "cause" not in unknown
    assert failure_facts(DEMO, None, None, exchanging=False)["via"] == "consent"


def test_a_failure_that_names_its_cause_gets_that_cause_and_its_fix() -> None:
    cause = "auth_code_expired_or_reused"
    facts = failure_facts(DEMO, None, cause, exchanging=True)
    result = explain_failure("LWA refused the authorization code (invalid_grant).", facts)
    assert result is not None and result.top.id == cause
    assert result.top.fix == knowledge.load().causes[cause].fix


def test_a_failure_the_doctor_knows_nothing_about_gets_nothing() -> None:
    facts = failure_facts(DEMO, None, None, exchanging=False)
    assert explain_failure("The profile name is not given.", facts) is None


def test_a_run_reports_bad_facts_as_a_sentence() -> None:
    outcome = run("Error Code: MD5100", {"app_state": "live"})
    assert outcome.diagnosis is None
    assert outcome.error and "app_state" in outcome.error and "draft" in outcome.error


def test_a_run_carries_support_details_without_secrets() -> None:
    secret = "amzn1.oa2-cs.v1." + "0f1e2d3c4b5a6978" * 4
    refresh = "Atzr|IwEBIHk3q9ZexampleRefreshTokenValue0123456789abcdefXYZ"
    text = (f"client_secret={secret}&refresh_token={refresh}\nx-amzn-RequestId: "
            "6c1a7c3e-2b9f-4a55-9d7e-0123456789ab\n{\"error\":\"invalid_client\"}")
    outcome = run(text, {"marketplace": "DE"})
    assert outcome.diagnosis is not None
    assert "6c1a7c3e-2b9f-4a55-9d7e-0123456789ab" in outcome.support
    assert secret[16:] not in outcome.support and refresh[5:] not in outcome.support
