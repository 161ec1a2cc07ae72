"""What the authorize command tests share: an in-memory keyring, a free port for the registered
URIs, and the simulated Amazon listening with them (``cli_kit.simulated_amazon``). A module may
override ``cfg`` (the config directory and environment)."""

from __future__ import annotations

import pytest
from cli_kit import MemoryKeyring, install_keyring, simulated_amazon
from port_kit import quiet_port


@pytest.fixture
def keyring_backend(monkeypatch, tmp_path):
    backend = MemoryKeyring()
    install_keyring(monkeypatch, tmp_path, backend)
    return backend


@pytest.fixture
def cfg(monkeypatch, tmp_path):
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("OAUTH_WIZARD_DEBUG", raising=False)
    return tmp_path / "cfg"


@pytest.fixture
def port():
    return quiet_port()


@pytest.fixture
async def sim(monkeypatch, port, keyring_backend, cfg):
    async with simulated_amazon(monkeypatch, port) as simulator:
        yield simulator
