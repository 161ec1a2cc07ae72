"""Writing the user's files safely: private directories, atomic replaces, inter-process locks.

Every store here (profiles.toml, the plain-text secrets file, pending attempts, exports) is a
read-modify-write of one file that two terminals may do at once, and that a kill may cut at any
instruction. So: a write goes to a temp file beside the target (same filesystem, so the rename
is atomic), is fsynced, and replaces the target; a failed write removes its temp file, and the
next write sweeps temp files of ours that a killed process left (they can hold whole secrets);
and ``locked`` serialises the read-modify-write across processes with ``filelock`` (an OS lock
that a killed holder releases), with a message naming the file when it is held too long.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from oauth_wizard.core.errors import WizardError

LOCK_TIMEOUT_S = 10.0
STALE_TEMP_S = 60.0


class LockTimeout(WizardError):
    """Another process held a store's lock for longer than ``LOCK_TIMEOUT_S``."""


def ensure_private_dir(path: Path) -> None:
    """Create the config dir 0700; an existing directory's mode is the user's business."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def sweep_stale_temps(path: Path, older_than: float = STALE_TEMP_S) -> int:
    """Delete temp files of ours for ``path`` left by a killed writer; returns how many."""
    swept = 0
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if not (entry.name.startswith(temp_prefix(path)) and entry.name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                    os.unlink(entry.path)
                    swept += 1
    return swept


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file."""
    sweep_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the inter-process lock of ``path`` (a ``.NAME.lock`` file beside it)."""
    import filelock

    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    ensure_private_dir(path.parent)
    lock = filelock.FileLock(str(lock_path(path)), mode=0o600)
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        raise LockTimeout(
            f"Another oauth-wizard process has been changing {path} for over {timeout:g} s, so "
            "this one did not touch it.",
            "Let the other command (another terminal, the TUI, a script) finish, then run this "
            f"again. If none is running, the lock {lock_path(path)} is stale only if a process "
            "still holds it open: close that process.") from None
    except OSError as exc:
        raise LockTimeout(f"Could not lock {path} ({exc.strerror or exc}); nothing was written.",
                          "Check the permissions of the config directory.") from None
    try:
        yield
    finally:
        lock.release()
