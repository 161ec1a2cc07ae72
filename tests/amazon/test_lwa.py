"""LWA client: request encoding, response mapping to cause ids, retry policy, no secret leaks.

Wire-level behaviour runs against a tiny aiohttp server on 127.0.0.1; pure mapping cases use
``httpx.MockTransport``. Sleeps are injected, so retry delays are asserted, not waited for.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from urllib.parse import parse_qs

import httpx
import pytest
from aiohttp import web

from oauth_wizard.amazon.lwa import (
    DEFAULT_TOKEN_URL,
    FORM_CONTENT_TYPE,
    LwaClient,
    LwaError,
    LwaNetworkError,
    TokenResponse,
    token_url_from_env,
)

CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "5ec7e7" * 10 + "abcd"
CODE = "ANcodeXYZ+/=&%|seventeen"
REFRESH = "Atzr|IwEBIPlantedRefresh+/=&%|token-value-0123456789"
ACCESS = "Atza|IwEBIPlantedAccessToken-0123456789abcdef"
PLANTED = (SECRET, CODE, REFRESH, ACCESS)
MINTED = "Atzr|IwEBIMintedByTheServer-only_0123456789abcdef"  # a token we never sent

OK_BODY = {"access_token": ACCESS, "refresh_token": REFRESH, "token_type": "bearer",
           "expires_in": 3600}


class Sleeps:
    """A fake ``asyncio.sleep`` that records the delays."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Loopback:
    """An aiohttp app on 127.0.0.1:0 answering from a script and recording requests."""

    def __init__(self) -> None:
        self.script: list = []
        self.requests: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append({"headers": dict(request.headers), "query": request.query_string,
                              "body": body, "path": request.path})
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if callable(step):
            return await step(request, body)
        status, payload = step
        if isinstance(payload, dict):
            return web.json_response(payload, status=status)
        return web.Response(status=status, text=payload, content_type="text/html")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/auth/o2/token"


@pytest.fixture
async def server():
    srv = Loopback()
    await srv.start()
    yield srv
    await srv.runner.cleanup()


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as client:
        yield client


def client_for(http, url, sleeps=None, **kw) -> LwaClient:
    return LwaClient(http, url, sleep=sleeps or Sleeps(), clock=lambda: 1_700_000_000.0, **kw)


def mock_client(handler, *, url="https://lwa.test/auth/o2/token", sleeps=None, **kw):
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return http, client_for(http, url, sleeps, **kw)


# --- request encoding over a real socket ---------------------------------------------------

async def test_code_exchange_sends_form_body_with_escaping(server, http):
    server.script = [(200, OK_BODY)]
    token = await client_for(http, server.url).exchange_code(CODE, CLIENT_ID, SECRET)
    req = server.requests[0]
    assert req["headers"]["Content-Type"] == FORM_CONTENT_TYPE
    assert req["query"] == ""
    assert parse_qs(req["body"].decode(), strict_parsing=True) == {
        "grant_type": ["authorization_code"], "code": [CODE], "client_id": [CLIENT_ID],
        "client_secret": [SECRET]}
    assert b"|" not in req["body"] and b"%7C" in req["body"]
    assert isinstance(token, TokenResponse)
    assert (token.access_token, token.refresh_token, token.expires_in) == (ACCESS, REFRESH, 3600)
    assert token.obtained_at == 1_700_000_000.0 and token.expires_at == 1_700_003_600.0


async def test_redirect_uri_sent_only_when_given(server, http):
    server.script = [(200, OK_BODY)]
    await client_for(http, server.url).exchange_code(
        CODE, CLIENT_ID, SECRET, redirect_uri="https://dev.example.com/cb?x=1&y=2")
    sent = parse_qs(server.requests[0]["body"].decode())
    assert sent["redirect_uri"] == ["https://dev.example.com/cb?x=1&y=2"]


async def test_refresh_and_client_credentials_send_only_their_parameters(server, http):
    server.script = [(200, {**OK_BODY, "refresh_token": None})]
    lwa = client_for(http, server.url)
    token = await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert token.refresh_token is None
    await lwa.client_credentials("sellingpartnerapi::notifications", CLIENT_ID, SECRET)
    refresh, grantless = (parse_qs(r["body"].decode()) for r in server.requests)
    assert refresh == {"grant_type": ["refresh_token"], "refresh_token": [REFRESH],
                       "client_id": [CLIENT_ID], "client_secret": [SECRET]}
    assert grantless == {"grant_type": ["client_credentials"],
                         "scope": ["sellingpartnerapi::notifications"],
                         "client_id": [CLIENT_ID], "client_secret": [SECRET]}


def test_token_repr_masks_tokens():
    token = TokenResponse(ACCESS, REFRESH, "bearer", 3600, 0.0)
    text = repr(token)
    assert ACCESS not in text and REFRESH not in text
    assert "Atzr|IwEB" in text and "Atza|IwEB" in text


def test_token_url_from_env():
    assert token_url_from_env({}) == DEFAULT_TOKEN_URL
    assert token_url_from_env({"OAUTH_WIZARD_LWA_URL": "http://127.0.0.1:9/auth/o2/token"}) \
        == "http://127.0.0.1:9/auth/o2/token"


# --- retries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status,cause", [(500, "amazon_side_issue"),
                                          (503, "amazon_side_issue"), (429, "throttled")])
async def test_5xx_and_429_are_retried_with_backoff_then_reported(server, http, status, cause):
    server.script = [(status, {"error": "server_error" if status != 429 else "throttled",
                               "error_description": "busy"})]
    sleeps = Sleeps()
    with pytest.raises(LwaError) as info:
        await client_for(http, server.url, sleeps).refresh(REFRESH, CLIENT_ID, SECRET)
    assert len(server.requests) == 3
    assert sleeps.delays == [1.0, 2.0]
    err = info.value
    assert (err.status, err.cause_id, err.retryable, err.attempts) == (status, cause, True, 3)
    assert err.history == (f"HTTP {status}",) * 3


async def test_success_after_one_503(server, http):
    server.script = [(503, "<html><title>Service Unavailable</title></html>"), (200, OK_BODY)]
    sleeps = Sleeps()
    token = await client_for(http, server.url, sleeps).refresh(REFRESH, CLIENT_ID, SECRET)
    assert token.access_token == ACCESS
    assert len(server.requests) == 2 and sleeps.delays == [1.0]


async def test_retry_after_is_honoured_and_capped(http):
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "x"}),
                    httpx.Response(429, headers={"Retry-After": "600"}, json={"error": "x"}),
                    httpx.Response(200, json=OK_BODY)])
    sleeps = Sleeps()
    client, lwa = mock_client(lambda req: next(answers), sleeps=sleeps)
    async with client:
        await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert sleeps.delays == [7.0, 30.0]


async def test_retry_after_as_an_http_date_is_honoured(http):
    # the client's clock is 1_700_000_000 (2023-11-14 22:13:20 UTC); the date is 12 s later
    answers = iter([httpx.Response(503, headers={"Retry-After": "Tue, 14 Nov 2023 22:13:32 GMT"},
                                   json={"error": "server_error"}),
                    httpx.Response(200, json=OK_BODY)])
    sleeps = Sleeps()
    client, lwa = mock_client(lambda req: next(answers), sleeps=sleeps)
    async with client:
        await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert sleeps.delays == [12.0]


async def test_a_trickling_answer_is_cut_at_the_total_deadline(server, http):
    async def trickle(request, body):
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for byte in b'{"access_token": "' + b"x" * 100:
            await response.write(bytes([byte]))
            await asyncio.sleep(0.05)  # each read is quick: a read timeout never trips
        return response

    server.script = [trickle]
    lwa = client_for(http, server.url, deadline_s=0.6)
    started = asyncio.get_running_loop().time()
    with pytest.raises(LwaNetworkError) as info:
        await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert asyncio.get_running_loop().time() - started < 3
    err = info.value
    assert "did not finish answering within the 0.6 s deadline" in err.message
    assert "OAUTH_WIZARD_DEADLINE" in err.message and not err.retryable


async def test_no_retry_is_started_that_the_deadline_cannot_hold(http):
    answers = iter([httpx.Response(503, headers={"Retry-After": "20"},
                                   json={"error": "server_error"}),
                    httpx.Response(200, json=OK_BODY)])
    sleeps = Sleeps()
    client, lwa = mock_client(lambda req: next(answers), sleeps=sleeps, deadline_s=5)
    async with client:
        with pytest.raises(LwaError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert sleeps.delays == [] and "No time was left to try again" in info.value.message


async def test_the_deadline_comes_from_the_environment(monkeypatch):
    from oauth_wizard.amazon.retry import deadline_seconds

    assert deadline_seconds({}) == 60
    assert deadline_seconds({"OAUTH_WIZARD_DEADLINE": "12.5"}) == 12.5
    assert deadline_seconds({"OAUTH_WIZARD_DEADLINE": "soon"}) == 60
    assert deadline_seconds({"OAUTH_WIZARD_DEADLINE": "-3"}) == 60


async def test_connection_refused_is_retried_then_network_error(http):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    lwa = client_for(http, f"http://127.0.0.1:{port}/auth/o2/token", sleeps)
    with pytest.raises(LwaNetworkError) as info:
        await lwa.exchange_code(CODE, CLIENT_ID, SECRET)
    err = info.value
    assert (err.error, err.cause_id, err.status, err.attempts) == (
        "network_error", "lwa_unreachable", None, 3)
    assert sleeps.delays == [1.0, 2.0]
    assert "connection refused" in str(err) and f"127.0.0.1:{port}" in str(err)


@pytest.mark.parametrize("status,error", [
    (400, "invalid_grant"), (401, "invalid_client"), (400, "invalid_request"),
    (400, "unsupported_grant_type"), (403, "access_denied")])
async def test_4xx_is_never_retried(server, http, status, error):
    server.script = [(status, {"error": error, "error_description": "no"})]
    sleeps = Sleeps()
    with pytest.raises(LwaError) as info:
        await client_for(http, server.url, sleeps).exchange_code(CODE, CLIENT_ID, SECRET)
    assert len(server.requests) == 1 and sleeps.delays == []
    assert info.value.retryable is False and info.value.attempts == 1


async def test_read_timeout_is_retried_and_reported(server, http):
    async def slow(request, body):
        await asyncio.sleep(1.0)
        return web.json_response(OK_BODY)

    server.script = [slow]
    sleeps = Sleeps()
    lwa = client_for(http, server.url, sleeps, timeout=0.1, max_attempts=2)
    with pytest.raises(LwaNetworkError) as info:
        await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert info.value.error == "timeout" and "no answer within 0.1 s" in str(info.value)
    assert len(server.requests) == 2 and sleeps.delays == [1.0]


async def test_a_code_whose_answer_was_lost_is_not_sent_again(server, http):
    async def slow(request, body):
        await asyncio.sleep(1.0)
        return web.json_response(OK_BODY)

    server.script = [slow, (200, OK_BODY)]
    lwa = client_for(http, server.url, timeout=0.1)
    with pytest.raises(LwaError) as info:
        await lwa.exchange_code(CODE, CLIENT_ID, SECRET)
    err = info.value
    assert err.attempts == 1 and len(server.requests) == 1
    assert "was not sent again" in err.message and "consent again" in err.fix


@pytest.mark.parametrize("answer_", [(503, {"error": "server_error"}), (429, {}), (200, None)],
                         ids=["5xx", "429", "empty-200"])
async def test_the_code_is_exchanged_at_most_once_whatever_fails(server, http, answer_):
    status, body = answer_
    server.script = [(status, body if body is not None else ""), (200, OK_BODY)]
    lwa = client_for(http, server.url)
    with pytest.raises(LwaError) as info:
        await lwa.exchange_code(CODE, CLIENT_ID, SECRET)
    assert len(server.requests) == 1 and info.value.attempts == 1
    assert "was not sent again" in info.value.message
    # the same answers are retried for a refresh (which can be repeated safely)
    server.requests.clear()
    server.script = [(status, body if body is not None else ""), (200, OK_BODY)]
    token = await client_for(http, server.url).refresh(REFRESH, CLIENT_ID, SECRET)
    assert token.access_token and len(server.requests) == 2


async def test_code_exchange_after_refused_connection_is_not_called_ambiguous():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return httpx.Response(400, json={"error": "invalid_grant"})

    client, lwa = mock_client(handler)
    async with client:
        with pytest.raises(LwaError) as info:
            await lwa.exchange_code(CODE, CLIENT_ID, SECRET)
    assert info.value.cause_id == "auth_code_expired_or_reused" and len(calls) == 2
    assert "may already have used" not in str(info.value)


async def test_on_retry_reports_each_retry():
    seen = []
    answers = iter([httpx.Response(502), httpx.Response(200, json=OK_BODY)])
    client, lwa = mock_client(lambda r: next(answers),
                              on_retry=lambda n, d, why: seen.append((n, d, why)))
    async with client:
        await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert seen == [(1, 1.0, "HTTP 502")]


# --- mapping to cause ids --------------------------------------------------------------------

def answer(status, body=None, text=None, headers=None, ctype="text/html"):
    def handler(request):
        if body is not None:
            return httpx.Response(status, json=body, headers=headers)
        return httpx.Response(status, text=text or "", headers={"content-type": ctype,
                                                                  **(headers or {})})
    return handler


GARBLED_SECRET = SECRET[:20] + "\n" + SECRET[20:]


@pytest.mark.parametrize("grant,creds,handler,cause,error", [
    ("code", {}, answer(400, {"error": "invalid_grant"}), "auth_code_expired_or_reused",
     "invalid_grant"),
    ("refresh", {}, answer(400, {"error": "invalid_grant"}), "refresh_token_revoked_or_expired",
     "invalid_grant"),
    ("refresh", {"token": "Atzr|abc def0123456789"}, answer(400, {"error": "invalid_grant"}),
     "credentials_garbled", "invalid_grant"),
    ("refresh", {"token": "IwEBnoPrefix0123456789"}, answer(400, {"error": "invalid_grant"}),
     "credentials_garbled", "invalid_grant"),
    ("code", {}, answer(401, {"error": "invalid_client"}), "client_secret_invalid_or_expired",
     "invalid_client"),
    ("refresh", {"client_id": "amzn1.application-oa2-client.short"},
     answer(401, {"error": "invalid_client"}), "client_id_invalid", "invalid_client"),
    ("refresh", {"secret": GARBLED_SECRET}, answer(401, {"error": "invalid_client"}),
     "credentials_garbled", "invalid_client"),
    ("code", {}, answer(400, {"error": "unsupported_grant_type"}), "token_request_malformed",
     "unsupported_grant_type"),
    ("code", {}, answer(400, {"error": "invalid_request"}), "token_request_malformed",
     "invalid_request"),
    ("grantless", {}, answer(400, {"error": "invalid_scope"}), "grantless_scope_not_allowed",
     "invalid_scope"),
    ("code", {}, answer(200, text="<html><title>Sign in</title></html>"),
     "amazon_side_issue", "invalid_response"),
    ("refresh", {}, answer(200, text=""), "amazon_side_issue", "invalid_response"),
    ("refresh", {}, answer(403, {"message": "Missing Authentication Token"},
                           headers={"x-amzn-ErrorType": "MissingAuthenticationTokenException"}),
     "token_request_wrong_host", "not_lwa"),
    ("refresh", {}, answer(404, text="Not Found", ctype="text/plain"),
     "token_request_wrong_host", "not_lwa"),
    ("refresh", {}, answer(200, {"token_type": "bearer"}), "token_request_wrong_host",
     "invalid_response"),
    ("code", {}, answer(200, {**OK_BODY, "refresh_token": None}), "amazon_side_issue",
     "no_refresh_token"),
    ("refresh", {}, answer(403, {"error": "access_denied"}), "amazon_side_issue",
     "access_denied"),
])
async def test_error_mapping(grant, creds, handler, cause, error):
    client, lwa = mock_client(handler)
    secret = creds.get("secret", SECRET)
    client_id = creds.get("client_id", CLIENT_ID)
    async with client:
        with pytest.raises(LwaError) as info:
            if grant == "code":
                await lwa.exchange_code(CODE, client_id, secret)
            elif grant == "refresh":
                await lwa.refresh(creds.get("token", REFRESH), client_id, secret)
            else:
                await lwa.client_credentials("sellingpartnerapi::nope", client_id, secret)
    err = info.value
    assert (err.cause_id, err.error) == (cause, error)
    assert err.message and err.fix and str(err).startswith(err.message)
    assert "\n" not in err.message


async def test_missing_authentication_token_names_sp_api():
    client, lwa = mock_client(answer(403, {"message": "Missing Authentication Token"}))
    async with client:
        with pytest.raises(LwaError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert "SP-API host" in str(info.value) and "api.amazon.com/auth/o2/token" in str(info.value)


async def test_500_with_query_string_is_malformed_and_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500, json={"error": "server_error"})

    client, lwa = mock_client(handler, url="https://lwa.test/auth/o2/token?grant_type=x")
    async with client:
        with pytest.raises(LwaError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert info.value.cause_id == "token_request_malformed" and len(calls) == 1
    assert "grant_type=x" not in str(info.value)


async def test_gateway_html_5xx_is_retried_as_server_trouble():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    client, lwa = mock_client(handler)
    async with client:
        with pytest.raises(LwaError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert info.value.cause_id == "amazon_side_issue" and len(calls) == 3


async def test_bad_url_scheme_is_reported_without_retry():
    async with httpx.AsyncClient() as http:
        sleeps = Sleeps()
        lwa = client_for(http, "ftp://api.amazon.com/auth/o2/token", sleeps)
        with pytest.raises(LwaError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    assert info.value.cause_id == "token_request_wrong_host" and sleeps.delays == []


# --- no secret in any error or log record ------------------------------------------------------

def echo_everything(status, as_json=True):
    """A hostile or buggy server that reflects the request body and headers back."""
    def handler(request):
        reflected = " ".join((*PLANTED, MINTED)) + " " + request.content.decode()
        reflected += " " + str(dict(request.headers))
        if as_json:
            return httpx.Response(status, json={"error": "invalid_grant",
                                                "error_description": reflected,
                                                "access_token": ACCESS})
        return httpx.Response(status, text=f"<html><title>{reflected}</title></html>")
    return handler


@pytest.mark.parametrize("handler", [echo_everything(400), echo_everything(401),
                                     echo_everything(500), echo_everything(200, as_json=False),
                                     echo_everything(503, as_json=False),
                                     answer(200, {"access_token": ACCESS, "expires_in": "x",
                                                  "refresh_token": REFRESH})])
@pytest.mark.parametrize("grant", ["code", "refresh", "grantless"])
async def test_no_secret_in_errors_or_logs(handler, grant, caplog):
    caplog.set_level(logging.DEBUG)
    client, lwa = mock_client(handler)
    async with client:
        with pytest.raises(LwaError) as info:
            if grant == "code":
                await lwa.exchange_code(CODE, CLIENT_ID, SECRET)
            elif grant == "refresh":
                await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
            else:
                await lwa.client_credentials("sellingpartnerapi::notifications", CLIENT_ID,
                                             SECRET)
    err = info.value
    texts = [str(err), repr(err), err.message, err.fix, err.error_description, err.error,
             *map(str, err.args), *err.history]
    texts += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    # What a server can reflect: what this request sent, plus token-shaped values it minted.
    sent = {"code": (CODE, SECRET), "refresh": (REFRESH, SECRET), "grantless": (SECRET,)}[grant]
    for text in texts:
        for secret in (*sent, ACCESS, MINTED):
            assert secret not in text
            assert secret.replace("|", "%7C") not in text
    assert err.__cause__ is None and err.__suppress_context__


async def test_no_secret_in_network_error(caplog):
    caplog.set_level(logging.DEBUG)

    def handler(request):
        raise httpx.ReadTimeout(f"timed out sending {request.content!r}", request=request)

    client, lwa = mock_client(handler)
    async with client:
        with pytest.raises(LwaNetworkError) as code_error:
            await lwa.exchange_code(CODE, CLIENT_ID, SECRET)  # sent once: no retry to log
        with pytest.raises(LwaNetworkError) as info:
            await lwa.refresh(REFRESH, CLIENT_ID, SECRET)
    texts = [str(info.value), repr(info.value), info.value.error_description,
             str(code_error.value), repr(code_error.value)]
    texts += [r.getMessage() for r in caplog.records]
    assert caplog.records, "retries are logged"
    for text in texts:
        for secret in PLANTED:
            assert secret not in text
