"""The offer the Catch screen makes when the keyring refuses a secret the user has in hand.

A refresh token exists only in memory once the code is spent, and a typed client secret only
in the form: the panel names the announced 0600 plain-text file and keeps the secret there
only when the user presses the button (as the command line asks ``[y/N]``). The writing is the
session's (``CatchSession.keep_in_file``), in a worker; this widget only asks and reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import Authorized

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.catch import CatchSession


class KeepOffer(Vertical):
    """"Keep it in the plain-text file?" with Keep and Discard; hidden until offered."""

    class Done(Message):
        """The user chose: ``kept`` (with the authorization when it was the token), or not."""

        def __init__(self, kept: bool, authorized: Authorized | None = None,
                     error: FlowError | None = None) -> None:
            super().__init__()
            self.kept, self.authorized, self.error = kept, authorized, error

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._session: CatchSession | None = None
        self._what = ""

    def compose(self) -> ComposeResult:
        yield Static(id="keep-offer-text")
        with Horizontal(id="keep-offer-actions"):
            yield Button("Keep in the file", id="keep-file", compact=True, variant="warning")
            yield Button("Discard it", id="keep-discard", compact=True)

    def offer(self, what: str, path: Path, session: CatchSession) -> None:
        self._session, self._what = session, what
        self.query_one("#keep-offer-text", Static).update(Content(
            f"The keyring refused {what}, so it exists only in this window now. Keep it in "
            f"the plain-text file {path} (mode 0600) instead? Anyone who can read that file "
            "can use it; oauth-wizard names the file every time it reads it."))
        for button in self.query(Button):
            button.disabled = False
        self.display = True
        self.query_one("#keep-file", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id not in ("keep-file", "keep-discard"):
            return
        event.stop()
        for button in self.query(Button):
            button.disabled = True
        if event.button.id == "keep-discard":
            self.display = False
            self.post_message(self.Done(False))
            return
        self.query_one("#keep-offer-text", Static).update(f"Writing {self._what} to the file…")
        self._keep()

    @work(exclusive=True, group="keep-offer", exit_on_error=False)
    async def _keep(self) -> None:
        assert self._session is not None
        try:
            authorized = await self._session.keep_in_file()
        except FlowError as exc:
            self.post_message(self.Done(False, error=exc))
        else:
            self.post_message(self.Done(True, authorized))
        self.display = False
