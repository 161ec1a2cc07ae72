"""The catcher over real loopback sockets: both legs, plain and TLS, and every way it says no."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import ssl
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from aiohttp import web

from oauth_wizard.authorize import catcher as catcher_mod
from oauth_wizard.authorize import legs, tls
from oauth_wizard.authorize.catcher import (
    Catcher,
    CatcherConfigError,
    CatcherError,
    CatchTimeout,
    HostNotLocalError,
    PortBusyError,
    PrivilegedPortError,
    check_host_resolves_here,
)
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.events import (
    CodeReceived,
    Listening,
    LoginLegReceived,
    Refused,
    SentBackToAmazon,
)
from oauth_wizard.core.records import PendingState

CALLBACK = "https://sellercentral.amazon.co.uk/apps/authorize/confirm/amzn1.sp.solution.abc"
CODE = "ANdNAVhyhqirUelHGEHA"
URI = "https://localhost/cb"


def login_query(**overrides: str | None) -> str:
    params = {"amazon_callback_uri": CALLBACK, "amazon_state": "amz-1",
              "selling_partner_id": "A3SELLER1", "version": "beta"}
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v is not None})


def redirect_query(state: str | None, **overrides: str | None) -> str:
    params = {"state": state, "selling_partner_id": "A3SELLER1", "spapi_oauth_code": CODE}
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v is not None})


@pytest.fixture
def pending() -> PendingState:
    return PendingState(new_state(), redirect_uri=URI)


@pytest.fixture
async def plain(pending):
    """A catcher behind a (pretend) tunnel: plain HTTP on 127.0.0.1, one path for both legs."""
    events: asyncio.Queue = asyncio.Queue()
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0, on_event=events)
    await catcher.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
        yield catcher, client, events
    await catcher.stop()


def drain(queue: asyncio.Queue) -> list:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


def assert_safe_headers(response: httpx.Response) -> None:
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


async def test_both_legs_on_one_path_over_plain_http(plain, pending):
    catcher, client, events = plain
    assert catcher.local_url.startswith("http://127.0.0.1:")
    login = await client.get("/cb?" + login_query())
    assert login.status_code == 302
    assert_safe_headers(login)
    target = login.headers["location"]
    assert target.startswith(CALLBACK + "?")
    assert parse_qs(urlsplit(target).query) == {
        "amazon_state": ["amz-1"], "state": [pending.state], "redirect_uri": [URI],
        "version": ["beta"]}

    done = await client.get("/cb?" + redirect_query(pending.state))
    assert done.status_code == 200 and "Authorized" in done.text
    assert_safe_headers(done)
    assert CODE not in done.text and CODE[:5] not in done.text
    leg = await catcher.wait(1)
    assert (leg.code, leg.selling_partner_id) == (CODE, "A3SELLER1")

    kinds = drain(events)
    assert [type(e) for e in kinds] == [Listening, LoginLegReceived, SentBackToAmazon,
                                        CodeReceived]
    assert kinds[1].region == "EU" and kinds[1].beta
    assert kinds[3].masked_code == "ANdN\u2026"
    assert all(CODE not in repr(e) and CODE not in e.message for e in kinds)


async def test_reload_after_success_says_the_code_was_single_use(plain, pending):
    catcher, client, events = plain
    await client.get("/cb?" + redirect_query(pending.state))
    again = await client.get("/cb?" + redirect_query(pending.state))
    assert again.status_code == 200 and "only once" in again.text
    assert CODE not in again.text
    assert_safe_headers(again)
    assert (await catcher.wait(1)).code == CODE
    assert [type(e) for e in drain(events)].count(CodeReceived) == 1


async def test_both_legs_over_tls_with_the_generated_certificate(tmp_path, pending):
    cert = tls.ensure_cert(tmp_path / "tls", "localhost")
    events: list = []
    catcher = Catcher("https://localhost/login", URI, pending=pending,
                      ssl_context=cert.ssl_context(), port=0, on_event=events.append)
    verify = ssl.create_default_context(cafile=str(cert.cert_path))
    async with catcher, httpx.AsyncClient(verify=verify) as client:
        base = f"https://localhost:{catcher.port}"
        assert catcher.local_url == f"https://127.0.0.1:{catcher.port}/cb"
        login = await client.get(f"{base}/login?" + login_query(version=None))
        assert login.status_code == 302 and "version" not in login.headers["location"]
        wrong_path = await client.get(f"{base}/login/?" + redirect_query(pending.state))
        assert wrong_path.status_code == 404
        done = await client.get(f"{base}/cb?" + redirect_query(pending.state,
                                                                mws_auth_token="amzn.mws.x"))
        assert done.status_code == 200 and CODE not in done.text
        assert_safe_headers(done)
        leg = await catcher.wait(1)
    assert leg.mws_auth_token == "amzn.mws.x"
    assert isinstance(events[-1], CodeReceived) and events[-1].has_mws_auth_token


@pytest.mark.parametrize("callback", [
    "http://sellercentral.amazon.co.uk/apps/authorize/confirm/x",
    "https://attacker.example/apps/authorize/confirm/x",
    "https://sellercentral.amazon.co.uk.attacker.example/apps/authorize/confirm/x",
    "https://sellercentral-amazon.co.uk/apps/authorize/confirm/x",
    "javascript:alert(1)",
])
async def test_open_redirect_attempts_get_a_refusal_page_not_a_redirect(plain, callback):
    catcher, client, events = plain
    response = await client.get("/cb?" + login_query(amazon_callback_uri=callback))
    assert response.status_code == 400 and "location" not in response.headers
    assert "open-redirect" in response.text and "<script" not in response.text
    assert_safe_headers(response)
    with pytest.raises(CatchTimeout):  # refused, and the listener goes on waiting
        await catcher.wait(0.05)
    refused = drain(events)[-1]
    assert isinstance(refused, Refused) and "amazon_callback_uri" in refused.message
    assert catcher.refused == 1


async def test_login_leg_with_empty_callback_fails_but_absent_callback_is_just_a_visit(plain):
    catcher, client, _ = plain
    visit = await client.get("/cb?" + login_query(amazon_callback_uri=None))
    assert visit.status_code == 400 and "Waiting for Amazon" in visit.text
    bare = await client.get("/cb")
    assert "Waiting for Amazon" in bare.text
    with pytest.raises(CatchTimeout):
        await catcher.wait(0.01)
    empty = await client.get("/cb?" + login_query(amazon_callback_uri=""))
    assert empty.status_code == 400 and "amazon_callback_uri" in empty.text
    with pytest.raises(CatchTimeout):  # anyone can send that: refused, still waiting
        await catcher.wait(0.05)
    assert catcher.refused == 1


async def test_a_forged_state_is_refused_and_the_genuine_redirect_still_completes(plain,
                                                                                  pending):
    catcher, client, events = plain
    for _ in range(5):  # any local process or web page can send these
        forged = await client.get("/cb?" + redirect_query(new_state()))
        assert forged.status_code == 400 and "state" in forged.text and CODE not in forged.text
    with pytest.raises(CatchTimeout):
        await catcher.wait(0.05)
    assert not pending.used and catcher.refused == 5
    refusals = [e for e in drain(events) if isinstance(e, Refused)]
    assert [e.count for e in refusals] == [1, 2, 3]  # then quiet until the 100th
    assert "wrong state" in refusals[0].message and "127.0.0.1" in refusals[0].message
    genuine = await client.get("/cb?" + redirect_query(pending.state))
    assert genuine.status_code == 200
    assert (await catcher.wait(1)).code == CODE and pending.used


async def test_an_error_without_this_attempts_state_does_not_end_it(plain, pending):
    catcher, client, _ = plain
    forged = await client.get("/cb?" + urlencode({"error": "access_denied"}))
    assert forged.status_code == 400
    with pytest.raises(CatchTimeout):
        await catcher.wait(0.05)
    assert catcher.refused == 1


async def test_a_missing_state_is_refused_with_the_login_uri_cause_on_its_page(plain):
    catcher, client, events = plain
    response = await client.get("/cb?" + redirect_query(None))
    assert response.status_code == 400 and "login_uri_not_handled" in response.text
    with pytest.raises(CatchTimeout):
        await catcher.wait(0.05)
    assert "no state" in drain(events)[-1].message


async def test_amazon_error_is_surfaced_and_escaped(plain, pending):
    catcher, client, events = plain
    query = urlencode({"state": pending.state, "error": "access_denied",
                       "error_description": "<b>denied</b>"})
    response = await client.get("/cb?" + query)
    assert response.status_code == 400
    assert "&lt;b&gt;denied&lt;/b&gt;" in response.text and "<b>denied" not in response.text
    with pytest.raises(legs.AmazonRefused) as caught:
        await catcher.wait(1)
    assert caught.value.error == "access_denied"
    assert drain(events)[-1].error is caught.value


async def test_other_paths_favicon_and_methods(plain):
    catcher, client, _ = plain
    for path in ("/", "/favicon.ico", "/cb/extra", "/CB"):
        response = await client.get(path)
        assert response.status_code == 404
        assert_safe_headers(response)
    post = await client.post("/cb?" + redirect_query("x"))
    assert post.status_code == 405 and post.headers["allow"] == "GET"
    with pytest.raises(CatchTimeout):
        await catcher.wait(0.01)


async def test_simulator_callbacks_are_followed_when_configured(pending):
    sim = "http://127.0.0.1:8400"
    callback = f"{sim}/sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.abc"
    async with Catcher(URI, URI, pending=pending, plain_http=True, port=0,
                       simulator_portal_base=sim) as catcher:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{catcher.port}/cb?"
                                        + login_query(amazon_callback_uri=callback))
    assert response.status_code == 302 and response.headers["location"].startswith(callback)


async def test_timeout_is_typed_and_names_the_redirect_uri(plain):
    catcher, _, _ = plain
    with pytest.raises(CatchTimeout) as caught:
        await catcher.wait(0.05)
    assert URI in str(caught.value) and "--paste" in str(caught.value)


async def test_busy_port_names_the_port_and_the_ways_out(pending):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        registered = f"http://localhost:{port}/cb"
        with pytest.raises(PortBusyError) as caught:
            await Catcher(registered, registered, pending=pending).start()
        text = str(caught.value)
        assert f"Port {port}" in text and registered in text
        assert "--plain-http --port" in text and "--paste" in text
        with pytest.raises(PortBusyError, match=f"--port {port}"):
            await Catcher(URI, URI, pending=pending, plain_http=True, port=port).start()


def test_privileged_port_gets_its_own_advice():
    error = catcher_mod.bind_error(OSError(errno.EACCES, "Permission denied"), 443, URI, False)
    assert isinstance(error, PrivilegedPortError)
    assert "Port 443" in str(error) and URI in str(error) and "--paste" in str(error)
    other = catcher_mod.bind_error(OSError(errno.EACCES, "Permission denied"), 8443, URI, True)
    assert type(other) is CatcherError and "8443" in str(other)


async def test_cancelling_the_wait_ends_cleanly_and_frees_the_port(pending):
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0)
    await catcher.start()
    waiter = asyncio.create_task(catcher.wait(30))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await catcher.stop()
    await catcher.stop()
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", catcher.port))


async def test_stop_while_waiting_cancels_the_waiter(pending):
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0)
    await catcher.start()
    waiter = asyncio.create_task(catcher.wait(30))
    await asyncio.sleep(0.01)
    await catcher.stop()
    with pytest.raises(asyncio.CancelledError):
        await waiter


def test_configuration_errors_are_caught_up_front(pending):
    with pytest.raises(CatcherConfigError, match="same http"):
        Catcher("https://a.example/login", "https://b.example/cb", pending=pending)
    with pytest.raises(CatcherConfigError, match="certificate"):
        Catcher(URI, URI, pending=pending)


# Does the registered host reach this machine? -------------------------------------------------

def test_localhost_resolves_here():
    assert "127.0.0.1" in check_host_resolves_here("localhost")
    assert check_host_resolves_here("127.0.0.1") == ("127.0.0.1",)


def test_unresolvable_host_gets_the_exact_hosts_line():
    with pytest.raises(HostNotLocalError) as caught:
        check_host_resolves_here("spapi-dev.invalid", platform="linux")
    text = str(caught.value)
    assert "'127.0.0.1 spapi-dev.invalid'" in text and "/etc/hosts" in text
    assert "--plain-http" in text and "--paste" in text
    with pytest.raises(HostNotLocalError, match=r"C:\\Windows\\System32\\drivers\\etc\\hosts"):
        check_host_resolves_here("spapi-dev.invalid", platform="win32")


def fake_resolver(*addresses: str):
    def resolve(host, port, type=0):  # noqa: A002 - mirrors socket.getaddrinfo
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in addresses]
    return resolve


@pytest.mark.parametrize(("addresses", "says"), [
    (("93.184.216.34",), "not to this machine"),
    (("127.0.0.1", "93.184.216.34"), "not to this machine"),
    (("127.0.1.1",), "listens on 127.0.0.1 only"),
    (("::1",), "listens on 127.0.0.1 only"),
])
def test_hosts_that_resolve_elsewhere_are_refused(addresses, says):
    with pytest.raises(HostNotLocalError, match=says) as caught:
        check_host_resolves_here("dev.example.com", resolver=fake_resolver(*addresses))
    assert "'127.0.0.1 dev.example.com'" in str(caught.value)
    assert check_host_resolves_here("dev.example.com",
                                    resolver=fake_resolver("127.0.0.1", "::1"))


def test_non_local_ip_uri_is_refused():
    with pytest.raises(HostNotLocalError, match="listens on 127.0.0.1 only"):
        check_host_resolves_here("10.0.0.5")


async def test_start_checks_the_host_before_listening(tmp_path, pending):
    cert = tls.ensure_cert(tmp_path, "spapi-dev.invalid")
    uri = "https://spapi-dev.invalid/cb"
    catcher = Catcher(uri, uri, pending=pending, ssl_context=cert.ssl_context(), port=0)
    with pytest.raises(HostNotLocalError, match="127.0.0.1 spapi-dev.invalid"):
        await catcher.start()
    assert catcher.port is None


def test_plain_http_needs_the_port_the_tunnel_forwards_to(pending):
    with pytest.raises(CatcherConfigError, match="--port"):
        Catcher(URI, URI, pending=pending, plain_http=True)
    with pytest.raises(CatcherConfigError, match="no host name"):
        Catcher("https:///cb", "https:///cb", pending=pending, plain_http=True, port=0)


async def test_a_browser_following_redirects_goes_through_both_legs(pending):
    """A stand-in for Amazon's confirm step, on another loopback port, closes the loop."""
    seen: dict = {}

    async def confirm(request: web.Request) -> web.Response:
        seen.update(request.query)
        back = urlencode({"state": request.query["state"], "selling_partner_id": "A3SELLER1",
                          "spapi_oauth_code": CODE})
        return web.Response(status=302, headers={"Location": f"{catcher_url}?{back}"})

    app = web.Application()
    app.router.add_get("/sellercentral.amazon.com/apps/authorize/confirm/{app_id}", confirm)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sim = f"http://127.0.0.1:{runner.addresses[0][1]}"
    callback = f"{sim}/sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.abc"
    try:
        async with Catcher(URI, URI, pending=pending, plain_http=True, port=0,
                           simulator_portal_base=sim) as catcher:
            catcher_url = f"http://127.0.0.1:{catcher.port}/cb"
            async with httpx.AsyncClient(follow_redirects=True) as browser:
                final = await browser.get(f"{catcher_url}?"
                                          + login_query(amazon_callback_uri=callback))
            leg = await catcher.wait(1)
    finally:
        await runner.cleanup()
    assert seen == {"amazon_state": "amz-1", "state": pending.state, "redirect_uri": URI,
                    "version": "beta"}
    assert final.status_code == 200 and "Authorized" in final.text and CODE not in final.text
    assert leg.code == CODE and pending.used


async def test_an_oversized_request_line_gets_no_traceback_and_the_catcher_waits_on(
        plain, pending, caplog):
    catcher, client, _ = plain
    before = catcher_mod._Dropped.count
    reader, writer = await asyncio.open_connection("127.0.0.1", catcher.port)
    writer.write(b"GET /cb?state=" + b"x" * 20_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 400 " in status  # refused by aiohttp's own size limit
    for name in catcher_mod.SERVER_LOGGERS:  # nothing of it may reach a terminal
        assert not logging.getLogger(name).propagate
    assert not [r for r in caplog.records if r.name.startswith("aiohttp")]
    assert catcher_mod._Dropped.count > before  # what aiohttp said was taken, not printed
    genuine = await client.get("/cb?" + redirect_query(pending.state))
    assert genuine.status_code == 200 and (await catcher.wait(1)).code == CODE


async def test_a_relative_callback_is_resolved_against_the_consent_portal(pending):
    events: asyncio.Queue = asyncio.Queue()
    catcher = Catcher(URI, URI, pending=pending, plain_http=True, port=0, on_event=events,
                      consent_base="https://sellercentral.amazon.co.uk")
    async with catcher, httpx.AsyncClient(base_url=f"http://127.0.0.1:{catcher.port}") as client:
        relative = "/apps/authorize/confirm/amzn1.sp.solution.x"
        response = await client.get("/cb?" + login_query(amazon_callback_uri=relative))
        assert response.status_code == 302
        assert response.headers["location"].startswith(
            "https://sellercentral.amazon.co.uk/apps/authorize/confirm/amzn1.sp.solution.x?")
        # a scheme-relative one is another host: refused, as before
        other = await client.get("/cb?" + login_query(
            amazon_callback_uri="//attacker.example/apps/authorize/confirm/x"))
        assert other.status_code == 400 and catcher.refused == 1
