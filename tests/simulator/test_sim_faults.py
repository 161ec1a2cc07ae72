"""The simulator's faults that the doctor's probes are tested against, over loopback HTTP: a
seller's token on a grantless operation (getDestinations), a grantless token without the
operation's scope, and a Suppressed app's consent page (while its old tokens keep working)."""

from __future__ import annotations

import httpx
import pytest

from oauth_wizard.simulator.registry import RegistryError, parse_registry
from oauth_wizard.simulator.server import Simulator

APP = {"app_id": "amzn1.sp.solution.00000000-0000-4000-8000-000000000001",
       "client_id": "amzn1.application-oa2-client." + "1" * 32,
       "client_secret": "amzn1.oa2-cs.v1." + "1" * 64, "app_state": "published",
       "login_uri": "http://127.0.0.1:9/login", "redirect_uris": ["http://127.0.0.1:9/cb"],
       "marketplaces": ["US"]}
SELLER = {"selling_partner_id": "A1PATSTORE", "marketplaces": ["US"],
          "users": [{"name": "Pat", "primary": True}]}
CONSENT = "/sellercentral.amazon.com/apps/authorize/consent?application_id=" + APP["app_id"]


@pytest.fixture
async def sim(request):
    app = {**APP, **getattr(request, "param", {})}
    s = Simulator(parse_registry({"apps": [app], "sellers": [SELLER]}))
    await s.start()
    yield s
    await s.stop()


async def _access(http: httpx.AsyncClient, sim: Simulator, **grant: str) -> str:
    answer = await http.post(sim.lwa_url, data={**grant, "client_id": APP["client_id"],
                                                "client_secret": APP["client_secret"]})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


async def _destinations(http: httpx.AsyncClient, sim: Simulator, access: str,
                        region: str = "NA") -> httpx.Response:
    return await http.get(f"{sim.spapi_url}/{region}/notifications/v1/destinations",
                          headers={"x-amz-access-token": access})


async def test_a_sellers_token_is_refused_on_a_grantless_operation(sim):
    refresh = sim.self_authorize(APP["app_id"], "A1PATSTORE", "NA")
    async with httpx.AsyncClient() as http:
        seller = await _access(http, sim, grant_type="refresh_token", refresh_token=refresh)
        refused = await _destinations(http, sim, seller)
        assert refused.status_code == 403
        assert refused.json()["errors"][0] == {
            "code": "Unauthorized", "message": "Access to requested resource is denied.",
            "details": ""}
        grantless = await _access(http, sim, grant_type="client_credentials",
                                  scope="sellingpartnerapi::notifications")
        answered = await _destinations(http, sim, grantless)
        assert answered.status_code == 200 and answered.json() == {"payload": []}


async def test_a_grantless_token_needs_the_operations_own_scope(sim):
    async with httpx.AsyncClient() as http:
        rotation = await _access(http, sim, grant_type="client_credentials",
                                 scope="sellingpartnerapi::client_credential:rotation")
        assert (await _destinations(http, sim, rotation)).status_code == 403
        missing = await _destinations(http, sim, "")
        assert missing.status_code == 403
        assert "missing" in missing.json()["errors"][0]["details"]
        assert (await _destinations(http, sim, "Atza|forged")).status_code == 403


@pytest.mark.parametrize("sim", [{"suppressed": True}], indirect=True)
async def test_a_suppressed_app_shows_the_limit_page_and_keeps_its_tokens(sim):
    refresh = sim.self_authorize(APP["app_id"], "A1PATSTORE", "NA")
    async with httpx.AsyncClient() as http:
        page = await http.get(sim.portal_url + CONSENT)
        assert page.status_code == 400
        assert page.headers["X-Sim-Error-Code"] == "CONSENT_LIMIT_REACHED"
        assert "This application has reached the OAuthorization usage limit." in page.text
        assert "Uncertain" in page.text  # the code for this case is not reported
        seller = await _access(http, sim, grant_type="refresh_token", refresh_token=refresh)
        listed = await http.get(f"{sim.spapi_url}/NA/sellers/v1/marketplaceParticipations",
                                headers={"x-amz-access-token": seller})
        assert listed.status_code == 200


async def test_an_app_that_is_not_suppressed_reaches_the_consent_page(sim):
    async with httpx.AsyncClient() as http:
        page = await http.get(sim.portal_url + CONSENT)
    assert page.status_code == 200 and "X-Sim-Error-Code" not in page.headers


def test_suppressed_must_be_a_boolean():
    with pytest.raises(RegistryError) as caught:
        parse_registry({"apps": [{**APP, "suppressed": "yes"}], "sellers": [SELLER]})
    assert any(p.startswith("apps[0].suppressed") for p in caught.value.problems)


@pytest.mark.parametrize(("change", "field"), [
    ({"edit": {"state": "pending_approval"}}, "apps[0].edit"),  # the app is not Published
    ({"app_state": "published", "edit": {"state": "review"}}, "apps[0].edit.state"),
    ({"client_secret_expires_at": "2026-06-01"}, "apps[0].client_secret_expires_at"),
    ({"listed": "no"}, "apps[0].listed"),
    ({"oauth_enabled": 1}, "apps[0].oauth_enabled"),
])
def test_new_registry_fields_are_checked_by_name(change, field):
    app = {**APP, "app_state": "draft", **change}
    with pytest.raises(RegistryError) as caught:
        parse_registry({"apps": [app], "sellers": [SELLER]})
    assert any(p.startswith(field + ":") for p in caught.value.problems), caught.value.problems


def test_a_users_permission_must_be_a_boolean():
    seller = {**SELLER, "users": [{"name": "Sam", "manage_authorized_partners": "yes"}]}
    with pytest.raises(RegistryError) as caught:
        parse_registry({"apps": [APP], "sellers": [seller]})
    assert caught.value.problems[0].startswith("sellers[0].users[0].manage_authorized_partners")


def test_a_rotation_keeps_the_old_secret_at_most_until_its_own_expiry():
    from oauth_wizard.simulator.client_secrets import EXPIRED, OK, SecretBook

    book = SecretBook()
    book.add("cid", "old", expires_at=1000.0)
    assert book.check("cid", "old", 999.0) == OK and book.check("cid", "old", 1000.0) == EXPIRED
    rotation = book.rotate("cid", 500.0, lambda: "new")
    assert rotation.old_expires_at == 1000.0  # sooner than the 7 days' overlap
    assert rotation.new_expires_at == 500.0 + 180 * 86400
    assert book.check("cid", "new", 600.0) == OK and book.check("cid", "old", 999.0) == OK
    assert book.check("cid", "old", 1000.0) is None  # rotated out: invalid_client
    assert book.check("cid", "other", 600.0) is None and book.check("x", "new", 600.0) is None


# --- the Application Management API (issue 13 §3) --------------------------------------------

async def _rotate(http: httpx.AsyncClient, sim: Simulator, access: str) -> httpx.Response:
    return await http.post(f"{sim.spapi_url}/NA/applications/2023-11-30/clientSecret",
                           headers={"x-amz-access-token": access})


async def test_a_rotation_needs_the_rotation_scope_and_sends_the_new_secret(sim):
    refresh = sim.self_authorize(APP["app_id"], "A1PATSTORE", "NA")
    async with httpx.AsyncClient() as http:
        seller = await _access(http, sim, grant_type="refresh_token", refresh_token=refresh)
        assert (await _rotate(http, sim, seller)).status_code == 403  # pipedream#19400
        wrong = await _access(http, sim, grant_type="client_credentials",
                              scope="sellingpartnerapi::notifications")
        assert (await _rotate(http, sim, wrong)).status_code == 403
        assert not sim.outbox.sent
        right = await _access(http, sim, grant_type="client_credentials",
                              scope="sellingpartnerapi::client_credential:rotation")
        done = await _rotate(http, sim, right)
        assert done.status_code == 204 and done.content == b""  # no secret in the answer
        again = await _rotate(http, sim, right)
        assert again.status_code == 429  # one a minute
        (sent,) = sim.outbox.sent
        assert sent["notificationType"] == "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
        new = sent["payload"]["applicationOAuthClientNewSecret"]
        assert new["clientId"] == APP["client_id"]
        assert sent["notificationMetadata"]["applicationId"] == APP["app_id"]
        # the new secret works at once, and the old one for 7 more days
        for secret in (new["newClientSecret"], APP["client_secret"]):
            answer = await http.post(sim.lwa_url, data={
                "grant_type": "refresh_token", "refresh_token": refresh,
                "client_id": APP["client_id"], "client_secret": secret})
            assert answer.status_code == 200
        sim.advance(7 * 86400 + 1)
        answer = await http.post(sim.lwa_url, data={
            "grant_type": "refresh_token", "refresh_token": refresh,
            "client_id": APP["client_id"], "client_secret": APP["client_secret"]})
        assert answer.json()["error"] == "invalid_client"
        assert (await _rotate(http, sim, "")).status_code == 403
