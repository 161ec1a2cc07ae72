"""``profiles.toml``: the apps and their authorizations, with no secret in it.

The file is the user's as much as ours, so it is handled carefully: written atomically (temp
file in the same directory, fsync, ``os.replace``) with mode 0600 in a 0700 directory; a file
that does not parse or does not fit the schema is reported with its path, line and what is
wrong, and is never rewritten; a write is refused when the file changed on disk since this
store last read it, so a hand edit is never clobbered. The format itself (records,
serialization, schema checks) is in ``store_format``. Blocking I/O is fine in this module:
async callers run its methods in a thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from oauth_wizard.core.records import HOW, STORAGE, Authorization, ProfileRecord, VerifyResult
from oauth_wizard.keep.store_format import FORMAT_VERSION, StoreError, parse, serialize

__all__ = ["FORMAT_VERSION", "HOW", "STORAGE", "Authorization", "ProfileRecord", "ProfileStore",
           "StoreError", "VerifyResult", "atomic_write", "default_config_dir",
           "ensure_private_dir"]

PROFILES_FILE = "profiles.toml"
CONFIG_DIR_ENV = "OAUTH_WIZARD_CONFIG_DIR"


def default_config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``OAUTH_WIZARD_CONFIG_DIR`` if set, else the platform's config dir for oauth-wizard.

    ``--config-dir`` beats both; the CLI passes it to ``ProfileStore`` directly.
    """
    override = env.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path("oauth-wizard", appauthor=False)


# --- files -------------------------------------------------------------------------------------

def ensure_private_dir(path: Path) -> None:
    """Create the config dir 0700; an existing directory's mode is the user's business."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def _digest(raw: bytes | None) -> str:
    return "absent" if raw is None else hashlib.sha256(raw).hexdigest()


class ProfileStore:
    """profiles.toml in ``config_dir``; every mutation re-reads, checks and writes atomically."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / PROFILES_FILE
        self._seen: str | None = None  # digest of the file as last read or written
        self._lock = threading.Lock()

    def load(self) -> dict[str, ProfileRecord]:
        """All profiles in file order; also marks the file as seen for later writes."""
        with self._lock:
            raw = self._read_raw()
            profiles = parse(raw, self.path)
            self._seen = _digest(raw)
            return profiles

    def get(self, name: str) -> ProfileRecord:
        profiles = self.load()
        if name not in profiles:
            known = ", ".join(profiles) or "none yet"
            raise StoreError("unknown_profile", f"There is no profile '{name}' in {self.path} "
                             f"(profiles: {known}).",
                             "Check the name, or add it with: oauth-wizard profile add "
                             f"{name} ...", path=self.path)
        return profiles[name]

    def put(self, record: ProfileRecord, *, overwrite: bool = False) -> None:
        """Add a profile; replacing an existing one needs ``overwrite=True``."""
        def change(profiles: dict[str, ProfileRecord]) -> None:
            if record.name in profiles and not overwrite:
                raise StoreError("exists", f"A profile '{record.name}' already exists in "
                                 f"{self.path}; it was left as it is.",
                                 "Choose another name, or remove the old profile first.",
                                 path=self.path)
            profiles[record.name] = record
        self._mutate(change)

    def update(self, name: str,
               change: Callable[[ProfileRecord], ProfileRecord]) -> ProfileRecord:
        """Replace profile ``name`` by ``change(current)`` in one read-check-write."""
        out: list[ProfileRecord] = []

        def apply(profiles: dict[str, ProfileRecord]) -> None:
            if name not in profiles:
                raise StoreError("unknown_profile", f"There is no profile '{name}' in "
                                 f"{self.path}.", path=self.path)
            new = change(profiles[name])
            if new.name != name:
                raise ValueError("update() cannot rename a profile")
            profiles[name] = new
            out.append(new)
        self._mutate(apply)
        return out[0]

    def record_authorization(self, name: str, auth: Authorization) -> ProfileRecord:
        return self.update(name, lambda rec: rec.with_authorization(auth))

    def record_verify(self, name: str, region: str, selling_partner_id: str,
                      result: VerifyResult) -> ProfileRecord:
        def change(rec: ProfileRecord) -> ProfileRecord:
            auth = rec.authorization(region, selling_partner_id)
            if auth is None:
                raise StoreError("unknown_profile", f"Profile '{name}' has no authorization "
                                 f"for {region} {selling_partner_id}.", path=self.path)
            return rec.with_authorization(replace(auth, last_verify=result))
        return self.update(name, change)

    def remove(self, name: str) -> ProfileRecord:
        """Delete a profile and return it, so the caller can delete its secrets too."""
        out: list[ProfileRecord] = []

        def change(profiles: dict[str, ProfileRecord]) -> None:
            if name not in profiles:
                raise StoreError("unknown_profile", f"There is no profile '{name}' in "
                                 f"{self.path}.", path=self.path)
            out.append(profiles.pop(name))
        self._mutate(change)
        return out[0]

    def _read_raw(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError("io", f"Could not read {self.path} ({exc.strerror or exc}).",
                             "Check the file's permissions.", path=self.path) from None

    def _mutate(self, change: Callable[[dict[str, ProfileRecord]], None]) -> None:
        with self._lock:
            raw = self._read_raw()
            if self._seen is not None and _digest(raw) != self._seen:
                raise StoreError(
                    "changed_on_disk", f"{self.path} changed on disk since oauth-wizard read "
                    "it, so nothing was written and those changes are kept.",
                    "Run the command again (it reads the file afresh); in the TUI, reload the "
                    "profiles first.", path=self.path)
            profiles = parse(raw, self.path)
            change(profiles)
            data = serialize(profiles, self.path)
            try:
                ensure_private_dir(self.config_dir)
                atomic_write(self.path, data)
            except OSError as exc:
                raise StoreError("io", f"Could not write {self.path} ({exc.strerror or exc}); "
                                 "the previous file is unchanged.",
                                 "Check the permissions and free space of the config "
                                 "directory.", path=self.path) from None
            self._seen = _digest(data)
