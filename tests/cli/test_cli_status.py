"""``status``: a new user is told what to run (exit 1), a healthy profile passes (exit 0), dates
come from the clock against the 365-day and 180-day rules, a keyring that fails is reported as
unreadable and never as "missing", and ``--json`` is the documented report."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import keyring.errors
from cli_kit import arun, install_keyring, run_sync
from keep_cli_kit import (  # noqa: F401 - fixtures
    add_profile,
    cfg_fixture,
    flat,
    no_pause_fixture,
    self_auth,
    self_token,
    sim_fixture,
)
from keyring.backend import KeyringBackend
from keyring.compat import properties

from oauth_wizard.cli import keep as cli_keep
from oauth_wizard.core.records import Authorization, VerifyResult, refresh_token_key
from oauth_wizard.keep.store import ProfileStore


class LockedKeyring(KeyringBackend):
    """Every call says the keyring is locked."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")


def test_a_new_user_is_told_what_to_run(monkeypatch, cfg):
    code, out, err = run_sync(monkeypatch, "status")
    assert code == 1
    assert "There are no profiles yet." in out
    assert "oauth-wizard profile add NAME --app-id ID" in out and "need action" in out


def test_a_profile_without_authorization_gets_both_ways_in(monkeypatch, cfg):
    add_profile(monkeypatch)
    code, out, _ = run_sync(monkeypatch, "status")
    assert code == 1
    assert "oauth-wizard authorize shop --marketplace US" in out
    assert "oauth-wizard self-auth shop" in flat(out)
    assert "✓ Client secret: amzn1.oa2-cs.v1.…" in out and "in the system keyring" in out


def test_the_exact_commands_carry_a_given_config_dir(monkeypatch, tmp_path):
    other = tmp_path / "other dir"
    code, out, _ = run_sync(monkeypatch, "--config-dir", str(other), "status")
    assert code == 1
    assert f"oauth-wizard --config-dir '{other}' profile add NAME" in out


async def test_healthy_after_self_auth_and_verify(monkeypatch, sim, cfg):
    add_profile(monkeypatch)
    token = self_token(sim)
    assert (await self_auth(monkeypatch, token))[0] == 0
    code, out, err = await arun(monkeypatch, "status")
    assert code == 0, out + err
    assert "Everything is in order." in out
    assert "Refresh token: Atzr|" in out and token not in out
    assert "Last verify: ok on" in out and "(self-auth; US, CA)" in out


def test_dates_follow_the_clock_and_overdue_things_need_action(monkeypatch, cfg,
                                                                isolated_keyring):
    add_profile(monkeypatch)
    store = ProfileStore(cfg)
    start = datetime(2025, 1, 10, tzinfo=UTC)
    isolated_keyring.data[("oauth-wizard", refresh_token_key("shop", "NA", "A1PATSTORE"))] = \
        "Atzr|" + "p" * 80
    seen = (start + timedelta(days=200)).date()
    store.update("shop", lambda r: replace(r, client_secret_first_seen=seen)
                 .with_authorization(Authorization(
                     "NA", "A1PATSTORE", start, marketplaces=("US",),
                     last_verify=VerifyResult(start, True, "1 marketplace(s): US"))))
    monkeypatch.setattr(cli_keep, "CLOCK", lambda: start + timedelta(days=340))
    code, out, _ = run_sync(monkeypatch, "status")
    assert code == 0  # warnings only
    assert "re-authorize by 2026-01-10 (25 day(s) left)" in out
    assert "renewed within 25 day(s)" in flat(out)
    monkeypatch.setattr(cli_keep, "CLOCK", lambda: start + timedelta(days=400))
    code, out, _ = run_sync(monkeypatch, "status", "--json")
    assert code == 1
    doc = json.loads(out)
    (auth,) = doc["profiles"][0]["authorizations"]
    assert auth["days_left"] == -35 and auth["state"] == "action"
    overdue = {p["id"]: p for p in auth["problems"]}["reauthorization_overdue"]
    assert overdue["command"] == "oauth-wizard authorize shop --marketplace US"
    secret = doc["profiles"][0]["client_secret"]
    assert secret["location"] == "keyring" and secret["checked"] is True
    assert secret["age_days"] == 200 and secret["days_left"] == -20
    assert "client_secret_rotation_overdue" in {p["id"] for p in doc["profiles"][0]["problems"]}


def test_json_is_the_documented_report(monkeypatch, cfg):
    add_profile(monkeypatch)
    code, out, _ = run_sync(monkeypatch, "status", "shop", "--json")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"format", "generated_at", "needs_action", "problems", "profiles"}
    (prof,) = doc["profiles"]
    assert set(prof) == {"name", "app_id", "client_id", "app_state", "kind", "state",
                         "needs_action", "client_secret", "problems", "authorizations"}
    assert prof["client_secret"]["masked"].startswith("amzn1.oa2-cs.v1.…")
    assert [p["id"] for p in prof["problems"]] == ["not_authorized"]


def test_an_unknown_profile_is_a_usage_error(monkeypatch, cfg):
    code, _, err = run_sync(monkeypatch, "status", "nope")
    assert code == 2 and "There is no profile 'nope'" in flat(err)


def test_a_locked_keyring_is_reported_as_such_not_as_missing(monkeypatch, tmp_path, cfg):
    add_profile(monkeypatch)
    install_keyring(monkeypatch, tmp_path, LockedKeyring())
    code, out, err = run_sync(monkeypatch, "status", "--json")
    doc = json.loads(out)
    secret = doc["profiles"][0]["client_secret"]
    assert secret["checked"] is False and secret["location"] == "keyring"
    ids = [p["id"] for p in doc["profiles"][0]["problems"]]
    assert "client_secret_unchecked" in ids and "client_secret_missing" not in ids
    assert "locked" in flat(err) and "could not be read" in flat(err)
    code, out, err = run_sync(monkeypatch, "status")
    assert "not checked" in out and "missing" not in out
