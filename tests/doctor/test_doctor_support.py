"""Support-case details: the FAQ's checklist pulled out of a pasted error, never a secret."""

from __future__ import annotations

from doctor_kit import APP_ID, CLIENT_ID

from oauth_wizard.doctor.diagnosis import diagnose
from oauth_wizard.doctor.support_case import support_case_details

REFRESH = "Atzr|IwEBIHk3q9ZexampleRefreshTokenValue0123456789abcdefXYZ"
ACCESS = "Atza|IwEBIPaexampleAccessTokenValue0123456789abcdefghijkLMN"
SECRET = "amzn1.oa2-cs.v1.0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
LEGACY_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
CODE = "ANfhUtVFWcdkzTqLmNop"

LOG = f"""2024-06-04T10:15:02.123Z DEBUG POST https://api.amazon.com/auth/o2/token
body: grant_type=refresh_token&refresh_token={REFRESH}&client_id={CLIENT_ID}&client_secret={SECRET}
2024-06-04T10:15:03.001Z DEBUG GET https://sellingpartnerapi-na.amazon.com/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER
headers: {{'x-amz-access-token': '{ACCESS}', 'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240604/us-east-1/execute-api/aws4_request, Signature=abc123'}}
aws_secret_access_key={AWS_SECRET} legacy secret {LEGACY_SECRET}
redirect was https://app.example.com/cb?state=s&spapi_oauth_code={CODE}&selling_partner_id=A3EX
HTTP/1.1 403 Forbidden
x-amzn-RequestId: 6c1a7c3e-2b9f-4a55-9d7e-0123456789ab
{{"errors":[{{"code":"Unauthorized","message":"Access to requested resource is denied.","details":""}}]}}
"""  # noqa: E501


def test_the_checklist_is_filled_from_the_paste() -> None:
    diagnosis = diagnose(LOG, [f"app_id={APP_ID}"])
    details = support_case_details(diagnosis, LOG, [f"app_id={APP_ID}"])
    assert f"Application ID: {APP_ID}" in details
    assert "Request ID: 6c1a7c3e-2b9f-4a55-9d7e-0123456789ab" in details
    assert "Timestamp: 2024-06-04T10:15:03.001Z" in details  # the failing call's
    assert "Operation: GET /orders/v0/orders" in details
    assert "Sandbox request: no" in details
    assert "HTTP status: 403" in details
    assert '"code":"Unauthorized"' in details
    assert "role_missing" in details


def test_no_secret_survives() -> None:
    diagnosis = diagnose(LOG, [])
    details = support_case_details(diagnosis, LOG)
    for secret in (REFRESH[5:], ACCESS[5:], SECRET[16:], LEGACY_SECRET, AWS_SECRET, CODE,
                   "AKIAIOSFODNN7EXAMPLE", "Signature=abc123", REFRESH[5:25], SECRET[16:40]):
        assert secret not in details, secret
    for part in diagnosis.as_json()["causes"]:
        for line in part["why"]:
            assert REFRESH[5:25] not in line and SECRET[16:40] not in line


def test_missing_items_say_where_to_find_them() -> None:
    diagnosis = diagnose("something failed", [])
    details = support_case_details(diagnosis, "something failed")
    assert "Application ID: not found" in details
    assert "x-amzn-RequestId" in details
    assert "Timestamp: not found" in details
    assert "Operation: not found" in details


def test_app_id_and_request_id_from_other_shapes() -> None:
    text = (f"Something went wrong. App ID: {APP_ID} Error Code: MD5100 "
            '{"requestId": "a1b2c3d4-e5f6-7890-abcd-ef0123456789"} Date: Tue, 04 Jun 2024 '
            "10:00:00 GMT")
    details = support_case_details(diagnose(text, []), text.encode("utf-16"))
    assert APP_ID in details
    assert "a1b2c3d4-e5f6-7890-abcd-ef0123456789" in details
    assert "Tue, 04 Jun 2024 10:00:00 GMT" in details


def test_sandbox_and_operation_from_facts() -> None:
    diagnosis = diagnose("500", ["sandbox=yes", "operation=getOrders"])
    details = support_case_details(diagnosis, "500", ["sandbox=yes", "operation=getOrders"])
    assert "Sandbox request: yes" in details and "Operation: getOrders" in details
