"""The doctor on real reports nobody here wrote (``corpus/cases.json``): the corpus is sound,
its split is fixed, and the scores do not fall below the floors (a little under what the
knowledge base reaches; ``benchmarks/doctor.py --corpus`` prints the figures)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import corpus_kit
import pytest

from oauth_wizard.doctor.facts import parse_facts

KB = Path(__file__).resolve().parents[2] / "oauth_wizard" / "data" / "causes.toml"
REPOS = {"amzn/selling-partner-api-models", "amzn/selling-partner-api-docs",
         "saleweaver/python-amazon-sp-api", "jlevers/selling-partner-api",
         "amz-tools/amazon-sp-api", "abuzuhri/Amazon-SP-API-CSharp"}
# floors: (top-1 with facts, top-3 with facts, top-3 text only)
FLOORS = {"dev": (0.63, 0.80, 0.76), "check": (0.55, 0.69, 0.61)}


@pytest.fixture(scope="module")
def cases() -> list[corpus_kit.Case]:
    return corpus_kit.load()


def test_every_case_is_a_real_thread_with_a_known_cause_and_valid_facts(cases):
    causes = set(tomllib.loads(KB.read_text("utf-8"))["causes"])
    assert len(cases) >= 35
    sources = [c.source for c in cases]
    assert len(set(sources)) == len(sources)
    for case in cases:
        repo, _, number = case.source.partition("#")
        assert (repo in REPOS or repo.startswith("amzn/")) and number.isdigit(), case.source
        assert case.cause in causes and case.confidence in ("high", "medium")
        assert case.error.strip() and len(case.error) <= 300
        assert not parse_facts(case.facts).unknown  # only the doctor's vocabulary
        assert not re.search(r"Atzr\|[\w-]{20,}|amzn1\.oa2-cs\.v1\.[0-9a-f]{16,}", case.error)


def test_the_split_is_fixed_by_source(cases):
    assert all(case.half == ("dev" if case.seen_before_split else corpus_kit.half_of(case.source))
               for case in cases)
    halves = {c.half for c in cases}
    assert halves == {"dev", "check"}


@pytest.mark.parametrize("half", ["dev", "check"])
def test_scores_stay_above_the_floors(cases, half):
    scores = corpus_kit.score(cases, half)
    top1, top3, text3 = FLOORS[half]
    assert scores.ratio(scores.top1_facts) >= top1
    assert scores.ratio(scores.top3_facts) >= top3
    assert scores.ratio(scores.top3_text) >= text3


def test_the_facts_never_push_the_established_cause_down(cases):
    """Issue 12 §2, over every case of both halves: the facts the reporter gave never rank the
    cause the thread established lower than the text alone does."""
    for case in cases:
        alone = corpus_kit.rank(case, with_facts=False)
        told = corpus_kit.rank(case, with_facts=True)
        assert alone is None or (told is not None and told <= alone), (case.source, alone, told)


def test_the_knowledge_base_cites_no_thread_of_the_check_half(cases):
    """A cause learnt from a thread may cite it, but never one the doctor is checked against."""
    cited = set(re.findall(r"issue ([\w.-]+/[\w.-]+#\d+)", KB.read_text("utf-8")))
    assert cited, "the knowledge base cites corpus threads (the test would prove nothing)"
    check = {c.source for c in cases if c.half == "check"}
    unmapped_check = {u["source"] for u in corpus_kit.unmapped() if u["half"] == "check"}
    assert not cited & (check | unmapped_check)
