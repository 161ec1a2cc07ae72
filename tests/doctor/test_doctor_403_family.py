"""The causes behind one SP-API ``403 Unauthorized``, told apart by the operation's data (from
Amazon's API models, ``data/operations.json``) and the facts that decide between them."""

from __future__ import annotations

import pytest

from oauth_wizard.doctor import operations
from oauth_wizard.doctor.diagnosis import diagnose
from oauth_wizard.doctor.facts import derive

DENIED = ('{"errors":[{"message":"Access to requested resource is denied.",'
          '"code":"Unauthorized","details":""}]}')


def top(text: str, *facts: str) -> str:
    return diagnose(text, list(facts)).causes[0].id


def test_the_operation_data_names_its_models_commit_and_knows_the_kinds():
    assert operations.source().startswith("amzn/selling-partner-api-models@")
    assert operations.scope_of("createDestination") == "sellingpartnerapi::notifications"
    assert operations.scope_of("rotateApplicationClientSecret") == (
        "sellingpartnerapi::client_credential:rotation")
    assert operations.scope_of("getOrders") is None
    assert all(e["restricted"] for e in operations.lookup("getOrderAddress"))
    assert {e["account"] for e in operations.lookup("getPurchaseOrders")} == {"vendor"}
    assert {m for e in operations.lookup("getShipmentDetails") for m in e["marketplaces"]} == {
        "BR"}


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /orders/v0/orders/902-1/address", "getOrderAddress"),
    ("POST https://sellingpartnerapi-na.amazon.com/notifications/v1/destinations",
     "createDestination"),
    ("https://sellingpartnerapi-eu.amazon.com/vendor/orders/v1/purchaseOrders?limit=1",
     "getPurchaseOrders"),
    ("calling getOrderBuyerInfo failed", "getOrderBuyerInfo"),
    ("nothing about an operation here", None),
    ("/not/an/sp-api/path", None),
])
def test_the_text_names_the_operation(text, expected):
    assert operations.named_in(text) == expected


def test_a_bare_403_is_not_answered_role_missing_with_certainty_and_asks_the_operation():
    diagnosis = diagnose(DENIED)
    assert diagnosis.causes[0].score < 0.5
    assert len(diagnosis.causes) >= 3
    assert "operation" in [q.fact for q in diagnosis.questions]


@pytest.mark.parametrize(("facts", "cause"), [
    (["operation=createDestination"], "grantless_operation_needs_client_credentials_token"),
    (["operation=rotateApplicationClientSecret", "token_kind=seller"],
     "grantless_operation_needs_client_credentials_token"),
    (["operation=getOrders", "token_kind=grantless"], "grantless_token_used_for_seller_operation"),
    (["operation=getOrderAddress", "token_kind=seller"], "restricted_operation_without_rdt"),
    (["operation=getOrderAddress", "token_kind=rdt"], "restricted_role_missing"),
    (["operation=getShipmentDetails", "marketplace=US"], "operation_not_available_in_region"),
    (["operation=getPurchaseOrders", "account_type=seller"], "operation_not_for_account_type"),
    (["operation=getInventorySummaries", "account_type=vendor"], "operation_not_for_account_type"),
    (["seller_in_marketplace=no"], "seller_not_in_requested_marketplace"),
])
def test_the_deciding_fact_puts_its_cause_first(facts, cause):
    assert top(DENIED, *facts) == cause


def test_the_operation_in_the_text_is_used_without_being_asked():
    diagnosis = diagnose("POST /notifications/v1/destinations -> 403 Unauthorized")
    assert diagnosis.inferred["operation"] == "createDestination"
    assert diagnosis.causes[0].id == "grantless_operation_needs_client_credentials_token"


def test_a_facts_contradiction_moves_the_grantless_cause_down():
    with_op = diagnose(DENIED, ["operation=getOrders"])
    ids = [c.id for c in with_op.causes]
    assert "grantless_operation_needs_client_credentials_token" not in ids[:3]


def test_vendor_md5100_offers_version_beta_as_uncertain():
    diagnosis = diagnose("Error Code: MD5100 on Vendor Central", ["account_type=vendor"])
    first = diagnosis.causes[0]
    assert first.id == "vendor_consent_needs_beta" and "uncertain" in first.title
    assert not any(c.id == "vendor_consent_needs_beta" for c in diagnose(
        "Error Code: MD5100", ["account_type=seller"]).causes[:3])


def test_a_refresh_token_asked_for_a_grantless_operation_points_at_client_credentials():
    """A refresh token refused while getting a token for a grantless operation: the fix is the
    client_credentials grant, not a new authorization (the Pipedream and ApplicationManagement
    reports)."""
    said = ("The request has an invalid grant parameter : refresh_token. User may have revoked "
            "or didn't grant the permission.")
    grantless = diagnose(said, ["operation=rotateApplicationClientSecret", "via=token-refresh"])
    assert grantless.causes[0].id == "grantless_operation_needs_client_credentials_token"
    seller = diagnose(said, ["operation=getOrders", "via=token-refresh"])
    assert seller.causes[0].id == "refresh_token_revoked_or_expired"


def test_an_api_named_beside_an_ambiguous_id_picks_that_apis_operation():
    """``getOrders`` is both the Orders API's and Vendor Direct Fulfillment's: alone it stays
    ambiguous, beside the API's name it is that API's (restricted, for vendors)."""
    assert {e["api"] for e in operations.lookup("getOrders")} == {
        "orders-api-model", "vendor-direct-fulfillment-orders-api-model"}
    for said in ("Vendor Direct Fulfillment Orders getOrders",
                 "VendorDirectFulfillmentOrdersV1 getOrders"):
        assert {e["api"] for e in operations.lookup(said)} == {
            "vendor-direct-fulfillment-orders-api-model"}
        assert operations.derive({"operation": said}) == {
            "operation_grantless": "false", "operation_restricted": "true",
            "operation_account": "vendor"}
    assert "operation_account" not in operations.derive({"operation": "getOrders"})
    assert {e["api"] for e in operations.lookup("ordersV0 getOrders")} == {"orders-api-model"}


def test_other_calls_working_argues_against_signing_and_region_and_for_the_operation():
    """'Other reports work' says the credentials, signing and region are fine: what is left
    is about this one operation."""
    alone = {c.id: n for n, c in enumerate(diagnose(DENIED).causes)}
    said = {c.id: n for n, c in enumerate(
        diagnose(DENIED + " on createReport, other reports work").causes)}
    assert said.get("iam_arn_mismatch", 99) > alone["iam_arn_mismatch"]
    assert said.get("wrong_region_endpoint", 99) > alone["wrong_region_endpoint"]
    assert said["reauthorize_after_role_change"] < alone["reauthorize_after_role_change"]
    assert "text:other_calls_work" in diagnose(
        "403 on getInventorySummaries while /orders/v0/orders works").signals


def test_a_token_kind_the_text_names_becomes_a_fact_unless_one_is_stated():
    said = "createSubscription fails when called with a grantless token: " + DENIED
    found = diagnose(said)
    assert found.inferred["token_kind"] == "grantless"
    assert found.causes[0].id == "grantless_token_used_for_seller_operation"
    assert diagnose("createRestrictedDataToken worked; getOrderAddress sent with the RDT "
                    "still fails").inferred["token_kind"] == "rdt"
    both = diagnose("tried with a grantless token and then with an RDT: " + DENIED)
    assert "token_kind" not in both.inferred
    stated = diagnose(said, ["token_kind=seller"])
    assert "token_kind" not in stated.inferred
    assert stated.causes[0].id != "grantless_token_used_for_seller_operation"


def test_an_unpublished_app_is_not_offered_for_a_plain_access_denied():
    ids = [c.id for c in diagnose("Response(403): Access to requested resource is denied. "
                                  "code: Unauthorized").causes[:3]]
    assert "app_not_published" not in ids
    assert "role_missing" in ids


def test_a_refused_rdt_request_is_the_role_and_a_malformed_one_is_its_body():
    refused = top("createRestrictedDataToken -> " + DENIED)
    malformed = top('createRestrictedDataToken -> 400 {"errors":[{"code":"InvalidInput",'
                    '"message":"Invalid or unsupported document ID found"}]} for '
                    '"restrictedResources":[{"method":"GET","path":"/reports/2021-06-30/reports"}]')
    assert (refused, malformed) == ("restricted_role_missing", "rdt_request_invalid")
    # The RDT call is not itself a restricted operation: naming it states nothing about PII.
    answer = diagnose("InvalidInput", ["operation=createRestrictedDataToken"]).as_json()
    assert "restricted_operation_without_rdt" not in [c["id"] for c in answer["causes"][:1]]


def test_roles_said_to_look_fine_argue_against_a_missing_role():
    plain = [c.id for c in diagnose(DENIED + " on listCatalogItems").causes]
    fine = [c.id for c in diagnose(DENIED + " on listCatalogItems, roles look fine").causes]
    assert plain[0] == "role_missing"
    assert "role_missing" not in fine[:2]


@pytest.mark.parametrize(("text", "cause"), [
    ("getOrders returns the shipping address with name and address lines null",
     "restricted_operation_without_rdt"),
    ("createReport GET_SALES_AND_TRAFFIC_REPORT: Report rejected for this client. Some of the "
     "marketplaces are not allowed for this Report", "operation_not_available_in_region"),
    ("403 Forbidden on Listings Items calls; Orders and Feeds calls work; the Product Listing "
     "role is ticked", "reauthorize_after_role_change"),
])
def test_what_a_report_says_beside_the_error_names_its_cause(text, cause):
    assert top(text) == cause


def test_an_empty_name_field_is_not_redacted_personal_data():
    assert "text:pii_redacted" not in diagnose("the name field is empty in my form").signals


def test_a_plain_invalid_input_is_a_parameter_not_the_rdt_request():
    text = ('400 Bad Request: {"errors":[{"code":"InvalidInput","message":"Invalid Input"}]} '
            'on putListingsItem')
    assert top(text) == "request_parameter_invalid"


def test_the_rdt_call_for_a_restricted_report_is_not_itself_restricted():
    named = "createRestrictedDataToken (getReportDocument GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT)"
    assert "operation_restricted" not in derive({"operation": named})
    assert derive({"operation": "createReport GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"})[
        "operation_restricted"] == "true"
    text = ('Failed to create restricted data token: {"code": "InvalidInput", "message": '
            '"Invalid or unsupported document ID found"}')
    assert top(text, f"operation={named}", "http_status=400") == "rdt_request_invalid"
    assert top(DENIED, "operation=createReport GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT") in (
        "restricted_role_missing", "restricted_operation_without_rdt")


@pytest.mark.parametrize(("text", "cause"), [
    ("Access denied for marketplace ATVPDKIKX0DER, the seller sells only in Canada",
     "seller_not_in_requested_marketplace"),
    (DENIED + " on the vendor orders API with a seller account", "operation_not_for_account_type"),
    (DENIED + " calling the seller orders API with a vendor account token",
     "operation_not_for_account_type"),
])
def test_the_403_cause_a_report_states_in_words(text, cause):
    assert top(text) == cause


def test_works_for_us_in_lower_case_is_not_the_us_marketplace():
    assert "text:works_elsewhere" not in diagnose(DENIED + " it works for us locally").signals
    assert "text:works_elsewhere" in diagnose(DENIED + " it works for US sellers").signals


def test_a_library_saying_it_failed_to_create_the_rdt_names_the_rdt_call():
    text = ('Failed to create restricted data token: [400] {"errors":[{"code":"InvalidInput",'
            '"message":"Invalid or unsupported document ID found"}]}')
    assert "text:rdt_call" in diagnose(text).signals
    assert top(text) == "rdt_request_invalid"
