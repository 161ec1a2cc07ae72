"""What the Catch screen's keys and buttons do, and when each is allowed.

A mixin of ``CatchScreen`` (``catch.py`` runs the attempts and renders them): the actions only
read the phase and call the widgets and the attempt's own methods.
"""

from __future__ import annotations

from textual.widgets import Button, Static

from oauth_wizard.tui.screens.attempt_widgets import ActionStatus, ApproveButton, PastePanel
from oauth_wizard.tui.screens.failure_panel import DoctorAdvice
from oauth_wizard.tui.sessions.doctor import failure_facts
from oauth_wizard.tui.state import Back

RUNNING = ("preparing", "listening", "paste", "exchanging")


class CatchActions:
    """Approve (demo), open, copy, cancel, doctor, retry, back. Mixed into ``CatchScreen``,
    whose phase, attempt, session and widgets these use (this module names no screen type,
    so it imports nothing back)."""

    def action_approve(self, user: str = "Pat") -> None:
        """Demo: sign in on the simulator's consent page as ``user`` and approve (the palette
        offers the other users, to see what Amazon says to them)."""
        if self.check_action("approve", ()) and self.url:
            self.query_one(ActionStatus).say(f"Approving as {user} on the simulator's "
                                             "consent page…")
            self.query_one(ApproveButton).approve(self._attempt, self.url, user)

    def on_approve_button_approved(self, message: ApproveButton.Approved) -> None:
        if message.attempt == self._attempt and self.phase not in ("done", "failed"):
            self.query_one(ActionStatus).say(message.text, error=not message.ok)

    def action_open(self, url: str | None = None) -> None:
        url = url or self.url
        if url:
            self.query_one(ActionStatus).open(url)

    def action_copy(self, url: str | None = None) -> None:
        url = url or self.url
        if url:
            self.query_one(ActionStatus).copy(url)

    def action_cancel(self) -> None:
        if self.phase not in RUNNING:
            return
        self._stop()
        self._set_phase("cancelled")  # from now on, what the old workers still say is ignored
        self._log(self._clock(), "Cancelled: nothing was exchanged or stored.")
        self.query_one("#catch-mode", Static).update(
            "Cancelled. Try again (r) starts a fresh attempt; Back to review (Esc) changes "
            "the app's values.")

    def action_doctor(self) -> None:
        """The Doctor screen with this failure's message and the wizard's facts."""
        if self.phase == "failed":
            self.query_one(DoctorAdvice).open_doctor()

    def action_error_page(self) -> None:
        """The doctor, with the attempt's facts filled in, over a running attempt (Amazon's
        error page is in the browser; the listener keeps waiting meanwhile)."""
        from oauth_wizard.tui.screens.doctor import DoctorScreen

        if not self.check_action("error_page", ()):
            return
        consent = self.session.ready.consent if self.session and self.session.ready else None
        facts = failure_facts(self.state, consent, None, exchanging=False)
        self.app.push_screen(DoctorScreen("", facts, origin="catch"))

    def action_retry(self) -> None:
        if self.phase in ("failed", "cancelled"):
            self.begin()

    def action_back(self) -> None:
        self._stop()
        self._leave(Back(self._collect()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = {
            "approve": self.runtime.demo and self.phase == "listening",
            "open": self.url is not None and self.phase in RUNNING,
            "copy": self.url is not None and self.phase in RUNNING,
            "cancel": self.phase in RUNNING,
            "error_page": self.phase in ("listening", "paste"),
            "retry": self.phase in ("failed", "cancelled"),
            "doctor": self.phase == "failed",
        }
        return allowed.get(action, True)

    # --- buttons ------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"approve": self.action_approve, "open": self.action_open,
                   "copy": self.action_copy, "cancel": self.action_cancel,
                   "retry": self.action_retry, "nav-back": self.action_back,
                   "error-page": self.action_error_page,
                   "open-next": lambda: self.action_open(self.query_one(PastePanel).next_url),
                   "copy-next": lambda: self.action_copy(self.query_one(PastePanel).next_url)}
        if event.button.id in actions:
            actions[event.button.id]()

