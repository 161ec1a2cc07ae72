"""Login with Amazon token client: code exchange, refresh, grantless client credentials.

Every failure comes back as an ``LwaError`` that carries Amazon's ``error`` and
``error_description``, the HTTP status, whether trying again can help, and the doctor's cause
id from ``reference/diagnosis.md``, with a sentence saying what went wrong and the fix. No
message, repr or log record ever holds a code, secret or token (known values are scrubbed).

Retry policy: at most ``max_attempts`` tries, exponential backoff (1 s, 2 s, ...;
``Retry-After`` in seconds or as an HTTP-date honoured up to 30 s) and only for HTTP 5xx, 429,
a success without a readable body, and network failures, all within one total deadline per
call (``retry.Deadline``). 4xx answers are final, ``invalid_grant`` above all.

The authorization code is sent at most once: it is single-use, and LWA may have consumed it
in an attempt whose answer was lost or broken (a 5xx, a dropped connection, an empty 200). A
failure before anything was sent (connection refused, DNS, connect timeout) is unambiguous, so
only then is the exchange tried again; otherwise the error says the code may be spent and
asks for a new consent. Refresh and client_credentials grants retry as above.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from oauth_wizard.amazon.http import answer_parts
from oauth_wizard.amazon.lwa_errors import (
    DEFAULT_TOKEN_URL,
    GRANTLESS_SCOPES,
    LWA_URL_ENV,
    Ctx,
    Grant,
    LwaError,
    LwaNetworkError,
    classify,
    deadline_error,
    network_error,
    not_lwa,
    show_url,
)
from oauth_wizard.amazon.retry import Deadline, deadline_seconds, retry_after_seconds
from oauth_wizard.core.logs import package_logger
from oauth_wizard.core.masking import mask, scrub

log = package_logger(__name__)  # silent unless debugging

__all__ = ["CODE_LIFETIME_S", "DEFAULT_TIMEOUT", "DEFAULT_TOKEN_URL", "FORM_CONTENT_TYPE",
           "GRANTLESS_SCOPES", "LWA_URL_ENV", "Grant", "LwaClient", "LwaError",
           "LwaNetworkError", "TokenResponse", "token_url_from_env"]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
CODE_LIFETIME_S = 300
MAX_RETRY_DELAY_S = 30.0


def token_url_from_env(env: Mapping[str, str] = os.environ) -> str:
    """The token URL: ``OAUTH_WIZARD_LWA_URL`` (a simulator) or Amazon's."""
    return env.get(LWA_URL_ENV, "").strip() or DEFAULT_TOKEN_URL


@dataclass(frozen=True, repr=False)
class TokenResponse:
    """A successful LWA answer. ``obtained_at`` is epoch seconds from the client's clock."""

    access_token: str
    refresh_token: str | None
    token_type: str
    expires_in: int
    obtained_at: float

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    def __repr__(self) -> str:
        return (f"TokenResponse(access_token={mask(self.access_token)!r}, "
                f"refresh_token={mask(self.refresh_token)!r}, token_type={self.token_type!r}, "
                f"expires_in={self.expires_in}, obtained_at={self.obtained_at})")


class LwaClient:
    """LWA over an injected ``httpx.AsyncClient`` (the caller owns and closes it)."""

    def __init__(self, http: httpx.AsyncClient, token_url: str = DEFAULT_TOKEN_URL, *,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 max_attempts: int = 3, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 backoff: float = 1.0, clock: Callable[[], float] = time.time,
                 user_agent: str | None = None, deadline_s: float | None = None,
                 on_retry: Callable[[int, float, str], None] | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.http = http
        self.token_url = token_url
        self.max_attempts = max_attempts
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._user_agent = user_agent
        self._on_retry = on_retry
        self.deadline_s = deadline_s  # None: OAUTH_WIZARD_DEADLINE or 60 s, read per call

    async def exchange_code(self, code: str, client_id: str, client_secret: str,
                            redirect_uri: str | None = None) -> TokenResponse:
        """``authorization_code`` grant: the ``spapi_oauth_code`` for a refresh token.

        ``redirect_uri`` is sent only when given (Amazon's example and PSA omit it).
        """
        params = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
                  "client_secret": client_secret}
        if redirect_uri is not None:
            params["redirect_uri"] = redirect_uri
        ctx = Ctx("authorization_code", self.token_url, client_id, client_secret, code,
                  (code, client_secret))
        return await self._request(params, ctx)

    async def refresh(self, refresh_token: str, client_id: str,
                      client_secret: str) -> TokenResponse:
        """``refresh_token`` grant: a fresh access token (no ``scope`` is sent)."""
        params = {"grant_type": "refresh_token", "refresh_token": refresh_token,
                  "client_id": client_id, "client_secret": client_secret}
        ctx = Ctx("refresh_token", self.token_url, client_id, client_secret, refresh_token,
                  (refresh_token, client_secret))
        return await self._request(params, ctx)

    async def client_credentials(self, scope: str, client_id: str,
                                 client_secret: str) -> TokenResponse:
        """``client_credentials`` grant for grantless operations (no refresh token sent)."""
        params = {"grant_type": "client_credentials", "scope": scope, "client_id": client_id,
                  "client_secret": client_secret}
        ctx = Ctx("client_credentials", self.token_url, client_id, client_secret, scope,
                  (client_secret,))
        return await self._request(params, ctx)

    async def _request(self, params: dict[str, str], ctx: Ctx) -> TokenResponse:
        body = urlencode(params).encode("utf-8")
        headers = {"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"}
        if self._user_agent:
            headers["User-Agent"] = self._user_agent
        history: list[str] = []
        ambiguous: str | None = None  # an earlier attempt that may have consumed the code
        deadline = Deadline(self.deadline_s if self.deadline_s is not None
                            else deadline_seconds())
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            try:
                async with asyncio.timeout(deadline.left()):
                    resp = await self.http.post(self.token_url, content=body, headers=headers,
                                                timeout=self.timeout)
            except TimeoutError:
                history.append("deadline reached")
                raise _finish(deadline_error(ctx, deadline), attempt, tuple(history),
                              ambiguous) from None
            except httpx.HTTPError as exc:
                err, sent = network_error(exc, ctx, self.timeout)
                ambiguous_now = sent
            else:
                result = _parse(resp, ctx, self._clock)
                if isinstance(result, TokenResponse):
                    return result
                err, ambiguous_now = result, resp.status_code >= 500 or result.retryable
                retry_after = retry_after_seconds(resp.headers.get("Retry-After"),
                                                  self._clock())
            outcome = f"HTTP {err.status}" if err.status else err.error_description
            history.append(outcome)
            # the code is single-use: it is sent again only when it never reached LWA
            once = ctx.grant == "authorization_code" and ambiguous_now
            if not err.retryable or once or attempt == self.max_attempts:
                raise _finish(err, attempt, tuple(history), ambiguous, once=once) from None
            if ambiguous is None and ambiguous_now:
                ambiguous = outcome
            delay = self.backoff * 2 ** (attempt - 1)
            if retry_after is not None:
                delay = max(delay, retry_after)
            delay = min(delay, MAX_RETRY_DELAY_S)
            if not deadline.allows(delay):
                err.message = (f"{err.message} No time was left to try again within "
                               f"{deadline.words()}.")
                raise _finish(err, attempt, tuple(history), ambiguous) from None
            log.info("LWA %s attempt %d of %d failed (%s); retrying in %.1f s",
                     ctx.grant, attempt, self.max_attempts, outcome, delay)
            if self._on_retry is not None:
                self._on_retry(attempt, delay, outcome)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _finish(err: LwaError, attempts: int, history: tuple[str, ...],
            ambiguous: str | None, *, once: bool = False) -> LwaError:
    """Add the attempt count, and the code-exchange caveats: after an ambiguous attempt, and
    when the code was not sent again although the failure is one that is usually retried."""
    err.attempts, err.history = attempts, history
    if attempts > 1:
        err.message = f"{err.message} ({attempts} attempts: {', '.join(history)})"
    if once and err.retryable:
        err.message = (f"{err.message} The authorization code reached LWA, which may have "
                       "used it, so it was not sent again (a code works only once).")
        err.fix = ("Start the consent again from the wizard's consent URL for a new code; "
                   f"{err.fix}")
    if ambiguous and err.cause_id == "auth_code_expired_or_reused":
        err.message = ("An earlier attempt failed after the request was sent "
                       f"({ambiguous}), so LWA may already have used the code then; the "
                       f"retry was refused. {err.message}")
    err.args = (f"{err.message} {err.fix}".strip(),)
    return err


def _parse(resp: httpx.Response, ctx: Ctx, clock: Callable[[], float]) -> TokenResponse | LwaError:
    status = resp.status_code
    request_id, payload = answer_parts(resp)
    if not isinstance(payload, dict):
        return not_lwa(resp, ctx, request_id)
    if 200 <= status < 300 and "error" not in payload:
        return _token(payload, ctx, clock, status, request_id)
    error = payload.get("error")
    if not isinstance(error, str) or not error:
        return not_lwa(resp, ctx, request_id, payload)
    raw_desc = payload.get("error_description")
    desc = scrub(str(raw_desc), ctx.secrets)[:300] if raw_desc is not None else ""
    err = classify(status, error, desc, ctx)
    err.request_id = request_id
    return err


def _token(payload: dict, ctx: Ctx, clock: Callable[[], float], status: int,
           request_id: str | None) -> TokenResponse | LwaError:
    access = payload.get("access_token")
    refresh = payload.get("refresh_token")
    expires = payload.get("expires_in")
    secrets = (*ctx.secrets, *(v for v in (access, refresh) if isinstance(v, str)))
    problem = None
    if not isinstance(access, str) or not access:
        problem = "no access_token"
    elif isinstance(expires, bool) or not (isinstance(expires, int) or
                                           (isinstance(expires, str) and expires.isdigit())):
        problem = "no valid expires_in"
    elif refresh is not None and not isinstance(refresh, str):
        problem = "a refresh_token that is not text"
    if problem:
        return LwaError("invalid_response", scrub(f"answer has {problem}", secrets), status,
                        "token_request_wrong_host", False, grant=ctx.grant,
                        request_id=request_id,
                        message=f"{show_url(ctx.token_url)} answered success but with "
                                f"{problem}, so it is not an LWA token response.",
                        fix=f"Send token requests to {DEFAULT_TOKEN_URL} (check {LWA_URL_ENV}).")
    if ctx.grant == "authorization_code" and not refresh:
        return LwaError("no_refresh_token", "the code exchange returned no refresh_token", status,
                        "amazon_side_issue", False, grant=ctx.grant, request_id=request_id,
                        message="LWA exchanged the code but returned no refresh token.",
                        fix="Start the consent again; if it repeats, open a support case with "
                            "the time and request id.")
    token_type = payload.get("token_type")
    return TokenResponse(access, refresh or None,  # type: ignore[arg-type]
                         token_type if isinstance(token_type, str) else "bearer",
                         int(expires), clock())  # type: ignore[arg-type]
