"""The Login and Redirect legs as pure checks: the same rules for the listener and paste-back."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from oauth_wizard.authorize import legs
from oauth_wizard.authorize.legs import (
    AmazonRefused,
    CallbackRefused,
    LoginLeg,
    MalformedQuery,
    MissingParameter,
    NotALegUrl,
    RedirectLeg,
    StateAlreadyUsed,
    StateExpired,
    StateMismatch,
    StateMissing,
)
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.masking import mask_code
from oauth_wizard.core.records import PendingState

CALLBACK = "https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.abc"
CODE = "ANdNAVhyhqirUelHGEHA"
SIM = "http://127.0.0.1:8400"


def login_query(**overrides: str | None) -> str:
    params = {"amazon_callback_uri": CALLBACK, "amazon_state": "amz-st/1+2=3&x",
              "selling_partner_id": "A3SELLER1"}
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v is not None})


def redirect_query(state: str | None, **overrides: str | None) -> str:
    params = {"state": state, "selling_partner_id": "A3SELLER1", "spapi_oauth_code": CODE}
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v is not None})


@pytest.fixture
def pending() -> PendingState:
    return PendingState(new_state())


def next_params(leg: LoginLeg) -> dict[str, list[str]]:
    return parse_qs(urlsplit(leg.next_url).query, keep_blank_values=True)


# Login leg ------------------------------------------------------------------------------------

def test_login_leg_sends_browser_back_with_amazon_state_unchanged_and_our_state(pending):
    leg = legs.check_login_leg(login_query(), pending)
    assert leg.next_url.startswith(CALLBACK + "?")
    assert next_params(leg) == {"amazon_state": ["amz-st/1+2=3&x"], "state": [pending.state]}
    assert leg.selling_partner_id == "A3SELLER1"
    assert (leg.portal.kind, leg.portal.region) == ("seller", "NA")
    assert not leg.beta and not leg.simulated


def test_login_leg_passes_chosen_redirect_uri_and_beta_exactly_when_it_came(pending):
    pending.redirect_uri = "https://dev.example.com/cb"
    with_beta = legs.check_login_leg(login_query(version="beta"), pending)
    assert next_params(with_beta)["redirect_uri"] == ["https://dev.example.com/cb"]
    assert next_params(with_beta)["version"] == ["beta"] and with_beta.beta
    without = legs.check_login_leg(login_query(), pending)
    assert "version" not in next_params(without)


def test_login_leg_keeps_the_callbacks_own_query_and_drops_clashing_keys(pending):
    callback = CALLBACK + "?foo=a%20b&state=evil&bar"
    leg = legs.check_login_leg(login_query(amazon_callback_uri=callback), pending)
    assert leg.next_url.startswith(CALLBACK + "?foo=a%20b&bar&")
    params = next_params(leg)
    assert params["state"] == [pending.state] and params["foo"] == ["a b"]


def test_vendor_central_callback_is_recognised(pending):
    callback = "https://vendorcentral.amazon.de/apps/authorize/confirm/amzn1.sp.solution.abc"
    leg = legs.check_login_leg(login_query(amazon_callback_uri=callback), pending)
    assert (leg.portal.kind, leg.portal.region) == ("vendor", "EU")


@pytest.mark.parametrize("callback", [
    "http://sellercentral.amazon.com/apps/authorize/confirm/x",
    "https://evil.example/apps/authorize/confirm/x",
    "https://sellercentral.amazon.com.evil.example/apps/authorize/confirm/x",
    "https://sellercentral-amazon.com/apps/authorize/confirm/x",
    "https://evil.example\\@sellercentral.amazon.com/apps/authorize/confirm/x",
    "https://me@sellercentral.amazon.com/apps/authorize/confirm/x",
    "https://sellercentral.amazon.com:8443/apps/authorize/confirm/x",
    "https://sellercentral.amazon.com/apps/authorize/confirm/",
    "https://sellercentral.amazon.com/logout?next=https://evil.example",
    "https://sellercentral.amazon.com/apps/authorize/confirm/x#frag",
    "//evil.example/apps/authorize/confirm/x",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/apps/authorize/confirm/x",
    "http://127.0.0.1:8400/sellercentral.amazon.com/apps/authorize/confirm/x",
])
def test_open_redirect_attempts_are_refused(pending, callback):
    with pytest.raises(CallbackRefused) as caught:
        legs.check_login_leg(login_query(amazon_callback_uri=callback), pending)
    assert caught.value.cause == "callback_uri_refused"
    assert "open-redirect" in str(caught.value)


@pytest.mark.parametrize("missing", ["amazon_callback_uri", "amazon_state", "selling_partner_id"])
def test_login_leg_needs_its_three_parameters(pending, missing):
    with pytest.raises(MissingParameter) as caught:
        legs.check_login_leg(login_query(**{missing: None}), pending)
    assert missing in str(caught.value)
    assert caught.value.cause == "login_uri_not_handled"


def test_login_leg_refuses_unknown_version_and_repeated_parameters(pending):
    with pytest.raises(MalformedQuery, match="version"):
        legs.check_login_leg(login_query(version="2"), pending)
    with pytest.raises(MalformedQuery, match="more than once"):
        legs.check_login_leg(login_query() + "&amazon_callback_uri=" + quote(CALLBACK), pending)


def test_simulator_callbacks_are_accepted_only_under_the_configured_base(pending):
    sim_cb = f"{SIM}/sellercentral.amazon.de/apps/authorize/confirm/amzn1.sp.solution.abc"
    leg = legs.check_login_leg(login_query(amazon_callback_uri=sim_cb), pending,
                               simulator_portal_base=SIM + "/")
    assert leg.simulated and leg.portal.region == "EU"
    assert leg.next_url.startswith(sim_cb + "?")
    for other_base in ("http://127.0.0.1:8401", "https://127.0.0.1:8400", f"{SIM}/sim"):
        with pytest.raises(CallbackRefused):
            legs.check_login_leg(login_query(amazon_callback_uri=sim_cb), pending,
                                 simulator_portal_base=other_base)
    prefix_trick = f"{SIM}/simulator/apps/authorize/confirm/x"
    with pytest.raises(CallbackRefused):
        legs.check_login_leg(login_query(amazon_callback_uri=prefix_trick), pending,
                             simulator_portal_base=f"{SIM}/sim")


def test_expired_attempt_is_refused_in_both_legs():
    pending = PendingState(new_state(), expires_at=1000.0)
    with pytest.raises(StateExpired):
        legs.check_login_leg(login_query(), pending, now=1000.0)
    with pytest.raises(StateExpired):
        legs.check_redirect_leg(redirect_query(pending.state), pending, now=1001.0)
    assert legs.check_redirect_leg(redirect_query(pending.state), pending, now=999.0)


# Redirect leg ---------------------------------------------------------------------------------

def test_redirect_leg_yields_the_code_once(pending):
    leg = legs.check_redirect_leg(redirect_query(pending.state, mws_auth_token="amzn.mws.1"),
                                  pending)
    assert (leg.code, leg.selling_partner_id, leg.mws_auth_token) == (CODE, "A3SELLER1",
                                                                      "amzn.mws.1")
    assert pending.used
    with pytest.raises(StateAlreadyUsed) as caught:
        legs.check_redirect_leg(redirect_query(pending.state), pending)
    assert "only once" in str(caught.value)


def test_wrong_state_is_refused_and_does_not_spend_the_attempt(pending):
    with pytest.raises(StateMismatch) as caught:
        legs.check_redirect_leg(redirect_query(new_state()), pending)
    assert caught.value.cause == "state_mismatch" and not pending.used
    assert legs.check_redirect_leg(redirect_query(pending.state), pending).code == CODE


@pytest.mark.parametrize(("state", "said"), [(None, "has no 'state'"),
                                             ("", "has an empty 'state'")])
def test_missing_state_points_at_the_login_uri_page(pending, state, said):
    with pytest.raises(StateMissing) as caught:
        legs.check_redirect_leg(redirect_query(state), pending)
    assert caught.value.cause == "login_uri_not_handled" and said in caught.value.message


def test_amazon_error_parameters_are_surfaced(pending):
    query = redirect_query(pending.state, spapi_oauth_code=None, error="access_denied",
                           error_description="The user denied the request")
    with pytest.raises(AmazonRefused) as caught:
        legs.check_redirect_leg(query, pending)
    err = caught.value
    assert (err.error, err.description, err.cause) == (
        "access_denied", "The user denied the request", "consent_denied")
    assert "The user denied the request" in str(err)
    with pytest.raises(AmazonRefused) as other:
        legs.check_redirect_leg(urlencode({"error": "server_error"}), pending)
    assert other.value.cause is None and other.value.description is None


def test_error_with_a_foreign_state_is_a_state_mismatch(pending):
    with pytest.raises(StateMismatch):
        legs.check_redirect_leg(urlencode({"state": "other", "error": "access_denied"}), pending)


@pytest.mark.parametrize("missing", ["spapi_oauth_code", "selling_partner_id"])
def test_redirect_leg_needs_code_and_partner_and_a_retry_still_works(pending, missing):
    with pytest.raises(MissingParameter, match=missing):
        legs.check_redirect_leg(redirect_query(pending.state, **{missing: None}), pending)
    assert not pending.used
    assert legs.check_redirect_leg(redirect_query(pending.state), pending).code == CODE


def test_code_never_appears_in_reprs_or_messages(pending):
    leg = legs.check_redirect_leg(redirect_query(pending.state, mws_auth_token="amzn.mws.s3cr"),
                                  pending)
    for text in (repr(leg), str(leg), repr(pending)):
        assert CODE not in text and "amzn.mws.s3cr" not in text and pending.state not in text
    assert mask_code(CODE) == "ANdN\u2026" and mask_code(CODE) in repr(leg)
    damaged = redirect_query(new_state(), spapi_oauth_code=CODE + " tail")
    fresh = PendingState(new_state())
    for query in (damaged, redirect_query(fresh.state, spapi_oauth_code=CODE + " tail")):
        with pytest.raises(legs.LegError) as caught:
            legs.check_redirect_leg(query, fresh)
        assert CODE not in str(caught.value)


def test_pending_state_round_trips_through_json():
    pending = PendingState("s" * 43, "https://dev.example.com/cb", 1234.5, True)
    assert PendingState.from_json(pending.as_json()) == pending
    with pytest.raises(ValueError, match="no 'state'"):
        PendingState.from_json({"redirect_uri": None})


# Paste-back -----------------------------------------------------------------------------------

def test_pasted_login_leg_url_gives_the_url_to_open_next(pending):
    url = f"https://dev.example.com/login?{login_query(version='beta')}"
    result = legs.check_pasted(f'  "{url}"\n', pending)
    assert isinstance(result, LoginLeg)
    assert next_params(result)["state"] == [pending.state]
    assert next_params(result)["version"] == ["beta"]


def test_pasted_redirect_leg_url_gives_the_code_once(pending):
    url = f"https://dev.example.com/cb?{redirect_query(pending.state)}"
    result = legs.check_pasted(url, pending)
    assert isinstance(result, RedirectLeg) and result.code == CODE
    with pytest.raises(StateAlreadyUsed):
        legs.check_pasted(url, pending)


def test_pasted_urls_get_the_listener_checks(pending):
    evil = f"https://dev.example.com/login?{login_query(amazon_callback_uri='https://evil.example/x')}"
    with pytest.raises(CallbackRefused):
        legs.check_pasted(evil, pending)
    with pytest.raises(StateMismatch):
        legs.check_pasted(f"https://dev.example.com/cb?{redirect_query('forged')}", pending)
    with pytest.raises(AmazonRefused):
        legs.check_pasted(f"https://dev.example.com/cb?state={pending.state}&error=invalid_scope",
                          pending)


@pytest.mark.parametrize(("text", "expected"), [
    ("https://sellercentral.amazon.de/apps/authorize/consent?application_id=amzn1.sp.solution.x"
     "&state=abc&version=beta", "the consent URL itself"),
    (CALLBACK + "?amazon_state=a&state=b", "sends the browser back to Amazon"),
    ("https://www.amazon.com/ap/signin?openid.return_to=x", "sign-in page"),
    ("https://dev.example.com/cb?state=abc&selling_partner_id=A3", "without its spapi_oauth_code"),
    ("https://dev.example.com/", "neither leg"),
    ("", "Nothing was pasted"),
    ("   ", "Nothing was pasted"),
    ("spapi_oauth_code=abc&state=x", "not a full URL"),
])
def test_pasting_something_else_says_what_it_is(pending, text, expected):
    with pytest.raises(NotALegUrl) as caught:
        legs.check_pasted(text, pending)
    assert expected in str(caught.value)


def test_pasted_url_broken_by_a_line_break_is_refused_without_echoing_the_code(pending):
    url = f"https://dev.example.com/cb?{redirect_query(pending.state)}"
    cut = len(url) - 5
    with pytest.raises(MalformedQuery) as caught:
        legs.check_pasted(url[:cut] + "\n" + url[cut:], pending)
    assert "line break" in str(caught.value) and CODE not in str(caught.value)
    assert not pending.used


def test_classify_tells_legs_apart_by_parameters():
    assert legs.classify({"amazon_callback_uri": "x", "spapi_oauth_code": "y"}) == "login"
    assert legs.classify({"spapi_oauth_code": "y"}) == "redirect"
    assert legs.classify({"error": "access_denied"}) == "redirect"
    assert legs.classify({"state": "s"}) is None
