"""Consent URLs: build the exactly right one, generate and check ``state``, and lint any URL.

Rules come from spapi-authorization.md §1–§4: the portal host decides the region,
``application_id`` is the app ID (not the client ID), ``redirect_uri`` must equal a registered
URI, no fragments, and ``version=beta`` exactly while the app is not Published.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from oauth_wizard.consent.lint import Finding, LintResult, lint_consent_url
from oauth_wizard.consent.state import new_state, state_matches, state_weakness
from oauth_wizard.core import marketplaces
from oauth_wizard.core.profile import AppProfile, beta_required
from oauth_wizard.core.records import ConsentUrl, Param
from oauth_wizard.core.validation import check_app_id

_QUOTES = "\"'`\u2018\u2019\u201c\u201d"  # the linter flags these inside values, so never emit them


class ConsentError(ValueError):
    """The inputs cannot make a correct consent URL; the message says why and what to do."""


def _encode(params: list[tuple[str, str]]) -> str:
    return urlencode(params, quote_via=quote, safe="")


def build_consent_url(
    profile: AppProfile,
    marketplace: str,
    state: str,
    redirect_uri: str | None = None,
    *,
    portal_base: str | None = None,
) -> ConsentUrl:
    """The consent URL for ``profile`` in the seller's ``marketplace``, each parameter explained.

    ``portal_base`` replaces the portal's base URL (a simulator, see ``endpoints``); the host
    named in ``host`` and the notes stays the real one.
    """
    market = marketplaces.lookup(marketplace)
    app = check_app_id(profile.app_id)
    if not app.ok:
        first = next(p for p in app.problems if p.blocking)
        raise ConsentError(f"{first.message} {first.fix}")
    if not state or any(c.isspace() or not c.isprintable() or c in _QUOTES for c in state):
        raise ConsentError("state must be a non-empty value without spaces, quotes or control "
                           "characters; leave it out to have a random one generated.")
    if redirect_uri is not None:
        if "#" in redirect_uri:
            raise ConsentError("The redirect URI contains a fragment ('#…'); Amazon refuses it "
                               "(MD5110). Remove the fragment.")
        if redirect_uri not in profile.redirect_uris:
            registered = ", ".join(profile.redirect_uris) or "none"
            raise ConsentError(f"{redirect_uri} is not one of the app's registered Redirect URIs "
                               f"({registered}); Amazon would answer MD5101. Register it first or "
                               "pick a registered one.")
    portal = market.portal(profile.kind)
    beta = beta_required(profile.app_state)
    portal_name = "Seller Central" if profile.kind == "seller" else "Vendor Central"
    params = [Param("application_id", app.value,
                    "The app ID from Develop Apps (not the LWA client ID, which gives MD1000).")]
    params.append(Param("state", state,
                        "A one-time random value Amazon echoes back; the wizard checks it to "
                        "reject forged or replayed redirects."))
    if redirect_uri is not None:
        params.append(Param("redirect_uri", redirect_uri,
                            "Chooses this registered Redirect URI; it must match one exactly."))
    if beta:
        params.append(Param("version", "beta",
                            f"The app is {profile.app_state}, not Published: only version=beta "
                            "authorizes the draft version (without it: MD1000/MD9000)."))
    notes = [
        f"The host {portal.host} is {portal_name} for {market.label()}; it decides the region "
        f"({market.region}), and the grant covers every {market.region} marketplace.",
    ]
    if redirect_uri is None and profile.redirect_uris:
        notes.append(f"No redirect_uri: Amazon uses the first registered one, "
                     f"{profile.redirect_uris[0]}.")
    if profile.edits_pending:
        notes.append("Edits to this published app are pending: until Amazon approves them, the "
                     "old URIs, developer IDs and roles still apply.")
    if portal.confidence == "uncertain":
        notes.append(f"Uncertain host: {portal.note}")
    elif portal.confidence != "official":
        notes.append(f"Unconfirmed host (secondary sources only): {portal.note}")
    if profile.marketplaces and market.code not in profile.marketplaces:
        notes.append(f"{market.code} is not among the app's supported marketplaces "
                     f"({', '.join(profile.marketplaces)}); Amazon may answer MD5100.")
    query = _encode([(p.name, p.value) for p in params])
    url = f"{portal_base or portal.url}{marketplaces.consent_path()}?{query}"
    return ConsentUrl(url, portal.host, market.region, market.code, profile.kind, beta, state,
                      redirect_uri, tuple(params), tuple(notes))


def parse_consent_params(url: str) -> dict[str, str]:
    """The query parameters of a well-formed consent URL (last value wins)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))

__all__ = [
    "ConsentError",
    "ConsentUrl",
    "Finding",
    "LintResult",
    "Param",
    "build_consent_url",
    "lint_consent_url",
    "new_state",
    "state_weakness",
    "parse_consent_params",
    "state_matches",
]
