"""Secret stores: keyring wrapper faults (absent, disabled, locked, slow, broken), the
announced plain-text file, memory. No test touches the developer's real keyring: an autouse
fixture installs an in-memory backend and restores whatever was there.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import threading
import time
from pathlib import Path

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from oauth_wizard.core.records import client_secret_key, describe_key, refresh_token_key
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.secrets import (
    OPT_INSECURE,
    OPT_INSTALL,
    OPT_UNLOCK,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStoreError,
)

SECRET = "amzn1.oa2-cs.v1." + "c0ffee" * 10 + "beef"
REFRESH = "Atzr|IwEBIPlantedRefreshForKeyringTests-0123456789abcdef"
KEY = refresh_token_key("shop", "eu", "A1EXAMPLE")


class MemoryKeyring(KeyringBackend):
    """A well-behaved backend that records the thread each call ran in."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}
        self.threads: list[str] = []

    def get_password(self, service, username):
        self.threads.append(threading.current_thread().name)
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.threads.append(threading.current_thread().name)
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.data[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("Password not found") from None


class FaultyKeyring(MemoryKeyring):
    """Raises ``exc`` (or blocks on ``gate``) for the operations listed in ``on``."""

    def __init__(self, exc=None, on=("get", "set", "delete"), gate=None):
        super().__init__()
        self.exc, self.on, self.gate, self.calls = exc, on, gate, 0

    def _maybe(self, op):
        if op in self.on:
            self.calls += 1
            if self.gate is not None:
                self.gate.wait(10)
            if self.exc is not None:
                raise self.exc

    def get_password(self, service, username):
        self._maybe("get")
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        self._maybe("set")
        super().set_password(service, username, password)

    def delete_password(self, service, username):
        self._maybe("delete")
        super().delete_password(service, username)


class LowPriorityKeyring(MemoryKeyring):
    """Like keyrings.alt's PlaintextKeyring: viable, but not recommended by keyring."""

    @properties.classproperty
    def priority(cls) -> float:
        return 0.5


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch, tmp_path):
    """Never the real keyring; and HOME is a temp dir, so a stray plaintext write shows."""
    previous = keyring.core._keyring_backend
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    yield backend
    keyring.core._keyring_backend = previous


def no_plaintext_anywhere(root: Path, *secrets: str) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{path} holds a secret"


def no_secret_in(err: SecretStoreError, *secrets: str) -> None:
    for text in (str(err), repr(err), err.message, *err.options):
        for secret in secrets:
            assert secret not in text


# --- keys ------------------------------------------------------------------------------------

def test_keys_and_their_descriptions():
    assert client_secret_key("shop") == "profile:shop:client_secret"
    assert KEY == "profile:shop:refresh:EU:A1EXAMPLE"
    assert describe_key(KEY) == "the refresh token of profile 'shop' (EU, A1EXAMPLE)"
    assert describe_key(client_secret_key("a.b")) == "the client secret of profile 'a.b'"


# --- keyring: happy path -----------------------------------------------------------------------

async def test_keyring_round_trip_runs_off_the_event_loop(memory_keyring):
    store = KeyringSecretStore()
    assert await store.is_available()
    await store.set(KEY, REFRESH)
    assert memory_keyring.data[("oauth-wizard", KEY)] == REFRESH
    assert await store.get(KEY) == REFRESH
    assert await store.delete(KEY) is True
    assert await store.get(KEY) is None
    assert await store.delete(KEY) is False
    assert memory_keyring.threads and threading.main_thread().name not in memory_keyring.threads
    assert "MemoryKeyring" in store.describe()


async def test_event_loop_keeps_running_during_a_slow_keyring():
    gate = threading.Event()
    store = KeyringSecretStore(backend=FaultyKeyring(on=("get",), gate=gate), timeout=5)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while not gate.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def release():
        await asyncio.sleep(0.2)
        gate.set()

    await asyncio.gather(store.get(KEY), ticker(), release())
    assert ticks >= 5


# --- keyring: faults -----------------------------------------------------------------------------

@pytest.mark.parametrize("backend,kind,words,options", [
    (fail.Keyring(), "no_backend", "No system keyring is available", (OPT_INSTALL, OPT_INSECURE)),
    (null.Keyring(), "disabled", "keyring is disabled", (OPT_INSECURE,)),
    (FaultyKeyring(keyring.errors.KeyringLocked("Failed to unlock the collection!")), "locked",
     "is locked", (OPT_UNLOCK, OPT_INSECURE)),
    (FaultyKeyring(keyring.errors.InitError("Failed to create the collection")), "init_failed",
     "could not start", (OPT_INSTALL, OPT_INSECURE)),
    (FaultyKeyring(keyring.errors.NoKeyringError("No recommended backend")), "no_backend",
     "No system keyring", (OPT_INSTALL, OPT_INSECURE)),
    (FaultyKeyring(RuntimeError(f"D-Bus exploded while storing {REFRESH}")), "backend_error",
     "RuntimeError", (OPT_INSECURE,)),
])
@pytest.mark.parametrize("op", ["get", "set", "delete", "check"])
async def test_keyring_faults_have_specific_messages(tmp_path, backend, kind, words, options, op):
    store = KeyringSecretStore(backend=backend)
    with pytest.raises(SecretStoreError) as info:
        if op == "get":
            await store.get(KEY)
        elif op == "set":
            await store.set(KEY, REFRESH)
        elif op == "delete":
            await store.delete(KEY)
        else:
            await store.check()
    err = info.value
    assert err.kind == kind and words in err.message
    assert all(o in err.options for o in options)
    if op == "set":
        assert "was not saved" in err.message
        assert "refresh token of profile 'shop' (EU, A1EXAMPLE)" in err.message
    assert "\n" not in err.message
    no_secret_in(err, REFRESH)
    assert not await store.is_available()
    no_plaintext_anywhere(tmp_path, REFRESH)


async def test_password_set_error_is_a_refused_write():
    store = KeyringSecretStore(backend=FaultyKeyring(keyring.errors.PasswordSetError(
        "Can't store password on keychain"), on=("set",)))
    with pytest.raises(SecretStoreError) as info:
        await store.set(client_secret_key("shop"), SECRET)
    assert info.value.kind == "write_failed"
    assert "refused to save the client secret of profile 'shop'" in info.value.message
    no_secret_in(info.value, SECRET)


async def test_failed_write_loses_nothing_already_stored():
    backend = FaultyKeyring(keyring.errors.KeyringLocked("locked"), on=())
    store = KeyringSecretStore(backend=backend)
    await store.set(KEY, REFRESH)
    backend.on = ("set",)
    with pytest.raises(SecretStoreError):
        await store.set(KEY, "Atzr|IwEBInewer-token-0123456789abcdef")
    assert await store.get(KEY) == REFRESH


async def test_empty_chainer_is_unavailable(monkeypatch):
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [])
    store = KeyringSecretStore(backend=chainer.ChainerBackend())
    with pytest.raises(SecretStoreError) as info:
        await store.set(KEY, REFRESH)
    assert info.value.kind == "no_backend"


async def test_not_recommended_backend_is_not_used_unless_chosen(monkeypatch):
    low = LowPriorityKeyring()
    keyring.set_keyring(low)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)
    store = KeyringSecretStore()
    with pytest.raises(SecretStoreError) as info:
        await store.set(KEY, REFRESH)
    assert info.value.kind == "insecure_backend"
    assert "LowPriorityKeyring" in info.value.message and low.data == {}
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.LowPriorityKeyring")  # chosen by user
    await store.set(KEY, REFRESH)
    assert low.data[("oauth-wizard", KEY)] == REFRESH


async def test_slow_keyring_times_out_quickly_and_says_so():
    gate = threading.Event()
    backend = FaultyKeyring(on=("set", "get"), gate=gate)
    store = KeyringSecretStore(backend=backend, timeout=0.05)
    try:
        started = time.monotonic()
        with pytest.raises(SecretStoreError) as info:
            await store.set(KEY, REFRESH)
        assert time.monotonic() - started < 2
        err = info.value
        assert err.kind == "timeout" and "did not answer within 0.05 s" in err.message
        assert "may still be saved" in err.message and OPT_UNLOCK in err.options
        no_secret_in(err, REFRESH)
    finally:
        gate.set()


async def test_stuck_calls_are_capped_without_new_threads():
    gate = threading.Event()
    backend = FaultyKeyring(on=("get",), gate=gate)
    store = KeyringSecretStore(backend=backend, timeout=0.05, max_stuck=1)
    try:
        with pytest.raises(SecretStoreError):
            await store.get(KEY)
        with pytest.raises(SecretStoreError) as info:
            await store.get(KEY)
        assert info.value.kind == "timeout" and "Earlier keyring calls" in info.value.message
        assert backend.calls == 1
    finally:
        gate.set()
    await asyncio.sleep(0.05)
    for _ in range(100):  # once the prompt is answered the store works again
        if not any(t.is_alive() for t in store._stuck):
            break
        await asyncio.sleep(0.01)
    backend.on = ()
    assert await store.get(KEY) is None


# --- plain-text file (--insecure-storage) ------------------------------------------------------

async def test_file_store_announces_every_read_and_write(tmp_path):
    said: list[str] = []
    store = FileSecretStore.in_config_dir(tmp_path / "cfg", said.append)
    assert await store.get(KEY) is None and said == []  # no file, nothing read
    await store.set(KEY, REFRESH)
    await store.set(client_secret_key("shop"), SECRET)
    assert await store.get(KEY) == REFRESH
    assert await store.delete(KEY) is True
    assert await store.delete(KEY) is False
    path = str(store.path)
    assert len(said) == 5 and all(m.startswith("! ") and path in m for m in said)
    assert "plain text" in said[0] and "refresh token of profile 'shop'" in said[0]
    assert "read from plain text" in said[2]
    for message in said:
        assert REFRESH not in message and SECRET not in message
    doc = json.loads(store.path.read_text())
    assert doc == {"format_version": 1, "secrets": {client_secret_key("shop"): SECRET}}
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
async def test_file_store_tightens_loose_permissions_loudly(tmp_path):
    said: list[str] = []
    store = FileSecretStore(tmp_path / "s.json", said.append)
    await store.set(KEY, REFRESH)
    os.chmod(store.path, 0o644)
    said.clear()
    assert await store.get(KEY) == REFRESH
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert any("readable by other users" in m for m in said)


@pytest.mark.parametrize("content", ["{not json", '{"secrets": {}}', '[1, 2]',
                                     '{"format_version": 1, "secrets": {"k": 5}}'])
async def test_corrupt_file_store_is_reported_and_untouched(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(content)
    store = FileSecretStore(path, lambda m: None)
    with pytest.raises(SecretStoreError) as info:
        await store.set(KEY, REFRESH)
    assert info.value.kind == "file_corrupt" and str(path) in info.value.message
    assert "left untouched" in info.value.message
    assert path.read_text() == content
    assert not await store.is_available()


# --- memory ----------------------------------------------------------------------------------

async def test_memory_store_round_trip(tmp_path):
    store = MemorySecretStore()
    assert await store.is_available() and store.location == "memory"
    await store.set(KEY, REFRESH)
    assert await store.get(KEY) == REFRESH
    assert await store.delete(KEY) and not await store.delete(KEY)
    no_plaintext_anywhere(tmp_path, REFRESH)
