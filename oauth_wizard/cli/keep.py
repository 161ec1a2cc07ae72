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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from oauth_wizard.amazon.retry import retry_words
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
from oauth_wizard.core.tokens import check_selling_partner_id
from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.secrets import SecretStore
from oauth_wizard.keep.service import KeepService, Wording
from oauth_wizard.keep.store import ProfileStore, StoreError
from oauth_wizard.keep.vault import Vault

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.doctor.diagnosis import Diagnosis


T = TypeVar("T")


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

def open_vault(args: argparse.Namespace) -> Vault:
    """This command's secret stores: it writes to the keyring, or with ``--insecure-storage``
    to the announced file, and reads each secret from where its record says it is."""
    from oauth_wizard.keep.file_secrets import FileSecretStore
    from oauth_wizard.keep.secrets import KeyringSecretStore

    insecure = getattr(args, "insecure_storage", False)
    own: SecretStore = (FileSecretStore.in_config_dir(config_dir(args), announce) if insecure
                        else KeyringSecretStore())
    return Vault(own, config_dir=config_dir(args), announce=announce, open_keyring=True,
                 offer_insecure_storage=True)


def wording(args: argparse.Namespace) -> Wording:
    """Fixes as this command line words them: commands carry its ``--config-dir``."""
    return Wording(command=lambda line: with_globals(args, line),
                   reenter_prefix="Enter it again (read from stdin or a hidden prompt): ")


def keep_service(args: argparse.Namespace, vault: Vault | None = None) -> KeepService:
    """The keep-and-use service for this command (endpoints from the environment)."""
    from oauth_wizard.amazon.endpoints import Endpoints

    return KeepService(profile_store(args), vault or open_vault(args), Endpoints.from_env(),
                       now=now, wording=wording(args), on_retry=_retry_line,
                       sleep=lambda seconds: PAUSE(seconds))


def required(value: T | Failure) -> T:
    """What the command cannot go on without: a Failure becomes the command's error."""
    if isinstance(value, Failure):
        raise CommandError(value.message, value.fix)
    return value


def secret_fix(args: argparse.Namespace, record: ProfileRecord) -> str:
    return wording(args).secret_fix(record)


def reauth_command(args: argparse.Namespace, record: ProfileRecord, auth: Authorization) -> str:
    from oauth_wizard.keep.commands import reauthorize_command

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
    """What a command prints before it tries LWA or SP-API again."""
    def line(attempt: int, delay: float, outcome: str) -> None:
        print(f"* {retry_words(service, attempt, delay, outcome)}", file=sys.stderr,
              flush=True)
    return line


# --- failures, through the doctor ------------------------------------------------------------

def explain(where: str, message: str, fix: str | None, cause: str | None, via: str, *,
            profile: AppProfile | None = None, next_step: str | None = None,
            stream: TextIO | None = None) -> None:
    """The failure and its fix, then the doctor's top cause with its numbered steps (the
    answer ``oauth-wizard diagnose`` gives), the cause id and the command to run next, on
    stderr."""
    from oauth_wizard.cli.explain import explain_failure

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
