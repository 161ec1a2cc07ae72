"""The consent rules of the local Amazon: which code a consent request is refused with, if any.

Pure functions over the registry and the request's query, so each rule can be read (and
tested) next to the source it cites; ``server.py`` turns a ``Refusal`` into Amazon's error page.
The rules run in the order Amazon's pages suggest (the app ID first, then publish state and
portal, then URIs, then the region's developer ID and marketplace); where the order or the code
is not documented, ``uncertain`` says so on the page itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oauth_wizard.core.marketplaces import PortalMatch, lookup
from oauth_wizard.simulator.registry import Registry, SimApp

# The wording Amazon shows at the authorization limit and for a Suppressed app
# (updates-2026-12.md §4 [issue docs#3613, pipedream#17992]).
LIMIT_PAGE = "This application has reached the OAuthorization usage limit."


@dataclass(frozen=True)
class Refusal:
    """One error page: Amazon's code, the app ID shown, why, the source, and any doubt."""

    code: str
    app_id: str
    reason: str
    source: str
    uncertain: str = ""


@dataclass(frozen=True)
class Admitted:
    """A consent request that passed every rule: the app, its redirect URI, a beta flow?"""

    app: SimApp
    redirect_uri: str
    beta: bool


def redirect_refusal(app: SimApp, given: str | None) -> Refusal | str:
    """The Redirect URI the flow will use, or the refusal for it."""
    uri = given if given is not None else app.redirect_uris[0]
    # §1.1: without redirect_uri Amazon uses the first registered one [official-2021]
    if "#" in uri:  # §4 / §5.1 MD5110: fragment in the Redirect URI [official WEB-AUTHERR]
        return Refusal("MD5110", app.app_id, f"The Redirect URI {uri} contains a fragment "
                       "('#'); OAuth redirect URIs may not have one.",
                       "spapi-authorization.md §4, §5.1 MD5110 [official WEB-AUTHERR]")
    if uri not in app.redirect_uris:  # §4 / §5.1 MD5101, exact string match [official-2021;
        # official WEB-AUTHERR]; exactness (trailing slash) is inferred [uncertain]
        registered = ", ".join(app.redirect_uris)
        return Refusal("MD5101", app.app_id, f"redirect_uri {uri} is not one of the app's "
                       f"registered Redirect URIs ({registered}).",
                       "spapi-authorization.md §4, §5.1 MD5101 [official WEB-AUTHERR]",
                       "Matching is modelled as exact string equality (trailing slash "
                       "included); Amazon's exactness is inferred, not documented.")
    return uri


def consent_refusal(registry: Registry, portal: PortalMatch, host: str,
                    query: Mapping[str, str]) -> Refusal | Admitted:
    """Check one consent request (``/apps/authorize/consent``) against the registry."""
    given = query.get("application_id", "")
    app = registry.app(given)
    if app is None:
        return _unknown_app(registry, given)
    beta = query.get("version") == "beta"  # only the documented spelling counts (§1.1)
    if not app.published and not beta:
        # §1.1/§5.1 MD1000: production flow (no version=beta) on an unpublished app
        # [official WEB-AUTHERR]. Submitted apps: MD9000 is also reported [issue
        # models#2158, #2183] and the sources disagree [uncertain]; the issue fixes MD1000.
        doubt = ("For a Submitted app Amazon has also been reported to answer MD9000 "
                 "(models#2158, #2183).") if app.app_state == "submitted" else ""
        return Refusal("MD1000", app.app_id, f"The app is {app.app_state}, not Published, and "
                       "the consent URL has no version=beta.",
                       "spapi-authorization.md §1.1, §5.1 MD1000 [official WEB-AUTHERR]", doubt)
    # A Published app with version=beta authorizes its draft version (§1.1 [official-2021]),
    # so it is no error; the flow stays a beta flow.
    if app.kind != portal.kind:  # §1.1: vendor apps use Vendor Central [official-2021]
        return Refusal("SIM-WRONG-PORTAL", app.app_id, f"This is a {app.kind} app, but {host} "
                       f"is {portal.kind.title()} Central.",
                       "spapi-authorization.md §1.1 [official-2021]",
                       "Amazon's answer for a portal of the wrong kind is not documented; "
                       "SIM-WRONG-PORTAL is the simulator's code, not Amazon's.")
    if app.suppressed:
        # updates-2026-12.md §4: a Suppressed app shows the authorization-limit page [issue
        # docs#3613, pipedream#17992]. The page's code is not reported; the limit's code is
        # CONSENT_LIMIT_REACHED (spapi-authorization.md §5.1 table) [uncertain for this case].
        return Refusal("CONSENT_LIMIT_REACHED", app.app_id, f"{LIMIT_PAGE} (The app is "
                       "Suppressed in the Solution Provider Portal.)",
                       "updates-2026-12.md §4 [issue docs#3613, pipedream#17992]",
                       "Reports quote the page's wording, not a code, for a Suppressed app; "
                       "CONSENT_LIMIT_REACHED is the code of the limit it imitates.")
    if not app.login_uri or not app.redirect_uris:
        # §1.4/§5.1 MD9100: no Login URI and Redirect URI [WEB-AUTHERR via community copies,
        # uncertain wording]; raised when either is missing, since the flow needs both.
        return Refusal("MD9100", app.app_id, "The app has no Login URI or no Redirect URI "
                       "registered.", "spapi-authorization.md §1.4, §5.1 MD9100 [official "
                       "WEB-AUTHERR via community copies]",
                       "The documented wording is uncertain; whether Amazon answers MD9100 when "
                       "only one of the two is missing is not documented.")
    checked = redirect_refusal(app, query.get("redirect_uri"))
    if isinstance(checked, Refusal):
        return checked
    if app.hybrid and not app.dev_id(portal.region):
        # §5.1/§7 MD9010: hybrid app without this region's MWS developer ID [official
        # WEB-AUTHERR; issue docs#2611, docs#2236]; MD5100 also reported [models#1988].
        return Refusal("MD9010", app.app_id, "The application provided does not have an MWS "
                       f"developer ID for this region ({portal.region}).",
                       "spapi-authorization.md §5.1, §7 MD9010 [official WEB-AUTHERR]",
                       "Some reports show MD5100 for the same cause (models#1988).")
    unsupported = _marketplace_refusal(app, portal, host)
    return unsupported or Admitted(app, checked, beta)


def _unknown_app(registry: Registry, given: str) -> Refusal:
    other = registry.app_by_client_id(given)
    if not given:  # §5.1 MD1000: application_id left out [issue docs#265]
        why, src, doubt = "The consent URL has no application_id.", "issue docs#265", ""
    elif other:  # §1.1/§5.1 MD1000: the LWA client ID in application_id [models#2744]
        why = f"application_id holds the LWA client ID of {other.name}, not its app ID."
        src, doubt = "issue models#2744, docs#265", ""
    else:
        why, src = f"No app with the ID {given!r} is registered.", "issue docs#265"
        doubt = ("Amazon's answer to an app ID it does not know is not documented separately; "
                 "MD1000 is modelled because it is the code for a bad application_id.")
    return Refusal("MD1000", given, why, f"spapi-authorization.md §1.1, §5.1 MD1000 [{src}]",
                   doubt)


def _marketplace_refusal(app: SimApp, portal: PortalMatch, host: str) -> Refusal | None:
    # A host serving one marketplace is checked against it; a shared host
    # (sellercentral-europe.amazon.com) by region, as the grant is regional (§1.1).
    if len(portal.marketplaces) == 1:
        supported = portal.marketplaces[0] in app.marketplaces
    else:
        supported = any(lookup(c).region == portal.region for c in app.marketplaces)
    if supported:
        return None
    # MD5100 for a portal whose marketplace the app does not support: issue 3 §1 and
    # diagnosis.md cause marketplace_not_in_app (MD5100, MD9000); §5.1 itself lists
    # MD5100 only as a generic failure [issue models#1988, docs#2021] [uncertain].
    return Refusal("MD5100", app.app_id, f"The app does not support the marketplace(s) of "
                   f"{host} ({', '.join(portal.marketplaces)}); it supports "
                   f"{', '.join(app.marketplaces)}.",
                   "spapi-authorization.md §5.1 MD5100 [issue models#1988, docs#2021]; "
                   "diagnosis.md marketplace_not_in_app",
                   "§5.1 documents MD5100 as a generic failure; an unsupported marketplace is "
                   "a plausible cause, not a documented one.")
