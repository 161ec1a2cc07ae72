"""What the TUI wizard knows so far, step by step, and whether each step may be left.

Pure (no Textual, no I/O), so the screens' rules are tested without a terminal: the values per
step (kept as typed: Back and Next never lose input), per-step checks and the step order."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from oauth_wizard.core import marketplaces
from oauth_wizard.core.profile import (
    KINDS,
    STATE_EXPLANATIONS,
    AppProfile,
    Built,
    beta_required,
    build_profile,
    check_hybrid,
    check_marketplaces,
)
from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import (
    Problem,
    check_app_id,
    check_client_id,
    check_client_secret,
    check_profile_name,
)

if TYPE_CHECKING:
    from oauth_wizard.core.events import Authorized

STEPS = ("identity", "publish", "hybrid", "marketplaces", "uris", "review")
STEP_TITLES = {
    "identity": "App identity",
    "publish": "Publish state",
    "hybrid": "Hybrid MWS app",
    "marketplaces": "Marketplaces",
    "uris": "Login and Redirect URIs",
    "review": "Review the consent URL",
}
PUBLISH_CHOICES = ("draft", "submitted", "published", "published_pending")
PUBLISH_LABELS = {"draft": "Draft", "submitted": "Submitted for review", "published": "Published",
                  "published_pending": "Published, with edits pending"}
PROFILE_NAME = "wizard"  # stands in for a profile name not given yet; build_profile needs one

_FIELD_LABELS = {
    "app_id": "App ID",
    "client_id": "LWA client ID",
    "client_secret": "Client secret",
    "profile_name": "Profile name",
    "kind": "App kind",
    "publish": "Publish state",
    "edits_pending": "Publish state",
    "hybrid": "Hybrid",
    "dev_ids": "MWS developer IDs",
    "marketplaces": "Supported marketplaces",
    "seller_marketplace": "Seller's marketplace",
    "login_uri": "Login URI",
    "consent_redirect": "Redirect URI for the consent URL",
}


def field_label(fld: str) -> str:
    """The on-screen name of a field, for messages such as 'Fix the App ID first'."""
    if fld.startswith("redirect_uri_"):
        return f"Redirect URI {int(fld.rsplit('_', 1)[1]) + 1}"
    if fld.startswith("dev_id_"):
        return f"{fld.rsplit('_', 1)[1]} MWS developer ID"
    return _FIELD_LABELS.get(fld, fld.replace("_", " "))


@dataclass(frozen=True)
class WizardState:
    """The raw values entered so far. Values stay as typed; checks clean them when used."""

    app_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    kind: str = "seller"
    publish: str = ""
    hybrid: bool = False
    dev_ids: tuple[tuple[str, str], ...] = ()
    marketplaces: tuple[str, ...] = ()
    seller_marketplace: str = ""
    login_uri: str = ""
    redirect_uris: tuple[str, ...] = ("",)
    consent_redirect: int | None = None
    csrf_state: str = ""
    demo: bool = False
    profile_name: str = ""
    simulator: str = ""  # the portal base OAUTH_WIZARD_PORTAL_URL names (not the demo's)

    def with_(self, **changes) -> WizardState:
        return replace(self, **changes)

    @property
    def partner(self) -> str:
        """Who signs in and approves: the seller, or the vendor for a vendor app."""
        return "vendor" if self.kind == "vendor" else "seller"

    @property
    def simulated_endpoints(self) -> bool:
        """Whether this run talks to a simulator (the demo's, or one the environment names)."""
        return self.demo or bool(self.simulator)

    @property
    def app_state(self) -> str:
        """The profile's app state: 'published with edits pending' is still published."""
        return "published" if self.publish == "published_pending" else self.publish

    @property
    def edits_pending(self) -> bool:
        return self.publish == "published_pending"

    def dev_id(self, region: str) -> str:
        return dict(self.dev_ids).get(region, "")

    def with_dev_id(self, region: str, value: str) -> WizardState:
        ids = dict(self.dev_ids)
        ids[region] = value
        return self.with_(dev_ids=tuple((r, ids[r]) for r in marketplaces.REGIONS if r in ids))

    def regions(self) -> tuple[str, ...]:
        """Regions of the supported marketplaces (known codes only), in NA/EU/FE order."""
        codes, _ = check_marketplaces(self.marketplaces)
        found = {marketplaces.lookup(c).region for c in codes}
        return tuple(r for r in marketplaces.REGIONS if r in found)

    def dev_id_regions(self) -> tuple[str, ...]:
        """Regions to ask MWS developer IDs for: those the app needs, or all three if unknown."""
        return self.regions() or marketplaces.REGIONS

    def add_redirect(self) -> WizardState:
        return self.with_(redirect_uris=(*self.redirect_uris, ""))

    def remove_redirect(self, index: int) -> WizardState:
        """Drop one Redirect URI row, keeping the consent choice on the same URI (or none)."""
        uris = list(self.redirect_uris)
        del uris[index]
        choice = self.consent_redirect
        if choice == index:
            choice = None
        elif choice is not None and choice > index:
            choice -= 1
        return self.with_(redirect_uris=tuple(uris) or ("",), consent_redirect=choice)

    def consent_redirect_uri(self) -> str | None:
        """The cleaned Redirect URI chosen for the consent URL, or None (Amazon uses the first)."""
        choice = self.consent_redirect
        if choice is None or not 0 <= choice < len(self.redirect_uris):
            return None
        return check_uri(self.redirect_uris[choice], "", "Redirect URI").value


@dataclass(frozen=True)
class Next:
    """A step screen's result: go on, with the values entered (and Review's validated profile)."""

    state: WizardState
    profile: AppProfile | None = None  # handed on, so later steps do not validate it again


@dataclass(frozen=True)
class Back:
    """A step screen's result: go back, keeping the values entered."""

    state: WizardState


StepResult = Next | Back


@dataclass(frozen=True)
class Caught(Next):
    """The Catch screen's result when the token is stored: what the Done screen shows."""

    authorized: Authorized | None = None
    storage_note: str = ""
    in_memory: bool = False


def next_step(step: str) -> str | None:
    i = STEPS.index(step)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def previous_step(step: str) -> str | None:
    """The step before ``step``; None means leaving the wizard for the Welcome screen."""
    i = STEPS.index(step)
    return STEPS[i - 1] if i > 0 else None


def route(step: str, forward: bool) -> str | None:
    """Where the wizard goes after ``step``: the steps, then Authorize's screens.

    Review goes on to "catch" (the attempt); a finished attempt goes to "done"; leaving either
    of them (Back, or "authorize another") returns to the Review.
    """
    if step == "review" and forward:
        return "catch"
    if step == "catch":
        return "done" if forward else "review"
    if step == "done":
        return "review"
    return next_step(step) if forward else previous_step(step)


def step_heading(step: str) -> str:
    return f"Step {STEPS.index(step) + 1} of {len(STEPS)} · {STEP_TITLES[step]}"


def check_step(ws: WizardState, step: str) -> tuple[Problem, ...]:
    """Every problem of one step's values; errors block Next, warnings and notes do not."""
    checks = {
        "identity": _check_identity,
        "publish": _check_publish,
        "hybrid": _check_hybrid,
        "marketplaces": _check_marketplaces,
        "uris": _check_uris,
        "review": lambda _ws: (),
    }
    return tuple(checks[step](ws))


def errors(problems: tuple[Problem, ...] | list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]


def can_leave(ws: WizardState, step: str) -> bool:
    return not errors(check_step(ws, step))


def blocking_message(problem: Problem, *, with_fix: bool = True) -> str:
    """The line shown when Next is refused: which field, what is wrong (and what to do)."""
    fix = f" {problem.fix}" if problem.fix and with_fix else ""
    return f"{field_label(problem.field)}: {problem.message}{fix}"


def first_invalid_step(ws: WizardState) -> str | None:
    """The first step before Review whose values still have an error, if any."""
    return next((s for s in STEPS[:-1] if not can_leave(ws, s)), None)


def publish_explanation(choice: str) -> str:
    """What a publish state means for the consent URL (``version=beta``), for live display."""
    if choice not in PUBLISH_CHOICES:
        return ("Choose the state the Solution Provider Portal shows for the app (Develop Apps, "
                "the app's row). It decides whether the consent URL needs version=beta.")
    app_state = "published" if choice == "published_pending" else choice
    beta = ("The consent URL gets version=beta." if beta_required(app_state)
            else "The consent URL gets no version=beta.")
    return f"{STATE_EXPLANATIONS[choice]}\n→ {beta}"


def _check_identity(ws: WizardState) -> list[Problem]:
    problems = [*check_app_id(ws.app_id).problems, *check_client_id(ws.client_id).problems,
                *check_client_secret(ws.client_secret).problems]
    if ws.profile_name.strip():  # optional until Authorize; checked as soon as it is typed
        problems += [_as_field(p, "profile_name")
                     for p in check_profile_name(ws.profile_name).problems]
    if ws.kind not in KINDS:
        problems.append(Problem("kind", "error", f"Unknown app kind {ws.kind!r}.",
                                "Choose a seller or a vendor app."))
    return problems


def _check_publish(ws: WizardState) -> list[Problem]:
    if ws.publish in PUBLISH_CHOICES:
        return []
    return [Problem(
        "publish", "error", "Choose the app's publish state; guessing it is how people get MD1000.",
        "The Solution Provider Portal → Develop Apps shows it on the app's row.",
    )]


def _check_hybrid(ws: WizardState) -> list[Problem]:
    if not ws.hybrid:
        return []
    _, problems = check_hybrid(True, dict(ws.dev_ids), ws.regions())
    return problems


def _check_marketplaces(ws: WizardState) -> list[Problem]:
    codes, problems = check_marketplaces(ws.marketplaces)
    if not codes and not problems:
        problems.append(Problem(
            "marketplaces", "error", "No supported marketplace is selected.",
            "Tick the marketplaces the app supports, as listed for it in the Solution Provider "
            "Portal.",
        ))
    if not ws.seller_marketplace:
        problems.append(Problem(
            "seller_marketplace", "error", f"The {ws.partner}'s marketplace is not chosen.",
            f"Pick the marketplace the {ws.partner} sells in; it decides the consent page's "
            "host and region.",
        ))
        return problems
    try:
        market = marketplaces.lookup(ws.seller_marketplace)
    except marketplaces.UnknownMarketplaceError as exc:
        problems.append(Problem("seller_marketplace", "error", str(exc).capitalize() + ".",
                                "Pick the seller's marketplace from the list."))
        return problems
    if codes and market.code not in codes:
        problems.append(Problem(
            "seller_marketplace", "warning",
            f"{market.code} is not among the app's supported marketplaces; Amazon may answer "
            "MD5100.",
            f"Add {market.code} to the app's marketplaces in the Solution Provider Portal, or "
            "authorize in a supported one.",
        ))
    portal = market.portal(ws.kind if ws.kind in KINDS else "seller")
    if portal.confidence != "official":
        problems.append(Problem(
            "seller_marketplace", "note",
            f"The host {portal.host} is {portal.confidence}, not confirmed by Amazon's docs: "
            f"{portal.note}",
            "If Amazon's page does not load, try the other hosts of the region.",
        ))
    return problems


def _as_field(problem: Problem, fld: str) -> Problem:
    return Problem(fld, problem.severity, problem.message, problem.fix)


def _uri_problems(ws: WizardState, raw: str, fld: str, label: str) -> list[Problem]:
    """``check_uri``'s problems, with the same simulator rule the command line applies."""
    return list(check_uri(raw, fld, label, simulated=ws.simulated_endpoints).problems)


def _check_uris(ws: WizardState) -> list[Problem]:
    problems = _uri_problems(ws, ws.login_uri, "login_uri", "Login URI")
    seen: dict[str, int] = {}
    for i, raw in enumerate(ws.redirect_uris):
        checked = check_uri(raw, f"redirect_uri_{i}", "Redirect URI",
                            simulated=ws.simulated_endpoints)
        problems += checked.problems
        if checked.value and checked.value in seen:
            problems.append(Problem(
                f"redirect_uri_{i}", "warning",
                f"This repeats Redirect URI {seen[checked.value] + 1}.", "Remove one of the two.",
            ))
        seen.setdefault(checked.value, i)
    choice = ws.consent_redirect
    if choice is not None and not 0 <= choice < len(ws.redirect_uris):
        problems.append(Problem("consent_redirect", "error",
                                "The Redirect URI chosen for the consent URL no longer exists.",
                                "Choose one of the listed Redirect URIs, or none."))
    return problems


def to_profile(ws: WizardState) -> Built:
    """The app profile the entered values describe, with every problem build_profile finds.

    Named by the profile name when it is valid (else a stand-in: the Review needs no name);
    against a simulator, loopback http URIs only warn (``uris.check_uri``).
    """
    name = ws.profile_name.strip()
    built = build_profile(
        name=name if name and check_profile_name(name).ok else PROFILE_NAME,
        app_id=ws.app_id, client_id=ws.client_id, app_state=ws.app_state,
        kind=ws.kind, edits_pending=ws.edits_pending, hybrid=ws.hybrid,
        dev_ids=dict(ws.dev_ids) if ws.hybrid else {}, marketplace_codes=ws.marketplaces,
        login_uri=ws.login_uri, redirect_uris=ws.redirect_uris,
        simulated=ws.simulated_endpoints,
    )
    return built


def authorize_problems(ws: WizardState) -> list[Problem]:
    """What Authorize still needs beyond the consent URL: a valid profile name and the client
    secret (the code exchange uses it). Only errors; an odd-shaped secret is tried anyway."""
    problems = [_as_field(p, "profile_name") for p in check_profile_name(ws.profile_name).problems
                if p.blocking]
    if not ws.client_secret.strip():
        problems.append(Problem("client_secret", "error", "The client secret is not given.",
                                "Copy it from the Solution Provider Portal → Develop Apps → LWA "
                                "credentials → View; the code exchange needs it."))
    return problems


