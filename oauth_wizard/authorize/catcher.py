"""The redirect catcher: one listener on 127.0.0.1 that serves both legs of the authorization.

Amazon sends the browser first to the Login URI (we bounce it back to ``amazon_callback_uri``),
then to the Redirect URI (the code arrives). Both are registered https URIs, usually on one host
and often the same path, so one listener on their port serves both and tells the legs apart by
their parameters (spapi-authorization.md §1.2, §1.4, §9). The checks themselves live in
``legs.py`` so paste-back applies exactly the same ones. Start it before the browser opens.
"""

from __future__ import annotations

import asyncio
import html
import logging
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from oauth_wizard.authorize import legs
from oauth_wizard.authorize.catcher_checks import (
    BIND_HOST,
    CatcherConfigError,
    CatcherError,
    CatchTimeout,
    HostNotLocalError,
    PortBusyError,
    PrivilegedPortError,
    bind_error,
    check_host_resolves_here,
)
from oauth_wizard.authorize.catcher_guard import GuardedServer
from oauth_wizard.authorize.legs import LegError, RedirectLeg
from oauth_wizard.core.events import (
    CatcherEvent,
    CodeReceived,
    Failed,
    Listening,
    LoginLegReceived,
    Refused,
    SentBackToAmazon,
)
from oauth_wizard.core.masking import mask_code
from oauth_wizard.core.records import PendingState

__all__ = [
    "BIND_HOST", "CatchTimeout", "Catcher", "CatcherConfigError", "CatcherError",
    "HostNotLocalError", "PortBusyError", "PrivilegedPortError", "bind_error",
    "check_host_resolves_here",
]

SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}


EventSink = Callable[[CatcherEvent], object] | asyncio.Queue


REFUSALS_SHOWN = 3  # refused requests named one by one on the timeline; then every 100th
REFUSAL_WORDS = {
    "state_mismatch": "a wrong state", "state_missing": "no state",
    "callback_refused": "an amazon_callback_uri that is not Amazon's",
    "malformed_query": "a malformed query", "missing_parameter": "a missing parameter",
    "amazon_error": "an error= without this attempt's state",
}
SERVER_LOGGERS = ("aiohttp.server", "aiohttp.access", "aiohttp.web", "aiohttp.internal",
                  "aiohttp.websocket")


class _Dropped(logging.Handler):
    """Takes aiohttp's own log records so none reaches the terminal (Python's last-resort
    handler would print a traceback echoing the request); they are only counted."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        _Dropped.count += 1


def quiet_server_logs() -> None:
    """Route aiohttp's server loggers to a handler that drops what they say (once)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _Dropped) for h in logger.handlers):
            logger.addHandler(_Dropped())
        logger.propagate = False


def _carries_state(query: str, pending: PendingState) -> bool:
    """True when the query's ``state`` is this attempt's (compared in constant time)."""
    try:
        received = legs.parse_query(query).get("state")
    except LegError:
        return False
    return bool(received) and legs.state_matches(pending.state, received)


def _page(status: int, title: str, lines: list[str], tone: str) -> web.Response:
    color = {"ok": "#0a7d32", "bad": "#b3261e", "info": "#1f4e99"}[tone]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    text = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'>"
        f"<title>oauth-wizard: {html.escape(title)}</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;"
        f"padding:0 1em}}h1{{color:{color};font-size:1.5em}}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}<p><small>oauth-wizard</small></p></body></html>")
    return web.Response(status=status, text=text, content_type="text/html", charset="utf-8")


def _failure_page(error: LegError) -> web.Response:
    lines = [error.message]
    if error.fix:
        lines.append(error.fix)
    if error.cause:
        lines.append(f"For details: oauth-wizard diagnose --fact cause={error.cause}")
    return _page(400, "Authorization not completed", lines, "bad")


class Catcher:
    """One listener for the Login and Redirect legs of one authorization attempt."""

    def __init__(self, login_uri: str, redirect_uri: str, *, pending: PendingState,
                 simulator_portal_base: str | None = None, consent_base: str | None = None,
                 ssl_context: ssl.SSLContext | None = None, plain_http: bool = False,
                 port: int | None = None, on_event: EventSink | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.login_uri, self.redirect_uri = login_uri, redirect_uri
        self.pending = pending
        self.simulator_portal_base = simulator_portal_base
        self.consent_base = consent_base
        self.refused = 0  # requests that failed a check; the listener went on waiting
        self.plain_http = plain_http
        self._on_event = on_event
        self._clock = clock
        login, redirect = urlsplit(login_uri), urlsplit(redirect_uri)
        try:
            origins = {(p.scheme.lower(), p.hostname, p.port) for p in (login, redirect)}
        except ValueError as exc:
            raise CatcherConfigError(f"A registered URI is not a valid URL ({exc}).",
                                     "Fix the profile's Login/Redirect URI.") from None
        if len(origins) != 1 or redirect.scheme.lower() not in ("http", "https"):
            raise CatcherConfigError(
                f"The Login URI ({login_uri}) and Redirect URI ({redirect_uri}) are not on the "
                "same http(s) host and port, so one local listener cannot serve both.",
                "Register both on the same host, or use --paste.")
        self.host = redirect.hostname or ""
        if not self.host:
            raise CatcherConfigError(f"The Redirect URI {redirect_uri} has no host name.",
                                     "Fix the profile's Login/Redirect URI.")
        if plain_http and port is None:
            raise CatcherConfigError(
                "--plain-http needs --port N: the local port your tunnel or reverse proxy "
                "forwards to.", "Add --port N (any free port above 1023).")
        tls = redirect.scheme.lower() == "https" and not plain_http
        if tls and ssl_context is None:
            raise CatcherConfigError(
                f"{redirect_uri} is https, so the catcher needs a certificate for {self.host}.",
                "Let the wizard generate one, pass --cert/--key, or run behind a tunnel/reverse "
                "proxy with --plain-http.")
        self._ssl = ssl_context if tls else None
        default_port = redirect.port or (443 if redirect.scheme.lower() == "https" else 80)
        self._port_overridden = port is not None
        self._want_port = default_port if port is None else port
        self._paths = {login.path or "/", redirect.path or "/"}
        self._runner: web.ServerRunner | None = None
        self.server: GuardedServer | None = None
        self._result: asyncio.Future[RedirectLeg] | None = None
        self.port: int | None = None

    @property
    def local_url(self) -> str:
        scheme = "https" if self._ssl else "http"
        path = urlsplit(self.redirect_uri).path or "/"
        return f"{scheme}://{BIND_HOST}:{self.port or self._want_port}{path}"

    async def start(self) -> Listening:
        """Bind 127.0.0.1 and return once requests can arrive (so: before the browser opens)."""
        if self._runner is not None:
            raise CatcherConfigError("This catcher is already listening.")
        if not self.plain_http:
            await asyncio.to_thread(check_host_resolves_here, self.host)
        quiet_server_logs()
        self.server = GuardedServer(self._answer)
        runner = web.ServerRunner(self.server, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, BIND_HOST, self._want_port, ssl_context=self._ssl)
        self._result = asyncio.get_running_loop().create_future()
        try:
            await site.start()
        except OSError as exc:
            self._result = None
            await runner.cleanup()
            raise bind_error(exc, self._want_port, self.redirect_uri,
                             self._port_overridden) from None
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        event = Listening(self.local_url, self.port, self.login_uri, self.redirect_uri)
        self._emit(event)
        return event

    async def wait(self, timeout: float | None = None) -> RedirectLeg:  # noqa: ASYNC109
        """The checked Redirect leg; raises its LegError, or CatchTimeout after ``timeout`` s."""
        if self._result is None:
            raise CatcherConfigError("The catcher is not listening; call start() first.")
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except TimeoutError:
            raise CatchTimeout(
                f"No redirect from Amazon arrived within {timeout:g} s.",
                f"Check that the consent page was approved and the browser could reach "
                f"{self.redirect_uri}; if the page did not load, run again with --paste and paste "
                "its address, or give more time with --timeout.") from None

    async def stop(self) -> None:
        """Close the listener; safe to call twice and from a cancelled task."""
        runner, self._runner = self._runner, None
        if self._result is not None and not self._result.done():
            self._result.cancel()
        if runner is not None:
            await asyncio.shield(runner.cleanup())

    async def __aenter__(self) -> Catcher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _emit(self, event: CatcherEvent) -> None:
        if self._on_event is None:
            return
        if isinstance(self._on_event, asyncio.Queue):
            self._on_event.put_nowait(event)
        else:
            self._on_event(event)

    def _fail(self, error: LegError) -> None:
        if self._result is not None and not self._result.done():
            self._result.set_exception(error)
            self._result.exception()  # retrieved here too: no "never retrieved" noise on stop
            self._emit(Failed(error))

    def _refuse(self, what: str, peer: str | None) -> None:
        """Count a refused request; the timeline hears of the first few, then of every 100th,
        so a flood cannot flood the screen too."""
        self.refused += 1
        if self.refused <= REFUSALS_SHOWN or self.refused % 100 == 0:
            self._emit(Refused(what, peer or "an unknown address", self.refused))

    def _refused_leg(self, error: LegError, query: str, peer: str | None) -> web.Response:
        """A leg that failed a check. It ends the attempt only when it is this attempt's own
        answer (Amazon's error with our state, or our state expired); anything else may be
        forged by any local process or web page, so it is refused and the listener waits on."""
        genuine = isinstance(error, legs.AmazonRefused) and _carries_state(query, self.pending)
        if genuine or isinstance(error, legs.StateExpired):
            self._fail(error)
        else:
            self._refuse(REFUSAL_WORDS.get(error.kind, "a leg that failed a check"), peer)
        return _failure_page(error)

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        response = self._handle(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path = request.rel_url.raw_path
        if request.method != "GET":
            self._refuse(f"the method {request.method[:10]}", request.remote)
            response = _page(405, "Method not allowed", ["The catcher answers GET only."], "bad")
            response.headers["Allow"] = "GET"
            return response
        if path not in self._paths:
            self._refuse("a path that is not the Login or Redirect URI's", request.remote)
            return _page(404, "Not found", [
                "This is oauth-wizard's redirect catcher; it answers only on the path of the "
                "registered Login and Redirect URIs."], "info")
        query = request.rel_url.raw_query_string
        try:
            leg = legs.classify(legs.parse_query(query))
        except LegError as exc:
            return self._refused_leg(exc, query, request.remote)
        if leg is None:
            return _page(400, "Waiting for Amazon", [
                "This address is the Login/Redirect URI the wizard is listening on. Amazon sends "
                "the browser here after you approve on Seller/Vendor Central; opening it directly "
                "does nothing."], "info")
        if leg == "login":
            return self._login_leg(query, request.remote)
        return self._redirect_leg(query, request.remote)

    def _finished_page(self) -> web.Response | None:
        result = self._result
        if result is None or not result.done():
            return None
        if result.cancelled() or result.exception() is not None:
            return _page(409, "This authorization attempt has ended", [
                "The wizard is no longer waiting for this attempt.",
                "Start a new one in the terminal (oauth-wizard authorize NAME)."], "bad")
        return None

    def _login_leg(self, query: str, peer: str | None) -> web.StreamResponse:
        ended = self._finished_page()
        if ended is not None:
            return ended
        try:
            leg = legs.check_login_leg(query, self.pending, now=self._clock(),
                                       simulator_portal_base=self.simulator_portal_base,
                                       consent_base=self.consent_base)
        except LegError as exc:
            return self._refused_leg(exc, query, peer)
        host = urlsplit(leg.amazon_callback_uri).netloc
        region = leg.portal.region if leg.portal else None
        self._emit(LoginLegReceived(leg.selling_partner_id, host, region, leg.beta))
        self._emit(SentBackToAmazon(host))
        return web.Response(status=302, headers={"Location": leg.next_url})

    def _redirect_leg(self, query: str, peer: str | None) -> web.StreamResponse:
        ended = self._finished_page()
        if ended is not None:
            return ended
        try:
            leg = legs.check_redirect_leg(query, self.pending, now=self._clock())
        except legs.StateAlreadyUsed as exc:
            return _page(200, "Already received", [exc.message, exc.fix], "info")
        except LegError as exc:
            return self._refused_leg(exc, query, peer)
        if self._result is not None and not self._result.done():
            self._result.set_result(leg)
        self._emit(CodeReceived(leg.selling_partner_id, mask_code(leg.code),
                                leg.mws_auth_token is not None, self._clock()))
        return _page(200, "Authorized: back to the terminal", [
            f"oauth-wizard received the authorization for selling partner "
            f"{leg.selling_partner_id} and is exchanging it for a refresh token now.",
            "You can close this tab; the terminal shows the result."], "ok")
