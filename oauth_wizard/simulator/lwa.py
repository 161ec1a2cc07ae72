"""The local Amazon's Login with Amazon side: grants, codes and tokens, the token endpoint's
rules, and the access-token check SP-API does before answering.

Pure (no sockets, no aiohttp): simulator.py feeds it what arrived and sends back its ``Answer``.
Each rule cites spapi-authorization.md (§ and source tag); [uncertain] where the sources do not
settle it, and then the response text says so too. Time is the injected clock plus ``advance()``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.simulator.client_secrets import EXPIRED, Rotation, SecretBook
from oauth_wizard.simulator.registry import Registry, SimApp

CODE_LIFETIME = 300.0  # §1.2 step 6 "within 5 minutes" [official-2021; issue docs#268]
ACCESS_TOKEN_LIFETIME = 3600  # §3 Response: expires_in 3600 [official-2021]
RATE, BURST = 0.016, 15  # §8 usage plan of getMarketplaceParticipations [model sellers.json]
LWA_PARAMS = ("grant_type", "code", "refresh_token", "client_id", "client_secret", "scope",
              "redirect_uri")
# §3 Grant types and their required parameters [official-2021; official grantless-operations]
REQUIRED = {"authorization_code": ("code",), "refresh_token": ("refresh_token",),
            "client_credentials": ("scope",)}
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"
GRANTLESS_SCOPES = (NOTIFICATIONS_SCOPE, "sellingpartnerapi::client_credential:rotation")
REMOVED_SCOPE = "sellingpartnerapi::migration"  # §3/§6: its only API was removed 2024-03-27
UNSUPPORTED = "The authorization grant type is not supported by the authorization server"
DENIED = "Access to requested resource is denied."
MULTIPART_BODY = re.compile(r"--[^\r\n]{1,200}\r?\ncontent-disposition:\s*form-data", re.IGNORECASE)


@dataclass
class Grant:
    """One authorization: what a refresh token (and the code before it) stands for."""

    client_id: str
    selling_partner_id: str
    region: str
    kind: str
    self_auth: bool = False
    revoked: bool = False


@dataclass
class _Code:
    grant: Grant
    issued_at: float


@dataclass
class _Access:
    client_id: str
    expires_at: float
    grant: Grant | None  # None: a grantless (client_credentials) token
    scopes: tuple[str, ...] = ()  # a grantless token's scopes
    secret_expired: bool = False  # minted with a client secret past its expiry


@dataclass(frozen=True)
class Answer:
    """A JSON answer: HTTP status and body."""

    status: int
    body: dict


def default_token_factory(kind: str) -> str:
    """Random part of a code/token/state. Base64 with '+' and '/', because real tokens hold
    characters that must be form-encoded (§3 "Form-encode values" [official-2021])."""
    if kind == "mws_auth_token":
        return str(uuid.uuid4())
    if kind in ("code", "amazon_state"):
        return secrets.token_urlsafe(18)
    return base64.b64encode(secrets.token_bytes(96)).decode().rstrip("=")


def lwa_error(status: int, error: str, description: str) -> Answer:
    # §3: error body {"error", "error_description"} [model LWA clients; issues in the §3 table]
    return Answer(status, {"error": error, "error_description": description})


def spapi_error(status: int, code: str, message: str, details: str = "") -> Answer:
    # §5.2: {"errors":[{"code","message","details"}]} [official-2021]
    return Answer(status, {"errors": [{"code": code, "message": message, "details": details}]})


def parse_body(content_type: str, raw: bytes) -> dict[str, str] | None:
    """The token request's parameters, or None when the body does not match its Content-Type.

    Form (documented) and JSON (what Amazon's Java client sends) are both accepted (§3 Body
    format [official-2021; model LWAClient.java]). Repeated form keys: the first wins. JSON
    values that are not strings count as missing.
    """
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if content_type == "application/x-www-form-urlencoded":
        if text.lstrip().startswith(("{", "[")):
            return None  # JSON text labelled form-encoded
        if MULTIPART_BODY.match(text.lstrip()):
            # A multipart body labelled form-encoded: unsupported_grant_type, as for any body
            # that does not match its Content-Type (§3 [issue jlevers#578, docs#183]); the
            # form parser would otherwise find no grant_type and say invalid_request.
            return None
        return dict(reversed(parse_qsl(text, keep_blank_values=True)))
    if content_type == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return {k: v for k, v in data.items() if isinstance(v, str)}
    return None


class Tokens:
    """Every code, grant and token the simulator issued, and the rules for using them."""

    def __init__(self, registry: Registry, clock: Callable[[], float],
                 factory: Callable[[str], str]) -> None:
        self.registry = registry
        self._clock = clock
        self._offset = 0.0
        self.factory = factory
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, _Access] = {}
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}
        self.secrets = SecretBook()
        for app in registry.apps:
            self.secrets.add(app.client_id, app.client_secret, app.client_secret_expires_at)

    def now(self) -> float:
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def grant_for(self, refresh_token: str) -> Grant | None:
        return self._grants.get(refresh_token)

    def self_authorize(self, app_id: str, selling_partner_id: str, region: str) -> str:
        """A new self-authorization refresh token; earlier ones stay valid (§6 "Each click
        issues a new token and does not invalidate earlier ones" [official])."""
        app = self.registry.app(app_id)
        if app is None or self.registry.seller(selling_partner_id) is None or region not in REGIONS:
            raise ValueError("unknown app, seller or region for self-authorization")
        return self._new_refresh(Grant(app.client_id, selling_partner_id, region, app.kind, True))

    def revoke(self, refresh_token: str) -> bool:
        """The seller revokes the app (§6 Revocation [official]): the refresh grant then fails
        with invalid_grant, and access tokens minted from it are refused as 'revoked' (§5.2
        [community]; how fast Amazon does that is not documented [uncertain])."""
        grant = self._grants.get(refresh_token)
        if grant is None:
            return False
        grant.revoked = True
        return True

    def issue_code(self, grant: Grant) -> str:
        """A new spapi_oauth_code; expired ones are forgotten (they fail the same way)."""
        now = self.now()
        for old in [k for k, c in self._codes.items() if now >= c.issued_at + CODE_LIFETIME]:
            del self._codes[old]
        code = self.factory("code")
        self._codes[code] = _Code(grant, now)
        return code

    def _new_refresh(self, grant: Grant) -> str:
        token = "Atzr|" + self.factory("refresh_token")  # §3 Response "starts with Atzr|"
        self._grants[token] = grant
        return token

    def rotate_secret(self, client_id: str) -> Rotation:
        """A new client secret for the app (the Application Management API's rotation); the
        old one keeps working for 7 days (client_secrets.py)."""
        return self.secrets.rotate(client_id, self.now(), lambda: "amzn1.oa2-cs.v1."
                                   + secrets.token_hex(32))

    def _new_access(self, client_id: str, grant: Grant | None, expired: bool,
                    scopes: tuple[str, ...] = ()) -> dict:
        """An access token; ``expired``: minted with a client secret past its expiry."""
        token = "Atza|" + self.factory("access_token")  # §3 Response "starts with Atza|"
        self._access[token] = _Access(client_id, self.now() + ACCESS_TOKEN_LIFETIME, grant,
                                      scopes, expired)
        return {"access_token": token, "token_type": "bearer", "expires_in": ACCESS_TOKEN_LIFETIME}

    # -- POST /auth/o2/token -------------------------------------------------------------
    def token_endpoint(self, query_keys: Iterable[str], content_type: str, raw: bytes) -> Answer:
        if any(k in LWA_PARAMS for k in query_keys):
            # §3: parameters in the query string → HTTP 500 [uncertain; single report, docs#869]
            return lwa_error(500, "server_error", "Parameters were sent in the query string; "
                             "send them in the request body. (Simulator: modelled on a single "
                             "report, issue docs#869 [uncertain].)")
        params = parse_body(content_type, raw)
        if params is None:
            # §3: a body not matching its Content-Type → unsupported_grant_type [issue
            # jlevers#578, docs#183]; invalid_client is also reported for it (not modelled).
            return lwa_error(400, "unsupported_grant_type", UNSUPPORTED)
        grant_type = params.get("grant_type", "")
        if grant_type and grant_type not in REQUIRED:  # §3 [issue docs#183, models#867]
            return lwa_error(400, "unsupported_grant_type", UNSUPPORTED)
        # §3: a missing parameter → invalid_request [community]; the order in which Amazon
        # checks them is not documented.
        for name in ("grant_type", *REQUIRED.get(grant_type, ()), "client_id", "client_secret"):
            if not params.get(name):
                return lwa_error(400, "invalid_request",
                                 f"The request is missing a required parameter : {name}")
        app = self.registry.app_by_client_id(params["client_id"])
        state = app and self.secrets.check(app.client_id, params["client_secret"], self.now())
        if app is None or state is None:
            # §3: wrong client ID or secret, or one rotated out → 401 invalid_client [issue
            # jlevers#578, #602]; an expired one is answered by SP-API (client_secrets.py)
            return lwa_error(401, "invalid_client", "Client authentication failed")
        grant = {"authorization_code": self._code_grant, "refresh_token": self._refresh_grant,
                 "client_credentials": self._client_grant}[grant_type]
        return grant(app, params, state == EXPIRED)

    def _code_grant(self, app: SimApp, params: dict[str, str], expired: bool) -> Answer:
        code = self._codes.get(params["code"])
        if code is None or code.grant.client_id != app.client_id \
                or self.now() >= code.issued_at + CODE_LIFETIME:
            # §3/§9.4: expired (5 min), reused, issued to another client → invalid_grant [issue
            # docs#268, models#4112, docs#2527]. redirect_uri is not compared: whether Amazon
            # enforces it is [uncertain] (§3).
            return lwa_error(400, "invalid_grant",
                             "The request has an invalid grant parameter : code")
        del self._codes[params["code"]]  # single use [official-2021; issue docs#268]
        refresh = self._new_refresh(code.grant)
        # §3 Response: the code grant also returns the refresh token [official-2021]
        body = self._new_access(app.client_id, code.grant, expired)
        return Answer(200, {**body, "refresh_token": refresh})

    def _refresh_grant(self, app: SimApp, params: dict[str, str], expired: bool) -> Answer:
        grant = self._grants.get(params["refresh_token"])
        if grant is None or grant.revoked or grant.client_id != app.client_id:
            # §3: revoked, expired, another client's, mangled → invalid_grant [issue
            # models#2997, models#921]
            return lwa_error(400, "invalid_grant", "The request has an invalid grant parameter "
                             ": refresh_token. User may have revoked or didn't grant the "
                             "permission.")
        # Whether Amazon echoes refresh_token here is not stated in §3, so it is left out and
        # clients cannot come to rely on it (the token does not rotate [official-2021]).
        return Answer(200, self._new_access(app.client_id, grant, expired))

    def _client_grant(self, app: SimApp, params: dict[str, str], expired: bool) -> Answer:
        for scope in params["scope"].split():
            if scope == REMOVED_SCOPE:  # §3, §6: Authorization API removed 2024-03-27 [official]
                return lwa_error(400, "invalid_scope", f"{scope} is no longer available: the "
                                 "Authorization API that used it was removed on 2024-03-27. "
                                 "(Simulator wording; Amazon's is not documented.)")
            if scope not in GRANTLESS_SCOPES:  # §3 error table: invalid_scope [uncertain mapping]
                return lwa_error(400, "invalid_scope", f"Unknown scope {scope!r}; the grantless "
                                 f"scopes are {', '.join(GRANTLESS_SCOPES)}. (Simulator wording; "
                                 "the error mapping is uncertain.)")
        return Answer(200, self._new_access(app.client_id, None, expired,
                                            tuple(params["scope"].split())))

    # -- SP-API's side -------------------------------------------------------------------
    def authorize_call(self, token: str, region: str) -> Grant | Answer:
        """The grant behind an SP-API call's x-amz-access-token, or the 403/429 to answer."""
        if not token:  # §5.2 [official-2021]
            return spapi_error(403, "Unauthorized", DENIED,
                               "Access token is missing in the request header.")
        access = self._access.get(token)
        if access is not None and self.now() >= access.expires_at:  # §5.2 [community]
            return spapi_error(403, "Unauthorized", DENIED,
                               "The access token you provided has expired.")
        if access is not None and access.secret_expired:  # §5.2 [pipedream#16843, models#4489]
            return spapi_error(403, "Unauthorized", DENIED,
                               "The LWA secret token you provided has expired.")
        if access is None or (access.grant is not None and access.grant.revoked):
            # §5.2: garbled, revoked, or another app's token [community qiita, volcengine]
            return spapi_error(403, "Unauthorized", DENIED,
                               "The access token you provided is revoked, malformed or invalid.")
        grant = access.grant
        if grant is None or grant.region != region:
            # §5.2/§8: a grantless token, or a grant of another region → 403 Unauthorized with
            # empty details [model sellers.json; community; partially uncertain]. One report
            # says a cross-region call returned an empty list instead (docs#659) [uncertain].
            return spapi_error(403, "Unauthorized", DENIED, "")
        if not self._take(grant):  # §5.2 429 QuotaExceeded [model usage-plan text; community]
            return spapi_error(429, "QuotaExceeded",
                               "You exceeded your quota for the requested resource.")
        return grant

    def client_of(self, token: str) -> str:
        """The client ID an issued access token belongs to."""
        return self._access[token].client_id

    def authorize_grantless(self, token: str, scope: str) -> Answer | None:
        """None when ``token`` is a live grantless token with ``scope``, else the 403.

        updates-2026-12.md §6: grantless operations need a client_credentials token with the
        operation's scope; a seller's token (from a refresh token) is refused [official; issue
        docs#424, pipedream#19400]. Amazon's details text for it is not documented: empty, as
        for the other 403 Unauthorized answers [uncertain]."""
        access = self._access.get(token)
        if not token or access is None or self.now() >= access.expires_at \
                or access.secret_expired:
            checked = self.authorize_call(token, "")  # the same answers as a seller call
            assert isinstance(checked, Answer)  # no live token, so never a grant
            return checked
        if access.grant is not None or scope not in access.scopes:
            return spapi_error(403, "Unauthorized", DENIED, "")
        return None

    def _take(self, grant: Grant) -> bool:
        """Token bucket, rate 0.016/s, burst 15 (§8 [model sellers.json]), kept per app, seller
        and region. Keying by selling-partner/app pair follows SP-API's usage-plan docs, which
        the reference does not cover [uncertain]."""
        now = self.now()
        key = (grant.client_id, grant.selling_partner_id, grant.region)
        tokens, at = self._buckets.get(key, (float(BURST), now))
        tokens = min(float(BURST), tokens + max(0.0, now - at) * RATE)
        ok = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if ok else tokens, now)
        return ok
