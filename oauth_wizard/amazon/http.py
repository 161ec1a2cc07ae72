"""The one place that builds the HTTP client for Amazon's endpoints (or a simulator's).

Every caller gets the same settings: the user agent Amazon asks integrators to send, no
automatic redirects (a redirect from LWA or SP-API is an answer to report, not to follow), and
no proxy from the environment when the endpoints are on this machine (a demo or a simulator:
loopback traffic must not reach a proxy). Per-call deadlines are the clients' own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from oauth_wizard.amazon.useragent import user_agent

if TYPE_CHECKING:
    import httpx



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


