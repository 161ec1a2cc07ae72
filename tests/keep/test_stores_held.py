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


def test_a_killed_writers_temp_file_is_recognised_and_swept(tmp_path, monkeypatch):
    """The temp file carries the target's prefix and .tmp, so the next write can find it."""
    target = tmp_path / "profiles.toml"
    made: list[str] = []
    real = files.tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        made.append(Path(name).name)
        return fd, name
    monkeypatch.setattr(files.tempfile, "mkstemp", spy)
    files.atomic_write(target, b"a = 1\n")
    (name,) = made
    assert name.startswith(files.temp_prefix(target)) and name.endswith(".tmp")


def test_only_old_temp_files_of_ours_are_swept_and_counted(tmp_path):
    target = tmp_path / "profiles.toml"
    ours_old = [tmp_path / f"{files.temp_prefix(target)}{n}.tmp" for n in "ab"]
    ours_new = tmp_path / f"{files.temp_prefix(target)}c.tmp"
    others = [tmp_path / ".other.toml.x.tmp", tmp_path / f"{files.temp_prefix(target)}d.txt"]
    for p in [*ours_old, ours_new, *others]:
        p.write_text("secret")
    old = files.time.time() - files.STALE_TEMP_S - 5
    for p in [*ours_old, *others]:
        os.utime(p, (old, old))
    assert files.sweep_stale_temps(target) == 2
    assert not any(p.exists() for p in ours_old)
    assert ours_new.exists() and all(p.exists() for p in others)
    assert files.sweep_stale_temps(target) == 0


def test_a_private_dir_is_made_nested_and_again_without_error(tmp_path):
    deep = tmp_path / "a" / "b" / "cfg"
    files.ensure_private_dir(deep)
    assert deep.is_dir() and stat.S_IMODE(deep.stat().st_mode) == 0o700
    files.ensure_private_dir(deep)  # already there: nothing to do, no error
    os.chmod(deep, 0o750)  # noqa: S103 - the user chose it; the test checks it is kept
    files.ensure_private_dir(deep)  # an existing directory's mode is the user's business
    assert stat.S_IMODE(deep.stat().st_mode) == 0o750
