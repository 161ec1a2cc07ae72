"""The simulated apps' LWA client secrets over time: expiry, rotation and the old secret's week.

Amazon's client secrets expire 180 days after they are made; a rotation issues a new secret at
once and keeps the old one working for 7 more days (updates-2026-12.md §7 [official
application-management-api use-case guide]; ``oldClientSecretExpiryTime``). What each state
answers (spapi-authorization.md §3, §5.2):

- a secret past its overlap after a rotation, or one never issued: LWA 401 ``invalid_client``
  [issue jlevers#578, #602; community notes on the rotation FAQ];
- a secret past its own expiry that was never rotated: LWA still issues tokens, and SP-API
  refuses them with 403 "The LWA secret token you provided has expired." [issue
  PipedreamHQ/pipedream#16843, models#4489]. Whether LWA itself refuses such a secret after
  some time is not documented [uncertain].
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

SECRET_LIFETIME = 180 * 86400.0  # §3 / updates §7: a secret lasts 180 days
OVERLAP = 7 * 86400.0  # updates §7: the old secret works 7 more days after a rotation
OK, EXPIRED = "ok", "expired"


@dataclass
class _Secret:
    value: str
    expires_at: float | None  # None: the registry gave no expiry (never expires)
    retired_at: float | None = None  # after a rotation: when the overlap ends


@dataclass(frozen=True)
class Rotation:
    """What a rotation made: the new secret and when it and the old one expire."""

    new_secret: str
    new_expires_at: float
    old_expires_at: float


class SecretBook:
    """Every app's secrets, current one last."""

    def __init__(self) -> None:
        self._by_client: dict[str, list[_Secret]] = {}

    def add(self, client_id: str, secret: str, expires_at: float | None) -> None:
        self._by_client.setdefault(client_id, []).append(_Secret(secret, expires_at))

    def check(self, client_id: str, secret: str, now: float) -> str | None:
        """``OK``, ``EXPIRED`` (past its own expiry, never rotated), or None: refused."""
        for kept in self._by_client.get(client_id, []):
            if not hmac.compare_digest(kept.value.encode(), secret.encode()):
                continue
            if kept.retired_at is not None:
                return OK if now < kept.retired_at else None
            return EXPIRED if kept.expires_at is not None and now >= kept.expires_at else OK
        return None

    def current_expiry(self, client_id: str) -> float | None:
        """When the app's current secret expires (None: never, or no secret)."""
        kept = self._by_client.get(client_id)
        return kept[-1].expires_at if kept else None

    def rotate(self, client_id: str, now: float, make: Callable[[], str]) -> Rotation:
        """A new current secret; the old one works until the overlap ends (or its own expiry,
        when that comes first)."""
        kept = self._by_client.setdefault(client_id, [])
        old_end = now + OVERLAP
        for previous in kept:
            if previous.retired_at is None:
                if previous.expires_at is not None:
                    old_end = min(old_end, max(now, previous.expires_at))
                previous.retired_at = old_end
        new = _Secret(make(), now + SECRET_LIFETIME)
        kept.append(new)
        assert new.expires_at is not None
        return Rotation(new.value, new.expires_at, old_end)
