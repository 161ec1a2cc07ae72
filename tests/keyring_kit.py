"""A keyring backend that works and lives in the test's process: the stand-in for a real
Secret Service wherever a test needs a keyring that simply keeps what it is given."""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError

from oauth_wizard.keep.secrets import PROBE_KEY


class MemoryKeyring(KeyringBackend):
    """Keeps passwords in ``data``; deleting a missing entry raises, as real backends do."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        if self.data.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class Faulty(MemoryKeyring):
    """Fails ``op`` ("get", "set" or "delete") for the keys ``on`` selects ("all", or "real":
    every key but the availability probe's) by raising, or by hanging until ``release`` is
    set (a keyring waiting on an unlock prompt nobody sees)."""

    def __init__(self, op: str, on: str = "all", hang: bool = False,
                 release: threading.Event | None = None) -> None:
        super().__init__()
        self.op, self.on, self.hang = op, on, hang
        self.release = release or threading.Event()

    def _fault(self, op: str, username: str) -> None:
        hit = self.on == "all" or (self.on == "real" and username != PROBE_KEY)
        if op == self.op and hit:
            if self.hang:
                self.release.wait(10)
            raise PasswordSetError(f"the keyring refused to {op}")

    def get_password(self, service, username):
        self._fault("get", username)
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        self._fault("set", username)
        super().set_password(service, username, password)

    def delete_password(self, service, username):
        self._fault("delete", username)
        super().delete_password(service, username)


def fault_backends(release: threading.Event) -> dict[str, object]:
    """The eight keyring faults a user meets, by name (``release`` ends every hang)."""
    from keyring.backends import fail, null

    return {
        "absent": fail.Keyring(),
        "null (disabled)": null.Keyring(),
        "raises on read": Faulty("get"),
        "hangs on read": Faulty("get", hang=True, release=release),
        "reads, refuses writes": Faulty("set"),
        "hangs on write": Faulty("set", hang=True, release=release),
        "hangs reading a real key": Faulty("get", on="real", hang=True, release=release),
        "refuses the real key only": Faulty("set", on="real"),
    }
