"""``--insecure-storage``: secrets in a 0600 plain-text file in the config directory.

Only ever used when the user asked for it, and every read and write is announced through the
``announce`` callback the caller shows; it is never a fallback for a failing keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from oauth_wizard.core.records import Location, describe_key
from oauth_wizard.keep.secrets import (
    FILE_FORMAT_VERSION,
    INSECURE_FILE_NAME,
    SecretStoreError,
    usable,
)


class FileSecretStore:
    """``--insecure-storage``: a 0600 JSON file; ``announce`` hears of every read and write."""

    location: Location = "file"

    def __init__(self, path: Path, announce: Callable[[str], None]) -> None:
        self.path = Path(path)
        self._announce = announce
        self._lock = threading.Lock()

    @classmethod
    def in_config_dir(cls, config_dir: Path, announce: Callable[[str], None]) -> FileSecretStore:
        return cls(Path(config_dir) / INSECURE_FILE_NAME, announce)

    def describe(self) -> str:
        return f"plain-text file {self.path}"

    async def get(self, key: str) -> str | None:
        return await asyncio.to_thread(self._get, key)

    async def set(self, key: str, value: str) -> None:
        await asyncio.to_thread(self._set, key, value)

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(self._delete, key)

    async def check(self, *, write: bool = False) -> None:
        await asyncio.to_thread(self._check)  # writability is always checked

    async def is_available(self) -> bool:
        return await usable(self)

    def _check(self) -> None:
        self._read()
        parent = self.path.parent
        probe = parent if parent.exists() else next(
            (p for p in parent.parents if p.exists()), parent)
        if not os.access(probe, os.W_OK):
            raise SecretStoreError("file_error", f"Cannot write the secrets file in {parent} "
                                   "(no permission).", ("Choose a config directory you can "
                                                        "write with --config-dir.",))

    def _get(self, key: str) -> str | None:
        with self._lock:
            data = self._read()
            if self.path.exists():
                self._announce(f"! secrets read from plain text at {self.path} "
                               "(--insecure-storage)")
            return data.get(key)

    async def keys(self) -> list[str]:
        """Every key in the file (``status`` compares them with the profiles)."""
        def listed() -> list[str]:
            with self._lock:
                keys = sorted(self._read())
            if self.path.exists():
                self._announce(f"! listed the entries of the plain-text file {self.path}")
            return keys
        return await asyncio.to_thread(listed)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """This process's lock and the inter-process one around a read-modify-write."""
        from oauth_wizard.keep.files import LockTimeout, locked

        with self._lock:
            try:
                with locked(self.path):
                    yield
            except LockTimeout as exc:
                raise SecretStoreError("file_error", exc.message, (exc.fix,)) from None

    def _set(self, key: str, value: str) -> None:
        from oauth_wizard.keep.files import atomic_write, ensure_private_dir

        with self._changing():
            data = self._read()
            data[key] = value
            try:
                ensure_private_dir(self.path.parent)
                atomic_write(self.path, self._encode(data))
            except OSError as exc:
                raise SecretStoreError(
                    "file_error", f"Could not write {self.path} ({exc.strerror or exc}), so "
                    f"{describe_key(key)} was not saved.",
                    ("Check the permissions of the config directory.",)) from None
            self._announce(f"! {describe_key(key)} stored in plain text at {self.path} "
                           "(--insecure-storage): anyone who can read this file can use it")

    def _delete(self, key: str) -> bool:
        from oauth_wizard.keep.files import atomic_write

        with self._changing():
            data = self._read()
            if key not in data:
                if self.path.exists():
                    self._announce(f"! read the plain-text file {self.path}: "
                                   f"{describe_key(key)} was not in it")
                return False
            del data[key]
            atomic_write(self.path, self._encode(data))
            self._announce(f"! {describe_key(key)} removed from the plain-text file {self.path}")
            return True

    @staticmethod
    def _encode(data: dict[str, str]) -> bytes:
        doc = {"format_version": FILE_FORMAT_VERSION, "secrets": data}
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def _read(self) -> dict[str, str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError("file_error", f"Could not read {self.path} "
                                   f"({exc.strerror or exc}).",
                                   ("Check the file's permissions.",)) from None
        if os.name == "posix" and self.path.stat().st_mode & 0o077:
            os.chmod(self.path, 0o600)
            self._announce(f"! {self.path} was readable by other users; its mode is now 0600")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" (line {exc.lineno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) \
                else " (not UTF-8 text)"
            raise self._corrupt(f"is not valid JSON{where}") from None
        if not isinstance(doc, dict) or doc.get("format_version") != FILE_FORMAT_VERSION:
            raise self._corrupt(f"has no format_version {FILE_FORMAT_VERSION}")
        secrets = doc.get("secrets")
        if not isinstance(secrets, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in secrets.items()):
            raise self._corrupt('has no "secrets" object of text values')
        return dict(secrets)

    def _corrupt(self, what: str) -> SecretStoreError:
        return SecretStoreError(
            "file_corrupt", f"The secrets file {self.path} {what}; it was left untouched.",
            ("Fix the file by hand, or move it away and enter the secrets again.",))
