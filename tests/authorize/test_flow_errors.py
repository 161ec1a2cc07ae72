"""The authorize flow when things go wrong, against the local Amazon over real loopback sockets:
every documented consent error as the browser sees it, codes reused or expired, forged and
open-redirect legs, a busy port, a timeout, cancelling, and LWA refusing the client.

For a consent error the browser stops at Amazon's error page, so the catcher must see nothing
and the flow ends by its timeout (or is cancelled) without leaving its port bound.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from urllib.parse import quote

import httpx
import pytest
from flow_kit import APPS, PAT, SAM, SELLER, World, profile_for, query_of, secret_of, world

from oauth_wizard.amazon.lwa import LwaError
from oauth_wizard.authorize import catcher as catcher_mod
from oauth_wizard.authorize.legs import RedirectLeg
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import (
    CodeReceived,
    Exchanging,
    FlowFailed,
    Listening,
    LoginLegReceived,
    Notice,
    Refused,
    Stored,
)
from oauth_wizard.keep.secrets import MemorySecretStore


@pytest.fixture
async def w():
    async with world() as running:
        yield running


def kinds(events: list) -> list[type]:
    return [type(e) for e in events]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def forged_leg(w: World, **params: str) -> str:
    return w.uri + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


# --- consent errors, as the seller's browser sees them -------------------------------------------

def _client_id_as_app_id(w: World, url: str) -> str:
    return url.replace(quote(APPS["draft"]["app_id"], safe=""), APPS["draft"]["client_id"])


CONSENT_ERRORS = [
    # (case, registry app, profile changes, marketplace, rewrite of the URL, user, code)
    ("client id as app id", "draft", {}, "US", _client_id_as_app_id, PAT, "MD1000"),
    ("draft app without version=beta", "draft", {"app_state": "published"}, "US", None, PAT,
     "MD1000"),
    ("unregistered redirect_uri", "draft", {"redirect_uris": "+unregistered"}, "US", None, PAT,
     "MD5101"),
    ("registered redirect URI with a fragment", "fragment", {}, "US", None, PAT, "MD5110"),
    ("a Redirect URI but no Login URI", "no_uris", {}, "US", None, PAT, "MD5100"),
    ("hybrid app without the EU developer ID", "hybrid", {}, "DE", None, PAT, "MD9010"),
    ("marketplace the app does not support", "draft", {}, "JP", None, PAT, "MD5100"),
    ("secondary user", "draft", {}, "US", None, SAM, "SPDC8143"),
]


@pytest.mark.parametrize(("case", "key", "changes", "market", "rewrite", "user", "code"),
                         CONSENT_ERRORS, ids=[c[0] for c in CONSENT_ERRORS])
async def test_consent_errors_stop_at_amazons_page_and_the_flow_times_out_cleanly(
        w, case, key, changes, market, rewrite, user, code):
    redirect_uri = None
    if changes.get("redirect_uris") == "+unregistered":
        redirect_uri = w.uri + "-unregistered"  # in the profile, not registered with Amazon
        changes = {"redirect_uris": (w.uri, redirect_uri)}
    flow = w.flow(key, marketplace=market, profile=profile_for(key, w.uri, **changes),
                  redirect_uri=redirect_uri)

    async def visit():
        url = w.consent_url(flow, sim_user=user)
        return await w.browser.open(rewrite(w, url) if rewrite else url)

    caught = await w.catch(flow, visit, within=0.3)
    page = caught.page
    assert page.response.status_code == 400 and len(page.hops) == 1  # never sent onwards
    assert page.response.headers["x-sim-error-code"] == code
    if code == "SPDC8143":  # Amazon's uncoded "Invalid Access" page (docs#2191, models#4642)
        assert "<h1>Invalid Access</h1>" in page.response.text
    else:
        assert f'Error Code: <span id="error-code">{code}</span>' in page.response.text

    assert isinstance(caught.error, FlowError)
    assert "No redirect from Amazon arrived within 0.3 s" in caught.error.message
    assert kinds(w.events)[1:] == [Listening, FlowFailed]  # the catcher saw nothing
    assert not w.minted.by_kind.get("code")
    assert port_is_free(w.port)


async def test_a_client_id_in_the_profile_is_refused_before_any_browser_opens(w):
    profile = profile_for("draft", w.uri, app_id=APPS["draft"]["client_id"])
    flow = w.flow("draft", profile=profile)
    with pytest.raises(ValueError, match="MD1000"):
        flow.start()


async def test_cancelling_a_waiting_flow_releases_its_port(w):
    flow = w.flow("draft")
    listening = asyncio.Event()
    task = asyncio.create_task(flow.catch(timeout=30, listening=lambda _c: listening.set()))
    await asyncio.wait_for(listening.wait(), 5)
    page = await w.browser.open(w.consent_url(flow, sim_user=SAM))  # SPDC8143: nothing comes
    assert page.response.headers["x-sim-error-code"] == "SPDC8143"
    assert not port_is_free(w.port)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert port_is_free(w.port)
    assert LoginLegReceived not in kinds(w.events) and Stored not in kinds(w.events)


# --- codes reused or expired ---------------------------------------------------------------------

async def test_a_code_exchanged_twice_is_refused_as_reused(w):
    flow = w.flow("draft")
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert caught.error is None
    code = query_of(caught.page.leg("spapi_oauth_code"))["spapi_oauth_code"]

    with pytest.raises(LwaError) as direct:  # the Redirect leg replayed to LWA
        await w.lwa().exchange_code(code, APPS["draft"]["client_id"], secret_of("draft"))
    assert (direct.value.error, direct.value.status) == ("invalid_grant", 400)
    assert direct.value.cause_id == "auth_code_expired_or_reused"

    again = w.flow("draft", secrets=MemorySecretStore())
    with pytest.raises(FlowError) as through_flow:
        await again.finish(RedirectLeg(code, SELLER))
    assert through_flow.value.cause == "auth_code_expired_or_reused"
    assert "5 minutes" in through_flow.value.message
    assert isinstance(w.events[-1], FlowFailed)
    assert w.events[-1].cause == "auth_code_expired_or_reused"


async def test_a_code_pasted_after_five_minutes_is_refused_as_expired(w):
    secrets = MemorySecretStore()
    flow = w.flow("draft", secrets=secrets)
    first = await w.browser.open(w.consent_url(flow, sim_user=PAT), stop_before=w.uri)
    leg = await flow.paste(first.url)
    second = await w.browser.open(leg.next_url, stop_before=w.uri)
    w.sim.advance(301)  # the user went for coffee before pasting the Redirect leg
    with pytest.raises(FlowError) as info:
        await flow.paste(second.url)
    assert info.value.cause == "auth_code_expired_or_reused"
    assert kinds(w.events)[-2:] == [Exchanging, FlowFailed]
    assert await secrets.get("profile:shop:refresh:NA:" + SELLER) is None


async def test_a_code_that_reaches_lwa_too_late_is_refused_as_expired(w):
    """A slow path to LWA: the simulator's clock passes five minutes while the request travels."""
    async def slow(request: httpx.Request) -> None:
        if request.url.path == "/auth/o2/token":
            w.sim.advance(301)

    async with httpx.AsyncClient(event_hooks={"request": [slow]}) as http:
        flow = w.flow("draft", lwa=w.lwa(http))
        caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert isinstance(caught.error, FlowError)
    assert caught.error.cause == "auth_code_expired_or_reused"
    assert "Authorized" in caught.page.response.text  # the browser got its page regardless
    assert kinds(w.events)[-3:] == [CodeReceived, Exchanging, FlowFailed]


# --- forged and redirected legs ------------------------------------------------------------------

async def test_a_forged_redirect_leg_is_refused_and_nothing_is_exchanged(w):
    posts: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        posts.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [count]}) as http:
        flow = w.flow("draft", lwa=w.lwa(http))
        forged = forged_leg(w, state="forged-state-value", selling_partner_id="A9EVIL",
                            spapi_oauth_code="attackers-own-code")
        caught = await w.catch(flow, lambda: w.browser.open(forged), within=0.5)
    assert caught.page.response.status_code == 400
    assert "state" in caught.page.response.text
    # refused, and the listener waited on for the genuine redirect until its timeout
    assert isinstance(caught.error, FlowError) and "No redirect" in caught.error.message
    assert Refused in kinds(w.events)
    assert posts == [] and Exchanging not in kinds(w.events)

    pasted = w.flow("draft")
    with pytest.raises(FlowError) as info:
        await pasted.paste(forged)
    assert info.value.cause == "state_mismatch"


async def test_amazon_sending_an_error_instead_of_a_code_ends_the_flow_with_its_cause(w):
    flow = w.flow("draft")
    state = flow.start().consent.state
    denied = forged_leg(w, state=state, error="access_denied",
                        error_description="The user denied the request")
    caught = await w.catch(flow, lambda: w.browser.open(denied))
    assert caught.page.response.status_code == 400
    assert caught.error.cause == "consent_denied" and "access_denied" in caught.error.message


def _evil_callbacks(w: World) -> list[str]:
    confirm = "/apps/authorize/confirm/" + APPS["draft"]["app_id"]
    lookalike = w.endpoints.portal_base.rsplit(":", 1)[0] + f":{w.port}"  # not the simulator
    return [
        "https://evil.example" + confirm,
        "http://sellercentral.amazon.com" + confirm,
        "https://sellercentral.amazon.com.evil.example" + confirm,
        "https://sellercentral.amazon.com@evil.example" + confirm,
        "https://sellercentral.amazon.com:8443" + confirm,
        "https://sellercentral.amazon.com/ap/signin",
        lookalike + "/sellercentral.amazon.com" + confirm,
        "//evil.example" + confirm,
    ]


async def test_open_redirect_attempts_at_the_login_leg_are_refused(w):
    for callback in _evil_callbacks(w):
        w.events.clear()
        flow = w.flow("draft")
        attack = forged_leg(w, amazon_callback_uri=callback, amazon_state="amz",
                            selling_partner_id=SELLER, version="beta")
        caught = await w.catch(flow, lambda url=attack: w.browser.open(url), within=0.3)
        response = caught.page.response
        assert response.status_code == 400 and "location" not in response.headers, callback
        assert len(caught.page.hops) == 1
        assert "open-redirect" in response.text
        assert "No redirect" in caught.error.message, callback  # refused; waited on
        assert Refused in kinds(w.events) and LoginLegReceived not in kinds(w.events)

        with pytest.raises(FlowError) as pasted:
            await w.flow("draft").paste(attack)
        assert pasted.value.cause == "callback_uri_refused"


async def test_a_login_leg_from_another_region_is_flagged(w):
    flow = w.flow("draft")  # a US attempt ...
    eu = f"{w.endpoints.portal_base}/sellercentral.amazon.de/apps/authorize/confirm/x"
    leg = await flow.paste(forged_leg(w, amazon_callback_uri=eu, amazon_state="amz",
                                      selling_partner_id=SELLER, version="beta"))
    assert leg.portal.region == "EU"
    warnings = [e.message for e in w.events if isinstance(e, Notice)]
    assert any("EU region" in m and "only work in EU" in m for m in warnings)


# --- the listener itself -------------------------------------------------------------------------

async def test_a_busy_port_fails_with_the_catchers_explanation(w):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", w.port))
        squatter.listen()
        flow = w.flow("draft")
        caught = await w.catch(flow)
    expected = catcher_mod.bind_error(OSError(errno.EADDRINUSE, "in use"), w.port, w.uri, False)
    assert isinstance(caught.error, FlowError)
    assert (caught.error.message, caught.error.fix) == (expected.message, expected.fix)
    assert f"Port {w.port}" in caught.error.message and "--paste" in caught.error.fix
    assert kinds(w.events)[-1] is FlowFailed and w.events[-1].text == expected.message


async def test_nothing_arriving_times_out_with_advice(w):
    flow = w.flow("draft")
    caught = await w.catch(flow, within=0.2)
    assert isinstance(caught.error, FlowError)
    assert "No redirect from Amazon arrived within 0.2 s" in caught.error.message
    assert "--paste" in caught.error.fix and "--timeout" in caught.error.fix
    assert w.events[-1].text == caught.error.message
    assert port_is_free(w.port)


async def test_a_timed_out_attempt_can_listen_again_and_complete(w):
    flow = w.flow("draft")
    first = await w.catch(flow, within=0.2)
    assert isinstance(first.error, FlowError)
    second = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert second.error is None, second.error
    assert kinds(w.events).count(Listening) == 2 and kinds(w.events)[-1] is Stored
    assert second.result.authorization.selling_partner_id == SELLER


async def test_an_attempt_older_than_its_state_is_refused_at_the_login_leg(w):
    now = [1_900_000_000.0]
    flow = w.flow("draft", clock=lambda: now[0])
    flow.start()

    async def later():
        now[0] += 31 * 60  # the consent URL was opened after the attempt's 30 minutes
        return await w.browser.open(w.consent_url(flow, sim_user=PAT))

    caught = await w.catch(flow, later)
    assert caught.page.response.status_code == 400
    assert "expired" in caught.page.response.text
    assert caught.error.cause == "state_expired"
    assert not w.minted.by_kind.get("code")  # never sent back to Amazon for one


async def test_lwa_refusing_the_client_secret_stores_nothing(w):
    secrets = MemorySecretStore()
    flow = w.flow("draft", secrets=secrets, secret="amzn1.oa2-cs.v1." + "0bad" * 16)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert caught.error.cause == "client_secret_invalid_or_expired"
    assert await secrets.get("profile:shop:refresh:NA:" + SELLER) is None
    assert Stored not in kinds(w.events)
