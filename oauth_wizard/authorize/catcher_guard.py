"""What one client may cost the catcher: size limits, a connection cap, idle and total deadlines.

The catcher listens on a fixed, registered port, so any local process or web page can reach
it. A browser's genuine redirect is one small GET answered in milliseconds; everything past
that is refused cheaply: request lines and headers over a few KB are answered 400 by the
parser, bodies are never read, a connection that says nothing for ``IDLE_S`` or lives past
``LIFETIME_S`` is closed (slowloris), and when ``MAX_CONNECTIONS`` are open a new one closes
the oldest, so a pile of held connections cannot keep the browser out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

MAX_LINE_BYTES = 4096     # request line; Amazon's redirect is well under 2 KB
MAX_FIELD_BYTES = 4096    # one header line
MAX_HEADERS = 64
MAX_CONNECTIONS = 32
IDLE_S = 5.0              # no byte for this long: closed
LIFETIME_S = 15.0         # no connection outlives this, however it trickles


class _GuardedHandler(RequestHandler):
    """aiohttp's request handler with an idle timer and a lifetime cap."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        loop = asyncio.get_running_loop()
        self._guard_idle = loop.call_later(IDLE_S, self._guard_close)
        self._guard_life = loop.call_later(LIFETIME_S, self._guard_close)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._guard_idle.cancel()
        self._guard_idle = asyncio.get_running_loop().call_later(IDLE_S, self._guard_close)
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._guard_idle.cancel()
        self._guard_life.cancel()
        super().connection_lost(exc)

    def _guard_close(self) -> None:
        manager = self._manager
        if isinstance(manager, GuardedServer):
            manager.closed_idle += 1
        self.force_close()


class GuardedServer(web.Server):
    """A low-level aiohttp server whose connections are bounded as the module says."""

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, max_line_size=MAX_LINE_BYTES, max_field_size=MAX_FIELD_BYTES,
                         max_headers=MAX_HEADERS, keepalive_timeout=IDLE_S, lingering_time=0,
                         access_log=None, **kwargs)
        self.closed_idle = 0      # connections closed for saying nothing, or too slowly
        self.closed_over_cap = 0  # oldest connections closed to make room

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(self, loop=self._loop, **self._kwargs)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        while len(self._connections) >= MAX_CONNECTIONS:
            oldest = next(iter(self._connections))
            self._connections.pop(oldest, None)
            self.closed_over_cap += 1
            oldest.force_close()
        super().connection_made(handler, transport)
