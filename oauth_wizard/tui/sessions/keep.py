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
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oauth_wizard.amazon.retry import retry_words
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.records import Authorization, ProfileRecord, client_secret_key, describe_key
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
from oauth_wizard.keep.service import KeepService, Wording, doctor_failure, secret_presence
from oauth_wizard.keep.status import compute_status
from oauth_wizard.keep.store import StoreError
from oauth_wizard.keep.vault import Vault
from oauth_wizard.tui.demo import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PROFILE,
    DemoError,
    demo_state,
)
from oauth_wizard.tui.sessions.demo import DemoRuntime
from oauth_wizard.tui.state import WizardState, to_profile

if TYPE_CHECKING:
    from oauth_wizard.amazon.clients import RetryNote
    from oauth_wizard.keep.probe import ProbeReport
    from oauth_wizard.tui.sessions.catch import Runtime
    from oauth_wizard.tui.sessions.rotation import RotationSession

__all__ = ["AuthRef", "ExportReport", "Failure", "KeepSession", "RemoveReport",
           "SelfAuthReport", "StatusView", "VerifyReport"]

TUI_EXPORT_FILES = {"psa-env": "sp-api.env", "spapi-config": "spapi_config.py",
                    "mcp-env": "sp-api-mcp.env", "dotenv": ".env"}


def export_path(fmt: str) -> Path:
    """The library's own file for ``fmt``, else a file in the current directory."""
    from oauth_wizard.keep.export import default_path

    return default_path(fmt) or Path.cwd() / TUI_EXPORT_FILES[fmt]


def _inside(path: Path, folder: Path | None) -> bool:
    """Whether ``path`` (after ~ and links) is inside ``folder``."""
    return folder is not None and path.expanduser().resolve().is_relative_to(folder.resolve())


def forget_attempt(config_dir: Path, name: str) -> None:
    from oauth_wizard.authorize import pending as attempts

    with contextlib.suppress(OSError):  # a leftover attempt expires and names no secret
        attempts.delete(config_dir, name)


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

    def rotation(self) -> RotationSession:
        """The client-secret rotation of the Profiles screen (sessions/rotation.py)."""
        from oauth_wizard.tui.sessions.rotation import RotationSession
        return RotationSession(self)

    def demo_token(self) -> str | None:
        """The simulator's self-authorization token of the demo app (demo runs only)."""
        if not isinstance(self.runtime, DemoRuntime):
            return None
        return self.runtime.simulator.self_auth_tokens.get(DEMO_APP_ID)

    def _vault(self) -> Vault:
        runtime = self.runtime
        return Vault(runtime.secrets, config_dir=None if runtime.demo else runtime.config_dir,
                     announce=self.announcements.append)

    def _service(self) -> KeepService:
        """The keep-and-use service over this runtime; a new vault per operation, so a store
        that failed is asked again next time."""
        assert self.runtime.profiles is not None
        return KeepService(self.runtime.profiles, self._vault(), self.runtime.endpoints,
                           now=self.now, trust_env=not self.demo,
                           wording=Wording(reauth_prefix="Authorize again (r): "))

    @staticmethod
    def _retry_note(progress: Callable[[str], object] | None) -> RetryNote:
        def note(service: str) -> Callable[[int, float, str], None]:
            def said(attempt: int, delay: float, outcome: str) -> None:
                if progress is not None:
                    progress(retry_words(service, attempt, delay, outcome))
            return said
        return note

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
        presence, masks = await secret_presence(records.values(), vault)
        report = compute_status(records.values(), presence, self.now(), masks=masks,
                                store_location=vault.default_location)
        places = {where: vault.describe(where) for where in ("keyring", "file", "memory")}
        return StatusView(report, dict(records), places, vault.troubles(),
                          tuple(dict.fromkeys(self.announcements)), None, path)

    # --- verify ---------------------------------------------------------------------------

    async def verify(self, ref: AuthRef, *,
                     progress: Callable[[str], object] | None = None) -> VerifyReport:
        """Refresh at LWA, call getMarketplaceParticipations, record the result."""
        failure = await self._ready()
        found = failure or await self._authorization(ref)
        if isinstance(found, Failure):
            return VerifyReport(ref, failure=found)
        record, auth = found
        service = self._service()
        secret = await service.client_secret(record)
        if isinstance(secret, Failure):
            return VerifyReport(ref, failure=secret)
        if progress is not None:
            progress(f"Refreshing the token at LWA, then asking SP-API ({auth.region}) for its "
                     "marketplaces…")
        async with service.clients(self._retry_note(progress)) as (lwa, spapi):
            return await service.verify(record, auth, secret, lwa=lwa, spapi=spapi)

    # --- the doctor's probes ----------------------------------------------------------------

    async def probe(self, name: str, facts: Mapping[str, str]) -> ProbeReport | Failure:
        """The doctor's read-only measurements with ``name``'s stored credentials."""
        from oauth_wizard.keep.probe import probe

        failure = await self._ready()
        record = failure or await self._record(name)
        if isinstance(record, Failure):
            return record
        return await probe(self._service(), record, facts)

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
            await store.check(write=True)
        except SecretStoreError as exc:
            return SelfAuthReport(failure=Failure.of_store(exc))
        service = self._service()
        secret = await service.client_secret(record)
        if isinstance(secret, Failure):
            return SelfAuthReport(failure=secret)
        if progress is not None:
            progress("Proving the token at LWA, then asking SP-API for its marketplaces…")
        async with service.clients(self._retry_note(progress)) as (lwa, spapi):
            try:
                result = await self_authorize(
                    record, checked.value, region, client_secret=secret, lwa=lwa,
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
            service.wording.fix_command(record, result.authorization, outcome.cause_id,
                                        outcome.detected_region))
        return SelfAuthReport(result, verify_failure=stored)

    # --- export ---------------------------------------------------------------------------

    async def default_export_path(self, fmt: str) -> Path:
        """Where ``fmt`` goes unless the user says otherwise (``export_path``); in the demo,
        the demo's temporary folder (its tokens are a simulator's: no real library file of
        the user's may receive them)."""
        sandbox = self.export_sandbox()
        if sandbox is not None:
            return sandbox / (TUI_EXPORT_FILES.get(fmt) or export_path(fmt).name)
        return await asyncio.to_thread(export_path, fmt)

    def export_sandbox(self) -> Path | None:
        """The only folder the demo exports to (None outside the demo)."""
        config_dir = self.runtime.config_dir if self.demo else None
        return None if config_dir is None else config_dir / "exports"

    async def export(self, ref: AuthRef, fmt: str, path: Path, *,
                     force: bool = False) -> ExportReport:
        """Write ``fmt`` to ``path`` (0600); an existing file or account block needs
        ``force``, which the caller asks the user for (``confirm``)."""
        failure = await self._ready()
        found = failure or await self._authorization(ref)
        if isinstance(found, Failure):
            return ExportReport(failure=found)
        record, auth = found
        sandbox = self.export_sandbox()
        if self.demo and not await asyncio.to_thread(_inside, path, sandbox):
            return ExportReport(failure=Failure(
                f"The demo exports only into its temporary folder ({sandbox}), never to "
                f"{path}: its tokens are the simulator's, and a real library file of yours "
                "must not receive them.", "Keep the proposed file name, or export a real "
                "profile outside the demo."))
        if sandbox is not None:
            await asyncio.to_thread(sandbox.mkdir, mode=0o700, parents=True, exist_ok=True)
        report = await self._service().export(record, auth, fmt, path, force=force)
        if report.failure is not None:  # the CLI's option is a field here
            fix = report.failure.fix.replace("with --output", "in the File field")
            report = replace(report, failure=replace(report.failure, fix=fix))
        return report

    # --- remove and re-authorize ------------------------------------------------------------

    async def remove(self, name: str) -> RemoveReport:
        """Delete the profile's secrets from where they are kept, then the profile."""
        failure = await self._ready()
        record = failure or await self._record(name)
        if isinstance(record, Failure):
            return RemoveReport(False, failure=record)
        vault = self._vault()
        lines: list[str] = []
        for key, location in record.secret_entries():
            store = vault.store(location)
            what = describe_key(key)
            if store is None:
                lines.append(f"{what}: kept in memory by a demo run only; nothing to delete")
                continue
            try:
                deleted = await store.delete(key)
            except (SecretStoreError, OSError) as exc:
                why = vault.store_failure(exc) if isinstance(exc, SecretStoreError) else Failure(
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
        from oauth_wizard.tui.sessions.reauthorize import wizard_state_for

        return wizard_state_for(record, ref, "" if isinstance(secret, Failure) else secret,
                                csrf_state, demo=self.demo)

