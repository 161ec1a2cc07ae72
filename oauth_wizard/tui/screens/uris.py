"""Step 5, URIs: the Login URI, one or more Redirect URIs, and which one the consent URL names.

Each URI is checked as Amazon's registration form would (https only, no fragment; localhost is
refused there, so it warns with the alternatives).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from oauth_wizard.tui.screens.base import FieldNote, StepScreen
from oauth_wizard.tui.state import WizardState

NO_REDIRECT = -1


class RedirectRow(Vertical):
    """One Redirect URI: its input, a Remove button and its live messages."""

    def __init__(self, value: str, row_id: int) -> None:
        super().__init__(id=f"redirect-row-{row_id}", classes="redirect-row")
        self.value = value

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Redirect URI", classes="field-label")
            yield Input(self.value, placeholder="https://your-host.example/amazon/callback",
                        classes="redirect-input")
            yield Button("Remove", compact=True, classes="remove-redirect")
        yield FieldNote(classes="field-note redirect-note")


class UrisScreen(StepScreen):
    """Login URI, Redirect URIs (add/remove) and the consent URL's redirect_uri choice."""

    STEP = "uris"
    FOCUS_TARGETS = {"login_uri": "#login-uri", "consent_redirect": "#consent-redirect"}

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self._row_ids = count()

    def compose_step(self) -> ComposeResult:
        s = self.state
        yield Static("Exactly as registered for the app (Solution Provider Portal → Develop "
                     "Apps → Edit App). Amazon accepts only https, never a '#fragment', and "
                     "refuses localhost.",
                     classes="intro")
        with Horizontal(classes="field-row"):
            yield Label("Login URI", classes="field-label")
            yield Input(s.login_uri, placeholder="https://your-host.example/amazon/login",
                        id="login-uri")
        yield FieldNote(id="note-login_uri", classes="field-note")
        with Vertical(id="redirect-rows"):
            for uri in s.redirect_uris:
                yield RedirectRow(uri, next(self._row_ids))
        yield Button("Add a Redirect URI", id="add-redirect", compact=True)
        with Horizontal(classes="field-row"):
            yield Label("In consent URL", classes="field-label")
            yield Select(self._redirect_options(s), allow_blank=False, id="consent-redirect",
                         value=NO_REDIRECT if s.consent_redirect is None else s.consent_redirect)
        yield FieldNote(id="note-consent_redirect", classes="field-note")

    @staticmethod
    def _redirect_options(state: WizardState) -> list[tuple[str, int]]:
        options = [("No redirect_uri (Amazon uses the first registered one)", NO_REDIRECT)]
        for i, uri in enumerate(state.redirect_uris):
            options.append((f"{i + 1}: {uri.strip() or '(empty)'}", i))
        return options

    def filled_fields(self) -> Iterable[str]:
        s = self.state
        filled = [f"redirect_uri_{i}" for i, uri in enumerate(s.redirect_uris) if uri]
        return ["login_uri", *filled] if s.login_uri else filled

    def _rows(self) -> list[RedirectRow]:
        return list(self.query(RedirectRow))

    def collect(self) -> WizardState:
        uris = tuple(row.query_one(Input).value for row in self._rows())
        choice = self.query_one("#consent-redirect", Select).value
        index = choice if isinstance(choice, int) and 0 <= choice < len(uris) else None
        return self.state.with_(login_uri=self.query_one("#login-uri", Input).value,
                                redirect_uris=uris, consent_redirect=index)

    def note_for(self, fld: str) -> FieldNote | None:
        if fld.startswith("redirect_uri_"):
            rows = self._rows()
            i = int(fld.rsplit("_", 1)[1])
            return rows[i].query_one(FieldNote) if i < len(rows) else None
        return super().note_for(fld)

    def focus_target(self, fld: str) -> Widget | None:
        if fld.startswith("redirect_uri_"):
            rows = self._rows()
            i = int(fld.rsplit("_", 1)[1])
            return rows[i].query_one(Input) if i < len(rows) else None
        return super().focus_target(fld)

    def _sync_choice(self, state: WizardState) -> None:
        """Rebuild the consent-URI choices after the list changed, keeping the chosen URI."""
        select = self.query_one("#consent-redirect", Select)
        with select.prevent(Select.Changed):
            select.set_options(self._redirect_options(state))
            select.value = NO_REDIRECT if state.consent_redirect is None else state.consent_redirect

    def on_mount(self) -> None:
        super().on_mount()
        self._update_remove_buttons()

    def _update_remove_buttons(self) -> None:
        rows = self._rows()
        for row in rows:
            row.query_one(".remove-redirect", Button).disabled = len(rows) == 1

    @on(Input.Changed, "#login-uri")
    def _login_changed(self) -> None:
        self.touch("login_uri")

    @on(Input.Changed, ".redirect-input")
    def _redirect_changed(self, event: Input.Changed) -> None:
        row = next(r for r in event.input.ancestors if isinstance(r, RedirectRow))
        index = self._rows().index(row)
        self._sync_choice(self.collect())
        self.touch(f"redirect_uri_{index}")

    @on(Select.Changed, "#consent-redirect")
    def _choice_changed(self) -> None:
        self.touch("consent_redirect")

    @on(Button.Pressed, "#add-redirect")
    async def _add(self) -> None:
        row = RedirectRow("", next(self._row_ids))
        await self.query_one("#redirect-rows").mount(row)
        self._sync_choice(self.collect())
        self._update_remove_buttons()
        row.query_one(Input).focus()
        self.refresh_notes()

    @on(Button.Pressed, ".remove-redirect")
    async def _remove(self, event: Button.Pressed) -> None:
        row = next(r for r in event.button.ancestors if isinstance(r, RedirectRow))
        rows = self._rows()
        index = rows.index(row)
        state = self.collect().remove_redirect(index)
        # the touched set is by position: shift the marks of the rows after the removed one
        self._touched = {f for f in self._touched if not f.startswith("redirect_uri_")} | {
            f"redirect_uri_{i if i < index else i - 1}"
            for i in range(len(rows)) if i != index and f"redirect_uri_{i}" in self._touched}
        await row.remove()
        self._sync_choice(state)
        self._update_remove_buttons()
        try:
            self._rows()[min(index, len(self._rows()) - 1)].query_one(Input).focus()
        except (NoMatches, IndexError):
            self.query_one("#add-redirect").focus()
        self.refresh_notes()
