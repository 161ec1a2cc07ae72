"""Reading each secret from where its record says it is kept, for both front ends.

A profile records where its client secret and each refresh token live (``keyring``, ``file``
for ``--insecure-storage``, ``memory`` for a demo run), so a secret is read from that store and
not from wherever the current run would write. A store that fails once (a locked keyring, a
corrupt file) is not asked again in the same operation: a locked keyring costs one timeout, not
one per secret. Every read of the plain-text file is announced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError

MEMORY = "memory (a demo run only)"


@dataclass(frozen=True)
class Found:
    """One secret looked up: ``state`` is present, missing, unreadable (the store failed) or
    unchecked (nothing to ask: kept in memory by a demo run, now gone)."""

    state: str
    value: str | None = None
    error: SecretStoreError | None = None
    where: str = ""


class Vault:
    """The secret stores of one operation, chosen per secret by the location its record names.

    ``own`` is where this run writes (the keyring, the demo's store, or the file with
    ``--insecure-storage``). The file store is opened for records that name it when
    ``config_dir`` is given; another keyring is opened only when ``open_keyring`` is true (the
    command line; a demo run must never touch the user's real keyring).
    """

    def __init__(self, own: SecretStore | None, *, config_dir: Path | None,
                 announce: Callable[[str], None], open_keyring: bool = False,
                 offer_insecure_storage: bool = False) -> None:
        self.own = own
        self._config_dir = config_dir
        self._announce = announce
        self._open_keyring = open_keyring
        self._offer_insecure = offer_insecure_storage
        self._opened: dict[str, SecretStore] = {}
        self.failed: dict[str, SecretStoreError] = {}

    @property
    def default_location(self) -> str:
        return self.own.location if self.own is not None else "keyring"

    def store(self, location: str | None = None) -> SecretStore | None:
        """The store at ``location`` (None: where this run writes); None when there is none to
        ask (a demo run's memory, or a store this run may not open)."""
        where = location or self.default_location
        if self.own is not None and where == self.own.location:
            return self.own
        if where not in self._opened:
            opened = self._open(where)
            if opened is None:
                return None
            self._opened[where] = opened
        return self._opened[where]

    def _open(self, where: str) -> SecretStore | None:
        if where == "file" and self._config_dir is not None:
            from oauth_wizard.keep.file_secrets import FileSecretStore

            return FileSecretStore.in_config_dir(self._config_dir, self._announce)
        if where == "keyring" and self._open_keyring:
            from oauth_wizard.keep.secrets import KeyringSecretStore

            return KeyringSecretStore()
        return None

    def describe(self, location: str | None = None) -> str:
        store = self.store(location)
        if store is not None:
            return store.describe()
        return MEMORY if location == "memory" else f"the {location or 'keyring'}"

    async def find(self, key: str, location: str | None = None) -> Found:
        """Look ``key`` up where ``location`` says it is kept."""
        store = self.store(location)
        if store is None:
            return Found("unchecked", where=location or "memory")
        where = store.location
        if where in self.failed:
            return Found("unreadable", error=self.failed[where], where=where)
        try:
            value = await store.get(key)
        except SecretStoreError as exc:
            self.failed[where] = exc
            return Found("unreadable", error=exc, where=where)
        return Found("present" if value else "missing", value or None, where=where)

    def store_failure(self, exc: SecretStoreError) -> Failure:
        """A store that cannot be used, with its ways out; ``--insecure-storage`` only where
        this front end offers it."""
        return Failure.of_store(exc, offer_insecure_storage=self._offer_insecure)

    async def need(self, key: str, location: str | None, what: str, fix: str) -> str | Failure:
        """The secret, or a Failure saying it is missing or why it could not be read."""
        found = await self.find(key, location)
        if found.value:
            return found.value
        if found.error is not None:
            return self.store_failure(found.error)
        said = f"{what[0].upper()}{what[1:]}"
        if found.state == "unchecked":
            return Failure(f"{said} was kept in memory by a demo run only, so it is gone.", fix)
        return Failure(f"{said} is not in {self.describe(location)}.", fix)

    def troubles(self) -> tuple[Failure, ...]:
        """The stores that failed, as failures saying their secrets were not checked."""
        out = []
        for where, exc in self.failed.items():
            said = self.store_failure(exc)
            out.append(Failure(f"The {where} could not be read, so the secrets kept there were "
                               f"not checked: {exc.message}", said.fix, said.cause))
        return tuple(out)
