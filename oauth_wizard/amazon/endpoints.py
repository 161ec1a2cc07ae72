"""Where the wizard talks to: Amazon by default, a simulator when the environment says so.

``OAUTH_WIZARD_PORTAL_URL``, ``OAUTH_WIZARD_LWA_URL`` and ``OAUTH_WIZARD_SPAPI_URL`` point the
portal, the LWA token endpoint and SP-API at a simulator. A simulated portal is addressed as
``{portal base}/{real portal host}/...`` so the simulator still knows which Seller/Vendor Central
(hence which region) a consent URL targets.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from oauth_wizard.core import marketplaces

PORTAL_ENV = "OAUTH_WIZARD_PORTAL_URL"
LWA_ENV = "OAUTH_WIZARD_LWA_URL"
SPAPI_ENV = "OAUTH_WIZARD_SPAPI_URL"


@dataclass(frozen=True)
class Endpoints:
    """Base URLs; ``None`` means the real Amazon endpoint."""

    portal_base: str | None = None
    lwa_url: str | None = None
    spapi_base: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Endpoints:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value.rstrip("/") or None

        return cls(get(PORTAL_ENV), get(LWA_ENV), get(SPAPI_ENV))

    def overrides(self) -> tuple[str, ...]:
        """What is not Amazon, one phrase each ("consent pages → URL"), for banners."""
        named = (("consent pages", self.portal_base), ("LWA", self.lwa_url),
                 ("SP-API", self.spapi_base))
        return tuple(f"{what} → {url}" for what, url in named if url)

    @classmethod
    def for_simulator(cls, base_url: str) -> Endpoints:
        base = base_url.rstrip("/")
        return cls(base, f"{base}/auth/o2/token", f"{base}/spapi")

    @property
    def simulated(self) -> bool:
        return self.portal_base is not None

    def portal_url(self, market: marketplaces.Marketplace, kind: str) -> str:
        """The Seller/Vendor Central base URL of ``market`` (or its simulated twin)."""
        portal = market.portal(kind)  # type: ignore[arg-type]
        if self.portal_base:
            return f"{self.portal_base}/{portal.host}"
        return portal.url

    def token_url(self) -> str:
        return self.lwa_url or marketplaces.lwa_token_endpoint()

    def spapi_url(self, region: str, sandbox: bool = False) -> str:
        reg = marketplaces.region(region)
        if self.spapi_base:
            return f"{self.spapi_base}/{reg.code}"
        return reg.sandbox_endpoint if sandbox else reg.endpoint
