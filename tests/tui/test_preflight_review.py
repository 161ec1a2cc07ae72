"""Pilot tests of the Review step's preflight: predicted failures with their fixes before the
browser opens, Authorize and Open blocked by a certain one until "Authorize anyway" is
confirmed, and the doctor opened from Review with the app's facts."""

from __future__ import annotations

from textual.widgets import Button, Static
from tui_kit import FROZEN_STATE, SIZE, settle, step_of

from oauth_wizard.tui import demo
from oauth_wizard.tui.screens.doctor import DoctorScreen
from oauth_wizard.tui.screens.doctor_widgets import PasteArea
from oauth_wizard.tui.screens.preflight_panel import AuthorizeAnyway
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.state import WizardState

APP = WizardState(
    app_id=demo.DEMO_APP_ID, client_id=demo.DEMO_CLIENT_ID, publish="published",
    marketplaces=("US", "CA", "MX"), seller_marketplace="US",
    login_uri="https://app.example.com/login", redirect_uris=("https://app.example.com/cb",),
    csrf_state=FROZEN_STATE,
)
NOT_IN_APP = APP.with_(seller_marketplace="DE")  # no marketplace of the app is in EU
HYBRID = APP.with_(hybrid=True, dev_ids=(("EU", "123456789012"),))  # no NA developer ID
NEARBY = APP.with_(marketplaces=("US", "DE"), seller_marketplace="FR")  # EU covered, FR not


async def review(pilot, state: WizardState):
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
    app.start_wizard("authorize", state=state, at="review")
    await settle(pilot, lambda: step_of(app) == "review")
    return app.screen


def asking(app) -> bool:
    """The "Authorize anyway" confirmation is on screen, buttons and all."""
    return isinstance(app.screen, AuthorizeAnyway) and bool(app.screen.query("#anyway-confirm"))


def findings(screen) -> list[tuple[str, str]]:
    """(certain|likely, text) of each predicted failure shown."""
    out = []
    for box in screen.query(".preflight-finding"):
        kind = "certain" if box.has_class("-certain") else "likely"
        out.append((kind, "\n".join(str(s.content) for s in box.query(Static))))
    return out


async def test_a_marketplace_outside_the_app_is_a_certain_failure(build, opener):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, NOT_IN_APP)
        shown = findings(screen)
        assert [kind for kind, _ in shown] == ["certain"]
        text = shown[0][1]
        assert "(marketplace_not_in_app)" in text and "(DE) is not among" in text
        assert "1) " in text  # with its fix
        assert "Amazon is expected to refuse" in str(
            screen.query_one("#preflight-blocked", Static).content)
        assert screen.query_one("#authorize", Button).disabled
        assert screen.query_one("#open", Button).disabled
        assert screen.check_action("open", ()) is False

        await pilot.press("a")  # Authorize anyway…: asks first
        await settle(pilot, lambda: asking(app))
        assert "marketplace_not_in_app" in str(app.screen.query_one("#anyway-text",
                                                                    Static).content)
        await pilot.press("n")
        await settle(pilot, lambda: step_of(app) == "review")
        assert opener.urls == []

        await pilot.press("a")
        await settle(pilot, lambda: asking(app))
        await pilot.press("y")
        await settle(pilot, lambda: step_of(app) == "catch")


async def test_hybrid_without_the_regions_developer_id_is_a_certain_failure(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, HYBRID)
        shown = findings(screen)
        assert ("certain", ) == tuple(kind for kind, text in shown
                                      if "(hybrid_region_dev_id_missing)" in text)
        assert "MD9010" in next(text for _, text in shown if "hybrid_region" in text)
        assert screen.query_one("#authorize-anyway", Button)
        await pilot.click("#authorize-anyway")
        await settle(pilot, lambda: asking(app))
        await pilot.click("#anyway-cancel")
        await settle(pilot, lambda: step_of(app) == "review")


async def test_open_in_browser_also_needs_the_confirmation(build, opener):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, NOT_IN_APP)
        screen.action_open()  # as the command palette does
        await settle(pilot, lambda: asking(app))
        assert "Open it anyway (y)" in str(app.screen.query_one("#anyway-confirm",
                                                                Button).label)
        await pilot.press("y")
        await settle(pilot, lambda: bool(opener.urls))
        assert opener.urls == [screen.url]
        assert not screen.query_one("#authorize", Button).disabled  # the user chose


async def test_a_likely_failure_warns_but_does_not_block(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, NEARBY)
        shown = findings(screen)
        assert shown and all(kind == "likely" for kind, _ in shown)
        assert any("(marketplace_not_in_app)" in text for _, text in shown)
        assert not screen.query("#authorize-anyway")
        assert not screen.query_one("#authorize", Button).disabled
        await pilot.press("a")
        await settle(pilot, lambda: step_of(app) == "catch")


async def test_the_demo_predicts_nothing(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.screen.is_mounted)
        app.start_wizard("demo", at="review")
        await settle(pilot, lambda: step_of(app) == "review")
        assert "nothing predicts a refusal" in str(
            app.screen.query_one("#preflight-ok", Static).content)
        assert not app.screen.query(".preflight-finding")


async def test_the_doctor_opens_from_review_with_the_apps_facts(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, NOT_IN_APP)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DoctorScreen))
        doctor = app.screen
        assert doctor.origin == "review" and doctor.text == ""
        assert isinstance(app.focused, PasteArea)
        facts = doctor.facts
        assert (facts["marketplace"], facts["app_marketplaces"]) == ("DE", "US,CA,MX")
        assert (facts["app_state"], facts["hybrid"], facts["via"]) == ("published", "false",
                                                                       "consent")
        assert facts["consent_url"] == screen.url
        doctor.query_one(PasteArea).insert("Error Code: MD5100")
        await pilot.press("enter")
        await settle(pilot, lambda: not doctor.busy, tries=200)
        assert doctor.outcome.diagnosis.top.id == "marketplace_not_in_app"
        await pilot.press("escape")
        await settle(pilot, lambda: step_of(app) == "review")
