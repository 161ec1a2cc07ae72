"""The Self-authorize screen: keep the refresh token Seller Central's Authorize button shows.

Choose the profile (the app the token was issued for) and the region of the Seller Central
account, paste the token into a masked field whose shape is checked as you type (the messages
never repeat it), then Prove and store: ``keep_session`` refreshes it at LWA (the proof), learns
the marketplaces with the verify call and stores it, all from a worker. Only the masked token is
ever shown; the field is emptied once the token is stored. In the demo, the simulator's token
for the demo app can be pasted with one key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static

from oauth_wizard.core.marketplaces import REGIONS, by_region
from oauth_wizard.core.records import ProfileRecord
from oauth_wizard.core.tokens import check_refresh_token, is_placeholder
from oauth_wizard.core.validation import Problem
from oauth_wizard.keep.reports import Failure, SelfAuthReport
from oauth_wizard.tui.screens.base import FieldNote, StepBody, keys_footer
from oauth_wizard.tui.screens.keep_widgets import OpenKeep, failure_content

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.keep import KeepSession

INTRO = ("For your own seller account: in Seller Central open Apps and Services → Develop Apps, "
         "choose Authorize on your app's row and copy the refresh token it shows (it starts "
         "with Atzr|). The wizard proves it at Login with Amazon, asks SP-API which "
         "marketplaces it reaches, then keeps it in the OS keyring.")
DEMO_NOTE = ("Demo: the simulator's Seller Central has issued a self-authorization token for "
             "the demo app (Pat's Demo Store, NA). Press ctrl+t or the button below to paste "
             "it, then Prove and store.")
NO_PROFILES = ("No profiles yet, so there is no app to keep a token for: a self-authorization "
               "token belongs to one app. Add the app first: on the Welcome screen choose "
               "Authorize a seller (the wizard saves the app as a profile), or run\n"
               "    oauth-wizard profile add NAME --app-id ID --client-id CLIENT_ID "
               "--app-state draft --marketplace CC\n"
               "then come back here (or run oauth-wizard self-auth NAME).")
REGION_HINT = ("The region of the Seller Central account whose Authorize button you used. A "
               "merged account shows one per region: self-authorize once per region.")


def region_label(region: str) -> str:
    codes = ", ".join(m.code for m in by_region()[region][:6])
    return f"{region} ({codes}…)" if len(by_region()[region]) > 6 else f"{region} ({codes})"


class SelfAuthScreen(Screen[None]):
    """Profile, region, the masked token with its live shape check, Prove and store."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "prove", "Prove and store", id="prove",
                tooltip="Refresh the token at LWA, learn its marketplaces, store it"),
        Binding("ctrl+t", "demo_token", "Paste the demo token", id="demo-token"),
        Binding("ctrl+o", "profiles", "Profiles", id="profiles"),
    ]

    def __init__(self, keep: KeepSession, *, profile: str | None = None,
                 region: str | None = None) -> None:
        super().__init__(classes="keep selfauth")
        self.keep = keep
        self._wanted = profile
        self._wanted_region = region
        self.sub_title = "Self-authorize · keep your own account's refresh token"
        self.records: dict[str, ProfileRecord] = {}
        self.report: SelfAuthReport | None = None
        self.loaded = False
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with StepBody(id="selfauth-body"):
            if self.keep.demo:
                yield Static(DEMO_NOTE, classes="demo-banner", id="sa-demo")
            yield Static(INTRO, classes="intro")
            yield Static("Reading the profiles…", id="sa-loading", classes="hint")
            yield Static(NO_PROFILES, id="sa-none")
            with Horizontal(classes="field-row", id="sa-profile-row"):
                yield Label("Profile", classes="field-label")
                yield Select([], prompt="Choose the app", id="sa-profile")
            yield Static(id="sa-profile-hint", classes="hint field-hint")
            with Horizontal(classes="field-row", id="sa-region-row"):
                yield Label("Region", classes="field-label")
                yield Select([(region_label(r), r) for r in REGIONS], value=REGIONS[0],
                             allow_blank=False, id="sa-region")
            yield Static(REGION_HINT, classes="hint field-hint", id="sa-region-hint")
            with Horizontal(classes="field-row", id="sa-token-row"):
                yield Label("Refresh token", classes="field-label")
                yield Input(password=True, placeholder="Atzr|… (paste it; it is never shown)",
                            id="sa-token")
            yield FieldNote(id="note-token", classes="field-note")
            with Horizontal(id="sa-actions"):
                yield Button("Prove and store", id="sa-go", variant="primary", compact=True)
                if self.keep.demo:
                    yield Button("Paste the demo token", id="sa-demo-token", compact=True)
            yield Static(id="sa-progress", classes="hint")
            yield Static(id="sa-result")
        yield keys_footer()

    def on_mount(self) -> None:
        for selector in ("#sa-none", "#sa-profile-row", "#sa-profile-hint", "#sa-region-row",
                         "#sa-region-hint", "#sa-token-row", "#sa-actions", "#sa-progress",
                         "#sa-result"):
            self.query_one(selector).display = False
        self.load()

    @work(exclusive=True, group="selfauth-load", exit_on_error=False)
    async def load(self) -> None:
        found = await self.keep.profiles()
        self.loaded = True
        self.query_one("#sa-loading").display = False
        if isinstance(found, Failure):
            self.show_result(failure_content(found), error=True)
            return
        self.records = found
        if not found:
            self.query_one("#sa-none").display = True
            self.refresh_bindings()
            return
        for selector in ("#sa-profile-row", "#sa-profile-hint", "#sa-region-row",
                         "#sa-region-hint", "#sa-token-row", "#sa-actions"):
            self.query_one(selector).display = True
        select = self.query_one("#sa-profile", Select)
        select.set_options([(name, name) for name in found])
        wanted = self._wanted if self._wanted in found else next(iter(found))
        select.value = wanted
        self.query_one("#sa-token", Input).focus()
        self.refresh_bindings()

    # --- the fields ------------------------------------------------------------------------

    @on(Select.Changed, "#sa-profile")
    def _profile_changed(self, event: Select.Changed) -> None:
        record = self.records.get(event.value) if isinstance(event.value, str) else None
        hint = self.query_one("#sa-profile-hint", Static)
        if record is None:
            hint.update("")
            return
        app = record.app
        regions = app.regions()
        own = [a for a in record.authorizations if a.how == "self-auth"]
        said = (f"{app.app_state} {app.kind} app {app.app_id}; marketplaces "
                f"{', '.join(app.marketplaces) or 'none listed'}")
        if own:
            said += (". Already self-authorized in " + ", ".join(a.region for a in own)
                     + ": a new token for the same region replaces that entry.")
        hint.update(Content(said))
        region = self._wanted_region if record.name == self._wanted else None
        if region in REGIONS or regions:
            self.query_one("#sa-region", Select).value = region or regions[0]

    @on(Input.Changed, "#sa-token")
    def _token_changed(self, event: Input.Changed) -> None:
        self.check_shape(event.value)

    def check_shape(self, value: str) -> bool:
        """Show the shape problems (never the value); True when the token may be tried."""
        note = self.query_one("#note-token", FieldNote)
        if not value:
            note.show([])
            return False
        checked = check_refresh_token(value)
        problems = list(checked.problems)
        ok = not any(p.severity == "error" for p in problems)
        if ok:
            problems.append(Problem("refresh_token", "note", f"The shape is right: it starts "
                                    f"with Atzr| and has {len(checked.value)} characters, no "
                                    "spaces or quotes. Prove and store checks it at LWA.", ""))
        note.show(problems)
        return ok

    @on(Input.Submitted, "#sa-token")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_prove()

    # --- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_token":
            return True if self.keep.demo and self.records else None if self.keep.demo else False
        if action == "prove":
            return True if self.records else None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_profiles(self) -> None:
        self.post_message(OpenKeep("profiles"))

    def action_demo_token(self) -> None:
        token = self.keep.demo_token()
        if token and self.records:
            field = self.query_one("#sa-token", Input)
            field.value = token
            field.focus()

    @on(Button.Pressed, "#sa-demo-token")
    def _demo_pressed(self) -> None:
        self.action_demo_token()

    @on(Button.Pressed, "#sa-go")
    def _go_pressed(self) -> None:
        self.action_prove()

    def action_prove(self) -> None:
        if self._busy or not self.records:
            return
        name = self.query_one("#sa-profile", Select).value
        token = self.query_one("#sa-token", Input).value
        if not isinstance(name, str):
            self.show_result(Content("✗ Choose the profile (the app) the token was issued for."),
                             error=True)
            return
        if not self.check_shape(token):
            if not token:
                self.query_one("#note-token", FieldNote).show(list(
                    check_refresh_token(token).problems))
            self.query_one("#sa-token", Input).focus()
            return
        region = self.query_one("#sa-region", Select).value
        self.prove(name, str(region), token)

    @work(exclusive=True, group="selfauth", exit_on_error=False)
    async def prove(self, name: str, region: str, token: str) -> None:
        self._busy = True
        progress = self.query_one("#sa-progress", Static)
        progress.display = True
        self.query_one("#sa-result").display = False
        try:
            report = await self.keep.self_authorize(
                name, region, token, progress=lambda text: progress.update(Content(text)))
        finally:
            self._busy = False
            progress.display = False
        self.report = report
        if report.result is None:
            assert report.failure is not None
            self.show_result(failure_content(report.failure), error=True)
            return
        self.query_one("#sa-token", Input).value = ""  # stored: nothing stays in the field
        self.show_result(self.stored_content(report), error=report.verify_failure is not None)

    def stored_content(self, report: SelfAuthReport) -> Content:
        result = report.result
        assert result is not None
        auth, outcome = result.authorization, result.outcome
        spid = auth.selling_partner_id
        who = f"{spid} (a placeholder: the token does not say the id)" if is_placeholder(
            spid) else spid
        lines = [f"✓ Stored: profile '{self.query_one('#sa-profile', Select).value}', "
                 f"region {auth.region}.",
                 f"  Selling partner  {who}",
                 f"  Marketplaces     {', '.join(auth.marketplaces) or 'none listed'}"]
        if outcome.store_names:
            lines.append(f"  Store            {', '.join(outcome.store_names)}")
        lines.append(f"  Refresh token    {result.masked_token} in {result.storage}")
        lines += [f"! {text}" for text in (*result.notes, *outcome.warnings)]
        lines += [f"· Replaced the earlier entry {old.selling_partner_id} of {old.region}."
                  for old in result.replaced]
        content = Content("\n".join(lines))
        if report.verify_failure is not None:
            return Content.assemble(content, "\n", failure_content(report.verify_failure))
        return Content.assemble(content, "\nNext: ctrl+o opens Profiles, where you can verify "
                                "it again or export it for your SP-API library.")

    def show_result(self, text: Content, *, error: bool) -> None:
        result = self.query_one("#sa-result", Static)
        result.update(text)
        result.set_class(error, "-error")
        result.set_class(not error, "-ok")
        result.display = True
        self.call_after_refresh(result.scroll_visible)
