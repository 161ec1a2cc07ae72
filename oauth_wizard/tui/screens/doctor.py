"""The Doctor screen: paste what Amazon said, see the most likely causes with their fixes,
answer the question that separates them with one key, and copy what a support case needs.

The doctor runs in a thread worker (a big pasted log takes a moment); ``exclusive`` plus a
generation number make sure an older run never overwrites a newer one. Every answer or fact
re-runs it, so the ranking follows what the user says. Opened from the wizard (Review, or a
failed attempt on the Catch screen) it starts with the facts the wizard already knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Collapsible, Header, Input, Static, TextArea
from textual.worker import get_current_worker

from oauth_wizard.keep.reports import Failure
from oauth_wizard.tui.screens.base import keys_footer
from oauth_wizard.tui.screens.doctor_widgets import (
    CauseCard,
    FactList,
    PasteArea,
    QuestionPanel,
    SignalLine,
)
from oauth_wizard.tui.screens.probe_panel import ProbePanel
from oauth_wizard.tui.sessions import doctor as doctor_session
from oauth_wizard.tui.sessions.doctor import KEYS, FactProblem, KeyedChoice, Outcome

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.keep import KeepSession

SHOWN_CAUSES = 5
ORIGINS = {
    "": "Doctor · from what Amazon said to the cause and the fix",
    "review": "Doctor · with the facts of the app you described",
    "catch": "Doctor · the failed attempt, with the facts the wizard knows",
}
HINTS = {
    "": "Enter diagnoses · Shift+Enter or Ctrl+J: new line · Tab moves on to the answers",
    "review": "The facts of the app you described are on the right: paste what Amazon showed, "
              "then Enter.",
    "catch": "The attempt's error and the wizard's facts are filled in; clear any fact that is "
             "wrong.",
}
GUIDE = (
    "Paste what Amazon said into the box above and press Enter. Anything works:\n"
    "· the text of a Seller Central error page (Error Code: MD5100, SPDC8143, …)\n"
    "· a Login with Amazon error body ({\"error\": \"invalid_grant\", …})\n"
    "· an SP-API error body ({\"errors\": [{\"code\": \"Unauthorized\", …}]})\n"
    "· an HTTP status line, an exception from an SP-API library, a log line.\n"
    "Nothing to paste? Add the facts you know on the right and press Ctrl+R.\n"
    "Diagnosing stays on this machine (only Check with my stored tokens calls Amazon, "
    "read-only); the support-case details have secrets removed."
)
ANSWER = Binding.Group("Answer", compact=True)


def causes_title(count: int) -> str:
    if count == 1:
        return "The most likely cause, with its fix:"
    return f"Top {count} causes (Enter on a title opens it):"


class DoctorScreen(Screen[None]):
    """Pasted text plus facts, to ranked causes with fixes and the next question to answer."""

    AUTO_FOCUS = ""  # focus goes to the paste area, or to the results of a prefilled failure
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to where the doctor opened"),
        Binding("ctrl+r", "diagnose", "Diagnose", id="diagnose",
                tooltip="Run the doctor on the text and the facts"),
        *(Binding(key, f"answer('{key}')", f"Answer {key}", group=ANSWER) for key in KEYS),
        Binding("c", "copy_support", "Copy support case", id="copy-support",
                tooltip="Copy the details Amazon support asks for (secrets removed)"),
        Binding("f", "add_fact", "Add a fact", id="add-fact"),
        Binding("k", "probe", "Check my tokens", id="probe",
                tooltip="Measure with a saved profile's stored credentials (read-only)"),
        Binding("t", "edit_text", "Edit text", id="edit-text", show=False),
    ]

    @dataclass
    class Diagnosed(Message):
        """Run ``generation`` of the doctor is done (sent from the worker's thread)."""

        generation: int
        outcome: Outcome
        focus: str | None

    def __init__(self, text: str = "", facts: Mapping[str, str] | None = None, *,
                 origin: str = "", keep: KeepSession | None = None) -> None:
        super().__init__(classes="doctor")
        self._keep = keep  # the app's, found on mount when not given; None: no probes
        self._initial_text = text
        self.facts: dict[str, str] = dict(facts or {})
        self.origin = origin if origin in ORIGINS else ""
        self.outcome: Outcome | None = None
        self._generation = 0
        self._shown = 0
        self._keyed: dict[str, KeyedChoice] = {}
        self._said = ""  # what the status line says once the run under way is shown
        self.sub_title = ORIGINS[self.origin]

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        area = PasteArea(self._initial_text, id="doctor-paste",
                         placeholder="Paste the error page text, the JSON body or the log line "
                                     "here, then press Enter",
                         highlight_cursor_line=False)
        area.border_title = "What Amazon said"
        yield area
        yield Static(HINTS[self.origin], id="doctor-hint", classes="hint")
        with Horizontal(id="doctor-main"):
            with VerticalScroll(id="doctor-results"):
                yield SignalLine(id="doctor-signals")
                yield Static(id="doctor-notes", classes="hint")
                yield Static(id="doctor-error")
                yield Static(GUIDE, id="doctor-guide")
                yield Static(id="doctor-causes-title", classes="hint")
                yield Vertical(id="doctor-causes")
                with Collapsible(title="Support-case details (what Copy sends; secrets removed)",
                                 collapsed=True, id="support-box"):
                    yield Static(id="support-text")
            with VerticalScroll(id="doctor-side"):
                yield QuestionPanel(id="questions")
                yield Button("Copy support-case details", id="copy-support", compact=True)
                yield FactList(id="facts")
                yield ProbePanel(id="probe")
        yield Static(id="doctor-status")
        yield keys_footer()

    async def on_mount(self) -> None:
        for selector in ("#doctor-signals", "#doctor-notes", "#doctor-error", "#support-box",
                         "#doctor-status", "#copy-support", "#doctor-causes-title"):
            self.query_one(selector).display = False
        make = getattr(self.app, "keep_session", None)
        if self._keep is None and callable(make):
            self._keep = make()
        self.query_one(ProbePanel).display = self._keep is not None
        await self.query_one(FactList).show(self.facts, {})
        if self._initial_text.strip():
            self.run_doctor(focus="#doctor-results")
        else:
            self.query_one(PasteArea).focus()

    # --- running the doctor -------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.query_one(PasteArea).text

    @property
    def busy(self) -> bool:
        """A run of the doctor is under way (its result is not shown yet)."""
        return self._shown != self._generation

    def run_doctor(self, *, focus: str | None = None) -> None:
        """Diagnose the current text and facts; only the newest run's result is shown, then
        focus goes to ``focus`` (a selector), or stays where it is."""
        self._generation += 1
        self._run(self._generation, self.text, dict(self.facts), focus)

    @work(thread=True, exclusive=True, group="doctor", exit_on_error=False)
    def _run(self, generation: int, text: str, facts: dict[str, str], focus: str | None) -> None:
        outcome = doctor_session.run(text, facts)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Diagnosed(generation, outcome, focus))

    @on(Diagnosed)
    async def _diagnosed(self, message: Diagnosed) -> None:
        if message.generation != self._generation:
            return  # a newer run is on its way
        outcome = self.outcome = message.outcome
        self._status(self._said)
        self._said = ""
        error = self.query_one("#doctor-error", Static)
        error.update(Content(outcome.error or ""))
        error.display = bool(outcome.error)
        diagnosis = outcome.diagnosis
        if diagnosis is not None:
            self.query_one("#doctor-guide").display = False
            signals = self.query_one(SignalLine)
            signals.show(diagnosis)
            signals.display = True
            notes = self.query_one("#doctor-notes", Static)
            notes.update(Content("\n".join(f"Note: {n}" for n in diagnosis.notes)))
            notes.display = bool(diagnosis.notes)
            causes = self.query_one("#doctor-causes")
            await causes.remove_children()
            shown = diagnosis.causes[:SHOWN_CAUSES]
            await causes.mount_all(CauseCard(rank, ranked, collapsed=rank > 1)
                                   for rank, ranked in enumerate(shown, 1))
            title = self.query_one("#doctor-causes-title", Static)
            title.update(Content(causes_title(len(shown))))
            title.display = True
            keyed = doctor_session.keyed_choices(diagnosis.questions)
            self._keyed = {choice.key: choice for choice in keyed if choice.key}
            await self.query_one(QuestionPanel).show(diagnosis.questions, keyed)
            await self.query_one(FactList).show(self.facts, diagnosis.inferred)
            self.query_one("#support-text", Static).update(Content(outcome.support))
            for selector in ("#support-box", "#copy-support"):
                self.query_one(selector).display = True
        results = self.query_one("#doctor-results")
        results.scroll_home(animate=False)
        if message.focus:
            self.query_one(message.focus).focus()
        elif self.focused is None:  # what had focus was rebuilt
            results.focus()
        self.refresh_bindings()
        self._shown = message.generation

    # --- answers and facts --------------------------------------------------------------------

    def _set_fact(self, key: str, value: str, *, typed: bool = False) -> bool:
        try:
            if typed:
                self.facts, key = doctor_session.parse_typed_fact(self.facts, value)
            else:
                self.facts = doctor_session.set_fact(self.facts, key, value)
        except FactProblem as exc:
            target = self.query_one(FactList if typed else QuestionPanel)
            target.show_error(str(exc))
            return False
        name = doctor_session.fact_key(key)
        self._said = f"Ranked again with {name}={self.facts.get(name, '')}."
        self.run_doctor(focus="#fact-input" if typed else "#doctor-results")
        return True

    def action_answer(self, key: str) -> None:
        choice = self._keyed.get(key)
        if choice is not None:
            self._set_fact(choice.question.fact, choice.value)

    @on(QuestionPanel.Answered)
    def _answered(self, message: QuestionPanel.Answered) -> None:
        self._set_fact(message.fact, message.value)

    @on(FactList.Added)
    def _added(self, message: FactList.Added) -> None:
        self._set_fact("", message.text, typed=True)

    @on(FactList.Cleared)
    def _cleared(self, message: FactList.Cleared) -> None:
        self.facts.pop(message.key, None)
        self._said = f"Cleared {message.key}; ranked again without it."
        self.run_doctor()

    # --- probes: measure with a saved profile's stored credentials ---------------------------

    def action_probe(self) -> None:
        self._probe(None)

    @on(ProbePanel.Requested)
    def _probe_requested(self, message: ProbePanel.Requested) -> None:
        self._probe(message.profile)

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self, name: str | None) -> None:
        panel = self.query_one(ProbePanel)
        if self._keep is None:
            return
        if name is None:
            found = await self._keep.profiles()
            if isinstance(found, Failure):
                await panel.say(f"{found.message} {found.fix}".strip())
                return
            if len(found) != 1:
                await (panel.choose(sorted(found)) if found else panel.say(
                    "No saved profile yet: save one from Profiles (Welcome screen) or the "
                    "wizard's Done step, then check it here."))
                return
            name = next(iter(found))
        await panel.say(f"Checking '{name}': LWA, then SP-API, read-only…")
        inferred = self.outcome.diagnosis.inferred if self.outcome and self.outcome.diagnosis \
            else {}
        report = await self._keep.probe(name, {**inferred, **self.facts})
        if isinstance(report, Failure):
            await panel.say(f"{report.message} {report.fix}".strip())
            return
        await panel.show(report, name)
        if report.facts:
            self.facts.update(report.facts)
            self._said = f"Ranked again with what the check of '{name}' measured."
            self.run_doctor(focus="#doctor-results")

    # --- other actions ------------------------------------------------------------------------

    def action_diagnose(self) -> None:
        self.run_doctor(focus="#doctor-results")

    @on(PasteArea.Submitted)
    def _submitted(self) -> None:
        self.run_doctor(focus="#doctor-results")

    @on(PasteArea.Pasted)
    def _pasted(self) -> None:
        self.run_doctor()

    def action_copy_support(self) -> None:
        if self.outcome is None or self.outcome.diagnosis is None:
            self._status("Diagnose something first: the details come from the text and facts.")
            return
        self.app.copy_to_clipboard(self.outcome.support)
        self._status("Sent the support-case details to the clipboard (secrets removed). If "
                     "nothing was copied (no OSC 52 in this terminal), open Support-case "
                     "details under the causes and select the text.")

    @on(Button.Pressed, "#copy-support")
    def _copy_pressed(self) -> None:
        self.action_copy_support()

    def action_add_fact(self) -> None:
        self.query_one("#fact-input", Input).focus()

    def action_edit_text(self) -> None:
        self.query_one(PasteArea).focus()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "doctor")
        self.dismiss()

    def _typing(self) -> bool:
        return isinstance(self.focused, Input | TextArea)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            return not self._typing() and parameters[0] in self._keyed
        if action == "probe":
            return not self._typing() and self._keep is not None
        if action in ("copy_support", "add_fact", "edit_text"):
            if self._typing():
                return False
            return action != "copy_support" or bool(self.outcome and self.outcome.diagnosis)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _status(self, text: str) -> None:
        status = self.query_one("#doctor-status", Static)
        status.update(Content(text))
        status.display = bool(text)
