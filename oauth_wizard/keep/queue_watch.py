"""Waiting on an SQS queue for one notification, leaving every other message where it was.

The queue may be shared (other apps' notices, other kinds, other readers), so a message this
watch does not want is only hidden while the watch runs and is handed back at the end, never
deleted. The wanted message is deleted by ``done``, which the caller calls only after what the
message carried is safely stored; ``give_back`` returns it (and the others) instead, so an
interruption or a failed store loses nothing. Blocking: run it in a thread or a CLI's own loop,
where Ctrl-C interrupts the long poll.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from oauth_wizard.aws.queue import MAX_WAIT_S, Message

T = TypeVar("T")
POLL_S = 5  # one long poll; short enough for a countdown a person can watch
HOLD_AFTER_S = 120  # a caught message stays hidden this long after the wait, to prove and store
MAX_HOLD_S = 43200  # SQS's longest visibility timeout (12 hours)


class QueueLike(Protocol):
    def receive(self, wait_s: int, hold_s: int) -> list[Message]: ...
    def delete(self, message: Message) -> None: ...
    def release(self, message: Message) -> None: ...


@dataclass(frozen=True)
class Caught(Generic[T]):
    """The notice a watch wanted, and the message that carried it."""

    notice: T
    message: Message


class QueueWatch(Generic[T]):
    """Wait for the first message ``pick`` turns into a notice (``pick`` returns None for a
    message that is not wanted: another app's, another kind, or not a notification)."""

    def __init__(self, queue: QueueLike, pick: Callable[[str], T | None], *,
                 clock: Callable[[], float] = time.monotonic, poll_s: int = POLL_S) -> None:
        self.queue = queue
        self._pick = pick
        self._clock = clock
        self._poll_s = max(1, min(MAX_WAIT_S, poll_s))
        self._others: dict[str, Message] = {}
        self.seen = 0  # messages looked at (each counted once)

    @property
    def others(self) -> int:
        """How many messages were not wanted (kept in the queue)."""
        return len(self._others)

    def wait(self, seconds: float, tick: Callable[[float], None] = lambda left: None,
             cancelled: Callable[[], bool] = lambda: False) -> Caught[T] | None:
        """The wanted notice, or None when ``seconds`` passed (or ``cancelled()``) first.
        ``tick(seconds_left)`` is called before every poll."""
        end = self._clock() + seconds
        while not cancelled():
            left = end - self._clock()
            if left <= 0:
                return None
            tick(left)
            hold = min(MAX_HOLD_S, math.ceil(left) + HOLD_AFTER_S)
            found: Caught[T] | None = None
            for message in self.queue.receive(min(self._poll_s, math.ceil(left)), hold):
                if message.message_id not in self._others:
                    self.seen += 1
                notice = self._pick(message.body) if found is None else None
                if notice is None:  # not wanted, or a second wanted one in the same batch
                    self._others[message.message_id] = message  # the newest receipt wins
                else:
                    found = Caught(notice, message)
            if found is not None:
                return found
        return None

    def done(self, caught: Caught[T]) -> None:
        """The notice is stored: delete its message (then hand the others back)."""
        try:
            self.queue.delete(caught.message)
        finally:
            self.give_back()

    def give_back(self, caught: Caught[T] | None = None) -> None:
        """Make ``caught`` (when given) and every unwanted message visible again."""
        pending = list(self._others.values())
        if caught is not None:
            pending.append(caught.message)
        self._others.clear()
        failures: list[BaseException] = []
        for message in pending:
            try:
                self.queue.release(message)
            except Exception as exc:  # noqa: BLE001 - each message is tried; AWS errors vary
                failures.append(exc)
        if failures:
            raise failures[0]
