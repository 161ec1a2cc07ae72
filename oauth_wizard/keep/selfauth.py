"""Self-authorization: the checks on a pasted refresh token and on the id it is kept under.

Seller Central's *Authorize* button (Develop Apps, for your own account) shows a refresh token
and nothing else: no selling partner id, and ``getMarketplaceParticipations`` does not return
one either. The secret store keys tokens by (profile, region, selling partner id), so a
self-authorization without a known id is kept under the placeholder ``self-<REGION>``.

Why one placeholder per region, not one per token: Seller Central shows one Authorize button
per regional account of a merged account, and each click issues a new token without revoking
the earlier ones (spapi-authorization.md §6). Pasting a new token for the same region is a
renewal of the same account, so it replaces the old entry in place instead of piling up entries
whose tokens may since have been revoked, and ``--selling-partner self-NA`` keeps naming the
same authorization in scripts. A developer who knows the id (Seller Central, Settings, Account
Info, Merchant Token) can give it; the entry is then keyed by the real id and replaces the
region's placeholder entry. UI-free: the CLI and the TUI share these checks.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import Authorization, ProfileRecord, refresh_token_key
from oauth_wizard.core.tokens import is_placeholder, placeholder_id
from oauth_wizard.keep.recorded import store_recorded
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

if TYPE_CHECKING:  # httpx is loaded only when a token is actually proven
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient, VerifyOutcome

__all__ = ["SelfAuthError", "SelfAuthResult", "self_authorize"]



# --- prove, learn, store -------------------------------------------------------------------

class SelfAuthError(WizardError):
    """Nothing was stored (or, with ``stage == "record"``, the token is stored but
    profiles.toml was not updated). ``via`` is the doctor's step; ``cause`` its cause id."""

    fix_in_str = False

    def __init__(self, message: str, fix: str, *, cause: str | None, via: str,
                 stage: str) -> None:
        super().__init__(message, fix, cause=cause)
        self.via, self.stage = via, stage


@dataclass(frozen=True)
class SelfAuthResult:
    """A stored self-authorization. ``outcome`` is the verify call made on the way: when it
    failed (throttled, a missing role) the token is still stored, because LWA accepted it."""

    authorization: Authorization
    outcome: VerifyOutcome
    masked_token: str
    storage: str  # the store's description
    requested_region: str
    replaced: tuple[Authorization, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome.ok


async def self_authorize(record: ProfileRecord, token: str, region: str, *,
                         client_secret: str, lwa: LwaClient, spapi: SpApiClient,
                         secrets: SecretStore, profiles: ProfileStore, now: datetime,
                         selling_partner_id: str | None = None) -> SelfAuthResult:
    """Refresh ``token`` at LWA (the proof), learn its marketplaces with the verify call,
    store it and record the authorization. A token that LWA refuses is not stored. A token
    that works in another region than ``region`` is stored for the region it works in."""
    from oauth_wizard.amazon.spapi import verify

    client_id = record.app.client_id
    outcome = await verify(token, client_id, client_secret, region, lwa=lwa, spapi=spapi)
    if outcome.stage == "refresh":
        raise SelfAuthError(f"LWA did not accept the token, so it was not stored: "
                            f"{outcome.message}", outcome.fix or "", cause=outcome.cause_id,
                            via="token-refresh", stage="refresh")
    notes: list[str] = []
    actual = region
    if outcome.detected_region and outcome.detected_region != region:
        actual = outcome.detected_region
        notes.append(f"This token belongs to {actual}, not {region}: SP-API in {region} refused "
                     f"it and {actual} answered, so it was stored as the {actual} "
                     "authorization.")
        outcome = await verify(token, client_id, client_secret, actual, lwa=lwa, spapi=spapi,
                               probe_regions=False)
    spid = selling_partner_id or placeholder_id(actual)
    markets = tuple(m.code for m in outcome.marketplaces if m.known and m.participating)
    auth = Authorization(region=actual, selling_partner_id=spid, authorized_at=now,
                         how="self-auth", storage=secrets.location, marketplaces=markets,
                         last_verify=outcome.to_verify_result(now))
    # The record first, then the token (``recorded``); the replaced placeholders' tokens go
    # before their records, so a kill never leaves a token that nothing names.
    try:
        unrecorded = await store_recorded(profiles, record.name, auth, secrets, token)
    except SecretStoreError as exc:
        raise SelfAuthError(f"{exc.message} The token was not stored anywhere (it is still "
                            "valid: paste it again once the store works).",
                            "\n".join(exc.options), cause="secret_store", via="token-refresh",
                            stage="store") from None
    if unrecorded is not None:
        raise SelfAuthError(f"The token is stored in {secrets.describe()}, but "
                            f"{unrecorded.message}", unrecorded.fix, cause=None,
                            via="token-refresh", stage="record")
    replaced = tuple(a for a in record.authorizations
                     if a.how == "self-auth" and a.region == actual
                     and is_placeholder(a.selling_partner_id) and a.selling_partner_id != spid)
    for old in replaced:
        if old.storage != secrets.location:
            notes.append(f"The earlier placeholder entry {old.selling_partner_id} stays in the "
                         f"{old.storage} store; it is no longer listed.")
        else:
            try:
                await secrets.delete(refresh_token_key(record.name, old.region,
                                                       old.selling_partner_id))
            except SecretStoreError as exc:
                notes.append(f"The replaced entry {old.selling_partner_id} could not be "
                             f"deleted: {exc.message}")
                continue
        try:
            await asyncio.to_thread(profiles.update, record.name,
                                    lambda cur, o=old: cur.without_authorization(
                                        o.region, o.selling_partner_id))
        except StoreError as exc:
            notes.append(f"The replaced entry {old.selling_partner_id} is still listed in "
                         f"profiles.toml: {exc.message}")
    return SelfAuthResult(auth, outcome, mask(token), secrets.describe(), region, replaced,
                          tuple(notes))
