"""Defences of the flow that a removed line would otherwise leave unnoticed (issue 14: each test
here failed against a mutant that survived the suite before). They assert behaviour, never the
wording: an expired attempt without an injected clock, a pasted URL's query never quoted, the
open-redirect guard's backslash, trailing-dot and exact-host checks, one redirect_uri in the
Login leg's next URL, and the catcher page's framing ban."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from oauth_wizard.authorize import legs
from oauth_wizard.authorize.catcher import Catcher
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.events import CodeReceived
from oauth_wizard.core.marketplaces import identify_portal_host
from oauth_wizard.core.records import PendingState

URI = "https://localhost/cb"
CONFIRM = "/apps/authorize/confirm/amzn1.sp.solution.00000000-0000-4000-8000-000000000001"
CALLBACK = "https://sellercentral.amazon.com" + CONFIRM
CODE = "ANdNAVhyhqirUelHGEHA"


def _login(callback: str = CALLBACK, **extra: str) -> str:
    return urlencode({"amazon_callback_uri": callback, "amazon_state": "amz-1",
                      "selling_partner_id": "A3SELLER1", **extra})


async def test_an_expired_attempt_is_refused_by_a_catcher_left_on_its_own_clock():
    """No clock injected: the catcher's default clock must still end the attempt."""
    pending = PendingState(new_state(), redirect_uri=URI, expires_at=time.time() - 1)
    events: asyncio.Queue = asyncio.Queue()
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0, on_event=events)
    await catcher.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
            page = await client.get("/cb?" + urlencode({
                "state": pending.state, "selling_partner_id": "A3SELLER1",
                "spapi_oauth_code": CODE}))
        assert CODE not in page.text
        with pytest.raises(legs.StateExpired):  # the attempt ends; no code comes out of it
            await catcher.wait(1)
    finally:
        await catcher.stop()
    seen = []
    while not events.empty():
        seen.append(events.get_nowait())
    assert not any(isinstance(e, CodeReceived) for e in seen)
    assert not pending.used


async def test_an_expired_attempt_sends_no_browser_back_to_amazon_on_its_own_clock():
    pending = PendingState(new_state(), redirect_uri=URI, expires_at=time.time() - 1)
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0)
    await catcher.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
            page = await client.get("/cb?" + _login())
        assert page.status_code != 302 and "location" not in page.headers
    finally:
        await catcher.stop()


@pytest.mark.parametrize("pasted", [
    "https://localhost/cb?code=PLANTEDCODE12345&state=abc",  # another OAuth's parameter name
    "https://localhost/cb?state=abc&selling_partner_id=A1&spapi_oauth_cod=PLANTEDCODE12345",
    "https://sellercentral.amazon.com/apps/authorize/consent?application_id=x&c=PLANTEDCODE12345",
])
def test_a_pasted_url_that_is_no_leg_is_described_without_its_query(pasted):
    with pytest.raises(legs.NotALegUrl) as refused:
        legs.classify_pasted(pasted)
    assert "PLANTEDCODE" not in str(refused.value) and "PLANTEDCODE" not in refused.value.fix


@pytest.mark.parametrize("callback", [
    CALLBACK + "\\evil",  # a backslash, nothing else wrong (no @, known host, right path)
    "https://sellercentral.amazon.com\\@evil.example" + CONFIRM,
    "https://sellercentral.amazon.com." + CONFIRM,  # the trailing-dot spelling of the host
    "https://evil-sellercentral.amazon.com" + CONFIRM,  # a suffix of the real host
    "https://x.sellercentral.amazon.com" + CONFIRM,
    "https://sellercentral.amazon.com.evil.example" + CONFIRM,
])
def test_the_open_redirect_guard_refuses_near_misses(callback):
    with pytest.raises(legs.CallbackRefused):
        legs.check_callback_uri(callback)


def test_the_guard_accepts_the_real_host_so_the_refusals_above_mean_something():
    portal, simulated = legs.check_callback_uri(CALLBACK)
    assert portal is not None and not simulated


@pytest.mark.parametrize("host", [
    "evil-sellercentral.amazon.com", "xsellercentral.amazon.com", "a.sellercentral.amazon.com",
    "evilsellercentral-europe.amazon.com", "vendorcentral.amazon.com.evil.example"])
def test_only_exact_portal_hosts_are_amazons(host):
    assert identify_portal_host(host) is None
    assert identify_portal_host("sellercentral-europe.amazon.com") is not None


@pytest.mark.parametrize("ours", ["redirect_uri", "state", "version", "amazon_state"])
def test_the_next_url_carries_each_of_our_parameters_once(ours):
    """The callback may already carry one of our parameters; the next URL has only ours."""
    pending = PendingState(new_state(), redirect_uri=URI)
    callback = CALLBACK + "?" + urlencode({ours: "https://evil.example/x", "keep": "1"})
    leg = legs.check_login_leg(_login(callback, version="beta"), pending, now=0)
    query = parse_qs(urlsplit(leg.next_url).query)
    assert query["redirect_uri"] == [URI] and query["state"] == [pending.state]
    assert query["version"] == ["beta"] and query["amazon_state"] == ["amz-1"]
    assert query["keep"] == ["1"]


def test_a_login_leg_repeating_a_parameter_is_refused():
    pending = PendingState(new_state(), redirect_uri=URI)
    query = _login() + "&redirect_uri=" + URI + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
    with pytest.raises(legs.MalformedQuery):
        legs.check_login_leg(query, pending, now=0)


async def test_the_catcher_page_may_not_be_framed_or_sniffed():
    pending = PendingState(new_state(), redirect_uri=URI)
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0)
    await catcher.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
            for path in ("/cb", "/cb?" + urlencode({"state": "forged", "spapi_oauth_code": CODE,
                                                    "selling_partner_id": "A1"})):
                page = await client.get(path)
                csp = [p.strip() for p in page.headers["content-security-policy"].split(";")]
                assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
                assert page.headers["x-content-type-options"] == "nosniff"
    finally:
        await catcher.stop()


def _redirect(**extra: str) -> str:
    return urlencode({"selling_partner_id": "A3SELLER1", "spapi_oauth_code": CODE, **extra})


@pytest.mark.parametrize("query,kind,cause", [
    (_redirect(state="forged"), legs.StateMismatch, "state_mismatch"),
    ("selling_partner_id=A1&spapi_oauth_code=" + CODE, legs.StateMissing,
     "login_uri_not_handled"),
    (urlencode({"selling_partner_id": "A1"}) + "&state={state}", legs.MissingParameter, None),
    (urlencode({"spapi_oauth_code": CODE}) + "&state={state}", legs.MissingParameter, None),
    (_redirect(mws_auth_token="a b") + "&state={state}", legs.MalformedQuery, None),
    (_redirect() + "&state={state}&state={state}", legs.MalformedQuery, None),
])
def test_each_redirect_refusal_names_its_leg_and_cause(query, kind, cause):
    """Front ends say which leg went wrong and ask the doctor by cause: both are data."""
    pending = PendingState(new_state(), redirect_uri=URI)
    with pytest.raises(kind) as info:
        legs.check_redirect_leg(query.replace("{state}", pending.state), pending, now=0)
    assert info.value.leg == "redirect" and info.value.cause == cause
    assert not pending.used


def test_an_expired_redirect_names_its_leg_and_a_used_one_says_so():
    pending = PendingState(new_state(), redirect_uri=URI, expires_at=10)
    with pytest.raises(legs.StateExpired) as info:
        legs.check_redirect_leg(_redirect(state=pending.state), pending, now=10)
    assert (info.value.leg, info.value.cause) == ("redirect", "state_expired")
    fresh = PendingState(new_state(), redirect_uri=URI)
    legs.check_redirect_leg(_redirect(state=fresh.state), fresh, now=0)
    with pytest.raises(legs.StateAlreadyUsed) as again:
        legs.check_redirect_leg(_redirect(state=fresh.state), fresh, now=0)
    assert again.value.leg == "redirect"


@pytest.mark.parametrize("query", [
    _login().replace("amazon_state=amz-1&", ""), _login().replace("&selling_partner_id=A3SELLER1",
                                                                  ""),
    _login(version="gamma"), _login("https://evil.example" + CONFIRM),
])
def test_each_login_refusal_names_the_login_leg(query):
    with pytest.raises(legs.LegError) as info:
        legs.check_login_leg(query, PendingState(new_state(), redirect_uri=URI), now=0)
    assert info.value.leg == "login"


@pytest.mark.parametrize("callback", [
    "https://sellercentral.amazon.com:443" + CONFIRM,  # the default port, written out
    "https://SellerCentral.Amazon.com" + CONFIRM,       # a host is case-insensitive
])
def test_the_guard_accepts_the_real_portal_however_it_is_spelled(callback):
    portal, _ = legs.check_callback_uri(callback)
    assert portal is not None and portal.region == "NA"


@pytest.mark.parametrize("callback", [
    CALLBACK + "#",                                     # an empty fragment is still one
    CALLBACK + " x",                                    # a printable space
    CALLBACK + "\t",
    "https://sellercentral.amazon.com:444" + CONFIRM,
    "https://sellercentral.amazon.com/apps/authorize/confirm/",  # no app id
    "https://sellercentral.amazon.com/apps/authorize/consent/x",
])
def test_more_near_misses_are_refused(callback):
    with pytest.raises(legs.CallbackRefused) as info:
        legs.check_callback_uri(callback)
    assert (info.value.leg, info.value.cause) == ("login", "callback_uri_refused")
