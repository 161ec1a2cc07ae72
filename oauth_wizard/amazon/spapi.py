"""The verify call: ``GET /sellers/v1/marketplaceParticipations``, and ``verify`` around it.

``getMarketplaceParticipations`` is the cheapest read-only call that proves a token works and
tells which marketplaces and stores it reaches (spapi-authorization.md §8). Requests carry
``x-amz-access-token``, the user agent of ``useragent.py`` and ``x-amz-date`` (harmless since
SigV4 went away, maybe still expected [uncertain]); httpx sets ``host``.

Retry policy: at most ``max_attempts`` tries for 429, 5xx (not the sandbox's 500, which is
deterministic) and network failures, with exponential backoff from ``backoff`` seconds, capped
at ``MAX_DELAY_S``. No response header steers the wait: §5.2 says not to rely on
``x-amzn-RateLimit-Limit``, and SP-API documents no ``Retry-After``. With this call's usage plan
(rate 0.016/s, burst 15) a short retry rarely helps after a burst; the final error says so.

``verify`` refreshes at LWA, makes the call, and checks the answer against the region the
authorization is recorded for. A 403 without details, or an empty list, may mean the token is
for another region (§8 [uncertain], docs#659); verify then asks the other two regions once each
and names the region that answers with marketplaces. The outcome never holds a secret.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.lwa import LwaClient, LwaError
from oauth_wizard.amazon.lwa_errors import show_url
from oauth_wizard.amazon.retry import Deadline, deadline_seconds
from oauth_wizard.amazon.spapi_errors import (
    SpApiError,
    SpApiNetworkError,
    from_response,
    network_error,
)
from oauth_wizard.amazon.useragent import user_agent as default_user_agent
from oauth_wizard.core import marketplaces
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import VerifyResult

__all__ = ["PARTICIPATIONS_PATH", "MarketplaceParticipation", "Participations", "SpApiClient",
           "SpApiError", "SpApiNetworkError", "VerifyOutcome", "verify"]

PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_DELAY_S = 30.0


@dataclass(frozen=True)
class MarketplaceParticipation:
    """One ``payload[]`` entry. ``code`` is our code (``UK``), or the raw id when unknown."""

    marketplace_id: str
    code: str
    known: bool  # in oauth-wizard's marketplace table (a retail marketplace)
    region: str | None  # None when unknown
    name: str
    country: str
    currency: str
    language: str
    domain: str
    store_name: str
    participating: bool
    suspended: bool  # hasSuspendedListings

    def as_json(self) -> dict[str, Any]:
        return {"marketplace_id": self.marketplace_id, "code": self.code, "known": self.known,
                "kind": "retail" if self.known else "unknown", "region": self.region,
                "name": self.name, "country": self.country, "currency": self.currency,
                "language": self.language, "domain": self.domain,
                "store_name": self.store_name, "participating": self.participating,
                "suspended": self.suspended}


@dataclass(frozen=True)
class Participations:
    """A successful answer: the marketplaces, and where it came from."""

    marketplaces: tuple[MarketplaceParticipation, ...]
    region: str
    sandbox: bool
    request_id: str | None

    @property
    def store_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.store_name for m in self.marketplaces if m.store_name))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _entry(raw: Any) -> MarketplaceParticipation | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("marketplace"), dict):
        return None
    mp, part = raw["marketplace"], raw.get("participation")
    part = part if isinstance(part, dict) else {}
    mid = _text(mp.get("id")).strip()
    if not mid:
        return None
    try:
        known: marketplaces.Marketplace | None = marketplaces.lookup(mid)
    except marketplaces.UnknownMarketplaceError:
        known = None  # §2: participations include non-retail ids; keep them as they are
    if known is not None and known.marketplace_id != mid:
        known = None  # matched a country code, not an id: treat as unknown
    return MarketplaceParticipation(
        marketplace_id=mid, code=known.code if known else mid, known=known is not None,
        region=known.region if known else None, name=_text(mp.get("name")),
        country=_text(mp.get("countryCode")), currency=_text(mp.get("defaultCurrencyCode")),
        language=_text(mp.get("defaultLanguageCode")), domain=_text(mp.get("domainName")),
        store_name=_text(raw.get("storeName")),
        participating=part.get("isParticipating") is True,
        suspended=part.get("hasSuspendedListings") is True)


class SpApiClient:
    """SP-API over an injected ``httpx.AsyncClient`` (the caller owns and closes it)."""

    def __init__(self, http: httpx.AsyncClient, endpoints: Endpoints, *,
                 user_agent: str | None = None, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 max_attempts: int = 3, backoff: float = 2.0,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 on_retry: Callable[[int, float, str], None] | None = None,
                 deadline_s: float | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.http = http
        self.endpoints = endpoints
        self.user_agent = user_agent or default_user_agent()
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._clock = clock
        self._sleep = sleep
        self._on_retry = on_retry
        self.deadline_s = deadline_s  # None: OAUTH_WIZARD_DEADLINE or 60 s, read per call

    def url(self, region: str, sandbox: bool = False) -> str:
        return self.endpoints.spapi_url(region, sandbox) + PARTICIPATIONS_PATH

    def headers(self, access_token: str) -> dict[str, str]:
        stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        return {"x-amz-access-token": access_token, "user-agent": self.user_agent,
                "x-amz-date": stamp, "accept": "application/json"}

    async def marketplace_participations(self, access_token: str, region: str, *,
                                         sandbox: bool = False) -> Participations:
        """``getMarketplaceParticipations`` in ``region``; raises ``SpApiError``."""
        reg = marketplaces.region(region).code
        url = self.url(reg, sandbox)
        secrets = (access_token,)
        history: list[str] = []
        deadline = Deadline(self.deadline_s if self.deadline_s is not None
                            else deadline_seconds())
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with asyncio.timeout(deadline.left()):
                    resp = await self.http.get(url, headers=self.headers(access_token),
                                               timeout=self.timeout)
            except TimeoutError:
                err = SpApiNetworkError(
                    None, "timeout", f"SP-API at {show_url(url)} did not finish answering "
                    f"within {deadline.words()}.", "", request_id=None,
                    cause_id="spapi_unreachable", retryable=False,
                    fix="Check the network connection and any proxy (HTTPS_PROXY): an answer "
                        "that arrives this slowly is usually a proxy or a broken connection.")
            except httpx.HTTPError as exc:
                err = network_error(exc, url)
            else:
                if 200 <= resp.status_code < 300:
                    return self._parse(resp, reg, sandbox, secrets)
                err = from_response(resp, sandbox=sandbox, secrets=secrets)
            history.append(f"HTTP {err.status}" if err.status else err.code)
            delay = min(self.backoff * 2 ** (attempt - 1), MAX_DELAY_S)
            out_of_time = err.retryable and not deadline.allows(delay)
            if not err.retryable or out_of_time or attempt == self.max_attempts:
                err.attempts = attempt
                if out_of_time:
                    err.message = (f"{err.message} No time was left to try again within "
                                   f"{deadline.words()}.")
                if attempt > 1:
                    err.message = f"{err.message} ({attempt} attempts: {', '.join(history)})"
                err.args = (f"{err.message} {err.fix}",)
                raise err
            if self._on_retry is not None:
                self._on_retry(attempt, delay, history[-1])
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _parse(resp: httpx.Response, region: str, sandbox: bool,
               secrets: tuple[str, ...]) -> Participations:
        request_id = resp.headers.get("x-amzn-RequestId")
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        items = payload.get("payload") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            where = scrub(str(resp.request.url.copy_with(query=None)), secrets)
            raise SpApiError(resp.status_code, "invalid_response",
                             f"{where} answered HTTP {resp.status_code} without a payload list, "
                             "so it is not an SP-API marketplaceParticipations answer.", "",
                             request_id=request_id, cause_id="spapi_endpoint_wrong",
                             fix="Check OAUTH_WIZARD_SPAPI_URL and any proxy; unset it to call "
                                 "Amazon.")
        entries = tuple(e for e in (_entry(i) for i in items) if e is not None)
        return Participations(entries, region, sandbox, request_id)


# --- verify ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyOutcome:
    """What ``verify`` found. ``stage`` is where it failed: ``refresh`` (LWA) or ``call``."""

    ok: bool
    region: str
    sandbox: bool
    marketplaces: tuple[MarketplaceParticipation, ...] = ()
    warnings: tuple[str, ...] = ()
    cause_id: str | None = None
    candidates: tuple[str, ...] = ()
    message: str | None = None
    fix: str | None = None
    stage: str | None = None
    status: int | None = None
    request_id: str | None = None
    detected_region: str | None = None  # the region that answered instead, when probed
    notes: tuple[str, ...] = field(default=())

    @property
    def store_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.store_name for m in self.marketplaces if m.store_name))

    @property
    def detail(self) -> str:
        """One line for ``VerifyResult.detail``: ``<cause_id>: <message>`` on failure."""
        if not self.ok:
            return f"{self.cause_id}: {self.message}"
        codes = ", ".join(m.code for m in self.marketplaces) or "no marketplaces"
        return f"{len(self.marketplaces)} marketplace(s): {codes}"

    def to_verify_result(self, at: datetime) -> VerifyResult:
        return VerifyResult(at=at, ok=self.ok, detail=self.detail[:300])

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "region": self.region, "sandbox": self.sandbox,
                "marketplaces": [m.as_json() for m in self.marketplaces],
                "store_names": list(self.store_names), "warnings": list(self.warnings),
                "notes": list(self.notes), "cause_id": self.cause_id,
                "candidates": list(self.candidates), "message": self.message, "fix": self.fix,
                "stage": self.stage, "status": self.status, "request_id": self.request_id,
                "detected_region": self.detected_region}


async def verify(refresh_token: str, client_id: str, client_secret: str, region: str, *,
                 lwa: LwaClient, spapi: SpApiClient, expected_region: str | None = None,
                 sandbox: bool = False, probe_regions: bool = True) -> VerifyOutcome:
    """Refresh the token at LWA, call getMarketplaceParticipations, check the region.

    ``expected_region`` (default ``region``) is the region the authorization is recorded for.
    ``probe_regions``: on a 403 without details or an empty list, ask the other two regions
    once each (not in the sandbox) to tell a wrong region from a missing role.
    """
    reg = marketplaces.region(region).code
    expected = marketplaces.region(expected_region).code if expected_region else reg
    secrets = (refresh_token, client_secret)
    try:
        token = await lwa.refresh(refresh_token, client_id, client_secret)
    except LwaError as exc:
        return VerifyOutcome(False, reg, sandbox, cause_id=exc.cause_id, stage="refresh",
                             candidates=(exc.cause_id,), message=scrub(exc.message, secrets),
                             fix=scrub(exc.fix, secrets), status=exc.status,
                             request_id=exc.request_id)
    access = token.access_token
    secrets = (*secrets, access)
    try:
        found = await spapi.marketplace_participations(access, reg, sandbox=sandbox)
    except SpApiError as exc:
        outcome = VerifyOutcome(False, reg, sandbox, cause_id=exc.cause_id, stage="call",
                                candidates=exc.candidates, message=scrub(exc.message, secrets),
                                fix=scrub(exc.fix, secrets), status=exc.status,
                                request_id=exc.request_id)
        if exc.status == 403 and "wrong_region_endpoint" in exc.candidates \
                and probe_regions and not sandbox:
            return await _after_probe(outcome, access, spapi, reg)
        return outcome
    warnings, notes = _check(found, expected, reg)
    if not found.marketplaces and probe_regions and not sandbox:
        other = await _probe(access, spapi, reg)
        if other is not None:
            return VerifyOutcome(
                False, reg, sandbox, warnings=tuple(warnings), cause_id="wrong_region_endpoint",
                candidates=("wrong_region_endpoint",), stage="call", detected_region=other,
                request_id=found.request_id, notes=tuple(notes),
                message=f"The token works in {other}, not {reg}: {reg} returned no "
                        f"marketplaces and {other} returned the seller's.",
                fix=f"Record and use {other} for this authorization.")
    return VerifyOutcome(True, reg, sandbox, found.marketplaces, tuple(warnings),
                         request_id=found.request_id, notes=tuple(notes))


def _check(found: Participations, expected: str, called: str) -> tuple[list[str], list[str]]:
    warnings: list[str] = []
    notes: list[str] = []
    if not found.marketplaces:
        warnings.append(f"SP-API in {called} returned no marketplaces. The account may not sell "
                        "anywhere yet, or the token belongs to another region: one report says "
                        "a cross-region call returns an empty list instead of an error "
                        "[uncertain, docs#659].")
    if expected != called:
        warnings.append(f"This authorization is recorded for {expected}, but {called} was "
                        "called.")
    outside = [m.code for m in found.marketplaces if m.known and m.region != expected]
    if outside:
        warnings.append(f"Marketplaces outside {expected} came back ({', '.join(outside)}): "
                        f"the token may belong to another region than {expected}.")
    for m in found.marketplaces:
        if m.known and not m.participating:
            warnings.append(f"The seller does not participate in {m.code} ({m.name or m.domain}).")
        if m.suspended:
            warnings.append(f"The seller has suspended listings in {m.code}.")
    unknown = [m.marketplace_id for m in found.marketplaces if not m.known]
    if unknown:
        notes.append(f"Marketplace id(s) {', '.join(unknown)} are not retail marketplaces "
                     "oauth-wizard knows (SP-API also lists non-retail ones); they are shown "
                     "as they are.")
    return warnings, notes


async def _probe(access: str, spapi: SpApiClient, called: str) -> str | None:
    """The first other region whose answer lists marketplaces, or None."""
    for other in marketplaces.REGIONS:
        if other == called:
            continue
        try:
            found = await spapi.marketplace_participations(access, other)
        except SpApiError:
            continue
        if found.marketplaces:
            return other
    return None


async def _after_probe(outcome: VerifyOutcome, access: str, spapi: SpApiClient,
                       called: str) -> VerifyOutcome:
    other = await _probe(access, spapi, called)
    if other is not None:
        return VerifyOutcome(
            False, outcome.region, outcome.sandbox, cause_id="wrong_region_endpoint",
            candidates=("wrong_region_endpoint",), stage="call", status=outcome.status,
            request_id=outcome.request_id, detected_region=other,
            message=f"SP-API in {called} refused the token (403, no details), but {other} "
                    f"accepted it: the token was issued for {other}.",
            fix=f"Record and use {other} for this authorization.")
    return VerifyOutcome(
        False, outcome.region, outcome.sandbox, cause_id="role_missing",
        candidates=("role_missing", "wrong_region_endpoint"), stage="call",
        status=outcome.status, request_id=outcome.request_id,
        message=f"SP-API refused the token in {called} (403, no details), and no other region "
                "accepted it either, so a missing role is the likelier cause [uncertain]: this "
                "call needs Product Listing or Selling Partner Insights.",
        fix="Add one of those roles to the app in the Solution Provider Portal, then authorize "
            "again (a role added after authorization needs a new authorization).")
