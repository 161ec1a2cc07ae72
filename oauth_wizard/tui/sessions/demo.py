"""The demo's local Amazon: the simulator, a throwaway config dir, a secret store, and a stand-in
seller who approves on a machine without a browser.

``oauth-wizard demo`` must work on a fresh machine with no Amazon account: the simulator runs
in-process on 127.0.0.1 with the built-in demo registry, whose Login/Redirect URIs point at the
catcher on a free local port; tokens go to the keyring under a service of their own, or stay in
memory for the run when no keyring backend is usable (never plain text on disk); profiles go to
a temporary config dir, so the user's real profiles are never touched. No Textual here: the
TUI drives this from workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.authorize.catcher_checks import free_port
from oauth_wizard.keep.secrets import (
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    SecretStoreError,
)
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.demo_registry import demo_registry
from oauth_wizard.simulator.seller import Approval, ApprovalStopped, approve
from oauth_wizard.tui.demo import DemoError, demo_uris

DEMO_SERVICE = "oauth-wizard-demo"
DEMO_USER = "Pat"  # the primary user of the demo registry's first seller
MEMORY_NOTE = "kept in memory for this run"


class DemoRuntime:
    """Everything the demo needs outside the UI. ``start()`` before use, ``stop()`` at exit."""

    demo = True

    def __init__(self, *, clock: Callable[[], float] = time.time,
                 token_factory: Callable[[str], str] | None = None,
                 catch_port: int | None = None, sim_port: int = 0,
                 keyring_store: SecretStore | None = None) -> None:
        self.catch_port = catch_port or free_port()
        self.login_uri, self.redirect_uri = demo_uris(self.catch_port)
        from oauth_wizard.simulator.server import Simulator  # the demo's, not every screen's

        self.simulator = Simulator(demo_registry(self.login_uri, self.redirect_uri),
                                   clock=clock, token_factory=token_factory)
        self._sim_port = sim_port
        self._keyring = keyring_store or KeyringSecretStore(service=DEMO_SERVICE)
        self.secrets: SecretStore | None = None
        self.profiles: ProfileStore | None = None
        self.config_dir: Path | None = None
        self.storage_note = ""
        self._lock = asyncio.Lock()
        self._started = False
        self._written: _Remembering | None = None

    @property
    def started(self) -> bool:
        return self._started

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints.for_simulator(self.simulator.portal_url)

    async def start(self) -> None:
        """Start the simulator, make the config dir, choose the secret store (idempotent)."""
        from oauth_wizard.simulator.server import SimulatorError

        async with self._lock:
            if self._started:
                return
            try:
                await self.simulator.start(port=self._sim_port)
            except SimulatorError as exc:
                raise DemoError(f"The demo's local Amazon could not start: {exc}.",
                                "Close whatever uses that port, or restart the demo.") from None
            self.config_dir = Path(await asyncio.to_thread(
                tempfile.mkdtemp, prefix="oauth-wizard-demo-"))
            self.profiles = ProfileStore(self.config_dir)
            self.secrets, self.storage_note = await self._choose_store()
            self._started = True

    async def ensure_ready(self) -> None:
        """What an attempt awaits first (the same call for the real runtime)."""
        await self.start()

    async def _choose_store(self) -> tuple[SecretStore, str]:
        if await self._keyring.is_available():
            self._written = _Remembering(self._keyring)
            return self._written, (f"stored in the system keyring under the service "
                                   f"'{DEMO_SERVICE}', apart from your real profiles, and "
                                   "removed when the demo ends")
        return MemorySecretStore(), (f"{MEMORY_NOTE}: no keyring backend is usable here, and "
                                     "nothing is written to disk")

    @property
    def in_memory(self) -> bool:
        return self.secrets is not None and self.secrets.location == "memory"

    async def approve_as(self, consent_url: str, user: str = DEMO_USER) -> Approval:
        """Play the seller (``simulator.seller``): the catcher must be listening; the code
        reaches the flow through it, as it would from a real browser."""
        if not self._started:
            raise DemoError("The demo's local Amazon is not running.", "Restart the demo.")
        try:
            return await approve(consent_url, user)
        except ApprovalStopped as exc:
            raise DemoError(exc.message, exc.fix) from None

    async def stop(self) -> None:
        """Stop the simulator, take the demo's keyring entries back out and delete its config
        dir (the demo leaves nothing behind); safe to call twice."""
        await self.simulator.stop()
        written, self._written = self._written, None
        if written is not None:
            await written.forget()
        config_dir, self.config_dir = self.config_dir, None
        if config_dir is not None:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(shutil.rmtree, config_dir, True)
        self._started = False


class _Remembering:
    """The demo's keyring store, remembering what it saved so the demo can remove it."""

    def __init__(self, store: SecretStore) -> None:
        self._store = store
        self.location = store.location
        self._keys: set[str] = set()

    def describe(self) -> str:
        return self._store.describe()

    async def get(self, key: str) -> str | None:
        return await self._store.get(key)

    async def set(self, key: str, value: str) -> None:
        self._keys.add(key)
        await self._store.set(key, value)

    async def delete(self, key: str) -> bool:
        self._keys.discard(key)
        return await self._store.delete(key)

    async def check(self, *, write: bool = False) -> None:
        await self._store.check(write=write)

    async def is_available(self) -> bool:
        return await self._store.is_available()

    async def forget(self) -> None:
        for key in sorted(self._keys):
            with contextlib.suppress(SecretStoreError):
                await self._store.delete(key)
        self._keys.clear()
