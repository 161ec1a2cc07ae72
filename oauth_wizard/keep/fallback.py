"""The announced plain-text file as a second place, offered when the chosen store refuses a
secret the user has just typed or Amazon has just handed over.

A refresh token exists only in memory once the code is spent, and a typed client secret is
gone once the prompt returns: losing either to a keyring that reads but will not write is the
worst outcome. Both front ends offer this file explicitly (never by themselves) and call these
functions, so the order of writes is the same everywhere: the record first, then the secret,
and the record taken back if the secret cannot be written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
)
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.recorded import store_recorded
from oauth_wizard.keep.store import ProfileStore, StoreError


@dataclass(frozen=True)
class Kept:
    """Where the secret went, and anything the user should hear about the record."""

    where: str
    authorization: Authorization | None = None
    note: str | None = None


def file_store(config_dir: Path, announce: Callable[[str], None]) -> FileSecretStore:
    return FileSecretStore.in_config_dir(config_dir, announce)


async def keep_token_in_file(config_dir: Path, name: str, auth: Authorization, token: str,
                             announce: Callable[[str], None]) -> Kept:
    """Store a refresh token the keyring refused in the 0600 file, recorded as kept there.
    Raises ``SecretStoreError`` when the file cannot take it either (the record is taken
    back)."""
    store = file_store(config_dir, announce)
    auth = replace(auth, storage="file")
    unrecorded = await store_recorded(ProfileStore(config_dir), name, auth, store, token)
    note = None if unrecorded is None else (
        f"the token is stored, but profiles.toml was not updated: {unrecorded.message}")
    return Kept(store.describe(), auth, note)


async def keep_client_secret_in_file(config_dir: Path, name: str, secret: str,
                                     announce: Callable[[str], None]) -> Kept:
    """Store a typed client secret the keyring refused in the 0600 file, and make profile
    ``name`` (already saved) say so. Raises ``SecretStoreError`` when the file refuses too."""
    store = file_store(config_dir, announce)
    await store.set(client_secret_key(name), secret)
    note = None

    def moved(rec: ProfileRecord) -> ProfileRecord:
        return replace(rec, secret_storage="file")  # noqa: S106 (a place, not a secret)
    try:
        await asyncio.to_thread(ProfileStore(config_dir).update, name, moved)
    except StoreError as exc:
        note = (f"the client secret is stored, but profiles.toml still says "
                f"it is in the keyring: {exc.message}")
    return Kept(store.describe(), None, note)
