"""The consent-URL linter's decisions on its quieter paths, held (issue 14): which portal a
fix names, which host a URL is said to be on, a fragment and a second '?' told apart, the
parameter lists it names, an empty piece of a query, near misses of a registered redirect,
and a local redirect_uri with or without its scheme."""

from __future__ import annotations

import pytest

from oauth_wizard.consent.lint import _names, lint_consent_url
from oauth_wizard.consent.lint_values import _near_miss

APP = "amzn1.sp.solution.11111111-2222-3333-4444-555555555555"
STATE = "k3Jq9XvT2mWb8ZpR4sYc6NdF"
PATH = "/apps/authorize/consent"
TAIL = f"{PATH}?application_id={APP}&state={STATE}"


def problem(result, cause):
    (found,) = [f for f in result.problems if f.id == cause]
    return found


@pytest.mark.parametrize(("url", "cause", "says"), [
    ("https://" + TAIL, "malformed_consent_url", "no host"),  # https:///apps/...
    ("https://sandbox.sellingpartnerapi-eu.amazon.com" + TAIL, "wrong_portal_host",
     "SP-API endpoint"),
    ("https://sellingpartnerapi-eu.amazon.com" + TAIL, "wrong_portal_host", "SP-API endpoint"),
    ("https://www.amazon.de" + TAIL, "wrong_portal_host", "not a Seller Central"),
    ("https://example.com" + TAIL, "malformed_consent_url", "not an Amazon host"),
])
@pytest.mark.parametrize(("kind", "portal"), [(None, "https://sellercentral.amazon.de"),
                                              ("vendor", "https://vendorcentral.amazon.de")])
def test_a_url_on_no_portal_says_which_host_it_is_and_names_the_portal_to_use(
        url, cause, says, kind, portal):
    found = problem(lint_consent_url(url, marketplace="DE", kind=kind), cause)
    assert says in found.message
    assert found.fix.startswith(f"Use {portal} for DE")


def test_a_portal_of_another_region_names_the_right_one_of_the_same_kind():
    result = lint_consent_url("https://vendorcentral.amazon.com" + TAIL, marketplace="DE")
    found = problem(result, "wrong_portal_host")
    assert found.fix.startswith("Use https://vendorcentral.amazon.de for DE")


@pytest.mark.parametrize("portal", ["sellercentral", "vendorcentral"])
def test_a_portal_of_the_right_marketplace_is_its_own_when_no_kind_is_given(portal):
    result = lint_consent_url(f"https://{portal}.amazon.de" + TAIL, marketplace="DE")
    assert result.ok and not any("own" in n or "alternative" in n for n in result.notes)


def test_a_second_question_mark_after_the_fragment_is_no_second_query():
    result = lint_consent_url("https://sellercentral.amazon.de" + TAIL + "#part?x#y")
    fragment = problem(result, "redirect_uri_fragment")
    assert "(#part?x#y)" in fragment.message
    assert not any("second '?'" in f.message for f in result.problems)


def test_a_second_question_mark_is_shown_where_it_is():
    url = "https://sellercentral.amazon.de" + TAIL + "&redirect_uri=https://x.example/cb?a=1?b=2"
    found = [f for f in lint_consent_url(url).problems if "second '?'" in f.message]
    assert len(found) == 1 and found[0].message.startswith(
        "The URL has a second '?' after 'irect_uri=https://x.example/cb';")


@pytest.mark.parametrize(("names", "said"), [
    (["a"], "'a'"),
    (["a", "b"], "'a' and 'b'"),
    (["a", "b", "c"], "'a', 'b' and 'c'"),
    (list("abcde"), "'a', 'b', 'c', 'd' and 'e'"),
    (list("abcdef"), "'a', 'b', 'c', 'd', 'e' and 1 more"),
    (list("abcdefg"), "'a', 'b', 'c', 'd', 'e' and 2 more"),
])
def test_lists_of_names_read_as_a_sentence_and_stay_short(names, said):
    assert _names(names) == said


def test_a_repeated_generic_or_unknown_parameter_is_named_once():
    result = lint_consent_url("https://sellercentral.amazon.de" + TAIL
                              + "&scope=x&scope=y&foo=1&foo=2")
    assert any(n.startswith("'scope' is what a generic OAuth2 client adds") for n in result.notes)
    assert any(n.startswith("Unknown parameter 'foo';") for n in result.notes)


def test_an_empty_piece_of_the_query_does_not_end_it():
    result = lint_consent_url(f"https://sellercentral.amazon.de{PATH}?application_id={APP}&&"
                              f"state={STATE}&&version=beta", app_state="draft")
    assert result.ok
    assert not any(n.startswith("No state parameter") for n in result.notes)


def test_a_path_without_a_known_slip_is_said_plainly():
    found = problem(lint_consent_url(f"https://sellercentral.amazon.de/apps/x?application_id="
                                     f"{APP}&state={STATE}"), "malformed_consent_url")
    assert found.message == f"The path is '/apps/x'; the consent page is {PATH}."


@pytest.mark.parametrize(("uri", "said"), [
    ("https://x.example/cb/", "only by a trailing slash"),
    ("https://X.example/CB", "only in upper/lower case"),
    ("http://x.example/cb", "only in the scheme"),
    ("https://y.example/cb", ""),
    ("https://x.example/cb2", ""),
])
def test_a_near_miss_of_a_registered_redirect_says_what_differs(uri, said):
    got = _near_miss(uri, ("https://other.example/cb", "https://x.example/cb"))
    assert (said in got) if said else got == ""
    if said:
        assert "https://x.example/cb" in got


def test_a_registered_redirect_with_the_trailing_slash_is_a_near_miss_too():
    got = _near_miss("https://x.example/cb", ("https://x.example/cb/",))
    assert "only by a trailing slash" in got


@pytest.mark.parametrize("redirect", ["https://127.0.0.1:8080/cb", "localhost:8080/cb"])
def test_a_local_redirect_uri_is_warned_about_with_or_without_its_scheme(redirect):
    result = lint_consent_url("https://sellercentral.amazon.de" + TAIL
                              + f"&redirect_uri={redirect}")
    (warned,) = [w for w in result.warnings if w.id == "uri_not_https_or_localhost"]
    host = "127.0.0.1" if "127" in redirect else "localhost"
    assert host in warned.message


@pytest.mark.parametrize("url", ["", "  ", "https://[::1/x", "https://sellercentral.amazon.de"
                                 + TAIL])
def test_the_result_names_the_url_it_was_given(url):
    assert lint_consent_url(url).url == url


@pytest.mark.parametrize("url", [
    "sellercentral.amazon.de" + TAIL + "&redirect_uri=https://x.example/cb?y=1",
    "//sellercentral.amazon.de" + TAIL,
    "ftp://sellercentral.amazon.de" + TAIL,
])
def test_a_url_missing_or_misspelling_its_scheme_is_read_on_its_host(url):
    result = lint_consent_url(url, marketplace="DE")
    assert any("consent URLs are https" in f.message for f in result.problems)
    assert not any(f.id == "wrong_portal_host" or "host" in f.message for f in result.problems)


@pytest.mark.parametrize(("state", "shown"), [
    ("", "state= "), ("abc", "state 'abc' "), ("1" * 50, f"state '{'1' * 40}' ")])
def test_a_weak_state_is_quoted_short_or_said_to_be_empty(state, shown):
    result = lint_consent_url(f"https://sellercentral.amazon.de{PATH}?application_id={APP}"
                              f"&state={state}")
    (weak,) = [w for w in result.warnings if w.id == "state_mismatch"]
    assert weak.message.startswith(shown)


@pytest.mark.parametrize(("repeated", "named", "more"), [(5, 5, 0), (6, 5, 1), (8, 5, 3)])
def test_repeated_parameters_are_named_up_to_five_then_counted(repeated, named, more):
    extra = "".join(f"&p{i}=1&p{i}=2" for i in range(repeated))
    problems = lint_consent_url("https://sellercentral.amazon.de" + TAIL + extra).problems
    assert sum(" appears 2 times" in f.message for f in problems) == named
    counted = [f for f in problems if "more parameters appear" in f.message]
    assert [f.message.split()[0] for f in counted] == ([str(more)] if more else [])
