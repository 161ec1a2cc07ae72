"""``profiles.toml``: the apps and their authorizations, with no secret in it.

The file is the user's as much as ours, so it is handled carefully: written atomically (temp
file in the same directory, fsync, ``os.replace``) with mode 0600 in a 0700 directory; a file
that does not parse or does not fit the schema is reported with its path, line and what is
wrong, and is never rewritten. Every change is a read-modify-write under an inter-process
lock (``files.locked``), so two terminals adding profiles at once both land; a change is
refused only when it would drop a hand edit or overwrite a profile changed since it was read.
An empty file is no profiles. The format itself (records,
serialization, schema checks) is in ``store_format``. Blocking I/O is fine in this module:
async callers run its methods in a thread.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from oauth_wizard.core.records import HOW, STORAGE, Authorization, ProfileRecord, VerifyResult
from oauth_wizard.keep.files import LockTimeout, atomic_write, ensure_private_dir, locked
from oauth_wizard.keep.store_format import FORMAT_VERSION, StoreError, parse, serialize

__all__ = ["FORMAT_VERSION", "HOW", "STORAGE", "Authorization", "ProfileRecord", "ProfileStore",
           "StoreError", "VerifyResult", "default_config_dir"]

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


def _digest(raw: bytes | None) -> str:
    return "absent" if raw is None else hashlib.sha256(raw).hexdigest()


class ProfileStore:
    """profiles.toml in ``config_dir``; every mutation re-reads, checks and writes atomically."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / PROFILES_FILE
        self._seen: str | None = None  # digest of the file as last read or written
        self._seen_records: dict[str, ProfileRecord] | None = None
        self._lock = threading.Lock()

    def load(self) -> dict[str, ProfileRecord]:
        """All profiles in file order; also marks the file as seen for later writes."""
        with self._lock:
            raw = self._read_raw()
            profiles = parse(raw, self.path)
            self._seen = _digest(raw)
            self._seen_records = dict(profiles)
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
        self._mutate(change, record.name)

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
        self._mutate(apply, name)
        return out[0]

    def record_authorization(self, name: str, auth: Authorization) -> ProfileRecord:
        return self.update(name, lambda rec: rec.with_authorization(auth))

    def swap_authorization(self, name: str, auth: Authorization) -> Authorization | None:
        """Record ``auth`` and return the one it replaced, so ``take_back_authorization`` can
        undo it. Callers record before they store the token: a kill in between leaves an
        authorization whose token is missing, which ``status`` reports, never a token that
        no record names."""
        previous: list[Authorization | None] = []

        def change(rec: ProfileRecord) -> ProfileRecord:
            previous.append(rec.authorization(auth.region, auth.selling_partner_id))
            return rec.with_authorization(auth)
        self.update(name, change)
        return previous[0]

    def take_back_authorization(self, name: str, auth: Authorization,
                                previous: Authorization | None) -> None:
        """Undo ``swap_authorization`` (the token could not be stored), unless the entry has
        changed since."""
        def change(rec: ProfileRecord) -> ProfileRecord:
            if rec.authorization(auth.region, auth.selling_partner_id) != auth:
                return rec
            if previous is not None:
                return rec.with_authorization(previous)
            return rec.without_authorization(auth.region, auth.selling_partner_id)
        self.update(name, change)

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
        self._mutate(change, name)
        return out[0]

    def _read_raw(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError("io", f"Could not read {self.path} ({exc.strerror or exc}).",
                             "Check the file's permissions.", path=self.path) from None

    def _mutate(self, change: Callable[[dict[str, ProfileRecord]], None],
                name: str | None = None) -> None:
        """Read, change and write under the inter-process lock. A file another oauth-wizard
        wrote since this store read it is merged (the change is applied to what is on disk)
        unless the profile being changed differs from what was read, or the file holds a hand
        edit that rewriting would drop (then nothing is written and the edit is kept)."""
        with self._lock:
            try:
                with locked(self.path):
                    self._mutate_locked(change, name)
            except LockTimeout as exc:
                raise StoreError("locked", exc.message, exc.fix, path=self.path) from None

    def _mutate_locked(self, change: Callable[[dict[str, ProfileRecord]], None],
                       name: str | None) -> None:
        raw = self._read_raw()
        profiles = parse(raw, self.path)
        if self._seen is not None and _digest(raw) != self._seen and not self._mergeable(
                raw, profiles, name):
            raise StoreError(
                "changed_on_disk", f"{self.path} changed on disk since oauth-wizard read "
                "it, so nothing was written and those changes are kept.",
                "Run the command again (it reads the file afresh); in the TUI, reload the "
                "profiles first.", path=self.path)
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
        self._seen_records = dict(profiles)

    def _mergeable(self, raw: bytes | None, fresh: dict[str, ProfileRecord],
                   name: str | None) -> bool:
        """Whether a change made on ``fresh`` loses nothing: the file is as oauth-wizard writes
        it (no comment or hand formatting to drop) and profile ``name`` is as this store saw
        it."""
        if name is None or self._seen_records is None:
            return False
        if raw is not None and raw.strip() and serialize(fresh, self.path) != raw:
            return False
        return fresh.get(name) == self._seen_records.get(name)
