"""The doctor's terminal text: at most three causes with score, explanation, reasons, numbered
fixes and source; questions with the --fact that answers them; 80 columns without splitting a
URL or a `command`; the compact form; preflight findings."""

from __future__ import annotations

import re

import pytest
from doctor_kit import APP_ID, CLIENT_ID, consent

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.doctor.diagnosis import diagnose
from oauth_wizard.doctor.preflight import preflight
from oauth_wizard.doctor.render import (
    answer_hint,
    compact_text,
    diagnosis_text,
    preflight_text,
    score_text,
    wrap,
)

UNSPLITTABLE = re.compile(r"\s*(?:`[^`]+`[.,;:)]*|\S+)")
INPUTS = [
    ("Error Code: MD5100", []),
    ("We're sorry, but we encountered an error. Error Code: MD1000", ["app_state=draft"]),
    ('{"error_description":"Client authentication failed","error":"invalid_client"}',
     ["via=token-exchange"]),
    ('{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.",'
     '"details":""}]} HTTP/1.1 403 Forbidden', []),
    (f"I opened {consent(version='beta')}&redirect_uri=https://x.example.com/cb#frag and got "
     "MD5110", ["app_state=published"]),
    ("", ["app_state=draft", "marketplace=DE", "app_marketplaces=US"]),
    ("\x00\xff junk \u2603" * 50, []),
]


def assert_fits(text: str, width: int = 80) -> None:
    """Every line fits, except a line that is one URL or one `command` too long to fit."""
    for line in text.splitlines():
        if len(line) > width:
            assert UNSPLITTABLE.fullmatch(line), f"line too long and splittable: {line!r}"


@pytest.mark.parametrize("text, facts", INPUTS)
def test_full_answer_fits_80_columns(text, facts):
    out = diagnosis_text(diagnose(text, facts))
    assert_fits(out)
    assert out.endswith("\n") and "\t" not in out


@pytest.mark.parametrize("text, facts", INPUTS)
def test_full_answer_shows_the_top_three_with_everything(text, facts):
    diagnosis = diagnose(text, facts)
    out = diagnosis_text(diagnosis)
    flat = " ".join(out.split())
    shown = diagnosis.causes[:3]
    positions = [out.index(f"cause: {c.id}\n") for c in shown]
    assert positions == sorted(positions), "best first"
    for rank, cause in enumerate(shown, 1):
        assert f"{rank}. {' '.join(cause.title.split())} ({score_text(cause.score)})" in flat
        assert " ".join(cause.cause.explanation.split()) in flat
        assert " ".join(cause.fix[0].split()) in flat
        assert " ".join(cause.cause.source.split()) in flat
    for cause in diagnosis.causes[3:]:
        assert f"cause: {cause.id}\n" not in out  # only named in the "less likely" line
        assert cause.id in flat
    for question in diagnosis.questions:
        assert " ".join(question.ask.split()) in flat
        assert f"--fact {question.fact}=" in flat


def test_fix_steps_are_numbered_and_reasons_listed():
    diagnosis = diagnose("Error Code: MD5100", ["marketplace=BR", "app_marketplaces=US,CA,MX"])
    out = diagnosis_text(diagnosis)
    top = diagnosis.top
    assert top.id == "marketplace_not_in_app"
    for i in range(1, len(top.fix) + 1):
        assert f"   {i}) " in out
    assert "- The seller's marketplace (BR) is not among" in out
    assert "Recognised: MD5100" in out


def test_nothing_recognised_says_so():
    out = diagnosis_text(diagnose("hello", []))
    assert "nothing Amazon-specific" in out


def test_unknown_facts_are_shown_not_dropped():
    out = diagnosis_text(diagnose("Error Code: MD1000", ["colour=blue"]))
    assert "colour=blue" in out


def test_question_hints_name_the_choices_or_a_placeholder():
    diagnosis = diagnose("Error Code: MD1000", [])
    hints = {q.fact: answer_hint(q) for q in diagnosis.questions}
    assert hints, "MD1000 alone leaves a question"
    for question in diagnosis.questions:
        hint = hints[question.fact]
        assert hint.startswith(f"--fact {question.fact}=")
        for choice in question.choices:
            assert choice in hint


def test_scores_are_percentages():
    assert score_text(0.994) == "99%" and score_text(0.2) == "20%" and score_text(0.001) == "<1%"


def test_wrap_never_splits_a_url_or_a_command():
    url = "https://sellercentral.amazon.com/apps/authorize/consent?application_id=" + APP_ID
    command = "`oauth-wizard lint-url URL --app-state STATE --marketplace CC`"
    text = f"Open {url} and then run {command} to check it, or ask again later please."
    lines = wrap(text, 60, "  ")
    assert url in lines[0] or any(line.strip() == url for line in lines)
    assert any(command in line for line in lines)
    assert_fits("\n".join(lines), 60)
    assert "\ue000" not in "".join(lines)


def test_a_command_longer_than_the_line_gets_its_own_line():
    command = "`oauth-wizard export NAME --format psa-yaml|psa-env|amz-tools|spapi-config`"
    lines = wrap(f"Then write the file with {command} as usual.", 50, "   ")
    assert command in [line.strip() for line in lines]


def test_compact_form_is_the_top_cause_and_its_fix():
    diagnosis = diagnose("invalid_grant",
                         ["via=token-exchange", "cause=auth_code_expired_or_reused"])
    out = compact_text(diagnosis, more="oauth-wizard diagnose --fact cause=x")
    assert out.startswith(f"  Doctor: {diagnosis.top.title}")
    assert "auth_code_expired_or_reused" in out
    assert "1) " in out and "More: oauth-wizard diagnose --fact cause=x" in out
    assert_fits(out)
    assert out.count("cause: ") == 0


def test_preflight_text_lists_certain_findings_first_with_fixes():
    profile = AppProfile(name="shop", app_id=APP_ID, client_id=CLIENT_ID, app_state="published",
                         edits_pending=True, marketplaces=("US",), hybrid=True,
                         login_uri="https://d.example.com/l",
                         redirect_uris=("https://d.example.com/c",))
    result = preflight(profile, "US")
    out = preflight_text(result)
    assert out.startswith("Preflight for US (NA): 2 predicted failures")
    assert out.index("[certain] ") < out.index("[likely] ")
    assert "hybrid_region_dev_id_missing" in out and "app_edit_pending" in out
    assert "Fix:" in out and "1) " in out
    assert_fits(out)
    clean = AppProfile(name="shop", app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                       marketplaces=("US",), login_uri="https://d.example.com/l",
                       redirect_uris=("https://d.example.com/c",))
    assert "nothing predicts a refusal" in preflight_text(preflight(clean, "US"))


def test_an_unrecognised_text_says_what_the_ranking_rests_on():
    from oauth_wizard.doctor.diagnosis import diagnose
    from oauth_wizard.doctor.render import diagnosis_text

    assert "no facts yet" in diagnosis_text(diagnose("xyz garbage 123"))
    told = diagnosis_text(diagnose("xyz garbage 123", ["via=consent"]))
    assert "rests on the facts" in told and "no facts yet" not in told
