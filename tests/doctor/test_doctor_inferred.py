"""Facts a report states in words become inferred facts; a stated fact or a pasted URL wins."""

from __future__ import annotations

import pytest

from oauth_wizard.doctor import inferred
from oauth_wizard.doctor.diagnosis import diagnose


@pytest.mark.parametrize(("text", "state"), [
    ("MD1000 when authorizing, the app is published", "published"),
    ("MD9000 for our submitted app", "submitted"),
    ("MD5100, app is in draft", "draft"),
    ("my application is still in draft", "draft"),
    ("our app has been published since May", "published"),
    ("app status: submitted", "submitted"),
    # what the text says the app is not, Amazon's own wording, or two states compared
    ("MD1000, the app is not published yet", None),
    ("the app is unpublished", None),
    ('{"code":"InvalidInput","message":"A published application with the provided app-id not '
     'found"}', None),
    ("MD1000 on the draft app, but our published app works; the app is draft", None),
])
def test_the_app_state_said_in_words(text, state):
    assert inferred.from_words(text, {}).get("app_state") == state


@pytest.mark.parametrize(("text", "beta"), [
    ("MD5100 even with version=beta", "true"),
    ("I added &version=beta and still get MD1000", "true"),
    ("consent URL without version=beta gives MD1000", "false"),
    ("I forgot the version=beta", "false"),
    ("what does version=beta do?", None),
])
def test_version_beta_said_in_words(text, beta):
    assert inferred.from_words(text, {}).get("beta_in_url") == beta


def test_a_stated_fact_and_a_pasted_url_win_over_words():
    assert "app_state" not in inferred.from_words("the app is published", {"app_state": "draft"})
    text = ("MD1000 even with version=beta: https://sellercentral.amazon.com/apps/authorize/"
            "consent?application_id=amzn1.sp.solution.0000&state=abcdefgh12345678")
    assert diagnose(text).inferred["beta_in_url"] == "false"  # the URL has none


def test_an_inferred_published_state_argues_against_a_missing_beta():
    plain = [c.id for c in diagnose("MD1000 when the seller authorizes").causes]
    published = [c.id for c in diagnose("MD1000 when the seller authorizes; the app is "
                                        "published").causes]
    assert plain[0] == "beta_missing_for_draft"
    assert published[0] != "beta_missing_for_draft"
    answer = diagnose("MD1000; the app is published").as_json()
    assert answer["ruled_out"] == []  # only a stated fact rules a cause out


@pytest.mark.parametrize(("text", "market"), [
    ("403 calling sellingpartnerapi-eu.amazon.com with a token from US seller central", "US"),
    ("the seller authorized in UK", "UK"),
    ("a refresh token for JP", "JP"),
    ("GB Seller Central consent", "UK"),  # an alias is the marketplace's own code
    ("the token works for us", None),  # "us" in lower case is a word
    ("the seller authorized in DE and FR", None),  # several named: none in particular
    ("authorized in DE, then a token for FR", None),
])
def test_the_marketplace_a_grant_came_from_said_in_words(text, market):
    assert inferred.from_words(text, {}).get("marketplace") == market


def test_a_grant_from_one_region_called_on_another_is_the_region_mismatch():
    text = ('403 {"errors":[{"code":"Unauthorized","message":"Access to requested resource is '
            'denied."}]} calling sellingpartnerapi-eu.amazon.com with a token from US seller '
            'central')
    answer = diagnose(text)
    assert answer.inferred["region"] == "NA"
    assert answer.top.id == "wrong_region_endpoint"
    assert inferred.from_words(text, {"region": "EU"}).get("marketplace") is None


@pytest.mark.parametrize(("text", "sandbox"), [
    ("the sandbox call returns 500 InternalFailure", True),
    ("403 on the EU endpoint; the sandbox also answers 403", False),
    ("403 in production and the sandbox", False),
    ("works in the sandbox, 403 in production", False),
])
def test_a_sandbox_tried_as_well_is_not_the_failing_call(text, sandbox):
    assert inferred.says_sandbox_call(text) is sandbox


def test_the_linter_sees_an_app_state_said_in_words():
    url = ("https://sellercentral.amazon.com/apps/authorize/consent?application_id="
           "amzn1.sp.solution.00000000-0000-4000-8000-000000000000&state=k3Jd9vQ2xT7pL5mR8nB4"
           "&version=beta")
    said = diagnose(f"{url} gives MD5100; the app is published")
    assert "lint:beta_on_published_app" in said.signals
    assert not any("App state not given" in n for n in said.notes)
    assert "lint:beta_on_published_app" not in diagnose(f"{url} gives MD5100").signals


def test_a_pasted_portal_host_decides_the_region_over_words():
    text = ("https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id="
            "amzn1.sp.solution.00000000-0000-4000-8000-000000000000&state=k3Jd9vQ2xT7pL5mR8nB4"
            " MD5100 with a token from US seller central")
    answer = diagnose(text)
    assert answer.inferred["region"] == "EU" and "marketplace" not in answer.inferred


def test_a_word_after_the_code_is_not_a_second_marketplace():
    assert inferred.from_words("authorized in UK and it fails", {})["marketplace"] == "UK"
