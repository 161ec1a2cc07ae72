"""The Catch screen: one authorization attempt, live.

It shows the consent URL to open, waits for Amazon's two redirects on a local listener or takes
their addresses pasted back, and shows the code being exchanged the moment it arrives. The I/O
is the session's (``sessions/catch``, ``authorize/flow``), run from workers; the flow's events
come back through this screen's queue (so they render in order) as a timeline, with a countdown.
A failure goes through the doctor (``failure_panel``). The widgets own their parts: paste-back
(``PastePanel``), the demo's approval (``ApproveButton``), copy and open (``ActionStatus``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static
from textual.worker import Worker, WorkerState

from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import Authorized, Exchanging, Listening
from oauth_wizard.tui.demo import DemoError
from oauth_wizard.tui.screens.attempt_widgets import (
    ActionStatus,
    ApproveButton,
    AttemptEnded,
    AttemptProgress,
    CertInfo,
    PastePanel,
    PhaseLine,
    SetupForm,
    Timeline,
    demo_banner,
    listening_text,
    timeline_text,
)
from oauth_wizard.tui.screens.base import StepBody, keys_footer
from oauth_wizard.tui.screens.catch_actions import RUNNING, CatchActions
from oauth_wizard.tui.screens.failure_panel import DoctorAdvice, FailurePanel
from oauth_wizard.tui.screens.keep_offer import KeepOffer
from oauth_wizard.tui.sessions.doctor import failure_facts
from oauth_wizard.tui.state import Caught, StepResult, WizardState, authorize_problems

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.tui.sessions.catch import CatchPlan, CatchSession, Runtime


class CatchScreen(CatchActions, Screen[StepResult]):
    """Runs attempts (a fresh state each time) until one is authorized or the user leaves."""

    STEP = "catch"
    AUTO_FOCUS = ""  # focus goes to what the attempt needs next, once it is known
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("a", "approve", "Approve", id="approve",
                tooltip="Demo: play the seller on the simulator's consent page"),
        Binding("o", "open", "Open", id="open"),
        Binding("c", "copy", "Copy", id="copy"),
        Binding("x", "cancel", "Cancel", id="cancel", tooltip="Stop listening; nothing is kept"),
        Binding("e", "error_page", "Error page", id="error-page",
                tooltip="Amazon showed an error page (MD…, SPDC…): the doctor, with this "
                        "attempt's facts; the attempt keeps waiting"),
        Binding("r", "retry", "Try again", id="retry", tooltip="A fresh attempt with a new state"),
        Binding("d", "doctor", "Doctor", id="doctor",
                tooltip="The Doctor screen, with this error and the wizard's facts"),
    ]

    def __init__(self, state: WizardState, *, runtime: Runtime,
                 session_factory: Callable[..., CatchSession], clock: Callable[[], float],
                 profile: AppProfile | None = None,
                 state_factory: Callable[[], str], open_url: Callable[[str], bool],
                 timeout: float) -> None:
        super().__init__(classes="catch")
        self.state, self.profile = state, profile  # the profile Review validated, or None
        self.runtime = runtime
        self._new_session = session_factory
        self._clock = clock
        self._state_factory = state_factory
        self._open_url = open_url
        self._timeout = timeout
        self.sub_title = "Authorize · catch the redirect"
        self.phase = "setup"
        self.session: CatchSession | None = None
        self._attempt = 0
        self._deadline: float | None = None
        self._listening = False
        self._left = False
        self._needs_setup = not runtime.demo and bool(authorize_problems(state))

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with StepBody(id="catch-body"):
            if self.runtime.demo:
                yield Static(demo_banner(""), id="catch-demo", classes="demo-banner")
            yield PhaseLine(id="catch-phase")
            if self._needs_setup:
                yield SetupForm(self.state, id="setup-form")
            yield Static(id="catch-mode")
            yield FailurePanel(id="catch-failure")
            yield KeepOffer(id="keep-offer")
            yield DoctorAdvice(id="catch-doctor")
            yield CertInfo(id="cert-info")
            yield Static("Consent URL", classes="section", id="consent-title")
            yield Static(id="consent-url")
            with Horizontal(id="consent-actions"):
                if self.runtime.demo:
                    yield ApproveButton(self.runtime.approve_as, id="approve")
                yield Button("Open in browser", id="open", compact=True)
                yield Button("Copy", id="copy", compact=True)
                yield Button("Amazon error page", id="error-page", compact=True)
            yield ActionStatus(self._open_url, id="action-status", opened=(
                f"Opened in your browser. Sign in as the {self.state.partner} and confirm; this "
                "screen follows the redirects."))
            yield Static("Timeline", classes="section", id="timeline-title")
            yield Timeline(id="timeline")
            yield PastePanel(id="paste-panel")
        with Horizontal(id="step-nav"):
            yield Button("Back to review", id="nav-back", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
            yield Button("Try again", id="retry", compact=True, variant="primary")
        yield keys_footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        if self._needs_setup:
            self._set_phase("setup")
        else:
            self.begin()

    # --- attempts -----------------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        return self.session.consent_url if self.session else None

    def begin(self) -> None:
        """Start a fresh attempt (new state, new listener); stale messages are ignored."""
        self._attempt += 1
        self._stop(keep_attempt=True)
        self._listening = False
        self._deadline = None
        self.query_one(PastePanel).reset()
        self.query_one("#catch-failure", FailurePanel).clear()
        self.query_one(DoctorAdvice).clear()
        for selector in ("#cert-info", "#action-status"):
            self.query_one(selector).display = False
        self.query_one("#catch-mode", Static).update("")
        if self.query_one(Timeline).entries:
            self._log(self._clock(), "— Trying again with a fresh state —")
        self._set_phase("preparing")
        self._run(self._attempt)

    @work(exclusive=True, group="attempt", exit_on_error=False)
    async def _run(self, attempt: int) -> None:
        await self._close_session()
        session = self._new_session(
            self.runtime, self.state, profile=self.profile, clock=self._clock,
            state_factory=self._state_factory, on_event=lambda event: self.post_message(
                AttemptProgress(attempt, event, self._clock())))
        self.session = session
        started: list[bool] = []
        try:
            await session.prepare()
            self.call_later(self._ready, attempt)
            plan = await session.plan()
            if not plan.listen:
                self.call_later(self._paste_only, attempt, plan.why_paste)
                return
            self.call_later(self._planned, attempt, plan)
            try:
                result = await session.catch(plan, timeout=self._timeout,
                                             listening=lambda _c: started.append(True))
            except FlowError as exc:
                if started:
                    raise
                self.call_later(self._paste_only, attempt, exc)  # could not listen: paste
                return
            self.post_message(AttemptEnded(attempt, result, None))
        except FlowError as exc:
            self.post_message(AttemptEnded(attempt, None, exc))
        except DemoError as exc:
            self.post_message(AttemptEnded(attempt, None, FlowError(exc.message, exc.fix)))

    async def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.aclose()

    async def on_unmount(self) -> None:
        await self._close_session()

    def _ready(self, attempt: int) -> None:
        if attempt != self._attempt or self.session is None:
            return
        self.query_one("#consent-url", Static).update(Content(self.session.consent_url or ""))
        self.app.consent_url = self.session.consent_url  # type: ignore[attr-defined]
        self.query_one(PastePanel).attach(attempt, self.session.paste)
        if self.runtime.demo:
            self.query_one("#catch-demo", Static).update(Content(
                demo_banner(self.runtime.storage_note)))
        self._sync()

    def _planned(self, attempt: int, plan: CatchPlan) -> None:
        if attempt != self._attempt or plan.cert is None:
            return
        self.query_one(CertInfo).show(plan.cert)

    def _paste_only(self, attempt: int, why: FlowError | None) -> None:
        if attempt != self._attempt or self.phase not in RUNNING:
            return
        self._set_phase("paste")
        reason = f"{why.message} {why.fix}".strip() if why else ""
        self.query_one("#catch-mode", Static).update(Content(
            f"Not listening on this machine: {reason}\nPaste-back mode: open the consent URL, "
            "approve, and paste each address the browser lands on into the field below."))
        self.query_one("#paste", Input).focus()

    # --- flow events and results --------------------------------------------------------------

    @on(AttemptProgress)
    def _progress(self, message: AttemptProgress) -> None:
        if message.attempt != self._attempt or self.phase not in RUNNING:
            return
        event = message.event
        self._log(message.at, timeline_text(event))
        if isinstance(event, Listening):
            self._listening = True
            self._deadline = message.at + self._timeout if self._timeout else None
            self._set_phase("listening")
            self.query_one("#catch-mode", Static).update(Content(
                listening_text(event.local_url, self.runtime.demo, self.state.partner)))
            if not isinstance(self.focused, Input):
                self.query_one("#approve" if self.runtime.demo else "#open").focus()
        elif isinstance(event, Exchanging):
            self._deadline = event.deadline
            self._set_phase("exchanging")

    @on(AttemptEnded)
    def _ended(self, message: AttemptEnded) -> None:
        if message.attempt != self._attempt or self.phase not in RUNNING:
            return
        self._stop()
        if message.authorized is not None:
            self._succeeded(message.authorized)
            return
        error = message.error
        assert error is not None
        exchanging = self.phase == "exchanging"
        self._set_phase("failed")
        self.query_one("#catch-failure", FailurePanel).show_error(error)
        path = self.session.keep_file_path() if self.session and error.keepable else None
        if path is not None and self.session is not None and not self.runtime.demo:
            self.query_one(KeepOffer).offer(error.keepable or "", path, self.session)
        consent = self.session.ready.consent if self.session and self.session.ready else None
        self.query_one(DoctorAdvice).explain(error.message, failure_facts(
            self.state, consent, error.cause, exchanging=exchanging))
        self.query_one("#catch-body").scroll_home(animate=False)
        self.query_one("#retry", Button).focus()

    def _succeeded(self, authorized: Authorized) -> None:
        self._set_phase("done")
        self._leave(Caught(self.state, authorized=authorized,
                           storage_note=self.runtime.storage_note,
                           in_memory=getattr(self.runtime.secrets, "location", "") == "memory"))

    @on(KeepOffer.Done)
    def _kept(self, message: KeepOffer.Done) -> None:
        """The refused secret went to the file (the token: done; the client secret: a fresh
        attempt), or the user let it go, or the file refused it too."""
        if message.error is not None:
            self.query_one("#catch-failure", FailurePanel).show_error(message.error)
        elif message.authorized is not None:
            self._succeeded(message.authorized)
        elif message.kept:
            self.begin()

    def on_paste(self, event: events.Paste) -> None:
        """A paste outside any field is a pasted address too (the field takes its own)."""
        text = event.text.strip()
        if text and self.phase in ("listening", "paste"):
            event.stop()
            self.query_one(PastePanel).submit(text.splitlines()[0])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "attempt" and event.state == WorkerState.CANCELLED \
                and self.phase == "cancelled" and self._listening:
            self._listening = False
            self._log(self._clock(), "Stopped listening; the port is free again.")

    # --- setup form (a real app without a profile name or client secret) ----------------------

    def _collect(self) -> WizardState:
        forms = self.query(SetupForm)
        return forms.first().collect() if forms and forms.first().display else self.state

    @on(SetupForm.Done)
    def _setup_done(self, message: SetupForm.Done) -> None:
        self.state, self.profile = message.state, None
        self.query_one(SetupForm).display = False
        self.begin()

    def _stop(self, *, keep_attempt: bool = False) -> None:
        """Stop what the attempt has running: the attempt itself (unless a new one starts
        now), a pasted address being checked, the demo's approval."""
        if not keep_attempt:
            self.workers.cancel_group(self, "attempt")
        self.query_one(PastePanel).attach(self._attempt, None)
        for button in self.query(ApproveButton):
            button.stop()

    def _leave(self, result: StepResult) -> None:
        if not self._left:
            self._left = True
            self.dismiss(result)

    # --- rendering ----------------------------------------------------------------------------

    def _log(self, at: float, text: str) -> None:
        self.query_one(Timeline).add(at, text)
        self.query_one("#timeline-title").display = True

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        self._sync()
        self._tick()

    def _sync(self) -> None:
        """Buttons, the consent URL and the footer keys follow the phase."""
        for name in ("approve", "open", "copy", "error-page"):
            for button in self.query(f"#{name}").results(Button):
                button.disabled = not self.check_action(name.replace("-", "_"), ())
        for name in ("cancel", "retry"):
            self.query_one(f"#{name}").display = bool(self.check_action(name, ()))
        live = self.url is not None and self.phase in RUNNING  # an ended attempt's URL is dead
        for selector in ("#consent-title", "#consent-url", "#consent-actions"):
            self.query_one(selector).display = live
        self.query_one("#catch-mode").display = self.phase != "failed"
        self.query_one(PastePanel).display = self.phase in ("listening", "paste")
        self.query_one("#timeline-title").display = bool(self.query_one(Timeline).entries)
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(PhaseLine).show(self.phase, self._clock(), self._deadline,
                                       self.session.expires_at if self.session else None)
