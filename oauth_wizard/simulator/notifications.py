"""What the simulated Amazon sends to an app's queue: new client secrets and expiry warnings.

Both notifications have the shape of Amazon's (updates-2026-12.md §7 [amzn/selling-partner-api-
samples use-cases/lwa-rotation NotificationPayload.java; samples#116 (Amazon)]):

- ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` after ``rotateApplicationClientSecret``;
- ``APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY`` 90, 60, 30, 15, 7 and 1 days before the current
  secret expires (one notice per threshold the simulator's clock crosses).

Every notification stays in ``Outbox.sent``; with a ``sink`` (``simulate --aws`` and the tests
give one that sends to a real local SQS) each is also delivered there. A failed delivery is
counted, not raised: Amazon's rotation happens whether or not its message arrives, which is
exactly why a queue Amazon cannot write to loses the new secret.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"  # noqa: S105 - a notification type
EXPIRY = "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"
WARN_DAYS = (90, 60, 30, 15, 7, 1)
DAY = 86400.0


class Outbox:
    """Notifications sent, oldest first; where they go; when each app last rotated."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.last_rotation: dict[str, float] = {}
        self.sink: Callable[[str], object] | None = None  # delivers one notification's JSON
        self.undelivered = 0
        self._warned: set[tuple[str, float, int]] = set()  # (client, expiry, days) sent

    def post(self, notification: dict[str, Any]) -> None:
        """Keep ``notification`` and deliver it (blocking when a sink is set)."""
        self.sent.append(notification)
        if self.sink is not None:
            try:
                self.sink(json.dumps(notification))
            except Exception:  # noqa: BLE001 - any delivery failure is the same lost message
                self.undelivered += 1

    def warn_expiry(self, client_id: str, app_id: str, expires_at: float, now: float) -> bool:
        """Post the expiry warning due at ``now`` for a secret expiring at ``expires_at``
        (the nearest threshold crossed, once); True when one was posted."""
        left = expires_at - now
        due = [days for days in WARN_DAYS if 0 < left <= days * DAY]
        if not due or (client_id, expires_at, min(due)) in self._warned:
            return False
        self._warned.update((client_id, expires_at, days) for days in due)
        self.post(_wrap(EXPIRY, "2023-11-30", now, app_id, {
            "applicationOAuthClientSecretExpiry": {
                "clientId": client_id, "clientSecretExpiryTime": iso(expires_at),
                "clientSecretExpiryReason": "PERIODIC_ROTATION"}}))
        return True


def new_secret(client_id: str, app_id: str, secret: str, new_expires_at: float,
               old_expires_at: float, now: float) -> dict[str, Any]:
    return _wrap(NEW_SECRET, "2023-11-30", now, app_id, {
        "applicationOAuthClientNewSecret": {
            "clientId": client_id, "newClientSecret": secret,
            "newClientSecretExpiryTime": iso(new_expires_at),
            "oldClientSecretExpiryTime": iso(old_expires_at)}})


def _wrap(kind: str, version: str, now: float, app_id: str,
          payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "notificationVersion": "1.0", "notificationType": kind, "payloadVersion": version,
        "eventTime": iso(now), "payload": payload,
        "notificationMetadata": {
            "applicationId": app_id, "subscriptionId": str(uuid.uuid4()),
            "publishTime": iso(now), "notificationId": str(uuid.uuid4())},
    }


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
