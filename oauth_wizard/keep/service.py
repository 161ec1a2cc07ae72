"""Keep and use what was authorized, once for both front ends: find the secrets, verify,
record the result, refresh an access token, export.

The CLI prints the reports these return and the TUI shows them; each front end only says how
its fixes are worded (``Wording``: the CLI adds ``--config-dir`` to a command, the TUI names a
key). Every expected failure comes back as a ``Failure``, with the doctor's top cause, never as
an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup
from oauth_wizard.core.masking import mask, scrub
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.core.tokens import is_placeholder
from oauth_wizard.keep.commands import fix_command, reauthorize_command, secret_command
from oauth_wizard.keep.reports import AuthRef, ExportReport, Failure, VerifyReport
from oauth_wizard.keep.store import ProfileStore, StoreError
from oauth_wizard.keep.vault import Vault

if TYPE_CHECKING:
    from oauth_wizard.amazon.clients import RetryNote
    from oauth_wizard.amazon.endpoints import Endpoints
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient, VerifyOutcome
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.doctor.diagnosis import Diagnosis
    from oauth_wizard.keep.export import ExportCredentials

VIA = {"refresh": "token-refresh", "call": "api-call"}


def spid_label(selling_partner_id: str) -> str:
    """A selling partner id for messages; a placeholder says that the id is not known."""
    if is_placeholder(selling_partner_id):
        return f"{selling_partner_id} (id unknown)"
    return selling_partner_id


def auth_label(auth: Authorization) -> str:
    return f"{auth.region} {spid_label(auth.selling_partner_id)}"


def default_marketplace(record: ProfileRecord, auth: Authorization) -> str | None:
    """The authorization's first marketplace in its region, else the app's (for exports)."""
    for code in (*auth.marketplaces, *record.app.marketplaces):
        with contextlib.suppress(UnknownMarketplaceError):
            market = lookup(code)
            if market.region == auth.region:
                return market.code
    return None


def doctor_top(message: str, cause: str | None, via: str,
               profile: AppProfile | None) -> Diagnosis | None:
    """What ``oauth-wizard diagnose`` answers for this failure (None if it cannot say)."""
    if not cause:
        return None
    from oauth_wizard.doctor.diagnosis import diagnose
    from oauth_wizard.doctor.facts import DoctorFactError
    from oauth_wizard.doctor.knowledge import KnowledgeError

    try:
        return diagnose(message, {"cause": cause, "via": via}, profile)
    except (DoctorFactError, KnowledgeError):
        return None


async def doctor_failure(message: str, fix: str, cause: str | None, via: str,
                         profile: AppProfile | None, command: str | None = None) -> Failure:
    """The failure with the doctor's top cause, when it is the cause given."""
    found = await asyncio.to_thread(doctor_top, message, cause, via, profile)
    if found is None or not found.causes or found.top.id != cause:
        return Failure(message, fix, cause, command=command)
    return Failure(message, fix, cause, found.top.title, tuple(found.top.fix), command)


async def secret_presence(records: Iterable[ProfileRecord], vault: Vault
                          ) -> tuple[dict[str, bool], dict[str, str]]:
    """For the status report: which secrets are there (those a store could answer for) and
    their masked forms."""
    presence: dict[str, bool] = {}
    masks: dict[str, str] = {}
    for rec in records:
        for key, location in rec.secret_entries():
            found = await vault.find(key, location)
            if found.state in ("present", "missing"):
                presence[key] = found.state == "present"
            if found.value:
                masks[key] = mask(found.value)
    return presence, masks


async def orphan_secrets(records: Iterable[ProfileRecord], vault: Vault) -> list[str]:
    """Keys in the plain-text secrets file that no profile or authorization names. (The
    keyring cannot be listed; oauth-wizard records before it stores, so a kill cannot leave
    one there.)"""
    from oauth_wizard.keep.file_secrets import FileSecretStore
    from oauth_wizard.keep.secrets import SecretStoreError

    store = vault.store("file")
    if not isinstance(store, FileSecretStore) or not store.path.exists():
        return []
    named = {key for rec in records for key, _ in rec.secret_entries()}
    try:
        return [key for key in await store.keys() if key not in named]
    except SecretStoreError:
        return []


@dataclass(frozen=True)
class Wording:
    """How a front end words the fixes it shows: ``command`` completes a command line (the
    CLI adds ``--config-dir``), the prefixes introduce it."""

    command: Callable[[str], str] = lambda line: line
    reenter_prefix: str = "Enter it again: "
    reauth_prefix: str = "Authorize again: "

    def secret_fix(self, record: ProfileRecord) -> str:
        return self.reenter_prefix + self.command(secret_command(record))

    def reauth_fix(self, record: ProfileRecord, auth: Authorization) -> str:
        return self.reauth_prefix + self.command(reauthorize_command(record, auth))

    def fix_command(self, record: ProfileRecord, auth: Authorization, cause: str | None,
                    detected: str | None) -> str | None:
        line = fix_command(record, auth, cause, detected)
        return self.command(line) if line else None


class KeepService:
    """Keep-and-use over one profile store and one vault; ``now`` dates what is recorded."""

    def __init__(self, profiles: ProfileStore, vault: Vault, endpoints: Endpoints, *,
                 now: Callable[[], datetime], wording: Wording | None = None,
                 trust_env: bool = True, on_retry: RetryNote | None = None,
                 sleep: Callable[[float], Awaitable[object]] | None = None) -> None:
        self.profiles = profiles
        self.vault = vault
        self.endpoints = endpoints
        self.now = now
        self.wording = wording or Wording()
        self._trust_env = trust_env
        self._on_retry = on_retry
        self._sleep = sleep

    def clients(self, on_retry: RetryNote | None = None
                ) -> contextlib.AbstractAsyncContextManager[tuple[LwaClient, SpApiClient]]:
        """LWA and SP-API clients over one HTTP client (``amazon.http``); ``on_retry`` says
        what to show before a retry (default: the service's)."""
        from oauth_wizard.amazon.clients import api_clients

        return api_clients(self.endpoints, trust_env=self._trust_env,
                           on_retry=on_retry or self._on_retry, sleep=self._sleep)

    # --- secrets ----------------------------------------------------------------------------

    async def client_secret(self, record: ProfileRecord) -> str | Failure:
        return await self.vault.need(client_secret_key(record.name), record.secret_storage,
                                     f"the client secret of profile '{record.name}'",
                                     self.wording.secret_fix(record))

    async def refresh_token(self, record: ProfileRecord, auth: Authorization) -> str | Failure:
        return await self.vault.need(
            refresh_token_key(record.name, auth.region, auth.selling_partner_id), auth.storage,
            f"the refresh token of {auth_label(auth)}", self.wording.reauth_fix(record, auth))

    async def credentials(self, record: ProfileRecord, auth: Authorization
                          ) -> tuple[str, str] | Failure:
        """The client secret and the authorization's refresh token, or why not."""
        secret = await self.client_secret(record)
        if isinstance(secret, Failure):
            return secret
        token = await self.refresh_token(record, auth)
        return token if isinstance(token, Failure) else (secret, token)

    # --- verify -----------------------------------------------------------------------------

    async def verify(self, record: ProfileRecord, auth: Authorization, client_secret: str, *,
                     lwa: LwaClient, spapi: SpApiClient, sandbox: bool = False) -> VerifyReport:
        """Refresh at LWA, call getMarketplaceParticipations, record the result (not for the
        sandbox); a failure carries the doctor's cause and the command that fixes it."""
        from oauth_wizard.amazon.spapi import verify

        ref = AuthRef.of(record, auth)
        token = await self.refresh_token(record, auth)
        if isinstance(token, Failure):
            via = "token-refresh"
            cause = "secret_store" if self.vault.failed else None
            failure = await doctor_failure(token.message, token.fix, cause, via, record.app)
            return VerifyReport(ref, failure=failure)
        outcome = await verify(token, record.app.client_id, client_secret, auth.region, lwa=lwa,
                               spapi=spapi, sandbox=sandbox)
        # a second belt: no warning may carry the token or the secret it was made with
        outcome = replace(outcome, warnings=tuple(scrub(w, [token, client_secret])
                                                  for w in outcome.warnings))
        unrecorded = None if sandbox else await self.record_verify(record, auth, outcome)
        recorded = not sandbox and unrecorded is None
        if outcome.ok:
            return VerifyReport(ref, outcome, recorded=recorded, unrecorded=unrecorded)
        failure = await doctor_failure(
            f"{auth_label(auth)} did not verify: {outcome.message}", outcome.fix or "",
            outcome.cause_id, VIA.get(outcome.stage or "call", "api-call"), record.app,
            self.wording.fix_command(record, auth, outcome.cause_id, outcome.detected_region))
        return VerifyReport(ref, outcome, failure, recorded, unrecorded)

    async def record_verify(self, record: ProfileRecord, auth: Authorization,
                            outcome: VerifyOutcome) -> str | None:
        """Record the last verify (and, on success, the marketplaces the call returned); the
        reason when it could not be recorded."""
        result = outcome.to_verify_result(self.now())
        markets = tuple(m.code for m in outcome.marketplaces if m.known and m.participating)

        def change(current: ProfileRecord) -> ProfileRecord:
            kept = current.authorization(auth.region, auth.selling_partner_id)
            if kept is None:  # removed meanwhile: nothing to record
                return current
            # the marketplace it was made in stays first: re-authorizing suggests it
            first = tuple(m for m in kept.marketplaces[:1] if m in markets)
            found = first + tuple(m for m in markets if m not in first)
            return current.with_authorization(replace(
                kept, last_verify=result,
                marketplaces=found if outcome.ok and found else kept.marketplaces))

        try:
            await asyncio.to_thread(self.profiles.update, record.name, change)
        except StoreError as exc:
            return exc.message
        return None

    # --- export -----------------------------------------------------------------------------

    async def export_credentials(self, record: ProfileRecord, auth: Authorization, *,
                                 marketplace: str | None = None, account: str | None = None
                                 ) -> ExportCredentials | Failure:
        """What an export writes: the app's client ID and secret, the authorization's refresh
        token, its region and default marketplace (given, else ``default_marketplace``)."""
        from oauth_wizard.keep.export import ExportCredentials

        found = await self.credentials(record, auth)
        if isinstance(found, Failure):
            return found
        secret, token = found
        return ExportCredentials(record.app.client_id, secret, token, auth.region,
                                 marketplace or default_marketplace(record, auth), account)

    async def export(self, record: ProfileRecord, auth: Authorization, fmt: str, path: Path, *,
                     force: bool = False) -> ExportReport:
        """Write ``fmt`` to ``path`` (0600); an existing file or account block needs ``force``
        (``confirm`` then says which)."""
        from oauth_wizard.keep.export import ExportError, export_to_file, notes

        creds = await self.export_credentials(record, auth)
        if isinstance(creds, Failure):
            return ExportReport(failure=creds)
        try:
            written = await asyncio.to_thread(export_to_file, fmt, creds, path, force=force)
        except ExportError as exc:
            confirm = exc.kind if exc.kind in ("exists", "account_exists") and not force else None
            return ExportReport(failure=Failure(exc.message, exc.fix), confirm=confirm)
        return ExportReport(written.path, written.created,
                            notes(fmt, creds, path=written.path, profile=record.name))
