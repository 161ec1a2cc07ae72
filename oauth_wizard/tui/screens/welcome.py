"""The Welcome screen: what the wizard can do, one entry per task.

It is the App's base screen; choosing an entry posts ``WelcomeScreen.Chosen`` and the App
starts the wizard (the demo also starts its local Amazon simulator) or opens the entry's screen.
An entry can be marked not built yet: it is then a disabled option with a one-line note, so
selecting it cannot do anything.
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
     "Keep the refresh token Seller Central shows for your own account.", True),
    ("diagnose", "Diagnose an error",
     "Paste what Amazon said (MD/SPDC code, LWA or SP-API error, log line): the cause and "
     "the fix.", True),
    ("profiles", "Profiles",
     "What needs attention, then verify, re-authorize, export or remove.", True),
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
        """The user picked an enabled entry (its id, e.g. ``authorize`` or ``diagnose``)."""

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
