"""Keyring and LWA faults with their outcomes, for ``benchmarks/adversarial.py`` (the tests
assert the same outcomes in ``tests/cli/test_cli_keyring_faults.py`` and
``tests/amazon/test_lwa.py``).

Keyring: ``profile add`` against each of the eight faults a user meets, with the secret on a
stdin that counts its reads, so "typed" means the command asked for it. LWA: a token endpoint
on 127.0.0.1 that answers each of fifteen faults, asked for a refresh and a code exchange.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from cli_kit import APP, CLIENT_ID, CLIENT_SECRET, Feed, install_keyring, run_sync
from keyring_kit import fault_backends

from oauth_wizard.amazon.lwa import LwaClient, LwaError
from oauth_wizard.keep.store import ProfileStore

SECRET = CLIENT_SECRET["draft"]


class Terminal(Feed):
    def isatty(self) -> bool:
        return True


def _add(mp: pytest.MonkeyPatch, stdin: Feed) -> tuple[int, str]:
    code, _, err = run_sync(mp, "profile", "add", "shop", "--app-id", APP["draft"],
                            "--client-id", CLIENT_ID["draft"], "--app-state", "draft",
                            "--marketplace", "US", "--login-uri",
                            "https://spapi-dev.example.com/login", "--redirect-uri",
                            "https://spapi-dev.example.com/cb", stdin=stdin)
    return code, " ".join(err.split())


def keyring_outcomes(root: Path) -> dict[str, str]:
    """Each fault's outcome for ``profile add`` (piped secret; the last also on a terminal)."""
    release = threading.Event()
    outcomes: dict[str, str] = {}
    try:
        for i, (name, backend) in enumerate(fault_backends(release).items()):
            with pytest.MonkeyPatch.context() as mp:
                config = root / f"keyring-{i}"
                mp.setenv("OAUTH_WIZARD_CONFIG_DIR", str(config))
                install_keyring(mp, root / f"home-{i}", backend)
                stdin = Feed(SECRET, closed=True)
                started = time.monotonic()
                code, err = _add(mp, stdin)
                took = time.monotonic() - started
                saved = "shop" in ProfileStore(config).load()
                if code == 0:
                    outcome = "saved"
                elif stdin.reads == 0:
                    outcome = "refused before the secret was asked for"
                elif "was not kept" in err and not saved:
                    outcome = "asked, then said it was not kept (nothing half-saved)"
                else:
                    outcome = "SECRET LOST"
                outcomes[name] = f"{outcome} (exit {code}, {took:.1f} s)"
        with pytest.MonkeyPatch.context() as mp:
            config = root / "keyring-terminal"
            mp.setenv("OAUTH_WIZARD_CONFIG_DIR", str(config))
            install_keyring(mp, root / "home-terminal", fault_backends(release)[
                "refuses the real key only"])
            mp.setattr("oauth_wizard.cli.profile_add.read_secret", lambda what: SECRET)
            code, err = _add(mp, Terminal("y\n"))
            kept = (config / "insecure-secrets.json").exists()
            outcomes["refuses the real key only, on a terminal"] = (
                f"{'kept in the announced 0600 file' if code == 0 and kept else 'NOT KEPT'} "
                f"(exit {code})")
    finally:
        release.set()
    return outcomes


# --- LWA ---------------------------------------------------------------------------------------

OK = {"access_token": "Atza|" + "a" * 40, "refresh_token": "Atzr|" + "r" * 40,
      "token_type": "bearer", "expires_in": 3600}


async def _trickle(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    for byte in b'{"access_token": "' + b"x" * 200:
        await response.write(bytes([byte]))
        await asyncio.sleep(0.2)
    return response


async def _silent(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(30)
    return web.json_response(OK)


async def _reset(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()
    return web.Response()


def _json(status: int, body: object, **headers: str):
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status, headers=headers)
    return answer


def _text(status: int, text: str, ctype: str = "text/html"):
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text=text, content_type=ctype)
    return answer


def lwa_faults() -> dict[str, list]:
    """Each fault as the answers the endpoint gives, in order (the last one repeats)."""
    date = formatdate(time.time() + 2, usegmt=True)
    ok = _json(200, OK)
    return {
        "500 every time": [_json(500, {"error": "server_error"})],
        "503, then ok": [_json(503, {"error": "temporarily_unavailable"}), ok],
        "429 Retry-After 2 s, then ok": [_json(429, {"error": "slow_down"}, **{
            "Retry-After": "2"}), ok],
        "429 Retry-After as a date, then ok": [_json(429, {"error": "slow_down"}, **{
            "Retry-After": date}), ok],
        "400 invalid_grant": [_json(400, {"error": "invalid_grant",
                                          "error_description": "The request has an invalid "
                                          "grant parameter : refresh_token"})],
        "401 invalid_client": [_json(401, {"error": "invalid_client",
                                           "error_description": "Client authentication "
                                           "failed"})],
        "200 with an empty body": [_text(200, "", "application/json"), ok],
        "200 with an HTML page": [_text(200, "<html><title>Proxy</title></html>"), ok],
        "200 with plain text": [_text(200, "ok", "text/plain"), ok],
        "200 without access_token": [_json(200, {"token_type": "bearer"})],
        "body trickled a byte at a time": [_trickle],
        "no answer at all": [_silent],
        "connection reset": [_reset, ok],
        "302 to elsewhere": [_text(302, "")],
        "error_description of 5 KB": [_json(400, {"error": "invalid_request",
                                                  "error_description": "x" * 5000})],
    }


@dataclass
class LwaOutcome:
    grant: str
    requests: int
    seconds: float
    result: str


async def lwa_outcomes(deadline_s: float = 8.0) -> dict[str, list[LwaOutcome]]:
    """Each fault, for a refresh and for a code exchange (which must be sent at most once)."""
    # the fake endpoint's own server logs (a client that gave up mid-trickle) are not ours
    logging.getLogger("aiohttp.server").addHandler(logging.NullHandler())
    logging.getLogger("aiohttp.server").propagate = False
    results: dict[str, list[LwaOutcome]] = {}
    for name, script in lwa_faults().items():
        results[name] = []
        for grant in ("refresh_token", "authorization_code"):
            answers, seen = list(script), [0]

            async def handle(request: web.Request, answers: list = answers,
                             seen: list = seen) -> web.StreamResponse:
                seen[0] += 1
                step = answers.pop(0) if len(answers) > 1 else answers[0]
                return await step(request)

            app = web.Application()
            app.router.add_post("/auth/o2/token", handle)
            runner = web.AppRunner(app, shutdown_timeout=0.1)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/auth/o2/token"
            started = time.monotonic()
            try:
                async with httpx.AsyncClient(trust_env=False) as http:
                    lwa = LwaClient(http, url, deadline_s=deadline_s)
                    try:
                        if grant == "refresh_token":
                            await lwa.refresh(OK["refresh_token"], CLIENT_ID["draft"], SECRET)
                        else:
                            await lwa.exchange_code("ANcode", CLIENT_ID["draft"], SECRET)
                        result = "token"
                    except LwaError as exc:
                        result = f"{exc.cause_id}: {exc.message[:110]}"
            finally:
                with contextlib.suppress(Exception):
                    await runner.cleanup()
            results[name].append(LwaOutcome(grant, seen[0], time.monotonic() - started,
                                            result))
    return results
