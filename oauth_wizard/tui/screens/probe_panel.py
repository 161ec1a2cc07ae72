"""The Doctor's "Check with my stored tokens": pick a saved profile, see which read-only calls
were made and what each measured.

Only renders and asks: the Doctor screen runs the probe (``KeepSession.probe``) in a worker and
hands the report here; the measured facts join the screen's facts, so the ranking follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from oauth_wizard.keep.probe import ProbeReport

INTRO = ("Read-only calls with a saved profile's credentials; each result becomes a fact. "
         "No token is shown.")


class ProbePanel(Vertical):
    """The button, the profile to check (when there are several), and the last report."""

    @dataclass
    class Requested(Message):
        """Check ``profile`` (None: the user has not chosen one yet)."""

        profile: str | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._names: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("Check with my stored tokens", classes="section")
        yield Static(INTRO, classes="hint")
        yield Button("Check with my stored tokens (k)", id="probe-run", compact=True)
        yield Vertical(id="probe-choices")
        yield Static(id="probe-result")

    async def choose(self, names: Sequence[str]) -> None:
        """One button per saved profile; pressing one asks for its check."""
        self._names = list(names)
        choices = self.query_one("#probe-choices", Vertical)
        await choices.remove_children()
        await choices.mount(Static("Which profile?", classes="hint"),
                            *(Button(name, id=f"probe-{n}", compact=True, classes="probe-choice")
                              for n, name in enumerate(self._names)))
        choices.query(Button).first().focus()

    async def say(self, text: str) -> None:
        await self.query_one("#probe-choices", Vertical).remove_children()
        self.query_one("#probe-result", Static).update(Content(text))

    async def show(self, report: ProbeReport, name: str) -> None:
        lines = [f"Checked '{name}'" + (f" ({report.authorization})" if report.authorization
                                       else "") + ":"]
        lines += [f"{'✓' if c.ok else '✗'} {c.what}: {c.outcome}" for c in report.calls]
        lines += [f"· {text}" for text in report.notes]
        if report.facts:
            lines.append("Measured: " + ", ".join(f"{k}={v}" for k, v in report.facts.items()))
        await self.say("\n".join(lines))

    @on(Button.Pressed, "#probe-run")
    def _run(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Requested(None))

    @on(Button.Pressed, ".probe-choice")
    def _chosen(self, event: Button.Pressed) -> None:
        event.stop()
        number = int((event.button.id or "probe-0").split("-")[1])
        self.post_message(self.Requested(self._names[number]))
