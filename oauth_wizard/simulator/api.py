"""The simulator's LWA token endpoint and SP-API verify call, as aiohttp handlers over its
token model (``lwa.py``) and registry; the portal pages are ``server.py``'s.

Paths: ``/auth/o2/token`` for LWA, ``/spapi/{NA|EU|FE}/...`` for SP-API. Every answer is JSON
with the status Amazon documents; the rules and their sources are in ``lwa.py``.
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.simulator.lwa import NOTIFICATIONS_SCOPE, RATE, Answer, Tokens, spapi_error
from oauth_wizard.simulator.participations import participation
from oauth_wizard.simulator.registry import Registry

LWA_PATH = "/auth/o2/token"


def add_routes(router: web.UrlDispatcher, tokens: Tokens, registry: Registry) -> None:
    """LWA and SP-API routes; add them before the catch-all."""
    router.add_post(LWA_PATH, partial(lwa, tokens))
    router.add_get("/spapi/{region}/sellers/v1/marketplaceParticipations",
                   partial(participations, tokens, registry))
    router.add_get("/spapi/{region}/notifications/v1/destinations", partial(destinations, tokens))
    router.add_route("*", "/spapi/{region}/{tail:.*}", spapi_unknown)


def _json(answer: Answer, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(answer.body, status=answer.status, headers=headers)


async def lwa(tokens: Tokens, request: web.Request) -> web.Response:
    raw = await request.read()
    answer = tokens.token_endpoint(request.query.keys(), request.content_type, raw)
    return _json(answer, {"Cache-Control": "no-store"})  # RFC 6749 §5.1


async def spapi_unknown(request: web.Request) -> web.Response:
    # §5.2: a path that does not exist → 403 MissingAuthenticationToken [uncertain;
    # community repost.aws]
    return _json(spapi_error(403, "MissingAuthenticationToken",
                             "Access to requested resource is denied."))


async def participations(tokens: Tokens, registry: Registry,
                         request: web.Request) -> web.Response:
    """GET /spapi/{REGION}/sellers/v1/marketplaceParticipations (§8 [model sellers.json])."""
    region = request.match_info["region"].upper()
    if region not in REGIONS:
        return _json(spapi_error(404, "NotFound", f"Simulator: no SP-API region "
                                 f"{region!r}; use one of {', '.join(REGIONS)}."))
    checked = tokens.authorize_call(request.headers.get("x-amz-access-token", ""), region)
    if isinstance(checked, Answer):
        return _json(checked)
    # Vendor grants are answered too; whether Amazon lets vendors call it is [uncertain].
    seller = registry.seller(checked.selling_partner_id)
    assert seller is not None  # grants are only made for registered sellers
    payload = [participation(c, seller.store_name) for c in seller.in_region(region)]
    # §5.2: x-amzn-RateLimit-Limit "may be present" [model usage-plan text; community]
    return _json(Answer(200, {"payload": payload}), {"x-amzn-RateLimit-Limit": str(RATE)})


async def destinations(tokens: Tokens, request: web.Request) -> web.Response:
    """GET /spapi/{REGION}/notifications/v1/destinations (getDestinations): a grantless
    operation, scope sellingpartnerapi::notifications (updates-2026-12.md §6 [official]). The
    simulator keeps no destinations, so a good token gets an empty list."""
    if request.match_info["region"].upper() not in REGIONS:
        return await spapi_unknown(request)
    refused = tokens.authorize_grantless(request.headers.get("x-amz-access-token", ""),
                                         NOTIFICATIONS_SCOPE)
    return _json(refused or Answer(200, {"payload": []}))
