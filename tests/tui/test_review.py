"""Pilot tests of the Review step: the exact URL, copy, open in browser, new state, and a
keyboard-only walk from the Welcome screen to a correct URL."""

from __future__ import annotations

import threading

from textual.widgets import Input, Select, Static
from tui_kit import FROZEN_STATE, SIZE, go_to, settle, step_of, text_of

from oauth_wizard.tui.screens.welcome import WelcomeScreen

DEMO_URL = (  # the simulator's demo app; no redirect_uri: its only Redirect URI is used
    "https://sellercentral.amazon.de/apps/authorize/consent"
    "?application_id=amzn1.sp.solution.5e1f0000-de70-4000-8000-000000000001"
    f"&state={FROZEN_STATE}"
    "&version=beta"
)


async def wait_for_browser(pilot) -> None:
    """The opener runs in a thread worker; wait until its result is reported."""
    await settle(pilot, lambda: not text_of(pilot.app, "#action-status").startswith("Opening"))


def screen_text(app) -> str:
    return "\n".join(str(s.content) for s in app.screen.query(Static))


async def test_demo_review_shows_the_exact_url(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        assert app.screen.url == DEMO_URL
        assert text_of(app, "#consent-url") == DEMO_URL
        assert text_of(app, "#review-summary").startswith("DE Germany · region EU · Seller Central")
        text = screen_text(app)
        for param in ("application_id = ", "state = ", "version = beta"):
            assert param in text
        assert "redirect_uri = " not in text
        assert "not Published: only version=beta authorizes the draft version" in text
        assert "OSC 52" in text
        assert app.screen.query_one("#lint-ok")
        # the demo app's secret is prefilled (masked), and the demo says where Authorize goes
        assert text_of(app, "#review-secret").startswith("Client secret: •••")
        assert "local simulator" in text_of(app, "#review-demo")


async def test_copy_puts_the_url_on_the_clipboard_and_explains_osc52(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        await pilot.press("c")
        assert app.clipboard == DEMO_URL
        assert "OSC 52" in text_of(app, "#action-status")


async def test_copy_from_the_command_palette(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Copy the consent URL"].callback()
        assert app.clipboard == DEMO_URL


async def test_open_in_browser_uses_the_injected_opener(build, opener):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        await pilot.press("o")
        await wait_for_browser(pilot)
        await pilot.pause()
        assert opener.urls == [DEMO_URL]
        assert opener.threads[0] is not threading.main_thread()  # never on the event loop
        assert text_of(app, "#action-status").startswith("Opened the consent URL")


async def test_open_failure_says_so_and_gives_the_url(build, opener):
    opener.result = False
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        await pilot.click("#open")
        await wait_for_browser(pilot)
        await pilot.pause()
        status = app.screen.query_one("#action-status")
        assert status.has_class("-error")
        assert f"Open this URL by hand: {DEMO_URL}" in str(status.content)


async def test_an_opener_that_raises_is_reported_not_crashed(build, opener):
    opener.error = OSError("no display")
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        await pilot.press("o")
        await wait_for_browser(pilot)
        await pilot.pause()
        assert "Could not open a browser" in text_of(app, "#action-status")
        assert app.is_running


async def test_new_state_regenerates_the_state(build):
    app = build(demo=True, states=iter(["first-state", "second-state"]))
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "review")
        assert "state=first-state&" in app.screen.url
        await pilot.press("n")
        await pilot.pause()
        assert "state=second-state&" in app.screen.url
        assert "state=second-state&" in text_of(app, "#consent-url")
        # the new state survives going back and forth
        await pilot.press("escape")
        await settle(pilot, lambda: step_of(app) == "uris")
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: step_of(app) == "review")
        assert "state=second-state&" in app.screen.url


async def test_review_lists_profile_warnings_with_fixes(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "uris")
        app.screen.query_one(".redirect-input", Input).value = "https://localhost:8443/cb"
        app.screen.query_one("#consent-redirect", Select).value = 0  # named in the consent URL
        await go_to(pilot, "review")
        text = screen_text(app)
        assert "Amazon's app registration refuses http://localhost; whether it accepts" in text
        assert "→ To be safe, register a name you control" in text
        assert "redirect_uri=https%3A%2F%2Flocalhost%3A8443%2Fcb" in app.screen.url


async def test_secret_is_never_rendered(build):
    secret = "amzn1.oa2-cs.v1." + "c0ffee" * 10 + "abcd"
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity")
        app.screen.query_one("#client-secret", Input).value = secret
        await pilot.pause()
        assert secret[-12:] not in app.export_screenshot()
        await go_to(pilot, "review")
        assert secret[-12:] not in app.export_screenshot()
        assert secret not in screen_text(app)
        # a fixed mask that does not depend on the secret's length
        assert text_of(app, "#review-secret").startswith("Client secret: •••••••• ")


async def test_keyboard_only_walk_from_welcome_to_review(build):
    app_id = "amzn1.sp.solution.aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    client_id = "amzn1.application-oa2-client." + "1234abcd" * 4
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("enter")  # Authorize a seller
        await settle(pilot, lambda: step_of(app) == "identity")
        await pilot.press(*app_id, "enter", *client_id, "enter", "enter")  # secret left empty
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: step_of(app) == "publish")
        await pilot.press("enter", "ctrl+n")  # Draft
        await settle(pilot, lambda: step_of(app) == "hybrid")
        await pilot.press("ctrl+n")  # not hybrid (the default)
        await settle(pilot, lambda: step_of(app) == "marketplaces")
        await pilot.press("down", "space")  # NA: US
        await pilot.press("tab", "tab", *["down"] * 6, "space")  # FE skipped; EU: DE
        await pilot.press("tab", "enter", "D", "E", "enter")  # the seller's marketplace: DE
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: step_of(app) == "uris")
        await pilot.press(*"https://app.example.com/login", "enter")
        await pilot.press(*"https://app.example.com/cb", "ctrl+n")
        await settle(pilot, lambda: step_of(app) == "review")
        assert app.screen.url == (
            "https://sellercentral.amazon.de/apps/authorize/consent"
            f"?application_id={app_id}&state={FROZEN_STATE}&version=beta")
        await pilot.press("c")
        assert app.clipboard == app.screen.url
