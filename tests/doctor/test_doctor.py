"""The doctor ranks causes from what was pasted and what is known.

Every cause of the knowledge base has a realistic case (the way people paste errors: JSON
bodies, exception reprs, log lines, Seller Central pages, URLs) with facts that rank it first.
Ambiguous symptoms are checked for how facts move the ranking and for the question asked first.
"""

from __future__ import annotations

import pytest
from doctor_kit import APP_ID, CLIENT_ID, assert_contract, consent

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.diagnosis import diagnose

UNAUTHORIZED = ('{"errors":[{"code":"Unauthorized","message":"Access to requested resource is '
                'denied.","details":"%s"}]}')
PSA_403 = ("sp_api.base.exceptions.SellingApiForbiddenException: [{'message': 'Access to "
           "requested resource is denied.', 'code': 'Unauthorized', 'details': ''}]")

RANK_FIRST: dict[str, tuple[str, list[str]]] = {
    # A. consent page
    "beta_missing_for_draft": ("Error Code: MD1000", ["app_state=draft", "beta_in_url=no"]),
    "beta_on_published_app": ("MD9999", ["app_state=published", "beta_in_url=yes"]),
    "client_id_as_application_id": (
        f"MD1000 for https://sellercentral.amazon.de/apps/authorize/consent?application_id="
        f"{CLIENT_ID}&state=x&version=beta", ["app_state=draft"]),
    "malformed_consent_url": ("We are sorry but we encountered an error. Error Code: MD5100",
                              [f"consent_url={consent('sellercentral.amazon.com')}&state=%22x%22"
                               "&version=beta", "app_state=draft"]),
    "wrong_portal_host": ("Error Code: MD5100",
                          [f"consent_url={consent('sellercentral.amazon.com')}&version=beta",
                           "marketplace=DE", "app_state=draft"]),
    "redirect_uri_not_registered": ("Error Code: MD5101", []),
    "redirect_uri_fragment": ("We are sorry... Error Code: MD5110", []),
    "oauth_uris_missing": ("MD9100", []),
    "uri_not_https_or_localhost": ("Developer Central says the Redirect URI is not a valid URI: "
                                   "http://localhost:5000/callback", []),
    "login_uri_not_handled": (
        "The seller approves but my app never receives the spapi_oauth_code; the browser stays on "
        "https://app.example.com/login?amazon_callback_uri=https%3A%2F%2Fsellercentral.amazon.com"
        "%2Fapps%2Fauthorize%2Fconfirm%2Famzn1.sp.solution.x&amazon_state=abc&selling_partner_id"
        "=A3EXAMPLE", []),
    "marketplace_not_in_app": ("Error Code: MD5100", ["marketplace=BR", "app_marketplaces=US"]),
    "hybrid_region_dev_id_missing": (
        "MD9010: The application provided does not have an MWS developer ID for this region", []),
    "mws_only_app": ("MD9000", ["via=self-auth", "hybrid=no"]),
    "mws_retired": ("Error Code: MD9001 The Developer is blocked for new authorizations in MWS",
                    []),
    "not_primary_user": ("Error Code: SPDC8143", []),
    "user_lacks_permission": ("You do not have permission to authorize this app. Ask the account "
                              "administrator for user permissions.", ["primary_user=no"]),
    "app_edit_pending": ("Error Code: MD5101", ["app_state=published", "edit_pending=yes",
                                                "redirect_uri=https://app.example.com/cb",
                                                "registered_redirect_uris=https://app.example.com"
                                                "/cb"]),
    "app_not_published": ('{"errors":[{"code":"InvalidInput","message":"Developer ID not '
                          'associated with App ID","details":""}]}', []),
    "app_roles_not_configured": ("The application isn't configured with roles", []),
    "listing_disallowed_html": ("SPDC300", ["via=listing"]),
    "account_dormant": ("SPDC300 after signing in; Seller Central asks to update the credit card",
                        []),
    "authorization_limit_reached": ("Error: CONSENT_LIMIT_REACHED", []),
    "business_entity_unsupported": ("Error Code: SPSA0404", []),
    "amazon_side_issue": ("Error Code: MD4100", []),
    "consent_denied": ("https://app.example.com/cb?error=access_denied&error_description=User+"
                       "denied&state=abc", []),
    "state_mismatch": ("oauth_wizard.authorize.legs.StateMismatch: The state in the Redirect leg "
                       "does not "
                       "match this attempt.", []),
    "state_expired": ("StateExpired: This authorization attempt has expired.", []),
    "callback_uri_refused": ("CallbackRefused: The Login leg asks to continue at "
                             "'https://evil.example.com/', which is not an Amazon portal "
                             "(open-redirect guard)", []),
    # B. LWA token endpoint
    "auth_code_expired_or_reused": (
        'HTTP/1.1 400 Bad Request\n{"error_description":"The request has an invalid grant '
        'parameter : code","error":"invalid_grant"}', []),
    "refresh_token_revoked_or_expired": (
        "sp_api.auth.exceptions.AuthorizationError: ('invalid_grant', 'The request has an "
        "invalid grant parameter : refresh_token. User may have revoked or didn't grant the "
        "permission.', 400)", []),
    "client_secret_invalid_or_expired": (
        "GuzzleHttp\\Exception\\ClientException: Client error: `POST https://api.amazon.com/auth/"
        "o2/token` resulted in a `401 Unauthorized` response:\n{\"error_description\":\"Client "
        "authentication failed\",\"error\":\"invalid_client\"}", [f"client_id={CLIENT_ID}"]),
    "client_id_invalid": ('{"error":"invalid_client","error_description":"Client authentication '
                          'failed"}', ["client_id=amzn1.application-oa2-client.0123456789"]),
    "credentials_garbled": ("requests.exceptions.InvalidHeader: Invalid leading whitespace, "
                            "reserved character(s), or return character(s) in header value", []),
    "credentials_missing": ("sp_api.base.exceptions.MissingCredentials: The following "
                            "configuration parameters are missing: ['lwa_client_secret']", []),
    "token_request_malformed": ('{"error_description":"The authorization grant type is not '
                                'supported by the authorization server","error":'
                                '"unsupported_grant_type"}', []),
    "token_request_wrong_host": ('POST https://sellingpartnerapi-eu.amazon.com/auth/o2/token '
                                 '-> 403 {"message":"Missing Authentication Token"}', []),
    "lwa_unreachable": ("httpx.ConnectError: [Errno -2] Name or service not known while POSTing "
                        "to https://api.amazon.com/auth/o2/token", []),
    "grantless_scope_not_allowed": ('{"error_description":"The request has an invalid parameter '
                                    ': scope","error":"invalid_scope"}', []),
    # C. SP-API calls
    "access_token_missing": (UNAUTHORIZED % "Access token is missing in the request header.",
                             []),
    "access_token_expired": (UNAUTHORIZED % "The access token you provided has expired.", []),
    "access_token_invalid": (UNAUTHORIZED % "The access token you provided is revoked, malformed "
                             "or invalid.", []),
    "role_missing": (PSA_403, []),
    "restricted_role_missing": (PSA_403 + " calling getOrderAddress",
                                ["operation=getOrderAddress"]),
    "reauthorize_after_role_change": (PSA_403, ["role_added_after_auth=yes"]),
    "wrong_region_endpoint": ("403 Forbidden for url: https://sellingpartnerapi-na.amazon.com/"
                              "sellers/v1/marketplaceParticipations " + UNAUTHORIZED % "",
                              ["marketplace=DE"]),
    "sigv4_missing_aws_credentials": ("botocore.exceptions.NoCredentialsError: Unable to locate "
                                      "credentials", []),
    "sigv4_region_mismatch": ("Credential should be scoped to a valid region, not 'us-east-1'.",
                              []),
    "sigv4_security_token_invalid": ("The security token included in the request is expired",
                                     ["uses_sts=yes"]),
    "iam_arn_mismatch": ("botocore.exceptions.ClientError: An error occurred (AccessDenied) when "
                         "calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/"
                         "sp is not authorized to perform: sts:AssumeRole", []),
    "throttled": ("2024-05-01T12:00:01Z ERROR 429 Client Error: Too Many Requests for url: "
                  "https://sellingpartnerapi-eu.amazon.com/orders/v0/orders", []),
    "sandbox_request_mismatch": ("SellingApiServerException: [{'code': 'InternalFailure', "
                                 "'message': 'We encountered an internal error. Please try "
                                 "again.', 'details': ''}]", ["sandbox=yes"]),
    "sku_not_url_encoded": ("GET /listings/2021-08-01/items/A3EXAMPLE/BLUE/XL returns 404; the SKU "
                            "has a forward slash", []),
    "authorization_api_retired": ("GET https://sellingpartnerapi-na.amazon.com/authorization/v1/"
                                  "authorizationCode?sellingPartnerId=A3EX&developerId=1&"
                                  "mwsAuthToken=amzn.mws.x -> 403", []),
    "spapi_endpoint_wrong": ('{"errors":[{"code":"NotFound","message":"Resource not found"}]}',
                             []),
    "spapi_unreachable": ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host="
                          "'sellingpartnerapi-na.amazon.com', port=443): Max retries exceeded "
                          "(Connection refused)", []),
    "secret_store": ("keyring.errors.NoKeyringError: No recommended backend was available.", []),
    # D. other FAQ topics
    "transaction_status_unsupported": ("Transaction status still Processing after 10 minutes", []),
    "invoice_data_invalid": ("submitInvoices rejected: bill-to address incomplete", []),
    # E. the 403 family, told apart by the operation (data/operations.json) and the token
    "restricted_operation_without_rdt": (UNAUTHORIZED % "", ["operation=getOrderAddress",
                                                             "token_kind=seller"]),
    "grantless_operation_needs_client_credentials_token": (
        UNAUTHORIZED % "", ["operation=getDestinations"]),
    "grantless_token_used_for_seller_operation": (
        UNAUTHORIZED % "", ["operation=getInventorySummaries", "token_kind=grantless"]),
    "operation_not_available_in_region": (UNAUTHORIZED % "", ["operation=getShipmentDetails",
                                                              "marketplace=DE"]),
    "seller_not_in_requested_marketplace": (UNAUTHORIZED % "", ["seller_in_marketplace=no"]),
    "operation_not_for_account_type": (UNAUTHORIZED % "", ["operation=getInventorySummaries",
                                                           "account_type=vendor"]),
    "vendor_consent_needs_beta": ("Error Code: MD5100 (Vendor Central)",
                                  ["account_type=vendor"]),
    # F. request-shape and legacy-signing causes found in the corpus's unmapped reports
    "sigv4_signature_invalid": ('{"errors":[{"code":"InvalidSignature","message":"The request '
                                'signature we calculated does not match the signature you '
                                'provided."}]}', []),
    "sigv4_signature_expired": ("403 Signature expired: 20211013T140559Z is now earlier than "
                                "20211013T140604Z (20211013T141104Z - 5 min.)", []),
    "rdt_request_invalid": ('POST /tokens/2021-03-01/restrictedDataToken -> 400 {"errors":[{'
                            '"code":"InvalidInput","message":"Empty target resource argument '
                            'found"}]}', []),
    "request_parameter_invalid": ('{"errors":[{"code":"InvalidInput","message":"Missing or '
                                  'invalid request parameters: [marketplaceIds]"}]}', []),
    "settlement_report_not_requestable": ("createReport GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE "
                                          "-> 429 QuotaExceeded", []),
    "private_app_oauth_unavailable": ("Our private developer app: no way to edit the OAuth "
                                      "redirect URI, and client sellers cannot authorize it", []),
    "buyer_contact_action_not_allowed": ('{"errors":[{"code":"Unauthorized","message":"You can\'t '
                                         'use this feature to request a review outside the 5-30 '
                                         'day range after the order delivery date."}]}', []),
    "feed_upload_signature_mismatch": ("403 <Code>SignatureDoesNotMatch</Code> on the PUT of the "
                                       "feed document to the pre-signed URL", []),
    "http_request_rejected": ("GET /orders/v0/orders -> 400 <!DOCTYPE html><html><head><title>"
                              "</title></head><body></body></html>", []),
}


def test_every_cause_has_a_case() -> None:
    assert set(RANK_FIRST) == set(knowledge.load().causes)


@pytest.mark.parametrize("cause", sorted(RANK_FIRST))
def test_each_cause_ranks_first_for_its_case(cause: str) -> None:
    text, facts = RANK_FIRST[cause]
    diagnosis = diagnose(text, facts)
    assert_contract(diagnosis.as_json())
    assert diagnosis.top.id == cause, [(c.id, c.score) for c in diagnosis.causes]


def test_done_when_marketplace_not_in_app() -> None:
    payload = diagnose("Error Code: MD5100", ["marketplace=BR", "app_marketplaces=US,CA,MX"]
                       ).as_json()
    assert_contract(payload)
    top = payload["causes"][0]
    assert top["id"] == "marketplace_not_in_app"
    assert any("Pricing" in step for step in top["fix"])
    assert any("BR" in line and "US,CA,MX" in line for line in top["why"])
    assert "MD5100" in payload["signals"]


def _rank(text: str, facts: list[str]) -> list[str]:
    return [c.id for c in diagnose(text, facts).causes]


def _first_question(text: str, facts: list[str]) -> str:
    return diagnose(text, facts).questions[0].fact


# ---- ambiguous symptoms: facts move the ranking, the first question separates -------------

def test_md5100_facts_move_the_ranking() -> None:
    assert _rank("MD5100", ["app_state=draft", "beta_in_url=no"])[0] == "beta_missing_for_draft"
    assert _rank("MD5100", ["app_state=published", "beta_in_url=yes"])[0] == \
        "beta_on_published_app"
    assert _rank("MD5100", ["hybrid=yes", "dev_id_regions=NA", "region=FE"])[0] == \
        "hybrid_region_dev_id_missing"
    assert _rank("MD5100", ["app_state=published", "edit_pending=yes"])[0] == "app_edit_pending"
    assert "beta_missing_for_draft" not in _rank("MD5100", ["app_state=published"])


def test_md5100_asks_the_question_that_splits_what_is_left() -> None:
    # Known: published, no beta, URIs set, not hybrid. Left: marketplace vs the rest.
    facts = ["app_state=published", "beta_in_url=no", "login_uri_set=yes", "redirect_uri_set=yes",
             "hybrid=no", "edit_pending=no", f"consent_url={consent()}", "marketplace=BR"]
    assert _first_question("MD5100", facts) == "app_marketplaces"
    # Known the other way round: a hybrid app in an EU marketplace; which regions have IDs?
    facts = ["app_state=published", "beta_in_url=no", "login_uri_set=yes", "redirect_uri_set=yes",
             "hybrid=yes", "marketplace=DE", "app_marketplaces=DE,FR", "edit_pending=no",
             f"consent_url={consent('sellercentral.amazon.de')}"]
    assert _first_question("MD5100", facts) == "dev_id_regions"


def test_md1000_published_points_at_the_application_id() -> None:
    assert _rank("MD1000", ["app_state=draft", "beta_in_url=no"])[0] == "beta_missing_for_draft"
    assert _rank("MD1000", ["app_state=published"])[0] == "client_id_as_application_id"
    assert _rank("MD1000", [f"app_id={CLIENT_ID}"])[0] == "client_id_as_application_id"
    # With a draft app and the URL unknown, whether beta is in the URL decides it.
    assert _first_question("MD1000", ["app_state=draft"]) == "beta_in_url"


def test_403_unauthorized_without_details_is_split_by_facts() -> None:
    body = UNAUTHORIZED % ""
    assert _rank(body, [])[0] == "role_missing"
    assert _rank(body, ["role_added_after_auth=yes"])[0] == "reauthorize_after_role_change"
    assert _rank(f"{body} from https://sellingpartnerapi-fe.amazon.com/orders/v0/orders",
                 ["region=NA"])[0] == "wrong_region_endpoint"
    assert _rank(body, ["operation=getOrderBuyerInfo"])[0] == "restricted_role_missing"
    assert _rank(body, ["signs_requests=yes", "iam_arn_kind=role", "uses_sts=no"])[0] == \
        "iam_arn_mismatch"


def test_403_unauthorized_asks_about_a_role_added_later() -> None:
    questions = {q.fact: q for q in diagnose(UNAUTHORIZED % "", []).questions}
    assert "role_added_after_auth" in questions and "operation" in questions
    assert set(questions["role_added_after_auth"].choices) == {"yes", "no"}
    # With the endpoint in the text and the role question settled, the region separates.
    text = (UNAUTHORIZED % "" + " GET https://sellingpartnerapi-eu.amazon.com/sellers/v1/"
            "marketplaceParticipations")
    asked = [q.fact for q in diagnose(text, ["role_added_after_auth=no"]).questions]
    assert "region" in asked[:3], asked


def test_invalid_grant_needs_the_step_and_asks_for_it() -> None:
    body = '{"error":"invalid_grant","error_description":"The request has an invalid grant"}'
    tied = diagnose(body, [])
    assert {c.id for c in tied.causes[:2]} == {"auth_code_expired_or_reused",
                                                "refresh_token_revoked_or_expired"}
    question = tied.questions[0]
    assert question.fact == "via"
    assert "consent" not in question.choices and "token-exchange" in question.choices
    assert _rank(body, ["via=token-exchange"])[0] == "auth_code_expired_or_reused"
    assert _rank(body, ["via=token-refresh"])[0] == "refresh_token_revoked_or_expired"
    assert _rank(body, ["via=token-exchange", "code_age_s=900"])[0] == \
        "auth_code_expired_or_reused"


def test_invalid_client_is_split_by_the_client_id() -> None:
    body = '{"error_description":"Client authentication failed","error":"invalid_client"}'
    assert _rank(body, [])[0] == "client_secret_invalid_or_expired"
    assert _first_question(body, []) == "client_id"
    assert _rank(body, ["client_id=amzn1.application-oa2-client.abc"])[0] == "client_id_invalid"
    assert _rank(body, [f"client_id={APP_ID}"])[0] == "client_id_invalid"
    assert _rank(body, [f"client_id={CLIENT_ID[:20]} {CLIENT_ID[20:]}"])[0] == \
        "credentials_garbled"
    assert _rank(body, [f"client_id={CLIENT_ID}"])[0] == "client_secret_invalid_or_expired"


@pytest.mark.parametrize("text", ["MD5100", "MD1000", "MD9000", UNAUTHORIZED % "",
                                  '{"error":"invalid_grant"}', '{"error":"invalid_client"}',
                                  "Missing Authentication Token", "SPDC300"])
def test_the_first_question_changes_the_answer(text: str) -> None:
    """Answering the proposed question differently leads to different leading causes."""
    diagnosis = diagnose(text, [])
    question = diagnosis.questions[0]
    if question.choices:
        tops = {diagnose(text, [f"{question.fact}={c}"]).top.id for c in question.choices}
        assert len(tops) > 1, (question.fact, tops)
    else:
        reveals = knowledge.load().questions[question.fact].reveals
        assert {c.id for c in diagnosis.causes} & set(reveals)


def test_questions_never_ask_for_known_facts() -> None:
    facts = ["app_state=draft", "via=consent", "hybrid=no", "login_uri_set=yes"]
    for text in ("MD5100", "MD1000", "MD9000", "SPDC300", "invalid_grant", "garbage"):
        asked = {q.fact for q in diagnose(text, facts).questions}
        assert not asked & {"app_state", "via", "hybrid", "login_uri_set"}, text
    asked = {q.fact for q in diagnose("MD5100", [f"consent_url={consent()}"]).questions}
    assert "consent_url" not in asked and "beta_in_url" not in asked  # read from the URL


def test_questions_ask_one_at_a_time_best_first() -> None:
    questions = diagnose("MD5100", []).questions
    assert 1 <= len(questions) <= 3
    gains = [q.gain for q in questions]
    assert gains == sorted(gains, reverse=True)


def test_unknown_input_gets_the_support_case_answer_and_questions() -> None:
    diagnosis = diagnose("the thing broke again, no idea why", [])
    assert diagnosis.top.id == "amazon_side_issue"
    assert diagnosis.signals == ()
    fix = " ".join(diagnosis.top.fix)
    for item in ("application ID", "request ID", "timestamp", "operation", "sandbox",
                 "error response"):
        assert item in fix
    assert diagnosis.questions, "unknown input still gets the questions to ask"


def test_retired_causes_say_so_with_the_date_and_the_modern_fix() -> None:
    diagnosis = diagnose("Credential should be scoped to a valid region, not 'us-east-1'.", [])
    assert diagnosis.top.id == "sigv4_region_mismatch"
    assert diagnosis.top.why[0].startswith("Retired:") and "2023-10-02" in diagnosis.top.why[0]
    assert "2023-10-02" in diagnosis.top.fix[0]
    mws = diagnose("MD9001", []).top
    assert "2024-03-31" in mws.why[0]


def test_uncertain_knowledge_is_marked_in_why() -> None:
    why = diagnose("Error Code: MD9100", []).top.why
    assert why[-1].startswith("Uncertain:") and "MD9100" in why[-1]
    assert not any(w.startswith("Uncertain:") for w in diagnose("MD5101", []).top.why)


def test_why_explains_with_facts_and_against() -> None:
    diagnosis = diagnose("MD5100", ["app_state=published", "edit_pending=yes"])
    causes = {c.id: c for c in diagnosis.causes}
    assert any("pending" in w for w in causes["app_edit_pending"].why)
    mixed = diagnose("MD1000", ["app_state=draft", "beta_in_url=yes"])
    # a stated fact that contradicts a cause's precondition rules it out, and says which
    assert ("beta_missing_for_draft", "beta_in_url=true") in mixed.ruled_out
    assert "beta_missing_for_draft" not in {c.id for c in mixed.causes}
    both = diagnose("MD5100", ["beta_in_url=no", "app_state=published"])
    assert dict(both.ruled_out) == {"beta_missing_for_draft": "app_state=published",
                                    "beta_on_published_app": "beta_in_url=false"}
    # a fact only somewhat against a cause keeps it ranked, with the reason against it
    weak = {c.id: c for c in diagnose("403 Access to requested resource is denied",
                                      ["iam_arn_kind=role", "uses_sts=true",
                                       "signs_requests=true"]).causes}
    assert "Against: The IAM role is assumed through STS, as it should be." in \
        weak["iam_arn_mismatch"].why


def test_signals_from_a_pasted_consent_url_are_linted() -> None:
    url = f"https://sellercentral.amazon.com/apps/authorize/consent?application_id={CLIENT_ID}"
    diagnosis = diagnose(f"MD1000 at {url}", [])
    assert "lint:client_id_as_application_id" in diagnosis.signals
    assert any("client ID" in w for w in diagnosis.top.why)


def test_consent_url_fact_is_linted_and_feeds_facts() -> None:
    diagnosis = diagnose("MD5100", [f"consent_url={consent()}", "app_state=draft"])
    assert "lint:beta_missing_for_draft" in diagnosis.signals
    assert diagnosis.inferred["beta_in_url"] == "false"
    assert diagnosis.inferred["region"] == "NA"
    assert diagnosis.top.id == "beta_missing_for_draft"


def test_profile_contributes_its_facts_and_explicit_facts_win() -> None:
    profile = AppProfile(name="shop", app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                         marketplaces=("US", "CA"), login_uri="https://a.example.com/login",
                         redirect_uris=("https://a.example.com/cb",))
    diagnosis = diagnose("MD5100", ["marketplace=BR"], profile)
    assert diagnosis.facts["app_state"] == "draft"
    assert diagnosis.facts["app_marketplaces"] == "US,CA"
    assert diagnosis.top.id == "marketplace_not_in_app"
    overridden = diagnose("MD5100", ["app_state=published", "beta_in_url=yes"], profile)
    assert overridden.facts["app_state"] == "published"
    assert overridden.top.id == "beta_on_published_app"


def test_hint_from_another_module_is_used() -> None:
    diagnosis = diagnose("Authorization not completed.", ["cause=state_expired"])
    assert diagnosis.top.id == "state_expired"
    noted = diagnose("x", ["cause=no_such_cause"])
    assert any("no_such_cause" in n for n in noted.notes)


def test_deterministic() -> None:
    text = PSA_403 + "\nGET https://sellingpartnerapi-na.amazon.com/orders/v0/orders"
    assert diagnose(text, ["region=NA"]).as_json() == diagnose(text, ["region=NA"]).as_json()


@pytest.mark.parametrize("text", [
    "Pressing Confirm on the consent page, the console says Uncaught TypeError: Cannot read "
    "properties of undefined (reading 'endsWith')",
    "The authorize button does nothing after I sign in",
])
def test_a_script_error_on_amazons_page_is_amazons_side_even_with_a_uri_missing(text) -> None:
    """A bug of Amazon's page (its console error, a dead button) outranks what the facts alone
    suggest; without the text, the missing Login URI would lead."""
    assert diagnose(text, ["login_uri_set=no", "via=consent"]).top.id == "amazon_side_issue"
    assert diagnose(None, ["login_uri_set=no", "via=consent"]).top.id == "oauth_uris_missing"


def test_an_unencoded_sku_beats_the_generic_signature_mismatch():
    text = ("The request signature we calculated does not match the signature you provided "
            "(getListingsItem, SKU with parentheses)")
    assert diagnose(text, ["signs_requests=yes"]).top.id == "sku_not_url_encoded"
    assert diagnose(text.split(" (")[0], ["signs_requests=yes"]).top.id == (
        "sigv4_signature_invalid")


def test_a_consent_page_naming_the_app_null_is_a_draft_without_beta():
    assert diagnose("The consent page shows null as the app name").top.id == (
        "beta_missing_for_draft")


def test_an_unsigned_request_keeps_the_sigv4_era_reading_of_missing_authentication_token():
    text = '403 {"errors":[{"message":"Access to requested resource is denied.",' \
           '"code":"MissingAuthenticationToken"}]}'
    ids = [c.id for c in diagnose(text, ["signs_requests=no"]).causes]
    assert "sigv4_missing_aws_credentials" in ids[:2]
    ruled = [r["id"] for r in diagnose(text, ["signs_requests=no"]).as_json()["ruled_out"]]
    assert "sigv4_missing_aws_credentials" not in ruled


def test_a_refresh_failing_after_1_year_is_the_expired_authorization():
    assert diagnose("invalid_grant on refresh after 1 year").top.id == (
        "refresh_token_revoked_or_expired")


@pytest.mark.parametrize("text", [
    "CustomError: Request has missing or invalid parameters and cannot be parsed. code: "
    "'InvalidInput'",
    "error[400]: Missing objects [FeesEstimateRequest] in body parameters.",
])
def test_amazons_other_wordings_of_a_bad_parameter(text):
    assert diagnose(text).top.id == "request_parameter_invalid"


def test_a_quoted_slash_in_a_sku_is_a_special_character():
    text = "getListingOffers 404 for a SKU with a raw '/' in it"
    assert "text:special_chars" in diagnose(text).signals


def test_a_sku_encoded_twice_is_the_signature_not_the_sku():
    text = ("The request signature we calculated does not match the signature you provided. "
            "POST /products/fees/v0/listings/SKU1%2520%2B%2520SKU2-FBA/feesEstimate (SKU "
            "'SKU1 + SKU2-FBA')")
    assert diagnose(text).top.id == "sigv4_signature_invalid"


def test_naming_the_api_alone_does_not_make_the_newer_causes_lead():
    # a bare 403 on a solicitations call is a role question until Amazon says which rule
    assert diagnose("getSolicitationActionsForOrder 403 Access to requested resource is "
                    "denied").top.id != "buyer_contact_action_not_allowed"
    # a feed upload is the suspect only when a signature was refused
    upload = "uploading the feed document to the pre-signed URL"
    assert diagnose(upload + " fails: SignatureDoesNotMatch").top.id == (
        "feed_upload_signature_mismatch")
    assert diagnose(upload + " gives 429 QuotaExceeded").top.id == "throttled"


def test_the_rule_sentence_of_a_buyer_contact_refusal_in_either_spelling():
    for verb in ("can't", "cannot"):
        text = f'{{"code":"Unauthorized","message":"You {verb} use this feature for this order."}}'
        assert diagnose(text).top.id == "buyer_contact_action_not_allowed", verb


def test_an_html_answer_is_the_request_refused_but_a_pasted_consent_page_is_not():
    api = diagnose("StatusCode 400 <!DOCTYPE html><html><body></body></html>")
    assert "details:html" in api.signals and api.top.id == "http_request_rejected"
    page = diagnose("<html><body>We are sorry. Error Code: MD5100</body></html>")
    assert "details:html" not in page.signals
    assert page.top.id == diagnose("We are sorry. Error Code: MD5100").top.id
    json_error = diagnose('400 {"errors":[{"code":"InvalidInput","message":"Missing or invalid '
                          'request parameters: [marketplaceIds]"}]}')
    assert "http_request_rejected" not in [c.id for c in json_error.causes[:3]]


def test_an_sp_api_code_named_bare_is_read_as_the_code():
    said = diagnose('getItemOffersBatch fails: InvalidInput "Requested MarketplaceId is invalid, '
                    'unsupported, or does not exist."')
    assert "spapi:InvalidInput" in said.signals and "text:param_validation" in said.signals
    assert said.top.id == "request_parameter_invalid"
    assert "http:404" in diagnose("the call answers 404 NotFound").signals
    # inside a longer name it is not the code
    assert "spapi:InvalidInput" not in diagnose("MyInvalidInputHandler failed").signals


def test_a_published_app_alone_does_not_point_at_the_application_id():
    error = ('400 {"errors":[{"code":"InvalidInput","message":"Invalid Input"}]} on '
             "searchCatalogItems")
    ids = [c.id for c in diagnose(error, ["app_state=published"]).causes[:3]]
    assert "client_id_as_application_id" not in ids
    assert diagnose("Error Code: MD1000", ["app_state=published"]).top.id == (
        "client_id_as_application_id")


def test_a_named_operation_places_the_error_at_the_api_call_unless_lwa_answered():
    api = diagnose("GET /orders/v0/orders returned 400 <!DOCTYPE html><html></html>")
    assert api.inferred.get("via") == "api-call"
    assert "via" not in [q.fact for q in api.questions]
    lwa = diagnose("getOrders fails: The request has an invalid grant parameter : refresh_token")
    assert "via" not in lwa.inferred
    stated = diagnose("getOrders fails with 403", ["via=token-refresh"])
    assert stated.facts["via"] == "token-refresh" and "via" not in stated.inferred


def test_a_failure_of_many_sellers_that_cleared_by_itself_is_amazon_side():
    text = "403 Unauthorized on every call for all our sellers at once; it cleared by itself"
    assert diagnose(text).top.id == "amazon_side_issue"
    signed = ("403 'The security token included in the request is expired' for every call of "
              "thousands of sellers for 25 minutes; it cleared by itself")
    assert "amazon_side_issue" in [c.id for c in diagnose(signed).causes[:2]]
    assert diagnose("Buyer's delivery address missing from getOrders").top.id in (
        "restricted_role_missing", "restricted_operation_without_rdt")


def test_a_library_exception_name_carries_its_sp_api_code_and_a_named_call_that_works_counts():
    said = diagnose("AmazonUnauthorizedException: Access to requested resource is denied").signals
    assert {"http:403", "spapi:Unauthorized"} <= set(said)
    assert "spapi:InvalidInput" in diagnose("AmazonInvalidInputException thrown").signals
    assert "text:other_calls_work" in diagnose(
        "getPricing returns 404 for valid ASINs; getItemOffers works").signals
    assert "text:other_calls_work" not in diagnose("the getter works").signals
