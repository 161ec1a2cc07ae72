"""Whatever is pasted, the doctor answers with the contract and never crashes: generated junk,
binary, huge input, odd encodings, adversarial shapes for the regexes, junk facts."""

from __future__ import annotations

import os

from doctor_kit import assert_contract
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth_wizard.doctor.diagnosis import DoctorFactError, diagnose
from oauth_wizard.doctor.support_case import support_case_details

FRAGMENTS = st.sampled_from([
    "Error Code: MD5100", "SPDC8143", '{"errors":[{"code":"Unauthorized","message":"', '"}]}',
    '"details":""', "invalid_grant", ": code", ": refresh_token", "HTTP/1.1 403 Forbidden",
    "https://sellercentral.amazon.com/apps/authorize/consent?application_id=", "&version=beta",
    "https://sellingpartnerapi-eu.amazon.com/auth/o2/token?grant_type=x", "Atzr|IwEB",
    "SellingApiForbiddenException", "{", "}", "'", '"', "\\", "\n", "\x00", "%", "#", "?",
    "Missing Authentication Token", "x-amzn-RequestId: ", "amzn1.sp.solution.", "\u2019",
])
TEXTS = st.one_of(
    st.text(),
    st.binary(),
    st.lists(FRAGMENTS, max_size=40).map("".join),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=30).map("".join),
)
FACT_KEYS = st.sampled_from(["app_state", "region", "via", "marketplace", "app_marketplaces",
                             "hybrid", "consent_url", "redirect_uri", "registered_redirect_uris",
                             "client_id", "app_id", "code_age_s", "http_status", "operation",
                             "cause", "dev_id_regions", "nonsense"])
FACTS = st.lists(st.tuples(FACT_KEYS, st.text(max_size=40)).map(lambda kv: f"{kv[0]}={kv[1]}"),
                 max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_gets_a_contract_answer(text: str | bytes) -> None:
    diagnosis = diagnose(text, [])
    assert_contract(diagnosis.as_json())
    support_case_details(diagnosis, text, [])


@settings(max_examples=200, deadline=None)
@given(TEXTS, FACTS)
def test_junk_facts_either_answer_or_name_the_bad_fact(text: str | bytes,
                                                       facts: list[str]) -> None:
    try:
        diagnosis = diagnose(text, facts)
    except DoctorFactError as exc:
        assert exc.problems and all("Fact" in p for p in exc.problems)
        return
    assert_contract(diagnosis.as_json())
    assert not {q.fact for q in diagnosis.questions} & set(diagnosis.facts)


def test_ten_megabytes_of_binary() -> None:
    data = os.urandom(10 * 1024 * 1024)
    assert_contract(diagnose(data, []).as_json())


def test_huge_text_with_the_error_at_the_end() -> None:
    text = ("2024-05-01 INFO all good\n" * 400_000) + "ERROR Error Code: MD9010"
    diagnosis = diagnose(text, [])
    assert diagnosis.top.id == "hybrid_region_dev_id_missing"
    assert any("only its first and last" in n for n in diagnosis.notes)


def test_adversarial_shapes_for_the_regexes() -> None:
    for text in ("'\"" * 500_000, "{" * 400_000, '"code": "' * 200_000, "MD " * 400_000,
                 "https://" + "a" * 300_000, "status " * 200_000, "details: '" * 200_000,
                 "\\" * 600_000, "x-amzn-RequestId: " * 60_000, "Atzr|" + "A" * 500_000):
        assert_contract(diagnose(text, []).as_json())


def test_odd_encodings() -> None:
    text = "Fehler beim Autorisieren – Error Code: MD1000 – für Händler"
    for data in (text.encode("utf-16"), text.encode("utf-16-be"), text.encode("latin-1",
                 "replace"), text.encode("cp1252", "replace"), "\udcff broken surrogate MD1000",
                 b"\xff\xfe" + "MD1000".encode("utf-16-le") + b"\x00"):
        diagnosis = diagnose(data, [])
        assert_contract(diagnosis.as_json())
        assert "MD1000" in diagnosis.signals
    assert_contract(diagnose(b"\xff\xfe" + b"\x00" * 9, []).as_json())


def test_none_and_empty() -> None:
    for text in (None, "", b"", "   \n\t"):
        diagnosis = diagnose(text, None)
        assert diagnosis.top.id == "amazon_side_issue"
        assert_contract(diagnosis.as_json())
