"""Pilot tests: moving through the steps, live validation, and Next being refused on errors."""

from __future__ import annotations

from textual.widgets import Input, RadioButton, Select, SelectionList
from tui_kit import SIZE, go_to, screen_text, settle, step_of, text_of

from oauth_wizard.tui.screens.base import FieldNote
from oauth_wizard.tui.screens.welcome import WelcomeScreen

APP_ID = "amzn1.sp.solution.11111111-2222-4333-8444-555555555555"
CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "f" * 64


async def start_authorize(pilot) -> None:
    await settle(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))
    await pilot.press("enter")  # the first entry, "Authorize a seller", is highlighted
    await settle(pilot, lambda: step_of(pilot.app) == "identity")


async def next_step(pilot, expected: str) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot, lambda: step_of(pilot.app) == expected)


async def back_step(pilot, expected: str) -> None:
    await pilot.press("escape")
    await settle(pilot, lambda: step_of(pilot.app) == expected)


def value(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


def note(app, fld: str) -> FieldNote:
    return app.screen.query_one(f"#note-{fld}", FieldNote)


async def test_back_and_next_keep_every_value(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        screen = app.screen
        screen.query_one("#app-id", Input).value = APP_ID
        screen.query_one("#client-id", Input).value = CLIENT_ID
        screen.query_one("#client-secret", Input).value = SECRET
        screen.query_one("#kind-vendor", RadioButton).value = True
        await next_step(pilot, "publish")
        app.screen.query_one("#publish-submitted", RadioButton).value = True
        await next_step(pilot, "hybrid")
        app.screen.query_one("#hybrid-yes", RadioButton).value = True
        app.screen.query_one("#dev-id-NA", Input).value = "123456789012"
        await next_step(pilot, "marketplaces")
        app.screen.query_one("#mkt-NA", SelectionList).select("US")
        app.screen.query_one("#mkt-FE", SelectionList).select("JP")
        app.screen.query_one("#seller-marketplace", Select).value = "US"
        await next_step(pilot, "uris")
        app.screen.query_one("#login-uri", Input).value = "https://app.example.com/login"

        await back_step(pilot, "marketplaces")
        assert app.screen.query_one("#mkt-NA", SelectionList).selected == ["US"]
        assert app.screen.query_one("#mkt-FE", SelectionList).selected == ["JP"]
        assert app.screen.query_one("#seller-marketplace", Select).value == "US"
        await back_step(pilot, "hybrid")
        assert app.screen.query_one("#hybrid-yes", RadioButton).value
        assert value(app, "#dev-id-NA") == "123456789012"
        # now that the marketplaces are known, only NA and FE are asked for
        assert not app.screen.query("#dev-id-EU")
        await back_step(pilot, "publish")
        assert app.screen.query_one("#publish-submitted", RadioButton).value
        await back_step(pilot, "identity")
        assert (value(app, "#app-id"), value(app, "#client-id")) == (APP_ID, CLIENT_ID)
        assert value(app, "#client-secret") == SECRET
        assert app.screen.query_one("#kind-vendor", RadioButton).value

        await pilot.press("escape")  # back past the first step: the Welcome screen
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: step_of(app) == "identity")
        assert value(app, "#app-id") == APP_ID
        await go_to(pilot, "uris")
        assert value(app, "#login-uri") == "https://app.example.com/login"


async def test_empty_form_opens_without_errors_and_next_names_the_field(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        assert not note(app, "app_id").display
        assert not app.screen.query_one("#step-status").display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "identity"
        status = text_of(app, "#step-status")
        assert status.startswith("Cannot go on yet. App ID: The app ID is empty.")
        assert note(app, "app_id").display and note(app, "app_id").has_class("-error")
        assert "The LWA client ID is empty." in text_of(app, "#note-client_id")
        assert app.focused is app.screen.query_one("#app-id")


async def test_invalid_value_blocks_next_until_fixed(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        app.screen.query_one("#app-id", Input).value = "amzn1.sp.solution.1234"
        app.screen.query_one("#client-id", Input).value = CLIENT_ID
        await pilot.pause()
        # live: the message shows as soon as the field has a value
        assert "not a UUID" in text_of(app, "#note-app_id")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "identity"
        assert "App ID: The app ID has the right prefix" in text_of(app, "#step-status")
        app.screen.query_one("#app-id", Input).value = APP_ID
        await pilot.pause()
        assert not note(app, "app_id").display
        assert not app.screen.query_one("#step-status").display
        await next_step(pilot, "publish")


async def test_swapped_ids_are_called_out_on_both_fields(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        app.screen.query_one("#app-id", Input).value = CLIENT_ID
        app.screen.query_one("#client-id", Input).value = APP_ID
        await pilot.pause()
        assert "This is the LWA client ID, not the app ID" in text_of(app, "#note-app_id")
        assert "the two fields look swapped" in text_of(app, "#note-client_id")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "identity"


async def test_warnings_show_but_do_not_block(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity")
        app.screen.query_one("#client-secret", Input).value = "short-secret"
        await pilot.pause()
        assert note(app, "client_secret").has_class("-warning")
        assert "does not have the usual shape" in text_of(app, "#note-client_secret")
        await next_step(pilot, "publish")


async def test_publish_state_explains_version_beta_live(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        app.screen.query_one("#app-id", Input).value = APP_ID
        app.screen.query_one("#client-id", Input).value = CLIENT_ID
        await next_step(pilot, "publish")
        assert "Choose the state" in text_of(app, "#publish-explanation")
        app.screen.query_one("#publish-published", RadioButton).value = True
        await pilot.pause()
        assert "gets no version=beta" in text_of(app, "#publish-explanation")
        app.screen.query_one("#publish-submitted", RadioButton).value = True
        await pilot.pause()
        assert "gets version=beta" in text_of(app, "#publish-explanation")


async def test_hybrid_step_explains_mws_retirement_and_asks_needed_regions(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "hybrid")
        assert "2024-04-22" in app.screen.query_one(".explanation").content
        assert not app.screen.query_one("#dev-ids").display
        app.screen.query_one("#hybrid-yes", RadioButton).value = True
        await pilot.pause()
        assert app.screen.query_one("#dev-ids").display
        # the demo supports US, CA, MX (NA) and DE (EU): no FE field
        assert [i.id for i in app.screen.query(".dev-id")] == ["dev-id-NA", "dev-id-EU"]
        assert "MD9010" in text_of(app, "#note-dev_id_EU")
        await next_step(pilot, "marketplaces")  # a missing developer ID only warns


async def test_marketplace_outside_the_supported_ones_warns_md5100(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "marketplaces")
        assert "sellercentral.amazon.de" in text_of(app, "#portal-info")
        assert not note(app, "seller_marketplace").display
        app.screen.query_one("#seller-marketplace", Select).value = "JP"
        await pilot.pause()
        info = text_of(app, "#portal-info")
        assert "https://sellercentral.amazon.co.jp" in info and "region FE" in info
        warning = text_of(app, "#note-seller_marketplace")
        assert "JP is not among the app's supported marketplaces" in warning
        assert "MD5100" in warning and note(app, "seller_marketplace").has_class("-warning")
        app.screen.query_one("#seller-marketplace", Select).value = "IE"
        await pilot.pause()
        assert "(uncertain)" in text_of(app, "#portal-info")
        assert "uncertain" in text_of(app, "#note-seller_marketplace")
        await next_step(pilot, "uris")


async def test_vendor_app_shows_vendor_central_host(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity")
        app.screen.query_one("#kind-vendor", RadioButton).value = True
        await go_to(pilot, "marketplaces")
        assert "https://vendorcentral.amazon.de · Vendor Central" in text_of(app, "#portal-info")
        text = screen_text(app)
        assert "Vendor sells in" in text and "Seller sells in" not in text


async def test_no_supported_marketplace_blocks_next(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "marketplaces")
        for region in ("NA", "EU", "FE"):
            app.screen.query_one(f"#mkt-{region}", SelectionList).deselect_all()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_of(app) == "marketplaces"
        assert "Supported marketplaces: No supported marketplace" in text_of(app, "#step-status")


async def test_redirect_uris_can_be_added_removed_and_chosen(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "uris")
        await pilot.click("#add-redirect")
        await pilot.pause()
        inputs = list(app.screen.query(".redirect-input").results(Input))
        assert len(inputs) == 2 and app.focused is inputs[1]
        await pilot.press(*"http://app.example.com/cb")
        await pilot.pause()
        row_notes = list(app.screen.query(".redirect-note").results(FieldNote))
        assert "uses http" in str(row_notes[1].content)
        assert "only https" in str(row_notes[1].content)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "Redirect URI 2:" in text_of(app, "#step-status")
        inputs[1].value = "https://spapi-dev.example.test/other"
        app.screen.query_one("#consent-redirect", Select).value = 1
        await pilot.pause()
        # removing the first row keeps the consent URL on the chosen URI
        await pilot.click(".remove-redirect")
        await pilot.pause()
        assert [i.value for i in app.screen.query(".redirect-input").results(Input)] == [
            "https://spapi-dev.example.test/other"]
        assert app.screen.query_one("#consent-redirect", Select).value == 0
        await next_step(pilot, "review")
        assert "redirect_uri=https%3A%2F%2Fspapi-dev.example.test%2Fother" in app.screen.url


async def test_demo_app_starts_prefilled_and_says_so(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity")
        assert "demo" in app.title
        assert "Demo:" in str(app.screen.query_one(".demo-banner").content)
        assert value(app, "#app-id").startswith("amzn1.sp.solution.")


async def test_try_the_demo_from_welcome(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("end", "enter")  # the last entry, "Try the demo"
        await settle(pilot, lambda: step_of(app) == "identity")
        assert value(app, "#app-id").startswith("amzn1.sp.solution.")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert "demo" not in app.title


async def test_restart_command_discards_values(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await start_authorize(pilot)
        app.screen.query_one("#app-id", Input).value = APP_ID
        app.screen.query_one("#client-id", Input).value = CLIENT_ID
        await next_step(pilot, "publish")  # leaving a step stores its values
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Restart the wizard" in titles and "Copy the consent URL" not in titles
        app.action_restart()
        await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: step_of(app) == "identity")
        assert value(app, "#app-id") == ""


async def test_a_second_next_before_the_screen_is_gone_moves_one_step(build):
    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: step_of(app) == "identity")
        screen = app.screen
        screen.action_next()
        screen.action_next()
        screen.action_back()
        await settle(pilot, lambda: step_of(app) == "publish")
        await pilot.pause()
        assert step_of(app) == "publish" and len(app.screen_stack) == 2
