"""Step 4, Marketplaces: the ones the app supports (by region) and the seller's marketplace.

The seller's marketplace picks the consent page's host and thereby the region of the grant, so
the host is shown as soon as it is chosen, marked when our source for it is not official.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from oauth_wizard.core import marketplaces as registry
from oauth_wizard.core.validation import Problem
from oauth_wizard.tui.screens.base import FieldNote, StepScreen
from oauth_wizard.tui.screens.marked_toggles import MarkedSelectionList
from oauth_wizard.tui.state import WizardState

PORTAL_NAMES = {"seller": "Seller Central", "vendor": "Vendor Central"}


class MarketplacesScreen(StepScreen):
    """Supported marketplaces (three lists, NA/EU/FE) and a Select for the seller's one."""

    STEP = "marketplaces"
    FOCUS_TARGETS = {"marketplaces": "#mkt-NA", "seller_marketplace": "#seller-marketplace"}

    def compose_step(self) -> ComposeResult:
        s = self.state
        yield Static("Tick the marketplaces the app supports (Space toggles, Tab: next region).",
                     classes="intro")
        lists = {region: self._region_list(region, markets)
                 for region, markets in registry.by_region().items()}
        with Horizontal(id="region-lists"):
            with Vertical(id="region-side"):  # the short NA and FE lists share a column
                yield lists["NA"]
                yield lists["FE"]
            yield lists["EU"]
        yield Static(id="ticked", classes="hint")
        yield FieldNote(id="note-marketplaces", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label(f"{s.partner.capitalize()} sells in", classes="field-label")
            options = [(f"{m.label()} ({m.region})", m.code) for m in registry.all_marketplaces()]
            known = s.seller_marketplace in {code for _, code in options}
            yield Select(options, prompt=f"Where the {s.partner} sells", id="seller-marketplace",
                         value=s.seller_marketplace if known else Select.NULL)
        yield Static(id="portal-info", classes="explanation")
        yield FieldNote(id="note-seller_marketplace", classes="field-note")

    def _region_list(self, region: str,
                     markets: list[registry.Marketplace]) -> MarkedSelectionList:
        selections = MarkedSelectionList(
            *(Selection(m.label(), m.code, m.code in self.state.marketplaces) for m in markets),
            id=f"mkt-{region}", classes="region-list",
        )
        selections.border_title = region
        return selections

    def filled_fields(self) -> Iterable[str]:
        s = self.state
        return [f for f, v in (("marketplaces", s.marketplaces),
                               ("seller_marketplace", s.seller_marketplace)) if v]

    def collect(self) -> WizardState:
        chosen: set[str] = set()
        for region in registry.REGIONS:
            chosen.update(self.query_one(f"#mkt-{region}", SelectionList).selected)
        codes = tuple(m.code for m in registry.all_marketplaces() if m.code in chosen)
        value = self.query_one("#seller-marketplace", Select).value
        return self.state.with_(marketplaces=codes,
                                seller_marketplace=value if isinstance(value, str) else "")

    def after_check(self, state: WizardState, problems: Sequence[Problem]) -> None:
        info = self.query_one("#portal-info", Static)
        if not state.seller_marketplace:
            info.update("The consent page's host and the region follow from this choice.")
            return
        market = registry.lookup(state.seller_marketplace)
        kind = "vendor" if state.kind == "vendor" else "seller"
        portal = market.portal(kind)
        mark = "" if portal.confidence == "official" else f" ({portal.confidence})"
        info.update(Content(
            f"Consent page: {portal.url}{mark} · {PORTAL_NAMES[kind]} · region {market.region} "
            f"(the grant covers every {market.region} marketplace)"))

    def on_mount(self) -> None:
        self._say_ticked()

    @on(SelectionList.SelectedChanged)
    def _supported_changed(self) -> None:
        self._say_ticked()
        self.touch("marketplaces")

    def _say_ticked(self) -> None:
        """What is ticked, in words (the lists scroll, and the marks may have no colour)."""
        lists = {r: self.query_one(f"#mkt-{r}", MarkedSelectionList) for r in registry.REGIONS}
        parts = [f"{region} {lst.summary()}" for region, lst in lists.items()]
        self.query_one("#ticked", Static).update(Content("Ticked · " + " · ".join(parts)))

    @on(Select.Changed, "#seller-marketplace")
    def _seller_changed(self) -> None:
        self.touch("seller_marketplace")
