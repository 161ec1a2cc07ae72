"""Preflight: the doctor's rules on a profile before the browser opens. One test per certain
rule, the likely-only ones, a clean profile, given consent URLs, the simulator's http URIs, and
the facts handed to the doctor."""

from __future__ import annotations

import pytest
from doctor_kit import APP_ID, CLIENT_ID, consent

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.consent.url import build_consent_url
from oauth_wizard.core.marketplaces import lookup
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.doctor.knowledge import load
from oauth_wizard.doctor.preflight import CERTAIN, LIKELY, preflight, real_consent_url, wizard_facts

CONTRACT_OR_KB = set(load().causes)


def app(**changes) -> AppProfile:
    base = AppProfile(name="shop", app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                      marketplaces=("US", "CA", "MX"), login_uri="https://dev.example.com/login",
                      redirect_uris=("https://dev.example.com/cb",))
    return base.with_(**changes)


def by_cause(result) -> dict:
    return {f.cause: f for f in result.findings}


@pytest.mark.parametrize("state", ["draft", "submitted", "published"])
def test_a_clean_profile_predicts_nothing(state):
    result = preflight(app(app_state=state), "US")
    assert result.ok and not result.certain_failure and result.findings == ()


def test_every_finding_names_a_known_cause_with_its_fix():
    result = preflight(app(login_uri="", hybrid=True, edits_pending=True,
                           app_state="published"), "DE")
    assert result.findings
    for finding in result.findings:
        assert finding.cause in CONTRACT_OR_KB
        assert finding.certainty in (CERTAIN, LIKELY)
        assert finding.found and finding.fix and finding.title and finding.source
    certainties = [f.certain for f in result.findings]
    assert certainties == sorted(certainties, reverse=True), "certain findings come first"


def test_marketplace_of_another_region_is_certain_md5100():
    result = preflight(app(), "DE")
    finding = by_cause(result)["marketplace_not_in_app"]
    assert finding.certainty == CERTAIN and result.certain_failure
    assert any("MD5100" in line for line in finding.found)
    assert any("Pricing" in step for step in finding.fix)  # the doctor's own fix steps


def test_marketplace_missing_but_region_covered_is_only_likely():
    result = preflight(app(marketplaces=("US",)), "CA")
    finding = by_cause(result)["marketplace_not_in_app"]
    assert finding.certainty == LIKELY and not result.certain_failure
    assert any("not documented" in line for line in finding.found)


def test_hybrid_app_without_the_regions_developer_id_is_certain_md9010():
    profile = app(hybrid=True, dev_ids=(("EU", "123456789012"),))
    result = preflight(profile, "US")
    assert by_cause(result)["hybrid_region_dev_id_missing"].certain
    assert result.certain_failure
    with_na = profile.with_(dev_ids=(("NA", "123456789012"),))
    assert "hybrid_region_dev_id_missing" not in by_cause(preflight(with_na, "US"))


def test_hybrid_app_with_no_developer_id_at_all_is_certain():
    result = preflight(app(hybrid=True), "DE")
    finding = by_cause(result)["hybrid_region_dev_id_missing"]
    assert finding.certain and any("EU" in line and "none" in line for line in finding.found)


def test_a_fragment_in_a_redirect_uri_is_certain():
    result = preflight(app(redirect_uris=("https://dev.example.com/cb#done",)), "US")
    assert by_cause(result)["redirect_uri_fragment"].certain


def test_a_redirect_uri_that_is_not_registered_is_certain_md5101():
    result = preflight(app(), "US", redirect_uri="https://elsewhere.example.com/cb")
    finding = by_cause(result)["redirect_uri_not_registered"]
    assert finding.certain and "elsewhere.example.com" in " ".join(finding.found)


def test_missing_login_uri_is_certain():
    result = preflight(app(login_uri=""), "US")
    assert by_cause(result)["oauth_uris_missing"].certain


def test_client_id_in_place_of_the_app_id_is_certain():
    result = preflight(app(app_id=CLIENT_ID), "US")
    assert by_cause(result)["client_id_as_application_id"].certain
    assert result.certain_failure


@pytest.mark.parametrize("uri", ["http://dev.example.com/cb", "http://localhost:8443/cb",
                                 "http://127.0.0.1:8443/cb"])
def test_http_uris_are_certain_with_real_amazon_and_fine_with_a_simulator(uri):
    profile = app(redirect_uris=(uri,))
    real = by_cause(preflight(profile, "US"))
    assert real["uri_not_https_or_localhost"].certain
    simulated = preflight(profile, "US", simulated=True)
    if "127.0.0.1" in uri or "localhost" in uri:
        assert simulated.ok, simulated.findings
    else:  # the simulator stands in for Amazon only on this machine
        assert "uri_not_https_or_localhost" not in by_cause(simulated)


def test_https_localhost_is_only_likely():
    result = preflight(app(login_uri="https://localhost:8443/login",
                           redirect_uris=("https://localhost:8443/cb",)), "US")
    finding = by_cause(result)["uri_not_https_or_localhost"]
    assert finding.certainty == LIKELY and not result.certain_failure


def test_pending_edits_warn_without_refusing():
    result = preflight(app(app_state="published", edits_pending=True), "US")
    assert by_cause(result)["app_edit_pending"].certainty == LIKELY
    assert not result.certain_failure


def test_a_given_consent_url_is_linted():
    draft_without_beta = consent()  # no version=beta
    result = preflight(app(), "US", consent_url=draft_without_beta)
    finding = by_cause(result)["beta_missing_for_draft"]
    assert finding.certain and "version=beta" in " ".join(finding.fix)
    published_with_beta = preflight(app(app_state="published"), "US",
                                     consent_url=consent(version="beta"))
    assert by_cause(published_with_beta)["beta_on_published_app"].certainty == LIKELY
    wrong_region = preflight(app(), "US", consent_url=consent("sellercentral.amazon.de",
                                                              version="beta"))
    assert by_cause(wrong_region)["wrong_portal_host"].certain


def test_a_simulator_url_is_judged_as_the_real_one():
    profile = app(login_uri="http://127.0.0.1:9999/login",
                  redirect_uris=("http://127.0.0.1:9999/cb",))
    endpoints = Endpoints.for_simulator("http://127.0.0.1:9000")
    built = build_consent_url(profile, "US", "s", "http://127.0.0.1:9999/cb",
                              portal_base=endpoints.portal_url(lookup("US"), "seller"))
    assert built.url.startswith("http://127.0.0.1:9000/sellercentral.amazon.com/")
    assert real_consent_url(built).startswith(
        "https://sellercentral.amazon.com/apps/authorize/consent?application_id=")
    result = preflight(profile, "US", consent_url=built,
                       redirect_uri="http://127.0.0.1:9999/cb", simulated=True)
    assert result.ok, result.findings


def test_wizard_facts_speak_the_doctors_vocabulary():
    profile = app(hybrid=True, dev_ids=(("NA", "123456789012"),))
    facts = wizard_facts(profile, "MX")
    assert facts["app_state"] == "draft" and facts["hybrid"] == "true"
    assert facts["marketplace"] == "MX" and facts["region"] == "NA"
    assert facts["app_marketplaces"] == "US,CA,MX" and facts["dev_id_regions"] == "NA"
    assert facts["beta_in_url"] == "true"
    assert facts["consent_url"].startswith(f"https://{lookup('MX').portal('seller').host}/")
    assert facts["redirect_uri"] == "https://dev.example.com/cb"
    assert "via" not in facts  # the caller says where a failure happened


def test_the_result_is_the_same_for_the_same_inputs():
    profile = app(login_uri="", hybrid=True)
    assert preflight(profile, "DE") == preflight(profile, "DE")
    assert preflight(profile, "DE").as_json()["certain_failure"] is True
