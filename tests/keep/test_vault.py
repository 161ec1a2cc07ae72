"""The vault both front ends read secrets through: each secret from the store its record
names, a failing store asked once, the demo never reaching another keyring, and messages that
keep the names they quote."""

from __future__ import annotations

import asyncio

from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.secrets import MemorySecretStore, SecretStoreError
from oauth_wizard.keep.vault import Vault

KEY = "profile:Shop:refresh:EU:A1B2C3"
LOCKED_OPTIONS = ("Unlock the keyring, then try again.",
                  "Or rerun with --insecure-storage to keep secrets in a file.")


class LockedStore(MemorySecretStore):
    """A keyring that is locked: every read fails, and the reads are counted."""

    location = "keyring"

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def get(self, key: str) -> str | None:
        self.reads += 1
        raise SecretStoreError("locked", "The keyring is locked.", LOCKED_OPTIONS)


def run(coro):
    return asyncio.run(coro)


def test_a_secret_is_read_from_the_store_its_record_names(tmp_path):
    own = MemorySecretStore()
    run(own.set(KEY, "Atzr|value"))
    vault = Vault(own, config_dir=tmp_path, announce=lambda _: None)
    assert run(vault.find(KEY, "memory")).value == "Atzr|value"
    found = run(vault.find(KEY, "file"))  # the announced file: opened, and it has nothing
    assert (found.state, found.where) == ("missing", "file")


def test_a_demo_run_never_opens_another_keyring():
    vault = Vault(MemorySecretStore(), config_dir=None, announce=lambda _: None)
    assert vault.store("keyring") is None
    assert run(vault.find(KEY, "keyring")).state == "unchecked"
    assert run(vault.find(KEY, "file")).state == "unchecked"


def test_a_failing_store_is_asked_once_per_operation():
    locked = LockedStore()
    vault = Vault(locked, config_dir=None, announce=lambda _: None)
    first = run(vault.find(KEY, "keyring"))
    second = run(vault.find("profile:Shop:client_secret", "keyring"))
    assert (first.state, second.state, locked.reads) == ("unreadable", "unreadable", 1)
    assert "locked" in vault.troubles()[0].message


def test_the_insecure_storage_way_out_is_offered_only_where_it_exists():
    for offered in (True, False):
        vault = Vault(LockedStore(), config_dir=None, announce=lambda _: None,
                      offer_insecure_storage=offered)
        failure = run(vault.need(KEY, "keyring", "the refresh token", "Authorize again."))
        assert isinstance(failure, Failure) and failure.cause == "secret_store"
        assert ("--insecure-storage" in failure.fix) is offered
        assert "Unlock the keyring" in failure.fix


def test_a_missing_secret_names_it_without_changing_its_case():
    vault = Vault(MemorySecretStore(), config_dir=None, announce=lambda _: None)
    failure = run(vault.need(KEY, "memory", "the refresh token of EU A1B2C3 (profile 'Shop')",
                             "Authorize again."))
    assert isinstance(failure, Failure)
    assert failure.message == ("The refresh token of EU A1B2C3 (profile 'Shop') is not in "
                               "memory (this run only).")
    assert failure.fix == "Authorize again."
