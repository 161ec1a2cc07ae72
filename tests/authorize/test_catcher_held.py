"""What the catcher tells its front end and the browser on its rarer paths, over real loopback
sockets (issue 14): legs after the attempt ended, the events' fields (peer, callback host,
region, the catcher's own clock), refusals shown first one by one and then every 100th, an
error= without any state, aiohttp's dropped log records, and idle connections counted once."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import httpx
import pytest

from oauth_wizard.authorize import catcher as catcher_mod
from oauth_wizard.authorize import catcher_guard, legs
from oauth_wizard.authorize.catcher import Catcher
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.events import CodeReceived, LoginLegReceived, Refused
from oauth_wizard.core.records import PendingState

CALLBACK = "https://sellercentral.amazon.co.uk/apps/authorize/confirm/amzn1.sp.solution.abc"
CODE = "ANdNAVhyhqirUelHGEHA"
URI = "https://localhost/cb"
NOW = 1_800_000_000.0


def login_query(callback: str = CALLBACK) -> str:
    return urlencode({"amazon_callback_uri": callback, "amazon_state": "amz-1",
                      "selling_partner_id": "A3SELLER1"})


@pytest.fixture
async def caught():
    """A plain-HTTP catcher on its own clock, its events in a list, and a client."""
    pending = PendingState(new_state(), redirect_uri=URI, expires_at=NOW + 600)
    events: list = []
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0, on_event=events.append,
                      clock=lambda: NOW, simulator_portal_base="http://localhost:9")
    await catcher.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
        yield catcher, client, events
    await catcher.stop()


async def test_after_amazon_refused_this_attempt_both_legs_are_told_it_has_ended(caught):
    catcher, client, _ = caught
    await client.get("/cb", params={"state": catcher.pending.state, "error": "access_denied"})
    with pytest.raises(legs.AmazonRefused):
        await catcher.wait(1)
    for query in (login_query(), urlencode({"state": catcher.pending.state,
                                            "selling_partner_id": "A1",
                                            "spapi_oauth_code": CODE})):
        late = await client.get("/cb?" + query)
        assert late.status_code == 409 and "location" not in late.headers


async def test_an_error_without_any_state_is_refused_and_the_catcher_waits_on(caught):
    catcher, client, events = caught
    forged = await client.get("/cb", params={"error": "access_denied"})
    assert forged.status_code != 200
    assert [e for e in events if isinstance(e, Refused)]
    good = await client.get("/cb", params={"state": catcher.pending.state,
                                           "selling_partner_id": "A1", "spapi_oauth_code": CODE})
    assert good.status_code == 200 and (await catcher.wait(2)).code == CODE


async def test_a_refused_login_leg_names_the_address_it_came_from(caught):
    _, client, events = caught
    await client.get("/cb?" + login_query("https://evil.example/x"))
    (refused,) = [e for e in events if isinstance(e, Refused)]
    assert refused.peer == "127.0.0.1" and refused.count == 1


async def test_a_login_leg_event_carries_the_callback_host_and_region(caught):
    _, client, events = caught
    sent = await client.get("/cb?" + login_query())
    assert sent.status_code == 302
    (received,) = [e for e in events if isinstance(e, LoginLegReceived)]
    assert (received.callback_host, received.region) == ("sellercentral.amazon.co.uk", "EU")


async def test_a_simulated_callback_without_a_portal_host_has_no_region(caught):
    _, client, events = caught
    sent = await client.get("/cb?" + login_query(
        "http://localhost:9/apps/authorize/confirm/amzn1.sp.solution.abc"))
    assert sent.status_code == 302
    (received,) = [e for e in events if isinstance(e, LoginLegReceived)]
    assert (received.callback_host, received.region) == ("localhost:9", None)


async def test_the_code_is_stamped_with_the_catchers_own_clock(caught):
    catcher, client, events = caught
    await client.get("/cb", params={"state": catcher.pending.state, "selling_partner_id": "A1",
                                    "spapi_oauth_code": CODE})
    (code,) = [e for e in events if isinstance(e, CodeReceived)]
    assert code.received_at == NOW


def test_refusals_are_shown_one_by_one_then_every_hundredth():
    events: list = []
    catcher = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True, port=0,
                      on_event=events.append)
    for _ in range(250):
        catcher._refuse("junk", None)
    shown = [e.count for e in events]
    assert shown == [*range(1, catcher_mod.REFUSALS_SHOWN + 1), 100, 200]
    assert catcher.refused == 250 and events[0].peer == "an unknown address"


def test_each_dropped_aiohttp_record_is_counted_once():
    catcher_mod.quiet_server_logs()
    before = catcher_mod._Dropped.count
    logging.getLogger("aiohttp.server").error("Error handling request")
    assert catcher_mod._Dropped.count == before + 1


async def test_one_silent_connection_is_closed_and_counted_once(monkeypatch):
    monkeypatch.setattr(catcher_guard, "IDLE_S", 0.2)
    monkeypatch.setattr(catcher_guard, "LIFETIME_S", 5.0)
    catcher = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True, port=0)
    await catcher.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", catcher.port)
        assert await asyncio.wait_for(reader.read(), 3) == b""
        writer.close()
        assert catcher.server.closed_idle == 1
    finally:
        await catcher.stop()
