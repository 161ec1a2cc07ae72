"""The Rotate dialog: rotate one profile's LWA client secret through Amazon's API, as
``rotate-secret --queue-url`` does, with its progress on screen.

It says what a rotation needs (the queue registered in the Solution Provider Portal), takes the
queue's URL and a confirmation, then ``RotationSession.rotate`` runs from a worker: the request
(skipped when one is recorded, so Amazon is never asked twice), the wait on the queue with a
countdown, the proof of the new secret, the store, the message deleted. Esc while waiting stops
the wait and leaves the rotation resumable. The dialog dismisses with True when a new secret was
stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from oauth_wizard.keep.notices import QUEUE_NEEDED
from oauth_wizard.keep.reports import Failure
from oauth_wizard.tui.screens.keep_widgets import failure_content
from oauth_wizard.tui.screens.marked_toggles import MarkedCheckbox

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.rotation import RotationPlan, RotationSession

DEMO_QUEUE = ("Demo: the queue is a real local SQS (moto's server on 127.0.0.1) that the demo "
              "started; its simulated Amazon sends the new secret there.")
RESUMING = ("A rotation was requested on {date} and its new secret is not stored yet: this "
            "reads the queue again (Amazon is not asked a second time).")


class RotateDialog(ModalScreen[bool]):
    """Queue URL, confirmation, Rotate; then each step as it happens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stop / Close", id="rotate-close"),
    ]

    def __init__(self, rotation: RotationSession, profile: str) -> None:
        super().__init__(classes="dialog-screen")
        self.rotation = rotation
        self.profile = profile
        self.plan: RotationPlan | None = None
        self.stored = False
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="rotate-box", classes="dialog"):
            yield Static(Content(f"Rotate the client secret · profile '{self.profile}'"),
                         classes="dialog-title")
            yield Static(QUEUE_NEEDED, classes="hint")
            yield Static(id="rotate-resume", classes="hint")
            with Horizontal(classes="field-row"):
                yield Label("Queue URL", classes="field-label")
                yield Input(placeholder="https://sqs.REGION.amazonaws.com/ACCOUNT/NAME",
                            id="rotate-queue")
            yield MarkedCheckbox("The queue is set up and Amazon may write to it", id="rotate-ok",
                           compact=True)
            yield Static("Reading the profile…", id="rotate-result")
            with Horizontal(classes="dialog-actions"):
                yield Button("Rotate", id="rotate-go", variant="primary", compact=True,
                             disabled=True)
                yield Button("Close", id="rotate-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#rotate-resume").display = False
        self.load_plan()

    @work(exclusive=True, group="rotate-plan", exit_on_error=False)
    async def load_plan(self, announce: bool = True) -> None:
        """What the profile's rotation stands at; ``announce``: say so in the result area."""
        plan = await self.rotation.plan(self.profile)
        if isinstance(plan, Failure):
            if announce:
                self._show(failure_content(plan), error=True)
            return
        self.plan = plan
        if not announce:
            self._resuming(plan)
            return
        if plan.queue_url:
            self.query_one("#rotate-queue", Input).value = plan.queue_url
            resume = self.query_one("#rotate-resume", Static)
            resume.update(DEMO_QUEUE)
            resume.display = True
        self._resuming(plan)
        self._show(Content("Amazon's new secret is proven before it replaces the old one, "
                           "which keeps working 7 more days."), error=False)
        self.query_one("#rotate-go", Button).disabled = False
        self.query_one("#rotate-queue", Input).focus()

    def _resuming(self, plan: RotationPlan) -> None:
        if plan.requested:
            resume = self.query_one("#rotate-resume", Static)
            resume.update(RESUMING.format(date=plan.requested))
            resume.display = True
            self.query_one("#rotate-ok", Checkbox).display = False
            self.query_one("#rotate-go", Button).label = "Read the queue"

    def _show(self, text: Content | str, *, error: bool) -> None:
        result = self.query_one("#rotate-result", Static)
        result.update(text if isinstance(text, Content) else Content(text))
        result.set_class(error, "-error")
        result.set_class(not error, "-ok")

    @on(Input.Submitted, "#rotate-queue")
    @on(Button.Pressed, "#rotate-go")
    def _go(self) -> None:
        if self.plan is None or self.running:
            return
        url = self.query_one("#rotate-queue", Input).value.strip()
        if not url:
            self._show("✗ Paste the queue's URL (the SQS console shows it).", error=True)
            return
        if not self.plan.requested and not self.query_one("#rotate-ok", Checkbox).value:
            self._show("✗ Tick the box once the queue is registered for 'Application Client "
                       "New Secret': without it the new secret would be lost.", error=True)
            return
        self.run_rotation(url)

    @work(exclusive=True, group="rotate", exit_on_error=False)
    async def run_rotation(self, url: str) -> None:
        self.running = True
        self.query_one("#rotate-go", Button).disabled = True
        self.query_one("#rotate-cancel", Button).label = "Stop"
        try:
            report = await self.rotation.rotate(self.profile, url,
                                                lambda line: self._show(line, error=False))
        finally:
            self.running = False
            self.query_one("#rotate-cancel", Button).label = "Close"
            self.query_one("#rotate-go", Button).disabled = True
        lines = [Content(f"{'✓' if s.ok else '✗'} {s.step}: {s.said}") for s in report.steps]
        if report.failure is not None:
            lines.append(failure_content(report.failure))
            self.query_one("#rotate-go", Button).disabled = False
            self.load_plan(announce=False)  # a request made before the failure is recorded
        else:
            self.stored = True
            self.query_one("#rotate-cancel", Button).label = "Done"
            lines.append(Content("The new client secret is stored. Update other copies of it "
                                 "within 7 days (e exports)."))
        self._show(Content("\n").join(lines), error=report.failure is not None)
        self.query_one("#rotate-cancel", Button).focus()

    def action_close(self) -> None:
        if self.running:
            self.rotation.stop()
            self._show("Stopping after this poll (at most 5 seconds)…", error=False)
            return
        self.dismiss(self.stored)

    @on(Button.Pressed, "#rotate-cancel")
    def _close(self) -> None:
        self.action_close()
