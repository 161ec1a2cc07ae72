"""Defences of the stores that a removed or inverted line would otherwise leave unnoticed
(issue 14): any group or other permission on the secrets file is repaired, not only a
world-readable one; the temp file of an atomic write lives beside its target (a rename across
filesystems is not atomic); the writability check says no only when the directory is not
writable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from oauth_wizard.keep import file_secrets, files
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.secrets import SecretStoreError

KEY = "oauth-wizard:shop:refresh:NA:A1"
TOKEN = "Atzr|IwEBIstoreTestToken0123456789abcdef"


@pytest.mark.parametrize("loose", [0o640, 0o604, 0o620, 0o660, 0o644, 0o601])
async def test_any_group_or_other_permission_on_the_secrets_file_is_repaired(tmp_path, loose):
    said: list[str] = []
    store = FileSecretStore(tmp_path / "s.json", said.append)
    await store.set(KEY, TOKEN)
    os.chmod(store.path, loose)
    assert await store.get(KEY) == TOKEN
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert any("readable by other users" in m for m in said)


async def test_a_private_file_is_left_as_it_is(tmp_path):
    said: list[str] = []
    store = FileSecretStore(tmp_path / "s.json", said.append)
    await store.set(KEY, TOKEN)
    said.clear()
    assert await store.get(KEY) == TOKEN
    assert not any("readable by other users" in m for m in said)


def test_the_atomic_writes_temp_file_is_beside_its_target(tmp_path, monkeypatch):
    target = tmp_path / "deep" / "profiles.toml"
    target.parent.mkdir()
    renamed: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src, dst):
        renamed.append((Path(src), Path(dst)))
        real_replace(src, dst)
    monkeypatch.setattr(files.os, "replace", spy)
    files.atomic_write(target, b"x = 1\n")
    ((src, dst),) = renamed
    assert src.parent == target.parent and dst == target
    assert target.read_bytes() == b"x = 1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["profiles.toml"]  # no temp left


async def test_a_writable_directory_passes_the_check(tmp_path):
    await FileSecretStore(tmp_path / "s.json", lambda _m: None).check(write=True)
    await FileSecretStore(tmp_path / "new" / "dir" / "s.json", lambda _m: None).check()


async def test_an_unwritable_directory_fails_the_check(tmp_path, monkeypatch):
    """The suite runs as root in CI, where every directory is writable, so the answer of
    os.access is what is changed here: the store must act on it."""
    asked: list[tuple[str, int]] = []

    def no(path, mode):
        asked.append((str(path), mode))
        return False
    monkeypatch.setattr(file_secrets.os, "access", no)
    with pytest.raises(SecretStoreError):
        await FileSecretStore(tmp_path / "s.json", lambda _m: None).check(write=True)
    assert asked and asked[0][1] == os.W_OK
