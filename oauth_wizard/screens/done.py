"""The Done screen: what was authorized, where the refresh token is kept, and what comes next.

The token appears only masked (``masking.mask`` was applied by the flow; the full value never
reaches the UI). ``verify``/``token``/``export`` arrive with the next issue, so they are named
as coming, not offered.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from .. import marketplaces as registry
from ..wizard_state import Back, StepResult
from .base import StepBody
from .catch import Caught

MEMORY_CAVEAT = ("Demo: the token lives in memory only and is gone when the demo ends (no "
                 "keyring backend is usable here; nothing was written to disk). It is a simulator "
                 "token: it works against this run's local Amazon, never against Amazon.")
DEMO_CAVEAT = ("Demo: a simulator token, {note}. It works against the local Amazon of a demo "
               "run, never against Amazon.")


class DoneScreen(Screen[StepResult]):
    """The end of a successful attempt: authorize another seller/marketplace, or quit."""

    STEP = "done"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "another", "Authorize another", id="another",
                tooltip="Back to the Review to authorize another seller or marketplace"),
        Binding("escape", "another", "Authorize another", show=False),
        Binding("q", "quit", "Quit", id="quit-done"),
    ]

    def __init__(self, caught: Caught, *, state_factory) -> None:
        super().__init__(classes="done")
        self.caught = caught
        self._state_factory = state_factory
        self.sub_title = "Authorized"
        self._left = False

    def compose(self) -> ComposeResult:
        caught = self.caught
        assert caught.authorized is not None
        auth = caught.authorized.authorization
        state = caught.state
        yield Header()
        with StepBody(id="done-body"):
            yield Static(Content(f"✓ Authorized: selling partner {auth.selling_partner_id} "
                                 f"({auth.region})"), id="done-title")
            markets = ", ".join(registry.lookup(c).label() for c in auth.marketplaces)
            rows = [
                ("Selling partner", auth.selling_partner_id),
                ("Region", f"{auth.region}: the token serves every {auth.region} marketplace "
                           "the seller sells in"),
                ("Authorized in", markets or "(not recorded)"),
                ("Refresh token", caught.authorized.masked_token),
                ("Stored in", caught.authorized.storage),
                ("Profile", state.profile_name.strip() or "(none)"),
            ]
            for label, value in rows:
                with Horizontal(classes="done-row"):
                    yield Static(label, classes="field-label")
                    yield Static(Content(value), classes="done-value")
            if state.demo:
                caveat = MEMORY_CAVEAT if caught.in_memory else DEMO_CAVEAT.format(
                    note=caught.storage_note)
                yield Static(Content(caveat), classes="demo-banner", id="done-caveat")
            if caught.authorized.mws_auth_token:
                yield Static("The redirect also carried an mws_auth_token (hybrid app); MWS was "
                             "retired in 2024, so it was not kept.", classes="hint")
            yield Static("What next", classes="section")
            yield Static(Content(
                "· next: verify the token with a real SP-API call (coming soon: oauth-wizard "
                "verify)\n"
                "· then use it: print an access token or export it for your SP-API library "
                "(coming soon: oauth-wizard token / export)\n"
                "· the seller can revoke the app at any time; re-authorize within 365 days"),
                id="done-next")
        with Horizontal(id="step-nav"):
            yield Button("Authorize another seller or marketplace", id="another",
                         variant="primary", compact=True)
            yield Button("Quit", id="quit-done", compact=True)
        yield Footer()

    def action_another(self) -> None:
        """Back to the Review with a fresh state: another seller, or (Back) another market."""
        if not self._left:
            self._left = True
            self.dismiss(Back(self.caught.state.with_(csrf_state=self._state_factory())))

    def action_quit(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#another")
    def _another(self) -> None:
        self.action_another()

    @on(Button.Pressed, "#quit-done")
    def _quit(self) -> None:
        self.action_quit()
