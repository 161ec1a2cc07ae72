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
