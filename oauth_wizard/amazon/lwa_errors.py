"""LWA failures: the typed error, and the map from Amazon's answers to the doctor's causes.

Each error carries Amazon's ``error`` and ``error_description`` (scrubbed of every secret the
request carried and of anything shaped like a token), the HTTP status, whether trying again
can help, and a cause id from ``reference/diagnosis.md``, with one sentence saying what went
wrong and the fix. Causes follow ``reference/spapi-authorization.md`` §3; the mapping of
``invalid_scope`` and ``unauthorized_client`` is marked uncertain there and says so.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from oauth_wizard.amazon.retry import Deadline
from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.validation import CLIENT_ID_RE, describe_char

DEFAULT_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 (a URL)
LWA_URL_ENV = "OAUTH_WIZARD_LWA_URL"
GRANTLESS_SCOPES = ("sellingpartnerapi::notifications",
                    "sellingpartnerapi::client_credential:rotation")

Grant = Literal["authorization_code", "refresh_token", "client_credentials"]


class LwaError(WizardError):
    """LWA said no (or could not be asked). ``str()`` is the message plus the fix."""

    def __init__(self, error: str, error_description: str, status: int | None, cause_id: str,
                 retryable: bool, *, message: str, fix: str, grant: str, attempts: int = 1,
                 history: tuple[str, ...] = (), request_id: str | None = None) -> None:
        super().__init__(message, fix, cause=cause_id)
        self.error = error
        self.error_description = error_description
        self.status = status
        self.retryable = retryable
        self.grant = grant
        self.attempts = attempts
        self.history = history
        self.request_id = request_id

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(error={self.error!r}, status={self.status}, "
                f"cause_id={self.cause_id!r}, retryable={self.retryable}, "
                f"attempts={self.attempts})")


class LwaNetworkError(LwaError):
    """No HTTP answer at all: connection refused, DNS, TLS, timeout, dropped connection."""


def show_url(url: str) -> str:
    """The URL without user info or query, which could carry credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}" \
           f"{parts.path}"


def _damage(value: str) -> str | None:
    """Where a pasted credential is visibly damaged, as words (never the value itself)."""
    for i, ch in enumerate(value):
        if ch.isspace() or not ch.isprintable() or ch in "\"'`\u2018\u2019\u201c\u201d":
            return f"contains {describe_char(ch)} at character {i + 1}"
    return None


@dataclass(frozen=True)
class Ctx:
    grant: Grant
    token_url: str
    client_id: str
    client_secret: str
    credential: str  # the code, the refresh token or the scope
    secrets: tuple[str, ...]


def network_error(exc: httpx.HTTPError, ctx: Ctx,
                   timeout: httpx.Timeout) -> tuple[LwaError, bool]:
    """The error for a failed send, and whether the request may have reached LWA."""
    where = show_url(ctx.token_url)
    fix = ("Check the network connection and any proxy (HTTPS_PROXY); when using a simulator, "
           f"check that it runs and that {LWA_URL_ENV} points at it.")
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        reason, sent = f"no connection{_within(timeout.connect)}", False
    elif isinstance(exc, httpx.TimeoutException):
        reason, sent = f"no answer{_within(timeout.read)}", True
    elif isinstance(exc, httpx.ConnectError):
        reason, sent = _connect_reason(exc), False
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return LwaError("invalid_url", "the token URL is not an http(s) URL", None,
                        "token_request_wrong_host", False, grant=ctx.grant,
                        message=f"The token URL {where!r} is not an http(s) URL.",
                        fix=f"Use {DEFAULT_TOKEN_URL} (check {LWA_URL_ENV})."), False
    elif isinstance(exc, httpx.TransportError):
        reason, sent = f"connection dropped ({type(exc).__name__})", True
    else:
        reason, sent = f"{type(exc).__name__}", True
    error = "timeout" if isinstance(exc, httpx.TimeoutException) else "network_error"
    return LwaNetworkError(error, reason, None, "lwa_unreachable", True, grant=ctx.grant,
                           message=f"Could not get an answer from the LWA token endpoint "
                                   f"{where} ({reason}).", fix=fix), sent


def deadline_error(ctx: Ctx, deadline: Deadline) -> LwaError:
    """The call ran out of its total time (a trickling answer, or retries that add up)."""
    where = show_url(ctx.token_url)
    return LwaNetworkError(
        "timeout", "deadline reached", None, "lwa_unreachable", False, grant=ctx.grant,
        message=f"The LWA token endpoint {where} did not finish answering within "
                f"{deadline.words()}.",
        fix="Check the network connection and any proxy (HTTPS_PROXY): an answer that arrives "
            "this slowly is usually a proxy or a broken connection; then try again.")


def _within(seconds: float | None) -> str:
    return f" within {seconds:g} s" if seconds else ""


def _connect_reason(exc: BaseException) -> str:
    """Name the OS-level reason, which async transports hide under their own message."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    texts = []
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cur, socket.gaierror):
            return "host name not found"
        if isinstance(cur, ssl.SSLError):
            return "TLS handshake failed"
        texts.append(str(cur).lower())
        cur = cur.__cause__ or cur.__context__
    text = " ".join(texts)
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "host name not found"
    if "certificate" in text or "ssl" in text:
        return "TLS handshake failed"
    return "could not connect"


_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def not_lwa(resp: httpx.Response, ctx: Ctx, request_id: str | None,
             payload: dict | None = None) -> LwaError:
    """An answer that is not LWA's JSON: a proxy, a gateway error, an SP-API host."""
    status = resp.status_code
    where = show_url(ctx.token_url)
    if status >= 500 or status == 429:
        return classify(status, "server_error" if status >= 500 else "throttled",
                         f"HTTP {status} without an LWA error body", ctx, request_id)
    ctype = resp.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    raw = resp.content[:4000]
    missing_auth = (b"MissingAuthenticationToken" in raw or b"Missing Authentication Token" in raw
                    or "MissingAuthenticationToken" in resp.headers.get("x-amzn-ErrorType", ""))
    if missing_auth:
        what = "'Missing Authentication Token', which is what an SP-API host says"
    elif payload is not None:
        what = "JSON without an LWA error field"
    elif b"<html" in raw.lower() or ctype == "text/html":
        title = _TITLE_RE.search(raw)
        shown = scrub(title.group(1).decode("utf-8", "replace").strip(), ctx.secrets)[:80] \
            if title else ""
        what = f"an HTML page{f' titled {shown!r}' if shown else ''}"
    else:
        what = f"{ctype}, not JSON"
    if 200 <= status < 300 and payload is None:
        if not raw.strip():
            what = "an empty body"
        elif not what.startswith("an HTML page"):
            what = f"a body that is not JSON ({ctype})"
        rid = f" and request id {request_id}" if request_id else ""
        return LwaError("invalid_response", scrub(f"HTTP {status} with {what}", ctx.secrets),
                        status, "amazon_side_issue", True, grant=ctx.grant,
                        request_id=request_id,
                        message=f"The token endpoint {where} answered HTTP {status} with "
                                f"{what} instead of a token: a passing fault of the server, "
                                "or of a proxy on the way.",
                        fix="Try again in a moment; if it repeats, check any proxy "
                            f"(HTTPS_PROXY) and {LWA_URL_ENV}, then open a support case with "
                            f"the time{rid}.")
    detail = scrub(f"HTTP {status}: {what}", ctx.secrets)
    return LwaError("not_lwa", detail, status, "token_request_wrong_host", False, grant=ctx.grant,
                    request_id=request_id,
                    message=f"The token URL {where} answered HTTP {status} with {what}, "
                            "not an LWA token response.",
                    fix=f"Send token requests to {DEFAULT_TOKEN_URL}, not to a "
                        f"sellingpartnerapi-* host (check {LWA_URL_ENV}).")


def classify(status: int, error: str, desc: str, ctx: Ctx,
              request_id: str | None = None) -> LwaError:
    """Map Amazon's answer to a cause id, a message and a fix (reference §3, diagnosis B)."""
    said = f"({error}{f': {desc}' if desc else ''})"
    has_query = bool(urlsplit(ctx.token_url).query)

    def make(cause: str, message: str, fix: str, retryable: bool = False) -> LwaError:
        return LwaError(error, desc, status, cause, retryable, message=message, fix=fix,
                        grant=ctx.grant, request_id=request_id)

    if status >= 500 and has_query:
        return make("token_request_malformed",
                    f"LWA answered HTTP {status} to a token URL with a query string; LWA fails "
                    f"like this when parameters travel in the query instead of the body {said}.",
                    f"Remove the query string from the token URL (check {LWA_URL_ENV}).")
    if status >= 500 or error in ("server_error", "temporarily_unavailable"):
        rid = f" (request id {request_id})" if request_id else ""
        return make("amazon_side_issue", f"LWA answered HTTP {status} {said}.",
                    "Amazon's token service is having trouble: try again in a few minutes; if "
                    f"it persists, open a support case with the time{rid}.", retryable=True)
    if status == 429:
        return make("throttled", f"LWA answered HTTP 429: too many token requests {said}.",
                    "Wait a minute before trying again.", retryable=True)
    if error == "invalid_grant":
        return _invalid_grant(ctx, said, make)
    if error == "invalid_client":
        if not CLIENT_ID_RE.fullmatch(ctx.client_id):
            return make("client_id_invalid",
                        f"LWA rejected the client {said}, and the client ID is not a full LWA "
                        "client ID (amzn1.application-oa2-client. and 32 hex characters).",
                        "Copy the client ID from the app's LWA credentials (Solution Provider "
                        "Portal, Develop Apps, View under LWA credentials) and update the profile.")
        damage = _damage(ctx.client_secret)
        if damage:
            return make("credentials_garbled",
                        f"LWA rejected the client {said}, and the client secret {damage}.",
                        "Copy the client secret again from the app's LWA credentials and paste "
                        "it on one line.")
        return make("client_secret_invalid_or_expired",
                    f"LWA rejected the client ID and secret {said}: the secret is wrong, was "
                    "rotated, or passed its 180-day expiry.",
                    "Copy the current client secret from the app's LWA credentials and update "
                    "the profile; if it expired, rotate it there first.")
    if error in ("unsupported_grant_type", "invalid_request"):
        return make("token_request_malformed", f"LWA could not read the token request {said}.",
                    "The body must be form-encoded parameters with a matching Content-Type and "
                    f"no query string; check {LWA_URL_ENV} if set, otherwise report this bug.")
    if error in ("invalid_scope", "unauthorized_client") and ctx.grant == "client_credentials":
        return make("grantless_scope_not_allowed",
                    f"LWA refused the grantless scope {ctx.credential!r} {said}.",
                    f"Use one of {', '.join(GRANTLESS_SCOPES)}; Amazon does not document which "
                    "app settings this error points at, so check the app's roles too.")
    if error == "unauthorized_client":
        return make("client_id_invalid", f"LWA says this client may not use the {ctx.grant} "
                    f"grant {said}; Amazon does not document when it answers this.",
                    "Check that the client ID belongs to the SP-API app you are authorizing.")
    return make("amazon_side_issue", f"LWA refused the token request with HTTP {status} {said}.",
                "This answer is not documented for token requests; try again later and open a "
                "support case if it persists.")


def _invalid_grant(ctx: Ctx, said: str, make: Callable[..., LwaError]) -> LwaError:
    if ctx.grant == "authorization_code":
        return make("auth_code_expired_or_reused",
                    f"LWA refused the authorization code {said}: it is more than 5 minutes old, "
                    "was already exchanged (a page reload, a second exchange), or was issued "
                    "to another client ID.",
                    "Start the consent again to get a new code; it is exchanged the moment it "
                    "arrives.")
    if ctx.grant == "refresh_token":
        token = ctx.credential
        damage = _damage(token) or (None if token.startswith("Atzr|")
                                    else "does not start with Atzr|")
        if damage:
            return make("credentials_garbled",
                        f"LWA refused the refresh token {said}, and the token {damage}.",
                        "Copy the refresh token again (it starts with Atzr|) and paste it on "
                        "one line, or authorize again.")
        return make("refresh_token_revoked_or_expired",
                    f"LWA refused the refresh token {said}: the seller revoked the app, the "
                    "365-day authorization ran out, or the token belongs to another client ID.",
                    "Authorize again to get a new refresh token, with the client ID of the app "
                    "that issued it.")
    return make("token_request_malformed", f"LWA refused the grant {said}.",
                "Check the scope and the client credentials.")
