"""``diagnose`` in a terminal: the doctor's top question, one at a time, until a cause leads.

A person at a terminal is asked what would tell the leading causes apart (a key per answer,
Enter for "don't know"), and the diagnosis is ranked again after each answer, as the TUI
Doctor screen does. It stops when one cause leads by a clear margin, when the doctor has no
more questions, or after ``MAX_QUESTIONS``. The answers are printed as ``--fact`` options,
so the same diagnosis can be repeated in a script or quoted in a support case. Pipes,
``--json``, ``--support-case`` and ``--no-input`` never ask.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from oauth_wizard.doctor.diagnosis import Diagnosis, Question

MAX_QUESTIONS = 5
CLEAR_LEAD = 0.35  # the top cause's probability ahead of the second's


def settled(diagnosis: Diagnosis) -> bool:
    """Whether one cause leads clearly enough that another question would not change it."""
    causes = diagnosis.causes
    if len(causes) < 2:
        return True
    return causes[0].score - causes[1].score >= CLEAR_LEAD


def ask_until_settled(diagnosis: Diagnosis, facts: list[str],
                      again: Callable[[list[str]], Diagnosis], *,
                      stdin: TextIO | None = None, out: TextIO | None = None) -> Diagnosis:
    """Ask the top open question, add the answer as a fact, diagnose again; repeat. ``facts``
    grows with the answers (the caller prints them)."""
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stderr if out is None else out
    asked: set[str] = set()
    for _ in range(MAX_QUESTIONS):
        if settled(diagnosis):
            break
        question = next((q for q in diagnosis.questions if q.fact not in asked), None)
        if question is None:
            break
        asked.add(question.fact)
        answer = _ask(question, stdin, out)
        if answer is None:
            continue
        facts.append(f"{question.fact}={answer}")
        diagnosis = again(facts)
    return diagnosis


def _ask(question: Question, stdin: TextIO, out: TextIO) -> str | None:
    """One question; the chosen value, or None for "don't know" (Enter, 0, end of input)."""
    from oauth_wizard.doctor.render import wrap  # 80 columns, like the rest of the output

    choices = question.choices
    if choices:
        keys = "  ".join(f"{i}) {c}" for i, c in enumerate(choices, 1))
        lines = [*wrap(question.ask, indent="  ", first="? "), f"  {keys}  0) don't know"]
    else:
        lines = wrap(f"{question.ask} (type it, or Enter if you don't know)", indent="  ",
                     first="? ")
    print("\n".join(lines), file=out, flush=True)
    for _ in range(3):
        print("> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return None
        text = line.strip()
        if not text or text == "0":
            return None
        if not choices:
            return text
        if text.isdigit() and 1 <= int(text) <= len(choices):
            return choices[int(text) - 1]
        if text in choices:
            return text
        print(f"  Answer with a number from 1 to {len(choices)}, or 0 if you don't know.",
              file=out, flush=True)
    return None


def repeat_line(answered: list[str]) -> str:
    """The answers as options to repeat the diagnosis."""
    import shlex

    return "To repeat this diagnosis: " + " ".join(f"--fact {shlex.quote(f)}"
                                                    for f in answered)
