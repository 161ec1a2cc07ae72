"""Every problem a check finds belongs to the field it checked (front ends mark that field) and
names the thing being checked, on every branch (issue 14: a blanked field or label survived)."""

from __future__ import annotations

import pytest

from oauth_wizard.core.validation import (
    check_app_id,
    check_client_id,
    check_client_secret,
    check_dev_id,
    check_profile_name,
    describe_char,
)

UUID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
APP_ID = f"amzn1.sp.solution.{UUID}"
CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "5ec7e7" * 10 + "abcd"
REFRESH = "Atzr|IwEBIPlantedRefreshTokenValue0123456789abcdefXYZ"

CASES = [
    (check_app_id, "app_id", "app ID",
     ["", f" '{APP_ID}' ", "amzn1.sp.solution.x y", REFRESH, CLIENT_ID, "AMZN1.SP.SOLUTION." + UUID,
      UUID, "amzn1.sp.solution.123", "hello", "amzn.mws.abc"]),
    (check_client_id, "client_id", "client ID",
     ["", f" {CLIENT_ID}\n", "amzn1.application-oa2-client.ab\ncd", SECRET, APP_ID,
      "0123456789abcdef" * 2, CLIENT_ID.upper(), CLIENT_ID[:-2], "12345", "amzn.mws.abc"]),
    (lambda raw: check_client_secret(raw, required=True), "client_secret", "client secret",
     ["", f" {SECRET} ", SECRET[:20] + " " + SECRET[20:], CLIENT_ID, "s3cr3t-odd"]),
    (lambda raw: check_dev_id(raw, "NA"), "dev_id_NA", "NA MWS developer ID",
     ["", " 1234-5678-9012 ", "1234x5678", "12345", REFRESH, APP_ID]),
    (check_profile_name, "name", "profile name", ["", "bad name!", REFRESH]),
]


@pytest.mark.parametrize(("check", "field", "label", "inputs"), CASES,
                         ids=[c[1] for c in CASES])
def test_each_problem_is_on_the_checked_field_and_names_what_was_checked(check, field, label,
                                                                         inputs):
    seen = 0
    for raw in inputs:
        for problem in check(raw).problems:
            seen += 1
            assert problem.field == field, (raw, problem)
            assert problem.severity in ("error", "warning", "note"), (raw, problem)
            assert label.lower() in problem.message.lower() or field == "name", (raw, problem)
    assert seen >= len(inputs) - 1  # all but the good value found something


def test_a_secret_typed_as_a_profile_name_keeps_the_typed_value_and_is_not_echoed():
    checked = check_profile_name(f"  {REFRESH} ")
    assert checked.value == REFRESH and not checked.ok
    (problem,) = checked.problems
    assert problem.field == "name" and REFRESH not in problem.message


def test_a_developer_id_quoted_and_dashed_is_read_as_its_digits():
    checked = check_dev_id("'1234-5678-9012' -", "EU")
    assert checked.value == "123456789012" and checked.ok


def test_only_quotes_are_described_as_quotes():
    assert describe_char("X") == "'X'"
    assert describe_char("\u201c") == describe_char("'") == "a quote"


@pytest.mark.parametrize("raw", ["amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE", "Atza|x"])
def test_another_identifier_in_the_client_id_field_is_an_error(raw):
    checked = check_client_id(raw)
    assert not checked.ok and [p.severity for p in checked.problems] == ["error"]


def test_a_client_id_with_a_capital_prefix_is_an_error_on_its_field():
    checked = check_client_id(CLIENT_ID.replace("amzn1.application", "AMZN1.Application"))
    (problem,) = checked.problems
    assert (problem.field, problem.severity) == ("client_id", "error")
    assert CLIENT_ID in problem.fix
