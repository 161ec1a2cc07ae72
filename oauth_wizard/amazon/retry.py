"""When a call to LWA or SP-API tries again, and when it stops: one total deadline per call,
``Retry-After`` in either form, and the words a retry is reported with.

A per-read timeout does not bound a call: a server (or a proxy) that trickles one byte a
second never trips it, and retries with back-off add up. So every call runs against one
deadline that covers every attempt, read and wait together (``OAUTH_WIZARD_DEADLINE``
seconds, 60 by default), and the error says so when it is reached.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

DEADLINE_ENV = "OAUTH_WIZARD_DEADLINE"
DEFAULT_DEADLINE_S = 60.0


def deadline_seconds(env: Mapping[str, str] = os.environ) -> float:
    """``OAUTH_WIZARD_DEADLINE`` when it is a positive number, else the default."""
    raw = env.get(DEADLINE_ENV, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_DEADLINE_S
    return value if 0 < value < 86400 else DEFAULT_DEADLINE_S


class Deadline:
    """The time left for one call, across all its attempts and back-off."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def left(self) -> float:
        return max(0.0, self._end - self._clock())

    def allows(self, delay: float) -> bool:
        """Whether waiting ``delay`` still leaves time for another attempt."""
        return delay < self.left()

    def words(self) -> str:
        return (f"the {self.seconds:g} s deadline for this call (every try and wait together; "
                f"{DEADLINE_ENV}=SECONDS gives more)")


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now`` (epoch): delta-seconds or an HTTP-date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def retry_words(service: str, attempt: int, delay: float, outcome: str) -> str:
    """One line for a retry: what happened (an HTTP status is an answer; anything else is a
    failure to get one), the wait, and which attempt comes next."""
    what = f"answered {outcome}" if outcome.startswith("HTTP ") else f"failed ({outcome})"
    return f"{service} {what}; trying again in {delay:g} s (attempt {attempt + 1})"
