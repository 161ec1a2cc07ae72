"""Pilot tests of Authorize: the Catch and Done screens against the in-process simulator.

The demo runs as on a fresh machine (no keyring backend: tokens in memory). The legs are
driven either by the demo's own "Approve for me" or, for paste-back, by an httpx client in the
test standing in for the browser (it follows no redirect, so the test pastes each address).
"""

from __future__ import annotations

import socket
import ssl
import time

import httpx
import keyring
import pytest
from keyring_kit import MemoryKeyring
from port_kit import quiet_port
from textual.widgets import Input
from tui_kit import (
    FROZEN_NOW,
    FROZEN_STATE,
    SIZE,
    open_catch,
    screen_text,
    settle,
    step_of,
    text_of,
    to_catch,
    wait_until,
)

from oauth_wizard.core.events import Exchanging
from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.simulator.demo_registry import demo_registry
from oauth_wizard.simulator.server import Simulator
from oauth_wizard.tui import demo
from oauth_wizard.tui.screens.attempt_widgets import AttemptProgress, PastePanel
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.state import WizardState

TOKEN_KEY = refresh_token_key("demo", "EU", "A1SIMPATSTORE")


async def login_leg_url(consent_url: str, user: str = "Pat") -> str:
    """The browser's first stop after approving: the Login URI with Amazon's parameters."""
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.get(f"{consent_url}&sim_user={user}")
    assert response.status_code == 302, response.text[:300]
    return response.headers["location"]


async def redirect_leg_url(next_url: str) -> str:
    """What Amazon answers to the URL the Login leg sends the browser to: the Redirect leg."""
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.get(next_url)
    assert response.status_code == 302, response.text[:300]
    return response.headers["location"]


async def paste(pilot, text: str) -> None:
    field = pilot.app.screen.query_one("#paste", Input)
    field.value = text
    field.focus()
    await pilot.press("enter")


def all_text(app) -> str:
    """What the screen shows, as text and as the rendered SVG."""
    return screen_text(app) + app.export_screenshot()


async def test_demo_from_welcome_to_done_with_approve_for_me(build, runtimes, tmp_path):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("end", "enter")  # Try the demo
        await to_catch(pilot, walk=True)
        runtime = runtimes[0]
        assert "kept in memory for this run" in text_of(app, "#catch-demo")
        assert app.screen.url.startswith(runtime.simulator.portal_url + "/sellercentral.amazon.de")
        assert f"state={FROZEN_STATE}" in app.screen.url
        await pilot.press("a")  # Approve for me
        await wait_until(pilot, lambda: step_of(app) == "done")
        await pilot.pause()

        token = await runtime.secrets.get(TOKEN_KEY)
        assert runtime.secrets.location == "memory"
        assert token and token.startswith("Atzr|")
        grant = runtime.simulator.grant_for(token)
        assert (grant.selling_partner_id, grant.region) == ("A1SIMPATSTORE", "EU")
        # the profile and its authorization went to the demo's own config dir
        record = ProfileStore(runtime.config_dir).get("demo")
        assert [a.selling_partner_id for a in record.authorizations] == ["A1SIMPATSTORE"]
        assert not (tmp_path / "config").exists()  # the user's own config dir is untouched

        text = screen_text(app)
        assert mask(token) in text and "A1SIMPATSTORE" in text
        assert "memory only and is gone when the demo ends" in text
        assert "verify (v): refresh the token and call SP-API with it" in text
        rendered = all_text(app)
        assert token not in rendered and token[5:25] not in rendered


async def test_paste_back_of_both_legs_completes(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        login = await login_leg_url(app.screen.url)
        assert "amazon_callback_uri=" in login
        await paste(pilot, login)
        await wait_until(pilot, lambda: app.screen.query_one("#next-step").display)
        next_url = app.screen.query_one(PastePanel).next_url
        assert f"state={FROZEN_STATE}" in next_url and "amazon_state=" in next_url
        assert next_url in text_of(app, "#next-url")
        assert app.screen.query_one("#paste", Input).value == ""  # nothing pasted stays shown

        redirect = await redirect_leg_url(next_url)
        assert "spapi_oauth_code=" in redirect
        await paste(pilot, redirect)
        await wait_until(pilot, lambda: step_of(app) == "done")
        assert await runtimes[0].secrets.get(TOKEN_KEY)


async def test_a_paste_that_is_neither_leg_is_refused_and_the_attempt_goes_on(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        await paste(pilot, "https://example.com/some/page")
        await wait_until(pilot, lambda: app.screen.query_one("#paste-error").display)
        assert "neither leg's parameters" in text_of(app, "#paste-error")
        assert app.screen.phase == "listening"


async def test_expired_code_fails_with_cause_and_fix_then_try_again(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        await paste(pilot, await login_leg_url(app.screen.url))
        await wait_until(pilot, lambda: app.screen.query_one("#next-step").display)
        redirect = await redirect_leg_url(app.screen.query_one(PastePanel).next_url)
        runtimes[0].simulator.advance(301)  # the code lives five minutes
        await paste(pilot, redirect)
        await wait_until(pilot, lambda: app.screen.phase == "failed")
        failure = text_of(app, "#catch-failure")
        assert "invalid_grant" in failure
        assert "Cause: auth_code_expired_or_reused" in failure
        assert "→ " in failure and "Try again (r)" in failure
        assert await runtimes[0].secrets.get(TOKEN_KEY) is None
        assert "✗ " in text_of(app, "#timeline")

        await pilot.press("r")  # a fresh attempt listens again
        await wait_until(pilot, lambda: app.screen.phase == "listening")
        assert not app.screen.query_one("#catch-failure").display
        await pilot.press("escape")
        await settle(pilot, lambda: step_of(app) == "review")


async def test_forged_state_is_refused_with_its_cause(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        forged = (f"{runtimes[0].redirect_uri}?state=forged-state&selling_partner_id="
                  "A1SIMPATSTORE&spapi_oauth_code=ANfakeCode")
        await paste(pilot, forged)
        await wait_until(pilot, lambda: app.screen.phase == "failed")
        failure = text_of(app, "#catch-failure")
        assert "not the one this authorization attempt sent" in failure
        assert "Cause: state_mismatch" in failure
        assert "ANfakeCode" not in all_text(app)


async def test_cancel_closes_the_listener(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        port = runtimes[0].catch_port
        await pilot.press("x")
        await wait_until(pilot, lambda: "port is free again" in text_of(app, "#timeline"))
        assert app.screen.phase == "cancelled"
        with socket.socket() as sock:  # the port can be bound again: the listener is gone
            sock.bind(("127.0.0.1", port))
        async with httpx.AsyncClient(trust_env=False) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(runtimes[0].redirect_uri)
        assert app.screen.query_one("#approve").disabled  # nothing to approve any more


async def test_demo_runtime_stops_with_the_app(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        base = runtimes[0].simulator.portal_url
        config_dir = runtimes[0].config_dir
    assert not config_dir.exists()
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(base + "/")


# --- a real (non-demo) app ----------------------------------------------------------------

APP_ID = "amzn1.sp.solution.11111111-2222-4333-8444-555555555555"
CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16


def real_state(**changes) -> WizardState:
    base = WizardState(app_id=APP_ID, client_id=CLIENT_ID, publish="draft",
                       marketplaces=("US", "DE"), seller_marketplace="DE",
                       login_uri="https://app.example.test/login",
                       redirect_uris=("https://app.example.test/cb",), csrf_state=FROZEN_STATE)
    return base.with_(**changes)


async def test_real_app_without_a_keyring_stops_before_any_url(build, tmp_path):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_catch(pilot, real_state(profile_name="shop", client_secret=SECRET))
        await wait_until(pilot, lambda: app.screen.phase == "failed")
        failure = text_of(app, "#catch-failure")
        assert "No system keyring is available" in failure
        assert "→ Install and start a Secret Service" in failure
        assert "Cause: secret_store" in failure
        assert app.screen.url is None and not app.screen.query_one("#consent-url").display
        assert not (tmp_path / "config" / "profiles.toml").exists()


async def test_real_app_asks_for_a_missing_profile_name_and_secret(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_catch(pilot, real_state())
        assert app.screen.phase == "setup" and app.screen.query_one("#setup-form").display
        await pilot.click("#setup-start")
        await pilot.pause()
        assert "profile name is empty" in text_of(app, "#note-profile_name")
        assert "client secret is not given" in text_of(app, "#note-client_secret")
        assert app.screen.phase == "setup"
        app.screen.query_one("#setup-profile", Input).value = "my shop"
        await pilot.pause()
        assert "not allowed" in text_of(app, "#note-profile_name")
        app.screen.query_one("#setup-profile", Input).value = "my-shop"
        app.screen.query_one("#setup-secret", Input).value = SECRET
        await pilot.pause()  # the notes above the button go away first
        await pilot.click("#setup-start")
        await wait_until(pilot, lambda: app.screen.phase == "failed")  # no keyring here
        assert SECRET not in all_text(app)
        await pilot.press("escape")  # what was typed comes back to the wizard
        await settle(pilot, lambda: step_of(app) == "review")
        assert app.screen.state.profile_name == "my-shop"


async def test_real_app_over_https_against_a_simulator(build, monkeypatch, tmp_path):
    """The non-demo path end to end: env endpoints, keyring, profile saved first, a generated
    certificate for the registered host, the legs over TLS."""
    port = quiet_port()
    login, redirect = f"https://localhost:{port}/login", f"https://localhost:{port}/cb"
    simulator = Simulator(demo_registry(login, redirect))
    base = await simulator.start()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", base)
    monkeypatch.setenv("OAUTH_WIZARD_LWA_URL", simulator.lwa_url)
    state = real_state(app_id=demo.DEMO_APP_ID, client_id=demo.DEMO_CLIENT_ID,
                       client_secret=demo.DEMO_CLIENT_SECRET, profile_name="shop",
                       login_uri=login, redirect_uris=(redirect,))
    app = build(clock=time.time)  # the certificate must be valid now, for the TLS client
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_catch(pilot, state)
            await wait_until(pilot, lambda: app.screen.phase == "listening")
            assert "New certificate" in text_of(app, "#cert-info")
            assert "SHA-256" in text_of(app, "#cert-info")
            profiles = ProfileStore(tmp_path / "config")
            assert profiles.get("shop").app.app_id == demo.DEMO_APP_ID  # saved before the URL
            # the browser trusts the certificate the wizard generated (as the user would)
            trusted = ssl.create_default_context(
                cafile=tmp_path / "config" / "certs" / "localhost.cert.pem")
            async with httpx.AsyncClient(trust_env=False, verify=trusted,
                                         follow_redirects=True) as http:
                final = await http.get(app.screen.url + "&sim_user=Pat")
            assert final.status_code == 200 and "Authorized" in final.text
            await wait_until(pilot, lambda: step_of(app) == "done")
            service = "oauth-wizard"
            token = backend.data[(service, refresh_token_key("shop", "EU", "A1SIMPATSTORE"))]
            assert backend.data[(service, client_secret_key("shop"))] == demo.DEMO_CLIENT_SECRET
            assert mask(token) in screen_text(app) and token not in all_text(app)
            assert "Demo" not in screen_text(app)
            assert profiles.get("shop").authorizations[0].storage == "keyring"
    finally:
        await simulator.stop()


async def test_approving_as_a_secondary_user_shows_spdc8143_and_the_attempt_goes_on(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Approve as Sam"].callback()
        await wait_until(pilot, lambda: "SPDC8143" in text_of(app, "#action-status"))
        assert "not the primary user" in text_of(app, "#action-status")
        assert app.screen.query_one("#action-status").has_class("-error")
        assert app.screen.phase == "listening"
        await pilot.press("a")  # Pat is the primary user
        await wait_until(pilot, lambda: step_of(app) == "done")


async def test_countdowns_show_the_listener_time_then_the_code_window(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        assert text_of(app, "#catch-phase") == "● Waiting for Amazon's redirect · 10:00 left"
        screen = app.screen
        now = FROZEN_NOW
        screen.post_message(AttemptProgress(
            screen._attempt, Exchanging("A1SIMPATSTORE", now - 12, now - 12 + 300), now))
        await wait_until(pilot, lambda: screen.phase == "exchanging")
        assert text_of(app, "#catch-phase") == (
            "● Code received: exchanging it · 4:48 left of its 5-minute window")


async def test_no_redirect_before_the_timeout_fails_and_closes_the_listener(build, runtimes):
    app = build(catch_timeout=1.5)
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        assert text_of(app, "#catch-phase").endswith("0:02 left")
        await wait_until(pilot, lambda: app.screen.phase == "failed")
        assert "No redirect from Amazon arrived within 1.5 s" in text_of(app, "#catch-failure")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", runtimes[0].catch_port))
