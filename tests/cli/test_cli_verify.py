"""``verify`` against the in-process simulator: success shows marketplaces and store names and
records the result; revoked tokens, a wrong client secret, a token recorded for the wrong region
and a 429 burst each fail with exit 1, the doctor's cause and fix and the command to run next;
``--json``, ``--sandbox`` and the selectors."""

from __future__ import annotations

import json
from dataclasses import replace

from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    SELLER,
    STORE_NAME,
    add_profile,
    cfg_fixture,
    exhaust_quota,
    flat,
    no_pause_fixture,
    record,
    self_auth,
    self_token,
    sim_fixture,
    token_of,
)

from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.store import ProfileStore


async def _ready(monkeypatch, sim, name: str = "shop") -> str:
    add_profile(monkeypatch, name)
    token = self_token(sim, name)
    code, _, err = await self_auth(monkeypatch, token, "--region", "NA", name=name)
    assert code == 0, err
    return token


async def test_revoked_token_fails_with_cause_fix_and_next_command(monkeypatch, sim, cfg):
    token = await _ready(monkeypatch, sim)
    sim.revoke_refresh_token(token)
    code, out, err = await arun(monkeypatch, "verify", "shop")
    assert code == 1
    text = flat(err)
    assert "did not verify" in text and "(cause: refresh_token_revoked_or_expired)" in text
    assert "Refresh token revoked, expired or from another app" in text
    assert "next: oauth-wizard self-auth shop --region NA" in text
    last = record(cfg).authorizations[0].last_verify
    assert not last.ok and last.detail.startswith("refresh_token_revoked_or_expired")
    code, out, _ = await arun(monkeypatch, "status", "shop")
    assert code == 1 and "oauth-wizard self-auth shop --region NA" in out


async def test_a_rotated_client_secret_points_at_re_entering_it(monkeypatch, sim, cfg,
                                                                isolated_keyring):
    await _ready(monkeypatch, sim)
    isolated_keyring.data[("oauth-wizard", client_secret_key("shop"))] = \
        "amzn1.oa2-cs.v1." + "0" * 64
    code, _, err = await arun(monkeypatch, "verify", "shop")
    assert code == 1
    text = flat(err)
    assert "(cause: client_secret_invalid_or_expired)" in text
    assert "next: oauth-wizard profile add shop --app-id" in text and "--force" in text


async def test_a_token_recorded_for_the_wrong_region_names_the_right_one(monkeypatch, sim, cfg,
                                                                         isolated_keyring):
    token = await _ready(monkeypatch, sim)
    store = ProfileStore(cfg)
    (auth,) = store.get("shop").authorizations
    moved = replace(auth, region="EU", selling_partner_id="self-EU")
    store.update("shop", lambda r: r.without_authorization("NA", "self-NA")
                 .with_authorization(moved))
    isolated_keyring.data[("oauth-wizard", refresh_token_key("shop", "EU", "self-EU"))] = token
    code, _, err = await arun(monkeypatch, "verify", "shop")
    assert code == 1
    text = flat(err)
    assert "(cause: wrong_region_endpoint)" in text
    assert "NA accepted it" in text and "self-auth shop --region NA" in text


async def test_a_429_burst_is_retried_then_explained(monkeypatch, sim, cfg):
    token = await _ready(monkeypatch, sim)
    _, cid, secret, _ = APPS["shop"]
    await exhaust_quota(sim, token, cid, secret)
    code, out, err = await arun(monkeypatch, "verify", "shop", "--json")
    assert code == 1
    text = flat(err)
    assert "SP-API answered HTTP 429; trying again" in text
    assert "(cause: throttled)" in text and "3 attempts" in text
    doc = json.loads(out)
    (result,) = doc["results"]
    assert doc["ok"] is False and result["outcome"]["cause_id"] == "throttled"
    assert result["diagnosis"]["cause"] == "throttled" and result["diagnosis"]["fix"]
    assert result["next"] == "oauth-wizard verify shop --region NA" and result["recorded"]
    sim.advance(120)  # the bucket refills (one call per ~63 s)
    code, _, err = await arun(monkeypatch, "verify", "shop")
    assert code == 0, err


async def test_json_on_success_lists_marketplaces_and_stdout_holds_only_json(
        monkeypatch, sim, cfg):
    await _ready(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "verify", "shop", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["profile"] == "shop" and doc["ok"] and doc["sandbox"] is False
    (result,) = doc["results"]
    assert result["region"] == "NA" and result["selling_partner_id"] == "self-NA"
    outcome = result["outcome"]
    assert [m["code"] for m in outcome["marketplaces"]] == ["US", "CA"]
    assert outcome["store_names"] == [STORE_NAME] and result["diagnosis"] is None


async def test_sandbox_results_are_not_recorded(monkeypatch, sim, cfg):
    await _ready(monkeypatch, sim)
    before = record(cfg).authorizations[0].last_verify
    code, out, err = await arun(monkeypatch, "verify", "shop", "--sandbox")
    assert code == 0, err
    assert "(sandbox)" in out
    assert record(cfg).authorizations[0].last_verify == before


async def test_selectors_and_missing_pieces(monkeypatch, sim, cfg, isolated_keyring):
    await _ready(monkeypatch, sim)
    code, _, err = await arun(monkeypatch, "verify", "shop", "--region", "FE")
    assert code == 2 and "--region NA --selling-partner self-NA" in flat(err)
    del isolated_keyring.data[("oauth-wizard", refresh_token_key("shop", "NA", "self-NA"))]
    code, _, err = await arun(monkeypatch, "verify", "shop", "--selling-partner", "self-na")
    assert code == 1
    assert "is not in the system keyring" in flat(err) and "self-auth shop --region NA" in err
    add_profile(monkeypatch, "bare", app="shop")
    code, _, err = await arun(monkeypatch, "verify", "bare")
    assert code == 1 and "no authorization yet" in flat(err)
    assert token_of(isolated_keyring, "NA", SELLER) is None
