"""Step 3, Hybrid: is this an MWS app extended to SP-API, and its MWS developer ID per region.

MWS is gone (2024), so this step exists for old MD9010/MD5100/MD9001 diagnoses and to advise
converting the app to SP-API only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from oauth_wizard.core.validation import Problem
from oauth_wizard.tui.screens.base import FieldNote, StepScreen
from oauth_wizard.tui.screens.marked_toggles import ChoiceRadioSet, MarkedRadioButton
from oauth_wizard.tui.state import WizardState

MWS_RETIRED = (
    "MWS was retired in 2024: it stopped working in April 2024 and MWS credentials were deleted "
    "from 2024-04-22. The hybrid part of an app does nothing now. It still matters for one thing: "
    "a hybrid app without an MWS developer ID for the seller's region is refused with MD9010 or "
    "MD5100 (MD9001 if MWS blocks the developer). Advice: convert the app to SP-API only in "
    "the Solution Provider Portal (Develop Apps)."
)


class HybridScreen(StepScreen):
    """Hybrid flag and MWS developer IDs, asked only for the regions the app needs."""

    STEP = "hybrid"

    def __init__(self, state: WizardState) -> None:
        self.regions = state.dev_id_regions()
        super().__init__(state)
        self.FOCUS_TARGETS = {"hybrid": "#hybrid",
                              **{f"dev_id_{r}": f"#dev-id-{r}" for r in self.regions}}

    def compose_step(self) -> ComposeResult:
        s = self.state
        yield Static(MWS_RETIRED, classes="explanation")
        with ChoiceRadioSet(id="hybrid"):
            yield MarkedRadioButton("No: an SP-API only app (all apps created since 2021)",
                              value=not s.hybrid, id="hybrid-no")
            yield MarkedRadioButton("Yes: a hybrid app (an MWS app extended to SP-API)",
                              value=s.hybrid, id="hybrid-yes")
        with Vertical(id="dev-ids"):
            known = s.regions()
            scope = (f"for the regions of its marketplaces ({', '.join(known)})" if known else
                     "per region (all three until the marketplaces are known)")
            yield Static(f"MWS developer IDs {scope}: 12 digits, from Developer Central of "
                         "each region. Leave a region empty if the app was never given one.",
                         classes="intro")
            for region in self.regions:
                with Horizontal(classes="field-row"):
                    yield Label(f"{region} developer ID", classes="field-label")
                    yield Input(s.dev_id(region), placeholder="12 digits",
                                id=f"dev-id-{region}", classes="dev-id")
                yield FieldNote(id=f"note-dev_id_{region}", classes="field-note")

    def filled_fields(self) -> Iterable[str]:
        return [f"dev_id_{r}" for r in self.regions if self.state.dev_id(r)]

    def collect(self) -> WizardState:
        state = self.state.with_(hybrid=self.query_one("#hybrid-yes", RadioButton).value)
        for region in self.regions:
            state = state.with_dev_id(region, self.query_one(f"#dev-id-{region}", Input).value)
        return state

    def after_check(self, state: WizardState, problems: Sequence[Problem]) -> None:
        self.query_one("#dev-ids").display = state.hybrid

    @on(RadioSet.Changed)
    def _hybrid_changed(self) -> None:
        # a missing developer ID is worth seeing as soon as the app is said to be hybrid
        self.touch("hybrid", *(f"dev_id_{r}" for r in self.regions))

    @on(Input.Changed)
    def _dev_id_changed(self, event: Input.Changed) -> None:
        region = (event.input.id or "").removeprefix("dev-id-")
        self.touch(f"dev_id_{region}")
