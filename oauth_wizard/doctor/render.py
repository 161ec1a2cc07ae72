"""The doctor's answers as plain terminal text, shared by the CLI commands.

``diagnosis_text`` is the full answer of ``oauth-wizard diagnose``: what was recognised, the top
causes with their score, explanation, reasons, numbered fix steps and source, then the questions
that would narrow the ranking and how to answer them. ``compact_text`` is the one-cause form a
failed command prints under its error; ``preflight_text`` lists predicted failures.

Everything is wrapped to ``width`` columns (80 by default) without ever splitting a URL or a
`command` in backticks: a token longer than the line gets a line of its own instead. No
Textual, no I/O.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

from oauth_wizard.doctor import facts as doctor_facts

if TYPE_CHECKING:
    from oauth_wizard.doctor.diagnosis import Diagnosis, Question, RankedCause
    from oauth_wizard.doctor.preflight import Preflight

__all__ = ["answer_hint", "compact_text", "diagnosis_text", "preflight_text", "score_text",
           "wrap"]

WIDTH = 80
TOP = 3
GLUE = "\ue000"  # stands for a space inside a `command` while wrapping
COMMAND_SPAN = re.compile(r"`[^`\n]{1,300}`")
PLACEHOLDERS = {"marketplace": "CC", "marketplaces": "CC,CC", "regions": "NA,EU",
                "uri": "'URL'", "uris": "'URI,URI'", "int": "N", "text": "'TEXT'"}


def wrap(text: str, width: int = WIDTH, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` columns; URLs and `commands` stay whole."""
    glued = COMMAND_SPAN.sub(lambda m: m.group(0).replace(" ", GLUE), text)
    wrapper = textwrap.TextWrapper(width=width, initial_indent=indent if first is None else first,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False)
    lines = wrapper.wrap(glued)
    return [line.replace(GLUE, " ") for line in lines] or [(first or indent).rstrip()]


def score_text(score: float) -> str:
    percent = round(score * 100)
    return "<1%" if percent < 1 else f"{percent}%"


def answer_hint(question: Question) -> str:
    """How to answer ``question`` on the command line."""
    if question.choices:
        choices = list(question.choices)
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
        return f"--fact {question.fact}=VALUE (VALUE: {listed})"
    spec = doctor_facts.VOCABULARY.get(question.fact)
    placeholder = PLACEHOLDERS.get(spec.kind, "VALUE") if spec else "VALUE"
    return f"--fact {question.fact}={placeholder}"


def _signal_line(diagnosis: Diagnosis) -> str:
    signals = list(diagnosis.signals)
    if any(re.fullmatch(r"MD\d{4}|SPDC\d{2,4}|SPSA\d{4}", s) for s in signals):
        signals = [s for s in signals if not s.startswith("family:")]
    shown = []
    for signal in signals:
        said = " ".join(diagnosis.said.get(signal, "").split())
        value = signal.split(":", 1)[-1]
        if said and said.lower() not in (signal.lower(), value.lower()):
            shown.append(f"{signal} (\u201c{said}\u201d)")
        else:
            shown.append(signal)
    return "; ".join(shown)


def _facts_line(facts: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in facts.items())


def _cause_block(rank: int, ranked: RankedCause, width: int) -> list[str]:
    lines = wrap(f"{rank}. {ranked.title} ({score_text(ranked.score)})", width, "   ", "")
    lines.append(f"   cause: {ranked.id}")
    explanation = ranked.cause.explanation
    lines += wrap(explanation, width, "   ")
    # "Uncertain: ..." repeats a sentence of the explanation, which is shown just above
    why = [w for w in ranked.why
           if not (w.startswith("Uncertain: ") and w[len("Uncertain: "):] in explanation)]
    if why:
        lines.append("   Why:")
        for reason in why:
            lines += wrap(reason, width, "     ", "   - ")
    lines += _fix_lines(ranked.fix, width, "   ")
    lines += wrap(f"Source: {ranked.cause.source}", width, "     ", "   ")
    return lines


def _fix_lines(fix: Iterable[str], width: int, indent: str) -> list[str]:
    steps = list(fix)
    if not steps:
        return []
    lines = [f"{indent}Fix:"]
    for i, step in enumerate(steps, 1):
        label = f"{indent}{i}) "
        lines += wrap(step, width, " " * len(label), label)
    return lines


def ruled_out_text(diagnosis: Diagnosis) -> str | None:
    """"Ruled out: cause (by fact), …": causes the text pointed at that a stated fact
    contradicts (None when there are none)."""
    if not diagnosis.ruled_out:
        return None
    return "Ruled out: " + ", ".join(f"{cid} (by {by})" for cid, by in diagnosis.ruled_out)


def nothing_recognised(diagnosis: Diagnosis) -> str:
    """What the ranking rests on when the text named nothing: the facts, or only how common
    each cause is."""
    if diagnosis.facts or diagnosis.inferred:
        return "nothing Amazon-specific in the text; the ranking rests on the facts."
    return ("nothing Amazon-specific in the text, and no facts yet: the ranking is only how "
            "common each cause is.")


def diagnosis_text(diagnosis: Diagnosis, *, width: int = WIDTH, top: int = TOP) -> str:
    """The full human answer of ``oauth-wizard diagnose``."""
    lines: list[str] = []
    recognised = _signal_line(diagnosis)
    if recognised:
        lines += wrap(f"Recognised: {recognised}", width, "  ", "")
    else:
        lines += wrap(f"Recognised: {nothing_recognised(diagnosis)}", width, "  ", "")
    if diagnosis.facts:
        lines += wrap(f"Facts: {_facts_line(diagnosis.facts)}", width, "  ", "")
    if diagnosis.inferred:
        lines += wrap(f"Inferred: {_facts_line(diagnosis.inferred)}", width, "  ", "")
    if diagnosis.unknown_facts:  # the engine's note names the known keys
        lines += wrap(f"Not used: {_facts_line(diagnosis.unknown_facts)}", width, "  ", "")
    for note in diagnosis.notes:
        lines += wrap(f"Note: {note}", width, "  ", "")
    ruled = ruled_out_text(diagnosis)
    if ruled:
        lines += wrap(ruled, width, "  ", "")
    lines.append("")
    shown = diagnosis.causes[:top]
    lines.append("Most likely cause:" if len(shown) == 1 else
                 f"Most likely causes, best first ({len(shown)}):")
    for rank, ranked in enumerate(shown, 1):
        lines.append("")
        lines += _cause_block(rank, ranked, width)
    rest = diagnosis.causes[top:]
    if rest:
        lines.append("")
        others = ", ".join(f"{c.id} {score_text(c.score)}" for c in rest)
        lines += wrap(f"Less likely: {others} (all of them: --json).", width, "  ", "")
    lines.append("")
    if diagnosis.questions:
        lines += wrap("To narrow it down, answer one of these and run the command again with "
                      "the --fact added (the first helps most):", width)
        for question in diagnosis.questions:
            lines += wrap(question.ask, width, "    ", "  ? ")
            lines += wrap(answer_hint(question), width, "      ", "    ")
    else:
        lines += wrap("No question would change this ranking much.", width)
    return "\n".join(lines) + "\n"


def compact_text(diagnosis: Diagnosis, *, width: int = WIDTH, more: str | None = None) -> str:
    """The top cause and its fix, for printing under a failed command's error."""
    top = diagnosis.top
    lines = wrap(f"Doctor: {top.title} ({top.id}, {score_text(top.score)})", width, "    ",
                 "  ")
    lines += _fix_lines(top.fix, width, "  ")
    close = [c for c in diagnosis.causes[1:TOP] if c.score >= 0.1]
    if close:
        lines += wrap("Also possible: " + "; ".join(f"{c.title} ({c.id}, {score_text(c.score)})"
                                                    for c in close), width, "    ", "  ")
    if more:
        lines += wrap(f"More: {more}", width, "    ", "  ")
    return "\n".join(lines) + "\n"


def preflight_text(result: Preflight, *, width: int = WIDTH) -> str:
    """Predicted failures, certain ones first, each with what was found and the fix."""
    where = ""
    if result.facts.get("marketplace"):
        where = f" for {result.facts['marketplace']} ({result.facts.get('region', '?')})"
    if not result.findings:
        return "\n".join(wrap(f"Preflight{where}: nothing predicts a refusal.", width)) + "\n"
    count = len(result.findings)
    lines = wrap(f"Preflight{where}: {count} predicted failure{'s' if count > 1 else ''} "
                 "before the browser opens:", width)
    for finding in result.findings:
        lines.append("")
        label = f"  [{finding.certainty}] "
        lines += wrap(f"{finding.title} ({finding.cause})", width, " " * len(label), label)
        for found in finding.found:
            lines += wrap(found, width, "      ", "    - ")
        lines += _fix_lines(finding.fix, width, "    ")
    return "\n".join(lines) + "\n"
