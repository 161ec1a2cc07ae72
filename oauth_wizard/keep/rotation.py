"""Rotating the LWA client secret through Amazon's API, in two steps that cannot lose access.

1. ``request_rotation``: a ``client_credentials`` token with the rotation scope (never a
   seller's token), then ``rotateApplicationClientSecret``; the request is recorded on the
   profile, so the API is not called twice for one rotation.
2. ``complete_rotation``: the ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` notice the queue delivered
   is checked (this profile's client ID), the new secret is **proven** with an LWA grant before
   anything is stored, then stored where the old one was (one keyring entry, replaced whole);
   the record gets the rotation date and Amazon's expiry date. Until then the old secret stays,
   and it keeps working for 7 days after the rotation (updates-2026-12.md §7).

No secret is ever put in a message; reports hold steps and outcomes only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date

from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import ProfileRecord, client_secret_key
from oauth_wizard.core.validation import check_client_secret
from oauth_wizard.keep.notices import NewSecretNotice
from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.secrets import SecretStoreError
from oauth_wizard.keep.service import KeepService
from oauth_wizard.keep.store import StoreError

ROTATION_SCOPE = "sellingpartnerapi::client_credential:rotation"


@dataclass(frozen=True)
class RotationStep:
    """One step of a rotation and how it went (no secret in it)."""

    step: str
    ok: bool
    said: str

    def as_json(self) -> dict[str, object]:
        return {"step": self.step, "ok": self.ok, "said": self.said}


@dataclass(frozen=True)
class RotationReport:
    steps: tuple[RotationStep, ...]
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _region(record: ProfileRecord) -> str:
    from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup

    for code in record.app.marketplaces:
        try:
            return lookup(code).region
        except UnknownMarketplaceError:
            continue
    return "NA"


async def request_rotation(service: KeepService, record: ProfileRecord) -> RotationReport:
    """Ask Amazon for a new client secret (step 1)."""
    from oauth_wizard.amazon.app_management import rotate_client_secret
    from oauth_wizard.amazon.lwa import LwaError
    from oauth_wizard.amazon.spapi_errors import SpApiError

    secret = await service.client_secret(record)
    if isinstance(secret, Failure):
        return RotationReport((), secret)
    steps: list[RotationStep] = []
    async with service.clients() as (lwa, spapi):
        try:
            token = await lwa.client_credentials(ROTATION_SCOPE, record.app.client_id, secret)
        except LwaError as exc:
            steps.append(RotationStep("grantless token", False, scrub(exc.message, [secret])))
            return RotationReport(tuple(steps), Failure(
                scrub(exc.message, [secret]), exc.fix, exc.cause_id))
        steps.append(RotationStep("grantless token", True, f"LWA issued a token with scope "
                                  f"{ROTATION_SCOPE}"))
        try:
            await rotate_client_secret(spapi, token.access_token, _region(record))
        except SpApiError as exc:
            said = scrub(exc.message, [secret, token.access_token])
            steps.append(RotationStep("rotateApplicationClientSecret", False, said))
            return RotationReport(tuple(steps), Failure(said, exc.fix, exc.cause_id))
    steps.append(RotationStep("rotateApplicationClientSecret", True, "Amazon accepted the "
                              "rotation (204); the new secret is on its way to your queue"))
    failure = await _update(service, record, lambda r: replace(
        r, client_secret_rotation_requested=service.now().date()))
    return RotationReport(tuple(steps), failure)


async def complete_rotation(service: KeepService, record: ProfileRecord,
                            notice: NewSecretNotice) -> RotationReport:
    """Prove, store and record the new secret of ``notice`` (step 2)."""
    from oauth_wizard.amazon.lwa import LwaError

    if notice.client_id != record.app.client_id:
        return RotationReport((), Failure(
            f"The notice is for client ID {notice.client_id}, but profile '{record.name}' "
            f"uses {record.app.client_id}; nothing was stored.",
            "Give the notice of this profile's app; keep the other message in its queue."))
    new = notice.new_secret
    checked = check_client_secret(new, required=True)
    if not checked.ok:
        return RotationReport((), Failure(
            "The notice's new client secret is not shaped like one (damaged in transit?); "
            "nothing was stored and the old secret stays.",
            "Take the message again from the queue, unchanged."))
    steps: list[RotationStep] = []
    async with service.clients() as (lwa, _spapi):
        try:
            await lwa.client_credentials(ROTATION_SCOPE, record.app.client_id, new)
        except LwaError as exc:
            said = scrub(exc.message, [new])
            steps.append(RotationStep("prove the new secret", False, said))
            return RotationReport(tuple(steps), Failure(
                f"LWA refused the new secret ({said}); nothing was stored and the old secret "
                "stays.", "Check that the message is the newest one for this app."))
    steps.append(RotationStep("prove the new secret", True, "LWA issued a token with it"))
    store = service.vault.store(record.secret_storage)
    if store is None:
        return RotationReport(tuple(steps), Failure(
            f"The client secret of '{record.name}' has no store to go to.",
            "Run `oauth-wizard status` to see where the profile keeps its secrets."))
    try:
        await store.set(client_secret_key(record.name), new)
    except SecretStoreError as exc:
        return RotationReport(tuple(steps), service.vault.store_failure(exc))
    where = service.vault.describe(record.secret_storage)
    steps.append(RotationStep("store the new secret", True, f"in {where}"))
    today = service.now().date()
    failure = await _update(service, record, lambda r: _rotated(r, today, notice.new_expires))
    steps.append(RotationStep("record the rotation", failure is None,
                              f"rotated {today}; Amazon says it expires {notice.new_expires}, "
                              f"the old one {notice.old_expires}"))
    return RotationReport(tuple(steps), failure)


async def complete_from_queue(service: KeepService, record: ProfileRecord, watch,
                              caught) -> RotationReport:
    """``complete_rotation`` for a notice a ``QueueWatch`` caught: its message is deleted only
    once the secret is stored (it holds the secret), else it goes back to the queue, as do the
    messages the watch left alone. Both front ends finish a queued rotation here."""
    import asyncio

    from oauth_wizard.aws.session import AwsError

    report = await complete_rotation(service, record, caught.notice)
    if not report.ok:
        with contextlib.suppress(AwsError):  # a message not handed back reappears by itself
            await asyncio.to_thread(watch.give_back, caught)
        return report
    try:
        await asyncio.to_thread(watch.done, caught)
    except AwsError as exc:
        step = RotationStep("delete the queue message", False, f"{exc.message} The secret is "
                            "stored; delete the message by hand: it holds the new secret.")
    else:
        step = RotationStep("delete the queue message", True,
                            "the message that carried the secret is gone")
    return RotationReport((*report.steps, step), report.failure)


def _rotated(record: ProfileRecord, today: date, expires: date) -> ProfileRecord:
    return replace(record, client_secret_rotated=today, client_secret_first_seen=today,
                   client_secret_expires=expires, client_secret_rotation_requested=None)


async def _update(service: KeepService, record: ProfileRecord, change) -> Failure | None:
    import asyncio

    try:
        await asyncio.to_thread(service.profiles.update, record.name, change)
    except StoreError as exc:
        return Failure(exc.message, exc.fix)
    return None
