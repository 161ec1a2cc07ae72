"""What the keep-and-use commands share (profile list/show/remove, self-auth, verify, status,
token, export): loading profiles, reading each secret from where it was kept, choosing one
authorization, the HTTP clients, and failures explained by the doctor.

Secrets are read from the store their record names (``keyring`` or the ``--insecure-storage``
file, whose every read is announced), so a token kept in the file is found without repeating
the flag, and a keyring that fails once is not asked again in the same command (a locked
keyring would otherwise cost its timeout per secret). Nothing here imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from oauth_wizard.cli.common import (
    PROG,
    CommandError,
    UsageError,
    announce,
    checked,
    config_dir,
    print_wrapped,
    store_failure,
)
from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.core.records import Authorization, ProfileRecord
from oauth_wizard.core.tokens import check_selling_partner_id, is_placeholder
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

if TYPE_CHECKING:
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.doctor.diagnosis import Diagnosis


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# Tests replace these two: the clock of every date shown or recorded, and the retry back-off.
CLOCK: Callable[[], datetime] = _utc_now
PAUSE: Callable[[float], Any] = asyncio.sleep


def now() -> datetime:
    return CLOCK()


# --- profiles ----------------------------------------------------------------------------------

def profile_store(args: argparse.Namespace) -> ProfileStore:
    return ProfileStore(config_dir(args))


def load_record(args: argparse.Namespace, name: str) -> ProfileRecord:
    try:
        return profile_store(args).get(name)
    except StoreError as exc:
        raise store_failure(exc) from None


def load_all(args: argparse.Namespace) -> list[ProfileRecord]:
    try:
        return list(profile_store(args).load().values())
    except StoreError as exc:
        raise store_failure(exc) from None


def regions_of(record: ProfileRecord) -> list[str]:
    """The regions of the profile's marketplaces, in NA, EU, FE order."""
    from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup

    found = set()
    for code in record.app.marketplaces:
        with contextlib.suppress(UnknownMarketplaceError):
            found.add(lookup(code).region)
    return [r for r in REGIONS if r in found]


def spid_label(selling_partner_id: str) -> str:
    if is_placeholder(selling_partner_id):
        return f"{selling_partner_id} (id unknown)"
    return selling_partner_id


# --- choosing an authorization -------------------------------------------------------------

def _listing(record: ProfileRecord, auths: Sequence[Authorization]) -> str:
    return "; ".join(f"--region {a.region} --selling-partner {a.selling_partner_id} "
                     f"({a.how}{', ' + ', '.join(a.marketplaces) if a.marketplaces else ''})"
                     for a in auths)


def select(args: argparse.Namespace, record: ProfileRecord) -> list[Authorization]:
    """The authorizations ``--region``/``--selling-partner`` pick (all without them)."""
    region = getattr(args, "region", None)
    given = getattr(args, "selling_partner", None)
    spid = checked(check_selling_partner_id(given), "--selling-partner") if given else None
    auths = [a for a in record.authorizations
             if (region is None or a.region == region)
             and (spid is None or a.selling_partner_id == spid)]
    if not record.authorizations:
        raise CommandError(f"Profile '{record.name}' has no authorization yet, so there is no "
                           "refresh token.", "Authorize a seller: "
                           f"{with_globals(args, f'{PROG} authorize {record.name}')}, or paste "
                           "your own account's self-authorization token: "
                           f"{with_globals(args, f'{PROG} self-auth {record.name}')}")
    if not auths:
        wanted = " ".join(x for x in (region and f"--region {region}",
                                      spid and f"--selling-partner {spid}") if x)
        raise UsageError(f"Profile '{record.name}' has no authorization for {wanted}.",
                         f"Choose one of: {_listing(record, record.authorizations)}.")
    return auths


def choose_one(args: argparse.Namespace, record: ProfileRecord) -> Authorization:
    auths = select(args, record)
    if len(auths) > 1:
        raise UsageError(f"Profile '{record.name}' has {len(auths)} authorizations; say which "
                         "one.", f"Add one of: {_listing(record, auths)}.")
    return auths[0]


# --- secrets -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """One secret looked up: ``state`` is present, missing, unreadable (the store failed) or
    unchecked (nothing to ask: kept in memory by a demo run)."""

    state: str
    value: str | None = None
    error: SecretStoreError | None = None
    where: str = ""


class Vault:
    """The secret stores of one command, chosen per secret by where its record says it is."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._stores: dict[str, SecretStore] = {}
        self.failed: dict[str, SecretStoreError] = {}

    @property
    def default_location(self) -> str:
        return "file" if getattr(self.args, "insecure_storage", False) else "keyring"

    def store(self, location: str | None = None) -> SecretStore | None:
        """The store at ``location`` (None: where this command writes); None for memory."""
        from oauth_wizard.keep.file_secrets import FileSecretStore
        from oauth_wizard.keep.secrets import KeyringSecretStore

        where = location or self.default_location
        if where == "memory":
            return None
        if where not in self._stores:
            self._stores[where] = (FileSecretStore.in_config_dir(config_dir(self.args), announce)
                                   if where == "file" else KeyringSecretStore())
        return self._stores[where]

    def describe(self, location: str | None = None) -> str:
        store = self.store(location)
        return store.describe() if store is not None else "memory (a demo run only)"

    async def find(self, key: str, location: str | None = None) -> Found:
        """Look ``key`` up; a store that failed once is not asked again."""
        where = location or self.default_location
        store = self.store(where)
        if store is None:
            return Found("unchecked", where=where)
        if where in self.failed:
            return Found("unreadable", error=self.failed[where], where=where)
        try:
            value = await store.get(key)
        except SecretStoreError as exc:
            self.failed[where] = exc
            return Found("unreadable", error=exc, where=where)
        return Found("present" if value else "missing", value or None, where=where)

    async def need(self, key: str, location: str | None, what: str, fix: str) -> str:
        """The secret, or a CommandError saying it is missing or why it could not be read."""
        found = await self.find(key, location)
        if found.value:
            return found.value
        if found.error is not None:
            raise CommandError(found.error.message, "\n".join(found.error.options))
        if found.state == "unchecked":
            raise CommandError(f"{what.capitalize()} was kept in memory by a demo run only, so "
                               "it is gone.", fix)
        raise CommandError(f"{what.capitalize()} is not in {self.describe(location)}.", fix)


def secret_fix(args: argparse.Namespace, record: ProfileRecord) -> str:
    from oauth_wizard.keep.status import secret_command

    return ("Enter it again (read from stdin or a hidden prompt): "
            f"{with_globals(args, secret_command(record))}")


def reauth_command(args: argparse.Namespace, record: ProfileRecord, auth: Authorization) -> str:
    from oauth_wizard.keep.status import reauthorize_command

    return with_globals(args, reauthorize_command(record, auth))


def with_globals(args: argparse.Namespace, command: str) -> str:
    """A fixing command (``oauth-wizard ...``) with this run's ``--config-dir`` when it was
    given on the command line, so it can be pasted as is."""
    import os
    import shlex

    from oauth_wizard.cli.common import CONFIG_DIR_ENV

    given = getattr(args, "config_dir", None)
    if not given or given == os.environ.get(CONFIG_DIR_ENV) or not command.startswith(PROG):
        return command
    return f"{PROG} --config-dir {shlex.quote(given)}{command[len(PROG):]}"


# --- HTTP --------------------------------------------------------------------------------------

def _retry_line(service: str) -> Callable[[int, float, str], None]:
    def line(attempt: int, delay: float, outcome: str) -> None:
        print(f"* {service} answered {outcome}; trying again in {delay:g} s (attempt "
              f"{attempt + 1})", file=sys.stderr, flush=True)
    return line


@contextlib.asynccontextmanager
async def clients() -> AsyncIterator[tuple[LwaClient, SpApiClient]]:
    """LWA and SP-API clients over one HTTP client, pointed by the environment (a simulator
    when OAUTH_WIZARD_LWA_URL / OAUTH_WIZARD_SPAPI_URL are set), with the user agent."""
    import httpx

    from oauth_wizard.amazon.endpoints import Endpoints
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient
    from oauth_wizard.amazon.useragent import user_agent

    endpoints = Endpoints.from_env()
    agent = user_agent()
    async with httpx.AsyncClient(headers={"User-Agent": agent}, follow_redirects=False) as http:
        yield (LwaClient(http, endpoints.token_url(), user_agent=agent,
                         sleep=lambda s: PAUSE(s), on_retry=_retry_line("LWA")),
               SpApiClient(http, endpoints, user_agent=agent, sleep=lambda s: PAUSE(s),
                           on_retry=_retry_line("SP-API")))


# --- failures, through the doctor ------------------------------------------------------------

VIA = {"refresh": "token-refresh", "call": "api-call"}


def doctor_says(message: str, cause: str | None, via: str,
                profile: AppProfile | None = None) -> Diagnosis | None:
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


def explain(where: str, message: str, fix: str | None, cause: str | None, via: str, *,
            profile: AppProfile | None = None, next_step: str | None = None,
            stream: TextIO | None = None) -> None:
    """The failure and its fix, then the doctor's top cause with its numbered steps (the
    answer ``oauth-wizard diagnose`` gives), the cause id and the command to run next, on
    stderr."""
    from oauth_wizard.cli.diagnose import explain_failure

    out = sys.stderr if stream is None else stream
    print_wrapped(out, f"{where}: error: {message}", indent="  ", first="")
    if fix:
        for i, option in enumerate(p for p in fix.split("\n") if p):
            print_wrapped(out, option, indent="       ", first="  fix: " if i == 0 else "       ")
    out.flush()
    if cause:
        explain_failure(message, cause, {"via": via}, profile, stream=out)
        print(f"  (cause: {cause})", file=out)
    if next_step:
        print_wrapped(out, next_step, indent="    ", first="  next: ")
    out.flush()


def diagnosis_json(found: Diagnosis | None) -> dict[str, Any] | None:
    if found is None or not found.causes:
        return None
    top = found.top
    return {"cause": top.id, "title": top.title, "score": top.score, "fix": list(top.fix)}


SELECT_REGION = "the region of the authorization (NA, EU or FE) when the profile has several"
SELECT_SPID = ("the selling partner id of the authorization when the profile has several "
               "(self-authorizations without a known id are self-NA, self-EU, self-FE)")


def region_type(value: str) -> str:
    """``--region``: NA, EU or FE in any case."""
    code = value.strip().upper()
    if code not in REGIONS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a region; use NA, EU or FE")
    return code


def add_selectors(parser: argparse.ArgumentParser) -> None:
    """``--region`` and ``--selling-partner``: which authorization, when there are several."""
    parser.add_argument("--region", type=region_type, metavar="R", help=SELECT_REGION)
    parser.add_argument("--selling-partner", metavar="ID", help=SELECT_SPID)
