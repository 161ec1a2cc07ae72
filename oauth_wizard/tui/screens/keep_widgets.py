"""What the keep-and-use screens share: the messages that ask the App to go somewhere, the yes/no
dialog, and how a failure or a verify result reads on screen.

Failures and results come from ``keep_session`` and hold no secret (tokens arrive masked); they
are still rendered as plain ``Content``, never markup, because messages may quote pasted text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from oauth_wizard.keep.reports import Failure, VerifyReport
from oauth_wizard.tui.state import WizardState


@dataclass
class OpenKeep(Message):
    """Show the Profiles (``profiles``) or Self-authorize (``self-auth``) screen."""

    entry: str
    profile: str | None = None  # preselected on the Self-authorize screen
    region: str | None = None


@dataclass
class Reauthorize(Message):
    """Authorize a profile again: the wizard, loaded with ``state``, from its Review."""

    state: WizardState


def failure_content(failure: Failure) -> Content:
    """What went wrong, the fix, the doctor's cause with its steps, and the fixing command."""
    lines = [f"✗ {failure.message}"]
    lines += [f"→ {line}" for line in failure.fix.splitlines() if line.strip()]
    if failure.cause and failure.title:  # the doctor's answer (oauth-wizard diagnose)
        lines.append(f"Likely cause: {failure.title} ({failure.cause})")
        lines += [f"  {i}. {step}" for i, step in enumerate(failure.steps[:4], 1)]
    if failure.command:
        lines.append(f"Fix it with:  {failure.command}")
    return Content("\n".join(lines))


def verify_content(report: VerifyReport) -> Content:
    """A verify's answer: marketplaces and store names, warnings, or the failure."""
    ref = report.ref
    who = f"{ref.region} {ref.selling_partner_id}"
    outcome = report.outcome
    if report.failure is not None or outcome is None or not outcome.ok:
        failure = report.failure or Failure(f"{who} did not verify.")
        return failure_content(failure)
    lines = [f"✓ {who} verified: LWA refreshed the token and SP-API ({outcome.region}) "
             f"answered with {len(outcome.marketplaces)} marketplace(s)."]
    for m in outcome.marketplaces:
        flags = "" if m.participating else " (not participating)"
        flags += " (suspended listings)" if m.suspended else ""
        store = f", store '{m.store_name}'" if m.store_name else ""
        lines.append(f"  {m.code:<4} {m.name or m.domain or m.marketplace_id}{store}{flags}")
    lines += [f"! {w}" for w in outcome.warnings]
    lines += [f"· {n}" for n in outcome.notes]
    if not report.recorded:
        lines.append("! The result could not be recorded in profiles.toml.")
    return Content("\n".join(lines))


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no, with the safe answer focused: Escape and the second button say no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Cancel", id="confirm-cancel"),
    ]

    def __init__(self, title: str, message: str, *, yes: str, no: str = "Cancel",
                 danger: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._message = title, message
        self._yes, self._no, self._danger = yes, no, danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(Content(self._title), classes="dialog-title")
            yield Static(Content(self._message), id="confirm-message")
            with Horizontal(classes="dialog-actions"):
                yield Button(self._yes, id="confirm-yes", compact=True,
                             variant="error" if self._danger else "primary")
                yield Button(self._no, id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#confirm-yes")
    def _yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no_pressed(self) -> None:
        self.dismiss(False)
