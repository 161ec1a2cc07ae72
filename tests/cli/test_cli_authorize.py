"""``authorize`` against an in-process simulator over real loopback sockets: listening with
http 127.0.0.1 URIs (draft and published apps), the browser or --no-browser, --paste, the
two-step --start/--complete mode, and the failures: busy port, timeout, unusable keyring,
a token the keyring refuses. The CLI runs in a thread; the simulator in the test's loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_kit import (
    APP,
    CLIENT_ID,
    CLIENT_SECRET,
    SELLER,
    SERVICE,
    Cli,
    Feed,
    MemoryKeyring,
    Tap,
    add_profile,
    arun,
    assert_nothing_listens,
    browse,
    install_keyring,
    next_hop,
    query,
    run_sync,
)
from keyring.backends import fail

from oauth_wizard.authorize import browser
from oauth_wizard.cli.progress import Progress
from oauth_wizard.keep.store import ProfileStore

ROOT = Path(__file__).resolve().parents[2]
REFRESH_KEY = f"profile:{{name}}:refresh:NA:{SELLER}"


def stored(backend: MemoryKeyring, name: str = "shop") -> str | None:
    return backend.data.get((SERVICE, REFRESH_KEY.format(name=name)))


def assert_authorized(out: str, backend: MemoryKeyring, cfg, name: str = "shop") -> None:
    token = stored(backend, name)
    assert token and token.startswith("Atzr|")
    assert token not in out
    assert f"Authorized: selling partner {SELLER}, region NA" in out
    auths = ProfileStore(cfg).get(name).authorizations
    assert [(a.region, a.selling_partner_id, a.storage) for a in auths] == [
        ("NA", SELLER, "keyring")]


# --- listening -------------------------------------------------------------------------------

@pytest.mark.parametrize("state, beta", [("draft", True), ("published", False)])
async def test_no_browser_prints_the_url_first_and_stores_the_token(
        monkeypatch, sim, port, keyring_backend, cfg, state, beta):
    add_profile(monkeypatch, port, state=state)
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--timeout", "20")
    url = await cli.out.next_line()
    assert url.startswith(sim.portal_url + "/sellercentral.amazon.com/apps/authorize/consent?")
    assert query(url)["application_id"] == APP[state]
    assert ("version" in query(url)) is beta
    page = await browse(url)
    assert page.status_code == 200 and "Authorized" in page.text
    assert "spapi_oauth_code" not in page.text
    assert await cli.wait() == 0
    out, err = cli.out.getvalue(), cli.err.getvalue()
    assert out.splitlines()[0] == url
    assert_authorized(out, keyring_backend, cfg)
    for step in ("Listening on", "Login leg received", "Code ", "Exchanging the code"):
        assert step in err
    assert_nothing_listens(port)  # the listener is closed again


async def test_https_uris_get_a_generated_certificate_shown_with_its_fingerprint(
        monkeypatch, sim, port, keyring_backend, cfg):
    add_profile(monkeypatch, port, base="https://localhost", key="tls")
    prints = []
    for _ in range(2):
        cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--timeout", "20")
        page = await browse(await cli.out.next_line())
        assert page.status_code == 200 and str(page.url).startswith("https://localhost:")
        assert await cli.wait() == 0
        prints.append(cli.err.getvalue())
    first, second = (" ".join(text.split()) for text in prints)  # undo the line wrapping
    fingerprint = first.split("(SHA-256 ", 1)[1].split(")", 1)[0]
    assert len(fingerprint.split(":")) == 32 and f"(SHA-256 {fingerprint})" in second
    assert "This certificate is new" in first and "certutil" in first
    assert "This certificate is new" not in second  # reused, so nothing to trust again
    key = cfg / "certs" / "localhost.key.pem"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stored(keyring_backend).startswith("Atzr|")


async def test_the_browser_is_opened_and_stdout_keeps_only_the_result(
        monkeypatch, sim, port, keyring_backend, cfg):
    add_profile(monkeypatch, port)
    opened: list[str] = []
    called = threading.Event()

    def open_url(url: str) -> bool:
        opened.append(url)
        called.set()
        return True

    monkeypatch.setattr(browser, "open_url", open_url)
    cli = Cli(monkeypatch).start("authorize", "shop")
    assert await asyncio.to_thread(called.wait, 10)
    await browse(opened[0])
    assert await cli.wait() == 0
    out = cli.out.getvalue()
    assert opened[0] not in out.splitlines()
    assert_authorized(out, keyring_backend, cfg)


async def test_when_no_browser_opens_the_url_goes_to_stdout(monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    monkeypatch.setattr(browser, "open_url", lambda url: False)
    cli = Cli(monkeypatch).start("authorize", "shop", "--timeout", "20")
    url = await cli.out.next_line()
    await browse(url)
    assert await cli.wait() == 0
    assert "Could not open a browser" in cli.err.getvalue()


async def test_busy_port_fails_before_the_url_is_shown(monkeypatch, sim, port, keyring_backend):
    add_profile(monkeypatch, port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser")
        assert await cli.wait() == 1
    assert cli.out.getvalue() == ""
    err = cli.err.getvalue()
    assert f"Port {port} on 127.0.0.1 is already in use" in err and "--paste" in err
    assert stored(keyring_backend) is None


async def test_timeout_ends_cleanly_and_frees_the_port(monkeypatch, sim, port, keyring_backend):
    add_profile(monkeypatch, port)
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--timeout", "0.5")
    assert await cli.wait() == 1
    assert "No redirect from Amazon arrived within 0.5 s" in cli.err.getvalue()
    assert stored(keyring_backend) is None
    assert_nothing_listens(port)


async def test_unusable_keyring_fails_before_anything_is_opened(monkeypatch, tmp_path, sim,
                                                                 port):
    add_profile(monkeypatch, port)
    install_keyring(monkeypatch, tmp_path, fail.Keyring())
    opened: list[str] = []
    monkeypatch.setattr(browser, "open_url", lambda url: opened.append(url) or True)
    assert_nothing_listens(port)
    code, out, err = run_sync(monkeypatch, "authorize", "shop")
    assert code == 1 and out == "" and opened == []
    assert "No system keyring is available" in err and "--insecure-storage" in err


async def test_a_token_the_keyring_refuses_is_reported_lost_without_a_terminal(
        monkeypatch, sim, port, keyring_backend):
    add_profile(monkeypatch, port)
    keyring_backend.fail_on.add("set")
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser")
    await browse(await cli.out.next_line())
    assert await cli.wait() == 1
    err = cli.err.getvalue()
    assert "could not be saved" in err and "lost" in err and "(cause: secret_store)" in err
    assert "Atzr|" not in err


async def test_on_a_terminal_a_refused_token_can_go_to_the_announced_file(
        monkeypatch, sim, port, keyring_backend, cfg):
    add_profile(monkeypatch, port)
    keyring_backend.fail_on.add("set")

    class Terminal(Feed):
        def isatty(self) -> bool:
            return True

    cli = Cli(monkeypatch, Terminal("y\n")).start("authorize", "shop", "--no-browser")
    await browse(await cli.out.next_line())
    assert await cli.wait() == 0
    out, err = cli.out.getvalue(), cli.err.getvalue()
    assert "[y/N]" in err and "stored in plain text" in err
    secrets = json.loads((cfg / "insecure-secrets.json").read_text())["secrets"]
    token = secrets[REFRESH_KEY.format(name="shop")]
    assert token.startswith("Atzr|") and token not in out + err
    assert "plain-text file" in out
    auth = ProfileStore(cfg).get("shop").authorizations[0]
    assert (auth.selling_partner_id, auth.storage) == (SELLER, "file")


# --- paste-back and two steps ------------------------------------------------------------------

async def test_paste_mode_reads_each_leg_from_stdin(monkeypatch, sim, port, keyring_backend, cfg):
    add_profile(monkeypatch, port)
    feed = Feed()
    cli = Cli(monkeypatch, feed).start("authorize", "shop", "--paste")
    url = await cli.out.next_line()
    login_leg = await next_hop(url)  # the address bar shows the Login URI (nothing listens)
    feed.send("https://example.com/not-a-leg")
    feed.send(login_leg)
    next_url = await cli.out.next_line()
    assert next_url.startswith(sim.portal_url) and "amazon_state=" in next_url
    redirect_leg = await next_hop(next_url)
    feed.send(redirect_leg)
    assert await cli.wait() == 0
    out, err = cli.out.getvalue(), cli.err.getvalue()
    assert "neither leg's parameters" in err  # the junk line was refused, then it went on
    assert query(redirect_leg)["spapi_oauth_code"] not in out + err
    assert_authorized(out, keyring_backend, cfg)


async def test_paste_mode_ends_when_input_ends(monkeypatch, sim, port):
    add_profile(monkeypatch, port)
    code, out, err = run_sync(monkeypatch, "authorize", "shop", "--paste", stdin="")
    assert code == 1 and "Input ended before" in err
    assert out.splitlines()[0].startswith(sim.portal_url)


async def test_two_steps_login_leg_then_redirect_leg(monkeypatch, sim, port, keyring_backend,
                                                     cfg):
    add_profile(monkeypatch, port)
    code, out, err = await arun(
        monkeypatch, "authorize", "shop", "--start", "--json")
    assert code == 0, err
    started = json.loads(out)
    assert set(started) == {"consent_url", "state", "expires_at"}
    assert query(started["consent_url"])["state"] == started["state"]
    expires = datetime.strptime(started["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 25 * 60 < (expires - datetime.now(UTC)).total_seconds() <= 30 * 60
    path = cfg / "pending" / "shop.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    login_leg = await next_hop(started["consent_url"])
    code, out, err = await arun(
        monkeypatch, "authorize", "shop", "--complete", "-", stdin=login_leg + "\n")
    assert code == 0, err
    next_url = out.strip()
    assert next_url.startswith(sim.portal_url) and path.exists()

    redirect_leg = await next_hop(next_url)
    code, out, err = await arun(
        monkeypatch, "authorize", "shop", "--complete", redirect_leg)
    assert code == 0, err
    assert_authorized(out, keyring_backend, cfg)
    assert not path.exists()
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--complete", redirect_leg)
    assert code == 2 and "no started authorization" in err


async def test_a_failed_exchange_uses_the_attempt_up(monkeypatch, sim, port, keyring_backend,
                                                     cfg):
    add_profile(monkeypatch, port)
    _, out, _ = await arun(monkeypatch, "authorize", "shop", "--start", "--json")
    login_leg = await next_hop(json.loads(out)["consent_url"])
    _, next_url, _ = await arun(monkeypatch, "authorize", "shop", "--complete", login_leg)
    redirect_leg = await next_hop(next_url.strip())
    sim.advance(301)  # the code expires 5 minutes after issue
    code, _, err = await arun(monkeypatch, "authorize", "shop", "--complete", redirect_leg)
    assert code == 1 and "invalid_grant" in err and "used up" in err
    assert not (cfg / "pending" / "shop.json").exists()
    assert stored(keyring_backend) is None


async def test_a_wrong_paste_keeps_the_attempt_and_expiry_is_clear(monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    assert (await arun(monkeypatch, "authorize", "shop", "--start"))[0] == 0
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--complete",
                            f"http://127.0.0.1:{port}/cb?state=forged&selling_partner_id=A1"
                            "&spapi_oauth_code=x")
    assert code == 1 and "is kept" in err and "x&" not in err
    path = cfg / "pending" / "shop.json"
    data = json.loads(path.read_text())
    data["expires_at"] = 1.0
    path.write_text(json.dumps(data))
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--complete", "-",
                            stdin="http://127.0.0.1/cb?state=a\n")
    assert code == 1 and "expired" in err and "--start" in err
    assert not path.exists()


# --- choices and option checks -----------------------------------------------------------------

async def test_marketplace_defaults_only_when_there_is_one(monkeypatch, sim, port):
    add_profile(monkeypatch, port, markets="US,CA")
    code, out, err = run_sync(monkeypatch, "authorize", "shop", "--start")
    assert code == 2 and "US, CA" in err and "--marketplace" in err and out == ""
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--start", "--marketplace", "DE")
    assert code == 2 and "MD5100" in err
    code, out, _ = await arun(
        monkeypatch, "authorize", "shop", "--start", "--marketplace", "CA")
    assert code == 0 and "sellercentral.amazon.ca" in out


@pytest.mark.parametrize("argv, expected", [
    (["--paste", "--start"], "different modes"),
    (["--json"], "--json goes with --start"),
    (["--plain-http"], "--plain-http needs --port"),
    (["--paste", "--port", "8443"], "only apply when the wizard listens"),
    (["--cert", "c.pem"], "--cert and --key go together"),
    (["--timeout", "0"], "more than 0 seconds"),
    (["--redirect-uri", "https://elsewhere.example/cb"], "MD5101"),
])
async def test_option_mistakes_are_usage_errors(monkeypatch, sim, port, argv, expected):
    add_profile(monkeypatch, port)
    code, out, err = run_sync(monkeypatch, "authorize", "shop", *argv)
    assert code == 2 and expected in err and out == ""


def test_unknown_profile_and_missing_secret(monkeypatch, keyring_backend, cfg):
    code, _, err = run_sync(monkeypatch, "authorize", "nope")
    assert code == 2 and "There is no profile 'nope'" in err
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", "http://127.0.0.1:9")
    add_profile(monkeypatch, 9)
    keyring_backend.data.clear()
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--start")
    assert code == 1 and "has no client secret" in err


async def test_countdown_on_a_terminal_is_one_line_rewritten_in_place():
    tap = Tap()
    progress = Progress(tap, live=True)
    progress.start_countdown(5)
    await asyncio.sleep(0.05)
    progress.line("Code received")
    progress.stop_countdown()
    text = tap.getvalue()
    assert text.startswith("\rWaiting for Amazon's redirect: 0:05 left (Ctrl-C cancels)\x1b[K")
    assert "\r\x1b[K* Code received\n" in text  # the countdown line is cleared first


async def test_countdown_lines_when_not_a_terminal():
    tap = Tap()
    progress = Progress(tap, interval=0.05)
    progress.start_countdown(0.3)
    await asyncio.sleep(0.2)
    progress.stop_countdown()
    lines = tap.getvalue().splitlines()
    assert lines and all("Waiting for Amazon's redirect: 0:0" in line for line in lines)


def _wait_until_listening(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {seconds} s")


def test_ctrl_c_while_listening_exits_130_and_closes_the_listener(monkeypatch, tmp_path, cfg,
                                                                  port):
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", "http://127.0.0.1:9")  # never contacted
    code, _, err = run_sync(
        monkeypatch, "--insecure-storage", "profile", "add", "shop", "--app-id", APP["draft"],
        "--client-id", CLIENT_ID["draft"], "--app-state", "draft", "--marketplace", "US",
        "--login-uri", f"http://127.0.0.1:{port}/login",
        "--redirect-uri", f"http://127.0.0.1:{port}/cb", stdin=CLIENT_SECRET["draft"])
    assert code == 0, err
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
        [sys.executable, "-m", "oauth_wizard", "--insecure-storage", "authorize", "shop",
         "--no-browser"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        first = proc.stdout.readline()
        assert "/apps/authorize/consent?" in first
        # Deterministic under load: Ctrl-C only once the catcher really listens, so the test
        # proves the listener is closed (not that Ctrl-C came before it opened).
        _wait_until_listening(port, seconds=60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.strip().endswith("cancelled") and "Traceback" not in err
    assert_nothing_listens(port)
