"""``self-auth`` against the in-process simulator: the done-when flow (pipe the token in, then
verify), the shape checks, revoked tokens explained by the doctor, the region rules of merged
accounts, the placeholder selling partner id and its replacement, and a keyring that refuses."""

from __future__ import annotations

from cli_kit import MemoryKeyring, arun, install_keyring
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    SELLER,
    STORE_NAME,
    add_profile,
    cfg_fixture,
    flat,
    no_pause_fixture,
    record,
    self_auth,
    self_token,
    sim_fixture,
    token_of,
)

from oauth_wizard.core.tokens import check_refresh_token, check_selling_partner_id


async def test_piped_token_is_proven_stored_and_then_verifies(monkeypatch, sim, cfg,
                                                               isolated_keyring):
    add_profile(monkeypatch)
    token = self_token(sim)
    code, out, err = await self_auth(monkeypatch, token)
    assert code == 0, err
    assert token_of(isolated_keyring) == token
    (auth,) = record(cfg).authorizations
    assert (auth.region, auth.selling_partner_id, auth.how, auth.storage) == (
        "NA", "self-NA", "self-auth", "keyring")
    assert auth.marketplaces == ("US", "CA") and auth.last_verify.ok
    assert "marketplaces US, CA" in out and STORE_NAME in out
    assert "self-NA" in out and "Merchant Token" in flat(err)
    assert token not in out + err
    code, out, err = await arun(monkeypatch, "verify", "shop")
    assert code == 0, err
    assert "verified" in out and "US" in out and STORE_NAME in out


async def test_a_revoked_token_is_not_stored_and_the_doctor_explains(monkeypatch, sim, cfg,
                                                                     isolated_keyring):
    add_profile(monkeypatch)
    token = self_token(sim)
    sim.revoke_refresh_token(token)
    code, out, err = await self_auth(monkeypatch, token)
    assert code == 1
    text = flat(err)
    assert "LWA did not accept the token, so it was not stored" in text
    assert "Refresh token revoked, expired or from another app" in text
    assert "1) " in text and "(cause: refresh_token_revoked_or_expired)" in text
    assert token_of(isolated_keyring) is None and record(cfg).authorizations == ()
    assert out == "" and token not in err


async def test_bad_shapes_are_refused_before_lwa_without_echoing(monkeypatch, sim, cfg,
                                                                 isolated_keyring):
    add_profile(monkeypatch)
    real = self_token(sim)
    cases = {"Atza|" + "x" * 60: "access token", real[:20]: "cut off",
             real[:30] + " " + real[30:]: "contains a space", "": "empty",
             "atzr|" + real[5:]: "case differs"}
    for pasted, said in cases.items():
        code, out, err = await self_auth(monkeypatch, pasted)
        assert code == 2, (said, err)
        assert said in flat(err)
        if pasted:
            assert pasted[5:25] not in err + out  # never echoed, not even in part
    assert record(cfg).authorizations == ()


async def test_trailing_newline_and_quotes_are_cleaned(monkeypatch, sim, cfg, isolated_keyring):
    add_profile(monkeypatch)
    token = self_token(sim)
    code, _, err = await self_auth(monkeypatch, f'"{token}"\n')
    assert code == 0, err
    assert token_of(isolated_keyring) == token


async def test_merged_account_regions_each_get_an_entry(monkeypatch, sim, cfg, isolated_keyring):
    add_profile(monkeypatch, "world")
    na, eu = self_token(sim, "world", "NA"), self_token(sim, "world", "EU")
    code, _, err = await self_auth(monkeypatch, na, name="world")
    assert code == 2 and "several regions (NA, EU)" in flat(err) and "--region" in err
    for region, token in (("NA", na), ("EU", eu)):
        code, out, err = await self_auth(monkeypatch, token, "--region", region, name="world")
        assert code == 0, err
        assert token_of(isolated_keyring, region, f"self-{region}", "world") == token
    markets = {a.region: a.marketplaces for a in record(cfg, "world").authorizations}
    assert markets == {"NA": ("US", "CA"), "EU": ("DE", "FR")}
    code, out, err = await arun(monkeypatch, "verify", "world")
    assert code == 0, err
    assert "2 of 2 authorization(s) of 'world' verified" in out


async def test_a_token_of_another_region_is_stored_for_the_region_it_works_in(
        monkeypatch, sim, cfg, isolated_keyring):
    add_profile(monkeypatch, "world")
    token = self_token(sim, "world", "EU")
    code, out, err = await self_auth(monkeypatch, token, "--region", "NA", name="world")
    assert code == 0, err
    assert "belongs to EU, not NA" in flat(err)
    assert token_of(isolated_keyring, "EU", "self-EU", "world") == token
    assert token_of(isolated_keyring, "NA", "self-NA", "world") is None
    assert [a.region for a in record(cfg, "world").authorizations] == ["EU"]


async def test_a_new_token_replaces_the_placeholder_entry(monkeypatch, sim, cfg,
                                                          isolated_keyring):
    add_profile(monkeypatch)
    first, second = self_token(sim), self_token(sim)
    assert (await self_auth(monkeypatch, first))[0] == 0
    assert (await self_auth(monkeypatch, second))[0] == 0
    assert token_of(isolated_keyring) == second  # renewed in place
    assert len(record(cfg).authorizations) == 1
    code, out, err = await self_auth(monkeypatch, first, "--selling-partner", SELLER)
    assert code == 0, err
    assert token_of(isolated_keyring) is None  # the placeholder entry was deleted
    assert token_of(isolated_keyring, "NA", SELLER) == first
    assert [a.selling_partner_id for a in record(cfg).authorizations] == [SELLER]
    assert "Replaced the earlier self-authorization self-NA" in err


async def test_a_keyring_that_refuses_the_write_records_nothing(monkeypatch, tmp_path, sim, cfg):
    add_profile(monkeypatch)
    backend = MemoryKeyring()
    backend.data.update({("oauth-wizard", "profile:shop:client_secret"): APPS["shop"][2]})
    backend.fail_on.add("set")
    install_keyring(monkeypatch, tmp_path, backend)
    token = self_token(sim)
    code, out, err = await self_auth(monkeypatch, token)
    assert code == 1
    assert "was not stored anywhere" in flat(err) and "--insecure-storage" in err
    assert record(cfg).authorizations == () and token not in out + err


async def test_insecure_storage_is_announced_and_found_later(monkeypatch, sim, cfg):
    add_profile(monkeypatch)
    token = self_token(sim)
    code, out, err = await arun(monkeypatch, "self-auth", "shop", "--insecure-storage",
                                stdin=token)
    assert code == 0, err
    assert "plain text" in err and "insecure-secrets.json" in out
    assert record(cfg).authorizations[0].storage == "file"
    code, out, err = await arun(monkeypatch, "token", "shop")  # no flag: found where recorded
    assert code == 0 and out == token + "\n"
    assert "read from plain text" in err


def test_shape_checks_name_the_problem():
    assert check_refresh_token("Atzr|" + "A" * 100).ok
    assert not check_refresh_token("Atzr|" + "A" * 10).ok
    assert not check_refresh_token("amzn1.oa2-cs.v1." + "a" * 64).ok
    assert check_selling_partner_id("self-eu").value == "self-EU"
    assert check_selling_partner_id("a1b2c3d4").value == "A1B2C3D4"
    assert not check_selling_partner_id("A1:B2").ok
