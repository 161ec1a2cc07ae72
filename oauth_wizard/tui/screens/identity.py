"""Step 1, App identity: app ID, LWA client ID, client secret (masked), seller or vendor app,
and the profile name the app is saved under when it is authorized."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from oauth_wizard.tui.screens.base import FieldNote, StepScreen
from oauth_wizard.tui.screens.marked_toggles import ChoiceRadioSet, MarkedRadioButton
from oauth_wizard.tui.state import WizardState

FIELDS = {"app-id": "app_id", "client-id": "client_id", "client-secret": "client_secret",
          "profile-name": "profile_name"}

SECRET_HINTS = {
    False: "Needed to authorize (the code exchange). Never shown; when you authorize it goes to "
           "the OS keyring, never to a file.",
    True: "The simulator's own demo secret, prefilled. Never shown.",
}
PROFILE_HINTS = {
    False: "The app is saved under this name when you authorize (no secret goes into the "
           "profile file).",
    True: "The demo saves it in a temporary config dir, never among your real profiles.",
}


class IdentityScreen(StepScreen):
    """Which app this is. The secret is optional here and is never shown or saved by this step."""

    STEP = "identity"
    FOCUS_TARGETS = {"app_id": "#app-id", "client_id": "#client-id",
                     "client_secret": "#client-secret", "kind": "#kind",
                     "profile_name": "#profile-name"}

    def compose_step(self) -> ComposeResult:
        s = self.state
        if s.demo:
            yield Static("Demo: prefilled with the local simulator's draft seller app. Nothing "
                         "is sent to Amazon.", classes="demo-banner")
        yield Static("Copy these from the Solution Provider Portal → Develop Apps: the app's "
                     "row, then 'LWA credentials → View' (older routes: Seller Central → Apps "
                     "and Services → Develop Apps; Vendor Central → Integration → API "
                     "Integration).", classes="intro")
        with Horizontal(classes="field-row"):
            yield Label("App ID", classes="field-label")
            yield Input(s.app_id, placeholder="amzn1.sp.solution.<uuid>", id="app-id")
        yield FieldNote(id="note-app_id", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label("LWA client ID", classes="field-label")
            yield Input(s.client_id, placeholder="amzn1.application-oa2-client.<32 hex digits>",
                        id="client-id")
        yield FieldNote(id="note-client_id", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label("Client secret", classes="field-label")
            yield Input(s.client_secret, placeholder="optional now", password=True,
                        id="client-secret")
        yield Static(SECRET_HINTS[s.demo], classes="hint field-hint")
        yield FieldNote(id="note-client_secret", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label("App kind", classes="field-label")
            with ChoiceRadioSet(id="kind"):
                yield MarkedRadioButton("Seller app", value=s.kind != "vendor",
                                  id="kind-seller")
                yield MarkedRadioButton("Vendor app", value=s.kind == "vendor",
                                  id="kind-vendor")
        yield FieldNote(id="note-kind", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label("Profile name", classes="field-label")
            yield Input(s.profile_name, placeholder="e.g. my-repricer (needed to authorize)",
                        id="profile-name")
        yield Static(PROFILE_HINTS[s.demo], classes="hint field-hint")
        yield FieldNote(id="note-profile_name", classes="field-note")

    def filled_fields(self) -> Iterable[str]:
        s = self.state
        return [f for f, v in (("app_id", s.app_id), ("client_id", s.client_id),
                               ("client_secret", s.client_secret),
                               ("profile_name", s.profile_name)) if v]

    def collect(self) -> WizardState:
        kind = "vendor" if self.query_one("#kind-vendor", RadioButton).value else "seller"
        return self.state.with_(
            app_id=self.query_one("#app-id", Input).value,
            client_id=self.query_one("#client-id", Input).value,
            client_secret=self.query_one("#client-secret", Input).value,
            kind=kind,
            profile_name=self.query_one("#profile-name", Input).value,
        )

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id in FIELDS:
            self.touch(FIELDS[event.input.id])

    @on(RadioSet.Changed)
    def _kind_changed(self) -> None:
        self.touch("kind")
