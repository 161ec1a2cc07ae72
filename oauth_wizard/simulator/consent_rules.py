"""The consent rules of the local Amazon: which code a consent request is refused with, if any.

Pure functions over the registry and the request's query, so each rule can be read (and
tested) next to the source it cites; ``server.py`` turns a ``Refusal`` into Amazon's error page.
The rules run in the order Amazon's pages suggest (the app ID first, then publish state and
portal, then URIs, then the region's developer ID and marketplace); where the order or the code
is not documented, ``uncertain`` says so on the page itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from oauth_wizard.core.marketplaces import PortalMatch, lookup
from oauth_wizard.simulator.registry import Registry, SimApp, SimUser

# The wording Amazon shows at the authorization limit and for a Suppressed app
# (updates-2026-12.md §4 [issue docs#3613, pipedream#17992]).
LIMIT_PAGE = "This application has reached the OAuthorization usage limit."
MWS_PAGE_CODE = "SIM-MWS-AUTHORIZATION-PAGE"  # Amazon shows no code there; this is ours
OAUTH_LIMIT = 25  # seller OAuth authorizations of an app not listed on the Appstore (§4)


@dataclass(frozen=True)
class Refusal:
    """One error page: Amazon's code, the app ID shown, why, the source, and any doubt."""

    code: str
    app_id: str
    reason: str
    source: str
    uncertain: str = ""
    shown: tuple[str, str] | None = None  # (heading, message) of a page Amazon shows uncoded


@dataclass(frozen=True)
class Admitted:
    """A consent request that passed every rule: the app, its redirect URI, a beta flow?"""

    app: SimApp
    redirect_uri: str
    beta: bool


def as_seen(app: SimApp, beta: bool) -> SimApp:
    """The app as a flow sees it: a version=beta flow of a Published app with an edit not yet
    live uses the edit's URIs; a production flow keeps the published ones, so a changed Login
    URI does not reach sellers until the edit is published [issue docs#2539; updates-2026-12.md
    §4]."""
    edit = app.edit
    if not beta or edit is None:
        return app
    return replace(app, login_uri=edit.login_uri or app.login_uri,
                   redirect_uris=edit.redirect_uris or app.redirect_uris)


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
        return _keyless_app_id(registry, query, given) or _unknown_app(registry, given)
    beta = query.get("version") == "beta"  # only the documented spelling counts (§1.1)
    if not app.published and not beta:
        return _unpublished(app)
    app = as_seen(app, beta)
    # A Published app with version=beta authorizes its draft version (§1.1 [official-2021]),
    # so it is no error; the flow stays a beta flow.
    if app.kind != portal.kind:  # §1.1: vendor apps use Vendor Central [official-2021]
        return Refusal("SIM-WRONG-PORTAL", app.app_id, f"This is a {app.kind} app, but {host} "
                       f"is {portal.kind.title()} Central.",
                       "spapi-authorization.md §1.1 [official-2021]",
                       "Amazon's answer for a portal of the wrong kind is not documented; "
                       "SIM-WRONG-PORTAL is the simulator's code, not Amazon's.")
    if not app.oauth_enabled and not beta:
        # "Enable OAuth from Appstore" left unticked: a published app's production flow shows
        # the old MWS "Authorize a developer" form instead of the consent page, while the beta
        # flow works [issue docs#316, Amazon staff; docs#475, models#941]; seed-faq.md "Why am
        # I still seeing the MWS authorization page instead of SP-API consent page".
        return Refusal(MWS_PAGE_CODE, app.app_id, "Amazon shows the MWS authorization page "
                       "instead of the SP-API consent page.", "issue docs#316 (Amazon staff: tick "
                       "Enable OAuth from Appstore); seed-faq.md: Why am I still seeing the MWS "
                       "authorization page instead of SP-API consent page when I initiate OAuth "
                       "workflow?", "Amazon shows no error code on that page; the setting is "
                       "from 2021-era consoles, and a 2022 report says the checkbox is gone "
                       "(docs#1926).", ("Authorize a developer", "Enter the developer's name "
                                        "and Developer ID to give them access to your account "
                                        "through Amazon MWS."))
    if app.suppressed:
        # updates-2026-12.md §4: a Suppressed app shows the authorization-limit page [issue
        # docs#3613, pipedream#17992]. The page's code is not reported; the limit's code is
        # CONSENT_LIMIT_REACHED (spapi-authorization.md §5.1 table) [uncertain for this case].
        return Refusal("CONSENT_LIMIT_REACHED", app.app_id, f"{LIMIT_PAGE} (The app is "
                       "Suppressed in the Solution Provider Portal.)",
                       "updates-2026-12.md §4 [issue docs#3613, pipedream#17992]",
                       "Reports quote the page's wording, not a code, for a Suppressed app; "
                       "CONSENT_LIMIT_REACHED is the code of the limit it imitates.")
    missing = _uris_missing(app)
    if missing is not None:
        return missing
    checked = redirect_refusal(app, query.get("redirect_uri"))
    if isinstance(checked, Refusal):
        return checked
    if app.hybrid and not app.dev_id(portal.region):
        # §5.1/§7 MD9010: hybrid app without this region's MWS developer ID [official
        # WEB-AUTHERR; issue docs#2611 (2022-10, the newest), docs#2236]. Older reports show
        # MD9999 (docs#464, 2021-03) and MD5100 (docs#1601, 2021-11; models#1988).
        return Refusal("MD9010", app.app_id, "The application provided does not have an MWS "
                       f"developer ID for this region ({portal.region}).",
                       "spapi-authorization.md §5.1, §7 MD9010 [official WEB-AUTHERR; issue "
                       "docs#2611]", "Older reports show MD9999 (docs#464, 2021) and MD5100 "
                       "(docs#1601, 2021; models#1988) for the same cause.")
    unsupported = _marketplace_refusal(app, portal, host)
    return unsupported or Admitted(app, checked, beta)


def _unpublished(app: SimApp) -> Refusal:
    """A production flow (no version=beta) for an app that is not Published."""
    if app.app_state == "submitted":
        # spapi-authorization.md §1 "Submitted is not Published", §5.1 MD9000 ("This Developer
        # is not currently eligible for new authorizations") [issue docs#1880 (2022), models#2158,
        # #2183]; docs#545 (2021) saw MD1000 instead, so the doctor maps both to the cause.
        return Refusal("MD9000", app.app_id, "This Developer is not currently eligible for new "
                       "authorizations: the app is Submitted, not Published, and the consent "
                       "URL has no version=beta.", "spapi-authorization.md §1, §5.1 MD9000 "
                       "[issue docs#1880, models#2158, models#2183]",
                       "MD1000 is also reported for a Submitted app without version=beta "
                       "(docs#545, 2021).")
    # §1.1/§5.1 MD1000: production flow on a Draft app [official WEB-AUTHERR]
    return Refusal("MD1000", app.app_id, f"The app is {app.app_state}, not Published, and the "
                   "consent URL has no version=beta.",
                   "spapi-authorization.md §1.1, §5.1 MD1000 [official WEB-AUTHERR]")


def _uris_missing(app: SimApp) -> Refusal | None:
    if app.login_uri and app.redirect_uris:
        return None
    if app.redirect_uris:
        # A Redirect URI but no Login URI: MD5100 [issue docs#1926, Amazon staff: both URIs
        # must be given]; seed-faq.md "Why am I getting an MD5100 error code?" lists the URIs.
        return Refusal("MD5100", app.app_id, "The app has a Redirect URI but no OAuth Login "
                       "URI registered.", "issue docs#1926 (Amazon staff); seed-faq.md: Why am "
                       "I getting an MD5100 error code?; spapi-authorization.md §1.4",
                       "MD5100 is Amazon's generic consent failure code.")
    # §1.4/§5.1 MD9100: no Login URI and Redirect URI [WEB-AUTHERR via community copies,
    # uncertain]. Amazon staff named MD9000 for an app with no OAuth URIs (docs#342, 2021,
    # confirmed). A Login URI alone is not saved by the portal (docs#26), so it counts as none.
    return Refusal("MD9100", app.app_id, "The app has no Login URI or no Redirect URI "
                   "registered.", "spapi-authorization.md §1.4, §5.1 MD9100 [official "
                   "WEB-AUTHERR via community copies]; issue docs#26",
                   "Sources disagree: Amazon staff named MD9000 for an app without OAuth URIs "
                   "(docs#342); MD9100 is the documented code. Both point to the same fix.")


def user_refusal(app: SimApp, user: SimUser) -> Refusal | None:
    """A secondary user without the "Manage Authorized Partners" permission sees Amazon's
    "Invalid Access" page [issue docs#2191; models#4642 (2025), Amazon staff: the permission
    lets a secondary user authorize]; seed-faq.md names the case SPDC8143."""
    if user.may_authorize:
        return None
    return Refusal("SPDC8143", app.app_id, f"{user.label()} is not the primary user and does "
                   "not hold the Manage Authorized Partners permission.",
                   "issue docs#2191, models#4642 (Amazon staff); seed-faq.md: Why am I "
                   "getting a SPDC8143 error code?",
                   "Reports show this page without a code; SPDC8143 is the FAQ's name for it. "
                   "For an app listed on the Appstore, Amazon also names the Selling Partner "
                   "Appstore permission (models#4642).",
                   ("Invalid Access", "You do not have permissions to view this page."))


def limit_refusal(app: SimApp, authorized: set[str], selling_partner_id: str) -> Refusal | None:
    """The authorization limit (updates-2026-12.md §4 [official application-authorization-
    limits]): an app that is not listed on the Appstore may hold ``OAUTH_LIMIT`` seller OAuth
    authorizations; vendor apps have no limit. Re-authorizing a seller it holds does not count."""
    if app.listed or app.kind == "vendor" or selling_partner_id in authorized \
            or len(authorized) < OAUTH_LIMIT:
        return None
    return Refusal("CONSENT_LIMIT_REACHED", app.app_id, f"{LIMIT_PAGE} (The app is not listed "
                   f"on the Appstore and holds {len(authorized)} seller authorizations.)",
                   "updates-2026-12.md §4 [official application-authorization-limits; issue "
                   "docs#3613]; spapi-authorization.md §5.1 CONSENT_LIMIT_REACHED")


def _keyless_app_id(registry: Registry, query: Mapping[str, str], given: str) -> Refusal | None:
    """The app ID is in the URL but not as ``application_id=`` (``consent?amzn1.sp.solution…``
    or under another key): MD4010 [issue docs#713, confirmed by Amazon staff]."""
    if given:
        return None
    found = next((a for key, value in query.items() for a in (registry.app(key),
                                                              registry.app(value)) if a), None)
    if found is None:
        return None
    return Refusal("MD4010", found.app_id, "The consent URL carries the app ID, but not as "
                   "application_id=<app ID>.", "issue docs#713 (Amazon staff: the missing "
                   "application_id keyword)", "A 2022 report of a URL of the same shape "
                   "shows MD1000 instead (docs#2687).")


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
