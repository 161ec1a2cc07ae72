"""How ``authorize`` shows the flow's events: one readable line each on stderr, a countdown
while the catcher waits, and the result on stdout.

Stdout carries only what a script needs (the consent URL, the URL to open next, the result),
so ``authorize --no-browser | head -1`` is the consent URL. On a terminal the countdown is one
line rewritten in place every second; elsewhere (CI logs, pipes) it is a line every 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from typing import TextIO

from oauth_wizard.cli.common import print_wrapped
from oauth_wizard.cli.prompts import is_terminal
from oauth_wizard.core.events import (
    Authorized,
    CodeReceived,
    ConsentReady,
    Exchanging,
    Failed,
    FlowEvent,
    FlowFailed,
    Retrying,
    Stored,
)

LOG_INTERVAL_S = 30.0


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Renders flow events on ``stream`` (stderr) and keeps the countdown line."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None,
                 interval: float = LOG_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.live = is_terminal(self.stream) if live is None else live
        self.interval = interval
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._open = False  # a countdown line waits to be overwritten

    def event(self, event: FlowEvent) -> None:
        # Failures are raised as errors and printed once, by the command; the result and the
        # consent URL are printed by the command too.
        if isinstance(event, FlowFailed | Failed | Stored | ConsentReady):
            return
        if isinstance(event, CodeReceived | Exchanging):
            self.stop_countdown()
        self.line(event.message)

    def retry(self, attempt: int, delay: float, _outcome: str) -> None:
        """``LwaClient(on_retry=...)``: LWA is retried after a 5xx, 429 or network failure."""
        self.line(Retrying(attempt, delay).message)

    def line(self, text: str) -> None:
        self._clear()
        print_wrapped(self.stream, text, indent="  ", first="* ")
        self.stream.flush()

    def start_countdown(self, timeout: float) -> None:
        self.stop_countdown()
        deadline = self._clock() + timeout
        self._task = asyncio.get_running_loop().create_task(self._count(deadline))

    def stop_countdown(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._clear()

    async def _count(self, deadline: float) -> None:
        step = 1.0 if self.live else self.interval
        if not self.live:
            await asyncio.sleep(step)
        while (left := deadline - self._clock()) > 0:
            text = (f"Waiting for Amazon's redirect: {clock_text(left)} left "
                    "(Ctrl-C cancels)")
            if self.live:
                self.stream.write(f"\r{text}\x1b[K")
                self._open = True
            else:
                self.stream.write(f"  {text}\n")
            with contextlib.suppress(ValueError, OSError):
                self.stream.flush()
            await asyncio.sleep(min(step, max(left, 0.05)))

    def _clear(self) -> None:
        if self._open:
            self.stream.write("\r\x1b[K")
            self._open = False


def print_authorized(result: Authorized, out: TextIO | None = None) -> None:
    """The result on stdout: who authorized, where the token is, masked."""
    out = sys.stdout if out is None else out
    a = result.authorization
    markets = ", ".join(a.marketplaces)
    print(f"Authorized: selling partner {a.selling_partner_id}, region {a.region}"
          f"{f' (marketplace {markets})' if markets else ''}.", file=out)
    print(f"Refresh token {result.masked_token} stored in {result.storage}.", file=out)
    out.flush()
