"""Ctrl+Q on a filled-in wizard asks before throwing the typed values away."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_kit import SIZE, settle, step_of

from oauth_wizard.tui.screens.keep_widgets import ConfirmDialog
from oauth_wizard.tui.screens.welcome import WelcomeScreen


async def test_quit_with_typed_values_asks_and_escape_keeps_them(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        app.start_wizard("authorize")
        await settle(pilot, lambda: step_of(app) == "identity")
        app.screen.query_one("#app-id", Input).value = "amzn1.sp.solution.typed-by-hand"
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "lose what you entered" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")
        await settle(pilot, lambda: step_of(app) == "identity")
        assert app.screen.query_one("#app-id", Input).value.endswith("typed-by-hand")
        assert app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("ctrl+q")  # again: quit
        await pilot.pause()
    assert not app.is_running


@pytest.mark.parametrize("demo", [False, True])
async def test_quit_with_nothing_typed_or_in_the_demo_does_not_ask(build, demo):
    app = build(demo=demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity" if demo
                     else isinstance(app.screen, WelcomeScreen))
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
