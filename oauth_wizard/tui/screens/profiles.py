"""The Profiles screen: every profile and authorization with what needs attention, gh-style
(the same facts as ``oauth-wizard status``), and the actions that fix it: verify, authorize
again, export, remove, self-authorize, rotate the client secret.

The list shows each profile with its authorizations under it; the pane beside it shows the
selected one's facts (secrets masked), each problem with its fix, the exact command and the key
that does it here, and the last action's result. Everything that reads the keyring, the files
or the network runs in ``keep_session`` from a worker, so a slow keyring never freezes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from oauth_wizard.keep.reports import AuthRef, Failure, StatusView
from oauth_wizard.keep.status import Problem
from oauth_wizard.tui.screens.base import keys_footer
from oauth_wizard.tui.screens.export import ExportDialog
from oauth_wizard.tui.screens.keep_widgets import (
    ConfirmDialog,
    OpenKeep,
    Reauthorize,
    failure_content,
    verify_content,
)
from oauth_wizard.tui.screens.profiles_view import (
    MARK,
    Item,
    Rows,
    auth_facts,
    here_hint,
    items,
    problems_of,
    profile_facts,
    prompt,
    summary,
)
from oauth_wizard.tui.screens.rotate import RotateDialog
from oauth_wizard.tui.screens.welcome import WelcomeScreen

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.keep import KeepSession

LOADING = ("Reading the profiles and checking where their secrets are (a keyring waiting for "
           "an unlock answers within a few seconds)…")
DEMO_NOTE = "Demo profiles, not yours. The commands shown are for real profiles; use the keys."
EMPTY = ("A profile describes one SP-API app: its IDs, marketplaces and URIs. Its client secret "
         "and the refresh token of each authorization go to the OS keyring, never to a file.\n\n"
         "Add one:\n"
         "· here: press a to authorize a seller; the wizard saves the app as a profile when you "
         "authorize (then s self-authorizes your own account with it);\n"
         "· or on the command line (the client secret is read from a hidden prompt):\n    {cmd}")
ACTIONS = ("verify", "reauthorize", "export", "remove", "rotate")
NARROW = 100  # columns


def fact_rows(rows: Rows) -> list[Horizontal]:
    """Label and value side by side, the value wrapping under itself."""
    return [Horizontal(Static(label, classes="keep-label"),
                       Static(Content(value), classes="keep-value"), classes="keep-row")
            for label, value in rows]


def problem_view(problem: Problem, how: str | None) -> Vertical:
    """A problem, its fix, the exact command, and the key that fixes it here."""
    parts = [Static(Content(f"{MARK[problem.severity]} {problem.message}"),
                    classes="keep-problem-message")]
    if problem.fix:
        parts.append(Static(Content(problem.fix), classes="keep-fix"))
    if problem.command:
        parts.append(Static(Content(problem.command), classes="keep-command"))
    here = here_hint(problem, how)
    if here:
        parts.append(Static(f"Here: {here}.", classes="keep-here"))
    return Vertical(*parts, classes=f"keep-problem -{problem.severity}")


class ProfilesScreen(Screen[None]):
    """Profiles & status, with the actions that keep the tokens working."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("v", "verify", "Verify", id="verify",
                tooltip="Refresh the token and call SP-API with it"),
        Binding("r", "reauthorize", "Re-authorize", id="reauthorize",
                tooltip="Authorize this profile again, from the wizard's Review"),
        Binding("e", "export", "Export", id="export",
                tooltip="Write the credentials for your SP-API library"),
        Binding("d", "remove", "Remove", id="remove",
                tooltip="Delete the profile and its secrets (asks first)"),
        Binding("delete", "remove", "Remove", show=False),
        Binding("o", "rotate", "Rotate", id="rotate",
                tooltip="Rotate the client secret through Amazon's API and your SQS queue"),
        Binding("s", "self_auth", "Self-auth", id="self-auth",
                tooltip="Self-authorize: keep the token Seller Central shows for your account"),
        Binding("a", "authorize", "Authorize a seller", id="authorize"),
        Binding("f5", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, keep: KeepSession, *, state_factory: Callable[[], str]) -> None:
        super().__init__(classes="keep profiles")
        self.keep = keep
        self._state_factory = state_factory
        self.sub_title = "Profiles & status"
        self.view: StatusView | None = None
        self.items: list[Item] = []
        self.results: dict[AuthRef, tuple[Content, bool]] = {}  # the last verify's, and ok
        self._stale = True  # reload when shown again (after self-auth or the wizard)
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        if self.keep.demo:
            yield Static(DEMO_NOTE, classes="demo-banner", id="profiles-demo")
        yield Static(LOADING, id="profiles-summary")
        yield Static(id="profiles-trouble")
        with Horizontal(id="profiles-main"):
            yield OptionList(id="profile-list")
            with VerticalScroll(id="profile-detail"):
                yield Static(id="detail-head")
                yield Vertical(id="detail-facts")
                yield Vertical(id="detail-problems")
                yield Static(id="detail-result")
        yield Static(id="profiles-empty")
        yield keys_footer()

    def on_resize(self, event: events.Resize) -> None:
        """Under 100 columns the list goes above the facts (an id then fits on one line)."""
        self.set_class(event.size.width < NARROW, "-narrow")

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    # --- loading -------------------------------------------------------------------------------

    @work(exclusive=True, group="keep-status", exit_on_error=False)
    async def load(self) -> None:
        """Read the profiles and look up every secret (in ``keep_session``), then show them."""
        self.query_one("#profiles-summary", Static).update(LOADING)
        view = await self.keep.status()
        self.show_view(view)

    def show_view(self, view: StatusView) -> None:
        self.view = view
        keep = self.current_key()
        summary_line = self.query_one("#profiles-summary", Static)
        trouble = self.query_one("#profiles-trouble", Static)
        empty = self.query_one("#profiles-empty", Static)
        main = self.query_one("#profiles-main")
        notes = [failure_content(t) for t in view.troubles]
        notes += [Content(line if line.startswith("!") else f"! {line}")
                  for line in view.announcements]
        trouble.update(Content("\n").join(notes))
        trouble.display = bool(notes)
        if view.report is None:
            failure = view.failure
            summary_line.update(failure_content(failure) if failure else "")
            summary_line.set_class(True, "-error")
            main.display = empty.display = False
            self.items = []
            self.refresh_bindings()
            return
        summary_line.set_class(False, "-error")
        summary_line.update(summary(view.report))
        self.items = items(view.report, view.records)
        main.display = bool(self.items)
        empty.display = not self.items
        if not self.items:
            cmd = view.report.problems[0].command if view.report.problems else ""
            where = f"\n\nProfiles are kept in {view.path}." if view.path else ""
            empty.update(Content(EMPTY.format(cmd=cmd) + where))
        options = self.query_one("#profile-list", OptionList)
        options.clear_options()
        options.add_options([Option(prompt(item), id=f"item-{i}")
                             for i, item in enumerate(self.items)])
        if self.items:
            keys = [self._key(item) for item in self.items]
            options.highlighted = keys.index(keep) if keep in keys else 0
            options.focus()
            self.show_detail()
        self.refresh_bindings()

    @staticmethod
    def _key(item: Item) -> tuple[str, str | None, str | None]:
        auth = item.auth
        return (item.record.name, auth.region if auth else None,
                auth.selling_partner_id if auth else None)

    def current_key(self) -> tuple[str, str | None, str | None] | None:
        item = self.selected()
        return self._key(item) if item else None

    # --- the detail pane -------------------------------------------------------------------

    def selected(self) -> Item | None:
        index = self.query_one("#profile-list", OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    @on(OptionList.OptionHighlighted, "#profile-list")
    def _highlighted(self) -> None:
        self.show_detail()

    def refs(self, item: Item) -> list[AuthRef]:
        """The authorizations an action on ``item`` is about."""
        if item.auth is not None:
            return [AuthRef.of(item.record, item.auth)]
        return [AuthRef.of(item.record, a) for a in item.record.authorizations]

    def show_detail(self) -> None:
        item = self.selected()
        if item is None or self.view is None:
            return
        places = self.view.places
        head, rows = (auth_facts(item, places) if item.auth else profile_facts(item, places))
        self.query_one("#detail-head", Static).update(Content(head))
        facts = self.query_one("#detail-facts", Vertical)
        facts.remove_children()
        facts.mount_all(fact_rows(rows))
        how = item.auth.how if item.auth else None
        problems = problems_of(item)
        box = self.query_one("#detail-problems", Vertical)
        box.remove_children()
        box.mount_all([problem_view(p, how) for p in problems] or [
            Static("✓ Nothing needs attention here.", classes="keep-problem -ok")])
        results = [self.results[r] for r in self.refs(item) if r in self.results]
        result = self.query_one("#detail-result", Static)
        result.update(Content("\n\n").join(text for text, _ in results))
        result.set_class(any(not ok for _, ok in results), "-error")
        result.display = bool(results)

    def say(self, text: Content | str) -> None:
        """A line in the result area of the selected item (progress, or what was done)."""
        result = self.query_one("#detail-result", Static)
        result.update(text if isinstance(text, Content) else Content(text))
        result.set_class(False, "-error")
        result.display = True

    # --- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        loaded = self.view is not None and self.view.report is not None
        if action == "authorize":  # shown where the empty list suggests it
            return loaded and not self.items
        if action in ACTIONS and self.selected() is None:
            return False if loaded else None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.load()

    def action_verify(self) -> None:
        item = self.selected()
        if item is None or self._busy:
            return
        refs = self.refs(item)
        if not refs:
            self.say(f"Profile '{item.record.name}' has no authorization to verify yet: r "
                     "authorizes a seller, s pastes a self-authorization token.")
            return
        self._verify(refs)

    @work(exclusive=True, group="keep-action", exit_on_error=False)
    async def _verify(self, refs: list[AuthRef]) -> None:
        self._busy = True
        try:
            for ref in refs:
                self.say(f"Verifying {ref.region} {ref.selling_partner_id}…")
                report = await self.keep.verify(ref, progress=self.say)
                self.results[ref] = (verify_content(report), report.ok)
        finally:
            self._busy = False
        self.load()

    def action_reauthorize(self) -> None:
        """Authorize again: a self-authorization by pasting a new token, any other through
        the wizard."""
        item = self.selected()
        if item is None or self._busy:
            return
        if item.auth is not None and item.auth.how == "self-auth":
            self._stale = True
            self.post_message(OpenKeep("self-auth", item.record.name, item.auth.region))
            return
        ref = AuthRef.of(item.record, item.auth) if item.auth else None
        self._reauthorize(item.record.name, ref)

    @work(exclusive=True, group="keep-action", exit_on_error=False)
    async def _reauthorize(self, name: str, ref: AuthRef | None) -> None:
        self.say(f"Loading profile '{name}' into the wizard…")
        state = await self.keep.reauthorize_state(name, ref, self._state_factory())
        if isinstance(state, Failure):  # the profile is gone, or the file is unreadable
            self.say(failure_content(state))
            return
        self.query_one("#detail-result").display = False
        self._stale = True
        self.post_message(Reauthorize(state))

    def action_export(self) -> None:
        item = self.selected()
        if item is None or self._busy:
            return
        refs = self.refs(item)
        if len(refs) != 1:
            self.say(f"Profile '{item.record.name}' has no authorization to export yet."
                     if not refs else "This profile has several authorizations: choose one in "
                     "the list (↓), then press e.")
            return
        self.app.push_screen(ExportDialog(self.keep, refs[0]), self._exported)

    def _exported(self, path: object) -> None:
        if path is not None:
            self.say(f"Exported to {path} (mode 0600).")

    def action_remove(self) -> None:
        item = self.selected()
        if item is None or self._busy:
            return
        record = item.record
        count = len(record.authorizations)
        message = (f"This deletes the client secret of '{record.name}' and {count} refresh "
                   f"token(s) from where they are kept, then removes the profile from "
                   "profiles.toml.\n\nSellers' authorizations at Amazon are not revoked: a "
                   "seller does that in Seller Central (Apps and Services, Manage Your Apps).")
        self.app.push_screen(
            ConfirmDialog(f"Remove profile '{record.name}'?", message, yes="Remove",
                          danger=True),
            lambda yes: self._remove(record.name) if yes else None)

    @work(exclusive=True, group="keep-action", exit_on_error=False)
    async def _remove(self, name: str) -> None:
        self._busy = True
        try:
            self.say(f"Removing profile '{name}'…")
            report = await self.keep.remove(name)
        finally:
            self._busy = False
        lines = [f"· {line}" for line in report.lines]
        if report.failure is not None:
            self.say(Content.assemble(failure_content(report.failure), "\n",
                                      "\n".join(lines)))
            return
        self.results = {r: c for r, c in self.results.items() if r.profile != name}
        note = f"\n{report.note}" if report.note else ""
        self.notify("\n".join([f"Removed profile '{name}'.", *lines]) + note,
                    title="Removed", timeout=8)
        self.load()

    def action_rotate(self) -> None:
        item = self.selected()
        if item is None or self._busy:
            return
        self.app.push_screen(RotateDialog(self.keep.rotation(), item.record.name),
                             self._rotated)

    def _rotated(self, stored: bool | None) -> None:
        if stored:
            self.notify("The new client secret is proven and stored; the old one works 7 more "
                        "days.", title="Rotated", timeout=8)
        self.load()

    def action_self_auth(self) -> None:
        item = self.selected()
        self._stale = True
        region = item.auth.region if item and item.auth else None
        self.post_message(OpenKeep("self-auth", item.record.name if item else None, region))

    def action_authorize(self) -> None:
        self._stale = True
        self.post_message(WelcomeScreen.Chosen("demo" if self.keep.demo else "authorize"))
