"""Probes: the doctor measures with the profile's stored credentials instead of guessing.

``diagnose --profile NAME --probe`` (and the TUI Doctor's "Check with my stored tokens") runs
safe, read-only checks and turns each result into a doctor fact:

- the age of the client secret and of the authorization, from the profile's records
  (``secret_age_days``, ``authorization_age_days``): no call;
- a refresh at LWA with the stored refresh token (``refresh_works``, ``refresh_error``);
- ``getMarketplaceParticipations`` on the authorization's region endpoint, and on the other
  regions when asked (``token_region``, the region whose endpoint answered; and
  ``seller_in_marketplace`` when the marketplace in question is known);
- a ``client_credentials`` token for a grantless scope: the failing operation's scope, else
  notifications (``grantless_token_works``).

Nothing is changed at Amazon (no write operation is called) and the last verify is not
recorded: a diagnosis only reads. The report names each call and its outcome and never holds a
token or the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from oauth_wizard.core import marketplaces
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import Authorization, ProfileRecord
from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.service import auth_label

if TYPE_CHECKING:
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient
    from oauth_wizard.keep.service import KeepService

NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"
SECRET_DAYS = 180  # a client secret's life (spapi-authorization.md §3)
GRANTLESS_FACT = "grantless_token_works"  # a fact's name, not a token
# LWA error codes a probe reports as ``refresh_error`` (anything else is ``other``).
LWA_ERRORS = ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_request",
              "unsupported_grant_type", "server_error")


@dataclass(frozen=True)
class ProbeCall:
    """One call the probe made: what, the outcome in words, and whether it worked."""

    what: str
    ok: bool
    outcome: str

    def as_json(self) -> dict[str, Any]:
        return {"call": self.what, "ok": self.ok, "outcome": self.outcome}


@dataclass(frozen=True)
class ProbeReport:
    """The facts measured, the calls made (in order), and what could not be probed."""

    facts: dict[str, str]
    calls: tuple[ProbeCall, ...]
    notes: tuple[str, ...] = field(default=())
    authorization: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"authorization": self.authorization, "facts": dict(self.facts),
                "calls": [c.as_json() for c in self.calls], "notes": list(self.notes)}


def pick_authorization(record: ProfileRecord, facts: Mapping[str, str]) -> Authorization | None:
    """The authorization to probe: the one in the region the facts name (its marketplace's),
    else the most recent one."""
    region = facts.get("region")
    if not region and facts.get("marketplace"):
        try:
            region = marketplaces.lookup(facts["marketplace"]).region
        except marketplaces.UnknownMarketplaceError:
            region = None
    auths = sorted(record.authorizations, key=lambda a: a.authorized_at, reverse=True)
    return next((a for a in auths if a.region == region), auths[0] if auths else None)


def record_ages(record: ProfileRecord, auth: Authorization | None,
                now: datetime) -> dict[str, str]:
    """``secret_age_days`` (since the last rotation, else since first seen) and
    ``authorization_age_days``, where the records know them."""
    out: dict[str, str] = {}
    since: date | None = record.client_secret_rotated or record.client_secret_first_seen
    if record.client_secret_expires is not None:  # Amazon's date: the age it implies
        left = (record.client_secret_expires - now.date()).days
        out["secret_age_days"] = str(max(0, SECRET_DAYS - left))
    elif since is not None:
        out["secret_age_days"] = str(max(0, (now.date() - since).days))
    if auth is not None:
        at = auth.authorized_at if auth.authorized_at.tzinfo else auth.authorized_at.replace(
            tzinfo=now.tzinfo)
        out["authorization_age_days"] = str(max(0, (now - at).days))
    return out


class _Run:
    """One probe run's accumulating facts, calls and notes, and the secrets to scrub."""

    def __init__(self) -> None:
        self.facts: dict[str, str] = {}
        self.calls: list[ProbeCall] = []
        self.notes: list[str] = []
        self.secrets: list[str] = []

    def call(self, what: str, ok: bool, outcome: str) -> None:
        self.calls.append(ProbeCall(what, ok, scrub(outcome, self.secrets)))


async def probe(service: KeepService, record: ProfileRecord, facts: Mapping[str, str], *,
                all_regions: bool = False) -> ProbeReport:
    """Measure what can be measured for ``record`` with its stored credentials."""
    auth = pick_authorization(record, facts)
    run = _Run()
    run.facts.update(record_ages(record, auth, service.now()))
    label = auth_label(auth) if auth else None
    secret = await service.client_secret(record)
    if isinstance(secret, Failure):
        run.notes.append(f"No call was made: {secret.message} {secret.fix}")
        return ProbeReport(run.facts, (), tuple(run.notes), label)
    run.secrets.append(secret)
    token = await service.refresh_token(record, auth) if auth else None
    if isinstance(token, Failure):
        run.notes.append(f"The refresh probe was skipped: {token.message}")
        token = None
    elif auth is None:
        run.notes.append(f"Profile '{record.name}' has no authorization, so only the grantless "
                         "probe ran.")
    async with service.clients() as (lwa, spapi):
        if token is not None and auth is not None:
            run.secrets.append(token)
            access = await _refresh(run, lwa, token, record.app.client_id, secret)
            if access is not None:
                await _participations(run, spapi, access, auth.region, facts, all_regions)
        await _grantless(run, lwa, record.app.client_id, secret, facts)
    return ProbeReport(run.facts, tuple(run.calls), tuple(run.notes), label)


async def _refresh(run: _Run, lwa: LwaClient, token: str, client_id: str,
                   secret: str) -> str | None:
    from oauth_wizard.amazon.lwa import LwaError, LwaNetworkError

    what = "LWA refresh_token grant with the stored refresh token"
    try:
        answer = await lwa.refresh(token, client_id, secret)
    except LwaNetworkError as exc:
        run.facts["refresh_error"] = "unreachable"
        run.call(what, False, exc.message)
        return None
    except LwaError as exc:
        run.facts["refresh_works"] = "false"
        run.facts["refresh_error"] = exc.error if exc.error in LWA_ERRORS else "other"
        run.call(what, False, f"{exc.error or 'refused'}: {exc.message}")
        return None
    run.facts["refresh_works"] = "true"
    run.secrets.append(answer.access_token)
    run.call(what, True, "an access token came back")
    return answer.access_token


async def _participations(run: _Run, spapi: SpApiClient, access: str, region: str,
                          facts: Mapping[str, str], all_regions: bool) -> None:
    from oauth_wizard.amazon.spapi import SpApiError

    others = [r for r in marketplaces.REGIONS if r != region] if all_regions else []
    codes: list[str] = []
    for reg in (region, *others):
        what = f"getMarketplaceParticipations in {reg}"
        try:
            found = await spapi.marketplace_participations(access, reg)
        except SpApiError as exc:
            run.call(what, False, f"HTTP {exc.status or '-'} {exc.code}: {exc.message}")
            continue
        listed = [m.code for m in found.marketplaces if m.participating]
        run.call(what, True, f"{len(listed)} marketplace(s): {', '.join(listed) or 'none'}")
        if listed and "token_region" not in run.facts:
            run.facts["token_region"] = reg
            codes = listed
    if "token_region" not in run.facts:
        hint = "" if all_regions else " (add --all-regions to ask the other regions)"
        run.notes.append(f"No region's endpoint listed marketplaces for this token{hint}.")
        return
    market = facts.get("marketplace")
    if market:
        run.facts["seller_in_marketplace"] = "true" if market in codes else "false"


async def _grantless(run: _Run, lwa: LwaClient, client_id: str, secret: str,
                     facts: Mapping[str, str]) -> None:
    from oauth_wizard.amazon.lwa import LwaError

    scope = _scope(facts.get("operation"))
    what = f"LWA client_credentials grant, scope {scope}"
    try:
        answer = await lwa.client_credentials(scope, client_id, secret)
    except LwaError as exc:
        if exc.error:  # LWA answered: the app cannot have this grantless token
            run.facts[GRANTLESS_FACT] = "false"
        run.call(what, False, f"{exc.error or 'no answer'}: {exc.message}")
        return
    run.secrets.append(answer.access_token)
    run.facts[GRANTLESS_FACT] = "true"
    run.call(what, True, "a grantless access token came back")


def _scope(operation: str | None) -> str:
    """The failing operation's grantless scope, else notifications'."""
    if operation:
        from oauth_wizard.doctor import operations

        return operations.scope_of(operation) or NOTIFICATIONS_SCOPE
    return NOTIFICATIONS_SCOPE
