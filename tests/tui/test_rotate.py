"""The Rotate dialog of the Profiles screen, in the demo: its simulator sends the new secret to
a real local SQS queue (moto's server on 127.0.0.1, started by the demo on first use), and the
dialog requests the rotation, waits, proves and stores the new secret, and deletes the message;
the box must be ticked first, and a second try reads the queue again instead of asking Amazon
twice."""

from __future__ import annotations

from keep_kit import DEMO_CLIENT_SECRET, all_text, open_profiles
from textual.widgets import Button, Checkbox, Input
from tui_kit import SIZE, screen_text, wait_until

from oauth_wizard.core.records import client_secret_key
from oauth_wizard.tui.screens.rotate import RotateDialog


async def _dialog(pilot) -> RotateDialog:
    screen = await open_profiles(pilot)
    await wait_until(pilot, lambda: screen.items)
    await pilot.press("o")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, RotateDialog))
    dialog = pilot.app.screen
    await wait_until(pilot, lambda: dialog.plan is not None, seconds=30)
    return dialog


async def test_the_demo_rotates_its_secret_through_a_local_queue(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _dialog(pilot)
        url = dialog.query_one("#rotate-queue", Input).value
        assert url.startswith("http://127.0.0.1:") and "Application Client New Secret" in \
            screen_text(app)
        dialog.query_one("#rotate-go", Button).press()
        await pilot.pause()
        assert "Tick the box" in screen_text(app)
        assert not runtimes[0].simulator.outbox.sent  # nothing asked of Amazon
        dialog.query_one("#rotate-ok", Checkbox).value = True
        dialog.query_one("#rotate-go", Button).press()
        await wait_until(pilot, lambda: dialog.stored, seconds=60)
        text = screen_text(app)
        assert "✓ store the new secret" in text and "✓ delete the queue message" in text
        (sent,) = runtimes[0].simulator.outbox.sent
        new = sent["payload"]["applicationOAuthClientNewSecret"]["newClientSecret"]
        assert await runtimes[0].secrets.get(client_secret_key("demo")) == new != \
            DEMO_CLIENT_SECRET
        assert new not in all_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RotateDialog))


async def test_stopping_the_wait_leaves_it_resumable_without_a_second_request(build, runtimes):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _dialog(pilot)
        sim = runtimes[0].simulator
        sink = sim.outbox.sink
        sim.outbox.sink = None  # Amazon's message is late: it is not in the queue yet
        dialog.query_one("#rotate-ok", Checkbox).value = True
        dialog.query_one("#rotate-go", Button).press()
        await wait_until(pilot, lambda: "Waiting for Amazon's message" in screen_text(app),
                         seconds=30)
        await pilot.press("escape")  # stops the wait, not the dialog
        await wait_until(pilot, lambda: not dialog.running, seconds=30)
        assert "Stopped. The rotation stays requested" in screen_text(app)
        await wait_until(pilot, lambda: dialog.plan is not None and dialog.plan.requested)
        assert str(dialog.query_one("#rotate-go", Button).label) == "Read the queue"
        (sent,) = sim.outbox.sent
        sink(__import__("json").dumps(sent))  # now it arrives
        dialog.query_one("#rotate-go", Button).press()
        await wait_until(pilot, lambda: dialog.stored, seconds=60)
        assert len(sim.outbox.sent) == 1  # Amazon was asked once


async def test_keys_alone_tick_the_box_and_rotate(build, runtimes):
    """Tab from the URL to the box, space ticks it, Tab to Rotate, Enter."""
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _dialog(pilot)
        assert app.focused is dialog.query_one("#rotate-queue", Input)
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#rotate-ok", Checkbox)
        await pilot.press("space")
        assert dialog.query_one("#rotate-ok", Checkbox).value
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: dialog.stored, seconds=60)


async def test_without_moto_the_demo_says_what_to_install(build, runtimes, monkeypatch):
    from oauth_wizard.simulator import local_aws

    def missing(_self):
        raise ImportError("No module named 'moto'")
    monkeypatch.setattr(local_aws.LocalAws, "start", missing)
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profiles(pilot)
        await wait_until(pilot, lambda: screen.items)
        await pilot.press("o")
        await wait_until(pilot, lambda: "moto is not installed" in screen_text(app))
        dialog = app.screen
        assert dialog.query_one("#rotate-go", Button).disabled
        assert "pip install 'oauth-wizard[aws]' 'moto[server]'" in " ".join(
            screen_text(app).split())
