"""Helpers for the CLI tests that run ``main(argv)`` in a thread next to an in-process
simulator: streams the test can read line by line while the command runs, a stdin it can feed,
an in-memory keyring, and a "browser" that follows the legs over real loopback sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import keyring.core
import keyring.errors
import keyring_kit

from oauth_wizard.cli.main import main
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator

SERVICE = "oauth-wizard"
APP = {
    "draft": "amzn1.sp.solution.00000000-0000-4000-8000-00000000d4af",
    "published": "amzn1.sp.solution.00000000-0000-4000-8000-0000000b11c5",
    "tls": "amzn1.sp.solution.00000000-0000-4000-8000-000000007150",
}
CLIENT_ID = {"draft": "amzn1.application-oa2-client." + "d" * 32,
             "published": "amzn1.application-oa2-client." + "b" * 32,
             "tls": "amzn1.application-oa2-client." + "7" * 32}
CLIENT_SECRET = {"draft": "amzn1.oa2-cs.v1." + "d1" * 32,
                 "published": "amzn1.oa2-cs.v1." + "b2" * 32,
                 "tls": "amzn1.oa2-cs.v1." + "75" * 32}
SELLER = "A1PATSTORE"


class MemoryKeyring(keyring_kit.MemoryKeyring):
    """The suite's in-memory keyring; ``fail_on`` makes chosen operations raise."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_on: set[str] = set()

    def set_password(self, service, username, password):
        if "set" in self.fail_on and ":refresh:" in username:
            raise keyring.errors.PasswordSetError("the keyring refused the write")
        super().set_password(service, username, password)


def install_keyring(monkeypatch, tmp_path, backend) -> None:
    """Select ``backend`` for this test and restore the previous one after it."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)  # restored after the test
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)


class Tap(io.TextIOBase):
    """A stdout/stderr stand-in: keeps everything and hands out complete lines as they come."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[str] = []
        self._partial = ""
        self._lock = threading.Lock()
        self.lines: queue.Queue[str] = queue.Queue()

    def write(self, text: str) -> int:
        with self._lock:
            self._parts.append(text)
            self._partial += text
            while "\n" in self._partial:
                line, self._partial = self._partial.split("\n", 1)
                self.lines.put(line)
        return len(text)

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def getvalue(self) -> str:
        with self._lock:
            return "".join(self._parts)

    async def next_line(self, within: float = 10.0) -> str:
        return await asyncio.to_thread(self.lines.get, True, within)


class Feed(io.TextIOBase):
    """A stdin the test writes to while the command reads it (not a terminal)."""

    def __init__(self, text: str = "", *, closed: bool = False) -> None:
        super().__init__()
        self._q: queue.Queue[str | None] = queue.Queue()
        self.reads = 0
        if text:
            self._q.put(text)
        if closed:
            self._q.put(None)
        self._buffer = ""
        self._eof = False

    def send(self, line: str) -> None:
        self._q.put(line + "\n")

    def close_input(self) -> None:
        self._q.put(None)

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        if self._eof:
            return False
        item = self._q.get(timeout=20)
        if item is None:
            self._eof = True
            return False
        self._buffer += item
        return True

    def readline(self, size: int = -1) -> str:
        self.reads += 1
        while "\n" not in self._buffer and self._fill():
            pass
        line, sep, rest = self._buffer.partition("\n")
        self._buffer = rest
        return line + sep

    def read(self, size: int = -1) -> str:
        self.reads += 1
        while self._fill():
            pass
        text, self._buffer = self._buffer, ""
        return text


class Cli:
    """``main(argv)`` in a thread with tapped stdout/stderr and a fed stdin."""

    def __init__(self, monkeypatch, stdin: Feed | None = None) -> None:
        self.out, self.err = Tap(), Tap()
        self.stdin = stdin or Feed(closed=True)
        monkeypatch.setattr("sys.stdout", self.out)
        monkeypatch.setattr("sys.stderr", self.err)
        monkeypatch.setattr("sys.stdin", self.stdin)
        self.task: asyncio.Future[int] | None = None

    def start(self, *argv: str) -> Cli:
        self.task = asyncio.ensure_future(asyncio.to_thread(main, list(argv)))
        return self

    async def wait(self, within: float = 20.0) -> int:
        assert self.task is not None
        code = await asyncio.wait_for(self.task, within)
        for text in (self.out.getvalue(), self.err.getvalue()):
            assert "Traceback" not in text
        return code


def run_sync(monkeypatch, *argv: str, stdin: str | Feed | None = None) -> tuple[int, str, str]:
    """``main(argv)`` with tapped streams, in a thread of its own (so its ``asyncio.run`` never
    meets a running loop); stdin text is all there is. Blocks: from a test whose simulator
    must answer meanwhile, use ``arun``."""
    feed = stdin if isinstance(stdin, Feed) else Feed(stdin or "", closed=True)
    cli = Cli(monkeypatch, feed)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(list(argv))))
    worker.start()
    worker.join(30)
    assert result, "the command did not finish within 30 s"
    code = result[0]
    out, err = cli.out.getvalue(), cli.err.getvalue()
    assert "Traceback" not in out and "Traceback" not in err
    return code, out, err


async def arun(monkeypatch, *argv: str, stdin: str | Feed | None = None
               ) -> tuple[int, str, str]:
    """``run_sync`` without blocking the test's event loop (where the simulator runs)."""
    return await asyncio.to_thread(run_sync, monkeypatch, *argv, stdin=stdin)


def assert_nothing_listens(port: int) -> None:
    """Binding with SO_REUSEADDR fails only while a listener holds the port (connections
    left in TIME_WAIT do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def browse(url: str, *, user: str | None = None) -> httpx.Response:
    """A browser that approves and follows every redirect through the listening catcher (it
    accepts the catcher's self-signed certificate, as a user who trusted it would)."""
    if user:
        url += f"&sim_user={user}"
    async with httpx.AsyncClient(follow_redirects=True, timeout=10, verify=False) as http:  # noqa: S501
        return await http.get(url)


async def next_hop(url: str) -> str:
    """Where the page at ``url`` redirects the browser (the address bar after that hop)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as http:
        response = await http.get(url)
    assert response.status_code == 302, response.text
    return response.headers["location"]


@contextlib.asynccontextmanager
async def simulated_amazon(monkeypatch, port: int):
    """The local Amazon the authorize tests share, with the environment pointing the wizard at
    it: a draft and a published app on http 127.0.0.1:``port``, the draft app again with https
    URIs on localhost (the "tls" app), and a seller with a primary (Pat) and a secondary (Sam)
    user."""
    def app(state: str, base: str = f"http://127.0.0.1:{port}", key: str = "") -> dict:
        return {"app_id": APP[key or state], "client_id": CLIENT_ID[key or state],
                "client_secret": CLIENT_SECRET[key or state], "app_state": state,
                "login_uri": f"{base}/login", "redirect_uris": [f"{base}/cb"],
                "marketplaces": ["US", "CA"]}

    apps = [app("draft"), app("published"), app("draft", f"https://localhost:{port}", "tls")]
    registry = parse_registry({"apps": apps, "sellers": [
        {"selling_partner_id": SELLER, "marketplaces": ["US", "CA"],
         "users": [{"name": "Pat", "primary": True}, {"name": "Sam", "primary": False}]}]})
    simulator = Simulator(registry, auto_approve=True)
    await simulator.start()
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", simulator.portal_url)
    monkeypatch.setenv("OAUTH_WIZARD_LWA_URL", simulator.lwa_url)
    monkeypatch.setenv("OAUTH_WIZARD_SPAPI_URL", simulator.spapi_url)
    try:
        yield simulator
    finally:
        await simulator.stop()


def add_profile(monkeypatch, port: int, *extra: str, state: str = "draft", name: str = "shop",
                markets: str = "US", base: str = "http://127.0.0.1", key: str = "") -> None:
    """``profile add`` for one of the simulated apps, the client secret on stdin."""
    code, _, err = run_sync(
        monkeypatch, "profile", "add", name, "--app-id", APP[key or state], "--client-id",
        CLIENT_ID[key or state], "--app-state", state, "--marketplace", markets,
        "--login-uri", f"{base}:{port}/login", "--redirect-uri", f"{base}:{port}/cb", *extra,
        stdin=CLIENT_SECRET[key or state])
    assert code == 0, err
