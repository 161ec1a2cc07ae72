"""The description of an SP-API app that everything else works from.

``AppProfile`` is frozen: the UI and the CLI build a new one from what the user typed through
``build_profile``, which runs every field check and returns the problems next to the profile,
so both front ends word errors identically.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from oauth_wizard.core import marketplaces
from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import (
    Problem,
    check_app_id,
    check_client_id,
    check_dev_id,
    check_profile_name,
)

AppState = Literal["draft", "submitted", "published"]
APP_STATES: tuple[AppState, ...] = ("draft", "submitted", "published")
KINDS = ("seller", "vendor")

STATE_EXPLANATIONS = {
    "draft": "Draft: not submitted for review. Consent URLs need version=beta; without it Amazon "
    "answers MD1000.",
    "submitted": "Submitted: under review but not Published. Still needs version=beta; without it "
    "Amazon answers MD1000 or MD9000.",
    "published": "Published: listed and live. Consent URLs must not carry version=beta, or the "
    "draft version gets authorized (or the flow fails).",
    "published_pending": "Published with edits pending: the consent URL is the published one (no "
    "version=beta), but Amazon still answers with the old configuration (URIs, developer IDs, "
    "roles) until the edits are approved, which can take about 10 days.",
}


def beta_required(app_state: str) -> bool:
    """``version=beta`` goes on the consent URL exactly while the app is not Published."""
    return app_state.strip().lower() != "published"


@dataclass(frozen=True)
class AppProfile:
    """A described SP-API app. Holds no secrets: the client secret lives in the keyring."""

    name: str
    app_id: str
    client_id: str
    app_state: AppState
    kind: Literal["seller", "vendor"] = "seller"
    edits_pending: bool = False
    hybrid: bool = False
    dev_ids: tuple[tuple[str, str], ...] = ()
    marketplaces: tuple[str, ...] = ()
    login_uri: str = ""
    redirect_uris: tuple[str, ...] = ()

    @property
    def beta(self) -> bool:
        return beta_required(self.app_state)

    @property
    def dev_id_regions(self) -> tuple[str, ...]:
        return tuple(r for r, _ in self.dev_ids)

    def dev_id(self, region: str) -> str | None:
        return dict(self.dev_ids).get(region)

    def regions(self) -> tuple[str, ...]:
        """Regions of the app's supported marketplaces, in NA/EU/FE order."""
        found = {marketplaces.lookup(c).region for c in self.marketplaces}
        return tuple(r for r in marketplaces.REGIONS if r in found)

    def with_(self, **changes) -> AppProfile:
        return replace(self, **changes)


@dataclass(frozen=True)
class Built:
    """A profile built from raw input, with every problem found (errors block use)."""

    profile: AppProfile
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not any(p.blocking for p in self.problems)

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


def check_marketplaces(codes: list[str] | tuple[str, ...]) -> tuple[tuple[str, ...], list[Problem]]:
    """Normalise marketplace codes (GB→UK, ids→codes), reporting unknown ones."""
    found: list[str] = []
    problems: list[Problem] = []
    for code in codes:
        if not code.strip():
            continue
        try:
            m = marketplaces.lookup(code)
        except marketplaces.UnknownMarketplaceError as exc:
            message = str(exc)  # not .capitalize(): that lower-cases the codes it lists
            problems.append(Problem("marketplaces", "error",
                                    message[:1].upper() + message[1:] + ".",
                                    "Pick marketplaces from the list."))
            continue
        if m.code not in found:
            found.append(m.code)
    return tuple(found), problems


def check_hybrid(hybrid: bool, dev_ids: dict[str, str], regions: tuple[str, ...]) -> tuple[
    tuple[tuple[str, str], ...], list[Problem]
]:
    """Developer IDs per region for a hybrid app, and the regions left without one."""
    problems: list[Problem] = []
    cleaned: list[tuple[str, str]] = []
    for reg in marketplaces.REGIONS:
        raw = dev_ids.get(reg, "")
        if not raw.strip():
            continue
        c = check_dev_id(raw, reg)
        problems.extend(c.problems)
        cleaned.append((reg, c.value))
    unknown = sorted(set(dev_ids) - set(marketplaces.REGIONS))
    if unknown:
        problems.append(Problem("dev_ids", "error", f"Unknown region(s) {', '.join(unknown)} for "
                                "MWS developer IDs.", "Use NA, EU or FE."))
    if hybrid:
        have = {r for r, _ in cleaned}
        for reg in regions:
            if reg not in have:
                problems.append(Problem(
                    f"dev_id_{reg}", "warning",
                    f"No MWS developer ID for {reg}: a hybrid app authorized in {reg} fails with "
                    "MD9010 (or MD5100).",
                    f"Add the {reg} developer ID, or convert the app to SP-API only (MWS was "
                    "retired in 2024, so the hybrid part does nothing now).",
                ))
    return tuple(cleaned), problems


def build_profile(
    *,
    name: str,
    app_id: str,
    client_id: str,
    app_state: str,
    kind: str = "seller",
    edits_pending: bool = False,
    hybrid: bool = False,
    dev_ids: dict[str, str] | None = None,
    marketplace_codes: list[str] | tuple[str, ...] = (),
    login_uri: str = "",
    redirect_uris: list[str] | tuple[str, ...] = (),
    require_uris: bool = True,
    simulated: bool = False,
) -> Built:
    """Validate raw input field by field and build the profile from the cleaned values
    (``simulated``: the endpoints point at a simulator; see ``uris.check_uri``)."""
    problems: list[Problem] = []
    app_state = app_state.strip().lower()
    kind = kind.strip().lower()
    checked_name = check_profile_name(name)
    problems += checked_name.problems
    app = check_app_id(app_id)
    client = check_client_id(client_id)
    problems += app.problems + client.problems
    if app_state not in APP_STATES:
        problems.append(Problem("app_state", "error", f"Unknown app state {app_state!r}.",
                                "Use draft, submitted or published."))
    if kind not in KINDS:
        problems.append(Problem("kind", "error", f"Unknown app kind {kind!r}.",
                                "Use seller or vendor."))
    if edits_pending and app_state != "published":
        problems.append(Problem("edits_pending", "error",
                                "Only a Published app can have edits pending.",
                                "Choose 'published with pending edits', or leave edits "
                                "pending off."))
    codes, mp_problems = check_marketplaces(marketplace_codes)
    problems += mp_problems
    regions = tuple(r for r in marketplaces.REGIONS
                    if any(marketplaces.lookup(c).region == r for c in codes))
    cleaned_dev_ids, dev_problems = check_hybrid(hybrid, dev_ids or {}, regions)
    problems += dev_problems
    login = ""
    if login_uri.strip() or require_uris:
        checked = check_uri(login_uri, "login_uri", "Login URI", simulated=simulated)
        login = checked.value
        problems += checked.problems
    redirects: list[str] = []
    for i, raw in enumerate(redirect_uris):
        checked = check_uri(raw, f"redirect_uri_{i}", "Redirect URI", simulated=simulated)
        problems += checked.problems
        if checked.value and checked.value not in redirects:
            redirects.append(checked.value)
    if require_uris and not redirects:
        problems.append(Problem("redirect_uri_0", "error", "No Redirect URI given.",
                                "Give at least one https Redirect URI, exactly as registered."))
    profile = AppProfile(
        name=checked_name.value,
        app_id=app.value,
        client_id=client.value,
        app_state=app_state if app_state in APP_STATES else "draft",  # type: ignore[arg-type]
        kind=kind if kind in KINDS else "seller",  # type: ignore[arg-type]
        edits_pending=edits_pending,
        hybrid=hybrid,
        dev_ids=cleaned_dev_ids,
        marketplaces=codes,
        login_uri=login,
        redirect_uris=tuple(redirects),
    )
    return Built(profile, tuple(problems))
