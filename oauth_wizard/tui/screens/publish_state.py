"""Step 2, Publish state: draft / submitted / published / published with pending edits.

The explanation under the choice changes live, because this answer alone decides whether the
consent URL carries ``version=beta`` (the most common MD1000 cause).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import RadioSet, Static

from oauth_wizard.core.validation import Problem
from oauth_wizard.tui.screens.base import FieldNote, StepScreen
from oauth_wizard.tui.screens.marked_toggles import ChoiceRadioSet, MarkedRadioButton
from oauth_wizard.tui.state import PUBLISH_CHOICES, PUBLISH_LABELS, WizardState, publish_explanation


class PublishStateScreen(StepScreen):
    """The app's publish state as Developer Central shows it."""

    STEP = "publish"
    FOCUS_TARGETS = {"publish": "#publish"}

    def compose_step(self) -> ComposeResult:
        yield Static("Which state does the Solution Provider Portal show for the app (Develop "
                     "Apps, the app's row)?", classes="intro")
        with ChoiceRadioSet(id="publish"):
            for choice in PUBLISH_CHOICES:
                yield MarkedRadioButton(PUBLISH_LABELS[choice], value=self.state.publish == choice,
                                  id=f"publish-{choice}")
        yield FieldNote(id="note-publish", classes="field-note")
        yield Static(id="publish-explanation", classes="explanation")

    def filled_fields(self) -> Iterable[str]:
        return ["publish"] if self.state.publish else []

    def collect(self) -> WizardState:
        pressed = self.query_one("#publish", RadioSet).pressed_button
        choice = (pressed.id or "").removeprefix("publish-") if pressed else ""
        return self.state.with_(publish=choice)

    def after_check(self, state: WizardState, problems: Sequence[Problem]) -> None:
        self.query_one("#publish-explanation", Static).update(
            Content(publish_explanation(state.publish)))

    @on(RadioSet.Changed)
    def _changed(self) -> None:
        self.touch("publish")
