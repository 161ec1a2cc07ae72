"""Keep and use tokens from the TUI: status, verify, self-authorization, export and remove.

The Profiles, Self-authorize and Done screens call a ``KeepSession`` from their workers and
render the typed results it returns; nothing here imports Textual. Every expected failure (a
keyring that is locked or slow, a broken profiles.toml, LWA saying no, a file that exists)
comes back as a ``Failure`` with its fix, never as an exception.

Secrets are read from the store their record names: the runtime's own store (the OS keyring, or
the demo's) or the announced ``--insecure-storage`` file. A store that fails once is not asked
again in the same operation, so a locked keyring costs one timeout, not one per secret. In a
demo run, the demo app's profile is added (with its client secret, the simulator's own fake)
when it is missing, so verify, self-authorization and export work there from the first minute.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oauth_wizard.amazon.useragent import user_agent
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
    describe_key,
    refresh_token_key,
)
from oauth_wizard.core.tokens import check_refresh_token
from oauth_wizard.keep.reports import (
    AuthRef,
    ExportReport,
    Failure,
    RemoveReport,
    SelfAuthReport,
    StatusView,
    VerifyReport,
)
from oauth_wizard.keep.secrets import SecretStoreError
from oauth_wizard.keep.selfauth import SelfAuthError
from oauth_wizard.keep.status import compute_status
from oauth_wizard.keep.store import StoreError
from oauth_wizard.tui.demo import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PROFILE,
    DemoError,
    demo_state,
)
from oauth_wizard.tui.sessions.catch import Runtime
from oauth_wizard.tui.sessions.demo import DemoRuntime
from oauth_wizard.tui.sessions.keep_support import (
    Vault,
    doctor_failure,
    export_path,
    fix_command,
    forget_attempt,
    marketplace_of,
    secret_entries,
    wizard_state_for,
)
from oauth_wizard.tui.state import WizardState, to_profile

if TYPE_CHECKING:
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient, VerifyOutcome

__all__ = ["AuthRef", "ExportReport", "Failure", "KeepSession", "RemoveReport",
           "SelfAuthReport", "StatusView", "VerifyReport"]

class KeepSession:
    """The keep-and-use operations over one runtime; ``clock`` dates what is recorded."""

    def __init__(self, runtime: Runtime, *, clock: Callable[[], float]) -> None:
        self.runtime = runtime
        self._clock = clock
        self.announcements: list[str] = []
        self._seeded = False

    @property
    def demo(self) -> bool:
        return self.runtime.demo

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC).replace(microsecond=0)

    def demo_token(self) -> str | None:
        """The simulator's self-authorization token of the demo app (demo runs only)."""
        if not isinstance(self.runtime, DemoRuntime):
            return None
        return self.runtime.simulator.self_auth_tokens.get(DEMO_APP_ID)

    def _vault(self) -> Vault:
        return Vault(self.runtime, self.announcements.append)

    # --- readiness and the demo's own profile ---------------------------------------------

    async def _ready(self) -> Failure | None:
        if not self.demo:
            return None
        try:
            await self.runtime.ensure_ready()
            await self._seed_demo()
        except (DemoError, FlowError) as exc:
            return Failure(exc.message, exc.fix)
        except SecretStoreError as exc:
            return Failure.of_store(exc)
        except StoreError as exc:
            return Failure(exc.message, exc.fix)
        return None

    async def _seed_demo(self) -> None:
        """Add the demo app's profile when missing, and keep its client secret in the demo's
        store (the wizard's demo authorization does not store it)."""
        profiles, secrets = self.runtime.profiles, self.runtime.secrets
        assert profiles is not None and secrets is not None
        records = await asyncio.to_thread(profiles.load)
        today = self.now().date()
        if not records and not self._seeded:  # once: a removed demo profile stays removed
            assert isinstance(self.runtime, DemoRuntime)
            built = to_profile(demo_state("", self.runtime.login_uri,
                                          self.runtime.redirect_uri)).profile
            await asyncio.to_thread(profiles.put, ProfileRecord(built, secrets.location, today))
            records = {DEMO_PROFILE: ProfileRecord(built, secrets.location, today)}
        self._seeded = True
        for rec in records.values():
            if rec.app.client_id != DEMO_CLIENT_ID:
                continue
            key = client_secret_key(rec.name)
            if await secrets.get(key) is None:
                await secrets.set(key, DEMO_CLIENT_SECRET)
            if rec.secret_storage != secrets.location:
                await asyncio.to_thread(profiles.update, rec.name, lambda r: replace(
                    r, secret_storage=secrets.location,
                    client_secret_first_seen=r.client_secret_first_seen or today))

    async def _record(self, name: str) -> ProfileRecord | Failure:
        assert self.runtime.profiles is not None
        try:
            return await asyncio.to_thread(self.runtime.profiles.get, name)
        except StoreError as exc:
            return Failure(exc.message, exc.fix)

    async def _authorization(self, ref: AuthRef) -> tuple[ProfileRecord, Authorization] | Failure:
        record = await self._record(ref.profile)
        if isinstance(record, Failure):
            return record
        auth = record.authorization(ref.region, ref.selling_partner_id)
        if auth is None:
            return Failure(f"Profile '{ref.profile}' no longer has the {ref.region} "
                           f"authorization {ref.selling_partner_id}.",
                           "Reload the profiles (F5) to see what is there now.")
        return record, auth

    # --- status ---------------------------------------------------------------------------

    async def status(self) -> StatusView:
        """Every profile and authorization, with each secret looked up where it is kept."""
        failure = await self._ready()
        profiles = self.runtime.profiles
        path = profiles.path if profiles is not None else None
        if failure is not None or profiles is None:
            return StatusView(failure=failure or Failure("No profile store is set up."),
                              path=path)
        try:
            records = await asyncio.to_thread(profiles.load)
        except StoreError as exc:
            return StatusView(failure=Failure(exc.message, exc.fix), path=path)
        vault = self._vault()
        presence: dict[str, bool] = {}
        masks: dict[str, str] = {}
        for rec in records.values():
            for key, location in secret_entries(rec):
                found, value = await vault.find(key, location)
                if found in ("present", "missing"):
                    presence[key] = found == "present"
                if value:
                    masks[key] = mask(value)
        report = compute_status(records.values(), presence, self.now(), masks=masks,
                                store_location=vault.default_location)
        places = {where: vault.describe(where) for where in ("keyring", "file", "memory")}
        return StatusView(report, dict(records), places, vault.troubles(),
                          tuple(dict.fromkeys(self.announcements)), None, path)

    # --- verify ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _clients(self, progress: Callable[[str], object] | None
                       ) -> AsyncIterator[tuple[LwaClient, SpApiClient]]:
        import httpx  # with the first call, not with the screen that holds this session

        from oauth_wizard.amazon.lwa import LwaClient
        from oauth_wizard.amazon.spapi import SpApiClient

        def retry(service: str) -> Callable[[int, float, str], None]:
            def said(attempt: int, delay: float, outcome: str) -> None:
                if progress is not None:
                    progress(f"{service} answered {outcome}; trying again in {delay:g} s "
                             f"(attempt {attempt + 1})")
            return said

        endpoints = self.runtime.endpoints
        agent = user_agent()
        # the demo talks to 127.0.0.1 only: no proxy from the environment may see that traffic
        async with httpx.AsyncClient(headers={"User-Agent": agent}, follow_redirects=False,
                                     trust_env=not self.demo) as http:
            yield (LwaClient(http, endpoints.token_url(), user_agent=agent,
                             on_retry=retry("LWA")),
                   SpApiClient(http, endpoints, user_agent=agent, on_retry=retry("SP-API")))

    async def _secrets(self, vault: Vault, record: ProfileRecord,
                       auth: Authorization | None) -> tuple[str, str | None] | Failure:
        from oauth_wizard.keep.status import reauthorize_command, secret_command

        secret = await vault.need(client_secret_key(record.name), record.secret_storage,
                                  f"the client secret of profile '{record.name}'",
                                  "Enter it again: " + secret_command(record))
        if isinstance(secret, Failure) or auth is None:
            return secret if isinstance(secret, Failure) else (secret, None)
        label = f"{auth.region} {auth.selling_partner_id}"
        token = await vault.need(
            refresh_token_key(record.name, auth.region, auth.selling_partner_id), auth.storage,
            f"the refresh token of {label}", "Authorize again (r): "
            + reauthorize_command(record, auth))
        return token if isinstance(token, Failure) else (secret, token)

    async def verify(self, ref: AuthRef, *,
                     progress: Callable[[str], object] | None = None) -> VerifyReport:
        """Refresh at LWA, call getMarketplaceParticipations, record the result."""
        failure = await self._ready()
        found = failure or await self._authorization(ref)
        if isinstance(found, Failure):
            return VerifyReport(ref, failure=found)
        record, auth = found
        secrets = await self._secrets(self._vault(), record, auth)
        if isinstance(secrets, Failure):
            return VerifyReport(ref, failure=secrets)
        client_secret, token = secrets
        assert token is not None
        from oauth_wizard.amazon.spapi import verify

        if progress is not None:
            progress(f"Refreshing the token at LWA, then asking SP-API ({auth.region}) for its "
                     "marketplaces…")
        async with self._clients(progress) as (lwa, spapi):
            outcome = await verify(token, record.app.client_id, client_secret, auth.region,
                                   lwa=lwa, spapi=spapi)
        recorded = await self._record_verify(record, auth, outcome)
        if outcome.ok:
            return VerifyReport(ref, outcome, recorded=recorded)
        via = "token-refresh" if outcome.stage == "refresh" else "api-call"
        failure = await doctor_failure(
            f"{ref.region} {ref.selling_partner_id} did not verify: {outcome.message}",
            outcome.fix or "", outcome.cause_id, via, record.app,
            fix_command(record, auth, outcome.cause_id, outcome.detected_region))
        return VerifyReport(ref, outcome, failure, recorded)

    async def _record_verify(self, record: ProfileRecord, auth: Authorization,
                             outcome: VerifyOutcome) -> bool:
        result = outcome.to_verify_result(self.now())
        markets = tuple(m.code for m in outcome.marketplaces if m.known and m.participating)

        def change(current: ProfileRecord) -> ProfileRecord:
            kept = current.authorization(auth.region, auth.selling_partner_id)
            if kept is None:  # removed meanwhile: nothing to record
                return current
            return current.with_authorization(replace(
                kept, last_verify=result,
                marketplaces=markets if outcome.ok and markets else kept.marketplaces))

        assert self.runtime.profiles is not None
        try:
            await asyncio.to_thread(self.runtime.profiles.update, record.name, change)
        except StoreError:
            return False
        return True

    # --- self-authorization -----------------------------------------------------------------

    async def profiles(self) -> dict[str, ProfileRecord] | Failure:
        """The profiles, for choosing one (self-authorization)."""
        failure = await self._ready()
        if failure is not None:
            return failure
        assert self.runtime.profiles is not None
        try:
            return await asyncio.to_thread(self.runtime.profiles.load)
        except StoreError as exc:
            return Failure(exc.message, exc.fix)

    async def self_authorize(self, name: str, region: str, token: str, *,
                             progress: Callable[[str], object] | None = None) -> SelfAuthReport:
        """Prove ``token`` at LWA, learn its marketplaces, store it (``selfauth``)."""
        from oauth_wizard.keep.selfauth import self_authorize

        checked = check_refresh_token(token)
        errors = [p for p in checked.problems if p.severity == "error"]
        if errors:
            return SelfAuthReport(failure=Failure(errors[0].message, errors[0].fix))
        failure = await self._ready()
        record = failure or await self._record(name)
        if isinstance(record, Failure):
            return SelfAuthReport(failure=record)
        store = self.runtime.secrets
        assert store is not None and self.runtime.profiles is not None
        try:
            await store.check()
        except SecretStoreError as exc:
            return SelfAuthReport(failure=Failure.of_store(exc))
        secrets = await self._secrets(self._vault(), record, None)
        if isinstance(secrets, Failure):
            return SelfAuthReport(failure=secrets)
        if progress is not None:
            progress("Proving the token at LWA, then asking SP-API for its marketplaces…")
        async with self._clients(progress) as (lwa, spapi):
            try:
                result = await self_authorize(
                    record, checked.value, region, client_secret=secrets[0], lwa=lwa,
                    spapi=spapi, secrets=store, profiles=self.runtime.profiles, now=self.now())
            except SelfAuthError as exc:
                return SelfAuthReport(failure=await doctor_failure(
                    exc.message, exc.fix, exc.cause, exc.via, record.app))
        outcome = result.outcome
        if outcome.ok:
            return SelfAuthReport(result)
        via = "token-refresh" if outcome.stage == "refresh" else "api-call"
        stored = await doctor_failure(
            f"The token is stored, but the verify call failed: {outcome.message}",
            outcome.fix or "", outcome.cause_id, via, record.app,
            fix_command(record, result.authorization, outcome.cause_id,
                        outcome.detected_region))
        return SelfAuthReport(result, verify_failure=stored)

    # --- export ---------------------------------------------------------------------------

    async def default_export_path(self, fmt: str) -> Path:
        """Where ``fmt`` goes unless the user says otherwise (``keep_support.export_path``)."""
        return await asyncio.to_thread(export_path, fmt)

    async def export(self, ref: AuthRef, fmt: str, path: Path, *,
                     force: bool = False) -> ExportReport:
        """Write ``fmt`` to ``path`` (0600); an existing file or account block needs
        ``force``, which the caller asks the user for (``confirm``)."""
        from oauth_wizard.keep.export import ExportCredentials, ExportError, export_to_file, notes

        failure = await self._ready()
        found = failure or await self._authorization(ref)
        if isinstance(found, Failure):
            return ExportReport(failure=found)
        record, auth = found
        secrets = await self._secrets(self._vault(), record, auth)
        if isinstance(secrets, Failure):
            return ExportReport(failure=secrets)
        secret, token = secrets
        assert token is not None
        creds = ExportCredentials(record.app.client_id, secret, token, auth.region,
                                  marketplace_of(record, auth))
        try:
            written = await asyncio.to_thread(export_to_file, fmt, creds, path, force=force)
        except ExportError as exc:
            fix = exc.fix.replace("with --output", "in the File field")
            if exc.kind in ("exists", "account_exists") and not force:
                return ExportReport(failure=Failure(exc.message, fix), confirm=exc.kind)
            return ExportReport(failure=Failure(exc.message, fix))
        return ExportReport(written.path, written.created,
                            notes(fmt, creds, path=written.path, profile=record.name))

    # --- remove and re-authorize ------------------------------------------------------------

    async def remove(self, name: str) -> RemoveReport:
        """Delete the profile's secrets from where they are kept, then the profile."""
        failure = await self._ready()
        record = failure or await self._record(name)
        if isinstance(record, Failure):
            return RemoveReport(False, failure=record)
        vault = self._vault()
        lines: list[str] = []
        for key, location in secret_entries(record):
            store = vault.store(location)
            what = describe_key(key)
            if store is None:
                lines.append(f"{what}: kept in memory by a demo run only; nothing to delete")
                continue
            try:
                deleted = await store.delete(key)
            except (SecretStoreError, OSError) as exc:
                why = Failure.of_store(exc) if isinstance(exc, SecretStoreError) else Failure(
                    f"Could not rewrite {store.describe()} ({exc.strerror or exc}).")
                return RemoveReport(False, tuple(lines), Failure(
                    f"{why.message} Profile '{name}' was left in place, so nothing is "
                    "orphaned.", "\n".join(x for x in (why.fix, "Then remove it again.") if x)))
            lines.append(f"{what}: {'deleted from' if deleted else 'was not in'} "
                         f"{store.describe()}")
        assert self.runtime.profiles is not None
        try:
            await asyncio.to_thread(self.runtime.profiles.remove, name)
        except StoreError as exc:
            return RemoveReport(False, tuple(lines), Failure(exc.message, exc.fix))
        await asyncio.to_thread(forget_attempt, self.runtime.profiles.config_dir, name)
        note = ("Sellers can revoke the app's access in Seller Central (Apps and Services, "
                "Manage Your Apps); removing the profile does not." if record.authorizations
                else None)
        return RemoveReport(True, tuple(lines), note=note)

    async def reauthorize_state(self, name: str, ref: AuthRef | None,
                                csrf_state: str) -> WizardState | Failure:
        """The wizard's values for authorizing ``name`` again (in ``ref``'s region, else the
        app's first marketplace). A client secret that cannot be read is left empty: the
        Catch screen then asks for it."""
        failure = await self._ready()
        record = failure or await self._record(name)
        if isinstance(record, Failure):
            return record
        secret = await self._vault().need(client_secret_key(name), record.secret_storage,
                                          "the client secret", "")
        return wizard_state_for(record, ref, "" if isinstance(secret, Failure) else secret,
                                csrf_state, demo=self.demo)
