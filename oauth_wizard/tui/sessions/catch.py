"""One authorization attempt as the TUI runs it, with every piece that does I/O.

The Catch screen only renders; this module builds what the shared ``flow`` needs from the
wizard's values and the runtime (the demo's local Amazon, or the user's machine): it checks the
secret store before any consent URL is shown, saves the profile first, owns the LWA client's
HTTP connection, decides between listening and paste-back (the Redirect URI's host must resolve
here) and makes the certificate for https URIs. No Textual here.

The HTTP client, the listener and the certificate code are imported when an attempt starts, not
with this module, so a screen that names these types loads none of them (and the wizard's
first frame does not wait for them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.authorize.catcher_checks import HostNotLocalError, check_host_resolves_here
from oauth_wizard.authorize.legs import LoginLeg
from oauth_wizard.consent.url import new_state
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import Authorized, ConsentReady, FlowEvent, Notice, Retrying
from oauth_wizard.core.masking import mask
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import ProfileRecord, client_secret_key
from oauth_wizard.keep.fallback import file_store, keep_client_secret_in_file, keep_token_in_file
from oauth_wizard.keep.secrets import KeyringSecretStore, SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError, default_config_dir
from oauth_wizard.tui.state import WizardState, authorize_problems, blocking_message, to_profile

if TYPE_CHECKING:
    from oauth_wizard.authorize.catcher import Catcher
    from oauth_wizard.authorize.flow import AuthorizeFlow, TokenNotSaved
    from oauth_wizard.authorize.tls import TrustStep


class Runtime(Protocol):
    """Where attempts run: ``DemoRuntime`` or ``RealRuntime``."""

    demo: bool
    secrets: SecretStore | None
    profiles: ProfileStore | None
    config_dir: Path | None
    storage_note: str

    @property
    def endpoints(self) -> Endpoints: ...

    async def ensure_ready(self) -> None: ...


def store_error(exc: SecretStoreError) -> FlowError:
    """A secret store that cannot be used, as the attempt's failure: message and options.

    The plain-text file option is a command-line flag (``--insecure-storage``) the TUI does not
    offer, so it is left out here rather than suggested where it cannot be used.
    """
    options = [o for o in exc.options if "--insecure-storage" not in o]
    return FlowError(exc.message, "\n".join(options), "secret_store")


class RealRuntime:
    """The user's machine: Amazon (or ``OAUTH_WIZARD_*`` overrides), the OS keyring, the real
    ``profiles.toml``."""

    demo = False

    def __init__(self, *, env: Mapping[str, str] = os.environ, config_dir: Path | None = None,
                 secrets: SecretStore | None = None) -> None:
        self.config_dir = Path(config_dir) if config_dir else default_config_dir(env)
        self._endpoints = Endpoints.from_env(env)
        self.secrets: SecretStore | None = secrets or KeyringSecretStore()
        self.profiles: ProfileStore | None = ProfileStore(self.config_dir)
        self.storage_note = ""

    @property
    def endpoints(self) -> Endpoints:
        return self._endpoints

    async def ensure_ready(self) -> None:
        """Refuse early, before any URL is opened, when the keyring cannot keep the token."""
        assert self.secrets is not None
        try:
            await self.secrets.check(write=True)
        except SecretStoreError as exc:
            raise store_error(exc) from None
        self.storage_note = f"stored in {self.secrets.describe()}"


@dataclass(frozen=True)
class CertNotice:
    """The catcher's certificate, to show; ``steps`` say how to trust a new one."""

    host: str
    fingerprint: str
    path: str
    generated: bool
    steps: tuple[TrustStep, ...]


@dataclass(frozen=True)
class CatchPlan:
    """Listen here, or paste back (``why_paste`` says why)."""

    listen: bool
    why_paste: FlowError | None = None
    cert: CertNotice | None = None
    ssl_context: Any = field(default=None, repr=False)


def save_profile(store: ProfileStore, profile: AppProfile, secret_storage: str | None,
                 today: date) -> None:
    """Add the profile, or bring an existing one of the same app up to date (its
    authorizations are kept); a profile of that name for another app is left alone."""
    try:
        existing = store.load().get(profile.name)
        if existing is None:
            store.put(ProfileRecord(profile, secret_storage=secret_storage,
                                    client_secret_first_seen=today if secret_storage else None))
            return
        if existing.app.app_id != profile.app_id:
            raise FlowError(
                f"A profile named '{profile.name}' already exists in {store.path} for another "
                f"app ({existing.app.app_id}); it was left as it is.",
                "Give this app another profile name on step 1 (App identity).")
        storage = secret_storage or existing.secret_storage
        if existing.app != profile or existing.secret_storage != storage:
            store.update(profile.name, lambda rec: replace(
                rec, app=profile, secret_storage=storage,
                client_secret_first_seen=rec.client_secret_first_seen or (
                    today if secret_storage else None)))
    except StoreError as exc:
        raise FlowError(exc.message, exc.fix) from None


class CatchSession:
    """One attempt: ``prepare()``, then ``plan()``, then ``catch()`` and/or ``paste()``;
    ``aclose()`` at the end. Events reach ``on_event``; failures are ``FlowError``s."""

    def __init__(self, runtime: Runtime, state: WizardState, *,
                 on_event: Callable[[FlowEvent], object], profile: AppProfile | None = None,
                 clock: Callable[[], float] = time.time,
                 state_factory: Callable[[], str] = new_state) -> None:
        self.runtime = runtime
        self.state = state
        self.profile = profile  # validated by Review (None: validate the state here)
        self._on_event = on_event
        self._clock = clock
        self._state_factory = state_factory
        self._open = contextlib.AsyncExitStack()  # the HTTP client, closed by aclose()
        self.flow: AuthorizeFlow | None = None
        self.ready: ConsentReady | None = None
        self._unsaved_token: TokenNotSaved | None = None  # refused by the store, kept in memory
        self._unsaved_secret: tuple[str, str] | None = None

    @property
    def consent_url(self) -> str | None:
        return self.ready.consent.url if self.ready else None

    @property
    def expires_at(self) -> float | None:
        return self.ready.expires_at if self.ready else None

    async def prepare(self) -> ConsentReady:
        """Runtime ready (keyring usable), profile saved, then the consent URL of this attempt."""
        from oauth_wizard.amazon.http import http_client
        from oauth_wizard.amazon.lwa import LwaClient
        from oauth_wizard.authorize.flow import AuthorizeFlow, AuthorizeSetup

        await self.runtime.ensure_ready()
        state = self.state
        profile = self.profile or self._validated()
        secret = state.client_secret.strip()
        runtime = self.runtime
        assert runtime.secrets is not None
        secret_storage = None if runtime.demo else runtime.secrets.location
        if runtime.profiles is not None:  # the profile first, then its secret (as profile add)
            today = datetime.fromtimestamp(self._clock(), UTC).date()
            await asyncio.to_thread(save_profile, runtime.profiles, profile, secret_storage,
                                    today)
        if not runtime.demo:  # so `oauth-wizard authorize NAME` can use the profile later
            try:
                await runtime.secrets.set(client_secret_key(profile.name), secret)
            except SecretStoreError as exc:
                self._unsaved_secret = (profile.name, secret)
                error = store_error(exc)
                error.keepable = "the client secret"
                raise error from None
        endpoints = runtime.endpoints
        setup = AuthorizeSetup(profile, secret, state.seller_marketplace,
                               state.consent_redirect_uri(), endpoints)
        # the demo talks to 127.0.0.1 only: no proxy from the environment may see that traffic
        http = await self._open.enter_async_context(http_client(trust_env=not runtime.demo))
        lwa = LwaClient(http, endpoints.token_url(), clock=self._clock,
                        on_retry=lambda attempt, delay, _why: self._on_event(
                            Retrying(attempt, delay)))
        self.flow = AuthorizeFlow(setup, lwa=lwa, secrets=runtime.secrets,
                                  profiles=runtime.profiles, on_event=self._on_event,
                                  clock=self._clock, state_factory=self._state_factory)
        self.ready = self.flow.start()
        return self.ready

    def _validated(self) -> AppProfile:
        """The profile from the wizard's values, for an attempt not started from Review."""
        missing = authorize_problems(self.state)
        if missing:
            raise FlowError(blocking_message(missing[0]), "Fill it in above, then start again.")
        built = to_profile(self.state)
        if not built.ok:
            raise FlowError(blocking_message(built.errors()[0]),
                            "Go back to the step it names and fix it.")
        return built.profile

    async def plan(self) -> CatchPlan:
        """Listen when the Redirect URI's host resolves here (with a certificate for https);
        otherwise paste-back, saying why."""
        from oauth_wizard.authorize.tls import TlsError, ensure_cert, trust_instructions

        assert self.flow is not None
        uri = urlsplit(self.flow.setup.catch_redirect_uri)
        host = uri.hostname or ""
        try:
            await asyncio.to_thread(check_host_resolves_here, host)
        except HostNotLocalError as exc:
            return CatchPlan(False, FlowError(exc.message, exc.fix))
        if uri.scheme.lower() != "https":
            return CatchPlan(True)
        assert self.runtime.config_dir is not None
        certs = Path(self.runtime.config_dir) / "certs"
        try:
            cert = await asyncio.to_thread(ensure_cert, certs, host, clock=self._clock)
            context = await asyncio.to_thread(cert.ssl_context)
        except (TlsError, OSError) as exc:
            return CatchPlan(False, FlowError(f"No certificate for {host}: {exc}",
                                              "Paste-back works without one."))
        notice = CertNotice(host, cert.fingerprint, str(cert.cert_path), cert.generated,
                            trust_instructions(cert))
        return CatchPlan(True, cert=notice, ssl_context=context)

    async def catch(self, plan: CatchPlan, *, timeout: float | None,  # noqa: ASYNC109
                    listening: Callable[[Catcher], object] | None = None) -> Authorized:
        assert self.flow is not None
        with self._remembering_refused_token():
            return await self.flow.catch(timeout=timeout, ssl_context=plan.ssl_context,
                                         listening=listening)

    async def paste(self, text: str) -> LoginLeg | Authorized:
        assert self.flow is not None
        with self._remembering_refused_token():
            return await self.flow.paste(text)

    @contextlib.contextmanager
    def _remembering_refused_token(self) -> Iterator[None]:
        from oauth_wizard.authorize.flow import TokenNotSaved

        try:
            yield
        except TokenNotSaved as exc:
            self._unsaved_token = exc
            raise

    def keep_file_path(self) -> Path | None:
        """Where ``keep_in_file`` would write (shown before the user agrees)."""
        config_dir = self.runtime.config_dir
        return None if config_dir is None else file_store(config_dir, self._announce).path

    async def keep_in_file(self) -> Authorized | None:
        """Put the secret the store refused into the announced 0600 file, as the user asked.
        The refresh token: the authorization is complete (returned). The client secret: the
        rest of this session keeps its secrets in that file too, and the attempt starts over
        (None)."""
        config_dir = self.runtime.config_dir
        assert config_dir is not None and not self.runtime.demo
        try:
            if self._unsaved_token is not None:
                unsaved = self._unsaved_token
                token = unsaved.token.refresh_token or ""
                kept = await keep_token_in_file(config_dir, unsaved.profile_name,
                                                unsaved.authorization, token, self._announce)
                self._unsaved_token = None
                if kept.note:
                    self._announce(kept.note)
                assert kept.authorization is not None
                return Authorized(kept.authorization, mask(token), kept.where, False)
            assert self._unsaved_secret is not None
            name, secret = self._unsaved_secret
            kept = await keep_client_secret_in_file(config_dir, name, secret, self._announce)
        except SecretStoreError as exc:
            raise FlowError(f"The plain-text file refused it too: {exc.message}",
                            "\n".join(exc.options), "secret_store") from None
        self._unsaved_secret = None
        self.runtime.secrets = file_store(config_dir, self._announce)
        self.runtime.storage_note = f"stored in {self.runtime.secrets.describe()}"
        return None

    def _announce(self, text: str) -> None:
        self._on_event(Notice(text))

    async def aclose(self) -> None:
        await self._open.aclose()
