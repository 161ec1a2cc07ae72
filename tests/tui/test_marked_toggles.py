"""Choices that read without colour, and a radio cursor that starts on the choice."""

from __future__ import annotations

from textual.widgets import RadioSet, SelectionList
from tui_kit import SIZE, go_to, screen_text, settle, step_of

from oauth_wizard.tui.screens.marked_toggles import (
    ChoiceRadioSet,
    MarkedRadioButton,
    MarkedSelectionList,
)


async def test_only_the_chosen_radio_and_ticked_boxes_carry_a_mark(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "publish")
        marks = [r._button.plain for r in app.screen.query(MarkedRadioButton)]
        assert marks == ["▐●▌", "▐ ▌", "▐ ▌", "▐ ▌"]  # Draft, and the three not chosen
        await go_to(pilot, "marketplaces")
        eu = app.screen.query_one("#mkt-EU", MarkedSelectionList)
        lines = [eu.render_line(y).text for y in range(eu.size.height)]
        assert any("▐X▌ ES Spain" in ln for ln in lines)
        assert any("▐ ▌ IE Ireland" in ln for ln in lines)
        text = screen_text(app)
        assert "Ticked · NA 3 of 4: CA, US, MX · EU 5 of 16: ES, UK, FR, DE, IT" in " ".join(
            text.split())
        app.screen.query_one("#mkt-FE", SelectionList).select("JP")
        await pilot.pause()
        assert "FE 1 of 3: JP" in " ".join(screen_text(app).split())


async def test_after_going_back_the_radio_cursor_is_on_the_choice(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "publish")
        radios = app.screen.query_one(ChoiceRadioSet)
        radios.query("RadioButton")[2].value = True  # Published
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: step_of(app) != "publish")
        await pilot.press("escape")
        await settle(pilot, lambda: step_of(app) == "publish")
        await pilot.pause()
        radios = app.screen.query_one(RadioSet)
        assert radios.pressed_index == 2 and radios._selected == 2
