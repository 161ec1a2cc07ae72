"""The simulator's Application Management API: ``rotateApplicationClientSecret``.

``POST /applications/2023-11-30/clientSecret`` (updates-2026-12.md §7 [official
application-management-api-v2023-11-30 model and use-case guide]):

- a grantless token with scope ``sellingpartnerapi::client_credential:rotation`` is needed; a
  seller's token (made from a refresh token) is refused with 403 Unauthorized, the error others
  hit (pipedream#19400);
- a sandbox application is refused with 400 InvalidInput (the rule is Amazon's; the message
  text is this simulator's [uncertain]);
- rate 0.0167 requests/s, burst 1: a second call within the minute is 429 QuotaExceeded;
- 204 with no body: the answer carries no secret. The new one is sent as an
  ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` notification (the shape of Amazon's sample,
  NotificationPayload.java), posted to the simulator's outbox (notifications.py); the old
  secret keeps working for 7 days (client_secrets.py).
"""

from __future__ import annotations

import asyncio
from functools import partial

from aiohttp import web

from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.simulator import notifications
from oauth_wizard.simulator.lwa import Answer, Tokens, spapi_error
from oauth_wizard.simulator.notifications import Outbox

ROTATION_SCOPE = "sellingpartnerapi::client_credential:rotation"
ROTATION_PATH = "/spapi/{region}/applications/2023-11-30/clientSecret"
INTERVAL = 60.0  # rate 0.0167/s, burst 1: one call a minute per app


def add_routes(router: web.UrlDispatcher, tokens: Tokens, outbox: Outbox) -> None:
    router.add_post(ROTATION_PATH, partial(rotate, tokens, outbox))


async def rotate(tokens: Tokens, outbox: Outbox, request: web.Request) -> web.Response:
    if request.match_info["region"].upper() not in REGIONS:
        return _json(spapi_error(404, "NotFound", "Simulator: no such SP-API region."))
    token = request.headers.get("x-amz-access-token", "")
    refused = tokens.authorize_grantless(token, ROTATION_SCOPE)
    if refused is not None:
        return _json(refused)
    client_id = tokens.client_of(token)
    app = tokens.registry.app_by_client_id(client_id)
    assert app is not None  # grantless tokens are issued to registered apps only
    if app.sandbox:  # updates §7: not from a sandbox application (Amazon's wording unknown)
        return _json(spapi_error(400, "InvalidInput", "The client secret of a sandbox "
                                 "application cannot be rotated."))
    now = tokens.now()
    last = outbox.last_rotation.get(client_id)
    if last is not None and now - last < INTERVAL:
        return _json(spapi_error(429, "QuotaExceeded",
                                 "You exceeded your quota for the requested resource."))
    outbox.last_rotation[client_id] = now
    rotation = tokens.rotate_secret(client_id)
    await asyncio.to_thread(outbox.post, notifications.new_secret(
        client_id, app.app_id, rotation.new_secret, rotation.new_expires_at,
        rotation.old_expires_at, now))
    return web.Response(status=204)


def _json(answer: Answer) -> web.Response:
    return web.json_response(answer.body, status=answer.status)
