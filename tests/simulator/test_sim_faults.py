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
