"""The one place that builds the HTTP client for Amazon's endpoints (or a simulator's).

Every caller gets the same settings: the user agent Amazon asks integrators to send, no
automatic redirects (a redirect from LWA or SP-API is an answer to report, not to follow), and
no proxy from the environment when the endpoints are on this machine (a demo or a simulator:
loopback traffic must not reach a proxy). Per-call deadlines are the clients' own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.useragent import user_agent

if TYPE_CHECKING:
    import httpx

    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient

RetryNote = Callable[[str], Callable[[int, float, str], None]]
"""Given a service name (LWA, SP-API), what to call before each retry: attempt, delay, why."""


def answer_parts(resp: httpx.Response) -> tuple[str | None, Any]:
    """An answer's request id (either header Amazon uses) and its JSON body (None when the
    body is not JSON): what every error report of LWA and SP-API starts from."""
    request_id = resp.headers.get("x-amzn-RequestId") or resp.headers.get("x-amz-request-id")
    try:
        return request_id, json.loads(resp.content or b"null")
    except ValueError:
        return request_id, None


def http_client(*, trust_env: bool = True) -> httpx.AsyncClient:
    """An HTTP client with oauth-wizard's user agent and no automatic redirects."""
    import httpx

    return httpx.AsyncClient(headers={"User-Agent": user_agent()}, follow_redirects=False,
                             trust_env=trust_env)


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
