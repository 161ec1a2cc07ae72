"""The end-to-end layer's tools: a headless Chromium that dumps the DOM it lands on, and a
private Secret Service (D-Bus session bus + gnome-keyring) started and stopped by the tests.

Everything started here runs in a process group of its own and is stopped by its id (SIGTERM,
then SIGKILL) and reaped. A missing tool fails the test in CI (``CI`` set, as .ci/run runs) and
skips it elsewhere, both naming the Debian package to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--password-store=basic",
                  "--ignore-certificate-errors")
SECRETS_BUS_NAME = "org.freedesktop.secrets"
KEYRING_BACKEND = "keyring.backends.SecretService.Keyring"
KEYRING_PASSWORD = "e2e-login-keyring"  # noqa: S105 - a throwaway keyring's password
BASE_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(tool: str, package: str) -> str:
    """The tool's path; otherwise fail in CI, skip elsewhere, naming the Debian package."""
    path = tool if os.path.isabs(tool) and os.access(tool, os.X_OK) else shutil.which(tool)
    if path:
        return path
    message = (f"{tool} is not installed: install the Debian package '{package}' "
               f"(apt-get install {package}); .ci/run installs it in CI.")
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group we created, then SIGKILL it if it lingers; always reap."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    with contextlib.suppress(ProcessLookupError):  # services the bus activated for us
        os.killpg(proc.pid, signal.SIGKILL)


# --- Chromium -------------------------------------------------------------------------------------

@dataclass
class Chromium:
    path: str
    profiles: Path

    async def dump_dom(self, url: str, *, within: float = 30.0) -> str:
        """Open ``url``, follow its redirects, and return the final page's DOM."""
        profile = self.profiles / f"profile-{time.monotonic_ns()}"
        env = {k: os.environ[k] for k in BASE_ENV if k in os.environ}
        env["HOME"] = str(profile / "home")  # and no D-Bus: it must not touch the keyring
        proc = await asyncio.create_subprocess_exec(
            self.path, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
            start_new_session=True)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), within)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            raise AssertionError(f"Chromium did not finish {url} within {within:g} s") from None
        finally:
            with contextlib.suppress(ProcessLookupError):  # its zygote and renderers
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode == 0, f"Chromium exited {proc.returncode}: {err.decode()[-2000:]}"
        return out.decode("utf-8", "replace")


@dataclass
class SecretService:
    """A running private bus with an unlocked gnome-keyring on it."""

    address: str
    root: Path
    bus: subprocess.Popen
    daemon: subprocess.Popen

    def env(self) -> dict[str, str]:
        """Environment for a child process that should use this keyring."""
        return {**{k: os.environ[k] for k in BASE_ENV if k in os.environ},
                "HOME": str(self.root / "home"), "DBUS_SESSION_BUS_ADDRESS": self.address,
                "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND}

    def lock(self) -> None:
        """Lock the default collection, as a screen lock or a timeout would."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        with contextlib.closing(open_dbus_connection(self.address)) as conn:
            secretstorage.get_default_collection(conn).lock()

    def stop(self) -> None:
        _stop(self.daemon)
        _stop(self.bus)


def start_secret_service(root: Path, *, within: float = 10.0) -> SecretService:
    dbus_daemon = require("dbus-daemon", "dbus")
    keyring_daemon = require("gnome-keyring-daemon", "gnome-keyring")
    for sub in ("home", "data", "config", "run"):
        (root / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    socket_path = root / "bus"
    address = f"unix:path={socket_path}"
    env = {k: os.environ[k] for k in BASE_ENV if k in os.environ}
    env.update(HOME=str(root / "home"), XDG_DATA_HOME=str(root / "data"),
               XDG_CONFIG_HOME=str(root / "config"), XDG_RUNTIME_DIR=str(root / "run"),
               DBUS_SESSION_BUS_ADDRESS=address)
    argv = [dbus_daemon, "--session", "--nofork", f"--address={address}"]
    with (root / "dbus.log").open("wb") as log:
        bus = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,  # noqa: S603
                               stderr=log, env=env, start_new_session=True)
    deadline = time.monotonic() + within
    while not socket_path.exists():
        if bus.poll() is not None or time.monotonic() > deadline:
            _stop(bus)
            raise RuntimeError(f"dbus-daemon did not start: {(root / 'dbus.log').read_text()}")
        time.sleep(0.02)
    argv = [keyring_daemon, "--foreground", "--unlock", "--components=secrets"]
    with (root / "gnome-keyring.log").open("wb") as log:
        daemon = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=log,  # noqa: S603
                                  stderr=log, env=env, start_new_session=True)
    assert daemon.stdin is not None
    daemon.stdin.write(KEYRING_PASSWORD.encode())
    daemon.stdin.close()
    service = SecretService(address, root, bus, daemon)
    try:
        _wait_unlocked(service, deadline)
    except BaseException:
        service.stop()
        raise
    return service


def _wait_unlocked(service: SecretService, deadline: float) -> None:
    """Until gnome-keyring owns the Secret Service name and its default collection is open."""
    import secretstorage
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus_proxy = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                            interface="org.freedesktop.DBus")
    last: object = None
    while time.monotonic() < deadline:
        if service.daemon.poll() is not None:
            break
        try:
            with contextlib.closing(open_dbus_connection(service.address)) as conn:
                owned = conn.send_and_get_reply(
                    new_method_call(bus_proxy, "NameHasOwner", "s", (SECRETS_BUS_NAME,)))
                if owned.body[0] and not secretstorage.get_default_collection(conn).is_locked():
                    return
                last = "the login collection is still locked"
        except Exception as exc:  # noqa: BLE001 - not up yet; reported if it never comes
            last = exc
        time.sleep(0.05)
    log = (service.root / "gnome-keyring.log").read_text(errors="replace")
    raise RuntimeError(f"gnome-keyring did not come up unlocked ({last}): {log[-1500:]}")


