"""What the legs decide on their rarer paths, held so that a changed condition fails a test
(issue 14): what a pasted non-leg URL is said to be, the paste-back carrying the clock and the
consent portal, Amazon's own refusals, the next URL's spelling, and masked reprs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from oauth_wizard.authorize import legs
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.masking import mask_code
from oauth_wizard.core.records import PendingState

CONFIRM = "/apps/authorize/confirm/amzn1.sp.solution.abc"
CALLBACK = "https://sellercentral.amazon.com" + CONFIRM
CODE = "ANdNAVhyhqirUelHGEHA"
TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"


def pending(**extra: object) -> PendingState:
    return PendingState(new_state(), **extra)


def login(callback: str = CALLBACK, **extra: str) -> str:
    return urlencode({"amazon_callback_uri": callback, "amazon_state": "amz-st/1+2=3&x",
                      "selling_partner_id": "A3SELLER1", **extra})


# What a pasted URL that is neither leg is said to be ------------------------------------------

CONSENT, BACK, SIGN_IN, CUT, NEITHER = ("the consent URL itself", "sends the browser back",
                                        "sign-in page", "without its spapi_oauth_code",
                                        "neither leg")


@pytest.mark.parametrize(("url", "said"), [
    ("https://sellercentral.amazon.de/apps/authorize/consent", CONSENT),   # no application_id
    ("https://sellercentral.amazon.de/apps/authorize/consent/", CONSENT),  # a trailing slash
    ("https://dev.example.com/start?application_id=amzn1.sp.solution.x", CONSENT),
    ("https://dev.example.com/apps/authorize/consentx", NEITHER),
    (CALLBACK, BACK),                                              # no amazon_state, no state
    ("https://dev.example.com/next?amazon_state=a&state=b", BACK),  # not on the confirm path
    ("https://dev.example.com/next?amazon_state=a", NEITHER),
    ("https://dev.example.com/next?state=b", NEITHER),
    ("https://www.amazon.com/ap/signin", SIGN_IN),
    ("https://www.amazon.com/gp/signin", NEITHER),                  # Amazon, not /ap/
    ("https://dev.example.com/ap/signin", NEITHER),                 # /ap/, not Amazon
    ("https://dev.example.com/cb?state=abc&selling_partner_id=A3", CUT),
    ("https://dev.example.com/cb?selling_partner_id=A3", NEITHER),
])
def test_a_pasted_url_is_told_apart_from_the_legs(url, said):
    with pytest.raises(legs.NotALegUrl) as info:
        legs.classify_pasted(url)
    err = info.value
    others = {CONSENT, BACK, SIGN_IN, CUT, NEITHER} - {said}
    assert said in str(err) and not any(o in str(err) for o in others)
    address = url.split("?")[0]
    assert f"({address})" in str(err)  # the address without its query, so it can be checked
    assert err.fix and err.leg is None


@pytest.mark.parametrize("text", [
    "//dev.example.com/cb?state=abc&spapi_oauth_code=" + CODE,  # no scheme
    "https:/cb?state=abc&spapi_oauth_code=" + CODE,             # no host
])
def test_a_pasted_address_without_scheme_or_host_is_not_a_full_url(text):
    with pytest.raises(legs.NotALegUrl) as info:
        legs.classify_pasted(text)
    assert "not a full URL" in str(info.value) and CODE not in str(info.value)


def test_a_pasted_url_keeps_its_address_and_query_apart():
    query = "state=abc&spapi_oauth_code=" + CODE
    pasted = legs.classify_pasted(f"  https://dev.example.com/cb?{query}\n")
    assert (pasted.leg, pasted.address, pasted.query) == (
        "redirect", "https://dev.example.com/cb", query)


def test_a_pasted_url_damaged_inside_never_shows_the_code_before_the_damage():
    url = "https://dev.example.com/cb?state=abc&spapi_oauth_code=" + CODE + "&selling"
    with pytest.raises(legs.MalformedQuery) as info:
        legs.classify_pasted(url.replace("&selling", " &selling_partner_id=A1"))
    err = info.value
    assert CODE[:6] not in str(err) and err.fix


# The paste-back carries the clock and the portal ----------------------------------------------

def test_a_pasted_leg_is_checked_on_the_clock_it_is_given():
    old = pending(expires_at=10)
    with pytest.raises(legs.StateExpired):
        legs.check_pasted("https://dev.example.com/login?" + login(), old, now=11)
    with pytest.raises(legs.StateExpired):
        legs.check_pasted(f"https://dev.example.com/cb?state={old.state}"
                          f"&selling_partner_id=A1&spapi_oauth_code={CODE}", old, now=11)
    assert not old.used
    leg = legs.check_pasted("https://dev.example.com/login?" + login(), old, now=9)
    assert isinstance(leg, legs.LoginLeg)


def test_a_pasted_login_leg_with_a_relative_callback_resolves_on_the_consent_portal():
    leg = legs.check_pasted("https://dev.example.com/login?" + login(CONFIRM), pending(),
                            consent_base="https://sellercentral.amazon.co.uk", now=0)
    assert leg.next_url.startswith("https://sellercentral.amazon.co.uk" + CONFIRM + "?")
    assert leg.portal is not None and leg.portal.region == "EU"


def test_a_relative_callback_without_the_consent_portal_is_refused():
    with pytest.raises(legs.CallbackRefused):
        legs.check_pasted("https://dev.example.com/login?" + login(CONFIRM), pending(), now=0)


# Amazon's own refusal, the next URL, reprs -----------------------------------------------------

def test_amazons_refusal_says_what_to_do_by_its_cause():
    denied = legs.AmazonRefused("access_denied", "The user denied")
    other = legs.AmazonRefused("invalid_scope", None)
    assert (denied.leg, other.leg) == ("redirect", "redirect")
    assert (denied.cause, other.cause) == ("consent_denied", None)
    assert denied.fix and other.fix and denied.fix != other.fix
    assert "diagnose" in other.fix and "diagnose" not in denied.fix
    assert "(The user denied)" in str(denied) and "'invalid_scope' instead" in str(other)
    assert (other.error, other.description) == ("invalid_scope", None)


def test_the_next_url_encodes_amazon_state_fully_and_leaves_the_callbacks_own_query():
    query = "keep=a%2Fb&flag&state="  # a bare flag, and a blank state of the callback's own
    leg = legs.check_login_leg(login(CALLBACK + "?" + query), pending(), now=0)
    raw = urlsplit(leg.next_url).query
    assert raw.startswith("keep=a%2Fb&flag&")
    assert "amazon_state=amz-st%2F1%2B2%3D3%26x" in raw
    assert parse_qs(raw, keep_blank_values=True)["state"] == [leg_state(leg.next_url)]


def leg_state(url: str) -> str:
    (state,) = parse_qs(urlsplit(url).query, keep_blank_values=True)["state"]
    assert state
    return state


def test_a_redirect_legs_repr_masks_the_mws_token_and_says_when_there_is_none():
    with_token = legs.RedirectLeg(CODE, "A1", TOKEN)
    without = legs.RedirectLeg(CODE, "A1")
    assert TOKEN not in repr(with_token) and mask_code(TOKEN) in repr(with_token)
    assert "mws_auth_token=None" in repr(without)
    assert str(with_token) == repr(with_token)


# Each refusal of the Login leg is the Login leg's, with a fix --------------------------------

@pytest.mark.parametrize("drop", ["amazon_callback_uri", "amazon_state", "selling_partner_id"])
def test_a_login_leg_missing_a_parameter_names_the_leg_the_cause_and_a_fix(drop):
    query = urlencode({k: v for k, v in parse_qs(login()).items() if k != drop}, doseq=True)
    with pytest.raises(legs.MissingParameter) as info:
        legs.check_login_leg(query, pending(), now=0)
    err = info.value
    assert (err.leg, err.cause) == ("login", "login_uri_not_handled")
    assert err.fix and "Login leg" in str(err)


def test_a_repeated_or_expired_login_leg_is_the_login_legs_refusal():
    with pytest.raises(legs.MalformedQuery) as repeated:
        legs.check_login_leg(login() + "&amazon_state=again", pending(), now=0)
    assert repeated.value.leg == "login"
    with pytest.raises(legs.StateExpired) as expired:
        legs.check_login_leg(login(), pending(expires_at=5), now=6)
    assert (expired.value.leg, expired.value.cause) == ("login", "state_expired")


def test_a_relative_callback_resolves_on_a_consent_portal_written_with_a_slash():
    leg = legs.check_login_leg(login(CONFIRM), pending(),
                               consent_base="https://sellercentral.amazon.co.uk/", now=0)
    assert leg.next_url.startswith("https://sellercentral.amazon.co.uk" + CONFIRM + "?")


def test_a_simulator_named_by_host_name_is_matched_whatever_the_case():
    base = "http://localhost:8400"
    portal, simulated = legs.check_callback_uri(
        "http://LocalHost:8400/sellercentral.amazon.com" + CONFIRM, base)
    assert simulated and portal is not None and portal.region == "NA"
    portal, simulated = legs.check_callback_uri(base + CONFIRM, base)
    assert simulated and portal is None


# The Redirect leg's refusals keep Amazon's words, bounded, and always say what to do ----------

@pytest.mark.parametrize("drop", ["spapi_oauth_code", "selling_partner_id"])
def test_a_redirect_leg_missing_a_parameter_says_what_to_do(drop):
    attempt = pending()
    params = {"state": attempt.state, "selling_partner_id": "A1", "spapi_oauth_code": CODE}
    del params[drop]
    with pytest.raises(legs.MissingParameter) as info:
        legs.check_redirect_leg(urlencode(params), attempt, now=0)
    assert info.value.fix and info.value.leg == "redirect" and not attempt.used


def test_amazons_error_is_kept_bounded_and_an_empty_one_is_named():
    attempt = pending()
    with pytest.raises(legs.AmazonRefused) as long:
        legs.check_redirect_leg(urlencode({"state": attempt.state, "error": "e" * 300,
                                           "error_description": "d" * 600}), attempt, now=0)
    assert long.value.error == "e" * 200 and long.value.description == "d" * 500
    with pytest.raises(legs.AmazonRefused) as empty:
        legs.check_redirect_leg(urlencode({"state": attempt.state, "error": ""}), attempt, now=0)
    assert empty.value.error == "(empty)" and empty.value.description is None


def test_a_leg_value_may_be_4096_characters_and_no_more():
    attempt = pending()
    long_id = "A" * 4096
    leg = legs.check_redirect_leg(urlencode({"state": attempt.state, "spapi_oauth_code": CODE,
                                             "selling_partner_id": long_id}), attempt, now=0)
    assert leg.selling_partner_id == long_id
    again = pending()
    with pytest.raises(legs.MalformedQuery) as info:
        legs.check_redirect_leg(urlencode({"state": again.state, "spapi_oauth_code": CODE,
                                           "selling_partner_id": long_id + "A"}), again, now=0)
    assert info.value.fix and info.value.leg == "redirect"


def test_a_query_pasted_with_its_question_mark_reads_the_same():
    attempt = pending()
    query = urlencode({"state": attempt.state, "selling_partner_id": "A1",
                       "spapi_oauth_code": CODE})
    assert legs.parse_query("?" + query) == legs.parse_query(query)
    assert legs.check_redirect_leg("?" + query, attempt, now=0).code == CODE
