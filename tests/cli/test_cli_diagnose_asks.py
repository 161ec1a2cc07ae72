"""``diagnose`` at a terminal asks the top question, one at a time, until a cause leads;
``--no-input``, ``--json`` and pipes never ask."""

from __future__ import annotations

import json

import pytest
from cli_kit import Feed, run_sync

from oauth_wizard.cli import diagnose as cli_diagnose

MD5100 = "We are sorry but we encountered an error. Error Code: MD5100"


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(cli_diagnose, "is_terminal", lambda stream: True)


def test_at_a_terminal_it_asks_until_one_cause_leads_and_prints_the_facts(monkeypatch,
                                                                          terminal):
    # don't know the URL; yes, it has version=beta; then Enter (don't know) to the rest
    answers = Feed("\n1\n", closed=True)
    code, out, err = run_sync(monkeypatch, "diagnose", MD5100, stdin=answers)
    assert code == 0 and answers.reads >= 2
    assert "? Paste the exact consent URL" in err and "? Does the consent URL" in err
    assert "1) yes  2) no  0) don't know" in err
    assert "To repeat this diagnosis: --fact beta_in_url=yes" in err
    _, plain, _ = run_sync(monkeypatch, "diagnose", MD5100, "--no-input")
    assert out != plain  # the answer changed the ranking


def test_a_wrong_key_is_asked_again_and_eof_is_dont_know(monkeypatch, terminal):
    answers = Feed("\n9\nmaybe\n", closed=True)
    code, _, err = run_sync(monkeypatch, "diagnose", MD5100, stdin=answers)
    assert code == 0 and "Answer with a number from 1 to 2" in err
    assert "To repeat" not in err  # nothing was answered


@pytest.mark.parametrize("extra", [["--no-input"], ["--json"]])
def test_no_input_and_json_never_ask(monkeypatch, terminal, extra):
    answers = Feed("1\n", closed=True)
    code, out, err = run_sync(monkeypatch, "diagnose", MD5100, *extra, stdin=answers)
    assert code == 0 and answers.reads == 0
    assert "Paste the exact consent URL" not in err
    if "--json" in extra:
        assert json.loads(out)["causes"]


def test_a_pipe_never_asks(monkeypatch):
    code, _, err = run_sync(monkeypatch, "diagnose", MD5100, stdin=Feed("1\n", closed=True))
    assert code == 0 and "? " not in err


def test_a_long_question_is_wrapped_at_80_columns_on_word_boundaries(monkeypatch, terminal):
    # the 403 questions are long: which token the call sent, whether the client signs
    code, _, err = run_sync(monkeypatch, "diagnose", "403 Access to requested resource is "
                            "denied on getInventorySummaries", stdin=Feed("2\n2\n\n\n",
                                                                          closed=True))
    shown = [line.removeprefix("> ") for line in err.splitlines()]  # "> " awaits the answer
    asked = [line for line in shown if line.startswith(("? ", "  "))]
    assert code == 0 and len([line for line in asked if line.startswith("? ")]) >= 3
    assert max(len(line) for line in asked) <= 80
