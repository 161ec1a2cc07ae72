"""Pilot tests of the Self-authorize screen: the live shape check, the demo token proven at the
in-process simulator and stored, and only ever the masked token on screen."""

from __future__ import annotations

from keep_kit import (
    SlowKeyring,
    all_text,
    open_selfauth,
    shop_records,
    user_runtime,
)
from textual.widgets import Input, Select
from tui_kit import SIZE, screen_text, settle, wait_until

from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import refresh_token_key
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.tui.demo import DEMO_APP_ID
from oauth_wizard.tui.screens.profiles import ProfilesScreen
from oauth_wizard.tui.screens.selfauth import SelfAuthScreen
from oauth_wizard.tui.screens.welcome import WelcomeScreen

SELF_NA = refresh_token_key("demo", "NA", "self-NA")


def note(screen: SelfAuthScreen) -> str:
    widget = screen.query_one("#note-token")
    return str(widget.content) if widget.display else ""


async def type_token(pilot, screen: SelfAuthScreen, text: str) -> None:
    """Paste all but the last character, then type that one (as a user finishing a paste)."""
    field = screen.query_one("#sa-token", Input)
    field.value = text[:-1]
    field.focus()
    field.cursor_position = len(field.value)
    await pilot.press(text[-1])
    await pilot.pause()
    assert field.value == text


async def test_the_demo_token_is_proven_stored_and_shown_only_masked(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_selfauth(pilot)
        runtime = runtimes[0]
        token = runtime.simulator.self_auth_tokens[DEMO_APP_ID]
        assert screen.query_one("#sa-profile", Select).value == "demo"  # added by the demo
        assert screen.query_one("#sa-region", Select).value == "NA"
        assert "issued a self-authorization token for the demo app" in screen_text(app)
        await pilot.press("ctrl+t")  # paste the demo token
        assert screen.query_one("#sa-token", Input).value == token
        assert "The shape is right" in note(screen)
        assert token not in all_text(app) and token[5:20] not in all_text(app)
        await pilot.press("ctrl+n")  # Prove and store
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        assert screen.report.failure is None and screen.report.verify_failure is None
        assert await runtime.secrets.get(SELF_NA) == token
        record = ProfileStore(runtime.config_dir).get("demo")
        assert [(a.region, a.how) for a in record.authorizations] == [("NA", "self-auth")]
        text = screen_text(app)
        assert "✓ Stored: profile 'demo', region NA." in text
        assert mask(token) in text and "US, CA" in text and "Pat's Demo Store" in text
        assert "self-NA (a placeholder" in text
        assert screen.query_one("#sa-token", Input).value == ""  # nothing stays in the field
        rendered = all_text(app)
        assert token not in rendered and token[5:25] not in rendered and token[-20:] not in (
            rendered)
        await pilot.press("ctrl+o")  # to Profiles, which now lists it
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen)
                         and app.screen.view is not None)
        profiles = app.screen
        assert isinstance(app.screen_stack[-2], WelcomeScreen)  # switched, not piled up
        rows = [str(o.prompt) for o in profiles.query_one("#profile-list").options]
        assert any("NA self-NA (self-auth)" in row for row in rows)


async def test_bad_shapes_are_refused_live_without_echoing_the_token(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_selfauth(pilot)
        await type_token(pilot, screen, "Atza|AccessTokenPart0123456789abcdefghij")
        assert "This is an access token" in note(screen)
        assert "AccessTokenPart" not in screen_text(app)
        await type_token(pilot, screen, "amzn1.oa2-cs.v1.SecretPart0123456789abcdef")
        assert "client ID or secret" in note(screen) and "SecretPart" not in screen_text(app)
        await type_token(pilot, screen, "Atzr|Inner Space0123456789abcdefghijklmnopqrst")
        assert "space" in note(screen).lower() and "Inner" not in all_text(app)
        await type_token(pilot, screen, "Atzr|short")
        assert "cut off" in note(screen)
        await pilot.press("ctrl+n")  # refused: nothing is tried, nothing stored
        await pilot.pause()
        assert screen.report is None and await runtimes[0].secrets.get(SELF_NA) is None
        assert screen.query_one("#note-token").has_class("-error")


async def test_a_token_lwa_refuses_is_not_stored_and_says_why(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_selfauth(pilot)
        await type_token(pilot, screen, "Atzr|IwEBIunknown" + "0123456789" * 5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "LWA did not accept the token, so it was not stored" in text
        assert "Likely cause:" in text
        assert await runtimes[0].secrets.get(SELF_NA) is None
        assert screen.query_one("#sa-result").has_class("-error")


async def test_without_profiles_it_says_how_to_add_one(build, tmp_path):
    runtime = user_runtime(tmp_path / "cfg", SlowKeyring(delay=0))
    app = build(runtime=lambda: runtime)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_selfauth(pilot)
        assert screen.query_one("#sa-none").display
        assert not screen.query_one("#sa-token-row").display
        assert "oauth-wizard profile add NAME" in screen_text(app)
        await pilot.press("ctrl+n")
        assert screen.report is None


async def test_a_slow_keyring_while_proving_keeps_the_field_usable(build, tmp_path):
    keyring = SlowKeyring(delay=3.0)
    runtime = user_runtime(tmp_path / "cfg", keyring, timeout=1.0, records=shop_records())
    app = build(runtime=lambda: runtime)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_selfauth(pilot)
        await type_token(pilot, screen, "Atzr|IwEBIshop" + "0123456789" * 5)
        await pilot.press("enter")
        await settle(pilot, lambda: screen._busy)
        await pilot.press("x")  # typed while the keyring call waits
        assert screen.query_one("#sa-token", Input).value.endswith("x")
        assert keyring.waiting  # typed while the read was still unanswered
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        assert "did not answer within 1 s" in screen_text(app)
        assert screen.report.result is None
