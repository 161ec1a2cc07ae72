"""The doctor: what Amazon said plus what is known about the app, to ranked causes, fixes and
the one question that best separates what is left.

Scoring is a transparent log-linear model over ``data/causes.toml``: each cause starts at
ln(prior), each signal found in the text and each fact rule that holds adds its weight, and the
stage the error appeared at (``via``) adds a fit bonus or penalty. A softmax turns the totals into
probabilities (``score``, 0..1, summing to 1 over all causes). Every contribution is kept, so
``why`` can say in words which signal or fact pointed where.

Questions are chosen by expected information gain over the top candidates (see ``_gain``): the
question whose answer is expected to shrink the uncertainty most comes first. Deterministic, no
I/O, no randomness.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from oauth_wizard.core.frozen import Fresh, record
from oauth_wizard.doctor import facts as doctor_facts
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor import signals as doctor_signals
from oauth_wizard.doctor.facts import DoctorFactError
from oauth_wizard.doctor.knowledge import Cause, KnowledgeBase, QuestionSpec

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile

__all__ = ["Diagnosis", "DoctorFactError", "Question", "RankedCause", "diagnose"]

HINT_WEIGHT = 6.0  # an error of ours that already names its cause id (LwaError, LegError)
MAX_CAUSES = 6
MIN_SCORE = 0.03
RULE_OUT = -5.0  # a stated fact this much against a cause contradicts its precondition
TOP_MASS = 0.95
TOP_MAX = 8
TOP_MIN = 0.01
MAX_QUESTIONS = 3
MIN_GAIN = 0.05  # bits
FREE_TEXT_FACTOR = 0.5  # a typed answer costs more than one key
UNMET_NEEDS_FACTOR = 0.5
MAX_WHY = 6
CODE_FORM = re.compile(r"MD\d{4}|SPDC\d{2,4}|SPSA\d{4}|CONSENT_LIMIT_REACHED")
OTHER_STEPS = ("lwa:", "host:lwa", "family:", "lint:")  # signals of LWA or of the consent page


@record
class RankedCause:
    """One cause with its probability, the reasons for it and the fix steps."""

    cause: Cause
    score: float
    why: tuple[str, ...]
    fix: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.cause.id

    @property
    def title(self) -> str:
        return self.cause.title

    def as_json(self) -> dict:
        return {"id": self.id, "score": self.score, "title": self.title, "why": list(self.why),
                "fix": list(self.fix), "source": self.cause.source}


@record
class Question:
    fact: str
    ask: str
    choices: tuple[str, ...]
    gain: float = 0.0

    def as_json(self) -> dict:
        return {"fact": self.fact, "ask": self.ask, "choices": list(self.choices)}


@record
class Diagnosis:
    """The result; ``as_json()`` is exactly the contract of reference/diagnosis.md."""

    signals: tuple[str, ...]
    causes: tuple[RankedCause, ...]
    questions: tuple[Question, ...]
    facts: dict[str, str] = Fresh(dict)
    inferred: dict[str, str] = Fresh(dict)
    unknown_facts: dict[str, str] = Fresh(dict)
    notes: tuple[str, ...] = ()
    said: dict[str, str] = Fresh(dict)
    ruled_out: tuple[tuple[str, str], ...] = ()  # (cause id, the stated fact that rules it out)

    @property
    def top(self) -> RankedCause:
        return self.causes[0]

    def as_json(self) -> dict:
        return {"signals": list(self.signals), "causes": [c.as_json() for c in self.causes],
                "questions": [q.as_json() for q in self.questions],
                "ruled_out": [{"id": cid, "by": by} for cid, by in self.ruled_out]}


@record(frozen=False)
class _Scored:
    total: float
    reasons: list[tuple[float, str]]
    pointed: float = 0.0  # what the text's signals gave it
    ruled_by: list[str] = Fresh(list)  # stated facts that contradict it


def diagnose(text: str | bytes | None,
             facts: Mapping[str, object] | Iterable[str] | None = None,
             profile: AppProfile | None = None, *,
             kb: KnowledgeBase | None = None) -> Diagnosis:
    """Rank the causes of what ``text`` shows, given ``facts`` (and a saved ``profile``).

    Raises ``DoctorFactError`` for a fact value outside the vocabulary, ``KnowledgeError`` if
    the knowledge base is broken; any pasted text gets an answer.
    """
    kb = kb or knowledge.load()
    parsed = doctor_facts.parse_facts(facts)
    given = dict(doctor_facts.profile_facts(profile)) if profile else {}
    given.update(parsed.known)
    kind = profile.kind if profile else None
    extracted = doctor_signals.extract(text, kb, given, kind)
    known = {**extracted.inferred, **given}
    if "region" not in known and known.get("marketplace"):
        known["region"] = doctor_facts.region_of(known) or ""
    if "via" not in known and known.get("operation") and not any(
            s.startswith(OTHER_STEPS) or CODE_FORM.fullmatch(s) for s in extracted.signals):
        known["via"] = "api-call"  # it names the SP-API call that failed; LWA did not answer
    inferred = {k: v for k, v in known.items() if k not in given}
    signals = list(extracted.signals)
    hint = given.get("cause")
    if hint in kb.causes:
        signals.append(f"cause:{hint}")
        extracted.said[f"cause:{hint}"] = f"cause={hint}"
    elif hint:
        extracted.notes.append(f"The fact cause={hint[:60]!r} names no known cause; ignored.")
    pointing = {r.signal for c in kb.causes.values() for r in c.signals if r.weight > 0}
    recognised = any(s in pointing or s.startswith("cause:") for s in signals)
    active = set(signals) if recognised else {*signals, "none"}
    scores = _score_all(kb, active, known, extracted.said)
    ruled_out = _rule_out(scores, given)
    probs = _softmax({cid: s.total for cid, s in scores.items()})
    ranked = _rank(kb, scores, probs)
    questions = _questions(kb, active, known, probs)
    notes = [*parsed.notes, *extracted.notes]
    return Diagnosis(tuple(signals), ranked, questions, given, inferred, parsed.unknown,
                     tuple(dict.fromkeys(notes)), extracted.said, ruled_out)


def _rule_out(scores: dict[str, _Scored], given: Mapping[str, str]) -> tuple[tuple[str, str],
                                                                              ...]:
    """Causes the text pointed at but a stated fact contradicts leave the ranking (they are
    listed, with the fact, instead); never every cause the text pointed at."""
    pointed = [cid for cid, s in scores.items() if s.pointed > 0]
    ruled = [cid for cid in pointed if scores[cid].ruled_by
             and all(_stated(f, given) for f in scores[cid].ruled_by[:1])]
    if not ruled or len(ruled) == len(pointed):
        return ()
    for cid in ruled:
        scores[cid].total = -math.inf
    return tuple((cid, scores[cid].ruled_by[0]) for cid in ruled)


def _stated(fact: str, given: Mapping[str, str]) -> bool:
    """Whether every ``key=value`` of a ruling condition was stated (not inferred)."""
    return all(part.split("=", 1)[0].lstrip("!") in given for part in fact.split(", "))


def _fill(template: str, facts: Mapping[str, str]) -> str:
    """``{key}`` placeholders filled from facts; unknown ones stay as written."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: facts.get(m.group(1), m.group(0)), template)


def _describe(signal: str, said: str) -> str:
    kind, _, value = signal.partition(":")
    if CODE_FORM.fullmatch(signal):
        return f"Amazon's error page shows code {signal}."
    return {
        "family": f"Seller Central answered with an {value} error code ({said}).",
        "lwa": (f"The LWA error is about the {value.split('=')[1].replace('_', ' ')} "
                f"(\u201c{said}\u201d)." if value.startswith("grant=")
                else f"LWA answered {value}."),
        "spapi": f"The SP-API error code is {value}.",
        "aws": f"AWS answered {value}.",
        "details": {"empty": "The SP-API error has empty details.",
                    "html": "The answer is an HTML page, not SP-API's JSON error."}.get(
                        value, "The SP-API error has details."),
        "http": f"The HTTP status is {value}.",
        "exc": f"The exception is {value}.",
        "text": f"The text says \u201c{said}\u201d.",
        "lint": f"Consent URL: {said}",
        "endpoint": "The call went to a sandbox endpoint." if value == "sandbox"
        else f"The call went to the {value} endpoint.",
        "host": "The request went to the LWA token endpoint.",
        "url": f"The text has {said}.",
    }.get(kind, f"Signal {signal}.")


def _score_all(kb: KnowledgeBase, signals: set[str], facts: Mapping[str, str],
               said: Mapping[str, str]) -> dict[str, _Scored]:
    derived = {**facts, **doctor_facts.derive(facts, signals)}
    stages = _stages(kb, signals)
    out = {}
    for cid, cause in kb.causes.items():
        scored = _Scored(math.log(cause.prior), [])
        coded = any(CODE_FORM.fullmatch(r.signal) and r.signal in signals for r in cause.signals)
        for rule in cause.signals:
            if rule.signal in signals:
                scored.total += rule.weight
                scored.pointed += max(rule.weight, 0.0)
                if coded and rule.signal.startswith("family:"):
                    continue  # the specific code already says it
                scored.reasons.append((rule.weight, rule.why or _describe(
                    rule.signal, said.get(rule.signal, ""))))
        if f"cause:{cid}" in signals:
            scored.total += HINT_WEIGHT
            scored.reasons.append((HINT_WEIGHT, f"The error already names this cause ({cid})."))
        _fact_part(kb, cause, derived, scored)
        if "via" not in facts and cause.via and not stages & set(cause.via):
            scored.total += kb.signal_mismatch
            scored.reasons.append((kb.signal_mismatch, "The text shows an error of the "
                                   f"{'/'.join(sorted(stages))} step; this cause belongs to "
                                   f"{', '.join(cause.via)}."))
        out[cid] = scored
    return out


def _fact_part(kb: KnowledgeBase, cause: Cause, facts: Mapping[str, str],
               scored: _Scored) -> None:
    for rule in cause.facts:
        if rule.holds(facts):
            scored.total += rule.weight
            scored.reasons.append((rule.weight, _fill(rule.why, facts)))
            if rule.weight <= RULE_OUT:
                scored.ruled_by.append(", ".join(
                    f"{'!' if c.negate else ''}{c.key}={facts[c.key]}" for c in rule.when))
    via = facts.get("via")
    if via and cause.via:
        if via in cause.via:
            scored.total += kb.via_match
            scored.reasons.append((kb.via_match, f"It happened at the {via} step, where this "
                                                 "cause applies."))
        else:
            scored.total += kb.via_mismatch
            scored.reasons.append((kb.via_mismatch, f"It happened at the {via} step; this cause "
                                                    f"belongs to {', '.join(cause.via)}."))


def _softmax(totals: Mapping[str, float]) -> dict[str, float]:
    top = max(totals.values())
    exp = {k: math.exp(v - top) for k, v in totals.items()}
    norm = sum(exp.values())
    return {k: v / norm for k, v in exp.items()}


def _rank(kb: KnowledgeBase, scores: Mapping[str, _Scored],
          probs: Mapping[str, float]) -> tuple[RankedCause, ...]:
    """The causes worth showing, best first, with reasons (strongest first) and fix steps."""
    order = sorted(kb.causes, key=lambda c: (-probs[c], list(kb.causes).index(c)))
    chosen = [c for c in order[:MAX_CAUSES] if probs[c] >= MIN_SCORE] or order[:1]
    out = []
    for cid in chosen:
        cause = kb.causes[cid]
        reasons = sorted(scores[cid].reasons, key=lambda r: (-(r[0] > 0), -abs(r[0])))
        why = [text if weight > 0 else f"Against: {text}" for weight, text in reasons]
        fix = list(cause.fix)
        if cause.retired:
            r = cause.retired
            why.insert(0, f"Retired: {r.what} ended on {r.date}; this applies only to code "
                          "that still uses it.")
            fix.insert(0, f"Since {r.date}: {r.modern_fix}")
        if not why:
            why = [cause.explanation]
        doubts = [f"Uncertain: {s}" for s in re.split(r"(?<=[.!?])\s+", cause.explanation)
                  if "uncertain" in s]
        why = list(dict.fromkeys(why))[:MAX_WHY - len(doubts)] + doubts
        out.append(RankedCause(cause, round(probs[cid], 3), tuple(why), tuple(fix)))
    return tuple(out)


def _entropy(ps: Iterable[float]) -> float:
    return -sum(p * math.log2(p) for p in ps if p > 0)


def _top(probs: Mapping[str, float]) -> dict[str, float]:
    """The few causes that hold most of the probability, renormalised."""
    top: dict[str, float] = {}
    for cid, p in sorted(probs.items(), key=lambda kv: -kv[1]):
        if len(top) >= TOP_MAX or sum(top.values()) >= TOP_MASS or (top and p < TOP_MIN):
            break
        top[cid] = p
    norm = sum(top.values())
    return {k: v / norm for k, v in top.items()}


def _questions(kb: KnowledgeBase, signals: set[str], facts: Mapping[str, str],
               probs: Mapping[str, float]) -> tuple[Question, ...]:
    top = _top(probs)
    seen: dict[str, None] = {}
    for cid in top:
        for fact in kb.causes[cid].questions:
            seen.setdefault(fact)
    if "consent_url" in facts or "lint:malformed_consent_url" in signals:
        seen.pop("consent_url", None)
    candidates = []
    for fact in seen:
        if fact in facts:
            continue
        spec = kb.questions[fact]
        choices = spec.choices
        if fact == "via":
            choices = tuple(c for c in choices if c in _stages(kb, signals))
            if len(choices) < 2:
                continue
        gain = _gain(kb, spec, choices, signals, facts, top)
        if gain >= MIN_GAIN:
            candidates.append(Question(fact, spec.ask, choices, round(gain, 4)))
    candidates.sort(key=lambda q: -q.gain)
    return tuple(candidates[:MAX_QUESTIONS])


def _stages(kb: KnowledgeBase, signals: set[str]) -> set[str]:
    """The steps (``via`` values) the signals leave possible; all of them when none says."""
    found: set[str] = set()
    for signal in signals:
        for key, stages in kb.signal_stages.items():
            if signal == key or (key.endswith("*") and signal.startswith(key[:-1])):
                found.update(stages)
    return found or set(doctor_facts.VIA)


def _gain(kb: KnowledgeBase, spec: QuestionSpec, choices: tuple[str, ...], signals: set[str],
          facts: Mapping[str, str], top: Mapping[str, float]) -> float:
    """Expected information gain (bits) of asking ``spec`` about the top causes.

    Choice questions: each cause's fact rules (and via fit) under each answer give the answer
    likelihoods P(answer | cause) = softmax over answers of the weight that answer adds (a cause
    without a rule on the fact spreads evenly over the answers); the gain is
    H(top) - sum_a P(a) H(top | a). Only answers the signals leave possible are offered.
    Free-text questions (no choices) settle exactly the causes they ``reveal``: the gain is
    H(top) - P(none of them) H(top | none of them), discounted because typing costs more than
    a key, and more while facts they need are still unknown.
    """

    h = _entropy(top.values())
    if not choices:
        rest = {c: p for c, p in top.items() if c not in spec.reveals}
        mass = sum(rest.values())
        after = mass * _entropy(p / mass for p in rest.values()) if mass else 0.0
        factor = FREE_TEXT_FACTOR * (1 if all(n in facts for n in spec.needs)
                                     else UNMET_NEEDS_FACTOR)
        return (h - after) * factor
    answers = [doctor_facts.parse_facts({spec.fact: c}).known[spec.fact] for c in choices]
    likelihood: dict[str, list[float]] = {}
    for cid in top:
        weights = []
        for answer in answers:
            hypo = {**facts, spec.fact: answer}
            hypo = {**hypo, **doctor_facts.derive(hypo, signals)}
            scored = _Scored(0.0, [])
            _fact_part(kb, kb.causes[cid], hypo, scored)
            weights.append(scored.total)
        exp = [math.exp(w - max(weights)) for w in weights]
        likelihood[cid] = [e / sum(exp) for e in exp]
    expected = 0.0
    for i in range(len(answers)):
        joint = {cid: p * likelihood[cid][i] for cid, p in top.items()}
        p_answer = sum(joint.values())
        if p_answer > 0:
            expected += p_answer * _entropy(v / p_answer for v in joint.values())
    return h - expected


