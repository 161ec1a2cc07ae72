"""``profile list``, ``profile show`` (secrets masked, missing ones said) and ``profile remove``
(asks on a terminal, needs --yes elsewhere, deletes the keyring entries first and keeps the
profile when the keyring refuses)."""

from __future__ import annotations

import json

from cli_kit import Feed, arun, install_keyring, run_sync
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    client_secret,
    flat,
    no_pause_fixture,
    record,
    secret_of,
    self_auth,
    self_token,
    sim_fixture,
    token_of,
)
from keyring.backend import KeyringBackend
from keyring.compat import properties

from oauth_wizard.core.masking import mask
from oauth_wizard.keep.store import ProfileStore


class Terminal(Feed):
    """A stdin that says it is a terminal, with the answer typed in advance."""

    def isatty(self) -> bool:
        return True


class StuckDelete(KeyringBackend):
    """Reads work; deleting fails the way a broken D-Bus backend does."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self, data) -> None:
        self.data = dict(data)

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        raise RuntimeError("org.freedesktop.DBus.Error.NoReply")


async def _two_profiles(monkeypatch, sim) -> str:
    add_profile(monkeypatch)
    add_profile(monkeypatch, "world")
    token = self_token(sim)
    assert (await self_auth(monkeypatch, token))[0] == 0
    return token


async def test_list_shows_each_profile_and_its_authorizations(monkeypatch, sim, cfg):
    await _two_profiles(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "profile", "list")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["NAME", "KIND", "STATE", "MARKETPLACES", "AUTHORIZATIONS"]
    assert rows[1] == ["shop", "seller", "draft", "US,CA", "1", "(NA)"]
    assert rows[2] == ["world", "seller", "draft", "US,DE", "0"]
    code, out, _ = await arun(monkeypatch, "profile", "list", "--json")
    doc = json.loads(out)
    assert [(p["name"], p["authorizations"], p["regions"]) for p in doc["profiles"]] == [
        ("shop", 1, ["NA"]), ("world", 0, [])]


def test_list_with_no_profiles_says_how_to_add_one(monkeypatch, cfg):
    code, out, _ = run_sync(monkeypatch, "profile", "list")
    assert code == 0 and "No profiles yet" in out and "profile add NAME" in out


async def test_show_masks_every_secret_and_says_what_is_missing(monkeypatch, sim, cfg,
                                                                isolated_keyring):
    token = await _two_profiles(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "profile", "show", "shop")
    assert code == 0, err
    assert token not in out + err and client_secret("shop") not in out + err
    assert mask(token, with_length=True) in out
    assert mask(client_secret("shop"), with_length=True) in out
    assert APPS["shop"][0] in out and "self-NA (id unknown)" in out
    del isolated_keyring.data[("oauth-wizard", "profile:shop:client_secret")]
    code, out, _ = await arun(monkeypatch, "profile", "show", "shop", "--json")
    doc = json.loads(out)
    assert doc["client_secret"]["state"] == "missing" and doc["client_secret"]["masked"] is None
    (auth,) = doc["authorizations"]
    assert auth["refresh_token"] == {"location": "keyring", "state": "present",
                                     "masked": mask(token), "error": None}
    assert doc["app"]["marketplaces"] == ["US", "CA"] and auth["last_verify"]["ok"] is True


async def test_remove_needs_yes_without_a_terminal(monkeypatch, sim, cfg, isolated_keyring):
    await _two_profiles(monkeypatch, sim)
    code, _, err = await arun(monkeypatch, "profile", "remove", "shop")
    assert code == 2 and "--yes" in err
    assert token_of(isolated_keyring) and secret_of(isolated_keyring)
    assert "shop" in ProfileStore(cfg).load()


async def test_remove_deletes_the_keyring_entries_then_the_profile(monkeypatch, sim, cfg,
                                                                   isolated_keyring):
    await _two_profiles(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "profile", "remove", "shop", "--yes")
    assert code == 0, err
    assert "client secret of profile 'shop': deleted from" in out
    assert "refresh token of profile 'shop' (NA, self-NA): deleted from" in out
    assert token_of(isolated_keyring) is None and secret_of(isolated_keyring) is None
    assert list(ProfileStore(cfg).load()) == ["world"]
    assert secret_of(isolated_keyring, "world") == client_secret("world")


async def test_remove_asks_on_a_terminal(monkeypatch, sim, cfg, isolated_keyring):
    await _two_profiles(monkeypatch, sim)
    code, _, err = await arun(monkeypatch, "profile", "remove", "shop",
                              stdin=Terminal("n\n", closed=True))
    assert code == 130 and "[y/N]" in err and "Nothing was removed" in err
    assert "shop" in ProfileStore(cfg).load() and token_of(isolated_keyring)
    code, _, _ = await arun(monkeypatch, "profile", "remove", "world",
                            stdin=Terminal("y\n", closed=True))
    assert code == 0 and list(ProfileStore(cfg).load()) == ["shop"]


async def test_a_keyring_that_cannot_delete_leaves_the_profile(monkeypatch, tmp_path, sim, cfg,
                                                               isolated_keyring):
    await _two_profiles(monkeypatch, sim)
    stuck = StuckDelete(isolated_keyring.data)
    install_keyring(monkeypatch, tmp_path, stuck)
    code, out, err = await arun(monkeypatch, "profile", "remove", "shop", "--yes")
    assert code == 1
    assert "was left in place" in flat(err) and "NoReply" in err
    assert record(cfg).authorizations  # still there, with its secrets
    assert token_of(stuck) and secret_of(stuck)


def test_show_of_an_unknown_profile_is_a_usage_error(monkeypatch, cfg):
    code, _, err = run_sync(monkeypatch, "profile", "show", "nope")
    assert code == 2 and "There is no profile 'nope'" in flat(err)
