"""Shared pieces of the flow tests and the end-to-end layer.

A registry of simulated apps (one per situation the flow must handle), the matching wizard
profiles, a token factory that remembers every code and token the simulator minted (so tests can
search for them where they must not be), a scripted browser that follows redirects over real
loopback sockets, and ``World``: a running simulator plus everything needed to build flows
against it. Nothing here asserts; the tests do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
from port_kit import quiet_port

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.lwa import LwaClient
from oauth_wizard.authorize.flow import AuthorizeFlow, AuthorizeSetup
from oauth_wizard.core.events import Authorized, FlowEvent
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.keep.secrets import MemorySecretStore, SecretStore
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.lwa import default_token_factory
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator

PAT, SAM, VAL = "Pat", "Sam", "Val"
SELLER, VENDOR = "A1PATSTORE", "A2VALVENDOR"
NA_DEV_ID = "123456789012"


def _app(n: int, state: str, markets: list[str], **extra: object) -> dict:
    """Registry entry ``n``: ids and secret are distinct per app and shaped like Amazon's."""
    return {"app_id": f"amzn1.sp.solution.00000000-0000-4000-8000-{n:012d}",
            "client_id": f"amzn1.application-oa2-client.{n:032x}",
            "client_secret": "amzn1.oa2-cs.v1." + f"{n:02x}5ec7e7" * 8,
            "app_state": state, "kind": "seller", "marketplaces": markets, **extra}


# One registry app per situation; "uris" says which Login/Redirect URIs it registers.
APPS: dict[str, dict] = {
    "draft": _app(1, "draft", ["US", "CA", "DE", "UK"]),
    "published": _app(2, "published", ["US", "DE", "UK"]),
    "vendor": _app(3, "draft", ["US"], kind="vendor"),
    "hybrid": _app(4, "published", ["US", "DE"], hybrid=True,
                   mws_developer_ids={"NA": NA_DEV_ID}),
    "no_uris": _app(5, "draft", ["US"]),  # registers no Login URI (a Redirect URI only): MD5100
    "fragment": _app(6, "draft", ["US"]),  # its Redirect URI has a '#': MD5110
}


def registry_json(uri: str) -> dict:
    """The registry with every app's URIs pointing at ``uri`` (the catcher)."""
    apps = []
    for key, app in APPS.items():
        login, redirects = uri, [uri]
        if key == "no_uris":
            login = ""
        if key == "fragment":
            redirects = [uri + "#done"]
        apps.append({**app, "name": f"{key} app", "login_uri": login,
                     "redirect_uris": redirects})
    return {"apps": apps, "sellers": [
        {"selling_partner_id": SELLER, "store_name": "Pat's Store",
         "marketplaces": ["US", "CA", "DE", "UK", "JP"],
         "users": [{"name": PAT, "primary": True}, {"name": SAM, "primary": False}]},
        {"selling_partner_id": VENDOR, "store_name": "Val's Vendor Co",
         "marketplaces": ["US"], "users": [{"name": VAL, "primary": True}]},
    ]}


def profile_for(key: str, uri: str, name: str = "shop", **overrides: object) -> AppProfile:
    """The wizard's profile of registry app ``key`` as its owner would describe it."""
    app = APPS[key]
    fields: dict = {
        "name": name, "app_id": app["app_id"], "client_id": app["client_id"],
        "app_state": app["app_state"], "kind": app["kind"], "hybrid": app.get("hybrid", False),
        "dev_ids": tuple(app.get("mws_developer_ids", {}).items()),
        "marketplaces": tuple(app["marketplaces"]), "login_uri": uri, "redirect_uris": (uri,)}
    fields.update(overrides)
    return AppProfile(**fields)


def secret_of(key: str) -> str:
    return APPS[key]["client_secret"]


class MintedValues:
    """The simulator's token factory, remembering what it minted: codes, tokens, states."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[str]] = {}

    def __call__(self, kind: str) -> str:
        value = default_token_factory(kind)
        self.by_kind.setdefault(kind, []).append(value)
        return value

    def secrets(self) -> list[str]:
        """Every minted value that is secret to the user (the Amazon-side state is not)."""
        return [v for kind, values in self.by_kind.items() if kind != "amazon_state"
                for v in values]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


@dataclass
class Page:
    """Where a browser ended: the last response (None if it stopped before fetching) and every
    address it was sent to, in order."""

    response: httpx.Response | None
    hops: list[str]

    @property
    def url(self) -> str:
        return self.hops[-1]

    def leg(self, param: str) -> str | None:
        """The first address carrying ``param`` (amazon_callback_uri: the Login leg;
        spapi_oauth_code: the Redirect leg)."""
        return next((u for u in self.hops if param in query_of(u)), None)


BROWSER_TASK = "scripted browser"


class NotFromTheBrowser(logging.Filter):
    """Drops log records emitted by the scripted browser's own HTTP client."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no running loop: not the browser
            return True
        return task is None or task.get_name() != BROWSER_TASK


class Browser:
    """A scripted browser over real sockets: GET, then follow each Location header."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def open(self, url: str, *, stop_before: str | None = None,
                   max_hops: int = 10) -> Page:
        """Follow redirects from ``url``; with ``stop_before``, stop (without fetching) at the
        first address that starts with it, as a user copying the address bar would.

        It runs in a task of its own (``BROWSER_TASK``) so log records of the browser's HTTP
        client, whose addresses hold codes as any address bar does, can be told apart."""
        return await asyncio.create_task(self._open(url, stop_before, max_hops),
                                         name=BROWSER_TASK)

    async def _open(self, url: str, stop_before: str | None, max_hops: int) -> Page:
        hops = [url]
        for _ in range(max_hops):
            if stop_before and url.startswith(stop_before):
                return Page(None, hops)
            response = await self.client.get(url)
            location = response.headers.get("location")
            if response.status_code not in (301, 302, 303, 307, 308) or not location:
                return Page(response, hops)
            url = str(response.url.join(location))
            hops.append(url)
        raise AssertionError(f"more than {max_hops} redirects: {hops}")


@dataclass
class Caught:
    """What ``World.catch`` saw: the browser's page and the flow's result or error."""

    page: Page | None
    result: Authorized | None
    error: BaseException | None


@dataclass
class World:
    """A running simulator and the parts a flow against it needs."""

    sim: Simulator
    endpoints: Endpoints
    uri: str  # the registered Login and Redirect URI (the catcher)
    port: int
    minted: MintedValues
    lwa_http: httpx.AsyncClient
    browser: Browser
    events: list[FlowEvent] = field(default_factory=list)

    def flow(self, key: str = "draft", *, marketplace: str = "US",
             profile: AppProfile | None = None, secret: str | None = None,
             redirect_uri: str | None = None, secrets: SecretStore | None = None,
             profiles: ProfileStore | None = None, lwa: LwaClient | None = None,
             **flow_kwargs: object) -> AuthorizeFlow:
        setup = AuthorizeSetup(profile or profile_for(key, self.uri),
                               secret if secret is not None else secret_of(key), marketplace,
                               redirect_uri, self.endpoints)
        return AuthorizeFlow(setup, lwa=lwa or self.lwa(),
                             secrets=secrets if secrets is not None else MemorySecretStore(),
                             profiles=profiles, on_event=self.events.append, **flow_kwargs)

    def lwa(self, http: httpx.AsyncClient | None = None) -> LwaClient:
        async def no_sleep(_seconds: float) -> None:
            return None
        return LwaClient(http or self.lwa_http, self.endpoints.token_url(), sleep=no_sleep,
                         timeout=5.0)

    async def catch(self, flow: AuthorizeFlow,
                    visit: Callable[[], Awaitable[Page | None]] | None = None, *,
                    within: float = 5.0, **catch_kwargs: object) -> Caught:
        """Run ``flow.catch(timeout=within)`` and, once it listens, ``visit`` (the browser);
        never hangs."""
        listening = asyncio.Event()
        task = asyncio.create_task(flow.catch(timeout=within, listening=lambda _c:
                                              listening.set(), **catch_kwargs))
        waiter = asyncio.create_task(listening.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        page = None
        if listening.is_set() and visit is not None:
            try:
                page = await visit()
            except BaseException:
                task.cancel()  # the browser failed: stop listening before reporting it
                await asyncio.gather(task, return_exceptions=True)
                raise
        try:
            result = await asyncio.wait_for(task, within + 5)
        except Exception as exc:  # noqa: BLE001 - handed to the test to assert on
            return Caught(page, None, exc)
        return Caught(page, result, None)

    def consent_url(self, flow: AuthorizeFlow, **extra: str) -> str:
        """The flow's consent URL plus simulator-only parameters such as sim_user."""
        url = (flow.consent or flow.start().consent).url
        return url + "".join(f"&{k}={v}" for k, v in extra.items())


@asynccontextmanager
async def world(*, scheme: str = "http", host: str = "127.0.0.1", path: str = "/cb",
                auto_approve: bool = False,
                verify: object = True) -> AsyncIterator[World]:
    """Start a simulator whose apps register ``{scheme}://{host}:{free port}{path}``."""
    port = quiet_port()
    uri = f"{scheme}://{host}:{port}{path}"
    minted = MintedValues()
    sim = Simulator(parse_registry(registry_json(uri), "flow tests"), auto_approve=auto_approve,
                    token_factory=minted)
    base = await sim.start()
    try:
        async with httpx.AsyncClient() as lwa_http, \
                httpx.AsyncClient(verify=verify) as browser_http:  # type: ignore[arg-type]
            yield World(sim, Endpoints.for_simulator(base), uri, port, minted, lwa_http,
                        Browser(browser_http))
    finally:
        await sim.stop()
