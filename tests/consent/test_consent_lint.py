"""lint_consent_url: every rule, each with a realistic broken URL.

Each case checks the cause id, that the message points at where the problem is, and that the
fix is non-empty. Ids must come from diagnosis.md's catalogue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from oauth_wizard.consent.url import lint_consent_url
from oauth_wizard.core.marketplaces import UnknownMarketplaceError

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
OLD_APP_ID = "amzn1.sellerapps.app.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
DE = "https://sellercentral.amazon.de/apps/authorize/consent"
REDIRECT = "https://spapi-dev.example.com/cb"
REDIRECT_ENC = "https%3A%2F%2Fspapi-dev.example.com%2Fcb"
GOOD = f"{DE}?application_id={APP_ID}&state=s1&version=beta"

# Section A of diagnosis.md (consent page causes), copied as the independent list.
CATALOGUE = {
    "beta_missing_for_draft", "beta_on_published_app", "client_id_as_application_id",
    "malformed_consent_url", "wrong_portal_host", "redirect_uri_not_registered",
    "redirect_uri_fragment", "oauth_uris_missing", "login_uri_not_handled",
    "marketplace_not_in_app", "hybrid_region_dev_id_missing", "mws_only_app", "mws_retired",
    "not_primary_user", "user_lacks_permission", "app_edit_pending", "app_not_published",
    "app_roles_not_configured", "listing_disallowed_html", "account_dormant",
    "authorization_limit_reached", "amazon_side_issue",
}
DIAGNOSIS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "diagnosis.md"


def lint(url, app_state="draft", marketplace="DE", kind="seller", registered=(REDIRECT,)):
    result = lint_consent_url(url, app_state=app_state, marketplace=marketplace, kind=kind,
                              registered_redirects=registered)
    for f in result.problems:
        assert f.id in CATALOGUE, f.id
        assert f.message.strip() and f.fix.strip(), f
    return result


def find(result, cause, *words):
    """The one finding with ``cause`` whose message contains every word."""
    hits = [f for f in result.problems if f.id == cause and all(w in f.message for w in words)]
    assert hits, (cause, words, result.problems)
    return hits[0]


def test_good_url_is_ok():
    result = lint(GOOD)
    assert result.ok and result.problems == ()
    assert result.as_json()["ok"] is True


def test_good_url_with_redirect_is_ok():
    assert lint(f"{GOOD}&redirect_uri={REDIRECT_ENC}").ok


def test_old_style_app_id_is_fine():
    assert lint(f"{DE}?application_id={OLD_APP_ID}&state=s1&version=beta").ok


def test_as_json_shape():
    data = json.loads(json.dumps(lint(f"{DE}?application_id={CLIENT_ID}&state=s").as_json()))
    assert data["ok"] is False
    assert all(set(p) == {"id", "message", "fix"} for p in data["problems"])
    assert "notes" in data


def test_the_ids_used_are_in_the_shared_catalogue_when_present():
    if not DIAGNOSIS.exists():
        pytest.skip("shared reference not next to this checkout")
    ids = set(re.findall(r"^\| `([a-z0-9_]+)` \|", DIAGNOSIS.read_text("utf-8"), re.M))
    assert CATALOGUE <= ids


# --- client_id_as_application_id -----------------------------------------------------------------

def test_client_id_in_application_id():
    result = lint(f"{DE}?application_id={CLIENT_ID}&state=s1&version=beta")
    assert result.ids() == ["client_id_as_application_id"]
    f = find(result, "client_id_as_application_id", "application_id", "client ID", "MD1000")
    assert "amzn1.sp.solution" in f.fix


def test_client_id_in_application_id_with_spaces_is_still_recognised():
    result = lint(f"{DE}?application_id=%20{CLIENT_ID}&state=s1&version=beta")
    find(result, "client_id_as_application_id", "client ID")


def test_missing_application_id():
    result = lint(f"{DE}?state=s1&version=beta")
    assert result.ids() == ["client_id_as_application_id"]
    find(result, "client_id_as_application_id", "no application_id", "MD1000")


def test_empty_application_id():
    result = lint(f"{DE}?application_id=&state=s1&version=beta")
    assert result.ids() == ["client_id_as_application_id"]


def test_client_id_parameter_instead_of_application_id():
    result = lint(f"{DE}?client_id={CLIENT_ID}&state=s1&version=beta")
    assert set(result.ids()) == {"client_id_as_application_id"}
    find(result, "client_id_as_application_id", "client_id parameter")
    find(result, "client_id_as_application_id", "no application_id")


def test_no_query_at_all():
    result = lint(DE)
    assert "client_id_as_application_id" in result.ids()
    assert "beta_missing_for_draft" in result.ids()


def test_uuid_only_application_id_is_malformed_and_says_prefix():
    result = lint(f"{DE}?application_id={APP_ID.removeprefix('amzn1.sp.solution.')}&version=beta")
    find(result, "malformed_consent_url", "application_id", "prefix")


# --- malformed_consent_url -----------------------------------------------------------------------

def test_second_question_mark():
    result = lint(f"{DE}?application_id={APP_ID}?state=s1&version=beta")
    f = find(result, "malformed_consent_url", "second '?'")
    assert APP_ID[-20:] in f.message, "the message shows the text just before the second '?'"
    assert "&" in f.fix


def test_unencoded_redirect_uri_with_its_own_query():
    result = lint(f"{GOOD}&redirect_uri={REDIRECT}?x=1")
    find(result, "malformed_consent_url", "second '?'")
    assert "%3F" in find(result, "malformed_consent_url", "second '?'").fix


def test_whitespace_inside_a_value():
    result = lint(f"{DE}?application_id={APP_ID}&state=ab cd&version=beta")
    f = find(result, "malformed_consent_url", "a space", "state=ab")
    assert "%20" in f.fix
    find(result, "malformed_consent_url", "value of state")


def test_line_break_inside_the_url():
    result = lint(f"{DE}?application_id={APP_ID[:20]}\n{APP_ID[20:]}&state=s1&version=beta")
    find(result, "malformed_consent_url", "a line break", APP_ID[:20])


def test_raw_quotes_around_a_value():
    result = lint(f'{DE}?application_id="{APP_ID}"&state=s1&version=beta')
    find(result, "malformed_consent_url", "a quote", "application_id=")
    find(result, "malformed_consent_url", "value of application_id", "quote")


def test_percent_encoded_quotes_around_a_value():
    result = lint(f"{DE}?application_id=%22{APP_ID}%22&state=s1&version=beta")
    assert result.ids() == ["malformed_consent_url"]
    f = find(result, "malformed_consent_url", "value of application_id", "quote")
    assert "application_id" in f.fix


def test_duplicated_parameter():
    result = lint(f"{GOOD}&state=s2")
    assert result.ids() == ["malformed_consent_url"]
    f = find(result, "malformed_consent_url", "state appears 2 times")
    assert "single state" in f.fix


@pytest.mark.parametrize(("path", "hint"), [
    ("/apps/authorize/consent/", "trailing slash"),
    ("/apps/authorize/confirm/" + APP_ID, "Login-leg"),
    ("/apps/authorize", ""),
    ("/", ""),
    ("", ""),
])
def test_wrong_path(path, hint):
    url = f"https://sellercentral.amazon.de{path}?application_id={APP_ID}&state=s1&version=beta"
    result = lint(url)
    assert result.ids() == ["malformed_consent_url"]
    f = find(result, "malformed_consent_url", "path", "/apps/authorize/consent", hint)
    assert repr(path or "/") in f.message
    assert "/apps/authorize/consent" in f.fix


def test_http_scheme():
    result = lint(GOOD.replace("https://", "http://"))
    assert result.ids() == ["malformed_consent_url"]
    f = find(result, "malformed_consent_url", "http")
    assert "https://" in f.fix


def test_no_scheme_is_named_and_the_host_still_checked():
    result = lint(GOOD.removeprefix("https://"))
    assert result.ids() == ["malformed_consent_url"]
    find(result, "malformed_consent_url", "no scheme")
    assert not any("no host" in f.message for f in result.problems)


def test_no_scheme_on_the_wrong_host_is_still_the_wrong_host():
    result = lint(GOOD.removeprefix("https://").replace(".de/", ".com/"))
    assert set(result.ids()) == {"malformed_consent_url", "wrong_portal_host"}


def test_unknown_host():
    result = lint(GOOD.replace("sellercentral.amazon.de", "spapi-dev.example.com"))
    assert result.ids() == ["malformed_consent_url"]
    f = find(result, "malformed_consent_url", "spapi-dev.example.com", "not an Amazon host")
    assert "https://sellercentral.amazon.de" in f.fix


def test_unknown_host_without_marketplace_gives_a_general_fix():
    result = lint_consent_url(GOOD.replace("sellercentral.amazon.de", "example.org"))
    f = find(result, "malformed_consent_url", "example.org")
    assert "oauth-wizard url" in f.fix


@pytest.mark.parametrize("value", ["Beta", "BETA", "true", "1", "beta%20"])
def test_version_other_than_beta(value):
    result = lint(f"{DE}?application_id={APP_ID}&state=s1&version={value}")
    f = find(result, "malformed_consent_url", "version=", "version=beta")
    assert "beta" in f.fix


def test_parameter_without_equals_sign():
    result = lint(f"{DE}?application_id={APP_ID}&state=s1&version")
    f = find(result, "malformed_consent_url", "'version'", "no '='")
    assert "version=value" in f.fix
    assert len([x for x in result.problems if "version" in x.message]) <= 2
    assert "beta_missing_for_draft" in result.ids(), "a bare 'version' is not version=beta"


@pytest.mark.parametrize("name", ["Application_Id", "STATE", "Version"])
def test_capitalised_parameter_name(name):
    value = {"Application_Id": APP_ID, "STATE": "s1", "Version": "beta"}[name]
    query = f"application_id={APP_ID}&state=s1&version=beta".replace(
        f"{name.lower()}={value}", f"{name}={value}")
    result = lint(f"{DE}?{query}")
    f = find(result, "malformed_consent_url", repr(name), "capitals")
    assert name.lower() in f.fix


def test_login_leg_url_pasted():
    url = ("https://spapi-dev.example.com/login?amazon_callback_uri=https%3A%2F%2Fsellercentral."
           f"amazon.com%2Fapps%2Fauthorize%2Fconfirm%2F{APP_ID}&amazon_state=xyz&version=beta"
           "&selling_partner_id=A3FHEXAMPLE")
    result = lint(url)
    f = find(result, "malformed_consent_url", "amazon_callback_uri", "Login or Redirect leg")
    assert "apps/authorize/consent" in f.fix


def test_amazon_callback_url_pasted():
    url = (f"https://sellercentral.amazon.de/apps/authorize/confirm/{APP_ID}?amazon_state=xyz"
           "&state=s1&version=beta")
    result = lint(url)
    find(result, "malformed_consent_url", "Login-leg")
    find(result, "malformed_consent_url", "amazon_state")


def test_redirect_leg_url_pasted():
    url = f"{REDIRECT}?state=s1&selling_partner_id=A3FHEXAMPLE&spapi_oauth_code=ANxyz"
    result = lint(url)
    find(result, "malformed_consent_url", "spapi_oauth_code")


@pytest.mark.parametrize("junk", ["", "   ", '""', "\n"])
def test_empty_url(junk):
    result = lint(junk)
    assert result.ids() == ["malformed_consent_url"]
    find(result, "malformed_consent_url", "empty")


def test_pasted_with_quotes_and_brackets_around_is_fine_with_a_note():
    result = lint(f' "<{GOOD}>"\n')
    assert result.ok
    assert any("Ignored" in n for n in result.notes)


def test_unknown_extra_parameter_is_a_note_not_a_problem():
    result = lint(f"{GOOD}&utm_source=mail")
    assert result.ok
    assert any("'utm_source'" in n for n in result.notes)


def test_missing_state_is_a_note():
    result = lint(f"{DE}?application_id={APP_ID}&version=beta")
    assert result.ok
    assert any("CSRF" in n for n in result.notes)


# --- beta ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_beta_missing_for_draft_and_submitted(state):
    result = lint(f"{DE}?application_id={APP_ID}&state=s1", app_state=state)
    assert result.ids() == ["beta_missing_for_draft"]
    f = find(result, "beta_missing_for_draft", state, "version=beta", "MD1000")
    assert "version=beta" in f.fix


def test_beta_on_published_app():
    result = lint(GOOD, app_state="published")
    assert result.ids() == ["beta_on_published_app"]
    f = find(result, "beta_on_published_app", "Published", "version=beta")
    assert "Remove" in f.fix


def test_published_without_beta_is_ok():
    assert lint(f"{DE}?application_id={APP_ID}&state=s1", app_state="published").ok


def test_app_state_is_read_case_insensitively():
    result = lint(f"{DE}?application_id={APP_ID}&state=s1", app_state="Draft")
    assert result.ids() == ["beta_missing_for_draft"]


def test_unknown_app_state_means_beta_is_not_judged_but_said():
    for url in (GOOD, f"{DE}?application_id={APP_ID}&state=s1"):
        result = lint(url, app_state=None)
        assert result.ok
        assert any("--app-state" in n for n in result.notes)


# --- wrong_portal_host ---------------------------------------------------------------------------

@pytest.mark.parametrize(("host", "market", "words"), [
    ("sellercentral.amazon.com", "DE", ["sellercentral.amazon.com", "NA", "EU"]),
    ("sellercentral.amazon.co.jp", "UK", ["sellercentral.amazon.co.jp", "FE", "EU"]),
    ("sellercentral.amazon.de", "US", ["sellercentral.amazon.de", "EU", "NA"]),
    ("sellercentral-europe.amazon.com", "AU", ["sellercentral-europe.amazon.com", "FE"]),
])
def test_host_of_another_region(host, market, words):
    result = lint(GOOD.replace("sellercentral.amazon.de", host), marketplace=market)
    assert result.ids() == ["wrong_portal_host"]
    f = find(result, "wrong_portal_host", *words)
    from oauth_wizard.core.marketplaces import lookup
    assert lookup(market).seller_central.url in f.fix


def test_vendor_host_for_a_seller_app():
    result = lint(GOOD.replace("sellercentral.amazon.de", "vendorcentral.amazon.de"))
    assert result.ids() == ["wrong_portal_host"]
    f = find(result, "wrong_portal_host", "vendorcentral.amazon.de", "Vendor Central", "seller app")
    assert "https://sellercentral.amazon.de" in f.fix
    assert not any("works" in n for n in result.notes), "no reassurance next to a problem"


def test_seller_host_for_a_vendor_app():
    result = lint(GOOD, kind="vendor")
    assert result.ids() == ["wrong_portal_host"]
    f = find(result, "wrong_portal_host", "Seller Central", "vendor app")
    assert "https://vendorcentral.amazon.de" in f.fix


def test_seller_host_for_a_vendor_app_without_marketplace():
    result = lint_consent_url(GOOD, app_state="draft", kind="vendor")
    find(result, "wrong_portal_host", "vendor app")


@pytest.mark.parametrize("host", [
    "sellingpartnerapi-na.amazon.com", "sellingpartnerapi-eu.amazon.com", "amazon.com",
    "www.amazon.de", "api.amazon.com",
])
def test_amazon_hosts_that_are_no_portal(host):
    result = lint(GOOD.replace("sellercentral.amazon.de", host))
    assert result.ids() == ["wrong_portal_host"]
    f = find(result, "wrong_portal_host", host)
    assert "https://sellercentral.amazon.de" in f.fix


def test_sp_api_endpoint_is_called_what_it_is():
    result = lint(GOOD.replace("sellercentral.amazon.de", "sellingpartnerapi-eu.amazon.com"))
    find(result, "wrong_portal_host", "SP-API endpoint")


@pytest.mark.parametrize(("host", "market", "kind"), [
    ("sellercentral-europe.amazon.com", "DE", "seller"),
    ("sellercentral-europe.amazon.com", "UK", "seller"),
    ("sellercentral.amazon.com.sg", "SG", "seller"),
    ("vendorcentral.amazon.in", "IN", "vendor"),
    ("sellercentral.amazon.com.sa", "SA", "seller"),
    ("sellercentral-japan.amazon.com", "JP", "seller"),
])
def test_accepted_alternative_host_of_the_same_region_is_fine(host, market, kind):
    result = lint(GOOD.replace("sellercentral.amazon.de", host), marketplace=market, kind=kind)
    assert result.ok, result.problems
    assert any(host in n and "alternative" in n for n in result.notes)


def test_an_uncertain_alternative_host_is_said_to_be_uncertain():
    jp = lint(GOOD.replace("sellercentral.amazon.de", "sellercentral-japan.amazon.com"),
              marketplace="JP")
    assert any(n.startswith("Uncertain alternative host for JP") for n in jp.notes), jp.notes
    de = lint(GOOD.replace("sellercentral.amazon.de", "sellercentral-europe.amazon.com"))
    assert not any("Uncertain" in n for n in de.notes), de.notes


def test_another_marketplaces_host_in_the_same_region_works_with_a_note():
    result = lint(GOOD.replace("sellercentral.amazon.de", "sellercentral.amazon.fr"))
    assert result.ok
    assert any("sellercentral.amazon.de" in n and "regional" in n for n in result.notes)


def test_uncertain_host_gets_a_note():
    url = GOOD.replace("sellercentral.amazon.de", "sellercentral.amazon.ie")
    result = lint(url, marketplace="IE")
    assert result.ok
    assert any("Uncertain" in n for n in result.notes)


def test_without_marketplace_any_portal_host_is_accepted():
    url = GOOD.replace("sellercentral.amazon.de", "sellercentral.amazon.co.jp")
    assert lint_consent_url(url, app_state="draft").ok


def test_unknown_marketplace_context_is_refused_not_guessed():
    with pytest.raises(UnknownMarketplaceError):
        lint_consent_url(GOOD, marketplace="XX")


# --- redirect_uri_fragment -----------------------------------------------------------------------

def test_encoded_fragment_in_redirect_uri():
    result = lint(f"{GOOD}&redirect_uri={REDIRECT_ENC}%23done", registered=())
    assert result.ids() == ["redirect_uri_fragment"]
    f = find(result, "redirect_uri_fragment", "redirect_uri", "#done", "MD5110")
    assert "#" in f.fix


def test_raw_fragment_in_the_url():
    url = f"{DE}?application_id={APP_ID}&state=s1&redirect_uri={REDIRECT}#done&version=beta"
    result = lint(url)
    f = find(result, "redirect_uri_fragment", "#done")
    assert "Remove" in f.fix
    assert "beta_missing_for_draft" in result.ids(), "version=beta after the '#' never arrives"


# --- redirect_uri_not_registered -----------------------------------------------------------------

@pytest.mark.parametrize(("given", "words"), [
    (REDIRECT + "/", ["trailing slash"]),
    (REDIRECT.replace("spapi-dev", "SPAPI-dev"), ["upper/lower case"]),
    ("https://other.example.com/cb", ["not exactly one of the registered", REDIRECT]),
])
def test_redirect_uri_not_registered(given, words):
    result = lint(f"{GOOD}&redirect_uri={given}")
    assert result.ids() == ["redirect_uri_not_registered"]
    f = find(result, "redirect_uri_not_registered", given, "MD5101", *words)
    assert "register" in f.fix


def test_http_redirect_uri_cannot_be_registered():
    given = REDIRECT.replace("https", "http")
    result = lint(f"{GOOD}&redirect_uri={given}")
    assert result.ids() == ["redirect_uri_not_registered"]
    find(result, "redirect_uri_not_registered", given, "not https", "MD5101")


def test_registered_redirect_uri_matches_exactly():
    registered = ("https://x.example/a", REDIRECT)
    assert lint(f"{GOOD}&redirect_uri={REDIRECT_ENC}", registered=registered).ok


def test_redirect_uri_unchecked_without_the_registered_list():
    assert lint(f"{GOOD}&redirect_uri=https://anything.example/x", registered=()).ok


def test_no_redirect_uri_notes_the_first_registered_one():
    result = lint(GOOD, registered=(REDIRECT, "https://x.example/a"))
    assert any(REDIRECT in n and "first" in n for n in result.notes)


# --- several problems at once ---------------------------------------------------------------------

def test_a_thoroughly_broken_url_names_every_problem():
    url = (f'http://sellercentral.amazon.com/apps/authorize/consent/?application_id={CLIENT_ID}'
           f'&state=a b&state=c&redirect_uri={REDIRECT}/%23x')
    result = lint(url, app_state="submitted", marketplace="DE")
    assert set(result.ids()) == {
        "malformed_consent_url", "client_id_as_application_id", "beta_missing_for_draft",
        "wrong_portal_host", "redirect_uri_fragment", "redirect_uri_not_registered",
    }
