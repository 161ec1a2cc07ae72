"""The two legs of SP-API's website authorization, parsed and checked without any I/O.

The catcher and paste-back both call these functions with the raw query string, so a URL pasted
from the address bar gets exactly the checks a request to the listener gets
(spapi-authorization.md §1.2–§1.4, §4, §9).

Login leg: Amazon sends ``amazon_callback_uri``, ``amazon_state``, ``selling_partner_id``
(+ ``version=beta``); we answer with ``amazon_callback_uri`` + ``amazon_state`` (unchanged) + our
``state`` (+ ``redirect_uri``, + ``version=beta`` exactly when it came in). The callback is followed
only to a known Amazon portal (or the configured simulator): anything else is an open redirect.

Redirect leg: ``state`` (constant-time, single use), ``spapi_oauth_code``, ``selling_partner_id``
(+ ``mws_auth_token``), or ``error``/``error_description``. The code never appears in a message
or repr.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit

from oauth_wizard.consent.url import state_matches
from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.marketplaces import PortalMatch, identify_portal_host
from oauth_wizard.core.masking import mask_code
from oauth_wizard.core.records import PendingState
from oauth_wizard.core.validation import clean_paste, inner_damage

CONFIRM_PATH = "/apps/authorize/confirm/"
LOGIN_PARAMS = ("amazon_callback_uri", "amazon_state", "selling_partner_id")
OUR_LOGIN_PARAMS = {"amazon_state", "state", "redirect_uri", "version"}
Leg = Literal["login", "redirect"]
_VALUE_RE = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: ids, states, codes


class LegError(WizardError, ValueError):
    """A leg that cannot be used; ``str()`` says what was wrong and ``fix`` what to do.

    ``kind`` is a stable machine id, ``cause`` a doctor cause id (diagnosis.md) when one fits.
    """

    kind = "leg_error"

    def __init__(self, message: str, fix: str = "", *, cause: str | None = None,
                 leg: Leg | None = None) -> None:
        super().__init__(message, fix, cause=cause)
        self.leg = leg


class MalformedQuery(LegError):
    kind = "malformed_query"


class MissingParameter(LegError):
    kind = "missing_parameter"


class CallbackRefused(LegError):
    """``amazon_callback_uri`` is not an Amazon portal: following it would be an open redirect."""

    kind = "callback_refused"


class StateMismatch(LegError):
    kind = "state_mismatch"


class StateMissing(LegError):
    kind = "state_missing"


class StateAlreadyUsed(LegError):
    """The state already delivered a code (a page reload, a replayed URL)."""

    kind = "state_reused"


class StateExpired(LegError):
    kind = "state_expired"


class AmazonRefused(LegError):
    """Amazon sent ``error`` (and maybe ``error_description``) instead of a code."""

    kind = "amazon_error"

    def __init__(self, error: str, description: str | None) -> None:
        detail = f" ({description})" if description else ""
        cause = "consent_denied" if error == "access_denied" else None
        fix = ("Start the authorization again and choose Confirm/Approve on Amazon's page."
               if cause else "Run `oauth-wizard diagnose` with this error text for likely causes.")
        super().__init__(f"Amazon answered with error '{error}'{detail} instead of a code.", fix,
                         cause=cause, leg="redirect")
        self.error = error
        self.description = description


class NotALegUrl(LegError):
    """A pasted text that is neither leg's URL."""

    kind = "not_a_leg_url"


@dataclass(frozen=True)
class LoginLeg:
    """A checked Login leg and the URL that sends the browser back to Amazon."""

    amazon_callback_uri: str
    selling_partner_id: str
    beta: bool
    portal: PortalMatch | None  # kind and region of the Amazon portal, when recognised
    simulated: bool
    next_url: str

    def __repr__(self) -> str:
        return (f"LoginLeg(callback_host={urlsplit(self.amazon_callback_uri).hostname!r}, "
                f"selling_partner_id={self.selling_partner_id!r}, beta={self.beta!r}, "
                f"simulated={self.simulated!r})")


@dataclass(frozen=True)
class RedirectLeg:
    """A checked Redirect leg: the code to exchange at once (5 minutes, single use)."""

    code: str
    selling_partner_id: str
    mws_auth_token: str | None = None

    def __repr__(self) -> str:
        token = mask_code(self.mws_auth_token) if self.mws_auth_token else None
        return (f"RedirectLeg(code={mask_code(self.code)!r}, "
                f"selling_partner_id={self.selling_partner_id!r}, mws_auth_token={token!r})")

    __str__ = __repr__


def parse_query(query: str, leg: Leg | None = None) -> dict[str, str]:
    """Decode a raw query string; a repeated parameter is refused (which copy would be real?)."""
    query = query.lstrip("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise MalformedQuery(f"The parameter '{name}' appears more than once in the URL.",
                                 "Copy the address again exactly as the browser shows it.",
                                 leg=leg)
        params[name] = value
    return params


def classify(params: dict[str, str]) -> Leg | None:
    """Which leg a query belongs to, by its parameters (both URIs may be the same address)."""
    if "amazon_callback_uri" in params:
        return "login"
    if "spapi_oauth_code" in params or "error" in params:
        return "redirect"
    return None


def _value(params: dict[str, str], name: str, leg: Leg,
           why: str, cause: str | None = None) -> str:
    value = params.get(name, "")
    if not value:
        raise MissingParameter(f"The {leg.capitalize()} leg has no '{name}' parameter.", why,
                               cause=cause, leg=leg)
    if not _VALUE_RE.fullmatch(value) or len(value) > 4096:
        raise MalformedQuery(f"The '{name}' parameter of the {leg.capitalize()} leg contains "
                             "spaces or characters Amazon never sends.",
                             "Copy the address again in one piece.", leg=leg)
    return value


def _check_expiry(pending: PendingState, now: float | None,
                  leg: Leg) -> None:
    if pending.expired(now):
        raise StateExpired("This authorization attempt has expired.",
                           "Start a new one: `oauth-wizard authorize NAME`.",
                           cause="state_expired", leg=leg)


def _split_base(base: str) -> tuple[str, str, str]:
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    return parts.scheme.lower(), (parts.netloc or "").lower(), path


def check_callback_uri(uri: str, simulator_portal_base: str | None = None
                       ) -> tuple[PortalMatch | None, bool]:
    """Refuse an ``amazon_callback_uri`` we must not send a browser to; return (portal, simulated).

    Accepted: https on a known Seller/Vendor Central host with a /apps/authorize/confirm/ path,
    or a URL under the configured simulator base (same origin, path prefix on a "/" boundary).
    """
    def refuse(why: str) -> CallbackRefused:
        return CallbackRefused(
            f"The Login leg asks to continue at {uri[:200]!r}, which {why}; the wizard only "
            "sends the browser back to Amazon's Seller/Vendor Central (open-redirect guard).",
            "Start the authorization from the consent URL the wizard gave you; if you use a local "
            "simulator, point the wizard at it with OAUTH_WIZARD_PORTAL_URL.",
            cause="callback_uri_refused", leg="login")

    if any(c.isspace() or not c.isprintable() or c == "\\" for c in uri):
        raise refuse("contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise refuse("is not a valid URL") from None
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if "@" in netloc:
        raise refuse("carries a user name before the host")
    if parts.fragment or "#" in uri:
        raise refuse("has a fragment")
    if simulator_portal_base:
        base_scheme, base_netloc, base_path = _split_base(simulator_portal_base)
        if (scheme, netloc) == (base_scheme, base_netloc) and (
                parts.path == base_path or parts.path.startswith(base_path + "/")):
            rest = parts.path[len(base_path):].lstrip("/").split("/", 1)[0]
            return identify_portal_host(rest) if rest else None, True
    if scheme != "https":
        raise refuse(f"uses {scheme or 'no scheme'} instead of https")
    host = parts.hostname or ""
    portal = identify_portal_host(host) if host and not host.endswith(".") else None
    if portal is None:
        raise refuse(f"is on {host or 'no host'}, not a known Amazon Seller/Vendor Central host")
    if port not in (None, 443):
        raise refuse(f"uses port {port}")
    if not parts.path.startswith(CONFIRM_PATH) or len(parts.path) <= len(CONFIRM_PATH):
        raise refuse(f"has the path {parts.path or '/'} instead of {CONFIRM_PATH}<app id>")
    return portal, False


def _next_url(callback: str, ours: list[tuple[str, str]]) -> str:
    """``callback`` with our parameters appended; its own query kept in order and spelling."""
    base, _, query = callback.partition("?")
    kept = [p for p in query.split("&") if p and
            next(iter(parse_qsl(p, keep_blank_values=True)), ("", ""))[0] not in OUR_LOGIN_PARAMS]
    kept.append(urlencode(ours, quote_via=quote, safe=""))
    return base + "?" + "&".join(kept)


def check_login_leg(query: str, pending: PendingState, *,
                    simulator_portal_base: str | None = None, consent_base: str | None = None,
                    now: float | None = None) -> LoginLeg:
    """Check a Login leg's raw query and compute where to send the browser next.

    ``consent_base`` is the portal the consent URL was opened on: an ``amazon_callback_uri``
    that comes back relative (``/apps/authorize/confirm/…``, seen in
    selling-partner-api-models#1838) is resolved against it, then checked like any other.
    """
    params = parse_query(query, "login")
    handling = ("Amazon sends it when the Login URI is reached through the consent page; "
                "start from the wizard's consent URL.")
    callback = _value(params, "amazon_callback_uri", "login", handling,
                      cause="login_uri_not_handled")
    if consent_base and callback.startswith("/") and not callback.startswith("//"):
        callback = consent_base.rstrip("/") + callback
    portal, simulated = check_callback_uri(callback, simulator_portal_base)
    amazon_state = _value(params, "amazon_state", "login", handling, cause="login_uri_not_handled")
    partner = _value(params, "selling_partner_id", "login", handling,
                     cause="login_uri_not_handled")
    version = params.get("version")
    if version is not None and version != "beta":
        raise MalformedQuery(f"The Login leg carries version={version[:20]!r}; Amazon only sends "
                             "version=beta.", "Start again from the wizard's consent URL.",
                             leg="login")
    _check_expiry(pending, now, "login")
    ours = [("amazon_state", amazon_state), ("state", pending.state)]
    if pending.redirect_uri:
        ours.append(("redirect_uri", pending.redirect_uri))
    if version == "beta":
        ours.append(("version", "beta"))
    return LoginLeg(callback, partner, version == "beta", portal, simulated,
                    _next_url(callback, ours))


def check_redirect_leg(query: str, pending: PendingState, *, now: float | None = None
                       ) -> RedirectLeg:
    """Check a Redirect leg's raw query; on success the pending state is spent."""
    params = parse_query(query, "redirect")
    received = params.get("state")
    if received is not None and received != "" and not state_matches(pending.state, received):
        raise StateMismatch(
            "The 'state' in the Redirect leg is not the one this authorization attempt sent, so "
            "the redirect may be forged or belong to an older attempt; it was not used.",
            "Start again from the consent URL of this run and finish in the same browser tab.",
            cause="state_mismatch", leg="redirect")
    if "error" in params:
        raise AmazonRefused(params["error"][:200] or "(empty)",
                            params.get("error_description", "")[:500] or None)
    if not received:
        said = "an empty 'state' parameter" if received == "" else "no 'state' parameter"
        raise StateMissing(
            f"The Redirect leg has {said}, so it cannot be tied to this attempt.",
            "The Login URI page must send the browser back to amazon_callback_uri with "
            "amazon_state and state; start again from the wizard's consent URL.",
            cause="login_uri_not_handled", leg="redirect")
    if pending.used:
        raise StateAlreadyUsed(
            "This authorization code was already handed to the wizard; a code works only once, "
            "so a reload or a second paste cannot be used again.",
            "Nothing to do here: the wizard is exchanging (or has exchanged) the first one; "
            "check the terminal.", leg="redirect")
    _check_expiry(pending, now, "redirect")
    why = "Amazon always sends it with the code; copy the whole address again."
    code = _value(params, "spapi_oauth_code", "redirect", why)
    partner = _value(params, "selling_partner_id", "redirect", why)
    token = params.get("mws_auth_token") or None
    if token is not None and not _VALUE_RE.fullmatch(token):
        raise MalformedQuery("The 'mws_auth_token' parameter contains spaces or control "
                             "characters.", "Copy the address again in one piece.", leg="redirect")
    pending.used = True
    return RedirectLeg(code, partner, token)


@dataclass(frozen=True)
class PastedUrl:
    """A pasted address split into its leg and raw query."""

    leg: Leg
    address: str  # scheme://host/path, without the query
    query: str


def _describe_unknown(parts: SplitResult, params: dict[str, str]) -> NotALegUrl:
    host = (parts.hostname or "").lower()
    path = parts.path
    if path.rstrip("/").endswith("/apps/authorize/consent") or "application_id" in params:
        what = "the consent URL itself"
        fix = ("Open it in a browser, approve, and paste the address of the page you land on "
               "afterwards (it contains amazon_callback_uri or spapi_oauth_code).")
    elif CONFIRM_PATH in path or ("amazon_state" in params and "state" in params):
        what = "the address that sends the browser back to Amazon (the step after the Login leg)"
        fix = ("Open it in the browser; paste the address you land on after that "
               "(it contains spapi_oauth_code).")
    elif host.endswith("amazon.com") and "/ap/" in path:
        what = "Amazon's sign-in page"
        fix = "Sign in there and continue; paste the address you land on afterwards."
    elif "state" in params and "selling_partner_id" in params:
        what = "a Redirect-leg address without its spapi_oauth_code (probably cut off)"
        fix = "Copy the whole address from the browser's address bar again."
    else:
        what = "an address with neither leg's parameters"
        fix = ("Paste the address-bar URL of the page Amazon sends you to: it contains "
               "amazon_callback_uri (Login leg) or spapi_oauth_code (Redirect leg).")
    shown = f"{parts.scheme}://{parts.netloc}{path}"  # never the query: it may hold a code
    return NotALegUrl(f"The pasted text ({shown}) is {what}.", fix)


def classify_pasted(text: str) -> PastedUrl:
    """Tell a pasted address-bar URL's leg, or explain what was pasted instead."""
    url, _ = clean_paste(text, "url", "pasted URL")
    if not url:
        raise NotALegUrl("Nothing was pasted.",
                         "Paste the full address from the browser's address bar.")
    damage = inner_damage(url, "url", "pasted URL", secret=True)
    if damage:
        raise MalformedQuery(damage.message, damage.fix)
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise NotALegUrl("The pasted text is not a full URL (it should start with https://).",
                         "Paste the full address from the browser's address bar.")
    params = parse_query(parts.query)
    leg = classify(params)
    if leg is None:
        raise _describe_unknown(parts, params)
    return PastedUrl(leg, f"{parts.scheme}://{parts.netloc}{parts.path}", parts.query)


def check_pasted(text: str, pending: PendingState, *, simulator_portal_base: str | None = None,
                 consent_base: str | None = None, now: float | None = None
                 ) -> LoginLeg | RedirectLeg:
    """A pasted Login-leg URL gives the URL to open next; a Redirect-leg URL gives the code."""
    pasted = classify_pasted(text)
    if pasted.leg == "login":
        return check_login_leg(pasted.query, pending, simulator_portal_base=simulator_portal_base,
                               consent_base=consent_base, now=now)
    return check_redirect_leg(pasted.query, pending, now=now)
