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
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.core.masking import mask, scrub
from oauth_wizard.core.validation import Checked, Problem, clean_paste, inner_damage
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError, refresh_token_key
from oauth_wizard.keep.store import Authorization, ProfileRecord, ProfileStore, StoreError

if TYPE_CHECKING:  # httpx is loaded only when a token is actually proven
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient, VerifyOutcome

__all__ = ["PLACEHOLDER_PREFIX", "TOKEN_PREFIX", "SelfAuthError", "SelfAuthResult",
           "check_refresh_token", "check_selling_partner_id", "is_placeholder",
           "placeholder_id", "self_authorize"]

TOKEN_PREFIX = "Atzr|"  # noqa: S105 - the public prefix of every LWA refresh token
PLACEHOLDER_PREFIX = "self-"
SELLING_PARTNER_RE = re.compile(r"[A-Z0-9]{6,32}")
MIN_TOKEN_LEN = 40  # real refresh tokens are several hundred characters [observed]
FIELD, LABEL = "refresh_token", "refresh token"
WHERE = ("Copy the whole token Seller Central shows after Authorize app (Apps and Services, "
         "Develop Apps, the app's Authorize link); it starts with Atzr|.")


def placeholder_id(region: str) -> str:
    """The id a self-authorization of ``region`` is kept under when the real one is unknown."""
    return f"{PLACEHOLDER_PREFIX}{region.upper()}"


def is_placeholder(selling_partner_id: str) -> bool:
    return selling_partner_id in {placeholder_id(r) for r in REGIONS}


def check_refresh_token(raw: str) -> Checked:
    """A pasted self-authorization token: ``Atzr|``, no inner spaces or quotes, not another
    credential. Messages never repeat the value, not even a part of it."""
    value, problems = clean_paste(raw, FIELD, LABEL)
    if not value:
        return Checked(value, (*problems, Problem(FIELD, "error", "The refresh token is empty.",
                                                  WHERE)))
    damage = inner_damage(value, FIELD, LABEL, secret=True)
    if damage:
        return Checked(value, (*problems, damage))
    low = value.lower()
    if low.startswith("atza|"):
        problems.append(Problem(FIELD, "error", "This is an access token (it starts with Atza|), "
                                "which lasts one hour; self-authorization needs the refresh "
                                "token.", WHERE))
    elif low.startswith("amzn1.oa2-cs.") or low.startswith("amzn1.application-oa2-client."):
        problems.append(Problem(FIELD, "error", "This is the app's LWA client ID or secret, not "
                                "a refresh token.", WHERE))
    elif low.startswith("amzn.mws."):
        problems.append(Problem(FIELD, "error", "This is an MWS auth token, not an SP-API "
                                "refresh token.", WHERE))
    elif low.startswith("atzr|") and not value.startswith(TOKEN_PREFIX):
        problems.append(Problem(FIELD, "error", "The refresh token's prefix is not written "
                                "Atzr| (the case differs), so it was changed after copying.",
                                "Copy the token again without editing it."))
    elif not value.startswith(TOKEN_PREFIX):
        problems.append(Problem(FIELD, "error", f"The refresh token does not start with "
                                f"{TOKEN_PREFIX} ({len(value)} characters were given), so it is "
                                "not an LWA refresh token or its start was cut off.", WHERE))
    elif len(value) < MIN_TOKEN_LEN:
        problems.append(Problem(FIELD, "error", f"The refresh token is only {len(value)} "
                                "characters long; real ones are several hundred, so it was "
                                "probably cut off when copied.", WHERE))
    return Checked(value, tuple(problems))


def check_selling_partner_id(raw: str) -> Checked:
    """An id given with ``--selling-partner``: Amazon's are upper-case letters and digits
    (the Merchant Token, e.g. A1B2C3D4E5F6G7); the placeholders are accepted as they are."""
    fld = "selling_partner_id"
    value = raw.strip()
    if value.lower().startswith(PLACEHOLDER_PREFIX) and \
            value[len(PLACEHOLDER_PREFIX):].upper() in REGIONS:
        return Checked(placeholder_id(value[len(PLACEHOLDER_PREFIX):]))
    if SELLING_PARTNER_RE.fullmatch(value):
        return Checked(value)
    if SELLING_PARTNER_RE.fullmatch(value.upper()):
        return Checked(value.upper(), (Problem(fld, "note", "Selling partner ids are upper "
                                               "case; it was read as upper case."),))
    shown = scrub(value, [])[:40]
    return Checked(value, (Problem(
        fld, "error", f"{shown!r} is not a selling partner id (6 to 32 upper-case letters and "
        "digits, such as A1B2C3D4E5F6G7).",
        "Copy the Merchant Token from Seller Central (Settings, Account Info, Your Merchant "
        "Token), or leave --selling-partner out."),))


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
    try:
        await secrets.set(refresh_token_key(record.name, actual, spid), token)
    except SecretStoreError as exc:
        raise SelfAuthError(f"{exc.message} The token was not stored anywhere (it is still "
                            "valid: paste it again once the store works).",
                            "\n".join(exc.options), cause="secret_store", via="token-refresh",
                            stage="store") from None
    replaced = tuple(a for a in record.authorizations
                     if a.how == "self-auth" and a.region == actual
                     and is_placeholder(a.selling_partner_id) and a.selling_partner_id != spid)

    def change(current: ProfileRecord) -> ProfileRecord:
        for old in replaced:
            current = current.without_authorization(old.region, old.selling_partner_id)
        return current.with_authorization(auth)

    try:
        await asyncio.to_thread(profiles.update, record.name, change)
    except StoreError as exc:
        raise SelfAuthError(f"The token is stored in {secrets.describe()}, but "
                            f"{exc.message}", exc.fix, cause=None, via="token-refresh",
                            stage="record") from None
    for old in replaced:
        if old.storage != secrets.location:
            notes.append(f"The earlier placeholder entry {old.selling_partner_id} stays in the "
                         f"{old.storage} store; it is no longer listed.")
            continue
        try:
            await secrets.delete(refresh_token_key(record.name, old.region,
                                                   old.selling_partner_id))
        except SecretStoreError as exc:
            notes.append(f"The replaced entry {old.selling_partner_id} could not be deleted: "
                         f"{exc.message}")
    return SelfAuthResult(auth, outcome, mask(token), secrets.describe(), region, replaced,
                          tuple(notes))
