"""The authorize flow (DESIGN.md flow 1) as a sequence of events, shared by the CLI and the TUI.

One ``AuthorizeFlow`` is one attempt: it builds the consent URL with a fresh ``state``, catches
both legs (a local listener, or URLs pasted back), exchanges the code the moment it arrives
(it lives five minutes and works once, so it is never held back), stores the refresh token in
the secret store and records the authorization in ``profiles.toml``. Front ends only render the
events it emits and the typed errors it raises.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.lwa import CODE_LIFETIME_S, LwaClient, LwaError, TokenResponse
from oauth_wizard.authorize.catcher import Catcher, CatcherError
from oauth_wizard.authorize.legs import LegError, LoginLeg, RedirectLeg, check_pasted
from oauth_wizard.consent.url import build_consent_url, new_state
from oauth_wizard.core import marketplaces
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import (
    Authorized,
    CatcherEvent,
    ConsentReady,
    Exchanging,
    FlowEvent,
    FlowFailed,
    Notice,
    Stored,
)
from oauth_wizard.core.masking import mask
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import Authorization, ConsentUrl, PendingState
from oauth_wizard.keep.recorded import store_recorded
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore

ATTEMPT_TTL_S = 30 * 60  # how long a consent URL's state is accepted


class TokenNotSaved(FlowError):
    """The exchange worked but the secret store refused the token. It is kept on the object
    (never in the message) so a front end can offer another place before it is lost."""

    keepable = "the refresh token"

    def __init__(self, error: SecretStoreError, token: TokenResponse, authorization: Authorization,
                 profile_name: str = ""):
        options = "; ".join(error.options)
        super().__init__(f"The refresh token could not be saved: {error.message}",
                         options or "Fix the secret store and authorize again.", "secret_store")
        self.token = token
        self.authorization = authorization
        self.profile_name = profile_name

    def __repr__(self) -> str:
        return f"TokenNotSaved({self.message!r})"


@dataclass(frozen=True)
class AuthorizeSetup:
    """What one attempt needs to know. The client secret stays in memory only."""

    profile: AppProfile
    client_secret: str
    marketplace: str
    redirect_uri: str | None = None  # the registered Redirect URI named in the consent URL
    endpoints: Endpoints = Endpoints()

    def __repr__(self) -> str:
        return (f"AuthorizeSetup(profile={self.profile.name!r}, marketplace={self.marketplace!r}, "
                f"redirect_uri={self.redirect_uri!r}, client_secret='***')")

    @property
    def catch_redirect_uri(self) -> str:
        """Where Amazon will send the code: the chosen URI, else the first registered one."""
        if self.redirect_uri:
            return self.redirect_uri
        if not self.profile.redirect_uris:
            raise FlowError("The profile has no Redirect URI.",
                            "Add the app's registered Redirect URI to the profile.",
                            "oauth_uris_missing")
        return self.profile.redirect_uris[0]


class AuthorizeFlow:
    """One authorization attempt; emits events to ``on_event`` as it goes."""

    def __init__(self, setup: AuthorizeSetup, *, lwa: LwaClient, secrets: SecretStore,
                 profiles: ProfileStore | None = None,
                 on_event: Callable[[FlowEvent], object] | None = None,
                 clock: Callable[[], float] = time.time,
                 state_factory: Callable[[], str] = new_state,
                 pending: PendingState | None = None) -> None:
        self.setup = setup
        self._lwa, self._secrets, self._profiles = lwa, secrets, profiles
        self._on_event = on_event
        self._clock = clock
        self._state_factory = state_factory
        self.market = marketplaces.lookup(setup.marketplace)
        self.pending = pending
        self.consent: ConsentUrl | None = None
        self.portal_base: str | None = None  # where the consent URL is opened

    # --- steps --------------------------------------------------------------------------------

    def start(self) -> ConsentReady:
        """Build the consent URL with a fresh state (or the resumed one)."""
        setup = self.setup
        if self.pending is None:
            self.pending = PendingState(self._state_factory(), setup.redirect_uri,
                                        self._clock() + ATTEMPT_TTL_S)
        self.portal_base = setup.endpoints.portal_url(self.market, setup.profile.kind)
        self.consent = build_consent_url(setup.profile, self.market.code, self.pending.state,
                                         setup.redirect_uri, portal_base=self.portal_base)
        event = ConsentReady(self.consent, self.pending.expires_at or 0.0)
        self._emit(event)
        return event

    async def catch(
        self, *, timeout: float | None,  # noqa: ASYNC109 - the catcher owns the deadline
        ssl_context: ssl.SSLContext | None = None,
        plain_http: bool = False, port: int | None = None,
        listening: Callable[[Catcher], object] | None = None,
    ) -> Authorized:
        """Listen for both legs on this machine, then exchange and store."""
        if self.consent is None:
            self.start()
        assert self.pending is not None
        try:
            catcher = Catcher(self.setup.profile.login_uri, self.setup.catch_redirect_uri,
                              pending=self.pending,
                              simulator_portal_base=self.setup.endpoints.portal_base,
                              consent_base=self.portal_base, ssl_context=ssl_context,
                              plain_http=plain_http, port=port,
                              on_event=self._catcher_event, clock=self._clock)
            async with catcher:  # __aenter__ starts it (binds) before the browser opens
                if listening is not None:
                    listening(catcher)
                leg = await catcher.wait(timeout)
        except (CatcherError, LegError) as exc:
            raise self._fail(exc.message, exc.fix, getattr(exc, "cause", None)) from None
        return await self.finish(leg)

    async def paste(self, text: str) -> LoginLeg | Authorized:
        """A pasted address-bar URL: the Login leg gives the URL to open next, the Redirect leg
        completes the attempt. Checked exactly as a request to the listener would be."""
        if self.consent is None:
            self.start()
        assert self.pending is not None
        try:
            leg = check_pasted(text, self.pending,
                               simulator_portal_base=self.setup.endpoints.portal_base,
                               consent_base=self.portal_base, now=self._clock())
        except LegError as exc:
            raise self._fail(exc.message, exc.fix, exc.cause) from None
        if isinstance(leg, LoginLeg):
            self._check_region(leg)
            self._emit(Notice("Login leg checked: open the next URL to send the browser back to "
                              "Amazon."))
            return leg
        return await self.finish(leg)

    async def finish(self, leg: RedirectLeg) -> Authorized:
        """Exchange the code at once, store the refresh token, record the authorization."""
        setup = self.setup
        received = self._clock()
        self._emit(Exchanging(leg.selling_partner_id, received, received + CODE_LIFETIME_S))
        try:
            token = await self._lwa.exchange_code(leg.code, setup.profile.client_id,
                                                  setup.client_secret)
        except LwaError as exc:
            raise self._fail(exc.message, exc.fix, exc.cause_id) from None
        if not token.refresh_token:
            raise self._fail("LWA answered without a refresh token.",
                             "Try the authorization again; if it repeats, open a support case.",
                             "amazon_side_issue")
        region = self.market.region
        authorization = Authorization(
            region=region, selling_partner_id=leg.selling_partner_id,
            authorized_at=datetime.fromtimestamp(self._clock(), UTC).replace(microsecond=0),
            how="oauth", storage=getattr(self._secrets, "location", "keyring"),
            marketplaces=(self.market.code,))
        try:
            unrecorded = await store_recorded(self._profiles, setup.profile.name,
                                              authorization, self._secrets,
                                              token.refresh_token)
        except SecretStoreError as exc:
            error = TokenNotSaved(exc, token, authorization, setup.profile.name)
            self._emit(FlowFailed(error.cause, error.message, error.fix))
            raise error from None
        if unrecorded is not None:
            self._emit(Notice(f"The token is stored, but profiles.toml was not updated, so "
                              f"`oauth-wizard status` will not list this authorization: "
                              f"{unrecorded.message} {unrecorded.fix}"))
        masked = mask(token.refresh_token)
        self._emit(Stored(setup.profile.name, authorization, masked, self._secrets.describe()))
        if leg.mws_auth_token:
            self._emit(Notice("The redirect also carried an mws_auth_token (hybrid app). MWS was "
                              "retired in 2024, so it is not kept."))
        return Authorized(authorization, masked, self._secrets.describe(),
                          bool(leg.mws_auth_token))

    # --- helpers ------------------------------------------------------------------------------

    def _catcher_event(self, event: CatcherEvent) -> None:
        self._emit(event)
        region = getattr(event, "region", None)
        if region and region != self.market.region:
            self._emit(Notice(self._region_warning(region)))

    def _check_region(self, leg: LoginLeg) -> None:
        if leg.portal is not None and leg.portal.region != self.market.region:
            self._emit(Notice(self._region_warning(leg.portal.region)))

    def _region_warning(self, region: str) -> str:
        return (f"Amazon's callback is in the {region} region, but this attempt is for "
                f"{self.market.code} ({self.market.region}); the token will only work in {region}.")

    def _fail(self, message: str, fix: str, cause: str | None) -> FlowError:
        self._emit(FlowFailed(cause, message, fix))
        return FlowError(message, fix, cause)

    def _emit(self, event: FlowEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)
