"""build_profile: per-field problems, normalisation, hybrid and publish-state rules."""

from __future__ import annotations

import dataclasses

import pytest

from oauth_wizard.core.profile import (
    APP_STATES,
    STATE_EXPLANATIONS,
    AppProfile,
    beta_required,
    build_profile,
    check_marketplaces,
)

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
LOGIN = "https://spapi-dev.example.com/login"
REDIRECT = "https://spapi-dev.example.com/cb"


def build(**overrides):
    args = dict(name="acme", app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                marketplace_codes=["US"], login_uri=LOGIN, redirect_uris=[REDIRECT])
    args.update(overrides)
    return build_profile(**args)


def fields(built) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in built.problems:
        out.setdefault(p.field, []).append(p.severity)
    return out


def test_a_clean_profile_has_no_problems():
    built = build()
    assert built.ok and built.problems == () and built.errors() == []
    p = built.profile
    assert (p.name, p.app_id, p.client_id, p.app_state, p.kind) == (
        "acme", APP_ID, CLIENT_ID, "draft", "seller")
    assert p.marketplaces == ("US",) and p.login_uri == LOGIN and p.redirect_uris == (REDIRECT,)


def test_profile_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        build().profile.app_state = "published"  # type: ignore[misc]


def test_with_returns_a_changed_copy():
    p = build().profile
    q = p.with_(app_state="published")
    assert (p.app_state, q.app_state, q.app_id) == ("draft", "published", p.app_id)


@pytest.mark.parametrize(("override", "field"), [
    ({"name": "my app"}, "name"),
    ({"app_id": CLIENT_ID}, "app_id"),
    ({"client_id": APP_ID}, "client_id"),
    ({"login_uri": "http://spapi-dev.example.com/login"}, "login_uri"),
    ({"redirect_uris": [REDIRECT, "https://x.example.com/cb#f"]}, "redirect_uri_1"),
    ({"app_state": "live"}, "app_state"),
    ({"kind": "buyer"}, "kind"),
    ({"marketplace_codes": ["US", "XX"]}, "marketplaces"),
    ({"dev_ids": {"APAC": "123456789012"}}, "dev_ids"),
    ({"dev_ids": {"EU": "12345678901A"}}, "dev_id_EU"),
])
def test_each_bad_field_is_reported_against_that_field(override, field):
    built = build(**override)
    assert not built.ok
    assert {p.field for p in built.errors()} == {field}


def test_problems_from_several_fields_are_all_reported():
    built = build(name="", app_id="", client_id="", login_uri="", redirect_uris=[])
    assert {"name", "app_id", "client_id", "login_uri", "redirect_uri_0"} <= set(fields(built))


def test_unknown_app_state_message_lists_the_states():
    p = next(p for p in build(app_state="live").problems if p.field == "app_state")
    assert "'live'" in p.message
    for state in APP_STATES:
        assert state in p.fix


@pytest.mark.parametrize(("raw", "state"), [("Draft", "draft"), (" PUBLISHED ", "published"),
                                            ("Submitted", "submitted")])
def test_app_state_is_normalised(raw, state):
    built = build(app_state=raw)
    assert built.ok and built.profile.app_state == state


def test_kind_is_normalised():
    built = build(kind="Vendor")
    assert built.ok and built.profile.kind == "vendor"


def test_cleaned_values_are_stored():
    built = build(name=" acme ", app_id=f'"{APP_ID}"\n', client_id=f" {CLIENT_ID}",
                  login_uri=f" {LOGIN}\n", redirect_uris=[f"'{REDIRECT}'"])
    p = built.profile
    assert (p.name, p.app_id, p.client_id, p.login_uri, p.redirect_uris) == (
        "acme", APP_ID, CLIENT_ID, LOGIN, (REDIRECT,))
    assert built.ok
    assert {pr.severity for pr in built.problems} == {"note"}


def test_marketplaces_are_normalised_and_deduplicated():
    built = build(marketplace_codes=["gb", "A1PA6795UKMFR9", "de", " UK ", "", "ATVPDKIKX0DER"])
    assert built.ok
    assert built.profile.marketplaces == ("UK", "DE", "US")


def test_unknown_marketplace_keeps_the_valid_codes_in_capitals():
    codes, problems = check_marketplaces(["xx", "DE"])
    assert codes == ("DE",)
    (p,) = problems
    assert p.severity == "error" and p.field == "marketplaces"
    assert p.message.startswith("Unknown marketplace 'xx'")
    assert "CA, US, MX" in p.message and "ATVPDKIKX0DER" in p.message
    assert p.fix


def test_duplicate_redirect_uris_are_kept_once_in_order():
    other = "https://b.example.com/cb"
    built = build(redirect_uris=[other, REDIRECT, f" {other} "])
    assert built.profile.redirect_uris == (other, REDIRECT)


def test_uris_may_be_optional():
    built = build(login_uri="", redirect_uris=[], require_uris=False)
    assert built.ok
    assert built.profile.login_uri == "" and built.profile.redirect_uris == ()


def test_missing_redirect_uri_is_an_error_when_required():
    built = build(redirect_uris=[])
    (p,) = built.errors()
    assert p.field == "redirect_uri_0" and "Redirect URI" in p.message and "https" in p.fix


def test_localhost_redirect_is_only_a_warning():
    built = build(redirect_uris=["https://localhost:8443/cb"])
    assert built.ok
    assert fields(built) == {"redirect_uri_0": ["warning"]}


# --- hybrid apps and developer ids --------------------------------------------------------------

def test_hybrid_missing_dev_id_for_a_needed_region_warns_with_md9010():
    built = build(hybrid=True, marketplace_codes=["US", "DE", "JP"],
                  dev_ids={"NA": "123456789012", "FE": "210987654321"})
    assert built.ok, "a missing developer ID is a warning"
    (p,) = built.problems
    assert (p.field, p.severity) == ("dev_id_EU", "warning")
    assert "MD9010" in p.message and "EU" in p.message
    assert "EU" in p.fix and "MWS" in p.fix


def test_hybrid_with_every_needed_dev_id_is_clean():
    built = build(hybrid=True, marketplace_codes=["CA", "UK"],
                  dev_ids={"NA": "1234-5678-9012", "EU": "123456789012"})
    assert built.ok and built.problems == ()
    assert built.profile.dev_ids == (("NA", "123456789012"), ("EU", "123456789012"))
    assert built.profile.dev_id("NA") == "123456789012"
    assert built.profile.dev_id("FE") is None
    assert built.profile.dev_id_regions == ("NA", "EU")


def test_non_hybrid_app_needs_no_dev_ids():
    built = build(hybrid=False, marketplace_codes=["US", "DE", "JP"])
    assert built.ok and built.problems == ()


def test_profile_regions_follow_its_marketplaces():
    p = build(marketplace_codes=["JP", "US", "DE", "FR"]).profile
    assert p.regions() == ("NA", "EU", "FE")


# --- publish state --------------------------------------------------------------------------------

def test_edits_pending_on_a_draft_is_an_error():
    for state in ("draft", "submitted"):
        built = build(app_state=state, edits_pending=True)
        (p,) = built.errors()
        assert p.field == "edits_pending" and "Published" in p.message and p.fix


def test_edits_pending_on_a_published_app_is_fine():
    built = build(app_state="published", edits_pending=True)
    assert built.ok and built.profile.edits_pending


@pytest.mark.parametrize(("state", "beta"), [("draft", True), ("submitted", True),
                                             ("published", False)])
def test_beta_rule_for_every_state(state, beta):
    assert beta_required(state) is beta
    assert AppProfile("a", APP_ID, CLIENT_ID, state).beta is beta


def test_published_with_edits_pending_has_no_beta():
    assert AppProfile("a", APP_ID, CLIENT_ID, "published", edits_pending=True).beta is False


def test_beta_rule_tolerates_case_and_spaces():
    assert beta_required(" Published ") is False
    assert beta_required("SUBMITTED") is True


def test_every_state_has_an_explanation_that_states_the_beta_rule():
    for state in APP_STATES:
        assert "version=beta" in STATE_EXPLANATIONS[state]
    assert "version=beta" in STATE_EXPLANATIONS["published_pending"]
    assert "10 days" in STATE_EXPLANATIONS["published_pending"]
