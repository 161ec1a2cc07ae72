"""What the Catch screen shows when an attempt fails: the error itself (message, fix, cause id)
and the doctor's word on it, with the way into the Doctor screen.

The doctor runs on the failure's message with the facts the wizard knows (the app's state and
marketplaces, the consent URL, where it failed, the cause id the failure named) in a thread
worker, so the panel appears at once and the doctor's part follows a moment later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import get_current_worker

from oauth_wizard.core.errors import FlowError
from oauth_wizard.doctor.diagnosis import Diagnosis
from oauth_wizard.doctor.render import score_text
from oauth_wizard.tui.screens.doctor import DoctorScreen
from oauth_wizard.tui.screens.doctor_widgets import with_commands
from oauth_wizard.tui.sessions.doctor import explain_failure

CLOSE = 0.1  # other causes at least this likely are named under the top one
NOTHING_TO_ADD = ("The doctor has nothing specific to add here. If Amazon showed an error "
                  "page, open the doctor (d) and paste it.")


class FailurePanel(Static):
    """Cause id, message and fix of a failed attempt, with what the user can do next."""

    def show_error(self, error: FlowError) -> None:
        lines = [f"✗ {error.message}"]
        lines += [f"→ {fix}" for fix in error.fix.splitlines() if fix.strip()]
        if error.cause:
            lines.append(f"Cause: {error.cause}")
        lines.append("Try again (r) starts a fresh attempt with a new state; Back to review "
                     "(Esc) lets you change the app's values.")
        self.update(Content("\n".join(lines)))
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False


def advice_text(diagnosis: Diagnosis | None) -> Content:
    """The doctor's top cause, its numbered fix, and the runners-up worth a look."""
    if diagnosis is None:
        return Content(NOTHING_TO_ADD)
    top = diagnosis.top
    lines = [Content.assemble(("Doctor: ", "bold"), (top.title, "bold"),
                              f" ({top.id}, {score_text(top.score)})")]
    lines += [Content.assemble((f"{i}) ", "bold"), with_commands(step))
              for i, step in enumerate(top.fix, 1)]
    close = [c for c in diagnosis.causes[1:3] if c.score >= CLOSE]
    if close:
        lines.append(Content("Also possible: " + "; ".join(
            f"{c.title} ({score_text(c.score)})" for c in close)))
    return Content("\n").join(lines)


class DoctorAdvice(Vertical):
    """The doctor's answer for a failed attempt, and "Open in the doctor" with its facts."""

    @dataclass
    class Explained(Message):
        """The doctor's answer for failure ``generation`` (None: nothing to add)."""

        generation: int
        diagnosis: Diagnosis | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._generation = 0
        self.message = ""
        self.facts: dict[str, str] = {}
        self.diagnosis: Diagnosis | None = None
        self.answered = False
        """The doctor's answer for the current failure is shown."""

    def compose(self) -> ComposeResult:
        yield Static(id="advice-text")
        yield Button("Open in the doctor", id="open-doctor", compact=True,
                     tooltip="The Doctor screen, with this error and the wizard's facts")

    def on_mount(self) -> None:
        self.display = False

    def explain(self, message: str, facts: Mapping[str, str]) -> None:
        """Ask the doctor about this failure (the previous answer, if any, is dropped)."""
        self._generation += 1
        self.message, self.facts, self.diagnosis = message, dict(facts), None
        self.answered = False
        self.query_one("#advice-text", Static).update(Content("Asking the doctor…"))
        self.display = True
        self._explain(self._generation, message, self.facts)

    @work(thread=True, exclusive=True, group="advice", exit_on_error=False)
    def _explain(self, generation: int, message: str, facts: dict[str, str]) -> None:
        diagnosis = explain_failure(message, facts)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Explained(generation, diagnosis))

    @on(Explained)
    def _explained(self, message: Explained) -> None:
        if message.generation != self._generation:
            return
        self.diagnosis = message.diagnosis
        self.answered = True
        self.query_one("#advice-text", Static).update(advice_text(message.diagnosis))

    def clear(self) -> None:
        self._generation += 1
        self.workers.cancel_group(self, "advice")
        self.display = False

    def open_doctor(self) -> None:
        if self.display:
            self.app.push_screen(DoctorScreen(self.message, self.facts, origin="catch"))

    @on(Button.Pressed, "#open-doctor")
    def _open_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.open_doctor()
