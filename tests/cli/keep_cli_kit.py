"""Fixtures and helpers for the keep-and-use CLI tests (no tests here): an in-process simulator
with a single-region app and a merged-account app, the environment pointing the CLI at it, the
suite's in-memory keyring, and shortcuts to add profiles and self-authorize.

A test module imports the fixtures (``cfg_fixture``, ``no_pause_fixture``, ``sim_fixture``) so
pytest finds them in its namespace; tests then ask for ``cfg``, ``no_pause`` and ``sim``.
"""

from __future__ import annotations

import httpx
import pytest
from cli_kit import arun, run_sync

from oauth_wizard.cli import keep as cli_keep
from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.registry import parse_registry
from oauth_wizard.simulator.server import Simulator

SERVICE = "oauth-wizard"
SELLER = "A1PATSTORE"
STORE_NAME = "Pat's Planted Store"
APPS = {
    # One region (NA): self-auth needs no --region.
    "shop": ("amzn1.sp.solution.00000000-0000-4000-8000-0000000005a1",
             "amzn1.application-oa2-client." + "5a" * 16,
             "amzn1.oa2-cs.v1." + "c0ffee" * 10 + "abcd", ("US", "CA")),
    # A merged account's app: NA and EU, one Authorize button (and token) per region.
    "world": ("amzn1.sp.solution.00000000-0000-4000-8000-00000000e0e0",
              "amzn1.application-oa2-client." + "e0" * 16,
              "amzn1.oa2-cs.v1." + "beef42" * 10 + "dcba", ("US", "DE")),
}


def client_secret(name: str) -> str:
    return APPS[name][2]


@pytest.fixture(name="cfg")
def cfg_fixture(monkeypatch, tmp_path):
    path = tmp_path / "cfg"
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(path))
    monkeypatch.delenv("OAUTH_WIZARD_DEBUG", raising=False)
    return path


@pytest.fixture(name="no_pause")
def no_pause_fixture(monkeypatch):
    """Retries without waiting (the back-off is SP-API's 2 s, 4 s)."""
    async def instant(_seconds: float) -> None:
        return None
    monkeypatch.setattr(cli_keep, "PAUSE", instant)


@pytest.fixture(name="sim")
async def sim_fixture(monkeypatch, cfg, no_pause):
    apps = [{"app_id": app_id, "client_id": cid, "client_secret": secret, "app_state": "draft",
             "login_uri": "https://dev.example.test/login",
             "redirect_uris": ["https://dev.example.test/cb"], "marketplaces": list(markets)}
            for app_id, cid, secret, markets in APPS.values()]
    registry = parse_registry({"apps": apps, "sellers": [
        {"selling_partner_id": SELLER, "store_name": STORE_NAME,
         "marketplaces": ["US", "CA", "DE", "FR"],
         "users": [{"name": "Pat", "primary": True}]}]})
    simulator = Simulator(registry)
    await simulator.start()
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", simulator.portal_url)
    monkeypatch.setenv("OAUTH_WIZARD_LWA_URL", simulator.lwa_url)
    monkeypatch.setenv("OAUTH_WIZARD_SPAPI_URL", simulator.spapi_url)
    yield simulator
    await simulator.stop()


def add_profile(monkeypatch, name: str = "shop", app: str | None = None,
                markets: str | None = None) -> None:
    app_id, cid, secret, own = APPS[app or name]
    code, _, err = run_sync(
        monkeypatch, "profile", "add", name, "--app-id", app_id, "--client-id", cid,
        "--app-state", "draft", "--marketplace", markets or ",".join(own),
        "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb", stdin=secret)
    assert code == 0, err


def self_token(sim: Simulator, app: str = "shop", region: str = "NA") -> str:
    return sim.self_authorize(APPS[app][0], SELLER, region)


async def self_auth(monkeypatch, token: str, *argv: str, name: str = "shop"
                    ) -> tuple[int, str, str]:
    return await arun(monkeypatch, "self-auth", name, *argv, stdin=token)


def secret_of(backend, name: str = "shop") -> str | None:
    return backend.data.get((SERVICE, client_secret_key(name)))


def token_of(backend, region: str = "NA", spid: str = "self-NA", name: str = "shop"
             ) -> str | None:
    return backend.data.get((SERVICE, refresh_token_key(name, region, spid)))


def record(cfg, name: str = "shop"):
    return ProfileStore(cfg).get(name)


def flat(text: str) -> str:
    """Output with the terminal wrapping undone, for phrase checks."""
    return " ".join(text.split())


async def exhaust_quota(sim: Simulator, token: str, client_id: str, secret: str,
                        region: str = "NA") -> None:
    """Spend what is left of the 15-call burst of getMarketplaceParticipations."""
    async with httpx.AsyncClient() as http:
        answer = await http.post(sim.lwa_url, data={
            "grant_type": "refresh_token", "refresh_token": token, "client_id": client_id,
            "client_secret": secret})
        access = answer.json()["access_token"]
        url = f"{sim.spapi_url}/{region}/sellers/v1/marketplaceParticipations"
        codes = [(await http.get(url, headers={"x-amz-access-token": access})).status_code
                 for _ in range(16)]
        assert codes[-1] == 429 and set(codes) == {200, 429}
