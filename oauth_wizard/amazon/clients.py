"""LWA and SP-API clients over one HTTP client (``http.py``'s), closed together: what verify,
token refresh and self-authorization use."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.http import http_client
from oauth_wizard.amazon.useragent import user_agent

if TYPE_CHECKING:
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient

RetryNote = Callable[[str], Callable[[int, float, str], None]]
"""Given a service name (LWA, SP-API), what to call before each retry: attempt, delay, why."""


@contextlib.asynccontextmanager
async def api_clients(endpoints: Endpoints, *, trust_env: bool = True,
                      on_retry: RetryNote | None = None,
                      sleep: Callable[[float], Awaitable[object]] | None = None,
                      ) -> AsyncIterator[tuple[LwaClient, SpApiClient]]:
    """LWA and SP-API clients over one HTTP client, closed together."""
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient

    agent = user_agent()
    extra = {} if sleep is None else {"sleep": sleep}
    async with http_client(trust_env=trust_env) as http:
        yield (LwaClient(http, endpoints.token_url(), user_agent=agent,
                         on_retry=on_retry("LWA") if on_retry else None, **extra),
               SpApiClient(http, endpoints, user_agent=agent,
                           on_retry=on_retry("SP-API") if on_retry else None, **extra))
