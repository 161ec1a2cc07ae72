"""Patterns compiled only when a text could match them (``doctor.text_patterns``): the needles
are literals every match must contain, so skipping a pattern never changes what it finds. Held
on the real-report corpus and on hand-made texts, and end to end: the knowledge base read from
the compiled JSON (lazy, with needles) diagnoses exactly as the one parsed from the TOML."""

from __future__ import annotations

import re

import pytest
from corpus_kit import load as load_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from oauth_wizard.core.packaged import data_text
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.diagnosis import diagnose
from oauth_wizard.doctor.text_patterns import TextPattern, folded_for_needles, needles_of

KB = knowledge.load()
PARSED = knowledge.parse(data_text("causes.toml"))
TEXTS = [c.error for c in load_corpus()] + [
    "Error Code: MD1000", "We're sorry, but we encountered an error. MD5100",
    '{"error":"invalid_grant","error_description":"The request has an invalid grant parameter'
    ' : refresh_token"}', "The security token included in the request is invalid.",
    "403 Forbidden: Access to requested resource is denied.", "CONSENT_LIMIT_REACHED",
    "This application has reached the OAuthorization usage limit.", "ÄÖÜ Unauthorized façade",
]


@pytest.mark.parametrize(("source", "expected"), [
    ("abc|def", ("abc", "def")),
    (r"a+bcd\s", ("bcd",)),
    ("Missing OAuth setup", ("missing oauth setup",)),
    (r"\bfoo(?:bar)?baz", ("foo",)),
    ("(?:x|y)z", None),          # no literal outside the group
    ("ab|cdef", None),           # one alternative's literal is too short to decide
    ("caf\u00e9 ok", ("caf",)),  # only the ASCII run counts
])
def test_needles_are_literals_every_match_contains(source, expected):
    assert needles_of(source) == expected


def test_only_ascii_text_is_decided_by_needles():
    assert folded_for_needles("Error MD1000") == "error md1000"
    assert folded_for_needles("ſecurity") is None  # re.IGNORECASE matches it to 's'


@pytest.mark.parametrize("name", [n for n, _ in KB.patterns])
def test_a_skipped_pattern_would_not_have_matched(name):
    pattern = dict(KB.patterns)[name]
    plain = re.compile(pattern.source, re.IGNORECASE)
    for text in TEXTS:
        found = pattern.search(text, folded_for_needles(text))
        expected = plain.search(text)
        assert (found and found.group(0)) == (expected and expected.group(0)), (name, text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([p for _, p in KB.patterns if p.needles]),
       st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
       st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_needles_never_skip_a_match_of_text_around_the_pattern(pattern, before, after):
    """Texts built around each needle (and around nothing) match with and without needles
    alike."""
    plain = re.compile(pattern.source, re.IGNORECASE)
    for middle in (*pattern.needles, ""):
        text = before + middle.upper() + after
        lazy = pattern.search(text, folded_for_needles(text))
        assert bool(lazy) == bool(plain.search(text))


def test_the_compiled_knowledge_base_diagnoses_as_the_parsed_one():
    assert any(p.needles for _, p in KB.patterns)  # the fast path is really in use
    assert all(p.needles is None for _, p in PARSED.patterns)
    for text in TEXTS:
        assert diagnose(text, kb=KB).as_json() == diagnose(text, kb=PARSED).as_json(), text


def test_a_pattern_is_compiled_on_first_use_only():
    pattern = TextPattern("x", "needle here", ("needle",))
    assert pattern.search("nothing to see", "nothing to see") is None
    assert pattern._regex is None
    assert pattern.search("A NEEDLE HERE", "a needle here")
    assert pattern._regex is not None
