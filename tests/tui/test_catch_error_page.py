"""Amazon's error page in the browser while the Catch screen waits: one key opens the doctor
with the attempt's facts, and the attempt keeps waiting underneath."""

from __future__ import annotations

from tui_kit import SIZE, settle, to_catch

from oauth_wizard.tui.screens.catch import CatchScreen
from oauth_wizard.tui.screens.doctor import DoctorScreen


async def test_error_page_opens_the_doctor_with_the_attempts_facts(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        catch = app.screen
        assert isinstance(catch, CatchScreen) and catch.phase == "listening"
        assert not catch.query_one("#error-page").disabled
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, DoctorScreen))
        facts = app.screen.facts
        assert facts["app_state"] == "draft" and facts["marketplace"] == "DE"
        assert facts.get("beta_in_url") in ("yes", "true", True)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is catch)
        assert catch.phase == "listening"  # still waiting for the genuine redirect
