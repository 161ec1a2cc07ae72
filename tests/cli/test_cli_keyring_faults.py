"""``profile add`` against keyrings that fail in the ways real ones do: nothing typed is lost.

A store that cannot write is found before the prompt (the probe saves and removes a test
entry); one that hangs on the real entry is found before the prompt too; one that still
refuses after the prompt gets the typed secret offered to the announced 0600 file on a
terminal, and otherwise leaves no half-saved profile behind.
"""

from __future__ import annotations

import json
import threading

import pytest
from cli_kit import APP, CLIENT_ID, CLIENT_SECRET, Feed, install_keyring, run_sync
from keyring_kit import Faulty

from oauth_wizard.cli import profile_add
from oauth_wizard.core.records import client_secret_key
from oauth_wizard.keep import secrets as secrets_mod
from oauth_wizard.keep.store import ProfileStore

SECRET = CLIENT_SECRET["draft"]
KEY = client_secret_key("shop")
RELEASED = threading.Event()  # set after each test: no hung keyring thread outlives it


class Terminal(Feed):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def quick(monkeypatch, cfg):
    monkeypatch.setattr(secrets_mod, "DEFAULT_TIMEOUT", 0.3)
    RELEASED.clear()
    yield
    RELEASED.set()


def add(monkeypatch, stdin: str | Feed = SECRET) -> tuple[int, str, str]:
    return run_sync(monkeypatch, "profile", "add", "shop", "--app-id", APP["draft"],
                    "--client-id", CLIENT_ID["draft"], "--app-state", "draft",
                    "--marketplace", "US", "--login-uri", "https://spapi-dev.example.com/login",
                    "--redirect-uri", "https://spapi-dev.example.com/cb", stdin=stdin)


@pytest.mark.parametrize(("backend", "says"), [
    (Faulty("set"), "refused to save a test entry"),
    (Faulty("set", hang=True, release=RELEASED), "did not answer within"),
    (Faulty("get", on="real", hang=True, release=RELEASED),
     "While checking for a client secret saved earlier"),
], ids=["refuses-writes", "hangs-on-write", "hangs-reading-the-real-key"])
def test_a_keyring_that_cannot_take_the_secret_is_found_before_the_prompt(
        monkeypatch, tmp_path, cfg, backend, says):
    install_keyring(monkeypatch, tmp_path, backend)
    stdin = Feed(SECRET, closed=True)
    code, out, err = add(monkeypatch, stdin)
    assert code != 0 and says in " ".join(err.split()) and "--insecure-storage" in err
    assert stdin.reads == 0  # the secret was never asked for, so nothing typed was lost
    assert not (cfg / "profiles.toml").exists() and SECRET not in out + err


def test_a_refusal_after_the_prompt_takes_the_profile_back_without_a_terminal(
        monkeypatch, tmp_path, cfg):
    install_keyring(monkeypatch, tmp_path, Faulty("set", on="real"))
    code, out, err = add(monkeypatch)
    text = " ".join(err.split())
    assert code != 0 and "The client secret you typed was not kept" in text
    assert ProfileStore(cfg).load() == {} and SECRET not in out + err


def test_on_a_terminal_the_typed_secret_can_go_to_the_announced_file(
        monkeypatch, tmp_path, cfg):
    install_keyring(monkeypatch, tmp_path, Faulty("set", on="real"))
    monkeypatch.setattr(profile_add, "read_secret", lambda what: SECRET)
    code, out, err = add(monkeypatch, Terminal("y\n"))
    assert code == 0, err
    assert "[y/N]" in err and "stored in plain text" in err and "plain-text file" in out
    kept = json.loads((cfg / "insecure-secrets.json").read_text())["secrets"]
    assert kept == {KEY: SECRET}
    assert ProfileStore(cfg).get("shop").secret_storage == "file"
    assert SECRET not in out + err
    code, out, _ = run_sync(monkeypatch, "status", "shop")
    line = next(ln for ln in out.splitlines() if "Client secret" in ln)
    assert "✓" in line and "insecure-secrets.json" in out
