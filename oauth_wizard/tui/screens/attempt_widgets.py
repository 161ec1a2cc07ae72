"""The pieces of the Catch screen that are not the attempt itself: the form asking for what a
real app still lacks, the phase line with its countdown, the certificate notice, the timeline,
the paste-back panel (which runs each pasted address through the attempt), and the status line
that copies and opens URLs (the failure panel is in ``failure_panel``). Each widget owns its
messages, so the Catch screen holds only the attempt's orchestration.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from oauth_wizard.authorize.legs import LoginLeg
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import Authorized, FlowFailed, Listening, Stored
from oauth_wizard.tui.demo import DemoError
from oauth_wizard.tui.screens.base import FieldNote
from oauth_wizard.tui.state import WizardState, authorize_problems

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.catch import CertNotice

Paste = Callable[[str], Awaitable[LoginLeg | Authorized]]
"""An attempt's paste-back: a pasted address in, the Login leg checked or the result out."""

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


@dataclass
class AttemptProgress(Message):
    """A flow event of attempt ``attempt``, seen at ``at`` (epoch seconds): posted from the
    attempt's worker, so the events render in order."""

    attempt: int
    event: object
    at: float


@dataclass
class AttemptEnded(Message):
    """Attempt ``attempt`` is over: authorized, or failed with ``error`` (from the listener, or
    from a pasted Redirect leg)."""

    attempt: int
    authorized: Authorized | None
    error: FlowError | None


class PastePanel(Vertical):
    """Paste-back: the field, what was wrong with the last paste, and the URL to open next.

    It runs each pasted address through the attempt it is attached to (``attach``): a Login
    leg shows the URL to open next, a wrong paste is said here and the attempt goes on, and a
    Redirect leg that ends the attempt is posted as ``AttemptEnded``.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.next_url: str | None = None
        self._paste: Paste | None = None
        self._attempt = 0

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

    def attach(self, attempt: int, paste: Paste | None) -> None:
        """Send pastes to ``paste`` (the attempt's), or refuse them (None); a paste still
        running for another attempt is cancelled."""
        if attempt != self._attempt or paste is None:
            self.workers.cancel_group(self, "paste")
        self._attempt, self._paste = attempt, paste

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

    def submit(self, text: str) -> None:
        """An address pasted into the field, or anywhere on the screen."""
        if not text.strip():
            return
        self.query_one("#paste-error").display = False
        if self._paste is None:
            self.show_error("Nothing is waiting for a pasted address now.",
                            "Press Try again (r) to start a new attempt first.")
            return
        self._run(self._attempt, self._paste, text)

    @work(exclusive=True, group="paste", exit_on_error=False)
    async def _run(self, attempt: int, paste: Paste, text: str) -> None:
        try:
            result = await paste(text)
        except FlowError as exc:
            if exc.cause is None:  # the paste itself was wrong: the attempt goes on
                if attempt == self._attempt:
                    self.show_error(exc.message, exc.fix)
            else:
                self.post_message(AttemptEnded(attempt, None, exc))
            return
        if isinstance(result, LoginLeg):
            if attempt == self._attempt:
                self.show_next(result.next_url)
        else:
            self.post_message(AttemptEnded(attempt, result, None))

    @on(Input.Submitted, "#paste")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        event.input.value = ""  # the address may hold a code: do not keep it on screen
        self.submit(text)


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


class ApproveButton(Button):
    """Demo: "Approve for me" plays the seller on the simulator's consent page and follows the
    browser's redirects, so the legs reach the listener as from a real browser."""

    @dataclass
    class Approved(Message):
        """How approving for attempt ``attempt`` went, in words."""

        attempt: int
        ok: bool
        text: str

    def __init__(self, approve_as: Callable[[str, str], Awaitable[object]], **kwargs) -> None:
        super().__init__("Approve for me", variant="primary", compact=True, **kwargs)
        self._approve_as = approve_as

    def approve(self, attempt: int, url: str, user: str) -> None:
        self._approve(attempt, url, user)

    def stop(self) -> None:
        self.workers.cancel_group(self, "approve")

    @work(exclusive=True, group="approve", exit_on_error=False)
    async def _approve(self, attempt: int, url: str, user: str) -> None:
        try:
            approval = await self._approve_as(url, user)
        except DemoError as exc:
            self.post_message(self.Approved(attempt, False, f"{exc.message} {exc.fix}"))
            return
        self.post_message(self.Approved(attempt, approval.ok, approval.message))


def demo_banner(storage_note: str) -> str:
    """The Catch screen's demo banner; where tokens are kept once the runtime knows."""
    kept = f" Tokens are {storage_note}." if storage_note else ""
    return ("Demo: the local simulator plays Seller Central and Login with Amazon on this "
            f"machine.{kept}")


def timeline_text(event: object) -> str:
    """A flow event as a timeline line: the result marked, the listener's port named."""
    text = str(getattr(event, "message", event))
    if isinstance(event, Listening) and event.local_url == event.redirect_uri:
        text = f"Listening on {event.local_url} (the Login and Redirect URIs' port)"
    return ("✗ " if isinstance(event, FlowFailed) else "✓ " if isinstance(event, Stored)
            else "") + text


def listening_text(local_url: str, demo: bool, partner: str = "seller") -> str:
    """What to do while the listener waits for Amazon's redirect."""
    how = ("press Approve for me (a) to play the seller Pat, or open the URL in a browser on "
           "this machine and approve there" if demo else
           f"open the consent URL (o), sign in as the {partner} and confirm")
    return f"Listening on {local_url} for both legs: {how}."


class ActionStatus(Static):
    """The line under a URL's buttons that says what Copy and Open did. It owns both actions:
    the opener may block (it can start a process), so it runs in a thread worker here and the
    line reports back."""

    def __init__(self, open_url: Callable[[str], bool], *, opened: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._open_url = open_url
        self._opened_text = opened

    def say(self, text: str, *, error: bool = False) -> None:
        self.update(Content(text))
        self.set_class(error, "-error")
        self.set_class(not error, "-ok")
        self.display = True

    def copy(self, url: str) -> None:
        self.app.copy_to_clipboard(url)
        self.say("Sent the URL to the clipboard (terminals with OSC 52). If nothing was copied, "
                 "select it on screen instead.")

    def open(self, url: str) -> None:
        self.say("Opening your browser…")
        self._open_in_browser(url)

    @work(thread=True, exclusive=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = self._open_url(url)
        except Exception:  # an opener that raises is reported like one that says no
            opened = False
        self.app.call_from_thread(self._opened, url, opened)

    def _opened(self, url: str, opened: bool) -> None:
        if opened:
            self.say(self._opened_text)
        else:
            self.say(f"Could not open a browser here (none found, or no display, e.g. over "
                     f"SSH). Open this URL by hand: {url}", error=True)
