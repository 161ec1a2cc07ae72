"""``diagnose --profile NAME --probe`` against the in-process simulator and its faults: each
probe's measurement becomes a fact that moves the right cause to the top (a refresh token the
seller revoked, a token recorded for the wrong region, a marketplace the seller does not sell in,
a seller's token used for a grantless operation, a Suppressed app); the calls are named, nothing
is written at Amazon or in the profile, and no token or secret is printed."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    SELLER,
    add_profile,
    cfg_fixture,
    client_secret,
    flat,
    no_pause_fixture,
    record,
    self_auth,
    self_token,
    sim_fixture,
)

from oauth_wizard.core.records import refresh_token_key
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator

UNAUTHORIZED = ('{"errors": [{"code": "Unauthorized", "message": "Access to requested resource '
                'is denied.", "details": ""}]}')


async def _ready(monkeypatch, sim) -> str:
    add_profile(monkeypatch, "shop")
    token = self_token(sim, "shop")
    code, _, err = await self_auth(monkeypatch, token, "--region", "NA", name="shop")
    assert code == 0, err
    return token


async def _probe(monkeypatch, *argv: str, text: str = UNAUTHORIZED) -> tuple[int, dict, str]:
    code, out, err = await arun(monkeypatch, "diagnose", text, "--profile", "shop", "--probe",
                                "--json", *argv)
    return code, json.loads(out) if out.strip() else {}, err


def _no_secrets(*outputs: str, token: str) -> None:
    for text in outputs:
        assert token not in text and client_secret("shop") not in text
        assert "Atza|" not in text and "Atzr|" not in text


async def test_a_healthy_profile_measures_every_probe_and_rules_out_the_token(monkeypatch, sim,
                                                                            cfg):
    token = await _ready(monkeypatch, sim)
    before = record(cfg)
    code, found, err = await _probe(monkeypatch)
    assert code == 0, err
    probe = found["probe"]
    assert probe["facts"]["refresh_works"] == "true"
    assert probe["facts"]["token_region"] == "NA"
    assert probe["facts"]["grantless_token_works"] == "true"
    assert probe["facts"]["authorization_age_days"] == "0"
    calls = [c["call"] for c in probe["calls"]]
    assert calls == ["LWA refresh_token grant with the stored refresh token",
                     "getMarketplaceParticipations in NA",
                     "LWA client_credentials grant, scope sellingpartnerapi::notifications"]
    assert all(c["ok"] for c in probe["calls"])
    ids = [c["id"] for c in found["causes"]]
    assert "refresh_token_revoked_or_expired" not in ids[:5]
    assert "client_secret_invalid_or_expired" not in ids[:5]
    assert "Probed with the stored credentials of 'shop'" in flat(err)
    _no_secrets(json.dumps(found), err, token=token)
    # a diagnosis reads only: the last verify is not recorded
    assert record(cfg).authorizations == before.authorizations


async def test_a_revoked_refresh_token_is_measured_not_guessed(monkeypatch, sim, cfg):
    token = await _ready(monkeypatch, sim)
    sim.revoke_refresh_token(token)
    code, found, err = await _probe(monkeypatch, text="Token request failed")
    assert code == 0
    assert found["probe"]["facts"]["refresh_works"] == "false"
    assert found["probe"]["facts"]["refresh_error"] == "invalid_grant"
    top = found["causes"][0]
    # the text alone ties it with a wrong client secret; the measurement decides
    assert top["id"] == "refresh_token_revoked_or_expired" and top["score"] > 0.5
    assert [c["ok"] for c in found["probe"]["calls"]] == [False, True]  # grantless still works
    _no_secrets(json.dumps(found), err, token=token)


async def test_a_token_recorded_for_the_wrong_region_is_found_with_all_regions(
        monkeypatch, sim, cfg, isolated_keyring):
    token = await _ready(monkeypatch, sim)
    store = ProfileStore(cfg)
    (auth,) = store.get("shop").authorizations
    store.update("shop", lambda r: r.without_authorization("NA", "self-NA").with_authorization(
        replace(auth, region="EU", selling_partner_id="self-EU")))
    isolated_keyring.data[("oauth-wizard", refresh_token_key("shop", "EU", "self-EU"))] = token
    text = f"{UNAUTHORIZED} calling https://sellingpartnerapi-eu.amazon.com/orders/v0/orders"
    code, found, err = await _probe(monkeypatch, "--all-regions", text=text)
    assert code == 0, err
    assert found["probe"]["facts"]["token_region"] == "NA"
    assert found["causes"][0]["id"] == "wrong_region_endpoint"
    calls = [c["call"] for c in found["probe"]["calls"]]
    assert calls[1:4] == [f"getMarketplaceParticipations in {r}" for r in ("EU", "NA", "FE")]
    # without --all-regions only the recorded region is asked, and the user is told how to ask
    code, found, err = await _probe(monkeypatch, text=text)
    assert "token_region" not in found["probe"]["facts"]
    assert "--all-regions" in flat(err)


async def test_a_marketplace_the_seller_does_not_sell_in(monkeypatch, sim, cfg):
    await _ready(monkeypatch, sim)
    code, found, err = await _probe(monkeypatch, "--fact", "marketplace=MX")
    assert code == 0, err
    assert found["probe"]["facts"]["seller_in_marketplace"] == "false"
    assert found["causes"][0]["id"] == "seller_not_in_requested_marketplace"
    code, found, _ = await _probe(monkeypatch, "--fact", "marketplace=CA")
    assert found["probe"]["facts"]["seller_in_marketplace"] == "true"
    assert found["causes"][0]["id"] != "seller_not_in_requested_marketplace"


async def test_a_measurement_wins_over_a_stated_fact_and_says_so(monkeypatch, sim, cfg):
    await _ready(monkeypatch, sim)
    code, found, err = await _probe(monkeypatch, "--fact", "marketplace=MX",
                                    "--fact", "seller_in_marketplace=true")
    assert code == 0
    assert "you stated seller_in_marketplace=true, but the probe measured " \
           "seller_in_marketplace=false" in flat(err)
    assert found["causes"][0]["id"] == "seller_not_in_requested_marketplace"


async def test_a_sellers_token_on_a_grantless_operation(monkeypatch, sim, cfg):
    """The simulator refuses a seller's token on getDestinations as Amazon does (403
    Unauthorized); the probe shows a grantless token is to be had, so the doctor names it."""
    token = await _ready(monkeypatch, sim)
    _, cid, secret, _ = APPS["shop"]
    async with httpx.AsyncClient() as http:
        access = (await http.post(sim.lwa_url, data={
            "grant_type": "refresh_token", "refresh_token": token, "client_id": cid,
            "client_secret": secret})).json()["access_token"]
        answer = await http.get(f"{sim.spapi_url}/NA/notifications/v1/destinations",
                                headers={"x-amz-access-token": access})
    assert answer.status_code == 403
    code, found, err = await _probe(monkeypatch, "--fact", "operation=getDestinations",
                                    text=answer.text)
    assert code == 0, err
    assert found["probe"]["facts"]["grantless_token_works"] == "true"
    assert found["causes"][0]["id"] == "grantless_operation_needs_client_credentials_token"


async def test_a_suppressed_app_keeps_its_tokens_and_the_doctor_names_the_limit(
        monkeypatch, cfg, no_pause):
    app_id, cid, secret, markets = APPS["shop"]
    registry = parse_registry({"apps": [{
        "app_id": app_id, "client_id": cid, "client_secret": secret, "app_state": "published",
        "suppressed": True, "login_uri": "https://dev.example.test/login",
        "redirect_uris": ["https://dev.example.test/cb"], "marketplaces": list(markets)}],
        "sellers": [{"selling_partner_id": SELLER, "marketplaces": ["US"],
                     "users": [{"name": "Pat", "primary": True}]}]})
    sim = Simulator(registry)
    await sim.start()
    try:
        for name, url in (("PORTAL", sim.portal_url), ("LWA", sim.lwa_url),
                          ("SPAPI", sim.spapi_url)):
            monkeypatch.setenv(f"OAUTH_WIZARD_{name}_URL", url)
        await _ready(monkeypatch, sim)
        async with httpx.AsyncClient() as http:
            page = await http.get(f"{sim.portal_url}/sellercentral.amazon.com/apps/authorize/"
                                  f"consent?application_id={app_id}")
        assert page.headers["X-Sim-Error-Code"] == "CONSENT_LIMIT_REACHED"
        assert "reached the OAuthorization usage limit" in page.text
        code, found, err = await _probe(monkeypatch, text=page.text)
        assert code == 0, err
        assert found["probe"]["facts"]["refresh_works"] == "true"
        assert found["causes"][0]["id"] == "authorization_limit_reached"
    finally:
        await sim.stop()


async def test_probe_needs_a_profile(monkeypatch, cfg):
    code, out, err = await arun(monkeypatch, "diagnose", "MD1000", "--probe")
    assert code == 2 and not out
    assert "--probe" in err and "--profile NAME" in err
