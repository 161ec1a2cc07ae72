"""Amazon's client-secret notifications, read from the JSON a queue delivered.

``APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY`` says when the current client secret expires
(``payload.applicationOAuthClientSecretExpiry = {clientId, clientSecretExpiryTime,
clientSecretExpiryReason}``, sent 90, 60, 30, 15, 7 and 1 days before; updates-2026-12.md §7
[issue amzn/selling-partner-api-samples#116 (Amazon)]). The JSON may be the notification itself,
an SQS message around it (``{"Body": "…"}``), or what ``aws sqs receive-message`` prints
(``{"Messages": [{"Body": "…"}]}``). A new-secret notification is recognised but its secret is
never read into an error message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

EXPIRY = "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"
NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"  # noqa: S105 - a notification type
# What a rotation needs before Amazon is asked (rotate-secret and the TUI's Rotate dialog).
QUEUE_NEEDED = (
    "Amazon sends the new secret as an APPLICATION_OAUTH_CLIENT_NEW_SECRET notification to the "
    "SQS queue set for 'Application Client New Secret' in the Solution Provider Portal "
    "(Develop Apps, Notification Preferences), and Amazon must be allowed to write to that "
    "queue. Without it the new secret is lost; the old one then stops working 7 days later.")

SANDBOX = ("Profile '{name}' is a sandbox application (profile add --sandbox-app): Amazon's "
           "Application Management API cannot rotate a sandbox application's secret, so "
           "nothing was asked of Amazon.")
SANDBOX_FIX = ("Rotate it in the Solution Provider Portal (Develop Apps, the app's LWA "
               "credentials), or re-add the profile without --sandbox-app if it is not one.")


class NoticeError(ValueError):
    """The JSON is not a notification this command reads; the message says what is wrong."""


@dataclass(frozen=True)
class ExpiryNotice:
    """One expiry notice: whose secret, when it expires (UTC date), and Amazon's reason."""

    client_id: str
    expires: date
    reason: str
    notification_id: str | None


def read_expiry_notice(text: str) -> ExpiryNotice:
    """The expiry notice in ``text``; ``NoticeError`` names what is missing or wrong."""
    body, client_id, ident = _payload(text, EXPIRY, "applicationOAuthClientSecretExpiry")
    reason = body.get("clientSecretExpiryReason")
    return ExpiryNotice(client_id, _day(body.get("clientSecretExpiryTime")),
                        reason if isinstance(reason, str) else "", ident)


@dataclass(frozen=True)
class NewSecretNotice:
    """A new-secret notice: whose, the new secret (never shown), and both expiry dates."""

    client_id: str
    new_secret: str = field(repr=False)
    new_expires: date
    old_expires: date
    notification_id: str | None


def read_new_secret_notice(text: str) -> NewSecretNotice:
    """The ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` notice in ``text``."""
    body, client_id, ident = _payload(text, NEW_SECRET, "applicationOAuthClientNewSecret")
    secret = body.get("newClientSecret")
    if not isinstance(secret, str) or not secret.strip():
        raise NoticeError("payload.applicationOAuthClientNewSecret.newClientSecret is missing.")
    return NewSecretNotice(client_id, secret.strip(),
                           _day(body.get("newClientSecretExpiryTime"), "newClientSecretExpiryTime"),
                           _day(body.get("oldClientSecretExpiryTime"), "oldClientSecretExpiryTime"),
                           ident)


Notice = TypeVar("Notice", ExpiryNotice, NewSecretNotice)


def new_secret_for(client_id: str) -> Callable[[str], NewSecretNotice | None]:
    """A queue watch's pick: the new-secret notice for ``client_id``, None for anything else."""
    return _for(client_id, read_new_secret_notice)


def expiry_for(client_id: str) -> Callable[[str], ExpiryNotice | None]:
    """A queue watch's pick: the expiry notice for ``client_id``, None for anything else."""
    return _for(client_id, read_expiry_notice)


def _for(client_id: str, read: Callable[[str], Notice]) -> Callable[[str], Notice | None]:
    def pick(text: str) -> Notice | None:
        try:
            notice = read(text)
        except NoticeError:
            return None
        return notice if notice.client_id == client_id else None
    return pick


def _payload(text: str, kind: str, key: str) -> tuple[dict[str, Any], str, str | None]:
    """The notification's ``payload[key]``, its clientId and its notificationId, once the
    notification in ``text`` is of ``kind``."""
    notification = _unwrap(_json(text, "the input"))
    found = notification.get("notificationType")
    if found == NEW_SECRET != kind:  # say so without reading the secret into the message
        raise NoticeError(f"This is an {NEW_SECRET} notification: it carries a new client "
                          "secret, not an expiry date.")
    if found != kind:
        raise NoticeError(f"notificationType is {found!r}, not {kind}." if found else
                          "The JSON has no notificationType, so it is no SP-API notification.")
    payload = notification.get("payload")
    body = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(body, dict):
        raise NoticeError(f"payload.{key} is missing.")
    client_id = body.get("clientId")
    if not isinstance(client_id, str) or not client_id:
        raise NoticeError(f"payload.{key}.clientId is missing.")
    metadata = notification.get("notificationMetadata")
    ident = metadata.get("notificationId") if isinstance(metadata, dict) else None
    return body, client_id, ident if isinstance(ident, str) else None


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NoticeError(f"{what} is not JSON ({exc.msg}, line {exc.lineno}).") from None
    if not isinstance(data, dict):
        raise NoticeError(f"{what} is JSON but not an object.")
    return data


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """The notification inside an SQS message or a receive-message listing."""
    messages = data.get("Messages")
    if isinstance(messages, list):
        if len(messages) != 1 or not isinstance(messages[0], dict):
            raise NoticeError(f"The input lists {len(messages)} queue messages; give one.")
        data = messages[0]
    body = data.get("Body")
    if isinstance(body, str):
        return _json(body, "The message's Body")
    return data


def _day(value: object, name: str = "clientSecretExpiryTime") -> date:
    if not isinstance(value, str):
        raise NoticeError(f"The notice's {name} is missing.")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise NoticeError(f"{name} {value[:40]!r} is not an ISO 8601 date-time.") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()
