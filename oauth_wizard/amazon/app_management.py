"""The Application Management API: ``rotateApplicationClientSecret``.

``POST /applications/2023-11-30/clientSecret`` on a regional SP-API endpoint, with an access
token from the ``client_credentials`` grant with scope
``sellingpartnerapi::client_credential:rotation`` (never a seller's token: that is the 403
others hit, pipedream#19400). It answers 204 with no body; the new secret arrives as a
notification on the app's queue (updates-2026-12.md §7). It is never retried: a retry after a
lost answer could rotate twice, and its rate is one call a minute, so a 429 is explained
instead.
"""

from __future__ import annotations

import asyncio

import httpx

from oauth_wizard.amazon.lwa_errors import show_url
from oauth_wizard.amazon.retry import Deadline, deadline_seconds
from oauth_wizard.amazon.spapi import SpApiClient
from oauth_wizard.amazon.spapi_errors import SpApiError, from_response, network_error

ROTATION_SCOPE = "sellingpartnerapi::client_credential:rotation"
ROTATION_PATH = "/applications/2023-11-30/clientSecret"


async def rotate_client_secret(spapi: SpApiClient, access_token: str, region: str) -> None:
    """Ask Amazon for a new client secret; raises ``SpApiError`` (429: wait a minute)."""
    url = spapi.endpoints.spapi_url(region) + ROTATION_PATH
    deadline = Deadline(spapi.deadline_s if spapi.deadline_s is not None
                        else deadline_seconds())
    try:
        async with asyncio.timeout(deadline.left()):
            resp = await spapi.http.post(url, headers=spapi.headers(access_token),
                                         timeout=spapi.timeout)
    except TimeoutError:
        raise SpApiError(None, "timeout", f"SP-API at {show_url(url)} did not answer the "
                         f"rotation within {deadline.words()}.", "", request_id=None,
                         cause_id="spapi_unreachable",
                         fix="Check your queue before trying again: the rotation may have "
                             "happened even though no answer came back.") from None
    except httpx.HTTPError as exc:
        raise network_error(exc, url) from None
    if resp.status_code in (200, 204):
        return
    err = from_response(resp, sandbox=False, secrets=(access_token,))
    if resp.status_code == 429:
        err.fix = ("Amazon allows one rotation a minute per app: wait a minute, and check your "
                   "queue first, since an earlier request may already have rotated it.")
    elif resp.status_code == 400 and "sandbox" in err.message.lower():
        err.fix = ("Amazon rotates secrets only for production applications (not from a "
                   "sandbox application): rotate the production app's secret, or the sandbox "
                   "app's in the Solution Provider Portal.")
    else:
        raise err
    err.args = (f"{err.message} {err.fix}",)
    raise err
