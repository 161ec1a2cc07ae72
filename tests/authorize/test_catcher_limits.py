"""What one client may cost the catcher, over real loopback sockets: sizes, held connections,
a connection flood, and bodies; after each, the genuine redirect still completes."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from oauth_wizard.authorize import catcher_guard
from oauth_wizard.authorize.catcher import Catcher
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.records import PendingState

URI = "https://localhost/cb"
CODE = "ANdNAVhyhqirUelHGEHA"


@pytest.fixture
def pending() -> PendingState:
    return PendingState(new_state(), redirect_uri=URI)


@pytest.fixture
async def catcher(pending):
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0)
    await catcher.start()
    yield catcher
    await catcher.stop()


async def genuine_completes(catcher: Catcher, pending: PendingState) -> bool:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
        response = await client.get(
            "/cb", params={"state": pending.state, "selling_partner_id": "A3SELLER1",
                           "spapi_oauth_code": CODE})
    return response.status_code == 200 and (await catcher.wait(2)).code == CODE


async def raw(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    return answer


# On a path the catcher does not serve: parsed, such a request would get the catcher's own 404
# page, so a 400 here is the parser's refusal by size (aiohttp's own limits are about twice ours).
@pytest.mark.parametrize("request_bytes", [
    b"GET /elsewhere?" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /elsewhere HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 5000 + b"\r\n\r\n",
    b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n"
    + b"".join(b"X-%d: 1\r\n" % i for i in range(80)) + b"\r\n",
], ids=["request-line", "header-field", "header-count"])
async def test_oversized_requests_are_refused_by_size(catcher, pending, request_bytes):
    answer = await raw(catcher.port, request_bytes)
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request") and b"Traceback" not in answer
    assert b"redirect catcher" not in answer and catcher.refused == 0
    assert await genuine_completes(catcher, pending)


async def test_a_request_just_under_the_limits_is_answered_by_the_catcher(catcher, pending):
    answer = await raw(catcher.port, b"GET /elsewhere?" + b"a" * 3000 + b" HTTP/1.1\r\nHost: x"
                       b"\r\nCookie: " + b"c" * 3000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404") and catcher.refused == 1


async def test_a_connection_that_keeps_trickling_is_closed_at_its_lifetime(catcher, monkeypatch):
    monkeypatch.setattr(catcher_guard, "IDLE_S", 0.5)
    monkeypatch.setattr(catcher_guard, "LIFETIME_S", 1.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", catcher.port)
    writer.write(b"GET /cb HTTP/1.1\r\nX-Slow: ")
    started = asyncio.get_running_loop().time()
    while not reader.at_eof() and asyncio.get_running_loop().time() - started < 4:
        writer.write(b"x")  # a byte every 0.1 s: never idle, never finished
        await asyncio.sleep(0.1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.001)
    assert reader.at_eof() and asyncio.get_running_loop().time() - started < 3
    writer.close()
    assert catcher.server.closed_idle == 1


async def test_each_connection_over_the_cap_closes_exactly_one(catcher):
    held = [await asyncio.open_connection("127.0.0.1", catcher.port)
            for _ in range(catcher_guard.MAX_CONNECTIONS + 1)]
    for _ in range(50):
        if catcher.server.closed_over_cap:
            break
        await asyncio.sleep(0.02)
    assert catcher.server.closed_over_cap == 1
    for _, writer in held:
        writer.close()


async def test_a_body_is_never_read_and_the_method_refused(catcher, pending):
    answer = await raw(catcher.port, b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Length: "
                       b"100000000\r\n\r\n" + b"z" * 1000)
    assert answer.startswith(b"HTTP/1.1 405") and catcher.refused == 1
    assert await genuine_completes(catcher, pending)


async def test_a_silent_or_trickling_connection_is_closed(catcher, pending, monkeypatch):
    monkeypatch.setattr(catcher_guard, "IDLE_S", 0.3)
    monkeypatch.setattr(catcher_guard, "LIFETIME_S", 1.0)
    silent_r, silent_w = await asyncio.open_connection("127.0.0.1", catcher.port)
    trickle_r, trickle_w = await asyncio.open_connection("127.0.0.1", catcher.port)
    trickle_w.write(b"GET /cb HTTP/1.1\r\n")
    for _ in range(8):  # one header byte every 0.2 s: never idle, never finished
        await asyncio.sleep(0.2)
        if trickle_r.at_eof():
            break
        trickle_w.write(b"X")
    assert await asyncio.wait_for(silent_r.read(), 3) == b""  # closed by the catcher
    assert await asyncio.wait_for(trickle_r.read(), 3) in (b"",) or trickle_r.at_eof()
    silent_w.close()
    trickle_w.close()
    assert catcher.server.closed_idle >= 2
    assert await genuine_completes(catcher, pending)


async def test_a_pile_of_held_connections_cannot_keep_the_browser_out(catcher, pending):
    held = [await asyncio.open_connection("127.0.0.1", catcher.port)
            for _ in range(catcher_guard.MAX_CONNECTIONS * 2)]
    await asyncio.sleep(0.1)
    assert len(catcher.server.connections) <= catcher_guard.MAX_CONNECTIONS
    assert catcher.server.closed_over_cap >= catcher_guard.MAX_CONNECTIONS
    assert await genuine_completes(catcher, pending)
    for _, writer in held:
        writer.close()
