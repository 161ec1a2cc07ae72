"""``profile add``: every field checked with its fix, the client secret from stdin (never argv)
into the secret store, profiles.toml written, overwrite refused, --insecure-storage announced.
"""

from __future__ import annotations

import os
import stat

import pytest
from cli_kit import CLIENT_SECRET, SERVICE, Feed, MemoryKeyring, install_keyring, run_sync
from keyring.backends import fail

from oauth_wizard.core.records import Authorization
from oauth_wizard.keep.store import ProfileStore

APP_ID = "amzn1.sp.solution.3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = CLIENT_SECRET["draft"]
BASE = ["profile", "add", "shop", "--app-id", APP_ID, "--client-id", CLIENT_ID,
        "--app-state", "draft", "--marketplace", "DE,FR", "--marketplace", "UK",
        "--login-uri", "https://app.example.com/login",
        "--redirect-uri", "https://app.example.com/cb"]


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    backend = MemoryKeyring()
    install_keyring(monkeypatch, tmp_path, backend)
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(tmp_path / "cfg"))
    for name in ("OAUTH_WIZARD_PORTAL_URL", "OAUTH_WIZARD_LWA_URL", "OAUTH_WIZARD_SPAPI_URL",
                 "OAUTH_WIZARD_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return backend


def no_secret_anywhere(root, *texts: str) -> None:
    for text in texts:
        assert SECRET not in text
    for path in root.rglob("*"):
        if path.is_file() and path.name != "insecure-secrets.json":
            assert SECRET.encode() not in path.read_bytes(), path


def test_secret_from_stdin_goes_to_the_keyring_and_the_profile_to_the_file(
        monkeypatch, tmp_path, env):
    code, out, err = run_sync(monkeypatch, *BASE, stdin=SECRET + "\n")
    assert code == 0, err
    assert env.data[(SERVICE, "profile:shop:client_secret")] == SECRET
    record = ProfileStore(tmp_path / "cfg").get("shop")
    assert record.app.app_id == APP_ID and record.app.marketplaces == ("DE", "FR", "UK")
    assert record.app.app_state == "draft" and record.secret_storage == "keyring"
    assert record.client_secret_first_seen is not None
    lines = out.splitlines()
    assert lines[0].startswith("Saved profile 'shop': draft seller app")
    assert lines[1] == "next: oauth-wizard authorize shop"
    assert "…(ends" in lines[0]  # the secret shown masked
    no_secret_anywhere(tmp_path, out, err)


def test_bad_inputs_name_every_problem_with_its_fix_and_store_nothing(monkeypatch, tmp_path, env):
    argv = ["profile", "add", "shop", "--app-id", CLIENT_ID, "--client-id", CLIENT_ID,
            "--app-state", "draft", "--marketplace", "XX", "--login-uri", "http://app.example.com/l",
            "--redirect-uri", "https://app.example.com/cb#frag"]
    feed = Feed(SECRET, closed=True)
    code, out, err = run_sync(monkeypatch, *argv, stdin=feed)
    assert code == 2 and out == ""
    for option in ("--app-id:", "--marketplace:", "--login-uri:", "--redirect-uri:"):
        assert f"error: {option}" in err, option
    assert err.count("fix:") >= 4
    assert feed.reads == 0  # the secret was not even asked for
    assert env.data == {} and not (tmp_path / "cfg" / "profiles.toml").exists()


def test_missing_options_are_usage_errors(monkeypatch):
    code, _, err = run_sync(monkeypatch, "profile", "add", "shop", "--app-id", APP_ID,
                            stdin=SECRET)
    assert code == 2 and "--client-id" in err and "--redirect-uri" in err
    code, _, err = run_sync(monkeypatch, "profile", stdin=SECRET)
    assert code == 2 and "required" in err


@pytest.mark.parametrize("given, expected", [
    ("", "No client secret was given"),
    ("Atzr|IwEBIPastedRefreshTokenInsteadOfTheSecret0123456789", "not a client secret"),
])
def test_a_missing_or_wrong_secret_is_refused_without_echoing_it(monkeypatch, tmp_path, env,
                                                                 given, expected):
    code, out, err = run_sync(monkeypatch, *BASE, stdin=given)
    assert code == 2 and expected in err
    if given:
        assert given not in err and given not in out
    assert env.data == {} and not (tmp_path / "cfg" / "profiles.toml").exists()


def test_dev_ids_must_be_region_equals_id(monkeypatch):
    code, _, err = run_sync(monkeypatch, *BASE, "--hybrid", "--dev-id", "123456789012",
                            stdin=SECRET)
    assert code == 2 and "REGION=ID" in err


def test_an_existing_profile_is_kept_unless_forced(monkeypatch, tmp_path, env):
    assert run_sync(monkeypatch, *BASE, stdin=SECRET)[0] == 0
    store = ProfileStore(tmp_path / "cfg")
    from datetime import UTC, datetime
    store.record_authorization("shop", Authorization("EU", "A1X", datetime(2025, 1, 1,
                                                                           tzinfo=UTC)))
    other = "amzn1.oa2-cs.v1." + "9" * 64
    feed = Feed(other, closed=True)
    code, _, err = run_sync(monkeypatch, *BASE[:-2], "--redirect-uri",
                            "https://app.example.com/other", stdin=feed)
    assert code == 2 and "already exists" in err and "--force" in err
    assert feed.reads == 0
    assert env.data[(SERVICE, "profile:shop:client_secret")] == SECRET
    assert store.get("shop").app.redirect_uris == ("https://app.example.com/cb",)

    code, _, err = run_sync(monkeypatch, *BASE[:-2], "--redirect-uri",
                            "https://app.example.com/other", "--force", stdin=other)
    assert code == 0, err
    record = ProfileStore(tmp_path / "cfg").get("shop")
    assert record.app.redirect_uris == ("https://app.example.com/other",)
    assert [a.selling_partner_id for a in record.authorizations] == ["A1X"]
    assert record.client_secret_rotated is not None
    assert env.data[(SERVICE, "profile:shop:client_secret")] == other


def test_insecure_storage_is_announced_and_the_file_is_private(monkeypatch, tmp_path, env):
    code, out, err = run_sync(monkeypatch, "--insecure-storage", *BASE, stdin=SECRET)
    assert code == 0, err
    path = tmp_path / "cfg" / "insecure-secrets.json"
    assert f"plain text in {path}" in err and "stored in plain text" in err
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert env.data == {}  # the keyring was not used
    assert ProfileStore(tmp_path / "cfg").get("shop").secret_storage == "file"
    assert "next: oauth-wizard --insecure-storage authorize shop" in out
    # also accepted after the command, as the keyring's error message suggests
    code, _, err = run_sync(monkeypatch, *BASE, "--force", "--insecure-storage", stdin=SECRET)
    assert code == 0 and "plain text" in err


def test_no_keyring_fails_before_the_secret_is_read(monkeypatch, tmp_path):
    install_keyring(monkeypatch, tmp_path, fail.Keyring())
    feed = Feed(SECRET, closed=True)
    code, out, err = run_sync(monkeypatch, *BASE, stdin=feed)
    assert code == 1 and out == ""
    assert "No system keyring is available" in err and "--insecure-storage" in err
    assert feed.reads == 0
    assert not (tmp_path / "cfg" / "profiles.toml").exists()


def test_http_uris_only_with_a_simulator(monkeypatch, tmp_path):
    argv = [*BASE[:-4], "--login-uri", "http://127.0.0.1:8000/login",
            "--redirect-uri", "http://127.0.0.1:8000/cb"]
    code, _, err = run_sync(monkeypatch, *argv, stdin=SECRET)
    assert code == 2 and "only https" in err
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", "http://127.0.0.1:9")
    code, _, err = run_sync(monkeypatch, *argv, stdin=SECRET)
    assert code == 0, err
    assert "accepted here because the endpoints point at a simulator" in " ".join(err.split())
    app = ProfileStore(tmp_path / "cfg").get("shop").app
    assert app.login_uri == "http://127.0.0.1:8000/login"
    assert app.redirect_uris == ("http://127.0.0.1:8000/cb",)
    code, _, err = run_sync(monkeypatch, *BASE[:-4], "--login-uri", "http://app.example.com/l",
                            "--redirect-uri", "http://app.example.com/cb", "--force",
                            stdin=SECRET)
    assert code == 2 and "only https" in err  # a simulator does not excuse a remote host
