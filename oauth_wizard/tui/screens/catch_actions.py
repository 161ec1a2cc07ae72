"""What the Catch screen does on the user's behalf: paste-back, the demo's "Approve for me",
open/copy, cancel, try again, back, and the way into the doctor after a failure.

A mixin of ``CatchScreen`` (kept apart so each module stays one job and readable): it uses the
screen's attempt number, phase and session, and posts the screen's ``Ended`` message. Plain
mixins get no ``@on`` handlers from Textual, so message handlers here use ``on_*`` names.
"""

from __future__ import annotations

from textual import events, work
from textual.widgets import Button, Static

from oauth_wizard.authorize.legs import LoginLeg
from oauth_wizard.core.errors import FlowError
from oauth_wizard.tui.demo import DemoError
from oauth_wizard.tui.screens.attempt_widgets import PastePanel, UrlActions
from oauth_wizard.tui.screens.failure_panel import DoctorAdvice
from oauth_wizard.tui.state import Back, StepResult

RUNNING = ("preparing", "listening", "paste", "exchanging")


class CatchActions(UrlActions):
    """Paste-back, actions and buttons of the Catch screen."""

    # --- paste-back ---------------------------------------------------------------------------

    def on_paste_panel_pasted(self, message: PastePanel.Pasted) -> None:
        if self.phase not in ("listening", "paste") or self.session is None:
            self.query_one(PastePanel).show_error(
                "Nothing is waiting for a pasted address now.",
                "Press Try again (r) to start a new attempt first.")
            return
        self._paste(self._attempt, message.text)

    @work(exclusive=True, group="paste", exit_on_error=False)
    async def _paste(self, attempt: int, text: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            result = await session.paste(text)
        except FlowError as exc:
            if exc.cause is None:  # the paste itself was wrong: the attempt goes on
                self.call_later(self._paste_refused, attempt, exc)
            else:
                self.post_message(self.Ended(attempt, None, exc))
            return
        if isinstance(result, LoginLeg):
            self.call_later(self._show_next, attempt, result.next_url)
        else:
            self.post_message(self.Ended(attempt, result, None))

    def on_paste(self, event: events.Paste) -> None:
        """A paste outside any field is a pasted address too (the field takes its own)."""
        text = event.text.strip()
        if text and self.phase in ("listening", "paste"):
            event.stop()
            self.post_message(PastePanel.Pasted(text.splitlines()[0]))

    def _paste_refused(self, attempt: int, error: FlowError) -> None:
        if attempt == self._attempt:
            self.query_one(PastePanel).show_error(error.message, error.fix)

    def _show_next(self, attempt: int, url: str) -> None:
        if attempt == self._attempt:
            self.query_one(PastePanel).show_next(url)

    # --- actions ------------------------------------------------------------------------------

    def action_approve(self, user: str = "Pat") -> None:
        """Demo: sign in on the simulator's consent page as ``user`` and approve (the palette
        offers the other users, to see what Amazon says to them)."""
        if self.check_action("approve", ()) and self.url:
            self._status(f"Approving as {user} on the simulator's consent page…")
            self._approve(self._attempt, self.url, user)

    @work(exclusive=True, group="approve", exit_on_error=False)
    async def _approve(self, attempt: int, url: str, user: str) -> None:
        approve_as = getattr(self.runtime, "approve_as", None)
        if approve_as is None:
            return
        try:
            approval = await approve_as(url, user)
        except DemoError as exc:
            self.call_later(self._approved, attempt, False, f"{exc.message} {exc.fix}")
            return
        self.call_later(self._approved, attempt, approval.ok, approval.message)

    def _approved(self, attempt: int, ok: bool, text: str) -> None:
        if attempt == self._attempt and self.phase not in ("done", "failed"):
            self._status(text, error=not ok)

    def action_open(self, url: str | None = None) -> None:
        url = url or self.url
        if url:
            self.open_link(url)

    def action_copy(self, url: str | None = None) -> None:
        url = url or self.url
        if url:
            self.copy_link(url)

    def action_cancel(self) -> None:
        if self.phase not in RUNNING:
            return
        for group in ("attempt", "paste", "approve"):
            self.workers.cancel_group(self, group)
        self._set_phase("cancelled")  # from now on, what the old workers still say is ignored
        self._log(self._clock(), "Cancelled: nothing was exchanged or stored.")
        self.query_one("#catch-mode", Static).update(
            "Cancelled. Try again (r) starts a fresh attempt; Back to review (Esc) changes "
            "the app's values.")

    def action_doctor(self) -> None:
        """The Doctor screen with this failure's message and the wizard's facts."""
        if self.phase == "failed":
            self.query_one(DoctorAdvice).open_doctor()

    def action_retry(self) -> None:
        if self.phase in ("failed", "cancelled"):
            self.begin()

    def action_back(self) -> None:
        for group in ("attempt", "paste", "approve"):
            self.workers.cancel_group(self, group)
        self._leave(Back(self._collect()))

    def _leave(self, result: StepResult) -> None:
        if not self._left:
            self._left = True
            self.dismiss(result)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = {
            "approve": self.runtime.demo and self.phase == "listening",
            "open": self.url is not None and self.phase in RUNNING,
            "copy": self.url is not None and self.phase in RUNNING,
            "cancel": self.phase in RUNNING,
            "retry": self.phase in ("failed", "cancelled"),
            "doctor": self.phase == "failed",
        }
        return allowed.get(action, True)

    # --- buttons ------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"approve": self.action_approve, "open": self.action_open,
                   "copy": self.action_copy, "cancel": self.action_cancel,
                   "retry": self.action_retry, "nav-back": self.action_back,
                   "open-next": lambda: self.action_open(self.query_one(PastePanel).next_url),
                   "copy-next": lambda: self.action_copy(self.query_one(PastePanel).next_url)}
        if event.button.id in actions:
            actions[event.button.id]()
