"""The simulator's Application Management API: ``rotateApplicationClientSecret``.

``POST /applications/2023-11-30/clientSecret`` (updates-2026-12.md §7 [official
application-management-api-v2023-11-30 model and use-case guide]):

- a grantless token with scope ``sellingpartnerapi::client_credential:rotation`` is needed; a
  seller's token (made from a refresh token) is refused with 403 Unauthorized, the error others
  hit (pipedream#19400);
- rate 0.0167 requests/s, burst 1: a second call within the minute is 429 QuotaExceeded;
- 204 with no body: the answer carries no secret. The new one is sent as an
  ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` notification (the shape of Amazon's sample,
  NotificationPayload.java), kept in the simulator's outbox for its destination; the old secret
  keeps working for 7 days (client_secrets.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import web

from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.simulator.lwa import Answer, Tokens, spapi_error

ROTATION_SCOPE = "sellingpartnerapi::client_credential:rotation"
ROTATION_PATH = "/spapi/{region}/applications/2023-11-30/clientSecret"
INTERVAL = 60.0  # rate 0.0167/s, burst 1: one call a minute per app
NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"  # noqa: S105 - a notification type


class Outbox:
    """Notifications the simulated Amazon sent, oldest first, and when each app last rotated."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.last_rotation: dict[str, float] = {}


def add_routes(router: web.UrlDispatcher, tokens: Tokens, outbox: Outbox) -> None:
    router.add_post(ROTATION_PATH, partial(rotate, tokens, outbox))


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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
    now = tokens.now()
    last = outbox.last_rotation.get(client_id)
    if last is not None and now - last < INTERVAL:
        return _json(spapi_error(429, "QuotaExceeded",
                                 "You exceeded your quota for the requested resource."))
    outbox.last_rotation[client_id] = now
    rotation = tokens.rotate_secret(client_id)
    outbox.sent.append({
        "notificationVersion": "1.0", "notificationType": NEW_SECRET,
        "payloadVersion": "2023-11-30", "eventTime": _iso(now),
        "payload": {"applicationOAuthClientNewSecret": {
            "clientId": client_id, "newClientSecret": rotation.new_secret,
            "newClientSecretExpiryTime": _iso(rotation.new_expires_at),
            "oldClientSecretExpiryTime": _iso(rotation.old_expires_at)}},
        "notificationMetadata": {
            "applicationId": app.app_id, "subscriptionId": str(uuid.uuid4()),
            "publishTime": _iso(now), "notificationId": str(uuid.uuid4())},
    })
    return web.Response(status=204)


def _json(answer: Answer) -> web.Response:
    return web.json_response(answer.body, status=answer.status)
