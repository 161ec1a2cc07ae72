"""The TUI wizard's rules without a terminal: step order, per-step checks, the review."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from oauth_wizard.tui import demo
from oauth_wizard.tui.review import build_review
from oauth_wizard.tui.state import (
    PUBLISH_CHOICES,
    STEPS,
    WizardState,
    blocking_message,
    can_leave,
    check_step,
    errors,
    field_label,
    first_invalid_step,
    next_step,
    previous_step,
    publish_explanation,
    step_heading,
)

APP_ID = "amzn1.sp.solution.11111111-2222-4333-8444-555555555555"
CLIENT_ID = "amzn1.application-oa2-client." + "ab" * 16
STATE = "frozen-state-value"


def valid(**changes) -> WizardState:
    base = WizardState(
        app_id=APP_ID, client_id=CLIENT_ID, publish="draft", marketplaces=("US", "DE"),
        seller_marketplace="DE", login_uri="https://app.example.com/login",
        redirect_uris=("https://app.example.com/cb",), csrf_state=STATE,
    )
    return base.with_(**changes)


def fields(problems, severity=None) -> list[str]:
    return [p.field for p in problems if severity is None or p.severity == severity]


# --- navigation ---------------------------------------------------------------

def test_steps_run_forward_and_back_in_order():
    walked = [STEPS[0]]
    while (nxt := next_step(walked[-1])) is not None:
        walked.append(nxt)
    assert walked == list(STEPS)
    back = [STEPS[-1]]
    while (prev := previous_step(back[-1])) is not None:
        back.append(prev)
    assert back == list(reversed(STEPS))


def test_step_heading_counts_steps():
    assert step_heading("identity").startswith("Step 1 of 6")
    assert step_heading("review").startswith("Step 6 of 6")


def test_first_invalid_step_names_the_earliest_step_with_an_error():
    assert first_invalid_step(valid()) is None
    assert first_invalid_step(valid(app_id="", seller_marketplace="")) == "identity"
    assert first_invalid_step(valid(seller_marketplace="")) == "marketplaces"


# --- step 1: identity ---------------------------------------------------------

def test_empty_identity_blocks_on_app_id_and_client_id_but_not_on_the_secret():
    problems = check_step(WizardState(), "identity")
    assert fields(errors(problems)) == ["app_id", "client_id"]
    assert not can_leave(WizardState(), "identity")


def test_swapped_ids_are_named_on_both_fields():
    problems = check_step(valid(app_id=CLIENT_ID, client_id=APP_ID), "identity")
    by_field = {p.field: p.message for p in errors(problems)}
    assert "LWA client ID, not the app ID" in by_field["app_id"]
    assert "swapped" in by_field["client_id"]


def test_secret_of_an_odd_shape_warns_without_blocking():
    state = valid(client_secret="not-the-usual-shape")
    problems = check_step(state, "identity")
    assert fields(problems, "warning") == ["client_secret"]
    assert can_leave(state, "identity")


def test_pasted_spaces_are_a_note_not_an_error():
    state = valid(app_id=f"  {APP_ID}\n")
    assert fields(check_step(state, "identity"), "note") == ["app_id"]
    assert can_leave(state, "identity")


def test_unknown_kind_is_an_error():
    assert fields(errors(check_step(valid(kind="buyer"), "identity"))) == ["kind"]


def test_secret_never_appears_in_repr():
    assert "s3cr3t-value" not in repr(valid(client_secret="s3cr3t-value"))


# --- step 2: publish state ----------------------------------------------------

def test_publish_state_must_be_chosen():
    problems = check_step(valid(publish=""), "publish")
    assert fields(errors(problems)) == ["publish"]
    assert "MD1000" in problems[0].message


@pytest.mark.parametrize("choice", PUBLISH_CHOICES)
def test_every_publish_choice_is_accepted_and_explained(choice):
    state = valid(publish=choice)
    assert can_leave(state, "publish")
    text = publish_explanation(choice)
    assert ("gets version=beta" in text) == (choice in ("draft", "submitted"))
    assert ("gets no version=beta" in text) == choice.startswith("published")


def test_published_with_pending_edits_is_published_for_the_profile():
    state = valid(publish="published_pending")
    assert (state.app_state, state.edits_pending) == ("published", True)
    assert (valid(publish="submitted").app_state, valid().edits_pending) == ("submitted", False)


# --- step 3: hybrid -----------------------------------------------------------

def test_dev_ids_are_ignored_when_the_app_is_not_hybrid():
    assert check_step(valid(hybrid=False).with_dev_id("NA", "junk"), "hybrid") == ()


def test_hybrid_dev_id_must_be_digits():
    state = valid(hybrid=True).with_dev_id("NA", "abc")
    assert "dev_id_NA" in fields(errors(check_step(state, "hybrid")))


def test_hybrid_without_a_dev_id_for_a_needed_region_warns_md9010():
    state = valid(hybrid=True).with_dev_id("NA", "123456789012")  # US+DE: NA and EU
    problems = check_step(state, "hybrid")
    assert fields(problems, "warning") == ["dev_id_EU"]
    assert "MD9010" in problems[0].message
    assert can_leave(state, "hybrid")


def test_dev_id_regions_follow_the_marketplaces_or_are_all_three():
    assert WizardState().dev_id_regions() == ("NA", "EU", "FE")
    assert valid(marketplaces=("DE", "US")).dev_id_regions() == ("NA", "EU")
    assert valid(marketplaces=("JP",)).dev_id_regions() == ("FE",)


def test_with_dev_id_keeps_other_regions():
    state = WizardState().with_dev_id("FE", "1").with_dev_id("NA", "2").with_dev_id("FE", "3")
    assert state.dev_ids == (("NA", "2"), ("FE", "3"))


# --- step 4: marketplaces -----------------------------------------------------

def test_marketplaces_need_a_supported_one_and_the_sellers_one():
    problems = check_step(valid(marketplaces=(), seller_marketplace=""), "marketplaces")
    assert fields(errors(problems)) == ["marketplaces", "seller_marketplace"]


def test_seller_marketplace_outside_the_supported_ones_warns_md5100():
    state = valid(marketplaces=("US",), seller_marketplace="JP")
    problems = check_step(state, "marketplaces")
    assert fields(problems, "warning") == ["seller_marketplace"]
    assert "JP is not among" in problems[0].message and "MD5100" in problems[0].message
    assert can_leave(state, "marketplaces")


def test_uncertain_host_is_a_note_for_seller_and_vendor_kinds():
    ie = check_step(valid(marketplaces=("IE",), seller_marketplace="IE"), "marketplaces")
    assert fields(ie, "note") == ["seller_marketplace"]
    assert "sellercentral.amazon.ie" in ie[0].message and "uncertain" in ie[0].message
    india = valid(kind="vendor", marketplaces=("IN",), seller_marketplace="IN")
    notes = check_step(india, "marketplaces")
    assert fields(notes, "note") == ["seller_marketplace"] and "vendorcentral" in notes[0].message
    assert check_step(valid(kind="seller", marketplaces=("IN",), seller_marketplace="IN"),
                      "marketplaces") == ()


# --- step 5: URIs -------------------------------------------------------------

@pytest.mark.parametrize(("uri", "severity", "words"), [
    ("http://app.example.com/cb", "error", "https"),
    ("https://app.example.com/cb#x", "error", "fragment"),
    ("https://localhost:8443/cb", "warning", "localhost"),
    ("", "error", "empty"),
])
def test_redirect_uri_checks(uri, severity, words):
    problems = check_step(valid(redirect_uris=("https://app.example.com/a", uri)), "uris")
    found = [p for p in problems if p.field == "redirect_uri_1"]
    assert [p.severity for p in found] == [severity]
    assert words in found[0].message
    assert can_leave(valid(redirect_uris=(uri,)), "uris") == (severity != "error")


def test_duplicate_redirect_uri_warns_on_the_repeat():
    uri = "https://app.example.com/cb"
    problems = check_step(valid(redirect_uris=(uri, f" {uri}")), "uris")
    assert [p.message for p in problems if p.severity == "warning"] == [
        "This repeats Redirect URI 1."]


def test_login_uri_is_checked():
    assert fields(errors(check_step(valid(login_uri="ftp://x"), "uris"))) == ["login_uri"]


def test_consent_choice_out_of_range_is_an_error():
    assert fields(errors(check_step(valid(consent_redirect=3), "uris"))) == ["consent_redirect"]


def test_removing_a_redirect_row_keeps_the_chosen_uri():
    state = valid(redirect_uris=("https://a.example/1", "https://a.example/2",
                                 "https://a.example/3"), consent_redirect=2)
    after = state.remove_redirect(0)
    assert after.redirect_uris == ("https://a.example/2", "https://a.example/3")
    assert after.consent_redirect_uri() == "https://a.example/3"
    assert state.remove_redirect(2).consent_redirect is None
    assert state.remove_redirect(2).redirect_uris == ("https://a.example/1", "https://a.example/2")
    assert valid().remove_redirect(0).redirect_uris == ("",)
    assert valid().add_redirect().redirect_uris == ("https://app.example.com/cb", "")


def test_consent_redirect_uri_is_cleaned():
    assert valid(redirect_uris=(" https://a.example/1\n",),
                 consent_redirect=0).consent_redirect_uri() == "https://a.example/1"
    assert valid().consent_redirect_uri() is None


# --- messages -----------------------------------------------------------------

def test_field_labels_name_the_field_as_shown():
    assert field_label("redirect_uri_1") == "Redirect URI 2"
    assert field_label("dev_id_EU") == "EU MWS developer ID"
    assert field_label("app_id") == "App ID"


def test_blocking_message_names_field_message_and_fix():
    problem = errors(check_step(WizardState(), "identity"))[0]
    text = blocking_message(problem)
    assert text.startswith("App ID: ") and problem.message in text and problem.fix in text


# --- review -------------------------------------------------------------------

def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_demo_state_passes_every_step_and_builds_a_beta_url_for_germany():
    state = demo.demo_state(STATE, *demo.demo_uris(47001))
    assert all(can_leave(state, step) for step in STEPS)
    review = build_review(state)
    assert review.error is None and review.lint is not None and review.lint.ok
    parts = urlsplit(review.consent.url)
    assert (parts.scheme, parts.hostname, parts.path) == (
        "https", "sellercentral.amazon.de", "/apps/authorize/consent")
    assert params(review.consent.url) == {
        "application_id": demo.DEMO_APP_ID, "state": STATE, "version": "beta"}
    # the simulator's loopback http URIs only warn in the demo, and say why
    assert [p.severity for p in review.warnings] == ["warning", "warning"]
    assert all("accepted here because the endpoints point at a simulator" in p.message
               for p in review.warnings)


def test_loopback_http_uris_block_outside_the_demo():
    state = demo.demo_state(STATE, *demo.demo_uris(47001)).with_(demo=False)
    assert not can_leave(state, "uris")
    assert "accepts only https" in errors(check_step(state, "uris"))[0].message


def test_published_review_has_no_beta_and_no_redirect_when_none_is_chosen():
    review = build_review(valid(publish="published", consent_redirect=None))
    assert params(review.consent.url) == {"application_id": APP_ID, "state": STATE}


def test_vendor_review_uses_vendor_central():
    review = build_review(valid(kind="vendor"))
    assert urlsplit(review.consent.url).hostname == "vendorcentral.amazon.de"


def test_review_names_the_step_that_still_has_an_error():
    review = build_review(valid(login_uri="http://x.example/login"))
    assert review.consent is None
    assert "Login and Redirect URIs" in review.error and "Login URI" in review.error


def test_review_warnings_gather_the_steps_non_blocking_problems():
    state = valid(hybrid=True, redirect_uris=("https://localhost/cb",), seller_marketplace="JP")
    review = build_review(state)
    assert review.consent is not None
    assert sorted(fields(review.warnings)) == ["dev_id_EU", "dev_id_NA", "redirect_uri_0"]
    # the unsupported-marketplace warning is stated once, by the consent URL's notes
    assert any("JP is not among" in note for note in review.consent.notes)
