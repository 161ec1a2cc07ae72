"""The local Amazon's portal: Seller/Vendor Central consent and both legs, served by aiohttp on
127.0.0.1 (the LWA token endpoint and the SP-API call are ``api.py``'s).

An honest model of documented behaviour, driven by a registry (``registry.py``): every rule cites
spapi-authorization.md next to the code, and where sources do not settle it the comment and the
response say [uncertain]. The portal host is the first path segment (``{base}/{host}/apps/...``);
time is the injected clock plus ``advance()``; nothing is logged but exception class names."""

from __future__ import annotations

import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from oauth_wizard.core.logs import package_logger
from oauth_wizard.core.marketplaces import identify_portal_host
from oauth_wizard.simulator import api, app_management
from oauth_wizard.simulator import pages as sim_pages
from oauth_wizard.simulator.api import LWA_PATH
from oauth_wizard.simulator.client_secrets import Rotation
from oauth_wizard.simulator.consent_rules import (
    Refusal,
    as_seen,
    consent_refusal,
    limit_refusal,
    redirect_refusal,
    user_refusal,
)
from oauth_wizard.simulator.lwa import Grant, Tokens, default_token_factory
from oauth_wizard.simulator.notifications import Outbox
from oauth_wizard.simulator.registry import Registry, SimApp

log = package_logger(__name__)  # silent unless debugging

MAX_PENDING = 10_000  # Login legs awaiting their confirm; the oldest is dropped beyond this
RID = web.RequestKey("rid", str)  # this request's id, shown on pages and in x-amzn-RequestId
__all__ = ["LWA_PATH", "Grant", "Simulator", "SimulatorError"]


class SimulatorError(RuntimeError):
    """The simulator cannot start or is used before it started; the message says what to do."""


@dataclass
class _Login:  # a pending Login leg, keyed by amazon_state
    app_id: str
    host: str
    grant: Grant
    beta: bool


def _with_query(uri: str, pairs: list[tuple[str, str]]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(pairs)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class Simulator:
    """The local Amazon for one registry; ``start()`` serves it on 127.0.0.1."""

    def __init__(self, registry: Registry, *, clock: Callable[[], float] = time.time,
                 auto_approve: bool = False,
                 token_factory: Callable[[str], str] | None = None) -> None:
        self.registry = registry
        self.auto_approve = auto_approve
        self.tokens = Tokens(registry, clock, token_factory or default_token_factory)
        self._logins: dict[str, _Login] = {}
        self.outbox = Outbox()  # notifications sent: new client secrets, expiry warnings
        self.local_aws: dict[str, str] | None = None  # simulate --aws: where they are sent
        self._authorized: dict[str, set[str]] = {}  # app_id → sellers that completed consent
        self._runner: web.AppRunner | None = None
        self._base = ""
        self.self_auth_tokens: dict[str, str] = {}  # app_id → refresh token, made at creation
        for app in registry.apps:
            target = registry.self_auth_target(app)
            if target:
                self.self_auth_tokens[app.app_id] = self.tokens.self_authorize(
                    app.app_id, target[0].selling_partner_id, target[1])

    # -- time and state helpers (tests, demo, verify) -------------------------------------
    def now(self) -> float:
        """The simulator's time: the injected clock plus every ``advance()``."""
        return self.tokens.now()

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock forward (code expiry, token expiry, rate refill); the
        secret-expiry warnings that become due are sent."""
        self.tokens.advance(seconds)
        self.warn_expiring_secrets()

    def deliver_notifications(self, sink: Callable[[str], object]) -> None:
        """Send every notification from now on to ``sink`` too (an SQS queue's send), and
        the expiry warnings already due."""
        self.outbox.sink = sink
        self.warn_expiring_secrets()

    def warn_expiring_secrets(self) -> int:
        """Post the APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY notices due now; how many."""
        now, sent = self.now(), 0
        for app in self.registry.apps:
            expires = self.tokens.secrets.current_expiry(app.client_id)
            if expires is not None:
                sent += self.outbox.warn_expiry(app.client_id, app.app_id, expires, now)
        return sent

    def self_authorize(self, app_id: str, selling_partner_id: str, region: str) -> str:
        """A new self-authorization refresh token (§6), as Seller Central's Authorize button."""
        return self.tokens.self_authorize(app_id, selling_partner_id, region)

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        """The seller revokes the app; False when the token is unknown. See Tokens.revoke."""
        return self.tokens.revoke(refresh_token)

    def rotate_client_secret(self, app_id: str) -> Rotation:
        """Rotate the app's client secret as the Application Management API does: the new one
        at once, the old one for 7 more days (client_secrets.py)."""
        app = self.registry.app(app_id)
        if app is None:
            raise SimulatorError(f"no app {app_id!r} in the registry")
        return self.tokens.rotate_secret(app.client_id)

    def grant_for(self, refresh_token: str) -> Grant | None:
        """Whom a refresh token is for (client, seller, region), or None if never issued."""
        return self.tokens.grant_for(refresh_token)

    # -- server --------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0, *,
                    ssl_context: ssl.SSLContext | None = None) -> str:
        """Listen on 127.0.0.1 (nothing else: common.md) and return the base URL."""
        if host != "127.0.0.1":
            raise SimulatorError(f"the simulator listens on 127.0.0.1 only, not {host!r}")
        if self._runner is not None:
            raise SimulatorError("the simulator is already running")
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, ssl_context=ssl_context).start()
        except OSError as exc:
            await runner.cleanup()
            raise SimulatorError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                                 "choose another --port, or 0 for any free port") from None
        self._runner = runner
        bound = runner.addresses[0][1]
        self._base = f"{'https' if ssl_context else 'http'}://127.0.0.1:{bound}"
        return self._base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._base = ""

    @property
    def portal_url(self) -> str:
        if not self._base:
            raise SimulatorError("the simulator is not running; await start() first")
        return self._base

    @property
    def lwa_url(self) -> str:
        return self.portal_url + LWA_PATH

    @property
    def spapi_url(self) -> str:
        return self.portal_url + "/spapi"

    def portal_base(self, host: str) -> str:
        """What stands in for ``https://{host}`` (e.g. sellercentral.amazon.de)."""
        return f"{self.portal_url}/{host}"

    def ready_info(self) -> dict:
        """The ``simulate --json`` ready line. Client secrets are included: they are this
        simulator's own fakes, for the developer testing against it."""
        apps = []
        for app in self.registry.apps:
            token = self.self_auth_tokens.get(app.app_id)
            grant = self.grant_for(token) if token else None
            apps.append({**app.as_json(), "self_auth_refresh_token": token,
                         "self_auth_selling_partner_id": grant and grant.selling_partner_id,
                         "self_auth_region": grant and grant.region})
        sellers = [{"selling_partner_id": s.selling_partner_id,
                    "marketplaces": list(s.marketplaces),
                    "users": [{"name": u.name, "primary": u.primary,
                               "manage_authorized_partners": u.manage_authorized_partners}
                              for u in s.users]}
                   for s in self.registry.sellers]
        return {"simulator": sim_pages.BANNER, "portal_url": self.portal_url,
                "lwa_url": self.lwa_url, "spapi_url": self.spapi_url, "apps": apps,
                "sellers": sellers, **({"aws": self.local_aws} if self.local_aws else {})}

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        r = app.router
        r.add_get("/{host}/apps/authorize/consent", self._consent)
        r.add_get("/{host}/apps/authorize/confirm/{app_id}", self._confirm)
        app_management.add_routes(r, self.tokens, self.outbox)  # before api's catch-all
        api.add_routes(r, self.tokens, self.registry)
        r.add_route("*", "/{tail:.*}", self._not_found)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        """Request id on every answer; an unexpected failure is a clean 500 with no traceback
        and nothing from the request in the log."""
        request[RID] = str(uuid.uuid4())
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects, and aiohttp's own 4xx
            exc.headers["x-amzn-RequestId"] = request[RID]
            exc.headers.setdefault("Referrer-Policy", "no-referrer")
            raise
        except Exception as exc:  # noqa: BLE001 - the guard of last resort
            log.error("simulator: %s while answering a request", exc.__class__.__name__)
            response = web.Response(status=500, text="internal simulator error\n")
        response.headers["x-amzn-RequestId"] = request[RID]
        response.headers.setdefault("Referrer-Policy", "no-referrer")  # codes ride in URLs (§1.2)
        return response

    # -- portal pages --------------------------------------------------------------------
    def _error(self, request: web.Request, code: str, app_id: str, reason: str, source: str,
               uncertain: str = "") -> web.Response:
        return self._refused(request, Refusal(code, app_id, reason, source, uncertain))

    def _notice(self, request: web.Request, status: int, title: str, message: str) -> web.Response:
        html = sim_pages.notice_page(title=title, message=message, request_id=request[RID])
        return web.Response(status=status, text=html, content_type="text/html")

    def _unknown_host(self, request: web.Request, host: str) -> web.Response:
        return self._notice(request, 404, "Unknown portal host", (
            f"{host!r} is not a Seller Central or Vendor Central host this simulator knows. "
            "Put the real portal host first in the path, e.g. "
            f"{self._base}/sellercentral.amazon.com/apps/authorize/consent?application_id=…"))

    def _refused(self, request: web.Request, refusal: Refusal) -> web.Response:
        # The HTTP status of Amazon's error pages is not documented; 400 lets scripts notice,
        # and X-Sim-Error-Code names the code without parsing HTML.
        html = sim_pages.error_page(code=refusal.code, app_id=refusal.app_id,
                                    request_id=request[RID], reason=refusal.reason,
                                    source=refusal.source, uncertain=refusal.uncertain,
                                    shown=refusal.shown)
        return web.Response(status=400, text=html, content_type="text/html",
                            headers={"X-Sim-Error-Code": refusal.code})

    async def _consent(self, request: web.Request) -> web.Response:
        host = request.match_info["host"].lower()
        portal = identify_portal_host(host)  # §1.1 "Region comes from the host" [official-2021]
        if portal is None:
            return self._unknown_host(request, host)
        checked = consent_refusal(self.registry, portal, host, request.query)
        if isinstance(checked, Refusal):
            return self._refused(request, checked)
        return self._approve_or_ask(request, checked.app, host, portal.region, checked.beta)

    def _approve_or_ask(self, request, app: SimApp, host: str, region: str, beta: bool):
        q = request.query
        users = self.registry.users_in_region(region)
        name = q.get("sim_user")
        note = ""
        if name is None and self.auto_approve:
            first = next((u for _, u in users if u.primary), None)
            name = first.name if first else None
            note = "" if first else "Auto-approve found no primary user in this region."
        if name is None:
            html = sim_pages.consent_page(
                app_name=app.name, app_id=app.app_id, host=host, region=region, kind=app.kind,
                beta=beta, users=[(u.name, u.label()) for _, u in users],
                params=list(q.items()), request_id=request[RID], note=note)
            return web.Response(text=html, content_type="text/html")
        found = self.registry.user(name)
        if found is None or found[0].selling_partner_id not in {s.selling_partner_id
                                                                 for s, _ in users}:
            return self._notice(request, 400, "Unknown user", (
                f"No registered user named {name!r} can sign in to {host}: their seller must "
                f"sell in the {region} region. (A simulator check: how Amazon treats an account "
                "without that region is outside this model.)"))
        seller, user = found
        refused = user_refusal(app, user) or limit_refusal(
            app, self._authorized.get(app.app_id, set()), seller.selling_partner_id)
        if refused is not None:
            return self._refused(request, refused)
        amazon_state = self.tokens.factory("amazon_state")
        grant = Grant(app.client_id, seller.selling_partner_id, region, app.kind)
        if len(self._logins) >= MAX_PENDING:  # abandoned flows must not grow without bound
            del self._logins[next(iter(self._logins))]
        self._logins[amazon_state] = _Login(app.app_id, host, grant, beta)
        # §1.2 step 3: to the Login URI with amazon_callback_uri, amazon_state,
        # selling_partner_id, + version=beta in draft flows [official WEB-WAW; models#4119]
        pairs = [("amazon_callback_uri",
                  f"{self.portal_base(host)}/apps/authorize/confirm/{app.app_id}"),
                 ("amazon_state", amazon_state), ("selling_partner_id", seller.selling_partner_id)]
        if beta:
            pairs.append(("version", "beta"))
        raise web.HTTPFound(_with_query(app.login_uri, pairs))

    async def _confirm(self, request: web.Request) -> web.Response:
        q = request.query
        host, app_id = request.match_info["host"].lower(), request.match_info["app_id"]
        if identify_portal_host(host) is None:
            return self._unknown_host(request, host)
        amazon_state = q.get("amazon_state", "")
        login = self._logins.get(amazon_state)
        if login is None or login.app_id != app_id or login.host != host:
            # §1.2 step 4: amazon_state must be "echoed unchanged" [official WEB-WAW]
            return self._error(request, "SIM-AMAZON-STATE", app_id, "amazon_state is missing, "
                               "unknown, already used, or from another app's flow.",
                               "spapi-authorization.md §1.2 step 4 [official WEB-WAW]",
                               "Amazon's answer to a bad amazon_state is not documented; "
                               "SIM-AMAZON-STATE is the simulator's code, not Amazon's.")
        if not q.get("state"):  # §1.2 step 4: state, your own value [official WEB-WAW]
            return self._error(request, "SIM-STATE-MISSING", app_id, "The Login-leg redirect "
                               "back to amazon_callback_uri carries no state.",
                               "spapi-authorization.md §1.2 step 4 [official WEB-WAW]",
                               "Amazon's answer to a missing state is not documented; "
                               "SIM-STATE-MISSING is the simulator's code, not Amazon's.")
        if (q.get("version") == "beta") != login.beta:
            # §1.3: the Login URI page "must pass it on" [official-2021 "Testing your
            # authorization workflow"]; the code for not doing so is not documented [uncertain].
            flow, said = ("draft (beta)", "lacks") if login.beta else ("production", "adds")
            return self._error(request, "MD1000", app_id, f"This is a {flow} flow, but the "
                               f"redirect to amazon_callback_uri {said} version=beta.",
                               "spapi-authorization.md §1.2 step 4, §1.3 [official-2021]",
                               "Amazon's code for this mismatch is not documented; MD1000 is the "
                               "code of a production flow on a draft app.")
        registered = self.registry.app(app_id)
        assert registered is not None  # a login is only recorded for a registered app
        app = as_seen(registered, login.beta)
        # §1.2 step 4: redirect_uri optional, must be registered, defaults to the first one
        # [official WEB-WAW]; it is checked again here because the callback's value decides.
        checked = redirect_refusal(app, q.get("redirect_uri"))
        if isinstance(checked, Refusal):
            return self._refused(request, checked)
        # Single use: a reload cannot mint a second code. A refused attempt above leaves it
        # usable so a fixed catcher can retry; Amazon's behaviour there is not documented.
        del self._logins[amazon_state]
        self._authorized.setdefault(app_id, set()).add(login.grant.selling_partner_id)
        code = self.tokens.issue_code(login.grant)
        # §1.2 step 5: state, selling_partner_id, spapi_oauth_code, + mws_auth_token for hybrid
        # apps (amzn.mws.<uuid>, §3 [issue docs#727]) [official-2021; issue models#5204]. Reports
        # of it missing for draft hybrid apps (models#1228) are not modelled [uncertain].
        pairs = [("state", q["state"]), ("selling_partner_id", login.grant.selling_partner_id),
                 ("spapi_oauth_code", code)]
        if app.hybrid:
            pairs.append(("mws_auth_token", "amzn.mws." + self.tokens.factory("mws_auth_token")))
        raise web.HTTPFound(_with_query(checked, pairs))

    async def _not_found(self, request: web.Request) -> web.Response:
        if request.path == LWA_PATH:
            return web.json_response({"error": "invalid_request", "error_description":
                                      "Use POST for the token endpoint (simulator)."}, status=405)
        hint = (" Portal pages live under /{portal host}/apps/authorize/…, e.g. "
                "/sellercentral.amazon.com/apps/authorize/consent." if "/apps/" in request.path
                else "")
        return self._notice(request, 404, "Not found", f"The simulator has no page at "
                            f"{request.path}.{hint}")
