"""Every answer of Amazon's SP-API errors FAQ (reference/seed-faq.md) is reachable.

Each case is (FAQ question, a realistic paste with the facts a user would give, the cause id
that must come first). Questions with several answers (MD5100, MD9000, SPDC300, the 403 one)
have a case per answer. The questions are read from the FAQ file itself, so a question added
there fails here until it has cases.
"""

from __future__ import annotations

import pytest
from doctor_kit import APP_ID, CLIENT_ID, REFERENCE, assert_contract, consent

from oauth_wizard.doctor.diagnosis import diagnose

FAQ = REFERENCE / "seed-faq.md"
DIDNT_HELP = "Didn't help?"

Q_AUTHAPI = ("Why can’t I make a successful call to Authorizations API or why does "
             "getAuthorizationCode return No MWS authorization found?")
Q_MISSING = 'Why am I receiving "Missing authentication token" when I run the Authorization API?'
Q_DEVID = ("Why am I getting a Developer ID not associated with App ID error when using "
           "Authorization API?")
Q_ROLES = ('Why do I receive "The application isn\'t configured with roles" when I run the '
           "Authorization API?")
Q_THROTTLE = "How can I avoid throttling errors?"
Q_SCOPE = 'Why am I receiving "Credential should be scoped to a valid region"?'
Q_STS = 'Why am I receiving "The security token included in the request is invalid"?'
Q_PROCESSING = "Why am I getting a “Processing” message for the Transactions API Call?"
Q_INVOICES = "Why am I getting an error message for the “Submit Invoices” operation call?"
Q_SPDC300 = "Why am I getting a SPDC300 error?"
Q_UNAUTH = ('I\'m getting an "Unauthorized" error when calling the Authorization API. What is '
            "the solution?")
Q_403 = ("Why am I getting an Unauthorized - Access Denied error (403 error code) for my API "
         "request after completing registration successfully?")
Q_POSTMAN = "Why am I getting a 500 error when I make a request to get LWA Access Token in Postman?"
Q_SANDBOX = "Why am I getting a 500 error when making a request to a sandbox endpoint?"
Q_MD1000 = "Why am I getting an MD1000 error code?"
Q_MD1000_OAUTH = "Why am I getting an MD1000 error code when I initiate OAuth workflow?"
Q_MD5100 = "Why am I getting an MD5100 error code?"
Q_SPDC8143 = "Why am I getting a SPDC8143 error code?"
Q_MD9000 = "Why am I getting an MD9000 error code?"
Q_MWS_PAGE = ("Why am I still seeing the MWS authorization page instead of SP-API consent page "
              "when I initiate OAuth workflow?")
Q_SKU = "Why am I receiving an error when using a SKU with special characters?"

UNAUTHORIZED = ('{"errors":[{"code":"Unauthorized","message":"Access to requested resource is '
                'denied.","details":""}]}')
ALL_CLEAR = ["app_state=published", "beta_in_url=no", "login_uri_set=yes", "redirect_uri_set=yes",
             "hybrid=no", "marketplace=US", "app_marketplaces=US,CA,MX", "edit_pending=no",
             f"consent_url={consent()}"]

CASES = [
    (Q_AUTHAPI, "sp_api.base.exceptions.SellingApiBadRequestException: [{'code': 'InvalidInput', "
                "'message': 'No MWS authorization found for sellingPartnerId A3EXAMPLE and "
                "developerId 123456789012', 'details': ''}]", [], "authorization_api_retired"),
    (Q_MISSING, 'HTTP/1.1 403 Forbidden\n{"message":"Missing Authentication Token"}',
     ["signs_requests=yes"], "sigv4_missing_aws_credentials"),
    (Q_DEVID, '{"errors":[{"code":"InvalidInput","message":"Developer ID not associated with '
              'App ID","details":""}]}', [], "app_not_published"),
    (Q_ROLES, '{"errors":[{"code":"Unauthorized","message":"The application isn\'t configured '
              'with roles","details":""}]}', [], "app_roles_not_configured"),
    (Q_THROTTLE, "sp_api.base.exceptions.SellingApiRequestThrottledException: [{'code': "
                 "'QuotaExceeded', 'message': 'You exceeded your quota for the requested "
                 "resource.', 'details': ''}]", [], "throttled"),
    (Q_SCOPE, '{"errors":[{"message":"Credential should be scoped to a valid region, not '
              '\'us-east-1\'. ","code":"InvalidSignature"}]}', [], "sigv4_region_mismatch"),
    (Q_STS, '{"errors":[{"message":"The security token included in the request is invalid.",'
            '"code":"InvalidInput","details":""}]}', [], "sigv4_security_token_invalid"),
    (Q_PROCESSING, 'getTransactionStatus(transactionId=20240501-1234) keeps returning '
                   '{"transactionStatus":{"status":"Processing"}} for my invoice after an hour',
     [], "transaction_status_unsupported"),
    (Q_INVOICES, 'submitInvoices failed: {"errors":[{"code":"InvalidInput","message":"Invoice '
                 'number INV-1001 was already used","details":""}]}', [], "invoice_data_invalid"),
    (Q_SPDC300, "Clicking Save and submit on the app listing shows error SPDC300. The "
                "description uses <h2> headings.", [], "listing_disallowed_html"),
    (Q_SPDC300, "Every time I sign in to Seller Central I get SPDC300. The account has been "
                "dormant for a year.", [], "account_dormant"),
    (Q_UNAUTH, f"GET /authorization/v1/authorizationCode -> 403 {UNAUTHORIZED}",
     ["app_listed=no"], "app_not_published"),
    (Q_403, f"403 Forbidden {UNAUTHORIZED}",
     ["signs_requests=yes", "iam_arn_kind=role", "uses_sts=no"], "iam_arn_mismatch"),
    (Q_403, "An error occurred (AccessDeniedException): User: arn:aws:sts::123456789012:"
            "assumed-role/SellingPartnerRole/s1 is not authorized to perform: execute-api:Invoke "
            "with an explicit deny in a service control policy", [], "iam_arn_mismatch"),
    (Q_403, f"Status code 403 {UNAUTHORIZED} on GET /orders/v0/orders", [], "role_missing"),
    (Q_403, "Still getting 403 Access Denied on getOrders although the app has all roles and the "
            "seller authorized again yesterday.",
     ["signs_requests=no", "role_added_after_auth=no"], "amazon_side_issue"),
    (Q_POSTMAN, f"POST https://api.amazon.com/auth/o2/token?grant_type=refresh_token&client_id="
                f"{CLIENT_ID}&refresh_token=Atzr|IwEBIExample -> 500 Internal Server Error in "
                "Postman", [], "token_request_malformed"),
    (Q_SANDBOX, "GET https://sandbox.sellingpartnerapi-eu.amazon.com/orders/v0/orders?"
                "MarketplaceIds=A1PA6795UKMFR9 HTTP/1.1 500 Internal Server Error "
                '{"errors":[{"code":"InternalFailure","message":"We encountered an internal '
                'error. Please try again.","details":""}]}', [], "sandbox_request_mismatch"),
    (Q_MD1000, "We are sorry but we encountered an error while processing your request. "
               f"Error Code: MD1000 App ID: {APP_ID}", ["app_state=draft", "beta_in_url=no"],
     "beta_missing_for_draft"),
    (Q_MD1000_OAUTH, f"Initiating the OAuth workflow with {consent()} shows error code MD1000",
     ["app_state=submitted"], "beta_missing_for_draft"),
    (Q_MD5100, f"Error Code: MD5100 for {consent(version='beta')}?state=x",
     ["app_state=draft"], "malformed_consent_url"),
    (Q_MD5100, "Error Code: MD5100", ["login_uri_set=no", "redirect_uri_set=no"],
     "oauth_uris_missing"),
    (Q_MD5100, "Error Code: MD5100", ["marketplace=BR", "app_marketplaces=US,CA,MX"],
     "marketplace_not_in_app"),
    (Q_MD5100, "error code md5100", ["redirect_uri=https://app.example.com/cb#done"],
     "redirect_uri_fragment"),
    (Q_MD5100, "Error Code: MD5100", ["app_state=draft", "beta_in_url=no"],
     "beta_missing_for_draft"),
    (Q_MD5100, "Error Code: MD5100", ["app_state=published", "beta_in_url=yes"],
     "beta_on_published_app"),
    (Q_MD5100, "MD5100 when I click Authorize to self-authorize our MWS app", ["via=self-auth"],
     "mws_only_app"),
    (Q_MD5100, "Error Code: MD5100", ["hybrid=yes", "dev_id_regions=NA", "marketplace=DE"],
     "hybrid_region_dev_id_missing"),
    (Q_MD5100, "Error Code: MD5100", ALL_CLEAR, "amazon_side_issue"),
    (Q_SPDC8143, "Error: SPDC8143", [], "not_primary_user"),
    (Q_MD9000, "MD9000 This Developer is not currently eligible for new authorizations",
     ["via=self-auth"], "mws_only_app"),
    (Q_MD9000, "MD9000", ["hybrid=yes", "dev_id_regions=NA", "region=EU"],
     "hybrid_region_dev_id_missing"),
    (Q_MD9000, "Error Code: MD9000", ["app_state=submitted", "beta_in_url=no"],
     "beta_missing_for_draft"),
    (Q_MD9000, "Error Code: MD9000", ["app_state=published", "beta_in_url=yes"],
     "beta_on_published_app"),
    (Q_MD9000, "Error Code: MD9000", ["redirect_uri_set=no"], "oauth_uris_missing"),
    (Q_MD9000, "Error Code: MD9000", ["marketplace=JP", "app_marketplaces=US"],
     "marketplace_not_in_app"),
    (Q_MD9000, "Error Code: MD9000", ALL_CLEAR, "amazon_side_issue"),
    (Q_MWS_PAGE, "The consent link opens the MWS authorization page instead of the SP-API consent "
                 "page", [], "oauth_uris_missing"),
    (Q_SKU, "PUT https://sellingpartnerapi-na.amazon.com/listings/2021-08-01/items/A3EXAMPLE/"
            'ABC/123-XL -> 404 {"errors":[{"code":"NotFound","message":"Resource not found"}]} '
            "(the SKU ABC/123-XL contains a slash)", [], "sku_not_url_encoded"),
    (DIDNT_HELP, "Something unexpected happened. Request ID: 2f4b3d1e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
     [], "amazon_side_issue"),
]

# How many distinct answers each question has (its causes); checked against CASES.
ANSWERS = {
    Q_AUTHAPI: 1, Q_MISSING: 1, Q_DEVID: 1, Q_ROLES: 1, Q_THROTTLE: 1, Q_SCOPE: 1, Q_STS: 1,
    Q_PROCESSING: 1, Q_INVOICES: 1, Q_SPDC300: 2, Q_UNAUTH: 1, Q_403: 3, Q_POSTMAN: 1,
    Q_SANDBOX: 1, Q_MD1000: 1, Q_MD1000_OAUTH: 1, Q_MD5100: 9, Q_SPDC8143: 1, Q_MD9000: 7,
    Q_MWS_PAGE: 1, Q_SKU: 1, DIDNT_HELP: 1,
}


def faq_questions() -> list[str]:
    """Each FAQ question is the line before its 'Select to expand the answer'."""
    lines = FAQ.read_text("utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Select to expand the answer"):
            j = i - 1
            while not lines[j].strip():
                j -= 1
            found.append(lines[j].strip())
    if any(line.strip() == DIDNT_HELP for line in lines):
        found.append(DIDNT_HELP)
    return found


def test_every_faq_question_has_cases_for_all_its_answers() -> None:
    questions = faq_questions()
    assert len(questions) == 22
    assert set(questions) == set(ANSWERS)
    for question, answers in ANSWERS.items():
        causes = {cause for q, _, _, cause in CASES if q == question}
        assert len(causes) == answers, question


@pytest.mark.parametrize(("question", "text", "facts", "expected"), CASES,
                         ids=[f"{i:02d}-{c[3]}" for i, c in enumerate(CASES)])
def test_faq_answer_is_reached(question: str, text: str, facts: list[str],
                               expected: str) -> None:
    diagnosis = diagnose(text, facts)
    payload = diagnosis.as_json()
    assert_contract(payload)
    assert diagnosis.top.id == expected, [(c.id, c.score) for c in diagnosis.causes]
    assert diagnosis.top.fix, "the answer comes with its fix"
    assert diagnosis.top.why


def test_faq_sources_are_cited_by_the_causes_that_answer_them() -> None:
    """The knowledge base names the FAQ question each answer comes from."""
    from oauth_wizard.doctor import knowledge

    kb = knowledge.load()
    cited = " ".join(c.source for c in kb.causes.values())
    for question in ANSWERS:
        if question != DIDNT_HELP:
            assert question in cited, question
