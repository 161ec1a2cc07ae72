"""The Welcome screen: what the wizard can do, and the entries that are still to come.

It is the App's base screen; choosing an entry posts ``WelcomeScreen.Chosen`` and the App
starts the wizard (the demo also starts its local Amazon simulator). Entries not built yet are
disabled options with a one-line note, so selecting them cannot do anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

ENTRIES = (
    ("authorize", "Authorize a seller",
     "Describe your app step by step, get the exactly right consent URL, and authorize.", True),
    ("self-auth", "Self-authorize",
     "Coming: keep the refresh token Seller Central shows for your account.", False),
    ("diagnose", "Diagnose an error",
     "Coming: turn MD/SPDC codes and LWA errors into causes and fixes.", False),
    ("profiles", "Profiles",
     "Coming: saved app descriptions; secrets only in the OS keyring.", False),
    ("demo", "Try the demo",
     "Everything end to end against a local Amazon simulator: no account needed.", True),
)
INTRO = ("Get an Amazon Selling Partner API app authorized without guesswork. The wizard asks "
         "what Amazon's consent flow depends on, builds the exactly right consent URL, flags "
         "every problem Amazon would refuse it for before a browser opens, then catches the "
         "redirect and keeps the refresh token in the OS keyring.")


class WelcomeScreen(Screen[None]):
    """The menu the wizard starts from and returns to."""

    @dataclass
    class Chosen(Message):
        """The user picked an enabled entry (``authorize`` or ``demo``)."""

        entry: str

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(INTRO, id="welcome-intro")
        options = []
        for key, title, note, enabled in ENTRIES:
            prompt = Content.assemble(Content.styled(title, "bold"), "\n", note)
            options.append(Option(prompt, id=key, disabled=not enabled))
        yield OptionList(*options, id="welcome-menu")
        yield Static("↑/↓ to move, Enter to choose. Ctrl+P opens the command palette.",
                     classes="hint", id="welcome-keys")
        yield Footer()

    @on(OptionList.OptionSelected, "#welcome-menu")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and not event.option.disabled:
            self.post_message(self.Chosen(event.option.id))
