"""Suite-wide isolation: no test may read or write the developer's real profiles or keyring.

Every test gets a throwaway HOME, XDG directories and ``OAUTH_WIZARD_CONFIG_DIR``, loses any
endpoint override or keyring selection from the developer's shell, and has an in-memory keyring
backend installed (``keyring`` calls in this process land in ``isolated_keyring``). The D-Bus
session address is removed too, so a subprocess cannot reach the desktop's Secret Service.

Tests marked ``real_keyring`` (the end-to-end Secret Service layer in tests/e2e) keep keyring's
own backend selection: their fixtures point it at a private, throwaway Secret Service.
"""

from __future__ import annotations

import keyring.core
import keyring.errors
import pytest
from keyring_kit import MemoryKeyring

# Names the product or its libraries read from the environment that must not leak into tests.
LEAKY_ENV = ("OAUTH_WIZARD_CONFIG_DIR", "OAUTH_WIZARD_PORTAL_URL", "OAUTH_WIZARD_LWA_URL",
             "OAUTH_WIZARD_SPAPI_URL", "PYTHON_KEYRING_BACKEND", "XDG_CONFIG_DIRS",
             "XDG_DATA_DIRS", "XDG_RUNTIME_DIR")


@pytest.fixture(autouse=True)
def isolated_environment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Throwaway HOME/XDG/config dirs and no inherited overrides, for every test."""
    root = tmp_path_factory.mktemp("isolated")
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "home" / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "home" / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "home" / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(root / "home" / ".local" / "state"))
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(root / "config"))
    if request.node.get_closest_marker("real_keyring") is None:
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)


@pytest.fixture(autouse=True)
def isolated_keyring(request: pytest.FixtureRequest,
                     monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring | None:
    """The in-memory backend for this test (None for ``real_keyring`` tests)."""
    if request.node.get_closest_marker("real_keyring") is not None:
        return None
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)  # restored after the test
    return backend
