"""What ``keep_session`` answers with and builds its answers from: the typed results,
failures with their fix and the doctor's cause, the secret stores of one operation, and the
exact command that fixes a failed verify.

Kept apart from ``keep_session`` so the session holds only the operations. No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.reports import AuthRef, Failure
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.status import (
    PROG,
    REAUTH_CAUSES,
    SECRET_CAUSES,
    reauthorize_command,
    secret_command,
)

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.tui.sessions.catch import Runtime
    from oauth_wizard.tui.state import WizardState

__all__ = ["Vault", "doctor_failure", "export_path", "fix_command", "forget_attempt",
           "marketplace_of", "secret_entries", "wizard_state_for"]

RETRY_CAUSES = ("throttled", "amazon_side_issue", "lwa_unreachable", "spapi_unreachable")
MEMORY = "memory (a demo run only)"


async def doctor_failure(message: str, fix: str, cause: str | None, via: str,
                         profile: AppProfile | None, command: str | None = None) -> Failure:
    """The failure with the doctor's top cause (what ``oauth-wizard diagnose`` answers)."""
    if not cause:
        return Failure(message, fix, command=command)

    def ask() -> tuple[str | None, tuple[str, ...]]:
        from oauth_wizard.doctor.diagnosis import diagnose
        from oauth_wizard.doctor.facts import DoctorFactError
        from oauth_wizard.doctor.knowledge import KnowledgeError

        try:
            found = diagnose(message, {"cause": cause, "via": via}, profile)
        except (DoctorFactError, KnowledgeError):
            return None, ()
        if not found.causes or found.top.id != cause:
            return None, ()
        return found.top.title, tuple(found.top.fix)

    title, steps = await asyncio.to_thread(ask)
    return Failure(message, fix, cause, title, steps, command)


def fix_command(record: ProfileRecord, auth: Authorization, cause: str | None,
                detected: str | None) -> str | None:
    """The exact command that fixes a failed verify, when there is one (as ``verify``)."""
    if cause == "wrong_region_endpoint" and detected:
        if auth.how == "self-auth":
            return shlex.join([PROG, "self-auth", record.name, "--region", detected])
        return None
    if cause in REAUTH_CAUSES:
        return reauthorize_command(record, auth)
    if cause in SECRET_CAUSES:
        return secret_command(record)
    if cause in RETRY_CAUSES:
        return shlex.join([PROG, "verify", record.name, "--region", auth.region])
    return None


TUI_EXPORT_FILES = {"psa-env": "sp-api.env", "spapi-config": "spapi_config.py",
                    "mcp-env": "sp-api-mcp.env", "dotenv": ".env"}
"""Where formats that the CLI prints to stdout go from the TUI (the current directory)."""


def export_path(fmt: str) -> Path:
    """The library's own file for ``fmt``, else a file in the current directory."""
    from oauth_wizard.keep.export import default_path

    return default_path(fmt) or Path.cwd() / TUI_EXPORT_FILES[fmt]


def marketplace_of(record: ProfileRecord, auth: Authorization) -> str | None:
    """The authorization's first marketplace in its region, else the app's (for exports)."""
    from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup

    for code in (*auth.marketplaces, *record.app.marketplaces):
        with contextlib.suppress(UnknownMarketplaceError):
            market = lookup(code)
            if market.region == auth.region:
                return market.code
    return None


class Vault:
    """The secret stores of one operation, chosen per secret by where its record says it is:
    the runtime's store, the ``--insecure-storage`` file (every read announced), or none (a
    demo run's memory, gone). A store that failed once is not asked again."""

    def __init__(self, runtime: Runtime, announce: Callable[[str], None]) -> None:
        self.runtime = runtime
        self._announce = announce
        self._file: FileSecretStore | None = None
        self.failed: dict[str, SecretStoreError] = {}

    @property
    def default_location(self) -> str:
        own = self.runtime.secrets
        return own.location if own is not None else "keyring"

    def store(self, location: str | None) -> SecretStore | None:
        own = self.runtime.secrets
        if own is not None and (location is None or location == own.location):
            return own
        if location == "file" and not self.runtime.demo and self.runtime.config_dir:
            if self._file is None:
                self._file = FileSecretStore.in_config_dir(self.runtime.config_dir,
                                                           self._announce)
            return self._file
        return None

    def describe(self, location: str | None) -> str:
        store = self.store(location)
        if store is not None:
            return store.describe()
        return MEMORY if location == "memory" else f"the {location or 'keyring'}"

    async def find(self, key: str, location: str | None) -> tuple[str, str | None]:
        """(present | missing | unreadable | unchecked, the value when present)."""
        store = self.store(location)
        if store is None:
            return "unchecked", None
        where = store.location
        if where in self.failed:
            return "unreadable", None
        try:
            value = await store.get(key)
        except SecretStoreError as exc:
            self.failed[where] = exc
            return "unreadable", None
        return ("present", value) if value else ("missing", None)

    async def need(self, key: str, location: str | None, what: str, fix: str) -> str | Failure:
        """The secret, or a Failure saying it is missing or why it could not be read."""
        found, value = await self.find(key, location)
        if value:
            return value
        store = self.store(location)
        if found == "unreadable" and store is not None:
            return Failure.of_store(self.failed[store.location])
        if found == "unchecked":
            return Failure(f"{what[0].upper()}{what[1:]} was kept in memory by a demo run "
                           "only, so it is gone.", fix)
        return Failure(f"{what[0].upper()}{what[1:]} is not in {self.describe(location)}.", fix)

    def troubles(self) -> tuple[Failure, ...]:
        """The stores that failed, as failures saying their secrets were not checked."""
        out = []
        for where, exc in self.failed.items():
            said = Failure.of_store(exc)
            out.append(Failure(f"The {where} could not be read, so the secrets kept there were "
                               f"not checked: {exc.message}", said.fix, said.cause))
        return tuple(out)


def secret_entries(record: ProfileRecord) -> list[tuple[str, str | None]]:
    """Every secret of a profile, with where its record says it is kept."""
    return [(client_secret_key(record.name), record.secret_storage),
            *((refresh_token_key(record.name, a.region, a.selling_partner_id), a.storage)
              for a in record.authorizations)]


def forget_attempt(config_dir: Path, name: str) -> None:
    from oauth_wizard.authorize import pending as attempts

    with contextlib.suppress(OSError):  # a leftover attempt expires and names no secret
        attempts.delete(config_dir, name)


def wizard_state_for(record: ProfileRecord, ref: AuthRef | None, client_secret: str,
                     csrf_state: str, *, demo: bool) -> WizardState:
    """The wizard's values for authorizing ``record`` again: in a marketplace the authorization
    ``ref`` covers (else one of its region), or in the app's first marketplace."""
    from oauth_wizard.keep.status import marketplace_for
    from oauth_wizard.tui.state import WizardState

    app = record.app
    auth = record.authorization(ref.region, ref.selling_partner_id) if ref else None
    known = [c for c in (auth.marketplaces if auth else ()) if c in app.marketplaces]
    market = (known[0] if known else marketplace_for(record, ref.region) if ref is not None
              else (app.marketplaces[0] if app.marketplaces else ""))
    publish = ("published_pending" if app.app_state == "published" and app.edits_pending
               else app.app_state)
    return WizardState(
        app_id=app.app_id, client_id=app.client_id, client_secret=client_secret, kind=app.kind,
        publish=publish, hybrid=app.hybrid, dev_ids=tuple(app.dev_ids),
        marketplaces=tuple(app.marketplaces), seller_marketplace=market,
        login_uri=app.login_uri or "", redirect_uris=tuple(app.redirect_uris) or ("",),
        csrf_state=csrf_state, demo=demo, profile_name=record.name)
