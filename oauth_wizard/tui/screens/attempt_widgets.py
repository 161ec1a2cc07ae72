"""The pieces of the Catch screen that are not the attempt itself: the form asking for what a
real app still lacks, the phase line with its countdown, the certificate notice, the timeline,
the paste-back panel, and copy/open for URLs (the failure panel is in ``failure_panel``).

Kept apart so the Catch screen holds only the attempt's orchestration.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from oauth_wizard.tui.screens.base import FieldNote
from oauth_wizard.tui.state import WizardState, authorize_problems

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.catch import CertNotice

SETUP_INTRO = ("Authorizing saves the app as a profile and needs the client secret for the code "
               "exchange. The secret goes to the OS keyring, never to a file.")


def countdown(deadline: float, now: float) -> str:
    """``m:ss`` until ``deadline`` (never negative), for the countdown lines."""
    left = max(0, int(deadline - now + 0.999))
    return f"{left // 60}:{left % 60:02d}"


class Timeline(Static):
    """What happened in this screen's attempts, one stamped line per event (local time)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[tuple[float, str]] = []

    def add(self, at: float, text: str) -> None:
        self.entries.append((at, text))
        self.update(Content("\n".join(
            f"{time.strftime('%H:%M:%S', time.localtime(t))}  {line}"
            for t, line in self.entries)))


class CertInfo(Static):
    """The catcher's certificate: its fingerprint, and how to trust it when it is new."""

    def show(self, cert: CertNotice) -> None:
        lines = [f"Certificate for {cert.host}: SHA-256 {cert.fingerprint}", f"File: {cert.path}"]
        if cert.generated:
            lines.insert(0, "New certificate: the browser must trust it before Amazon's "
                         "redirect can load (compare the fingerprint).")
            for step in cert.steps[:2]:  # this platform's way first, then the portable one
                lines += [f"· {step.title}:", *(f"    {c}" for c in step.commands)]
        self.update(Content("\n".join(lines)))
        self.display = True


class SetupForm(Vertical):
    """Profile name and client secret, when a real app reaches Authorize without them."""

    @dataclass
    class Done(Message):
        """Both values are valid; ``state`` carries them."""

        state: WizardState

    def __init__(self, state: WizardState, **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state

    def compose(self) -> ComposeResult:
        yield Static(SETUP_INTRO, classes="intro")
        with Horizontal(classes="field-row"):
            yield Label("Profile name", classes="field-label")
            yield Input(self.state.profile_name, placeholder="e.g. my-repricer",
                        id="setup-profile")
        yield FieldNote(id="note-profile_name", classes="field-note")
        with Horizontal(classes="field-row"):
            yield Label("Client secret", classes="field-label")
            yield Input(self.state.client_secret, password=True,
                        placeholder="amzn1.oa2-cs.v1.…", id="setup-secret")
        yield FieldNote(id="note-client_secret", classes="field-note")
        yield Button("Start", id="setup-start", variant="primary", compact=True)

    def on_mount(self) -> None:
        missing = "#setup-profile" if not self.state.profile_name.strip() else "#setup-secret"
        self.query_one(missing, Input).focus()

    def collect(self) -> WizardState:
        return self.state.with_(profile_name=self.query_one("#setup-profile", Input).value,
                                client_secret=self.query_one("#setup-secret", Input).value)

    def check(self) -> bool:
        """Show what is still missing or wrong under each field; True when nothing is."""
        problems = authorize_problems(self.collect())
        for fld in ("profile_name", "client_secret"):
            self.query_one(f"#note-{fld}", FieldNote).show(
                [p for p in problems if p.field == fld])
        return not problems

    @on(Input.Changed)
    def _changed(self) -> None:
        self.check()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "setup-secret":
            self._start()
        else:
            self.screen.focus_next()

    @on(Button.Pressed, "#setup-start")
    def _start(self, event: Button.Pressed | None = None) -> None:
        if event is not None:
            event.stop()
        if self.check():
            self.post_message(self.Done(self.collect()))


PASTE_HINT = ("Browser on another machine, or nothing listening here? Paste the address-bar URL "
              "of each page Amazon sends you to: the Login leg's (it has amazon_callback_uri) "
              "gives the next URL to open, the Redirect leg's (spapi_oauth_code) finishes.")


class PasteField(Input):
    """An Input that submits as soon as something is pasted into it: a pasted address is
    complete, so the user does not have to press Enter as well."""

    def _on_paste(self, event: events.Paste) -> None:
        super()._on_paste(event)
        if self.value.strip():
            self.call_after_refresh(self.action_submit)


class PastePanel(Vertical):
    """The paste-back field, what was wrong with the last paste, and the URL to open next."""

    @dataclass
    class Pasted(Message):
        """The user pasted an address (the field is already cleared)."""

        text: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.next_url: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Paste back", classes="section")
        yield Static(PASTE_HINT, classes="hint")
        yield PasteField(placeholder="https://… (the whole address from the browser)",
                         id="paste")
        yield Static(id="paste-error")
        with Vertical(id="next-step"):
            yield Static(id="next-url")
            with Horizontal(id="next-actions"):
                yield Button("Open next URL", id="open-next", compact=True)
                yield Button("Copy next URL", id="copy-next", compact=True)

    def reset(self) -> None:
        self.next_url = None
        self.query_one("#paste-error").display = False
        self.query_one("#next-step").display = False

    def show_error(self, message: str, fix: str) -> None:
        widget = self.query_one("#paste-error", Static)
        widget.update(Content(f"✗ {message}" + (f"\n→ {fix}" if fix else "")))
        widget.display = True
        self.call_after_refresh(widget.scroll_visible)

    def show_next(self, url: str) -> None:
        self.next_url = url
        self.query_one("#next-url", Static).update(Content(
            "Login leg checked. Open this URL next (it sends the browser back to Amazon), then "
            f"paste the address you land on:\n{url}"))
        self.query_one("#next-step").display = True
        self.call_after_refresh(self.query_one("#open-next").focus)  # and into view

    @on(Input.Submitted, "#paste")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        event.input.value = ""  # the address may hold a code: do not keep it on screen
        if text.strip():
            self.query_one("#paste-error").display = False
            self.post_message(self.Pasted(text))


class PhaseLine(Static):
    """Where the attempt stands, with its countdown: the listener's timeout, the code's
    5-minute window, or how long a paste-back attempt's state is still accepted."""

    def show(self, phase: str, now: float, deadline: float | None,
             expires: float | None) -> None:
        left = countdown(deadline, now) if deadline else ""
        paste = (f"● Paste-back mode · this attempt's state is accepted for "
                 f"{countdown(expires, now)} more" if expires else "● Paste-back mode")
        text = {
            "setup": "Almost ready: Authorize needs what is asked for below.",
            "preparing": "Getting ready…",
            "listening": f"● Waiting for Amazon's redirect · {left} left" if left
            else "● Waiting for Amazon's redirect",
            "paste": paste,
            "exchanging": f"● Code received: exchanging it · {left} left of its 5-minute window",
            "done": "✓ Authorized",
            "failed": "✗ Not authorized",
            "cancelled": "Cancelled · the listener is closed",
        }[phase]
        self.update(Content(text))
        for ended in ("failed", "done", "cancelled"):
            self.set_class(phase == ended, f"-{ended}")


class UrlActions:
    """Copy and open-in-browser for a screen with an ``#action-status`` line. The opener may
    block (it can start a process), so it runs in a thread worker and reports back."""

    _open_url: Callable[[str], bool]

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#action-status", Static)  # type: ignore[attr-defined]
        status.update(Content(text))
        status.set_class(error, "-error")
        status.set_class(not error, "-ok")
        status.display = True

    def copy_link(self, url: str) -> None:
        self.app.copy_to_clipboard(url)  # type: ignore[attr-defined]
        self._status("Sent the URL to the clipboard (terminals with OSC 52). If nothing was "
                     "copied, select it on screen instead.")

    def open_link(self, url: str) -> None:
        self._status("Opening your browser…")
        self._open_in_browser(url)

    @work(thread=True, exclusive=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = self._open_url(url)
        except Exception:  # an opener that raises is reported like one that says no
            opened = False
        self.app.call_from_thread(self._opened, opened)  # type: ignore[attr-defined]

    def _opened(self, opened: bool) -> None:
        if opened:
            self._status("Opened in your browser. Sign in as the seller and confirm; this screen "
                         "follows the redirects.")
        else:
            self._status("Could not open a browser here (none found, or no display, e.g. over "
                         "SSH). Open the URL above by hand, then paste back each address.",
                         error=True)
