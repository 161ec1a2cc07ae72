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


async def test_every_page_is_utf8_html_coloured_by_its_tone(caught):
    catcher, client, _ = caught
    waiting = await client.get("/cb")            # info: nothing to catch on this address
    refused = await client.get("/cb?" + login_query("https://evil.example/x"))  # bad
    done = await client.get("/cb", params={"state": catcher.pending.state,
                                           "selling_partner_id": "A1", "spapi_oauth_code": CODE})
    for page, colour in ((waiting, "#1f4e99"), (refused, "#b3261e"), (done, "#0a7d32")):
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert f"color:{colour}" in page.text
    assert "now.</p><p>You can close" in done.text  # a paragraph per line, nothing between


async def test_refusals_of_the_method_the_path_and_the_query_name_the_peer(caught):
    catcher, client, events = caught
    await client.post("/cb")
    await client.get("/elsewhere")
    await client.get(f"/cb?state={catcher.pending.state}&state=x&error=access_denied")
    refused = [e for e in events if isinstance(e, Refused)]
    assert [e.peer for e in refused] == ["127.0.0.1"] * 3
    assert "malformed" in refused[2].what
    assert not catcher._result.done()  # a malformed query never ends the attempt


async def test_a_catcher_never_started_or_stopped_twice_stops_quietly():
    catcher = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True, port=0)
    await catcher.stop()
    await catcher.start()
    await catcher.stop()
    await catcher.stop()


async def test_after_a_failed_bind_the_catcher_says_it_is_not_listening():
    first = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True, port=0)
    await first.start()
    try:
        second = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True,
                         port=first.port)
        with pytest.raises(catcher_mod.PortBusyError):
            await second.start()
        with pytest.raises(catcher_mod.CatcherConfigError):
            await second.wait(0.1)
    finally:
        await first.stop()


async def test_the_listening_event_names_both_registered_uris():
    events: list = []
    login = "https://localhost/login"
    catcher = Catcher(login, URI, pending=PendingState(new_state()), plain_http=True, port=0,
                      on_event=events.append)
    event = await catcher.start()
    await catcher.stop()
    assert (event.login_uri, event.redirect_uri) == (login, URI) and events == [event]


async def test_uris_without_a_path_are_served_on_the_root():
    catcher = Catcher("https://localhost", "https://localhost", plain_http=True, port=0,
                      pending=PendingState(new_state()))
    await catcher.start()
    try:
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{catcher.port}/")
        assert page.status_code == 400 and "Waiting for Amazon" in page.text
    finally:
        await catcher.stop()


@pytest.mark.parametrize(("uri", "local"), [("https://localhost/cb", "https://127.0.0.1:443/cb"),
                                            ("http://localhost/cb", "http://127.0.0.1:80/cb")])
def test_a_uri_without_a_port_listens_on_its_schemes_port(uri, local, tmp_path):
    from oauth_wizard.authorize import tls
    context = tls.ensure_cert(tmp_path, "localhost").ssl_context() \
        if uri.startswith("https") else None
    assert Catcher(uri, uri, pending=PendingState(new_state()),
                   ssl_context=context).local_url == local


async def test_plain_http_never_speaks_tls_even_when_given_a_certificate(tmp_path):
    from oauth_wizard.authorize import tls
    context = tls.ensure_cert(tmp_path, "localhost").ssl_context()
    catcher = Catcher(URI, URI, pending=PendingState(new_state()), plain_http=True, port=0,
                      ssl_context=context)
    assert catcher.local_url.startswith("http://")
    await catcher.start()
    try:
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{catcher.port}/cb")
        assert page.status_code == 400
    finally:
        await catcher.stop()


def test_quieting_aiohttp_takes_only_its_loggers_once():
    catcher_mod.quiet_server_logs()
    catcher_mod.quiet_server_logs()
    for name in catcher_mod.SERVER_LOGGERS:
        logger = logging.getLogger(name)
        assert sum(isinstance(h, catcher_mod._Dropped) for h in logger.handlers) == 1
        assert logger.propagate is False
    assert not any(isinstance(h, catcher_mod._Dropped) for h in logging.getLogger().handlers)
