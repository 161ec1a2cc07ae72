"""Pilot tests of the Done screen's Verify and Export, right after the demo's authorization."""

from __future__ import annotations

import os
import stat

from keep_kit import all_text
from textual.widgets import Button, Input, Select
from tui_kit import SIZE, screen_text, settle, step_of, text_of, to_catch, wait_until

from oauth_wizard.core.records import refresh_token_key
from oauth_wizard.tui.screens.export import ExportDialog

TOKEN_KEY = refresh_token_key("demo", "EU", "A1SIMPATSTORE")


async def to_done(pilot) -> None:
    await to_catch(pilot)
    await pilot.press("a")
    await wait_until(pilot, lambda: step_of(pilot.app) == "done")
    await pilot.pause()


def verify_text(app) -> str:
    widget = app.screen.query_one("#done-verify")
    return str(widget.content) if widget.display else ""


async def test_done_names_verify_and_export_as_actions_not_as_coming(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_done(pilot)
        text = screen_text(app)
        assert "coming soon" not in text.lower()
        assert "verify (v)" in text and "export (e)" in text
        assert verify_text(app) == ""


async def test_verify_on_done_shows_the_marketplaces_inline(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_done(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: "verified" in verify_text(app))
        result = verify_text(app)
        assert result.startswith("✓ EU A1SIMPATSTORE verified")
        assert "DE   Amazon.de, store 'Pat's Demo Store'" in result
        assert app.screen.query_one("#done-verify").has_class("-ok")
        token = await runtimes[0].secrets.get(TOKEN_KEY)
        assert token not in all_text(app)


async def test_verify_on_done_explains_a_revoked_token(build, runtimes):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_done(pilot)
        runtime = runtimes[0]
        runtime.simulator.revoke_refresh_token(await runtime.secrets.get(TOKEN_KEY))
        await pilot.click("#verify-done")
        await wait_until(pilot, lambda: verify_text(app).startswith("✗"))
        result = verify_text(app)
        assert "did not verify" in result and "(refresh_token_revoked_or_expired)" in result
        assert "Fix it with:  oauth-wizard authorize demo" in result
        assert app.screen.query_one("#done-verify").has_class("-error")


async def test_export_on_done_writes_a_0600_file_inside_the_demo_folder(build, tmp_path):
    app = build()
    outside = tmp_path / "credentials.yml"
    async with app.run_test(size=SIZE) as pilot:
        await to_done(pilot)
        done = app.screen
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        assert dialog.query_one("#export-format", Select).value == "psa-yaml"
        sandbox = dialog.keep.export_sandbox()
        assert sandbox is not None and "oauth-wizard-demo-" in str(sandbox)
        assert str(sandbox) in text_of(app, "#export-demo")
        await wait_until(pilot, lambda: dialog.query_one("#export-path", Input).value == str(
            sandbox / "credentials.yml"))
        # a real library file of the user's never receives the simulator's token
        dialog.query_one("#export-path", Input).value = str(outside)
        await pilot.click("#export-go")
        await wait_until(pilot, lambda: "only into its temporary folder" in text_of(
            app, "#export-result"))
        assert not outside.exists()
        target = sandbox / "credentials.yml"
        dialog.query_one("#export-path", Input).value = str(target)
        dialog.query_one("#export-go", Button).press()
        await wait_until(pilot, lambda: dialog.written == target)
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        text = target.read_text()
        assert "default:" in text and "refresh_token: 'Atzr|" in text
        assert "account='default'" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is done)
