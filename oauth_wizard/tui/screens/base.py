"""What every wizard step screen shares: Back/Next, live field messages, the blocked-Next line.

A step screen shows the values of a ``WizardState``, reads them back with ``collect()``, and
ends with ``dismiss(Next(state))`` or ``dismiss(Back(state))``; the App's driver decides where
to go. The rules themselves live in ``wizard_state`` (pure); this module only displays them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Static

from oauth_wizard.core.validation import Problem
from oauth_wizard.tui.state import (
    Back,
    Next,
    StepResult,
    WizardState,
    blocking_message,
    check_step,
    errors,
    step_heading,
)


def keys_footer() -> Footer:
    """The footer of every screen but Welcome: compact, without the palette hint (Welcome shows
    it; Ctrl+P still opens it), so every key fits in 80 columns."""
    return Footer(compact=True, show_command_palette=False)


ICONS = {"error": "✗", "warning": "!", "note": "i"}
SEVERITY_ORDER = ("error", "warning", "note")


def problem_lines(problems: Iterable[Problem]) -> Content:
    """Problems as plain text (never markup: messages may quote what the user pasted)."""
    lines = []
    for p in problems:
        lines.append(f"{ICONS[p.severity]} {p.message}")
        if p.fix:
            lines.append(f"→ {p.fix}")
    return Content("\n".join(lines))


class FieldNote(Static):
    """The live messages under one field, styled by the worst severity among them."""

    def show(self, problems: Sequence[Problem]) -> None:
        worst = next((s for s in SEVERITY_ORDER if any(p.severity == s for p in problems)), None)
        for severity in SEVERITY_ORDER:
            self.set_class(severity == worst, f"-{severity}")
        self.update(problem_lines(problems))
        self.display = bool(problems)


class StepBody(VerticalScroll, can_focus=False):
    """The scrolling body of a step; focus goes to its fields (and scrolls them into view)."""


class WizardScreen(Screen[StepResult]):
    """A screen of the wizard: knows its step, the state it was given, and how to go back."""

    STEP: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Previous step; keeps what you typed"),
        Binding("ctrl+b", "back", "Back", show=False),
    ]

    def __init__(self, state: WizardState) -> None:
        super().__init__(classes=f"step step-{self.STEP}")
        self.state = state
        self.sub_title = step_heading(self.STEP)
        self._left = False

    def collect(self) -> WizardState:
        """The state with this screen's current values; screens with inputs override it."""
        return self.state

    def leave(self, result: StepResult) -> None:
        """Dismiss once: a second key press before the screen is gone must not pop another."""
        if not self._left:
            self._left = True
            self.dismiss(result)

    def action_back(self) -> None:
        self.leave(Back(self.collect()))

    @on(Button.Pressed, "#nav-back")
    def _back_pressed(self) -> None:
        self.action_back()


class StepScreen(WizardScreen):
    """A step with fields: live validation, Next blocked (with an inline reason) on errors.

    A field's messages appear once it has a value, was edited, or Next was tried, so an empty
    form does not open in red.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", id="next", tooltip="Next step (when this one is valid)"),
    ]
    FOCUS_TARGETS: ClassVar[dict[str, str]] = {}
    """Field name → selector of the widget to focus when that field blocks Next."""

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self._attempted = False
        self._touched: set[str] = set(self.filled_fields())

    def compose(self) -> ComposeResult:
        yield Header()
        with StepBody(id="step-body"):
            yield from self.compose_step()
            yield FieldNote(id="note-other", classes="field-note")
        yield Static(id="step-status")
        with Horizontal(id="step-nav"):
            back = Button("Back", id="nav-back", compact=True)
            back.can_focus = False  # Escape goes back; Tab runs fields → Next
            yield back
            yield Button("Next", id="nav-next", variant="primary", compact=True)
        yield keys_footer()

    def compose_step(self) -> ComposeResult:
        """The step's own fields; each with a ``FieldNote(id='note-<field>')`` under it."""
        yield from ()

    def filled_fields(self) -> Iterable[str]:
        """Fields that already hold a value when the screen opens (their messages show at once)."""
        return ()

    def on_mount(self) -> None:
        self.refresh_notes()

    def touch(self, *fields: str) -> None:
        """Mark fields as edited, then re-check the step."""
        self._touched.update(fields)
        self.refresh_notes()

    def note_for(self, fld: str) -> FieldNote | None:
        try:
            return self.query_one(f"#note-{fld}", FieldNote)
        except NoMatches:
            return None

    def focus_target(self, fld: str) -> Widget | None:
        selector = self.FOCUS_TARGETS.get(fld)
        if not selector:
            return None
        try:
            return self.query_one(selector)
        except NoMatches:
            return None

    def _visible(self, fld: str) -> bool:
        return self._attempted or fld in self._touched

    def refresh_notes(self) -> None:
        """Re-check the step and show each visible problem under its field."""
        state = self.collect()
        problems = check_step(state, self.STEP)
        placed: dict[FieldNote, list[Problem]] = {note: [] for note in self.query(FieldNote)}
        other = self.query_one("#note-other", FieldNote)
        for p in problems:
            if self._visible(p.field):
                placed[self.note_for(p.field) or other].append(p)
        for note, found in placed.items():
            note.show(found)
        status = self.query_one("#step-status", Static)
        blocking = errors(problems)
        if self._attempted and blocking:
            # the fix is under the field; this line only says which field stops Next
            message = blocking_message(blocking[0], with_fix=False)
            status.update(Content(f"Cannot go on yet. {message}"))
        else:
            status.update("")
        status.display = bool(self._attempted and blocking)
        self.after_check(state, problems)

    def after_check(self, state: WizardState, problems: Sequence[Problem]) -> None:
        """Hook for live explanations that depend on the values (publish state, portal host)."""

    def action_next(self) -> None:
        state = self.collect()
        blocking = errors(check_step(state, self.STEP))
        if not blocking:
            self.leave(Next(state))
            return
        self._attempted = True
        self.refresh_notes()
        target = self.focus_target(blocking[0].field)
        if target is not None:
            target.focus()

    @on(Button.Pressed, "#nav-next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        """Enter in a field goes to the next field (and from the last one, to Next)."""
        event.stop()
        self.focus_next()
