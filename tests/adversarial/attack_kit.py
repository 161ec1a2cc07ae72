"""The adversarial checks, written once: ``benchmarks/adversarial.py`` runs them at full count
and prints the figures; ``tests/adversarial`` runs a small count and asserts the outcomes.

Everything runs on this machine against the project's own simulator, 127.0.0.1 only, with the
real command line in subprocesses (as a user runs it), a config directory of its own, and the
announced plain-text secret store (so a kill's effect on the secrets is visible):

- ``flood``: a real ``authorize`` listening; thousands of hostile requests of every kind the
  catcher must refuse; then the genuine browser flow, which must still complete.
- ``kill_trials``: ``profile add``, ``profile remove`` and ``self-auth`` killed with SIGKILL at
  random moments; afterwards every file must parse, no secret may be left that no profile
  names, and the next write must leave no temp file behind.
- ``concurrent_adds``: several ``profile add`` at once; every one that exits 0 must be on disk
  with its secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from port_kit import quiet_port

from oauth_wizard.core.records import ProfileRecord, client_secret_key, refresh_token_key
from oauth_wizard.keep.store import ProfileStore, StoreError
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator

APP_ID = "amzn1.sp.solution.00000000-0000-4000-8000-00000000a11c"
CLIENT_ID = "amzn1.application-oa2-client." + "a1" * 16
SECRET = "amzn1.oa2-cs.v1." + "5eed" * 16
SELLER = "A1ATTACKSTORE"
SECRETS_FILE = "insecure-secrets.json"


# --- the world: a simulator, a config directory, the CLI in a subprocess -----------------------

@dataclass
class World:
    """A simulator on 127.0.0.1 and a config directory, with the environment the CLI needs."""

    simulator: Simulator
    config_dir: Path
    port: int  # the registered Login/Redirect URIs' port (the catcher's)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH_WIZARD_")}
        env.update(OAUTH_WIZARD_PORTAL_URL=self.simulator.portal_url,
                   OAUTH_WIZARD_LWA_URL=self.simulator.lwa_url,
                   OAUTH_WIZARD_SPAPI_URL=self.simulator.spapi_url,
                   OAUTH_WIZARD_CONFIG_DIR=str(self.config_dir), NO_COLOR="1",
                   PYTHONWARNINGS="ignore")
        return env

    async def cli(self, *argv: str, stdin: str = "") -> Proc:
        """Start ``oauth-wizard --insecure-storage ARGV`` (not waited for)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oauth_wizard", "--insecure-storage", *argv,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self.env)
        assert process.stdin is not None
        if stdin:
            process.stdin.write(stdin.encode())
        process.stdin.close()
        return Proc(process)

    async def run(self, *argv: str, stdin: str = "", within: float = 60) -> tuple[int, str, str]:
        proc = await self.cli(*argv, stdin=stdin)
        return await proc.finish(within)

    def add_args(self, name: str) -> list[str]:
        base = f"http://127.0.0.1:{self.port}"
        return ["profile", "add", name, "--app-id", APP_ID, "--client-id", CLIENT_ID,
                "--app-state", "draft", "--marketplace", "US", "--login-uri", f"{base}/login",
                "--redirect-uri", f"{base}/cb"]


@dataclass
class Proc:
    process: asyncio.subprocess.Process
    stderr_seen: list[bytes] = field(default_factory=list)

    async def finish(self, within: float) -> tuple[int, str, str]:
        out, err = await asyncio.wait_for(self.process.communicate(), within)
        return self.process.returncode or 0, out.decode(), err.decode()

    def rss_kb(self) -> int:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


@contextlib.asynccontextmanager
async def world(config_dir: Path):
    port = quiet_port()
    base = f"http://127.0.0.1:{port}"
    registry = parse_registry({"apps": [{
        "app_id": APP_ID, "client_id": CLIENT_ID, "client_secret": SECRET,
        "app_state": "draft", "login_uri": f"{base}/login", "redirect_uris": [f"{base}/cb"],
        "marketplaces": ["US"]}], "sellers": [{
            "selling_partner_id": SELLER, "marketplaces": ["US"],
            "users": [{"name": "Pat", "primary": True}]}]})
    simulator = Simulator(registry)
    await simulator.start()
    try:
        yield World(simulator, config_dir, port)
    finally:
        await simulator.stop()


# --- hostile requests --------------------------------------------------------------------------

def _get(path: str, params: list[tuple[str, str]] | str) -> bytes:
    query = params if isinstance(params, str) else urlencode(params)
    return f"GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def hostile_kinds(rng: random.Random) -> dict[str, bytes]:
    """One request of each kind the catcher must refuse (a new random state each call)."""
    forged = "".join(rng.choice("abcdef0123456789") for _ in range(32))
    code = [("spapi_oauth_code", "ANforgedcode"), ("selling_partner_id", "A1FORGED")]
    login = [("amazon_state", "s"), ("selling_partner_id", "A1FORGED"), ("version", "beta")]
    return {
        "wrong state": _get("/cb", [("state", forged), *code]),
        "missing state": _get("/cb", code),
        "empty state": _get("/cb", [("state", ""), *code]),
        "duplicated state": _get("/cb", [("state", forged), ("state", "x"), *code]),
        "duplicated code": _get("/cb", [("state", forged), *code, *code]),
        "error without state": _get("/cb", [("error", "access_denied")]),
        "foreign callback": _get("/login", [("amazon_callback_uri",
                                             "https://evil.example/apps/authorize/confirm/x"),
                                            *login]),
        "scheme-relative callback": _get("/login", [("amazon_callback_uri",
                                                     "//evil.example/x"), *login]),
        "javascript callback": _get("/login", [("amazon_callback_uri", "javascript:alert(1)"),
                                               *login]),
        "look-alike host": _get("/login", [("amazon_callback_uri",
                                            "https://sellercentral.amazon.com.evil.example/x"),
                                           *login]),
        "backslash host": _get("/login", [("amazon_callback_uri",
                                           "https://sellercentral.amazon.com\\@evil.example/"),
                                          *login]),
        "nul in query": _get("/cb", f"state={forged}%00&spapi_oauth_code=x"),
        "bad percent-encoding": _get("/cb", "state=%zz%&spapi_oauth_code=%"),
        "wrong path": _get("/admin", [("state", forged)]),
        "wrong method": (b"POST /cb HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n"
                         b"state"),
        "huge body": (b"PUT /cb HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n"
                      + b"z" * 65536),
        "oversized request line": b"GET /cb?state=" + b"x" * 9000 + b" HTTP/1.1\r\n\r\n",
        "oversized header": (b"GET /cb HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: "
                             + b"c" * 9000 + b"\r\n\r\n"),
        "too many headers": (b"GET /cb HTTP/1.1\r\n"
                             + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n"),
        "junk": bytes(rng.randrange(256) for _ in range(200)) + b"\r\n\r\n",
        "not http": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
    }


@dataclass
class FloodReport:
    sent: int = 0
    answered: Counter = field(default_factory=Counter)  # status line code -> count
    closed_without_answer: int = 0
    hangs: int = 0
    forged_accepted: int = 0
    open_redirects: int = 0
    slowloris_closed: int = 0
    slowloris_held: int = 0
    by_kind: Counter = field(default_factory=Counter)


async def _send(port: int, data: bytes, report: FloodReport, within: float = 5.0) -> None:
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), within)
    except (OSError, TimeoutError):
        report.closed_without_answer += 1
        return
    try:
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), within)
    except TimeoutError:
        report.hangs += 1
        answer = b""
    except ConnectionError:
        answer = b""
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    report.sent += 1
    if not answer:
        report.closed_without_answer += 1
        return
    status_line = answer.split(b"\r\n", 1)[0].split()
    status = status_line[1].decode(errors="replace") if len(status_line) > 1 else "?"
    report.answered[status] += 1
    head, _, body = answer.partition(b"\r\n\r\n")
    if status == "200" and b"Authorized" in body:
        report.forged_accepted += 1
    if status.startswith("3"):
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"location:"):
                host = urlsplit(line.split(b":", 1)[1].strip().decode(errors="replace")).hostname
                if host not in ("127.0.0.1", None):
                    report.open_redirects += 1


async def _slowloris(port: int, hold: float, report: FloodReport) -> None:
    """One header byte every half second; the catcher should close it within its limits."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    writer.write(b"GET /cb HTTP/1.1\r\n")
    deadline = time.monotonic() + hold
    closed = False
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        if reader.at_eof():
            closed = True
            break
        try:
            writer.write(b"X")
            await writer.drain()
        except ConnectionError:
            closed = True
            break
    if not closed:
        with contextlib.suppress(TimeoutError, ConnectionError):
            closed = await asyncio.wait_for(reader.read(1), 0.5) == b""
    writer.close()
    if closed:
        report.slowloris_closed += 1
    else:
        report.slowloris_held += 1


async def flood(port: int, count: int, *, seed: int = 7, concurrency: int = 64,
                slowloris: int = 8, hold: float = 20.0) -> FloodReport:
    """``count`` hostile requests of every kind (round robin), ``slowloris`` held connections
    alongside; 127.0.0.1 only."""
    rng = random.Random(seed)
    report = FloodReport()
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        kinds = hostile_kinds(rng)
        name = list(kinds)[i % len(kinds)]
        report.by_kind[name] += 1
        async with gate:
            await _send(port, kinds[name], report)

    loris = [asyncio.create_task(_slowloris(port, hold, report)) for _ in range(slowloris)]
    await asyncio.gather(*(one(i) for i in range(count)))
    await asyncio.gather(*loris)
    return report


# --- a real authorize under attack ----------------------------------------------------------

@dataclass
class AuthorizeUnderAttack:
    flood: FloodReport
    rss_before_kb: int
    rss_after_kb: int
    alive_after_flood: bool
    genuine_completed: bool
    exit_code: int | None
    tracebacks: int
    refused_lines: int
    token_stored: bool
    seconds: float
    stderr_tail: str = ""


async def authorize_under_attack(w: World, count: int, *, slowloris: int = 8,
                                 hold: float = 20.0) -> AuthorizeUnderAttack:
    code, _, err = await w.run(*w.add_args("shop"), stdin=SECRET)
    assert code == 0, err
    started = time.monotonic()
    proc = await w.cli("authorize", "shop", "--no-browser", "--timeout", "900")
    stdout = proc.process.stdout
    assert stdout is not None
    consent = (await asyncio.wait_for(stdout.readline(), 30)).decode().strip()
    await asyncio.sleep(0.5)  # the listener is up before the URL is printed; let it settle
    rss_before = proc.rss_kb()
    report = await flood(w.port, count, slowloris=slowloris, hold=hold)
    rss_after = proc.rss_kb()
    alive = proc.process.returncode is None
    genuine = False
    if alive:
        async with httpx.AsyncClient(follow_redirects=True, timeout=20, trust_env=False) as http:
            final = await http.get(consent + "&sim_user=Pat")
        genuine = final.status_code == 200 and "Authorized" in final.text
    try:
        exit_code, out, err = await proc.finish(60)
    except TimeoutError:
        proc.process.kill()
        exit_code, out, err = await proc.finish(10)
    stored = False
    with contextlib.suppress(OSError, ValueError):
        secrets = json.loads((w.config_dir / SECRETS_FILE).read_text())["secrets"]
        stored = refresh_token_key("shop", "NA", SELLER) in secrets
    text = out + err
    return AuthorizeUnderAttack(
        report, rss_before, rss_after, alive, genuine, exit_code, text.count("Traceback"),
        sum(1 for line in err.splitlines() if "efused a request" in line), stored,
        time.monotonic() - started, err[-600:])


# --- kills and concurrent writers ------------------------------------------------------------

@dataclass
class KillReport:
    trials: int = 0
    killed: int = 0
    corrupt_files: int = 0
    dangling_secrets: int = 0
    missing_secrets_seen_by_status: int = 0
    temp_files_left: int = 0
    ops: Counter = field(default_factory=Counter)


def named_keys(records: dict[str, ProfileRecord]) -> set[str]:
    keys = set()
    for rec in records.values():
        keys.add(client_secret_key(rec.name))
        keys |= {refresh_token_key(rec.name, a.region, a.selling_partner_id)
                 for a in rec.authorizations}
    return keys


def audit(config_dir: Path) -> tuple[bool, set[str], set[str]]:
    """Whether both files parse, the secrets no record names (dangling), and the records whose
    secret is missing (which ``status`` reports)."""
    try:
        records = ProfileStore(config_dir).load()
    except StoreError:
        return False, set(), set()
    path = config_dir / SECRETS_FILE
    try:
        secrets = json.loads(path.read_text())["secrets"] if path.exists() else {}
    except (ValueError, KeyError):
        return False, set(), set()
    named = named_keys(records)
    return True, set(secrets) - named, named - set(secrets)


def temp_files(config_dir: Path) -> list[Path]:
    return [p for p in config_dir.glob(".*.tmp")] if config_dir.exists() else []


async def kill_trials(w: World, trials: int, *, seed: int = 11,
                      max_delay: float = 0.9) -> KillReport:
    """Start a write, SIGKILL it at a random moment, audit; repeat."""
    rng = random.Random(seed)
    report = KillReport()
    names = [f"p{i}" for i in range(6)]
    for _ in range(trials):
        records = {}
        with contextlib.suppress(StoreError):
            records = ProfileStore(w.config_dir).load()
        name = rng.choice(names)
        choices = ["add", "remove" if name in records else "add"]
        if name in records:
            choices.append("self-auth")
        op = rng.choice(choices)
        report.ops[op] += 1
        if op == "add":
            proc = await w.cli(*w.add_args(name), "--force", stdin=SECRET)
        elif op == "remove":
            proc = await w.cli("profile", "remove", name, "--yes")
        else:
            token = w.simulator.self_authorize(APP_ID, SELLER, "NA")
            proc = await w.cli("self-auth", name, "--selling-partner", SELLER, stdin=token)
        await asyncio.sleep(rng.uniform(0.05, max_delay))
        if proc.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.process.send_signal(signal.SIGKILL)
                report.killed += 1
        with contextlib.suppress(TimeoutError):
            await proc.finish(30)
        report.trials += 1
        ok, dangling, missing = audit(w.config_dir)
        report.corrupt_files += not ok
        report.dangling_secrets += len(dangling)
        report.missing_secrets_seen_by_status += len(missing)
    # one more write sweeps what the killed ones left (temp files older than a minute)
    for tmp in temp_files(w.config_dir):
        old = time.time() - 120
        os.utime(tmp, (old, old))
    await w.run(*w.add_args("final"), "--force", stdin=SECRET)
    await w.run("profile", "remove", "final", "--yes")
    report.temp_files_left = len(temp_files(w.config_dir))
    return report


@dataclass
class WriterReport:
    trials: int = 0
    adds: int = 0
    exited_ok: int = 0
    lost_profiles: int = 0
    lost_secrets: int = 0


async def concurrent_adds(w: World, trials: int, writers: int, each: int) -> WriterReport:
    """``writers`` processes at once, ``each`` adds apiece, per trial, into a fresh directory."""
    report = WriterReport()
    root = w.config_dir
    for trial in range(trials):
        w.config_dir = root / f"writers-{trial}"
        names = [[f"w{i}-{j}" for j in range(each)] for i in range(writers)]

        async def writer(mine: list[str]) -> list[str]:
            done = []
            for name in mine:
                code, _, _ = await w.run(*w.add_args(name), stdin=SECRET)
                if code == 0:
                    done.append(name)
            return done

        finished = await asyncio.gather(*(writer(mine) for mine in names))
        ok = [n for done in finished for n in done]
        records = ProfileStore(w.config_dir).load()
        secrets = json.loads((w.config_dir / SECRETS_FILE).read_text())["secrets"]
        report.trials += 1
        report.adds += writers * each
        report.exited_ok += len(ok)
        report.lost_profiles += sum(1 for n in ok if n not in records)
        report.lost_secrets += sum(1 for n in ok if client_secret_key(n) not in secrets)
    w.config_dir = root
    return report
