"""The local Amazon over real loopback sockets: consent errors, both legs, LWA, SP-API."""

from __future__ import annotations

import itertools
import json
import logging
import re
import socket
import ssl
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from oauth_wizard.simulator.demo_registry import demo_registry
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator, SimulatorError

T0 = 1_750_000_000.0
CB = "http://127.0.0.1:9/cb"
CB2 = "http://127.0.0.1:9/cb2"
LOGIN = "http://127.0.0.1:9/login?from=sim"


def _app(n: int, **extra) -> dict:
    return {
        "app_id": f"amzn1.sp.solution.00000000-0000-4000-8000-00000000000{n}",
        "client_id": "amzn1.application-oa2-client." + f"{n}" * 32,
        "client_secret": "amzn1.oa2-cs.v1." + f"{n}" * 64,
        "app_state": "draft", "login_uri": LOGIN, "redirect_uris": [CB, CB2],
        "marketplaces": ["US", "CA", "DE", "FR", "UK"], **extra,
    }


APPS = {
    "draft": _app(1),
    "published": _app(2, app_state="published"),
    "submitted": _app(3, app_state="submitted"),
    "vendor": _app(4, kind="vendor", app_state="published"),
    "hybrid": _app(5, app_state="published", hybrid=True, mws_developer_ids={"NA": "123456789012"}),
    "no_uris": _app(6, login_uri="", redirect_uris=[]),
    "fragment": _app(7, redirect_uris=["http://127.0.0.1:9/cb#x"]),
    "us_only": _app(8, marketplaces=["US"]),
}
SELLERS = [
    {"selling_partner_id": "A1PATSTORE", "store_name": "Pat's", "marketplaces": ["US", "CA", "UK"],
     "users": [{"name": "Pat", "primary": True}, {"name": "Sam", "primary": False}]},
    {"selling_partner_id": "A2LEESTORE", "marketplaces": ["JP", "US"],
     "users": [{"name": "Lee", "primary": True}]},
]
REGISTRY = parse_registry({"apps": list(APPS.values()), "sellers": SELLERS})
ID = {k: v["app_id"] for k, v in APPS.items()}
CLIENT = {k: (v["client_id"], v["client_secret"]) for k, v in APPS.items()}
SC_US = "sellercentral.amazon.com"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def sim():
    s = Simulator(REGISTRY, clock=Clock())
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(follow_redirects=False, timeout=5) as client:
        yield client


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


async def consent(http, sim, app="draft", host=SC_US, **params):
    params.setdefault("application_id", ID.get(app, app))
    return await http.get(f"{sim.portal_base(host)}/apps/authorize/consent", params=params)


def assert_error(resp, code: str, app_id: str | None = None):
    assert resp.status_code == 400, resp.text
    assert resp.headers["X-Sim-Error-Code"] == code
    page = resp.text
    if code == "SPDC8143":  # Amazon shows it uncoded: "Invalid Access" (docs#2191, models#4642)
        assert "<h1>Invalid Access</h1>" in page and "Error Code" not in page
        assert "You do not have permissions to view this page." in page
    else:
        assert "We are sorry but we encountered an error while processing your request." in page
        assert f'Error Code: <span id="error-code">{code}</span>' in page
        if app_id is not None:
            assert f'App ID: <span id="app-id">{app_id}</span>' in page
    assert resp.headers["x-amzn-RequestId"] in page
    assert "simulator" in page.lower()


async def login_leg(http, sim, app="draft", host=SC_US, user="Pat", **params):
    if APPS.get(app, {}).get("app_state", "published") != "published":
        params.setdefault("version", "beta")
    resp = await consent(http, sim, app, host, sim_user=user, state="s1", **params)
    assert resp.status_code == 302, resp.text
    return resp.headers["location"]


async def redirect_leg(http, sim, app="draft", host=SC_US, user="Pat", **confirm):
    login = query(await login_leg(http, sim, app, host, user))
    confirm.setdefault("state", "our-state")
    confirm.setdefault("amazon_state", login["amazon_state"])
    if login.get("version"):
        confirm.setdefault("version", "beta")
    return await http.get(login["amazon_callback_uri"], params=confirm)


async def code_for(http, sim, app="draft", host=SC_US, user="Pat") -> str:
    resp = await redirect_leg(http, sim, app, host, user)
    assert resp.status_code == 302, resp.text
    return query(resp.headers["location"])["spapi_oauth_code"]


async def token(http, sim, data=None, **kw):
    return await http.post(sim.lwa_url, data=data, **kw)


def code_body(code: str, app="draft") -> dict:
    cid, secret = CLIENT[app]
    return {"grant_type": "authorization_code", "code": code, "client_id": cid,
            "client_secret": secret}


async def tokens_for(http, sim, app="draft", host=SC_US, user="Pat") -> dict:
    resp = await token(http, sim, code_body(await code_for(http, sim, app, host, user), app))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def participations(http, sim, access: str | None, region="NA"):
    headers = {"x-amz-access-token": access} if access is not None else {}
    return await http.get(f"{sim.spapi_url}/{region}/sellers/v1/marketplaceParticipations",
                          headers=headers)


# -- both legs, happy paths ------------------------------------------------------------
async def test_draft_flow_both_legs_then_exchange_and_verify(sim, http):
    login_url = await login_leg(http, sim, "draft")
    assert login_url.startswith("http://127.0.0.1:9/login?from=sim&")
    login = query(login_url)
    assert login["amazon_callback_uri"] == (
        f"{sim.portal_url}/{SC_US}/apps/authorize/confirm/{ID['draft']}")
    assert login["selling_partner_id"] == "A1PATSTORE" and login["version"] == "beta"
    assert login["amazon_state"] and "state" not in login and "spapi_oauth_code" not in login
    resp = await http.get(login["amazon_callback_uri"], params={
        "amazon_state": login["amazon_state"], "state": "our-state", "version": "beta"})
    assert resp.status_code == 302
    redirect = resp.headers["location"]
    assert redirect.startswith(CB + "?")
    got = query(redirect)
    assert got["state"] == "our-state" and got["selling_partner_id"] == "A1PATSTORE"
    assert "mws_auth_token" not in got
    body = (await token(http, sim, code_body(got["spapi_oauth_code"]))).json()
    assert body["access_token"].startswith("Atza|") and body["refresh_token"].startswith("Atzr|")
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
    grant = sim.grant_for(body["refresh_token"])
    assert (grant.selling_partner_id, grant.region, grant.client_id) == (
        "A1PATSTORE", "NA", CLIENT["draft"][0])
    verify = await participations(http, sim, body["access_token"])
    assert verify.status_code == 200 and verify.headers["x-amzn-RequestId"]
    ids = [p["marketplace"]["id"] for p in verify.json()["payload"]]
    assert ids == ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]  # the seller's NA marketplaces only
    assert verify.json()["payload"][0]["storeName"] == "Pat's"


async def test_published_flow_has_no_version_beta(sim, http):
    login = query(await login_leg(http, sim, "published"))
    assert "version" not in login
    assert (await tokens_for(http, sim, "published"))["refresh_token"].startswith("Atzr|")


async def test_published_app_with_version_beta_runs_a_beta_flow(sim, http):
    login = query(await login_leg(http, sim, "published", version="beta"))
    assert login["version"] == "beta"


async def test_vendor_flow_on_vendor_central(sim, http):
    body = await tokens_for(http, sim, "vendor", host="vendorcentral.amazon.de", user="Pat")
    grant = sim.grant_for(body["refresh_token"])
    assert (grant.kind, grant.region) == ("vendor", "EU")
    verify = await participations(http, sim, body["access_token"], "EU")
    assert [p["marketplace"]["countryCode"] for p in verify.json()["payload"]] == ["GB"]


async def test_hybrid_flow_carries_mws_auth_token(sim, http):
    resp = await redirect_leg(http, sim, "hybrid")
    token_value = query(resp.headers["location"])["mws_auth_token"]
    assert re.fullmatch(r"amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        token_value)


async def test_chosen_redirect_uri_is_used(sim, http):
    resp = await redirect_leg(http, sim, redirect_uri=CB2)
    assert resp.headers["location"].startswith(CB2 + "?")


async def test_consent_page_offers_the_regions_users(sim, http):
    resp = await consent(http, sim, "draft", "sellercentral.amazon.co.jp", version="beta")
    assert resp.status_code == 400  # draft app does not support JP: MD5100
    resp = await consent(http, sim, "draft", version="beta", state="abc")
    assert resp.status_code == 200
    page = resp.text
    for name in ("Pat (primary)", "Sam (secondary)", "Lee (primary)"):
        assert name in page
    assert 'name="state" value="abc"' in page and 'name="version" value="beta"' in page
    assert "draft version" in page and 'name="sim_user"' in page
    eu = await consent(http, sim, "draft", "sellercentral.amazon.co.uk", version="beta")
    assert "Pat (primary)" in eu.text and "Lee" not in eu.text


async def test_auto_approve_signs_in_as_the_first_primary_user(http):
    s = Simulator(REGISTRY, auto_approve=True)
    await s.start()
    try:
        resp = await consent(http, s, "draft", version="beta")
        assert resp.status_code == 302
        assert query(resp.headers["location"])["selling_partner_id"] == "A1PATSTORE"
    finally:
        await s.stop()


async def test_demo_registry_end_to_end(http):
    s = Simulator(demo_registry("http://127.0.0.1:9/login", CB))
    await s.start()
    try:
        app = s.registry.apps[0]
        base = f"{s.portal_base(SC_US)}/apps/authorize/consent"
        resp = await http.get(base, params={"application_id": app.app_id, "version": "beta",
                                            "sim_user": "Sam"})
        assert_error(resp, "SPDC8143", app.app_id)
        resp = await http.get(base, params={"application_id": app.app_id, "version": "beta",
                                            "sim_user": "Pat"})
        assert resp.status_code == 302
    finally:
        await s.stop()


# -- consent errors --------------------------------------------------------------------
@pytest.mark.parametrize(("app", "params", "code"), [
    ("draft", {"application_id": ""}, "MD1000"),
    ("draft", {"application_id": APPS["draft"]["client_id"]}, "MD1000"),
    ("draft", {"application_id": "amzn1.sp.solution.99999999-0000-4000-8000-000000000000"},
     "MD1000"),
    ("draft", {}, "MD1000"),
    ("submitted", {}, "MD9000"),
    ("draft", {"version": "beta", "redirect_uri": "http://127.0.0.1:9/other"}, "MD5101"),
    ("draft", {"version": "beta", "redirect_uri": CB + "/"}, "MD5101"),
    ("draft", {"version": "beta", "redirect_uri": CB + "#frag"}, "MD5110"),
    ("fragment", {"version": "beta"}, "MD5110"),
    ("no_uris", {"version": "beta"}, "MD9100"),
    ("draft", {"version": "beta", "sim_user": "Sam"}, "SPDC8143"),
])
async def test_consent_error_pages(sim, http, app, params, code):
    resp = await consent(http, sim, app, **params)
    assert_error(resp, code)


async def test_md1000_explains_client_id_and_submitted_uncertainty(sim, http):
    resp = await consent(http, sim, application_id=APPS["draft"]["client_id"])
    assert "LWA client ID" in resp.text
    resp = await consent(http, sim, "submitted")
    assert "MD9000" in resp.text and "Uncertain" in resp.text and "MD1000" in resp.text


async def test_hybrid_without_region_dev_id_is_md9010(sim, http):
    assert_error(await consent(http, sim, "hybrid", "sellercentral.amazon.de"), "MD9010",
                 ID["hybrid"])


@pytest.mark.parametrize(("app", "host", "code"), [
    ("draft", "sellercentral.amazon.co.jp", "MD5100"),
    ("draft", "sellercentral.amazon.com.mx", "MD5100"),
    ("us_only", "sellercentral-europe.amazon.com", "MD5100"),
    ("draft", "sellercentral-europe.amazon.com", None),  # shared host: region-level check
    ("draft", "vendorcentral.amazon.com", "SIM-WRONG-PORTAL"),
    ("vendor", SC_US, "SIM-WRONG-PORTAL"),
])
async def test_portal_host_rules(sim, http, app, host, code):
    params = {} if app in ("vendor",) else {"version": "beta"}
    resp = await consent(http, sim, app, host, **params)
    if code is None:
        assert resp.status_code == 200
    else:
        assert_error(resp, code)


async def test_unknown_portal_host_and_missing_host_segment(sim, http):
    resp = await consent(http, sim, "draft", "evil.example.com", version="beta")
    assert resp.status_code == 404 and "evil.example.com" in resp.text
    resp = await http.get(f"{sim.portal_url}/apps/authorize/consent")
    assert resp.status_code == 404
    assert "/sellercentral.amazon.com/apps/authorize/consent" in resp.text


async def test_unknown_user_is_a_simulator_notice(sim, http):
    resp = await consent(http, sim, "draft", version="beta", sim_user="Nobody")
    assert resp.status_code == 400 and "Nobody" in resp.text
    resp = await consent(http, sim, "draft", "sellercentral.amazon.co.uk", version="beta",
                         sim_user="Lee")  # Lee's seller does not sell in EU
    assert resp.status_code == 400 and "EU" in resp.text


# -- confirm (Login leg back to Amazon) -------------------------------------------------
async def test_amazon_state_is_required_known_and_single_use(sim, http):
    login = query(await login_leg(http, sim))
    callback = login["amazon_callback_uri"]
    for bad in ({}, {"amazon_state": "forged"}):
        assert_error(await http.get(callback, params={"state": "s", "version": "beta", **bad}),
                     "SIM-AMAZON-STATE")
    good = {"amazon_state": login["amazon_state"], "state": "s", "version": "beta"}
    other_app = callback.replace(ID["draft"], ID["published"])
    assert_error(await http.get(other_app, params=good), "SIM-AMAZON-STATE")
    assert (await http.get(callback, params=good)).status_code == 302
    assert_error(await http.get(callback, params=good), "SIM-AMAZON-STATE")  # reused


async def test_confirm_requires_state(sim, http):
    assert_error(await redirect_leg(http, sim, state=""), "SIM-STATE-MISSING")


async def test_confirm_version_beta_must_be_passed_on_exactly(sim, http):
    login = query(await login_leg(http, sim, "draft"))
    resp = await http.get(login["amazon_callback_uri"],
                          params={"amazon_state": login["amazon_state"], "state": "s"})
    assert_error(resp, "MD1000")
    assert "lacks version=beta" in resp.text
    resp = await redirect_leg(http, sim, "published", version="beta")
    assert_error(resp, "MD1000")
    assert "adds version=beta" in resp.text


@pytest.mark.parametrize(("redirect", "code"), [
    ("http://127.0.0.1:9/unregistered", "MD5101"), (CB + "#x", "MD5110")])
async def test_confirm_checks_redirect_uri(sim, http, redirect, code):
    assert_error(await redirect_leg(http, sim, redirect_uri=redirect), code)


# -- LWA --------------------------------------------------------------------------------
def assert_lwa(resp, status: int, error: str, description: str | None = None):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    if description is not None:
        assert body["error_description"] == description


async def test_code_is_single_use(sim, http):
    code = await code_for(http, sim)
    assert (await token(http, sim, code_body(code))).status_code == 200
    assert_lwa(await token(http, sim, code_body(code)), 400, "invalid_grant",
               "The request has an invalid grant parameter : code")


async def test_code_expires_after_five_minutes(sim, http):
    fresh, stale = await code_for(http, sim), await code_for(http, sim)
    sim.advance(299)
    assert (await token(http, sim, code_body(fresh))).status_code == 200
    sim.advance(2)  # 301 s after issue
    assert_lwa(await token(http, sim, code_body(stale)), 400, "invalid_grant")


async def test_code_is_bound_to_its_client(sim, http):
    code = await code_for(http, sim, "draft")
    assert_lwa(await token(http, sim, code_body(code, "published")), 400, "invalid_grant")
    assert (await token(http, sim, code_body(code, "draft"))).status_code == 200


async def test_json_body_is_accepted(sim, http):
    code = await code_for(http, sim)
    resp = await token(http, sim, content=json.dumps(code_body(code)),
                       headers={"Content-Type": "application/json; charset=utf-8"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("content", "ctype"), [
    ('{"grant_type": "refresh_token"}', "application/x-www-form-urlencoded;charset=UTF-8"),
    ("grant_type=refresh_token&refresh_token=x", "application/json"),
    ('["grant_type"]', "application/json"),
    ("grant_type=refresh_token", "text/plain"),
    (b"\xff\xfe", "application/x-www-form-urlencoded"),
])
async def test_body_not_matching_content_type(sim, http, content, ctype):
    resp = await token(http, sim, content=content, headers={"Content-Type": ctype})
    assert_lwa(resp, 400, "unsupported_grant_type",
               "The authorization grant type is not supported by the authorization server")


async def test_parameters_in_query_string_give_500(sim, http):
    resp = await http.post(sim.lwa_url, params={"grant_type": "refresh_token"})
    assert_lwa(resp, 500, "server_error")
    assert "docs#869" in resp.json()["error_description"]


async def test_unknown_grant_type(sim, http):
    cid, secret = CLIENT["draft"]
    resp = await token(http, sim, {"grant_type": "authentication_code", "client_id": cid,
                                   "client_secret": secret, "code": "x"})
    assert_lwa(resp, 400, "unsupported_grant_type")


@pytest.mark.parametrize(("drop", "grant_type"), [
    ("grant_type", "authorization_code"), ("code", "authorization_code"),
    ("client_id", "authorization_code"), ("client_secret", "refresh_token"),
    ("refresh_token", "refresh_token"), ("scope", "client_credentials"),
])
async def test_missing_parameters(sim, http, drop, grant_type):
    cid, secret = CLIENT["draft"]
    data = {"grant_type": grant_type, "client_id": cid, "client_secret": secret, "code": "c",
            "refresh_token": "Atzr|x", "scope": "sellingpartnerapi::notifications"}
    data.pop(drop)
    assert_lwa(await token(http, sim, data), 400, "invalid_request",
               f"The request is missing a required parameter : {drop}")


@pytest.mark.parametrize("which", ["secret", "client"])
async def test_bad_client_credentials(sim, http, which):
    code = await code_for(http, sim)
    body = code_body(code)
    body["client_secret" if which == "secret" else "client_id"] += "0"
    assert_lwa(await token(http, sim, body), 401, "invalid_client", "Client authentication failed")
    assert (await token(http, sim, code_body(code))).status_code == 200  # not consumed


async def test_get_on_token_endpoint_is_refused(sim, http):
    assert (await http.get(sim.lwa_url)).status_code == 405


async def test_refresh_grant_and_revocation(sim, http):
    refresh = (await tokens_for(http, sim))["refresh_token"]
    cid, secret = CLIENT["draft"]
    data = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": cid,
            "client_secret": secret}
    resp = await token(http, sim, data)
    body = resp.json()
    assert resp.status_code == 200 and set(body) == {"access_token", "token_type", "expires_in"}
    assert body["access_token"].startswith("Atza|") and body["expires_in"] == 3600
    other = {**data, "client_id": CLIENT["published"][0], "client_secret": CLIENT["published"][1]}
    revoked_msg = ("The request has an invalid grant parameter : refresh_token. User may have "
                   "revoked or didn't grant the permission.")
    assert_lwa(await token(http, sim, other), 400, "invalid_grant", revoked_msg)
    assert_lwa(await token(http, sim, {**data, "refresh_token": "Atzr|nope"}), 400,
               "invalid_grant", revoked_msg)
    assert sim.revoke_refresh_token(refresh) and not sim.revoke_refresh_token("Atzr|nope")
    assert_lwa(await token(http, sim, data), 400, "invalid_grant", revoked_msg)
    denied = (await participations(http, sim, body["access_token"])).json()["errors"][0]
    assert denied["details"] == "The access token you provided is revoked, malformed or invalid."


@pytest.mark.parametrize("scope", ["sellingpartnerapi::notifications",
                                   "sellingpartnerapi::client_credential:rotation"])
async def test_client_credentials_with_documented_scopes(sim, http, scope):
    cid, secret = CLIENT["draft"]
    resp = await token(http, sim, {"grant_type": "client_credentials", "scope": scope,
                                   "client_id": cid, "client_secret": secret})
    assert resp.status_code == 200 and "refresh_token" not in resp.json()
    grantless = resp.json()["access_token"]
    denied = await participations(http, sim, grantless)
    assert denied.status_code == 403 and denied.json()["errors"][0]["details"] == ""


@pytest.mark.parametrize("scope", ["sellingpartnerapi::migration", "sellingpartnerapi::orders"])
async def test_client_credentials_removed_or_unknown_scope(sim, http, scope):
    cid, secret = CLIENT["draft"]
    resp = await token(http, sim, {"grant_type": "client_credentials", "scope": scope,
                                   "client_id": cid, "client_secret": secret})
    assert_lwa(resp, 400, "invalid_scope")


# -- SP-API -----------------------------------------------------------------------------
def assert_denied(resp, details: str):
    assert resp.status_code == 403 and resp.headers["x-amzn-RequestId"]
    assert resp.json() == {"errors": [{"code": "Unauthorized",
                                       "message": "Access to requested resource is denied.",
                                       "details": details}]}


async def test_spapi_403_variants(sim, http):
    assert_denied(await participations(http, sim, None),
                  "Access token is missing in the request header.")
    assert_denied(await participations(http, sim, "Atza|garbage"),
                  "The access token you provided is revoked, malformed or invalid.")
    access = (await tokens_for(http, sim))["access_token"]
    assert_denied(await participations(http, sim, access, "EU"), "")  # another region's grant
    assert (await participations(http, sim, access, "na")).status_code == 200
    sim.advance(3600)
    assert_denied(await participations(http, sim, access),
                  "The access token you provided has expired.")


async def test_spapi_unknown_region_and_path(sim, http):
    assert (await participations(http, sim, "x", "XX")).status_code == 404
    resp = await http.get(f"{sim.spapi_url}/NA/authorization/v1/authorizationCode")
    assert resp.status_code == 403
    assert resp.json()["errors"][0]["code"] == "MissingAuthenticationToken"


async def test_spapi_throttles_beyond_burst_and_refills(sim, http):
    access = (await tokens_for(http, sim))["access_token"]
    for _ in range(15):
        assert (await participations(http, sim, access)).status_code == 200
    resp = await participations(http, sim, access)
    assert resp.status_code == 429
    assert resp.json()["errors"][0]["code"] == "QuotaExceeded"
    sim.advance(60)  # 0.96 of a token at 0.016/s: still throttled
    assert (await participations(http, sim, access)).status_code == 429
    sim.advance(3)  # now above one token
    assert (await participations(http, sim, access)).status_code == 200


# -- self-authorization, ready info, lifecycle -----------------------------------------
async def test_ready_info_and_self_auth_tokens_work(sim, http):
    info = sim.ready_info()
    assert info["portal_url"] == sim.portal_url
    assert info["lwa_url"] == sim.portal_url + "/auth/o2/token"
    assert info["spapi_url"] == sim.portal_url + "/spapi"
    first = info["apps"][0]
    assert first["client_secret"] == APPS["draft"]["client_secret"]
    assert first["self_auth_selling_partner_id"] == "A1PATSTORE"
    assert first["self_auth_region"] == "NA"
    json.dumps(info)  # the --json line must serialise
    cid, secret = CLIENT["draft"]
    resp = await token(http, sim, {"grant_type": "refresh_token", "client_id": cid,
                                   "client_secret": secret,
                                   "refresh_token": first["self_auth_refresh_token"]})
    assert resp.status_code == 200
    again = sim.self_authorize(ID["draft"], "A1PATSTORE", "NA")
    assert again != first["self_auth_refresh_token"] and sim.grant_for(again).self_auth


async def test_start_refuses_other_hosts_and_busy_ports():
    s = Simulator(REGISTRY)
    with pytest.raises(SimulatorError, match="not running"):
        _ = s.portal_url
    with pytest.raises(SimulatorError, match="127.0.0.1 only"):
        await s.start("0.0.0.0")  # noqa: S104 - the refusal is under test
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(SimulatorError, match="choose another --port"):
            await s.start(port=busy.getsockname()[1])


async def test_https_when_given_a_tls_context():
    s = Simulator(REGISTRY)
    base = await s.start(ssl_context=ssl.create_default_context(ssl.Purpose.CLIENT_AUTH))
    try:
        assert base.startswith("https://127.0.0.1:") and s.lwa_url.startswith("https://")
    finally:
        await s.stop()


async def test_injected_token_factory_makes_codes_deterministic(http):
    counter = itertools.count()
    s = Simulator(REGISTRY, clock=Clock(), token_factory=lambda kind: f"{kind}-{next(counter)}")
    await s.start()
    try:
        code = await code_for(http, s)
        assert re.fullmatch(r"code-\d+", code)
        body = (await token(http, s, code_body(code))).json()
        assert re.fullmatch(r"Atzr\|refresh_token-\d+", body["refresh_token"])
    finally:
        await s.stop()


# -- robustness ------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "/sellercentral.amazon.com/apps/authorize/consent?application_id=%FF%FE&version=beta",
    "/sellercentral.amazon.com/apps/authorize/consent?application_id=<script>alert(1)</script>",
    "/sellercentral.amazon.com/apps/authorize/consent?%%%&&&==",
    "/sellercentral.amazon.com/apps/authorize/confirm/%00?amazon_state=%FF",
    "/SELLERCENTRAL.AMAZON.COM/apps/authorize/consent?application_id=x",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/spapi/NA/sellers/v1/marketplaceParticipations?x=%FF",
])
async def test_malformed_requests_get_clean_4xx(sim, http, raw):
    resp = await http.get(sim.portal_url + raw, headers={"x-amz-access-token": b"\xff"})
    assert 400 <= resp.status_code < 500, resp.text
    assert "Traceback" not in resp.text and "<script>" not in resp.text


async def test_large_and_odd_token_requests_never_500(sim, http):
    for content, ctype in [("a=" + "x" * 500_000, "application/x-www-form-urlencoded"),
                           ("null", "application/json"),
                           ('{"grant_type": 5}', "application/json"),
                           ("", "")]:
        resp = await token(http, sim, content=content, headers={"Content-Type": ctype})
        assert 400 <= resp.status_code < 500


async def test_nothing_secret_is_logged(sim, http, caplog):
    caplog.set_level(logging.DEBUG)
    body = await tokens_for(http, sim)
    await participations(http, sim, body["access_token"])
    for secret in (CLIENT["draft"][1], body["refresh_token"], body["access_token"]):
        assert secret not in caplog.text
