"""SP-API call failures: the typed error, and the map from Amazon's answers to the doctor's causes.

Amazon answers ``{"errors":[{"code","message","details"}]}`` with ``x-amzn-RequestId``
(spapi-authorization.md §5.2). The 403 ``details`` text is what tells the causes apart, so it is
matched here to the ids of diagnosis.md section C. A 403 with empty details has several
documented causes and Amazon does not say which one applies; the error then names both likely
ones (``candidates``) and says it is uncertain rather than guessing. Messages never contain the
access token: whatever Amazon echoes is scrubbed.
"""

from __future__ import annotations

from typing import Any

import httpx

from oauth_wizard.amazon.http import answer_parts
from oauth_wizard.amazon.lwa_errors import _connect_reason, show_url
from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.masking import scrub

__all__ = ["SPAPI_URL_ENV", "SpApiError", "SpApiNetworkError", "classify", "from_response",
           "network_error"]

SPAPI_URL_ENV = "OAUTH_WIZARD_SPAPI_URL"
ROLES_FOR_VERIFY = "Product Listing or Selling Partner Insights"  # §8, 2022 role tables


class SpApiError(WizardError):
    """SP-API said no (or could not be asked). ``str()`` is the message plus the fix.

    ``cause_id`` is the most likely diagnosis.md id; ``candidates`` lists every likely one, best
    first, when Amazon's answer does not settle it (``uncertain`` is then True).
    """

    def __init__(self, status: int | None, code: str, message: str, details: str, *,
                 request_id: str | None, cause_id: str, fix: str,
                 candidates: tuple[str, ...] = (), uncertain: bool = False,
                 retryable: bool = False, attempts: int = 1) -> None:
        super().__init__(message, fix, cause=cause_id)
        self.status = status
        self.code = code
        self.details = details
        self.request_id = request_id
        self.candidates = candidates or (cause_id,)
        self.uncertain = uncertain
        self.retryable = retryable
        self.attempts = attempts

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(status={self.status}, code={self.code!r}, "
                f"cause_id={self.cause_id!r}, request_id={self.request_id!r})")

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "message": self.message,
                "details": self.details, "request_id": self.request_id,
                "cause_id": self.cause_id, "candidates": list(self.candidates),
                "uncertain": self.uncertain, "fix": self.fix, "attempts": self.attempts}


class SpApiNetworkError(SpApiError):
    """No HTTP answer at all: connection refused, DNS, TLS, timeout, dropped connection."""


def network_error(exc: httpx.HTTPError, url: str) -> SpApiError:
    where = show_url(url)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return SpApiError(None, "invalid_url", f"The SP-API URL {where!r} is not an http(s) URL.",
                          "", request_id=None, cause_id="spapi_endpoint_wrong",
                          fix=f"Check {SPAPI_URL_ENV}, or unset it to call Amazon.")
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        reason = "no connection in time"
    elif isinstance(exc, httpx.TimeoutException):
        reason = "no answer in time"
    elif isinstance(exc, httpx.ConnectError):
        reason = _connect_reason(exc)
    else:
        reason = f"connection dropped ({type(exc).__name__})"
    return SpApiNetworkError(
        None, "network_error", f"Could not get an answer from SP-API at {where} ({reason}).", "",
        request_id=None, cause_id="spapi_unreachable", retryable=True,
        fix="Check the network connection and any proxy (HTTPS_PROXY); when using a simulator, "
            f"check that it runs and that {SPAPI_URL_ENV} points at it.")


def _first_error(payload: Any) -> tuple[str, str, str] | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("errors"), list):
        return None
    first = next((e for e in payload["errors"] if isinstance(e, dict)), None)
    if first is None:
        return None
    return tuple(str(first.get(k) or "") for k in ("code", "message", "details"))  # type: ignore


def from_response(resp: httpx.Response, *, sandbox: bool,
                  secrets: tuple[str, ...]) -> SpApiError:
    """The error for any answer that is not a usable 2xx."""
    request_id, payload = answer_parts(resp)
    found = _first_error(payload)
    where = show_url(str(resp.request.url)) if resp.request else "SP-API"
    if found is None:
        return _not_spapi(resp, payload, where, request_id, secrets)
    code, message, details = (scrub(v, secrets)[:300] for v in found)
    return classify(resp.status_code, code, message, details, request_id=request_id,
                    sandbox=sandbox, where=where)


def _not_spapi(resp: httpx.Response, payload: Any, where: str, request_id: str | None,
               secrets: tuple[str, ...]) -> SpApiError:
    status = resp.status_code
    if status == 429 or status >= 500:  # a gateway's own answer: same meaning, no body
        return classify(status, "", f"HTTP {status} without an SP-API error body", "",
                        request_id=request_id, sandbox=False, where=where)
    ctype = resp.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if payload is not None:
        what = "JSON that is not an SP-API answer"
    elif b"<html" in resp.content[:2000].lower() or ctype == "text/html":
        what = "an HTML page"
    else:
        what = f"{ctype}, not JSON"
    return SpApiError(status, "not_spapi", scrub(f"{where} answered HTTP {status} with {what}, "
                      "not an SP-API answer.", secrets), "", request_id=request_id,
                      cause_id="spapi_endpoint_wrong",
                      fix=f"Check {SPAPI_URL_ENV} and any proxy; unset it to call Amazon.")


def classify(status: int, code: str, message: str, details: str, *,
             request_id: str | None = None, sandbox: bool = False,
             where: str = "SP-API") -> SpApiError:
    """Map an SP-API error to a cause id, a message and a fix (§5.2, diagnosis.md C)."""
    said = f"({code or 'no code'}{f': {details or message}' if details or message else ''})"
    rid = f" Request id: {request_id}." if request_id else ""
    low = details.lower()

    def make(cause: str, text: str, fix: str, **kw: Any) -> SpApiError:
        return SpApiError(status, code, text + rid, details, request_id=request_id,
                          cause_id=cause, fix=fix, **kw)

    if status == 429:
        return make("throttled", f"SP-API throttled the call with HTTP 429 {said}.",
                    "Wait a minute and try again: this call refills one request about every "
                    "63 seconds after a burst of 15.", retryable=True)
    if status >= 500 and sandbox and (code == "InternalFailure" or not code):
        return make("sandbox_request_mismatch", f"The SP-API sandbox answered HTTP {status} "
                    f"{said}: the sandbox answers this when a request does not match one of the "
                    "model's sandbox examples.",
                    "Sandbox calls must match the model's x-amzn-api-sandbox examples exactly; "
                    "verify without --sandbox to test the real grant.")
    if status >= 500:
        return make("amazon_side_issue", f"SP-API answered HTTP {status} {said}.",
                    "Amazon is having trouble: try again in a few minutes; if it persists, open "
                    "a support case with the time and request id.", retryable=True)
    if code == "MissingAuthenticationToken":
        return make("spapi_endpoint_wrong", f"{where} answered 403 MissingAuthenticationToken: "
                    "the host does not serve this path. This is what SP-API says for a path "
                    "that does not exist or was removed (such as the retired Authorization "
                    "API), and what an LWA token request sent to an SP-API host gets "
                    "[uncertain, community reports].",
                    f"Check {SPAPI_URL_ENV} (unset it to call Amazon) and the region's "
                    "endpoint.", candidates=("spapi_endpoint_wrong", "authorization_api_retired",
                                             "token_request_wrong_host"), uncertain=True)
    if status == 403 and code == "Unauthorized":
        return _unauthorized(low, said, make)
    if status == 403:
        return make("amazon_side_issue", f"SP-API refused the call with HTTP 403 {said}.",
                    "This 403 code is not one oauth-wizard knows; look the code up in the "
                    "SP-API docs, or open a support case with the request id.")
    if status == 404:
        return make("spapi_endpoint_wrong", f"{where} answered HTTP 404 {said}.",
                    f"Check {SPAPI_URL_ENV} (unset it to call Amazon).")
    return make("amazon_side_issue", f"SP-API answered HTTP {status} {said}.",
                "This answer is not documented for this call; try again later and open a "
                "support case with the request id if it persists.")


def _unauthorized(low: str, said: str, make: Any) -> SpApiError:
    if "missing" in low:
        return make("access_token_missing", f"SP-API got no access token {said}.",
                    "The x-amz-access-token header was not sent; this is a bug in the caller, "
                    "please report it.")
    if "lwa secret" in low or ("secret" in low and "expired" in low):
        return make("client_secret_invalid_or_expired", f"SP-API says the app's LWA client "
                    f"secret has expired {said}.",
                    "Rotate the client secret in the Solution Provider Portal (Develop Apps, "
                    "LWA credentials, Rotate), then enter the new one in the profile.")
    if "has expired" in low or "expired" in low:
        return make("access_token_expired", f"SP-API says the access token has expired {said}.",
                    "Access tokens last one hour; get a fresh one (verify does) and check the "
                    "computer's clock.")
    if "revoked" in low or "malformed" in low or "invalid" in low:
        return make("access_token_invalid", f"SP-API refused the access token {said}: it was "
                    "revoked, is damaged, or was issued for another app.",
                    "Check that the refresh token and client ID belong to the same app; if the "
                    "seller revoked the app, authorize again.")
    if not low:
        return make("role_missing", f"SP-API refused the call with 403 Unauthorized and no "
                    f"details. Two causes are likely and Amazon does not say which "
                    f"[uncertain]: the app lacks a role this call needs ({ROLES_FOR_VERIFY}), "
                    "or the token was issued for another region than the endpoint called.",
                    "Verify against the region the seller authorized in; if that is right, add "
                    "the role to the app in the Solution Provider Portal and authorize again.",
                    candidates=("role_missing", "wrong_region_endpoint"), uncertain=True)
    return make("amazon_side_issue", f"SP-API refused the call with 403 Unauthorized {said}.",
                "These details are not ones oauth-wizard knows; open a support case with the "
                "request id if it persists.")
