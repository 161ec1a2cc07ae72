"""Step 6, Review: the consent URL, why each parameter is there, and everything found about it.

Before anything opens, the preflight runs the doctor's rules on the app described: predicted
failures are listed with their fixes, and a certain one blocks Authorize and Open in browser
until the user confirms "Authorize anyway". Copy goes through OSC 52 (only some terminals
honour it), so the URL is always shown in full and selectable. Opening the browser may block,
so it runs in a thread worker and the result is reported back on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar
from urllib.parse import urlsplit

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Header, Static

from oauth_wizard.core import marketplaces as registry
from oauth_wizard.doctor.knowledge import KnowledgeError
from oauth_wizard.doctor.preflight import Preflight, preflight
from oauth_wizard.tui.review import Review, build_review
from oauth_wizard.tui.screens.attempt_widgets import ActionStatus
from oauth_wizard.tui.screens.base import FieldNote, WizardScreen, keys_footer
from oauth_wizard.tui.screens.doctor import DoctorScreen
from oauth_wizard.tui.screens.preflight_panel import AuthorizeAnyway, PredictedFailures
from oauth_wizard.tui.sessions.doctor import state_facts
from oauth_wizard.tui.state import Next, WizardState

PORTAL_NAMES = {"seller": "Seller Central", "vendor": "Vendor Central"}
CREDENTIAL_GIVEN = ("Client secret: •••••••• (never shown; Authorize saves it to the OS keyring, "
                    "never to a file)")
DEMO_CREDENTIAL = "Client secret: •••••••• (the simulator's demo secret; never shown)"
CREDENTIAL_MISSING = ("Client secret: not given yet (Authorize asks for it: the code exchange "
                      "needs it)")
DEMO_NOTE = ("Demo: Authorize (a) sends this URL to the local simulator instead of Amazon: the "
             "same parameters, on 127.0.0.1.")
CLIPBOARD_NOTE = ("c copies it (OSC 52; not every terminal has it). A mouse selection picks up "
                  "a line break where it wraps: it is printed on one line when you quit.")


class ReviewScreen(WizardScreen):
    """The finished consent URL with its explanation, lint findings and profile warnings."""

    STEP = "review"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "authorize", "Authorize", id="authorize",
                tooltip="Start the authorization: catch the redirect and exchange the code"),
        Binding("a", "authorize_anyway", "Authorize anyway…", id="authorize-anyway",
                tooltip="Preflight predicts a refusal; asks before going on"),
        Binding("ctrl+n", "authorize", "Authorize", show=False),
        Binding("c", "copy", "Copy", id="copy"),
        Binding("o", "open", "Open", id="open"),
        Binding("n", "new_state", "New state", id="new_state"),
        Binding("d", "doctor", "Diagnose", id="doctor",
                tooltip="The doctor, with the facts of this app"),
    ]

    def __init__(self, state: WizardState, *, state_factory: Callable[[], str],
                 open_url: Callable[[str], bool]) -> None:
        super().__init__(state)
        self._state_factory = state_factory
        self._open_url = open_url
        self.review: Review = build_review(state)
        self.preflight, self.preflight_error = self._preflight()
        self.forced = False
        """The user confirmed "Authorize anyway": a certain failure no longer blocks."""

    def _preflight(self) -> tuple[Preflight | None, str | None]:
        """The doctor's rules on the app described (pure and fast: run right here)."""
        consent, profile = self.review.consent, self.review.profile
        if consent is None or profile is None:
            return None, None
        try:
            return preflight(profile, consent.marketplace, consent,
                             self.state.consent_redirect_uri(),
                             simulated=self.state.simulated_endpoints), None
        except KnowledgeError as exc:
            return None, str(exc)

    @property
    def url(self) -> str | None:
        return self.review.consent.url if self.review.consent else None

    @property
    def blocked(self) -> bool:
        """A certain predicted failure the user has not chosen to ignore."""
        return bool(self.preflight and self.preflight.certain_failure and not self.forced)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="step-body"):
            yield from self._compose_review()
        with Horizontal(id="step-nav"):
            yield Button("Back", id="nav-back", compact=True)
            yield Button("Authorize", id="authorize", compact=True, variant="primary",
                         disabled=self.blocked)
            if self.blocked:
                yield Button("Authorize anyway…", id="authorize-anyway", compact=True,
                             variant="warning")
            yield Button("Copy", id="copy", compact=True)
            yield Button("Open in browser", id="open", compact=True, disabled=self.blocked)
            yield Button("New state", id="new-state", compact=True)
            yield Button("Diagnose", id="doctor", compact=True)
        yield keys_footer()

    def _compose_review(self) -> ComposeResult:
        review, consent = self.review, self.review.consent
        if consent is None:
            yield Static(Content(f"No consent URL yet. {review.error}"), id="review-error",
                         classes="-error")
            yield Static("Press Escape to go back and fix it.", classes="hint")
        else:
            beta = ("version=beta (app not Published)" if consent.beta
                    else "no version=beta (Published)")
            market = registry.lookup(consent.marketplace)
            yield Static(Content(
                f"{market.label()} · region {consent.region} · {PORTAL_NAMES[consent.kind]} "
                f"· {beta}"), id="review-summary")
            credential = (DEMO_CREDENTIAL if self.state.demo else CREDENTIAL_GIVEN) \
                if self.state.client_secret else CREDENTIAL_MISSING
            yield Static(credential, id="review-secret", classes="hint")
            if self.state.demo:
                yield Static(DEMO_NOTE, classes="demo-banner", id="review-demo")
            elif self.state.simulator:
                yield Static(Content(
                    f"Not Amazon: Authorize (a) sends this URL to the simulator at "
                    f"{self.state.simulator}/{urlsplit(consent.url).hostname}/… (the "
                    f"OAUTH_WIZARD_PORTAL_URL override), with the same parameters."),
                    classes="demo-banner", id="review-demo")
            yield Static(Content(consent.url), id="consent-url")
            self.app.consent_url = consent.url  # type: ignore[attr-defined]
            yield Static(CLIPBOARD_NOTE, classes="hint")
            yield PredictedFailures(self.preflight, self.preflight_error, id="preflight")
            yield ActionStatus(self._open_url, id="action-status", opened=(
                f"Opened the consent URL in your browser. Sign in as the {self.state.partner} and "
                "confirm; Amazon then calls the Login URI."))
            yield Static("Parameters", classes="section")
            for param in consent.params:
                yield Static(Content(f"{param.name} = {param.value}"), classes="param-name")
                yield Static(Content(param.why), classes="param-why")
            yield Static("Notes", classes="section")
            for note in consent.notes:
                yield Static(Content(f"· {note}"), classes="review-note")
            yield Static("Lint", classes="section")
            if review.lint and review.lint.problems:
                for finding in review.lint.problems:
                    yield Static(Content(f"✗ [{finding.id}] {finding.message}\n→ {finding.fix}"),
                                 classes="lint-finding")
            else:
                yield Static("✓ Nothing Amazon would refuse this URL for (checked: host, path, "
                             "application_id, version, redirect_uri, encoding).", id="lint-ok")
        if review.warnings:
            yield Static("Warnings about the app", classes="section")
            for warning in review.warnings:
                note = FieldNote(classes="field-note review-warning")
                note.show([warning])
                yield note

    def _status(self, text: str, *, error: bool = False) -> None:
        self.query_one(ActionStatus).say(text, error=error)

    def action_copy(self) -> None:
        if self.url is not None:
            self.query_one(ActionStatus).copy(self.url)

    def action_open(self) -> None:
        if self.url is None:
            return
        if self.blocked:
            self._confirm("Open it anyway", self._open_forced)
            return
        self.query_one(ActionStatus).open(self.url)

    async def action_new_state(self) -> None:
        if self.url is None:
            return
        self.state = self.state.with_(csrf_state=self._state_factory())
        self.review = build_review(self.state)
        self.preflight, self.preflight_error = self._preflight()
        await self.recompose()
        self._status("Made a new state value; the URL above uses it.")
        self.query_one("#new-state").focus()

    def action_authorize(self) -> None:
        """On to the Catch screen (the driver decides); only with a URL to authorize with,
        and after a confirmation when the preflight predicts a certain failure."""
        if self.url is None:
            return
        if self.blocked:
            self.action_authorize_anyway()
            return
        self.leave(Next(self.state, self.review.profile))

    def action_authorize_anyway(self) -> None:
        self._confirm("Authorize anyway", self._authorize_forced)

    def _confirm(self, verb: str, then) -> None:
        certain = tuple(f for f in self.preflight.findings if f.certain) if self.preflight else ()
        self.app.push_screen(AuthorizeAnyway(certain, verb=verb), then)

    def _authorize_forced(self, confirmed: bool | None) -> None:
        if confirmed:
            self.forced = True
            self.leave(Next(self.state, self.review.profile))

    def _open_forced(self, confirmed: bool | None) -> None:
        if confirmed:
            self.forced = True
            for selector in ("#authorize", "#open"):
                self.query_one(selector, Button).disabled = False
            self.refresh_bindings()
            self.action_open()

    def action_doctor(self) -> None:
        """The doctor, starting from what this app's description already says."""
        facts = state_facts(self.state, self.review.consent)
        if self.review.consent is not None:
            facts["via"] = "consent"
        self.app.push_screen(DoctorScreen("", facts, origin="review"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("authorize", "copy", "open", "new_state", "authorize_anyway") \
                and self.url is None:
            return False
        if action in ("authorize", "open"):
            return not self.blocked
        if action == "authorize_anyway":
            return self.blocked
        return True

    @on(Button.Pressed, "#authorize")
    def _authorize_pressed(self) -> None:
        self.action_authorize()

    @on(Button.Pressed, "#authorize-anyway")
    def _anyway_pressed(self) -> None:
        self.action_authorize_anyway()

    @on(Button.Pressed, "#doctor")
    def _doctor_pressed(self) -> None:
        self.action_doctor()

    @on(Button.Pressed, "#copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    @on(Button.Pressed, "#open")
    def _open_pressed(self) -> None:
        self.action_open()

    @on(Button.Pressed, "#new-state")
    async def _new_state_pressed(self) -> None:
        await self.action_new_state()
