"""The pieces of the Doctor screen: the paste area, the recognised signals, a ranked cause with
its score bar and fix, the questions with their answer keys, and the facts known so far.

Each piece only shows what it is given and posts what the user did (answered, cleared a fact);
the Doctor screen runs the doctor and decides what to show next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Collapsible, Input, Static, TextArea

from oauth_wizard.doctor.diagnosis import Diagnosis, Question, RankedCause
from oauth_wizard.doctor.facts import VOCABULARY
from oauth_wizard.doctor.render import nothing_recognised, ruled_out_text, score_text
from oauth_wizard.tui.sessions.doctor import KeyedChoice, score_bar

CODE = re.compile(r"MD\d{4}|SPDC\d{2,4}|SPSA\d{4}")
QUIET = ("url:consent", "lint:ok")
COMMAND = re.compile(r"`([^`\n]{1,300})`")
TYPED_HINTS = {"consent_url": "https://sellercentral.…/apps/authorize/consent?…",
               "marketplace": "e.g. BR", "app_marketplaces": "e.g. US,CA,MX",
               "dev_id_regions": "e.g. NA,EU", "redirect_uri": "https://…",
               "registered_redirect_uris": "https://…,https://…",
               "operation": "e.g. getOrders", "client_id": "amzn1.application-oa2-client.…",
               "app_id": "amzn1.sp.solution.…"}


def with_commands(text: str) -> Content:
    """``text`` with each `command` shown bold, without the backticks (never markup)."""
    parts: list[str | tuple[str, str]] = []
    last = 0
    for match in COMMAND.finditer(text):
        parts.append(text[last:match.start()])
        parts.append((match.group(1), "bold $text-accent"))
        last = match.end()
    parts.append(text[last:])
    return Content.assemble(*parts)


class PasteArea(TextArea):
    """Where the user pastes what Amazon said. A paste arrives whole (newlines and all), so
    Enter diagnoses; Shift+Enter or Ctrl+J adds a line when typing by hand."""

    @dataclass
    class Submitted(Message):
        """Enter: diagnose this text now."""

        area: PasteArea

    @dataclass
    class Pasted(Message):
        """Something was pasted: diagnose it, leaving the cursor where it is."""

        area: PasteArea

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self))
            return
        if event.key in ("shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.replace("\n", *self.selection)
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        await super()._on_paste(event)
        if not self.read_only and event.text.strip():
            self.post_message(self.Pasted(self))


def _visible_signals(diagnosis: Diagnosis) -> list[str]:
    """The signals worth a chip: a family (``family:MD``) only when no specific code says it;
    not the ones that only restate a fact (a cause id given, a consent URL that is fine)."""
    signals = [s for s in diagnosis.signals if s not in QUIET and not s.startswith("cause:")]
    if any(CODE.fullmatch(s) for s in signals):
        signals = [s for s in signals if not s.startswith("family:")]
    return signals


class SignalLine(Static):
    """What the doctor recognised in the text, as chips."""

    def show(self, diagnosis: Diagnosis) -> None:
        signals = _visible_signals(diagnosis)
        if not signals:
            self.update(Content.assemble(
                ("Recognised: ", "bold"),
                nothing_recognised(diagnosis)))
            return
        parts: list[str | Content | tuple[str, str]] = [("Recognised: ", "bold")]
        for signal in signals:
            parts += [Content.styled(f" {signal} ", "bold $text-accent on $accent-muted"), " "]
        ruled = ruled_out_text(diagnosis)
        if ruled:
            parts += ["\n", ruled]
        self.update(Content.assemble(*parts))


def cause_title(rank: int, ranked: RankedCause) -> Content:
    """``1. ██████▌    62%  Title``: rank, score bar, percentage and title."""
    return Content.assemble(
        (f"{rank}. ", "bold"), (score_bar(ranked.score), "$text-success on $success-muted"),
        f" {score_text(ranked.score):>4}  ", (ranked.title, "bold"))


class CauseCard(Collapsible):
    """One ranked cause: explanation, why it ranks here, the numbered fix and the source."""

    def __init__(self, rank: int, ranked: RankedCause, *, collapsed: bool) -> None:
        self.ranked = ranked
        super().__init__(*self._body(ranked), title=cause_title(rank, ranked),
                         collapsed=collapsed, classes=f"cause-card rank-{rank}",
                         id=f"cause-{rank}")

    @staticmethod
    def _body(ranked: RankedCause) -> list[Static]:
        explanation = ranked.cause.explanation
        body = [Static(Content(explanation), classes="cause-explanation")]
        why = [w for w in ranked.why
               if not (w.startswith("Uncertain: ") and w[len("Uncertain: "):] in explanation)]
        if why:
            lines = [Content.assemble(("Why", "bold"))]
            lines += [Content.assemble("· ", with_commands(w)) for w in why]
            body.append(Static(Content("\n").join(lines), classes="cause-why"))
        fix = [Content.assemble(("Fix", "bold $text-success"))]
        fix += [Content.assemble((f"{i}) ", "bold"), with_commands(step))
                for i, step in enumerate(ranked.fix, 1)]
        body.append(Static(Content("\n").join(fix), classes="cause-fix"))
        body.append(Static(Content(f"cause: {ranked.id} · source: {ranked.cause.source}"),
                           classes="cause-source"))
        return body


class QuestionPanel(Vertical):
    """The questions that would narrow the ranking, best first: choices as buttons labelled
    with their key, typed questions as a field."""

    @dataclass
    class Answered(Message):
        """The user answered ``fact`` with ``value`` (a choice, or what they typed)."""

        fact: str
        value: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.questions: tuple[Question, ...] = ()
        self.keyed: list[KeyedChoice] = []
        self.ran = False

    async def show(self, questions: Sequence[Question], keyed: list[KeyedChoice]) -> None:
        self.questions = tuple(questions)
        self.keyed = keyed
        self.ran = True
        await self.recompose()

    def compose(self) -> ComposeResult:
        yield Static("Narrow it down", classes="section")
        if not self.questions:
            yield Static("No question would change the ranking much now." if self.ran else
                         "Questions appear here once there is something to diagnose.",
                         classes="hint")
        index = 0
        for number, question in enumerate(self.questions, 1):
            best = " (helps most)" if number == 1 and len(self.questions) > 1 else ""
            yield Static(Content.assemble(("? ", "bold $text-accent"), question.ask,
                                          (best, "$text-muted")), classes="question-ask")
            if not question.choices:
                yield Input(placeholder=TYPED_HINTS.get(question.fact, "type it, then Enter"),
                            id=f"typed-{question.fact}", classes="typed-answer", compact=True)
                continue
            with Grid(classes="choices"):
                for _value in question.choices:
                    choice = self.keyed[index]
                    label = f"{choice.key} {choice.value}" if choice.key else choice.value
                    yield Button(label, id=f"answer-{index}", compact=True, classes="choice",
                                 tooltip=f"Answer {question.fact}={choice.value}")
                    index += 1
        yield Static(id="question-error", classes="fact-error")

    def show_error(self, text: str) -> None:
        error = self.query_one("#question-error", Static)
        error.update(Content(text))
        error.display = bool(text)

    @on(Button.Pressed, ".choice")
    def _chosen(self, event: Button.Pressed) -> None:
        event.stop()
        choice = self.keyed[int((event.button.id or "answer-0").split("-")[1])]
        self.post_message(self.Answered(choice.question.fact, choice.value))

    @on(Input.Submitted, ".typed-answer")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Answered((event.input.id or "").removeprefix("typed-"),
                                            event.value))


class FactList(Vertical):
    """The facts known so far (given ones with a button to clear each), a field to add one, and
    what the doctor inferred from them."""

    @dataclass
    class Cleared(Message):
        """The user cleared the fact ``key``."""

        key: str

    @dataclass
    class Added(Message):
        """The user typed ``key=value``."""

        text: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.given: dict[str, str] = {}
        self.inferred: dict[str, str] = {}

    async def show(self, given: Mapping[str, str], inferred: Mapping[str, str]) -> None:
        self.given, self.inferred = dict(given), dict(inferred)
        await self.recompose()

    def compose(self) -> ComposeResult:
        yield Static("Facts", classes="section")
        yield Input(placeholder="add: key=value (e.g. marketplace=BR)", id="fact-input",
                    compact=True,
                    suggester=SuggestFromList([f"{k}=" for k in VOCABULARY],
                                              case_sensitive=False))
        yield Static(id="fact-error", classes="fact-error")
        if not self.given and not self.inferred:
            yield Static("None yet. Answers and facts you add show here.", classes="hint")
        for number, (key, value) in enumerate(self.given.items()):
            with Horizontal(classes="fact-row"):
                yield Static(Content.assemble((key, "bold"), f" = {value}"), classes="fact-text")
                yield Button("✕", id=f"clear-{number}", compact=True, classes="fact-clear",
                             tooltip=f"Clear {key}")
        for key, value in self.inferred.items():
            yield Static(Content.assemble((key, "bold"), f" = {value} (inferred)"),
                         classes="fact-text fact-inferred")

    def show_error(self, text: str) -> None:
        error = self.query_one("#fact-error", Static)
        error.update(Content(text))
        error.display = bool(text)

    @on(Button.Pressed, ".fact-clear")
    def _clear(self, event: Button.Pressed) -> None:
        event.stop()
        number = int((event.button.id or "clear-0").split("-")[1])
        self.post_message(self.Cleared(list(self.given)[number]))

    @on(Input.Submitted, "#fact-input")
    def _added(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Added(event.value))
