"""What keep-and-use operations return: typed reports that the CLI prints and the TUI shows.

Every expected failure comes back as a ``Failure`` (message, fix, the doctor's cause and its
steps, the command that fixes it), never as an exception, so a front end only renders. No I/O
here: a screen may import these without loading the keyring or the HTTP clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oauth_wizard.core.records import Authorization, ProfileRecord

if TYPE_CHECKING:
    from oauth_wizard.amazon.spapi import VerifyOutcome
    from oauth_wizard.keep.secrets import SecretStoreError
    from oauth_wizard.keep.selfauth import SelfAuthResult
    from oauth_wizard.keep.status import StatusReport


@dataclass(frozen=True)
class Failure:
    """What went wrong (one sentence), the fix (one option per line), the doctor's cause id
    with its title and steps, and the exact command that fixes it, when there is one."""

    message: str
    fix: str = ""
    cause: str | None = None
    title: str | None = None
    steps: tuple[str, ...] = ()
    command: str | None = None

    @classmethod
    def of_store(cls, exc: SecretStoreError, *, offer_insecure_storage: bool = False) -> Failure:
        """A secret store that cannot be used, with its ways out. ``--insecure-storage`` is a
        command-line flag, left out where the front end does not offer it (the TUI)."""
        options = [o for o in exc.options
                   if offer_insecure_storage or "--insecure-storage" not in o]
        return cls(exc.message, "\n".join(options), "secret_store")


@dataclass(frozen=True)
class AuthRef:
    """One authorization of one profile."""

    profile: str
    region: str
    selling_partner_id: str

    @classmethod
    def of(cls, record: ProfileRecord, auth: Authorization) -> AuthRef:
        return cls(record.name, auth.region, auth.selling_partner_id)


@dataclass(frozen=True)
class StatusView:
    """What the Profiles screen shows: ``report`` is ``status.compute_status``'s."""

    report: StatusReport | None = None
    records: dict[str, ProfileRecord] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # location → the store in words
    troubles: tuple[Failure, ...] = ()  # stores that could not be read: secrets not checked
    announcements: tuple[str, ...] = ()  # the --insecure-storage file was read
    failure: Failure | None = None  # nothing to show: profiles.toml unreadable, demo down
    path: Path | None = None


@dataclass(frozen=True)
class VerifyReport:
    ref: AuthRef
    outcome: VerifyOutcome | None = None
    failure: Failure | None = None
    recorded: bool = False
    unrecorded: str | None = None  # why the result could not be recorded in profiles.toml

    @property
    def ok(self) -> bool:
        return self.outcome is not None and self.outcome.ok


@dataclass(frozen=True)
class SelfAuthReport:
    """``result`` when the token was stored; ``verify_failure`` when it was stored but the
    verify call on the way failed (throttled, a missing role)."""

    result: SelfAuthResult | None = None
    failure: Failure | None = None
    verify_failure: Failure | None = None


@dataclass(frozen=True)
class ExportReport:
    """``confirm`` is ``exists`` or ``account_exists`` when writing needs ``force``."""

    path: Path | None = None
    created: bool = False
    notes: tuple[str, ...] = ()
    failure: Failure | None = None
    confirm: str | None = None


@dataclass(frozen=True)
class RemoveReport:
    removed: bool
    lines: tuple[str, ...] = ()
    failure: Failure | None = None
    note: str | None = None
