"""The verify call and ``verify``: against the real simulator over loopback for every answer it
models (success, each 403 variant, wrong region, 429 after the burst, a closed port), and
``httpx.MockTransport`` for the answers it does not (odd bodies, 5xx, the sandbox's 500, an
expired client secret). Sleeps are injected, so backoff is asserted, not waited for."""

from __future__ import annotations

import asyncio
import json
import re
import socket

import httpx
import pytest

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.lwa import LwaClient
from oauth_wizard.amazon.spapi import (
    PARTICIPATIONS_PATH,
    SpApiClient,
    SpApiError,
    SpApiNetworkError,
    verify,
)
from oauth_wizard.amazon.spapi_errors import classify
from oauth_wizard.simulator.demo_registry import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    demo_registry,
)
from oauth_wizard.simulator.server import Simulator

T0 = 1_750_000_000.0  # 2025-06-15T15:06:40Z
PAT = "A1SIMPATSTORE"
UA = "oauth-wizard/9.9 (Language=Python/3.11; Platform=Linux)"
ACCESS = "Atza|IwEBIPlantedAccessTokenForMockTests-0123456789"
REFRESH = "Atzr|IwEBIPlantedRefreshTokenForMockTests-0123456789"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


class Sleeps:
    def __init__(self, then=None) -> None:
        self.delays: list[float] = []
        self.then = then

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.then:
            self.then(delay)


@pytest.fixture
async def sim():
    s = Simulator(demo_registry("https://x.test/login", "https://x.test/cb"), clock=Clock())
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def clients(http, sim, sleeps=None, **kw):
    ep = Endpoints.for_simulator(sim.portal_url)
    lwa = LwaClient(http, ep.token_url(), sleep=Sleeps(), clock=sim.now)
    sp = SpApiClient(http, ep, user_agent=UA, clock=sim.now, sleep=sleeps or Sleeps(), **kw)
    return lwa, sp


async def access_token(lwa, sim, region="EU") -> tuple[str, str]:
    refresh = sim.self_authorize(DEMO_APP_ID, PAT, region)
    token = await lwa.refresh(refresh, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    return refresh, token.access_token


# --- the call against the simulator ----------------------------------------------------------

async def test_participations_map_ids_to_codes_and_keep_store_and_request_id(sim, http):
    lwa, sp = clients(http, sim)
    _, access = await access_token(lwa, sim, "EU")
    found = await sp.marketplace_participations(access, "eu")
    assert [m.code for m in found.marketplaces] == ["DE", "FR", "UK"]
    uk = found.marketplaces[2]
    assert (uk.marketplace_id, uk.country, uk.currency, uk.region) == (
        "A1F83G8C2ARO7P", "GB", "GBP", "EU")
    assert uk.known and uk.participating and not uk.suspended
    assert found.store_names == ("Pat's Demo Store",)
    assert found.region == "EU" and re.fullmatch(r"[0-9a-f-]{36}", found.request_id or "")


async def test_missing_access_token_is_access_token_missing(sim, http):
    _, sp = clients(http, sim)
    with pytest.raises(SpApiError) as err:
        await sp.marketplace_participations("", "NA")
    assert (err.value.status, err.value.code, err.value.cause_id) == (
        403, "Unauthorized", "access_token_missing")
    assert err.value.request_id and err.value.request_id in err.value.message


async def test_access_token_older_than_an_hour_is_expired(sim, http):
    lwa, sp = clients(http, sim)
    _, access = await access_token(lwa, sim)
    sim.advance(3601)
    with pytest.raises(SpApiError) as err:
        await sp.marketplace_participations(access, "EU")
    assert err.value.cause_id == "access_token_expired"
    assert access not in str(err.value) and access not in repr(err.value)


async def test_revoked_and_garbled_tokens_are_access_token_invalid(sim, http):
    lwa, sp = clients(http, sim)
    refresh, access = await access_token(lwa, sim)
    sim.revoke_refresh_token(refresh)
    for token in (access, "Atza|IwEBIgarbledgarbledgarbled"):
        with pytest.raises(SpApiError) as err:
            await sp.marketplace_participations(token, "EU")
        assert err.value.cause_id == "access_token_invalid"
        assert token not in str(err.value)


async def test_wrong_region_is_403_without_details_naming_both_causes(sim, http):
    lwa, sp = clients(http, sim)
    _, access = await access_token(lwa, sim, "EU")
    with pytest.raises(SpApiError) as err:
        await sp.marketplace_participations(access, "NA")
    e = err.value
    assert (e.status, e.details, e.uncertain) == (403, "", True)
    assert e.candidates == ("role_missing", "wrong_region_endpoint")
    assert "region" in e.message and "role" in e.message and "[uncertain]" in e.message


async def test_429_after_the_burst_is_retried_boundedly_then_throttled(sim, http):
    sleeps = Sleeps()
    lwa, sp = clients(http, sim, sleeps)
    _, access = await access_token(lwa, sim)
    for _ in range(15):  # burst 15 (§8)
        await sp.marketplace_participations(access, "EU")
    with pytest.raises(SpApiError) as err:
        await sp.marketplace_participations(access, "EU")
    assert err.value.cause_id == "throttled" and err.value.status == 429
    assert err.value.attempts == 3 and sleeps.delays == [2.0, 4.0]
    assert "3 attempts" in err.value.message


async def test_429_retry_succeeds_once_the_bucket_refills(sim, http):
    # The simulator refills 0.016 tokens/s; each wait is capped at 30 s, so it takes three
    # waits (90 s, 1.44 tokens) before a request gets through.
    sleeps = Sleeps(then=lambda d: sim.advance(d))
    lwa, sp = clients(http, sim, sleeps, backoff=40.0, max_attempts=4)
    sp_burst = clients(http, sim)[1]
    _, access = await access_token(lwa, sim)
    for _ in range(15):
        await sp_burst.marketplace_participations(access, "EU")
    found = await sp.marketplace_participations(access, "EU")
    assert found.marketplaces and sleeps.delays == [30.0, 30.0, 30.0]


async def test_unknown_path_is_missing_authentication_token(sim, http):
    ep = Endpoints(spapi_base=f"{sim.portal_url}/spapi/EU/nothing-here")
    sp = SpApiClient(http, ep, user_agent=UA, sleep=Sleeps())
    with pytest.raises(SpApiError) as err:
        await sp.marketplace_participations(ACCESS, "NA")
    assert err.value.code == "MissingAuthenticationToken"
    assert err.value.cause_id == "spapi_endpoint_wrong"
    assert {"authorization_api_retired", "token_request_wrong_host"} <= set(err.value.candidates)


async def test_closed_port_is_a_network_error_after_bounded_retries(http):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    sp = SpApiClient(http, Endpoints(spapi_base=f"http://127.0.0.1:{port}/spapi"),
                     user_agent=UA, sleep=sleeps, max_attempts=2)
    with pytest.raises(SpApiNetworkError) as err:
        await sp.marketplace_participations(ACCESS, "FE")
    assert err.value.cause_id == "spapi_unreachable" and err.value.status is None
    assert "connection refused" in err.value.message and f"127.0.0.1:{port}" in err.value.message
    assert sleeps.delays == [2.0] and ACCESS not in str(err.value)


# --- headers and odd bodies (MockTransport) ----------------------------------------------------

def mock(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def entry(mid: str, **extra) -> dict:
    return {"marketplace": {"id": mid, "name": "N", "countryCode": "US",
                            "defaultCurrencyCode": "USD", "defaultLanguageCode": "en_US",
                            "domainName": "www.amazon.com"}, "storeName": "S",
            "participation": {"isParticipating": True, "hasSuspendedListings": False}, **extra}


async def test_request_carries_the_documented_headers_to_the_region_endpoint():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"payload": []})

    async with mock(handler) as http:
        sp = SpApiClient(http, Endpoints(), user_agent=UA, clock=lambda: T0)
        await sp.marketplace_participations(ACCESS, "FE")
        await sp.marketplace_participations(ACCESS, "NA", sandbox=True)
    first, second = seen
    assert str(first.url) == "https://sellingpartnerapi-fe.amazon.com" + PARTICIPATIONS_PATH
    assert second.url.host == "sandbox.sellingpartnerapi-na.amazon.com"
    assert first.headers["x-amz-access-token"] == ACCESS
    assert first.headers["user-agent"] == UA
    assert first.headers["x-amz-date"] == "20250615T150640Z"
    assert first.headers["host"] == "sellingpartnerapi-fe.amazon.com"


async def test_unknown_and_malformed_entries():
    body = {"payload": [entry("ATVPDKIKX0DER"), entry("A2ZV50J4W1RKNI"), {"junk": 1},
                        entry(""), "text", entry("A1F83G8C2ARO7P", participation=None)]}
    async with mock(lambda r: httpx.Response(200, json=body)) as http:
        found = await SpApiClient(http, Endpoints()).marketplace_participations(ACCESS, "NA")
    codes = [(m.code, m.known, m.region) for m in found.marketplaces]
    assert codes == [("US", True, "NA"), ("A2ZV50J4W1RKNI", False, None), ("UK", True, "EU")]
    assert found.marketplaces[1].as_json()["kind"] == "unknown"
    assert found.marketplaces[2].participating is False


@pytest.mark.parametrize(("status", "body", "ctype", "cause"), [
    (200, b"<html><title>Proxy</title></html>", "text/html", "spapi_endpoint_wrong"),
    (200, b'{"data": []}', "application/json", "spapi_endpoint_wrong"),
    (404, b"not json at all", "text/plain", "spapi_endpoint_wrong"),
    (403, b'{"message": "Forbidden"}', "application/json", "spapi_endpoint_wrong"),
    (400, b'{"errors": [{"code": "InvalidInput", "message": "bad"}]}', "application/json",
     "amazon_side_issue"),
])
async def test_odd_answers_get_a_cause_and_never_a_traceback(status, body, ctype, cause):
    resp = httpx.Response(status, content=body, headers={"content-type": ctype})
    async with mock(lambda r: resp) as http:
        with pytest.raises(SpApiError) as err:
            await SpApiClient(http, Endpoints(), sleep=Sleeps()).marketplace_participations(
                ACCESS, "NA")
    assert err.value.cause_id == cause and err.value.status == status
    assert err.value.fix


async def test_5xx_is_retried_and_the_sandbox_500_is_not():
    calls = []

    def handler(request):
        calls.append(request.url.host)
        return httpx.Response(500, json={"errors": [{"code": "InternalFailure", "message":
                                                     "We encountered an internal error."}]})

    async with mock(handler) as http:
        sleeps = Sleeps()
        sp = SpApiClient(http, Endpoints(), sleep=sleeps)
        with pytest.raises(SpApiError) as prod:
            await sp.marketplace_participations(ACCESS, "EU")
        assert prod.value.cause_id == "amazon_side_issue" and len(calls) == 3
        calls.clear()
        with pytest.raises(SpApiError) as box:
            await sp.marketplace_participations(ACCESS, "EU", sandbox=True)
    assert box.value.cause_id == "sandbox_request_mismatch" and len(calls) == 1
    assert box.value.attempts == 1


async def test_echoed_token_in_details_is_scrubbed():
    body = {"errors": [{"code": "Unauthorized", "message": "denied",
                        "details": f"The access token you provided ({ACCESS}) is invalid."}]}
    async with mock(lambda r: httpx.Response(403, json=body)) as http:
        with pytest.raises(SpApiError) as err:
            await SpApiClient(http, Endpoints()).marketplace_participations(ACCESS, "NA")
    assert err.value.cause_id == "access_token_invalid"
    assert ACCESS not in json.dumps(err.value.as_json()) and ACCESS not in str(err.value)


@pytest.mark.parametrize(("details", "cause"), [
    ("Access token is missing in the request header.", "access_token_missing"),
    ("The access token you provided has expired.", "access_token_expired"),
    ("The access token you provided is revoked, malformed or invalid.", "access_token_invalid"),
    ("The LWA secret token you provided has expired.", "client_secret_invalid_or_expired"),
    ("", "role_missing"),
    ("Something new Amazon says.", "amazon_side_issue"),
])
def test_403_details_map_to_cause_ids(details, cause):
    err = classify(403, "Unauthorized", "Access to requested resource is denied.", details)
    assert err.cause_id == cause and err.fix


# --- verify ----------------------------------------------------------------------------------

async def test_verify_succeeds_with_marketplaces_and_store_names(sim, http):
    lwa, sp = clients(http, sim)
    refresh = sim.self_authorize(DEMO_APP_ID, PAT, "NA")
    out = await verify(refresh, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "NA", lwa=lwa, spapi=sp)
    assert out.ok and [m.code for m in out.marketplaces] == ["US", "CA"]
    assert out.store_names == ("Pat's Demo Store",) and out.warnings == ()
    assert out.detail == "2 marketplace(s): US, CA"
    text = json.dumps(out.as_json()) + repr(out)
    assert refresh not in text and DEMO_CLIENT_SECRET not in text and "Atza|" not in text


async def test_verify_revoked_refresh_token_fails_at_refresh(sim, http):
    lwa, sp = clients(http, sim)
    refresh = sim.self_authorize(DEMO_APP_ID, PAT, "EU")
    sim.revoke_refresh_token(refresh)
    out = await verify(refresh, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "EU", lwa=lwa, spapi=sp)
    assert (out.ok, out.stage, out.cause_id) == (False, "refresh",
                                                 "refresh_token_revoked_or_expired")
    assert out.detail.startswith("refresh_token_revoked_or_expired: ")
    assert refresh not in json.dumps(out.as_json())


async def test_verify_wrong_region_names_the_region_that_answers(sim, http):
    lwa, sp = clients(http, sim)
    refresh = sim.self_authorize(DEMO_APP_ID, PAT, "EU")
    out = await verify(refresh, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "FE", lwa=lwa, spapi=sp)
    assert (out.ok, out.cause_id, out.detected_region) == (False, "wrong_region_endpoint", "EU")
    assert "EU" in out.fix
    no_probe = await verify(refresh, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "FE", lwa=lwa,
                            spapi=sp, probe_regions=False)
    assert no_probe.detected_region is None
    assert no_probe.candidates == ("role_missing", "wrong_region_endpoint")


def mock_verify(answers: dict[str, httpx.Response]):
    """LWA and SP-API in one MockTransport; SP-API answers by host."""
    def handler(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": ACCESS, "token_type": "bearer",
                                             "expires_in": 3600})
        return answers[request.url.host.split("-")[-1].split(".")[0]]
    return mock(handler)


async def run_verify(http, region="NA", **kw):
    lwa = LwaClient(http, sleep=Sleeps())
    sp = SpApiClient(http, Endpoints(), sleep=Sleeps())
    return await verify(REFRESH, "amzn1.application-oa2-client." + "a" * 32, "secret-value-x1",
                        region, lwa=lwa, spapi=sp, **kw)


async def test_verify_403_everywhere_points_at_a_missing_role():
    denied = httpx.Response(403, json={"errors": [{"code": "Unauthorized", "message": "denied",
                                                   "details": ""}]})
    async with mock_verify({"na": denied, "eu": denied, "fe": denied}) as http:
        out = await run_verify(http)
    assert (out.ok, out.cause_id, out.detected_region) == (False, "role_missing", None)
    assert out.candidates == ("role_missing", "wrong_region_endpoint")
    assert "[uncertain]" in out.message


async def test_verify_empty_list_warns_and_probes():
    empty = httpx.Response(200, json={"payload": []})
    full = httpx.Response(200, json={"payload": [entry("A1PA6795UKMFR9")]})
    async with mock_verify({"na": empty, "eu": empty, "fe": empty}) as http:
        out = await run_verify(http)
    assert out.ok and any("docs#659" in w for w in out.warnings)
    async with mock_verify({"na": empty, "eu": full, "fe": empty}) as http:
        moved = await run_verify(http)
    assert (moved.ok, moved.cause_id, moved.detected_region) == (False,
                                                                 "wrong_region_endpoint", "EU")


async def test_verify_warns_about_marketplaces_outside_the_expected_region():
    mixed = httpx.Response(200, json={"payload": [
        entry("ATVPDKIKX0DER"), entry("A1PA6795UKMFR9"),
        entry("A2EUQ1WTGCTBG2", participation={"isParticipating": False,
                                               "hasSuspendedListings": True})]})
    async with mock_verify({"na": mixed}) as http:
        out = await run_verify(http, expected_region="NA")
    assert out.ok
    joined = " ".join(out.warnings)
    assert "outside NA came back (DE)" in joined and "does not participate in CA" in joined
    assert "suspended listings in CA" in joined


async def test_verify_result_for_the_store():
    ok = httpx.Response(200, json={"payload": [entry("ATVPDKIKX0DER")]})
    async with mock_verify({"na": ok}) as http:
        out = await run_verify(http)
    from datetime import UTC, datetime
    result = out.to_verify_result(datetime(2025, 6, 15, tzinfo=UTC))
    assert result.ok and result.detail == "1 marketplace(s): US"


async def test_a_trickling_sp_api_answer_is_cut_at_the_total_deadline():
    from aiohttp import web

    async def trickle(request):
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for byte in b'{"payload": [' + b" " * 100:
            await response.write(bytes([byte]))
            await asyncio.sleep(0.05)
        return response

    app = web.Application()
    app.router.add_get("/{tail:.*}", trickle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient() as http:
            sp = SpApiClient(http, Endpoints(spapi_base=f"http://127.0.0.1:{port}/spapi"),
                             sleep=Sleeps(), deadline_s=0.6)
            with pytest.raises(SpApiError) as info:
                await sp.marketplace_participations(ACCESS, "NA")
    finally:
        await runner.cleanup()
    err = info.value
    assert err.cause_id == "spapi_unreachable" and err.attempts == 1
    assert "within the 0.6 s deadline" in err.message and "OAUTH_WIZARD_DEADLINE" in err.message
