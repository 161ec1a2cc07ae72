"""Where secrets live: the OS keyring, an announced plain-text file, or memory for the demo.

Every store has the same async API, so screens and the flow never block. The keyring store
runs each call in its own daemon thread with a timeout: a Secret Service waiting on an unlock
prompt nobody sees must not hang the wizard (gh and stripe use 3 seconds too), and a hung
thread must not keep the process alive at exit. Keyring failures become ``SecretStoreError``
with a kind, one sentence saying what was not done, and the options. Nothing ever falls back
to plain text by itself: the file store exists only when the user asked for
``--insecure-storage``, and it announces every read and write through a callback.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import Location, describe_key

SERVICE = "oauth-wizard"
DEFAULT_TIMEOUT = 3.0
INSECURE_FILE_NAME = "insecure-secrets.json"
PROBE_KEY = "oauth-wizard:availability-probe"
FILE_FORMAT_VERSION = 1

T = TypeVar("T")

OPT_UNLOCK = ("Unlock the keyring (log in to the desktop session or answer its unlock prompt), "
              "then try again.")
OPT_INSTALL = ("Install and start a Secret Service such as gnome-keyring (Debian/Ubuntu: "
               "sudo apt install gnome-keyring; on a machine without a desktop, run the wizard "
               "under dbus-run-session with the keyring daemon unlocked).")
OPT_INSECURE = ("Or rerun with --insecure-storage to keep secrets in a 0600 plain-text file in "
                "the config directory, announced every time it is used.")
OPT_RESTART = "Restart the keyring daemon (for gnome-keyring: log out and in, or restart it)."


class SecretStoreError(WizardError):
    """A secret could not be read, saved or removed. ``str()`` is the message.

    ``kind``: no_backend, disabled, insecure_backend, locked, timeout, init_failed,
    write_failed, delete_failed, backend_error, file_corrupt, file_error. ``options`` are the
    ways out (each a whole sentence); ``fix`` joins them.
    """

    fix_in_str = False

    def __init__(self, kind: str, message: str, options: tuple[str, ...] = (), *,
                 backend: str | None = None) -> None:
        super().__init__(message, " ".join(options))
        self.kind = kind
        self.options = options
        self.backend = backend

    def __repr__(self) -> str:
        return f"SecretStoreError(kind={self.kind!r}, backend={self.backend!r})"


async def usable(store: SecretStore) -> bool:
    """Whether ``store`` can keep secrets now (its ``check`` passes)."""
    try:
        await store.check()
    except SecretStoreError:
        return False
    return True


class SecretStore(Protocol):
    """What the flow and the commands need from any store."""

    location: Location

    def describe(self) -> str: ...

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def delete(self, key: str) -> bool: ...

    async def check(self, *, write: bool = False) -> None:
        """Raise ``SecretStoreError`` saying why the store cannot be used; with ``write``,
        also prove it can save and remove (done before a secret is typed, so a store that
        reads but will not write is found before the user has anything to lose)."""

    async def is_available(self) -> bool: ...


class MemorySecretStore:
    """Secrets kept for this run only (the demo on a machine without a keyring)."""

    location: Location = "memory"

    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    def describe(self) -> str:
        return "memory (this run only)"

    async def get(self, key: str) -> str | None:
        return self._data.get(key)

    async def set(self, key: str, value: str) -> None:
        self._data[key] = value

    async def delete(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    async def check(self, *, write: bool = False) -> None:
        return None

    async def is_available(self) -> bool:
        return True


class _Unusable(Exception):
    """Raised in the worker thread when the selected backend cannot keep secrets."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class KeyringSecretStore:
    """The OS keyring (service ``oauth-wizard``), each call in a thread with a timeout."""

    location: Location = "keyring"

    def __init__(self, service: str = SERVICE, timeout: float = DEFAULT_TIMEOUT, *,
                 backend: Any = None, max_stuck: int = 4) -> None:
        self.service = service
        self.timeout = timeout
        self._backend = backend  # None: whatever keyring selects (keyring.get_keyring())
        self._max_stuck = max_stuck
        self._stuck: set[threading.Thread] = set()
        self._backend_name = "keyring"

    def describe(self) -> str:
        return f"the system keyring ({self._backend_name})"

    async def get(self, key: str) -> str | None:
        return await self._run("read", key, lambda kr: kr.get_password(self.service, key))

    async def set(self, key: str, value: str) -> None:
        await self._run("save", key, lambda kr: kr.set_password(self.service, key, value),
                        secret=value)

    async def delete(self, key: str) -> bool:
        import keyring.errors

        def work(kr: Any) -> bool:
            try:
                kr.delete_password(self.service, key)
            except keyring.errors.PasswordDeleteError:
                if kr.get_password(self.service, key) is None:
                    return False  # there was nothing to delete
                raise
            return True

        return await self._run("delete", key, work)

    async def check(self, *, write: bool = False) -> None:
        await self._run("check", None, lambda kr: kr.get_password(self.service, PROBE_KEY))
        if not write:
            return
        probe = f"probe {os.getpid()} {time.time_ns()}"

        def save_and_remove(kr: Any) -> None:
            kr.set_password(self.service, PROBE_KEY, probe)
            kr.delete_password(self.service, PROBE_KEY)
        await self._run("probe", None, save_and_remove)

    async def is_available(self) -> bool:
        return await usable(self)

    def _resolve(self) -> Any:
        """The backend to use, or ``_Unusable`` for one that would drop or expose secrets."""
        import keyring
        from keyring.backends import chainer, fail, null

        kr = self._backend if self._backend is not None else keyring.get_keyring()
        self._backend_name = f"{type(kr).__module__}.{type(kr).__name__}"
        if isinstance(kr, fail.Keyring):
            raise _Unusable("no_backend")
        if isinstance(kr, null.Keyring):
            raise _Unusable("disabled")
        if isinstance(kr, chainer.ChainerBackend) and not kr.backends:
            raise _Unusable("no_backend")
        explicit = self._backend is not None or bool(os.environ.get("PYTHON_KEYRING_BACKEND"))
        if not explicit and kr.priority < 1:
            from keyring.core import load_config

            if load_config() is None:  # picked by detection, not chosen by the user
                raise _Unusable("insecure_backend")
        return kr

    async def _run(self, op: str, key: str | None, fn: Callable[[Any], T], *,
                   secret: str | None = None) -> T:
        import keyring.errors as ke

        self._stuck = {t for t in self._stuck if t.is_alive()}
        if len(self._stuck) >= self._max_stuck:
            raise self._error("stuck", op, key)
        try:
            return await _in_thread(lambda: fn(self._resolve()), self.timeout, self._stuck)
        except _Unusable as exc:
            raise self._error(exc.kind, op, key) from None
        except TimeoutError:
            raise self._error("timeout", op, key) from None
        except ke.KeyringLocked:
            raise self._error("locked", op, key) from None
        except ke.NoKeyringError as exc:
            raise self._error("no_backend", op, key, _detail(exc, secret)) from None
        except ke.InitError as exc:
            raise self._error("init_failed", op, key, _detail(exc, secret)) from None
        except ke.PasswordSetError as exc:
            raise self._error("write_failed", op, key, _detail(exc, secret)) from None
        except ke.PasswordDeleteError as exc:
            raise self._error("delete_failed", op, key, _detail(exc, secret)) from None
        except Exception as exc:  # any backend (D-Bus, macOS, Windows) can raise anything
            raise self._error("backend_error", op, key, _detail(exc, secret)) from None

    def _error(self, kind: str, op: str, key: str | None, detail: str = "") -> SecretStoreError:
        what = describe_key(key) if key else ("a test entry" if op == "probe" else "secrets")
        not_done = {"read": f"{what} could not be read", "save": f"{what} was not saved",
                    "delete": f"{what} was not removed",
                    "check": "oauth-wizard cannot keep secrets in it",
                    "probe": "its test entry was not saved and removed (checked before any "
                             "secret is typed)"}[op]
        name = self._backend_name
        said = f": {detail}" if detail else ""
        later = (" It may still be saved if a waiting prompt is answered later."
                 if op == "save" else "")
        table: dict[str, tuple[str, tuple[str, ...]]] = {
            "no_backend": (f"No system keyring is available (keyring found no usable backend"
                           f"{said}), so {not_done}.", (OPT_INSTALL, OPT_INSECURE)),
            "disabled": (f"Python keyring is disabled on this machine (the null backend is "
                         f"configured through PYTHON_KEYRING_BACKEND or keyringrc.cfg), so "
                         f"{not_done}.", ("Remove that setting to use the system keyring.",
                                          OPT_INSECURE)),
            "insecure_backend": (f"The only keyring backend found is {name}, which keyring "
                                 "itself does not recommend (it may keep secrets in a plain "
                                 f"file), so oauth-wizard did not use it and {not_done}.",
                                 (OPT_INSTALL, f"If you accept that backend, select it with "
                                  f"PYTHON_KEYRING_BACKEND={name}.", OPT_INSECURE)),
            "locked": (f"The keyring ({name}) is locked and was not unlocked, so {not_done}.",
                       (OPT_UNLOCK, OPT_INSECURE)),
            "timeout": (f"The keyring ({name}) did not answer within {self.timeout:g} s; an "
                        f"unlock prompt may be waiting unseen, or the keyring service is hung, "
                        f"so {not_done}.{later}", (OPT_UNLOCK, OPT_RESTART, OPT_INSECURE)),
            "stuck": (f"Earlier keyring calls are still waiting for an answer (probably an "
                      f"unlock prompt), so {not_done}.", (OPT_UNLOCK, OPT_RESTART, OPT_INSECURE)),
            "init_failed": (f"The keyring backend {name} could not start{said}, so {not_done}.",
                            (OPT_INSTALL, OPT_INSECURE)),
            "write_failed": (f"The keyring ({name}) refused to save {what}{said}"
                             + (f"; {not_done}." if op == "probe" else "."),
                             (OPT_UNLOCK, OPT_INSECURE)),
            "delete_failed": (f"The keyring ({name}) could not remove {what}{said}.",
                              (f"Remove the entry '{key}' of service '{self.service}' with the "
                               "keyring's own tool (for example Seahorse).",)),
            "backend_error": (f"The keyring backend {name} failed{said}, so {not_done}.",
                              ("Try again; if it repeats, check the keyring with its own tool.",
                               OPT_INSECURE)),
        }
        message, options = table[kind]
        return SecretStoreError("timeout" if kind == "stuck" else kind, message, options,
                                backend=name)


def _detail(exc: BaseException, secret: str | None) -> str:
    """The backend's own words, short and without the secret being saved."""
    text = " ".join(str(exc).split())[:200]
    text = scrub(text, [secret])
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _in_thread(fn: Callable[[], T], limit: float, stuck: set[threading.Thread]) -> T:
    """Run ``fn`` in a daemon thread; give up after ``limit`` seconds without waiting."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def deliver(ok: bool, value: Any) -> None:
        if not fut.done():
            fut.set_result(value) if ok else fut.set_exception(value)

    def runner() -> None:
        try:
            value, ok = fn(), True
        except BaseException as exc:  # delivered to the awaiting task, not lost in the thread
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(deliver, ok, value)
        except RuntimeError:
            pass  # the loop is gone: the caller gave up long ago

    thread = threading.Thread(target=runner, name="oauth-wizard-keyring", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(fut, limit)
    except TimeoutError:
        if thread.is_alive():
            stuck.add(thread)
        raise
