"""Reading what people paste: codes, LWA and SP-API bodies, statuses, exceptions, URLs,
encodings. Each case is written the way it shows up in a terminal, a log or a browser."""

from __future__ import annotations

import pytest
from doctor_kit import CLIENT_ID, consent

from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.diagnosis import diagnose
from oauth_wizard.doctor.signals import decode, extract, scrub_secrets


def signals(text: str | bytes, facts: dict[str, str] | None = None) -> list[str]:
    return extract(text, knowledge.load(), facts or {}).signals


@pytest.mark.parametrize(("text", "code"), [
    ("Error Code: MD5100", "MD5100"),
    ("error code: md5100.", "MD5100"),
    ("(MD-1000)", "MD1000"),
    ("MD 9010:", "MD9010"),
    ("Something went wrong... SPDC8143", "SPDC8143"),
    ("spdc300!", "SPDC300"),
    ("code=SPDC00", "SPDC00"),
    ("SPSA0404", "SPSA0404"),
    ("Error: CONSENT_LIMIT_REACHED", "CONSENT_LIMIT_REACHED"),
])
def test_codes_anywhere_in_text(text: str, code: str) -> None:
    assert code in signals(text)


@pytest.mark.parametrize("text", ["md5 checksum 1234abcd", "MD51000", "xMD1000",
                                  "d41d8cd98f00b204e9800998ecf8427e", "MD5"])
def test_no_codes_from_lookalikes(text: str) -> None:
    assert not [s for s in signals(text) if s.startswith(("MD", "family:"))]


def test_lwa_body_names_the_grant() -> None:
    code = signals('{"error_description":"The request has an invalid grant parameter : code",'
                   '"error":"invalid_grant"}')
    assert {"lwa:invalid_grant", "lwa:grant=code"} <= set(code)
    refresh = signals("{'error': 'invalid_grant', 'error_description': 'The request has an "
                      "invalid grant parameter : refresh_token. User may have revoked'}")
    assert {"lwa:invalid_grant", "lwa:grant=refresh_token"} <= set(refresh)
    logged = signals('POST /auth/o2/token body grant_type=authorization_code&code=ANxyz -> '
                     '{"error":"invalid_grant"}')
    assert "lwa:grant=code" in logged


def test_grant_type_alone_is_not_an_error_signal() -> None:
    assert not [s for s in signals("grant_type=refresh_token&client_id=x") if "grant=" in s]


@pytest.mark.parametrize("text", [
    '{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.",'
    '"details":""}]}',
    "SellingApiForbiddenException: [{'message': 'Access to requested resource is denied.', "
    "'code': 'Unauthorized', 'details': ''}]",
    '2024-05-01 ERROR body="{\\"errors\\":[{\\"code\\":\\"Unauthorized\\",\\"message\\":\\"Access '
    'to requested resource is denied.\\",\\"details\\":\\"\\"}]}"',
    "CustomError: Access to requested resource is denied.\n{\n  code: 'Unauthorized',\n  "
    "details: '',\n  type: 'error'\n}",
    '{\n  "errors": [\n    {\n      "code": "Unauthorized",\n      "message": "Access to '
    'requested resource is denied."\n    }\n  ]\n}',
])
def test_spapi_error_bodies_in_any_wrapping(text: str) -> None:
    found = signals(text)
    assert "spapi:Unauthorized" in found
    assert "details:empty" in found


def test_details_with_text_are_not_empty() -> None:
    found = signals('{"errors":[{"code":"Unauthorized","message":"Access to requested resource '
                    'is denied.","details":"The access token you provided has expired."}]}')
    assert "details:present" in found and "details:empty" not in found
    assert "text:access_token_expired" in found


def test_code_key_outside_an_error_body_is_not_an_spapi_code() -> None:
    assert not [s for s in signals('{"code": "ABCdefGHI", "state": "x"}')
                if s.startswith("spapi:")]


@pytest.mark.parametrize(("text", "status"), [
    ("HTTP/1.1 403 Forbidden", 403),
    ("requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url", 429),
    ("Request failed with status code 400", 400),
    ("status: 500", 500),
    ("'status_code': 401", 401),
    ("Client error: `POST https://api.amazon.com/auth/o2/token` resulted in a `400 Bad Request`",
     400),
    ("spapi.rest.ApiException: (403)\nReason: Forbidden", 403),
    ("[503] Server error", 503),
    ("HTTP Error 404: Not Found", 404),
])
def test_http_statuses(text: str, status: int) -> None:
    assert f"http:{status}" in signals(text)


def test_exceptions_imply_their_status() -> None:
    found = signals("sp_api.base.exceptions.SellingApiRequestThrottledException: []")
    assert {"exc:SellingApiRequestThrottledException", "http:429"} <= set(found)
    assert "exc:Foo" not in signals("FooException raised")


def test_urls_become_signals() -> None:
    assert "url:token_query" in signals("POST https://api.amazon.com/auth/o2/token?grant_type="
                                        "refresh_token&client_id=x")
    assert "url:token_on_spapi_host" in signals("https://sellingpartnerapi-fe.amazon.com/auth/o2/"
                                                "token")
    found = signals("landed on https://app.example.com/cb?error=access_denied&state=s")
    assert "url:redirect_error=access_denied" in found
    found = signals("GET https://sandbox.sellingpartnerapi-eu.amazon.com/orders/v0/orders")
    assert {"endpoint:EU", "endpoint:sandbox"} <= set(found)


def test_a_pasted_consent_url_is_linted_with_the_facts() -> None:
    url = consent("sellercentral.amazon.com", version="beta")
    out = extract(f"MD5100 {url}", knowledge.load(), {"app_state": "published"})
    assert "lint:beta_on_published_app" in out.signals
    assert out.inferred == {"beta_in_url": "true", "region": "NA",
                            "app_id": url.split("application_id=")[1].split("&")[0]}
    assert out.lint is not None and not out.lint.ok
    clean = extract(consent(), knowledge.load(), {"app_state": "published"})
    assert "lint:ok" in clean.signals


def test_consent_url_without_scheme_is_found() -> None:
    text = f"sellercentral.amazon.de/apps/authorize/consent?application_id={CLIENT_ID}"
    assert "lint:client_id_as_application_id" in signals(text)


def test_encodings() -> None:
    text = "Error Code: MD5100 – für den Händler"
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be"),
                 text.encode("utf-8-sig"), text.encode("cp1252", "replace"),
                 text.encode("utf-32")):
        assert "MD5100" in signals(data), data[:20]
    decoded, _ = decode(text.encode("latin-1", "replace"))
    assert "MD5100" in decoded


def test_html_error_page() -> None:
    page = ("<!DOCTYPE html><html><body><h1>Something went wrong</h1><p>We are sorry but we "
            "encountered an error while processing your request.</p><p>Error Code: "
            "<b>MD9100</b></p></body></html>")
    found = signals(page)
    assert "MD9100" in found and "text:error_page" in found
    assert "text:html_tags" not in found  # the page's own markup is not the listing's


def test_huge_input_is_bounded_and_keeps_the_tail() -> None:
    text = "x" * 5_000_000 + "\nError Code: SPDC8143\n"
    decoded, notes = decode(text)
    assert len(decoded) < 200_000 and notes
    assert "SPDC8143" in signals(text)


def test_ansi_colours_and_control_characters_are_removed() -> None:
    assert "MD1000" in signals("\x1b[31mError Code: MD1000\x1b[0m\x00\x07")


def test_said_snippets_never_carry_secrets() -> None:
    out = extract("https://sellingpartnerapi-na.amazon.com/auth/o2/token?client_secret="
                  "amzn1.oa2-cs.v1.abcdef0123456789abcdef0123456789&refresh_token=Atzr|IwEBxyz"
                  "xyzxyzxyzxyzxyzxyz", knowledge.load(), {})
    joined = " ".join(out.said.values())
    assert "abcdef0123456789" not in joined and "IwEBxyzxyz" not in joined


def test_scrub_secrets_removes_every_credential_shape() -> None:
    text = ("refresh_token=Atzr|IwEBIA1234567890abcdefghij client_secret: 'amzn1.oa2-cs.v1.0123"
            "456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' "
            "x-amz-access-token: Atza|IwEBIFabcdefghijklmnopqrst "
            "Authorization: Bearer Atza|abcdefghijklmnopqrstuvwx "
            "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "
            "AKIAIOSFODNN7EXAMPLE https://app.example.com/cb?spapi_oauth_code=RHabcdefgh&code=XYZ"
            "abcdef1234 legacy 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    scrubbed = scrub_secrets(text)
    for secret in ("IwEBIA1234567890", "0123456789abcdef0123456789abcdef0123", "IwEBIFabcdefgh",
                   "abcdefghijklmnopqrstuvwx", "wJalrXUtnFEMI", "AKIAIOSFODNN7EXAMPLE",
                   "RHabcdefgh", "XYZabcdef1234"):
        assert secret not in scrubbed, secret


@pytest.mark.parametrize(("text", "sandbox"), [
    ("Sandbox call listAllFulfillmentOrders returns INVALID_SANDBOX_PARAMETERS", "true"),
    ("the sandbox answers 400 InvalidInput", "true"),
    ("works in the sandbox, production returns 403 Unauthorized", None),
    ("Sandbox works but production fails", None),
    ("GET https://sellingpartnerapi-na.amazon.com/orders/v0/orders (sandbox later)", "false"),
    ("403 Unauthorized on getOrders", None),
])
def test_a_call_said_to_go_to_the_sandbox_is_a_sandbox_call(text: str,
                                                            sandbox: str | None) -> None:
    """A report that says its call went to the sandbox without pasting the host counts as
    ``sandbox=true`` once (the same evidence is not also scored as a signal); one that says the
    sandbox works is about production; a pasted host decides."""
    assert extract(text, knowledge.load(), {}).inferred.get("sandbox") == sandbox


def test_an_edit_that_did_not_go_live_points_at_pending_edits() -> None:
    from oauth_wizard.doctor.diagnosis import diagnose
    for text in ("Changes to the OAuth Login URI not saved: sellers are still sent to the old "
                 "login URI",
                 "We updated the redirect URI but the edits don't take effect"):
        assert "text:edit_not_live" in signals(text)
        assert diagnose(text).causes[0].id == "app_edit_pending", text


@pytest.mark.parametrize("hidden", ["...", "XXXX", "amzn1.sp.solution.XXXX", "<app_id>",
                                    "{appId}", "YOUR_APP_ID", "redacted", "amzn1.sp.solution..."])
def test_a_blanked_out_app_id_in_a_report_is_not_called_malformed(hidden):
    text = (f"https://sellercentral.amazon.com/apps/authorize/consent?application_id={hidden}"
            "&state=k3Jd9vQ2xT7pL5mR8nB4wZ6c returns Error Code: MD1000")
    answer = diagnose(text)
    assert "lint:malformed_consent_url" not in answer.signals
    assert "lint:ok" not in answer.signals  # what was hidden was not checked
    assert "app_id" not in answer.inferred
    assert any("Blanked-out values (application_id)" in n for n in answer.notes)
    assert answer.top.id == "beta_missing_for_draft"


def test_a_real_value_is_still_linted_beside_a_blanked_out_one():
    text = ("https://sellercentral.amazon.com/apps/authorize/consent?application_id="
            "amzn1.application-oa2-client.0123abcd&state=xxxx&redirect_uri=... MD1000")
    answer = diagnose(text)
    assert [s for s in answer.signals if s.startswith("lint:")] == [
        "lint:client_id_as_application_id"]  # nothing about the blanked-out redirect_uri
    assert any("(state, redirect_uri)" in n for n in answer.notes)


def test_a_blanked_out_redirect_uri_first_in_the_query_leaves_the_rest_readable():
    text = ("https://sellercentral.amazon.com/apps/authorize/consent?redirect_uri=XXXX&"
            "application_id=amzn1.application-oa2-client.0123abcd&state=k3Jd9vQ2xT7pL5mR8nB4 "
            "MD1000")
    answer = diagnose(text)
    assert [s for s in answer.signals if s.startswith("lint:")] == [
        "lint:client_id_as_application_id"]
