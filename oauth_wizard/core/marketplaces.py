"""Registry of SP-API marketplaces, regions, portal hosts and endpoints.

The data lives in ``data/marketplaces.json`` (derived from the project's shared reference) so
that a wrong host is fixed by editing data, not code. Rows whose source is weak are marked, and
the UI shows them as such instead of asserting them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Literal
from urllib.parse import urlsplit

from oauth_wizard.core.frozen import record
from oauth_wizard.core.packaged import data_text

Kind = Literal["seller", "vendor"]
Confidence = Literal["official", "secondary", "uncertain"]
REGIONS = ("NA", "EU", "FE")


class UnknownMarketplaceError(ValueError):
    """An unknown country code or marketplace id; the message lists the valid codes."""


@record
class Portal:
    """One Seller Central or Vendor Central base URL for a marketplace."""

    url: str
    alternatives: tuple[str, ...]
    confidence: Confidence
    note: str
    uncertain_alternatives: tuple[tuple[str, str], ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def alternative_hosts(self) -> tuple[str, ...]:
        return tuple(urlsplit(u).hostname or "" for u in self.alternatives)

    def alternative_doubt(self, host: str) -> str:
        """Why an alternative host is uncertain (empty when its sources agree)."""
        for url, note in self.uncertain_alternatives:
            if (urlsplit(url).hostname or "") == host:
                return note
        return ""


@record
class Region:
    """An SP-API region: where its grants are valid and which endpoints serve it."""

    code: str
    endpoint: str
    sandbox_endpoint: str
    aws_region: str


@record
class Marketplace:
    """A marketplace with its region and the portal hosts a consent URL may use."""

    code: str
    aliases: tuple[str, ...]
    country: str
    marketplace_id: str
    region: str
    seller_central: Portal
    vendor_central: Portal

    def portal(self, kind: Kind) -> Portal:
        return self.seller_central if kind == "seller" else self.vendor_central

    @property
    def endpoint(self) -> str:
        return region(self.region).endpoint

    @property
    def sandbox_endpoint(self) -> str:
        return region(self.region).sandbox_endpoint

    def label(self) -> str:
        return f"{self.code} {self.country}"


@record
class _Registry:
    consent_path: str
    lwa_token_endpoint: str
    regions: dict[str, Region]
    marketplaces: tuple[Marketplace, ...]


def _portal(raw: dict) -> Portal:
    return Portal(
        url=raw["url"],
        alternatives=tuple(raw["alternatives"]),
        confidence=raw["confidence"],
        note=raw["note"],
        uncertain_alternatives=tuple(raw.get("uncertain_alternatives", {}).items()),
    )


@cache
def _registry() -> _Registry:
    text = data_text("marketplaces.json")
    raw = json.loads(text)
    regions = {
        code: Region(code, r["endpoint"], r["sandbox_endpoint"], r["aws_region"])
        for code, r in raw["regions"].items()
    }
    markets = tuple(
        Marketplace(
            code=m["code"],
            aliases=tuple(m["aliases"]),
            country=m["country"],
            marketplace_id=m["marketplace_id"],
            region=m["region"],
            seller_central=_portal(m["seller_central"]),
            vendor_central=_portal(m["vendor_central"]),
        )
        for m in raw["marketplaces"]
    )
    return _Registry(raw["consent_path"], raw["lwa_token_endpoint"], regions, markets)


def consent_path() -> str:
    """The path every consent URL uses (``/apps/authorize/consent``)."""
    return _registry().consent_path


def lwa_token_endpoint() -> str:
    return _registry().lwa_token_endpoint


def all_marketplaces() -> tuple[Marketplace, ...]:
    return _registry().marketplaces


def region(code: str) -> Region:
    """The region for ``NA``/``EU``/``FE`` (case-insensitive)."""
    key = code.strip().upper()
    try:
        return _registry().regions[key]
    except KeyError:
        raise ValueError(
            f"unknown region {code!r}; use one of {', '.join(REGIONS)}"
        ) from None


def valid_codes() -> list[str]:
    return [m.code for m in all_marketplaces()]


def lookup(code_or_id: str) -> Marketplace:
    """Find a marketplace by country code (``DE``, ``UK``/``GB``) or marketplace id.

    Raises UnknownMarketplaceError naming every valid code, so the user can pick one.
    """
    key = code_or_id.strip().strip("'\"").strip().upper()
    for m in all_marketplaces():
        if key == m.code or key in m.aliases or key == m.marketplace_id:
            return m
    raise UnknownMarketplaceError(
        f"unknown marketplace {code_or_id.strip()!r}; use a country code "
        f"({', '.join(valid_codes())}) or a marketplace id such as ATVPDKIKX0DER"
    )


def by_region() -> dict[str, list[Marketplace]]:
    """Marketplaces grouped by region, in region order NA, EU, FE."""
    groups: dict[str, list[Marketplace]] = {r: [] for r in REGIONS}
    for m in all_marketplaces():
        groups[m.region].append(m)
    return groups


@record
class PortalMatch:
    """What a host is, if it is a Seller/Vendor Central host of some marketplace."""

    kind: Kind
    region: str
    marketplaces: tuple[str, ...]
    primary_for: tuple[str, ...]


def identify_portal_host(host: str) -> PortalMatch | None:
    """Which portal (kind and region) a host belongs to, or None when it is no known portal.

    A host may serve several marketplaces (``sellercentral-europe.amazon.com`` is an
    alternative for several EU marketplaces); all of them are named.
    """
    host = host.lower().rstrip(".")
    found: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for m in all_marketplaces():
        for kind in ("seller", "vendor"):
            portal = m.portal(kind)
            if host == portal.host or host in portal.alternative_hosts:
                markets, primaries = found.setdefault((kind, m.region), ([], []))
                markets.append(m.code)
                if host == portal.host:
                    primaries.append(m.code)
    if not found:
        return None
    (kind, reg), (markets, primaries) = next(iter(found.items()))
    return PortalMatch(kind, reg, tuple(markets), tuple(primaries))


def is_amazon_portal_host(host: str) -> bool:
    return identify_portal_host(host) is not None
