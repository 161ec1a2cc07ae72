"""The doctor as the wizard's screens use it: one run with its errors as sentences, the facts a
``WizardState`` already states, answers and typed facts checked, the keys that answer questions,
and the doctor's word on a failed attempt.

The Doctor screen runs ``run`` in a thread worker (a big paste takes a moment); Review and Catch
get their facts from ``state_facts``/``failure_facts``. Everything here is pure: no Textual, no
I/O beyond the packaged knowledge base.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup
from oauth_wizard.core.records import ConsentUrl
from oauth_wizard.doctor import facts as doctor_facts
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.diagnosis import Diagnosis, Question, diagnose
from oauth_wizard.doctor.facts import VOCABULARY, DoctorFactError
from oauth_wizard.doctor.knowledge import KnowledgeError
from oauth_wizard.doctor.preflight import wizard_facts
from oauth_wizard.doctor.support_case import support_case_details
from oauth_wizard.tui.state import WizardState, to_profile

__all__ = ["FactProblem", "KeyedChoice", "Outcome", "explain_failure", "fact_key", "failure_facts",
           "keyed_choices", "parse_typed_fact", "run", "score_bar", "set_fact", "state_facts"]

KEYS = "123456789"
STAGES = ("consent", "token-exchange")  # the steps of one authorize attempt
BAR_CELLS = 10
EIGHTHS = " ▏▎▍▌▋▊▉█"
FACT_SIGNALS = ("url:", "lint:", "cause:")  # signals the facts give, not the text


class FactProblem(ValueError):
    """A typed fact or an answer the vocabulary refuses; the message says what to write."""


@dataclass(frozen=True)
class Outcome:
    """One run: the diagnosis and its support-case text, or why there is none."""

    diagnosis: Diagnosis | None
    support: str = ""
    error: str | None = None


@dataclass(frozen=True)
class KeyedChoice:
    """One answer of one question, and the key (``1``..``9``, or '' past nine) that gives it."""

    key: str
    question: Question
    value: str


def run(text: str, facts: Mapping[str, str]) -> Outcome:
    """``diagnose`` with the errors a screen can show: bad facts, a broken knowledge base."""
    try:
        result = diagnose(text or None, dict(facts))
    except DoctorFactError as exc:
        return Outcome(None, error=" ".join(exc.problems))
    except KnowledgeError as exc:
        return Outcome(None, error=f"The doctor's knowledge base is broken: {exc}. Reinstall "
                                   "oauth-wizard; if it persists, report it.")
    return Outcome(result, support_case_details(result, text or None, dict(facts)))


def keyed_choices(questions: Sequence[Question]) -> list[KeyedChoice]:
    """Every choice of the questions, in order, numbered 1..9 across them (the best question
    first); typed questions (no choices) take no key."""
    out = []
    for question in questions:
        for value in question.choices:
            key = KEYS[len(out)] if len(out) < len(KEYS) else ""
            out.append(KeyedChoice(key, question, value))
    return out


def set_fact(facts: Mapping[str, str], key: str, value: str) -> dict[str, str]:
    """``facts`` with ``key=value`` checked and normalised (``yes`` → ``true``, ``uk`` →
    ``GB``); a region that no longer matches a new marketplace is dropped."""
    norm = doctor_facts.normalise_key(key)
    if norm not in VOCABULARY:
        close = difflib.get_close_matches(norm, list(VOCABULARY), n=1)
        hint = (f"Did you mean {close[0]}?" if close
                else f"Known facts: {', '.join(VOCABULARY)}.")
        raise FactProblem(f"There is no fact called {key.strip()[:40]!r}. {hint}")
    try:
        parsed = doctor_facts.parse_facts({norm: value})
    except DoctorFactError as exc:
        raise FactProblem(" ".join(exc.problems)) from None
    out = dict(facts)
    out[norm] = parsed.known[norm]
    if norm == "marketplace" and "region" in out:
        if lookup(out[norm]).region != out["region"]:
            del out["region"]
    return out


def parse_typed_fact(facts: Mapping[str, str], typed: str) -> tuple[dict[str, str], str]:
    """``facts`` plus a fact typed as ``key=value`` (or ``key: value``), and its key."""
    cut = min((i for i in (typed.find("="), typed.find(":")) if i > 0), default=-1)
    key, value = (typed[:cut], typed[cut + 1:]) if cut > 0 else ("", "")
    if not key.strip():
        raise FactProblem(f"Write a fact as key=value, e.g. marketplace=BR (not {typed[:40]!r}).")
    return set_fact(facts, key, value), fact_key(key)


def fact_key(key: str) -> str:
    """``key`` as the vocabulary spells it (``edits-pending`` → ``edit_pending``)."""
    return doctor_facts.normalise_key(key)


def score_bar(score: float, cells: int = BAR_CELLS) -> str:
    """A bar of ``cells`` characters, filled to ``score`` (0..1) in eighths."""
    eighths = round(max(0.0, min(1.0, score)) * cells * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[part] if part else "")
    return bar.ljust(cells)


def state_facts(state: WizardState, consent: ConsentUrl | str | None = None) -> dict[str, str]:
    """What the wizard's values say about the app and this attempt, in the facts vocabulary.

    With a complete description these are the preflight's facts (the consent URL, its
    ``version=beta``, the Redirect URIs...); otherwise only the values that are valid.
    """
    built = to_profile(state)
    market = _market(state.seller_marketplace)
    if built.ok and built.profile is not None and market:
        try:
            return wizard_facts(built.profile, market, consent, state.consent_redirect_uri(),
                                simulated=state.simulated_endpoints)
        except (ValueError, UnknownMarketplaceError):
            pass
    raw = {"app_state": state.app_state, "hybrid": "true" if state.hybrid else "false",
           "marketplace": market or "", "app_marketplaces": ",".join(state.marketplaces)}
    if state.hybrid:
        raw["dev_id_regions"] = ",".join(r for r, v in state.dev_ids if v.strip())
    out: dict[str, str] = {}
    for key, value in raw.items():
        try:
            out = set_fact(out, key, value) if value else out
        except FactProblem:
            continue
    return out


def _market(code: str) -> str | None:
    try:
        return lookup(code).code if code.strip() else None
    except UnknownMarketplaceError:
        return None


def failure_facts(state: WizardState, consent: ConsentUrl | str | None, cause: str | None,
                  *, exchanging: bool) -> dict[str, str]:
    """The facts of a failed attempt: the wizard's, where it failed (``via``) and the cause id
    the failure named. ``exchanging``: the code had arrived and was being exchanged."""
    facts = state_facts(state, consent)
    via = "token-exchange" if exchanging else "consent"
    try:
        kb = knowledge.load()
    except KnowledgeError:
        kb = None
    if kb is not None and cause in kb.causes:
        stages = kb.causes[cause].via
        if stages and via not in stages:
            via = next((s for s in STAGES if s in stages), stages[0])
        facts["cause"] = cause
    facts["via"] = via
    return facts


def explain_failure(message: str, facts: Mapping[str, str]) -> Diagnosis | None:
    """The doctor's answer for a failure, or None when it has nothing to add: no known cause
    was named and the message itself shows nothing it recognises (the wizard's facts alone
    would only rank the usual suspects)."""
    if "cause" not in facts:
        alone = run(message, {}).diagnosis
        if alone is None or not [s for s in alone.signals if not s.startswith(FACT_SIGNALS)]:
            return None
    return run(message, facts).diagnosis
