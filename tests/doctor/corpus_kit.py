"""The doctor judged on real reports: the corpus, its fixed split, and the scores.

``corpus/cases.json`` holds real public threads (source, the error as the reporter saw it,
only the facts the thread states, the cause it established, confidence). Each case was put in
the ``dev`` half (tune against it) or the ``check`` half (never looked at while changing the
knowledge base) once, by a hash of its source, when it entered the corpus; the half is stored
with the case so adding cases never moves old ones. A gathered case marked
``seen_before_split`` (raw_pass5.json: every case was read in full before it was placed) goes
to the dev half whatever its hash says, because a case already read cannot check anything.
Cases whose cause has no id in the knowledge base are kept under ``unmapped`` and not scored.

``benchmarks/doctor.py --corpus`` prints the scores; ``test_doctor_corpus.py`` holds floors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from oauth_wizard.doctor.diagnosis import diagnose

CORPUS = Path(__file__).resolve().parent / "corpus" / "cases.json"
RAW = sorted((Path(__file__).resolve().parent / "corpus").glob("raw_*.json"))


@dataclass(frozen=True)
class Case:
    source: str
    error: str
    facts: dict[str, str]
    cause: str
    confidence: str
    half: str
    summary: str = ""
    seen_before_split: bool = False  # read in full before it was placed: dev, whatever its hash


@dataclass
class Scores:
    half: str
    cases: int = 0
    top1_facts: int = 0
    top3_facts: int = 0
    top1_text: int = 0
    top3_text: int = 0
    rank_changes: list[tuple[str, int | None, int | None]] = field(default_factory=list)

    def ratio(self, hits: int) -> float:
        return hits / self.cases if self.cases else 0.0


def half_of(source: str) -> str:
    """The fixed half of a case: decided by its source alone, so it never moves."""
    return "dev" if hashlib.sha256(source.encode()).digest()[0] % 2 == 0 else "check"


def load(path: Path = CORPUS) -> list[Case]:
    doc = json.loads(path.read_text("utf-8"))
    return [Case(c["source"], c["error"], {k: str(v) for k, v in c["facts"].items()},
                 c["cause"], c["confidence"], c["half"], c.get("cause_summary", ""),
                 bool(c.get("seen_before_split")))
            for c in doc["cases"]]


def unmapped(path: Path = CORPUS) -> list[dict]:
    """The gathered cases whose cause has no id yet (kept, not scored)."""
    return json.loads(path.read_text("utf-8"))["unmapped"]


def rank(case: Case, *, with_facts: bool) -> int | None:
    """1-based rank of the case's cause in the doctor's answer (None: not ranked)."""
    answer = diagnose(case.error, case.facts if with_facts else None)
    ids = [c.id for c in answer.causes]
    return ids.index(case.cause) + 1 if case.cause in ids else None


def score(cases: list[Case], half: str) -> Scores:
    out = Scores(half)
    for case in (c for c in cases if c.half == half):
        out.cases += 1
        with_facts, text_only = rank(case, with_facts=True), rank(case, with_facts=False)
        out.top1_facts += with_facts == 1
        out.top3_facts += with_facts is not None and with_facts <= 3
        out.top1_text += text_only == 1
        out.top3_text += text_only is not None and text_only <= 3
        if case.facts and with_facts != text_only:
            out.rank_changes.append((case.source, text_only, with_facts))
    return out


def _valid_facts(facts: dict) -> dict[str, str]:
    """The facts the doctor's vocabulary accepts (a gatherer's stray name is dropped)."""
    from oauth_wizard.doctor.facts import DoctorFactError, parse_facts

    kept = {}
    for key, value in facts.items():
        try:
            parsed = parse_facts({key: str(value)})
        except DoctorFactError:
            continue
        if not parsed.unknown:
            kept[key] = str(value)
    return kept


def merge_raw(known_causes: set[str], raw_files: list[Path] = RAW,
              path: Path = CORPUS) -> dict:
    """Fold the gathered raw files into ``cases.json``: new sources get their half once; a
    source already in the corpus keeps its half."""
    doc = json.loads(path.read_text("utf-8")) if path.exists() else {"cases": [],
                                                                     "unmapped": []}
    seen = {c["source"] for c in doc["cases"]} | {c["source"] for c in doc["unmapped"]}
    for raw in raw_files:
        for item in json.loads(raw.read_text("utf-8")):
            if item["source"] in seen:
                continue
            seen.add(item["source"])
            entry = {"source": item["source"], "error": item["error"],
                     "facts": _valid_facts(item.get("facts", {})), "cause": item["cause"],
                     "cause_summary": item.get("cause_summary", ""),
                     "confidence": item.get("confidence", "medium"),
                     "established_by": item.get("established_by", ""),
                     "half": "dev" if item.get("seen_before_split") else half_of(item["source"])}
            if item.get("seen_before_split"):
                entry["seen_before_split"] = True
            (doc["cases"] if item["cause"] in known_causes else doc["unmapped"]).append(entry)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return doc
