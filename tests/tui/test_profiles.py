"""Pilot tests of the Profiles screen against the demo's in-process simulator (and, for the
user's own profiles, a keyring backend in memory or one that never answers)."""

from __future__ import annotations

import os
import stat

from keep_kit import (
    DEMO_CLIENT_SECRET,
    SHOP_SECRET,
    SHOP_TOKEN,
    MemoryKeyring,
    SlowKeyring,
    all_text,
    highlight,
    open_profiles,
    shop_keyring,
    shop_records,
    user_runtime,
)
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Select
from tui_kit import FROZEN_NOW, SIZE, screen_text, settle, step_of, to_catch, wait_until

from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.reports import AuthRef
from oauth_wizard.keep.secrets import KeyringSecretStore
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.tui.screens.export import ExportDialog
from oauth_wizard.tui.screens.keep_widgets import ConfirmDialog
from oauth_wizard.tui.screens.profiles import ProfilesScreen
from oauth_wizard.tui.screens.selfauth import SelfAuthScreen
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.sessions.demo import DEMO_SERVICE, DemoRuntime

EU = AuthRef("demo", "EU", "A1SIMPATSTORE")
TOKEN_KEY = refresh_token_key("demo", "EU", "A1SIMPATSTORE")


async def authorize_demo(pilot) -> None:
    """The demo's Authorize, approved as Pat, then back to the Welcome screen."""
    await to_catch(pilot)
    await pilot.press("a")
    await wait_until(pilot, lambda: step_of(pilot.app) == "done")
    pilot.app.action_restart()


async def verified(pilot, screen: ProfilesScreen, ref: AuthRef) -> str:
    await pilot.press("v")
    await wait_until(pilot, lambda: ref in screen.results and not screen._busy
                     and screen.view is not None)
    await wait_until(pilot, lambda: str(screen.results[ref][0]) in screen_text(pilot.app))
    return screen_text(pilot.app)


async def test_status_after_a_demo_authorization_then_verify_ok(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        screen = await open_profiles(pilot)
        rows = [str(o.prompt) for o in screen.query_one("#profile-list").options]
        assert rows[0].startswith("! demo") and "EU A1SIMPATSTORE (oauth)" in rows[1]
        await highlight(pilot, screen, "A1SIMPATSTORE")
        token = await runtimes[0].secrets.get(TOKEN_KEY)
        text = screen_text(app)
        assert "was never verified" in text and "oauth-wizard verify demo" in text
        assert "Here: v verifies it now." in text
        assert "2026-01-01; re-authorize by 2027-01-01 (365 day(s) left)" in text
        assert "Atzr|IwEB…(ends 789) in memory" in text
        text = await verified(pilot, screen, EU)
        assert "✓ EU A1SIMPATSTORE verified" in text
        assert "Pat's Demo Store" in text and "DE   Amazon.de" in text
        assert "Last verify\nok on 2026-01-01 (3 marketplace(s): DE, FR, UK)" in text
        assert "never verified" not in text
        assert token not in all_text(app)


async def test_verify_of_a_revoked_token_shows_the_cause_the_fix_and_the_command(build,
                                                                                  runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        runtime = runtimes[0]
        assert runtime.simulator.revoke_refresh_token(await runtime.secrets.get(TOKEN_KEY))
        screen = await open_profiles(pilot)
        await highlight(pilot, screen, "A1SIMPATSTORE")
        text = await verified(pilot, screen, EU)
        result = str(screen.results[EU][0])
        assert result.startswith("✗ EU A1SIMPATSTORE did not verify:")
        assert "(refresh_token_revoked_or_expired)" in result and "Likely cause:" in result
        assert "Fix it with:  oauth-wizard authorize demo --marketplace" in result
        assert "The last verify of the EU authorization" in text  # status: verify_failed
        rows = [str(o.prompt) for o in screen.query_one("#profile-list").options]
        assert rows[1].startswith("  ✗ EU")


async def test_export_writes_a_0600_file_and_asks_before_replacing_it(build, tmp_path):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        screen = await open_profiles(pilot)
        await pilot.press("e")  # on the profile: its only authorization
        await settle(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        assert dialog.ref == EU
        dialog.query_one("#export-format", Select).value = "dotenv"
        target = dialog.keep.export_sandbox() / "shop.env"  # the demo writes only in its folder
        await wait_until(pilot, lambda: dialog.query_one("#export-path", Input).value.endswith(
            ".env"))
        field = dialog.query_one("#export-path", Input)
        field.value = str(target)
        field.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.written is not None)
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        assert "SP_API_REFRESH_TOKEN='Atzr|" in target.read_text()
        shown = screen_text(app)
        assert f"Wrote {target} (dotenv, mode 0600)" in shown and "single-quoted" in shown
        before = target.read_text()
        assert app.focused is dialog.query_one("#export-cancel")  # "Done" is next
        field.focus()
        await pilot.press("enter")  # again: the file exists now
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")  # no
        await wait_until(pilot, lambda: "Nothing was written" in screen_text(app))
        assert target.read_text() == before
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        assert f"Exported to {target}" in screen_text(app)


async def test_remove_asks_then_deletes_the_keyring_entries_and_the_profile(build, runtimes):
    backend = MemoryKeyring()

    def keyring_demo() -> DemoRuntime:
        runtime = DemoRuntime(clock=lambda: FROZEN_NOW, keyring_store=KeyringSecretStore(
            service=DEMO_SERVICE, backend=backend))
        runtimes.append(runtime)
        return runtime

    app = build(demo=True)
    app._make_demo_runtime = keyring_demo
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        screen = await open_profiles(pilot)
        keys = {key for _, key in backend.data}
        assert keys == {client_secret_key("demo"), TOKEN_KEY}
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "delete" in screen_text(app) and "not revoked" in screen_text(app)
        await pilot.press("escape")  # the safe answer first: nothing happens
        await settle(pilot, lambda: app.screen is screen)
        assert len(backend.data) == 2
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-yes")
        await wait_until(pilot, lambda: not backend.data and screen.items == [])
        assert ProfileStore(runtimes[0].config_dir).load() == {}
        assert "A profile describes one SP-API app" in screen_text(app)
        assert screen.check_action("authorize", ()) and not screen.check_action("verify", ())
        assert "oauth-wizard profile add NAME" in screen_text(app)


async def test_a_users_profiles_with_problems_each_with_its_fix(build, tmp_path):
    runtime = user_runtime(tmp_path / "cfg", shop_keyring(), records=shop_records())
    app = build(runtime=lambda: runtime)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profiles(pilot)
        assert "1 profile · 2 thing(s) need action, 3 warning(s)" in screen_text(app)
        text = screen_text(app)
        assert "at most 20 day(s) left before the 180-day rotation" in text
        await highlight(pilot, screen, "self-NA")
        text = screen_text(app)
        assert "The refresh token of the NA authorization of 'shop' (self-NA) is not stored" in text
        assert "oauth-wizard self-auth shop --region NA" in text
        assert "Here: r pastes a new self-authorization token." in text
        assert SHOP_SECRET not in all_text(app) and SHOP_TOKEN not in all_text(app)


async def test_a_slow_keyring_leaves_the_screen_responsive_then_says_why(build, tmp_path):
    keyring = SlowKeyring(delay=3.0)
    runtime = user_runtime(tmp_path / "cfg", keyring, timeout=1.0, records=shop_records())
    app = build(runtime=lambda: runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.screen.is_mounted)
        app.open_keep("profiles")
        await settle(pilot, lambda: isinstance(app.screen, ProfilesScreen)
                     and "Reading the profiles and checking" in screen_text(app))
        screen = app.screen
        await pilot.press("ctrl+p")  # handled while the keyring call waits
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert keyring.waiting  # the keyring has not answered yet (the view may: after 1 s)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: screen.view is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "The keyring could not be read" in text and "did not answer within 1 s" in text
        assert "recorded in the system keyring" in text and "not checked" in text
        assert "is not stored" not in text  # unreadable is not missing


async def test_the_welcome_entries_open_self_authorize_and_profiles(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        menu = app.screen.query_one("#welcome-menu", OptionList)
        for key, screen_type in (("self-auth", SelfAuthScreen), ("profiles", ProfilesScreen)):
            assert not menu.get_option(key).disabled
            menu.highlighted = menu.get_option_index(key)
            await pilot.press("enter")
            await settle(pilot, lambda t=screen_type: isinstance(app.screen, t))
            assert app.screen.keep.demo is False  # the user's own profiles
            await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))


async def test_reauthorize_loads_the_profile_into_the_wizard_then_comes_back(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        screen = await open_profiles(pilot)
        await highlight(pilot, screen, "A1SIMPATSTORE")
        await pilot.press("r")
        await wait_until(pilot, lambda: step_of(app) == "review")
        state = app.screen.state
        assert (state.profile_name, state.seller_marketplace, state.demo) == ("demo", "DE", True)
        assert state.client_secret == DEMO_CLIENT_SECRET  # read from the demo's store
        for _ in range(6):  # Back through every step leaves the wizard
            await pilot.press("escape")
            await pilot.pause()
        await wait_until(pilot, lambda: app.screen is screen and screen.view is not None)


async def test_reauthorizing_a_self_authorization_asks_for_a_new_token(build, tmp_path):
    runtime = user_runtime(tmp_path / "cfg", shop_keyring(), records=shop_records())
    app = build(runtime=lambda: runtime)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profiles(pilot)
        await highlight(pilot, screen, "self-NA")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, SelfAuthScreen)
                         and app.screen.loaded)
        await pilot.pause()
        assert app.screen.query_one("#sa-profile", Select).value == "shop"
        assert app.screen.query_one("#sa-region", Select).value == "NA"
