"""The Catch screen when the keyring refuses a secret the user already has in hand: the
announced 0600 file is offered, and nothing is kept there unless the user presses Keep.

A keyring that passes the pre-flight probe but refuses the real entry is the case that used to
lose a refresh token just exchanged (the code is spent by then) or a typed client secret.
"""

from __future__ import annotations

import json
import ssl
import time

import httpx
import keyring
import keyring.errors
import pytest
from keyring_kit import MemoryKeyring
from port_kit import quiet_port
from tui_kit import (
    FROZEN_STATE,
    SIZE,
    open_catch,
    screen_text,
    step_of,
    text_of,
    wait_until,
)

from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.demo_registry import demo_registry
from oauth_wizard.simulator.server import Simulator
from oauth_wizard.tui import demo
from oauth_wizard.tui.state import WizardState

TOKEN_KEY = refresh_token_key("shop", "EU", "A1SIMPATSTORE")


class Refusing(MemoryKeyring):
    """Reads and takes the probe, refuses the entries whose key contains ``refuse``."""

    def __init__(self, refuse: str) -> None:
        super().__init__()
        self.refuse = refuse

    def set_password(self, service, username, password):
        if self.refuse in username:
            raise keyring.errors.PasswordSetError("the keyring refused the write")
        super().set_password(service, username, password)


@pytest.fixture
async def amazon(monkeypatch):
    port = quiet_port()  # https on localhost, with the certificate the wizard generates
    login, redirect = f"https://localhost:{port}/login", f"https://localhost:{port}/cb"
    simulator = Simulator(demo_registry(login, redirect))
    base = await simulator.start()
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", base)
    monkeypatch.setenv("OAUTH_WIZARD_LWA_URL", simulator.lwa_url)
    yield login, redirect
    await simulator.stop()


def state_for(login: str, redirect: str) -> WizardState:
    return WizardState(app_id=demo.DEMO_APP_ID, client_id=demo.DEMO_CLIENT_ID,
                       client_secret=demo.DEMO_CLIENT_SECRET, profile_name="shop",
                       publish="draft", marketplaces=("DE",), seller_marketplace="DE",
                       login_uri=login, redirect_uris=(redirect,), csrf_state=FROZEN_STATE)


async def approve_in_browser(app, tmp_path) -> None:
    trusted = ssl.create_default_context(
        cafile=tmp_path / "config" / "certs" / "localhost.cert.pem")
    async with httpx.AsyncClient(trust_env=False, verify=trusted,
                                 follow_redirects=True) as http:
        final = await http.get(app.screen.url + "&sim_user=Pat")
    assert final.status_code == 200


def secrets_file(tmp_path) -> dict:
    return json.loads((tmp_path / "config" / "insecure-secrets.json").read_text())["secrets"]


async def _approve_until_the_offer(pilot, app, amazon, tmp_path) -> None:
    """The seller approves in the browser; the refused refresh token brings up the offer."""
    await open_catch(pilot, state_for(*amazon))
    await wait_until(pilot, lambda: app.screen.phase == "listening")
    await approve_in_browser(app, tmp_path)
    await wait_until(pilot, lambda: app.screen.query_one("#keep-offer").display)


async def test_a_refused_refresh_token_can_be_kept_in_the_file(build, amazon, tmp_path):
    backend = Refusing(":refresh:")
    keyring.set_keyring(backend)
    app = build(clock=time.time)
    async with app.run_test(size=SIZE) as pilot:
        await _approve_until_the_offer(pilot, app, amazon, tmp_path)
        offer = text_of(app, "#keep-offer-text")
        assert "refused the refresh token" in offer and "insecure-secrets.json" in offer
        profiles = ProfileStore(tmp_path / "config")
        assert profiles.get("shop").authorizations == ()  # taken back: no record, no token
        await pilot.pause()  # the offer is laid out before it is clicked
        await pilot.click("#keep-file")
        await wait_until(pilot, lambda: step_of(app) == "done")
        token = secrets_file(tmp_path)[TOKEN_KEY]
        assert token.startswith("Atzr|") and token not in screen_text(app)
        assert profiles.get("shop").authorizations[0].storage == "file"


async def test_discarding_keeps_nothing_and_says_so(build, amazon, tmp_path):
    keyring.set_keyring(Refusing(":refresh:"))
    app = build(clock=time.time)
    async with app.run_test(size=SIZE) as pilot:
        await _approve_until_the_offer(pilot, app, amazon, tmp_path)
        await pilot.pause()  # the offer is laid out before it is clicked
        await pilot.click("#keep-discard")
        await pilot.pause()
        assert not app.screen.query_one("#keep-offer").display
        assert "could not be saved" in text_of(app, "#catch-failure")
        assert not (tmp_path / "config" / "insecure-secrets.json").exists()
        assert ProfileStore(tmp_path / "config").get("shop").authorizations == ()


async def test_a_refused_client_secret_can_be_kept_and_the_attempt_goes_on(build, amazon,
                                                                           tmp_path):
    keyring.set_keyring(Refusing(":client_secret"))
    app = build(clock=time.time)
    async with app.run_test(size=SIZE) as pilot:
        await open_catch(pilot, state_for(*amazon))
        await wait_until(pilot, lambda: app.screen.query_one("#keep-offer").display)
        assert "refused the client secret" in text_of(app, "#keep-offer-text")
        await pilot.pause()  # the offer is laid out before it is clicked
        await pilot.click("#keep-file")
        await wait_until(pilot, lambda: app.screen.phase == "listening")
        assert secrets_file(tmp_path)[client_secret_key("shop")] == demo.DEMO_CLIENT_SECRET
        assert ProfileStore(tmp_path / "config").get("shop").secret_storage == "file"
        await approve_in_browser(app, tmp_path)  # the session keeps its secrets there now
        await wait_until(pilot, lambda: step_of(app) == "done")
        assert secrets_file(tmp_path)[TOKEN_KEY].startswith("Atzr|")
