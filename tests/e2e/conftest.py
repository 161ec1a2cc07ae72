"""Fixtures of the end-to-end layer: a real headless Chromium and a real Secret Service.

``chromium``: Debian's /usr/bin/chromium, run once per page with ``--dump-dom`` (it follows every
redirect and prints the final DOM), the flags this machine needs (headless, no sandbox as root,
no background networking) and a fresh profile directory each time; ``--ignore-certificate-errors``
stands in for trusting the wizard's generated certificate.

``secret_service``: a private D-Bus session bus (``dbus-daemon --session --nofork`` on a socket
in a temp dir) and ``gnome-keyring-daemon --foreground --unlock --components=secrets`` on it,
its login keyring created and unlocked with a password written to its stdin, in throwaway
HOME/XDG dirs with no DISPLAY (so no unlock prompt can appear on a desktop). For the session,
``DBUS_SESSION_BUS_ADDRESS`` points at that bus and ``keyring`` uses
``keyring.backends.SecretService.Keyring``; both daemons run in their own process groups and are
stopped (and reaped) at the end. Tests using it are marked ``real_keyring``, so the suite's
in-memory stand-in stays out of their way (tests/conftest.py).

A missing tool fails the test in CI (``CI`` set, as .ci/run runs) and skips it elsewhere, both
with the Debian package to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from e2e_tools import CHROMIUM, Chromium, SecretService, require, start_secret_service


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    return Chromium(require(CHROMIUM, "chromium"), tmp_path_factory.mktemp("chromium"))


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """The session's real Secret Service; keyring and D-Bus point at it until the end."""
    from keyring.backends import SecretService as SecretServiceBackend

    service = start_secret_service(tmp_path_factory.mktemp("secret-service"))
    previous_backend = keyring.core._keyring_backend
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        keyring.set_keyring(SecretServiceBackend.Keyring())
        try:
            yield service
        finally:
            keyring.core._keyring_backend = previous_backend
            service.stop()


@pytest.fixture
def system_keyring(secret_service: SecretService,
                   monkeypatch: pytest.MonkeyPatch) -> SecretService:
    """For one ``real_keyring`` test: D-Bus and keyring aimed at the session's Secret Service
    (set again per test, in case an earlier test changed them)."""
    from keyring.backends import SecretService as SecretServiceBackend

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    monkeypatch.setattr(keyring.core, "_keyring_backend", SecretServiceBackend.Keyring())
    return secret_service


@pytest.fixture
def private_secret_service(tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A Secret Service of this test's own (for tests that lock it, which cannot be undone
    without an unlock prompt); D-Bus points at it for the test."""
    service = start_secret_service(tmp_path / "secret-service")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    try:
        yield service
    finally:
        service.stop()
