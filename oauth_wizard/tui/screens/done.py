"""The Done screen: what was authorized, where the refresh token is kept, and what comes next.

The token appears only masked (``masking.mask`` was applied by the flow; the full value never
reaches the UI). Verify (a real SP-API call, from a worker through ``keep_session``; the result
shows here) and Export (the Export dialog) work on the authorization just made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from oauth_wizard.core import marketplaces as registry
from oauth_wizard.keep.reports import AuthRef
from oauth_wizard.tui.screens.base import StepBody, keys_footer
from oauth_wizard.tui.screens.export import ExportDialog
from oauth_wizard.tui.screens.keep_widgets import verify_content
from oauth_wizard.tui.state import Back, Caught, StepResult

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.keep import KeepSession

MEMORY_CAVEAT = ("Demo: the token lives in memory only and is gone when the demo ends (no "
                 "keyring backend is usable here; nothing was written to disk). It is a simulator "
                 "token: it works against this run's local Amazon, never against Amazon.")
DEMO_CAVEAT = ("Demo: a simulator token, {note}. It works against the local Amazon of a demo "
               "run, never against Amazon.")


class DoneScreen(Screen[StepResult]):
    """The end of a successful attempt: authorize another seller/marketplace, or quit."""

    STEP = "done"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "Verify", id="verify-done",
                tooltip="Refresh the token and call SP-API with it, now"),
        Binding("e", "export", "Export", id="export-done",
                tooltip="Write the credentials for your SP-API library"),
        Binding("n", "another", "Authorize another", id="another",
                tooltip="Back to the Review to authorize another seller or marketplace"),
        Binding("escape", "another", "Authorize another", show=False),
        Binding("q", "quit", "Quit", id="quit-done"),
    ]

    def __init__(self, caught: Caught, *, state_factory, keep: KeepSession) -> None:
        super().__init__(classes="done")
        self.caught = caught
        self._state_factory = state_factory
        self.keep = keep
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
                           f"the {state.partner} sells in"),
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
            name = "NAME" if state.demo else state.profile_name.strip() or "NAME"
            yield Static(Content(
                "· verify (v): refresh the token and call SP-API with it, here and now\n"
                "· export (e): write it for your SP-API library; in scripts, oauth-wizard "
                f"token {name} --access prints a fresh access token\n"
                "· the seller can revoke the app at any time; re-authorize within 365 days "
                "(Profiles on the Welcome screen shows when)"), id="done-next")
            yield Static(id="done-verify")
        with Horizontal(id="step-nav"):
            yield Button("Verify", id="verify-done", compact=True)
            yield Button("Export", id="export-done", compact=True)
            yield Button("Authorize another seller or marketplace", id="another",
                         variant="primary", compact=True)
            yield Button("Quit", id="quit-done", compact=True)
        yield keys_footer()

    def action_another(self) -> None:
        """Back to the Review with a fresh state: another seller, or (Back) another market."""
        if not self._left:
            self._left = True
            self.dismiss(Back(self.caught.state.with_(csrf_state=self._state_factory())))

    def action_quit(self) -> None:
        self.app.exit()

    @property
    def ref(self) -> AuthRef:
        auth = self.caught.authorized.authorization  # type: ignore[union-attr]
        return AuthRef(self.caught.state.profile_name.strip(), auth.region,
                       auth.selling_partner_id)

    def action_verify(self) -> None:
        self.verify()

    @work(exclusive=True, group="done-verify", exit_on_error=False)
    async def verify(self) -> None:
        """The verify call, its result (marketplaces, or cause and fix) under What next."""
        result = self.query_one("#done-verify", Static)
        result.set_classes("")
        result.update(Content(f"Verifying {self.ref.region} {self.ref.selling_partner_id}…"))
        result.display = True
        report = await self.keep.verify(self.ref, progress=lambda t: result.update(Content(t)))
        result.update(verify_content(report))
        result.set_class(not report.ok, "-error")
        result.set_class(report.ok, "-ok")
        self.call_after_refresh(result.scroll_visible)

    def action_export(self) -> None:
        self.app.push_screen(ExportDialog(self.keep, self.ref))

    @on(Button.Pressed, "#verify-done")
    def _verify_pressed(self) -> None:
        self.action_verify()

    @on(Button.Pressed, "#export-done")
    def _export_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#another")
    def _another(self) -> None:
        self.action_another()

    @on(Button.Pressed, "#quit-done")
    def _quit(self) -> None:
        self.action_quit()
