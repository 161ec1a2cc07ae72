"""Repeated parameters in a consent URL (issue 14: mutants that judged a name twice, stopped at
the first repeat, or skipped the first of two values survived): each name is judged once,
the parameters after a repeat are still judged, and a bad value is found whichever copy
holds it."""

from __future__ import annotations

from collections import Counter

import pytest

from oauth_wizard.consent.lint import lint_consent_url

APP_ID = "amzn1.sp.solution.3b4ce5f4-0d0c-4c8a-9b1e-6f2f1d1e2a3b"
DE = "https://sellercentral.amazon.de/apps/authorize/consent"


def _ids(url: str) -> Counter:
    result = lint_consent_url(url, app_state="draft", marketplace="DE", kind="seller")
    return Counter(p.id for p in result.problems)


def test_a_name_repeated_is_judged_once():
    # no application_id: one finding for the missing app ID, one for client_id (not two)
    url = f"{DE}?state=s1&version=beta&client_id=x&client_id=y"
    assert _ids(url)["client_id_as_application_id"] == 2
    url = f"{DE}?application_id={APP_ID}&state=s1&version=beta" + "&spapi_oauth_code=c" * 3
    assert _ids(url)["malformed_consent_url"] >= 1


def test_parameters_after_a_repeat_are_still_judged():
    url = f"{DE}?state=a&state=a&version=beta&client_id=x"
    assert _ids(url)["client_id_as_application_id"] == 2  # client_id judged after the repeat


@pytest.mark.parametrize("states", ["state=%22s1%22&state=s1", "state=s1&state=%22s1%22"])
def test_a_pasted_quote_is_found_in_either_copy(states):
    """A value pasted with its quotes is flagged whichever copy carries it."""
    repeated = _ids(f"{DE}?application_id={APP_ID}&version=beta&state=s1&state=s1")
    found = _ids(f"{DE}?application_id={APP_ID}&version=beta&{states}")
    assert found["malformed_consent_url"] == repeated["malformed_consent_url"] + 1
