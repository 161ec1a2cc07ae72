"""The wizard pointed at a simulator by the environment (``oauth-wizard simulate``'s exports):
the same URI rule as ``profile add``, and every screen saying that it is not Amazon."""

from __future__ import annotations

from tui_kit import FROZEN_STATE, SIZE, screen_text, settle, step_of, text_of

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.simulator.demo_registry import DEMO_APP_ID, DEMO_CLIENT_ID
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.state import WizardState, check_step

SIM = Endpoints("http://127.0.0.1:8765", "http://127.0.0.1:8765/auth/o2/token",
                "http://127.0.0.1:8765/spapi")


def sim_state() -> WizardState:
    return WizardState(app_id=DEMO_APP_ID, client_id=DEMO_CLIENT_ID, publish="draft",
                       marketplaces=("US",), seller_marketplace="US",
                       login_uri="http://127.0.0.1:42107/sp-api/login",
                       redirect_uris=("http://127.0.0.1:42107/sp-api/callback",),
                       csrf_state=FROZEN_STATE)


def test_the_uri_rule_is_the_command_lines():
    real, simulated = sim_state(), sim_state().with_(simulator=SIM.portal_base)
    assert [p for p in check_step(real, "uris") if p.blocking]
    problems = check_step(simulated, "uris")
    assert not [p for p in problems if p.blocking]
    assert all("Real Amazon refuses" in p.message for p in problems)


async def test_every_screen_says_not_amazon_and_review_names_the_simulator(build):
    app = build(endpoints=SIM)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await settle(pilot, lambda: bool(app.screen.query(".override-banner")))
        assert "Not Amazon: consent pages → http://127.0.0.1:8765" in screen_text(app)
        app.start_wizard("authorize", state=sim_state(), at="review")
        await settle(pilot, lambda: step_of(app) == "review")
        await settle(pilot, lambda: bool(app.screen.query(".override-banner")))
        assert "Cannot go on" not in screen_text(app)
        assert "sellercentral.amazon.com" in text_of(app, "#consent-url")
        note = text_of(app, "#review-demo")
        assert "http://127.0.0.1:8765/sellercentral.amazon.com/" in note


async def test_no_banner_when_nothing_is_overridden(build):
    app = build(endpoints=Endpoints())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.pause()
        assert not app.screen.query(".override-banner")


async def test_the_consent_url_shown_is_kept_to_print_at_exit(build):
    app = build(endpoints=SIM)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        app.start_wizard("authorize", state=sim_state(), at="review")
        await settle(pilot, lambda: step_of(app) == "review")
        assert app.consent_url == app.screen.url and "state=" in app.consent_url
        assert "│" not in text_of(app, "#consent-url")


def test_the_wizard_prints_the_last_consent_url_on_one_line_when_it_exits(monkeypatch, capsys):
    from oauth_wizard.cli import main as cli_main

    class Finished:
        consent_url = "https://sellercentral.amazon.com/apps/authorize/consent?application_id=x"
        return_code = 0

        def run(self) -> None:
            return None

    monkeypatch.setattr(cli_main, "_interactive", lambda: True)
    monkeypatch.setattr("oauth_wizard.tui.launch.make_app", lambda **_: Finished())
    assert cli_main.main([]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == Finished.consent_url


async def test_a_new_user_drives_the_wizard_against_oauth_wizard_simulate(build, monkeypatch,
                                                                          tmp_path):
    """The simulator's own demo app, typed into the real (non-demo) wizard with the exports
    `oauth-wizard simulate` prints: http URIs on this machine, the keyring, a plain listener."""
    import httpx
    import keyring
    from keyring_kit import MemoryKeyring
    from port_kit import quiet_port
    from tui_kit import open_catch, wait_until

    from oauth_wizard.simulator.demo_registry import DEMO_CLIENT_SECRET, demo_registry
    from oauth_wizard.simulator.server import Simulator

    port = quiet_port()
    login, redirect = f"http://127.0.0.1:{port}/sp-api/login", f"http://127.0.0.1:{port}/cb"
    simulator = Simulator(demo_registry(login, redirect))
    base = await simulator.start()
    endpoints = Endpoints(base, simulator.lwa_url, simulator.spapi_url)
    monkeypatch.setenv("OAUTH_WIZARD_PORTAL_URL", base)
    monkeypatch.setenv("OAUTH_WIZARD_LWA_URL", simulator.lwa_url)
    monkeypatch.setenv("OAUTH_WIZARD_SPAPI_URL", simulator.spapi_url)
    keyring.set_keyring(MemoryKeyring())
    state = sim_state().with_(login_uri=login, redirect_uris=(redirect,), profile_name="sim",
                              client_secret=DEMO_CLIENT_SECRET, marketplaces=("US", "DE"),
                              seller_marketplace="DE")
    import time
    app = build(endpoints=endpoints, clock=time.time)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_catch(pilot, state)
            await wait_until(pilot, lambda: app.screen.phase == "listening")
            assert app.screen.url.startswith(f"{base}/sellercentral.amazon.de/")
            async with httpx.AsyncClient(follow_redirects=True, trust_env=False) as http:
                final = await http.get(app.screen.url + "&sim_user=Pat")
            assert final.status_code == 200 and "Authorized" in final.text
            await wait_until(pilot, lambda: step_of(app) == "done")
            assert "A1SIMPATSTORE" in screen_text(app)
    finally:
        await simulator.stop()
