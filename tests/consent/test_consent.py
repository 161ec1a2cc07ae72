"""build_consent_url, the beta rule per state, redirect_uri handling, and the state value."""

from __future__ import annotations

import base64
import json
import re
import string
from urllib.parse import parse_qsl, urlsplit

import pytest

from oauth_wizard.consent import state as consent_state
from oauth_wizard.consent.url import (
    ConsentError,
    build_consent_url,
    lint_consent_url,
    new_state,
    parse_consent_params,
    state_matches,
)
from oauth_wizard.core.marketplaces import UnknownMarketplaceError
from oauth_wizard.core.profile import AppProfile

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
REDIRECT = "https://spapi-dev.example.com/cb"
REDIRECT_Q = "https://spapi-dev.example.com/cb?team=eu&x=a%20b+c"
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def profile(app_state="draft", **kw) -> AppProfile:
    kw.setdefault("redirect_uris", (REDIRECT, "https://spapi-dev.example.com/cb2"))
    return AppProfile(name="acme", app_id=APP_ID, client_id=CLIENT_ID, app_state=app_state, **kw)


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- the beta rule ------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_not_yet_published_apps_get_version_beta(state):
    built = build_consent_url(profile(state), "DE", "s1")
    assert built.beta is True
    assert ("version", "beta") in query(built.url)
    why = next(p.why for p in built.params if p.name == "version")
    assert state in why and "MD1000" in why


def test_published_app_gets_no_version():
    built = build_consent_url(profile("published"), "DE", "s1")
    assert built.beta is False
    assert "version" not in dict(query(built.url))
    assert not any("pending" in n for n in built.notes)


def test_published_with_edits_pending_gets_no_version_and_a_note():
    built = build_consent_url(profile("published", edits_pending=True), "DE", "s1")
    assert built.beta is False
    assert "version" not in dict(query(built.url))
    assert any("pending" in n and "old" in n for n in built.notes)


# --- parameters -----------------------------------------------------------------------------------

def test_parameters_and_their_reasons():
    built = build_consent_url(profile("draft"), "US", "abc123", redirect_uri=REDIRECT)
    assert query(built.url) == [("application_id", APP_ID), ("state", "abc123"),
                                ("redirect_uri", REDIRECT), ("version", "beta")]
    assert [p.name for p in built.params] == ["application_id", "state", "redirect_uri", "version"]
    assert all(p.why.strip() for p in built.params)
    assert "client ID" in built.params[0].why
    assert parse_consent_params(built.url) == {p.name: p.value for p in built.params}


def test_application_id_is_the_app_id_never_the_client_id():
    url = build_consent_url(profile(), "US", "s").url
    assert CLIENT_ID not in url
    assert dict(query(url))["application_id"] == APP_ID


def test_redirect_uri_with_its_own_query_is_encoded():
    p = profile(redirect_uris=(REDIRECT_Q,))
    built = build_consent_url(p, "UK", "s", redirect_uri=REDIRECT_Q)
    assert built.url.count("?") == 1 and " " not in built.url and "#" not in built.url
    assert dict(query(built.url))["redirect_uri"] == REDIRECT_Q
    assert lint_consent_url(built.url, app_state="draft", marketplace="UK", kind="seller",
                            registered_redirects=p.redirect_uris).ok


def test_no_redirect_uri_means_the_first_registered_one_and_says_so():
    built = build_consent_url(profile(), "US", "s")
    assert "redirect_uri" not in dict(query(built.url))
    assert built.redirect_uri is None
    assert any(REDIRECT in n and "first" in n for n in built.notes)


def test_unregistered_redirect_uri_is_refused_with_md5101():
    with pytest.raises(ConsentError) as info:
        build_consent_url(profile(), "US", "s", redirect_uri=REDIRECT + "/")
    assert "MD5101" in str(info.value) and REDIRECT in str(info.value)


def test_redirect_uri_with_fragment_is_refused_with_md5110():
    with pytest.raises(ConsentError, match="MD5110"):
        build_consent_url(profile(redirect_uris=(REDIRECT + "#x",)), "US", "s",
                          redirect_uri=REDIRECT + "#x")


def test_a_profile_with_a_client_id_as_app_id_cannot_build_a_url():
    bad = profile().with_(app_id=CLIENT_ID)
    with pytest.raises(ConsentError, match="MD1000"):
        build_consent_url(bad, "US", "s")


@pytest.mark.parametrize("state", ["", "   ", "a b", "a\nb", 'a"b', "a'b", "a\x00b"])
def test_state_must_be_a_clean_token(state):
    with pytest.raises(ConsentError) as info:
        build_consent_url(profile(), "US", state)
    assert "state" in str(info.value)


def test_unknown_marketplace_is_refused_listing_codes():
    with pytest.raises(UnknownMarketplaceError, match="DE"):
        build_consent_url(profile(), "XX", "s")


def test_marketplace_outside_the_apps_list_gets_an_md5100_note():
    built = build_consent_url(profile(marketplaces=("US", "CA")), "DE", "s")
    assert any("DE" in n and "MD5100" in n for n in built.notes)
    inside = build_consent_url(profile(marketplaces=("US", "DE")), "DE", "s")
    assert not any("MD5100" in n for n in inside.notes)


def test_host_note_names_portal_and_region():
    built = build_consent_url(profile(kind="vendor"), "JP", "s")
    assert built.notes[0].startswith("The host vendorcentral.amazon.co.jp is Vendor Central")
    assert "FE" in built.notes[0]


def test_as_json_has_the_cli_contract_keys():
    built = build_consent_url(profile("submitted"), "UK", "st", redirect_uri=REDIRECT)
    data = json.loads(json.dumps(built.as_json()))
    assert data["url"] == built.url
    assert (data["host"], data["region"], data["beta"], data["state"]) == (
        "sellercentral.amazon.co.uk", "EU", True, "st")
    assert data["redirect_uri"] == REDIRECT
    assert [p["name"] for p in data["params"]] == [p.name for p in built.params]


def test_built_urls_lint_clean_in_their_own_context():
    for state in ("draft", "submitted", "published"):
        for kind in ("seller", "vendor"):
            p = profile(state, kind=kind)
            built = build_consent_url(p, "IN", new_state(), redirect_uri=REDIRECT)
            result = lint_consent_url(built.url, app_state=state, marketplace="IN", kind=kind,
                                      registered_redirects=p.redirect_uris)
            assert result.ok, result.problems


# --- state ----------------------------------------------------------------------------------------

def test_new_state_is_url_safe_and_long():
    s = new_state()
    assert set(s) <= URL_SAFE
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    assert len(raw) * 8 >= 128
    assert len(s) >= 22


def test_new_state_comes_from_the_secrets_module(monkeypatch):
    seen = []

    def fake(nbytes=None):
        seen.append(nbytes)
        return "fixed-value"

    monkeypatch.setattr(consent_state.secrets, "token_urlsafe", fake)
    assert new_state() == "fixed-value"
    assert seen and seen[0] >= 16


def test_new_state_is_unique_over_many_draws():
    draws = [new_state() for _ in range(20000)]
    assert len(set(draws)) == len(draws)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", d) for d in draws[:200])


def test_new_state_builds_a_url_without_encoding_surprises():
    s = new_state()
    built = build_consent_url(profile(), "US", s)
    assert f"state={s}" in built.url


@pytest.mark.parametrize(("expected", "received", "result"), [
    ("abc", "abc", True),
    ("abc", "abd", False),
    ("abc", "ab", False),
    ("abc", "abcd", False),
    ("abc", None, False),
    ("abc", "", False),
    ("", "", False),
    ("\u00e9t\u00e9", "\u00e9t\u00e9", True),
])
def test_state_matches(expected, received, result):
    assert state_matches(expected, received) is result


def test_state_matches_uses_the_constant_time_compare(monkeypatch):
    calls = []
    real = consent_state.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(consent_state.hmac, "compare_digest", spy)
    assert state_matches("tok", "tok") is True
    assert state_matches("tok", "tOk") is False
    assert len(calls) == 2


def test_state_matches_decides_by_compare_digest_alone(monkeypatch):
    monkeypatch.setattr(consent_state.hmac, "compare_digest", lambda a, b: False)
    assert state_matches("same", "same") is False
