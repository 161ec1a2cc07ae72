"""The file helpers' quieter promises, held (issue 14): the rename of an atomic write is made
durable, a failed write reports its own error and not the clean-up's, a directory made by
another process in between is fine, and the temp sweep judges each entry by itself, never
following a link, and never stops on an entry that vanished."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from oauth_wizard.keep import files


def test_an_atomic_write_makes_the_rename_durable_by_syncing_the_directory(tmp_path,
                                                                          monkeypatch):
    opened: dict[int, str] = {}
    synced: list[str] = []
    real_open, real_fsync = os.open, os.fsync

    def spy_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        opened[fd] = str(path)
        return fd

    def spy_fsync(fd):
        synced.append(opened.get(fd, "file"))
        return real_fsync(fd)
    monkeypatch.setattr(files.os, "open", spy_open)
    monkeypatch.setattr(files.os, "fsync", spy_fsync)
    files.atomic_write(tmp_path / "p.toml", b"x = 1\n")
    # the data (its temp file), then the directory that holds the new name
    assert len(synced) == 2 and synced[0].endswith(".tmp") and synced[1] == str(tmp_path)


def test_a_failed_write_reports_its_own_error_even_when_the_clean_up_fails(tmp_path,
                                                                           monkeypatch):
    def full(_fd):
        raise OSError(28, "No space left on device")

    def cannot_unlink(_path):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(files.os, "fsync", full)
    monkeypatch.setattr(files.os, "unlink", cannot_unlink)
    with pytest.raises(OSError) as info:
        files.atomic_write(tmp_path / "p.toml", b"x = 1\n")
    assert info.value.errno == 28


def test_a_directory_made_by_another_process_in_between_is_fine(tmp_path, monkeypatch):
    target = tmp_path / "cfg"
    target.mkdir()
    monkeypatch.setattr(Path, "exists", lambda _self: False)  # it did not exist a moment ago
    files.ensure_private_dir(target)
    assert target.is_dir()


def test_a_private_directory_whose_mode_cannot_be_set_is_still_made(tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(files.os, "chmod", refuse)
    files.ensure_private_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_sweeping_beside_a_missing_directory_sweeps_nothing(tmp_path):
    assert files.sweep_stale_temps(tmp_path / "missing" / "p.toml") == 0


def test_a_temp_file_that_vanished_in_between_does_not_stop_the_sweep(tmp_path, monkeypatch):
    target = tmp_path / "p.toml"
    for name in ("a", "b"):
        temp = tmp_path / f".p.toml.{name}.tmp"
        temp.write_text("x")
        os.utime(temp, (1, 1))
    real_unlink, gone = os.unlink, []

    def racing_unlink(path):
        if not gone:  # another process swept the first one a moment before us
            gone.append(path)
            real_unlink(path)
            raise FileNotFoundError(2, "No such file or directory")
        real_unlink(path)
    monkeypatch.setattr(files.os, "unlink", racing_unlink)
    assert files.sweep_stale_temps(target) == 1
    assert not list(tmp_path.glob(".p.toml.*.tmp"))


def test_a_link_named_like_our_temp_is_judged_by_itself_not_its_target(tmp_path):
    target = tmp_path / "p.toml"
    kept = tmp_path / "kept.txt"
    kept.write_text("someone's file")  # new: following the link would spare it
    link = tmp_path / ".p.toml.zz.tmp"
    link.symlink_to(kept)
    os.utime(link, (1, 1), follow_symlinks=False)
    assert files.sweep_stale_temps(target) == 1
    assert not link.is_symlink() and kept.read_text() == "someone's file"


def test_a_temp_exactly_as_old_as_the_limit_is_kept(tmp_path, monkeypatch):
    now = time.time()
    monkeypatch.setattr(files.time, "time", lambda: now)
    temp = tmp_path / ".p.toml.q.tmp"
    temp.write_text("x")
    os.utime(temp, (now - 60, now - 60))
    assert files.sweep_stale_temps(tmp_path / "p.toml", older_than=60) == 0
    os.utime(temp, (now - 61, now - 61))
    assert files.sweep_stale_temps(tmp_path / "p.toml", older_than=60) == 1
