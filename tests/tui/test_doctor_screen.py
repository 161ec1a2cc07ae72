"""Pilot tests of the Doctor screen: from Welcome to a pasted error's fix in a few keys, one-key
answers that re-rank, facts added and cleared, support-case details without secrets, and the
doctor on a failed attempt of the Catch screen (its fix there, and the Doctor prefilled)."""

from __future__ import annotations

from textual import events
from textual.widgets import Button, Input, OptionList, Static
from tui_kit import SIZE, screen_text, settle, step_of, to_catch, wait_until

from oauth_wizard.doctor import knowledge
from oauth_wizard.tui.screens.attempt_widgets import PastePanel
from oauth_wizard.tui.screens.doctor import DoctorScreen
from oauth_wizard.tui.screens.doctor_widgets import CauseCard, FactList, PasteArea, QuestionPanel
from oauth_wizard.tui.screens.failure_panel import DoctorAdvice
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.sessions.doctor import run, set_fact

KB = knowledge.load()
LWA_BODY = ('{"error_description":"The request has an invalid grant parameter : code",'
            '"error":"invalid_grant"}')
SECRET = "amzn1.oa2-cs.v1." + "0f1e2d3c4b5a6978" * 4
REFRESH = "Atzr|IwEBIHk3q9ZexampleRefreshTokenValue0123456789abcdefXYZ"
ACCESS = "Atza|IwEBIPaexampleAccessTokenValue0123456789abcdefghijkLMN"
REQUEST_ID = "6c1a7c3e-2b9f-4a55-9d7e-0123456789ab"
LOG = (f"2024-06-04T10:15:02Z POST https://api.amazon.com/auth/o2/token grant_type=refresh_token"
       f"&refresh_token={REFRESH}&client_secret={SECRET}\n"
       f"2024-06-04T10:15:03Z GET https://sellingpartnerapi-na.amazon.com/orders/v0/orders "
       f"x-amz-access-token: {ACCESS}\nHTTP/1.1 403 Forbidden\nx-amzn-RequestId: {REQUEST_ID}\n"
       '{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.",'
       '"details":""}]}')


async def open_doctor(pilot) -> DoctorScreen:
    """Welcome → Diagnose an error, with the keyboard."""
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
    menu = app.screen.query_one("#welcome-menu", OptionList)
    menu.focus()
    menu.highlighted = menu.get_option_index("diagnose")
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, DoctorScreen) and app.screen.is_mounted)
    return app.screen


async def ranked(pilot) -> DoctorScreen:
    """Wait for the doctor's newest run to be on screen."""
    screen = pilot.app.screen
    await wait_until(pilot, lambda: not screen.busy)
    await pilot.pause()
    return screen


def ranking(screen: DoctorScreen) -> list[str]:
    return [card.ranked.id for card in screen.query(CauseCard)]


def card_text(screen: DoctorScreen, rank: int = 1) -> str:
    return "\n".join(str(s.content) for s in screen.query_one(f"#cause-{rank}").query(Static))


def key_for(screen: DoctorScreen, fact: str, value: str) -> str:
    """The key the screen shows for an answer (read off its button)."""
    for button in screen.query(QuestionPanel).first().query(Button):
        label = str(button.label)
        if label.endswith(f" {value}") and button.tooltip == f"Answer {fact}={value}":
            return label.split()[0]
    raise AssertionError(f"no key shown for {fact}={value}")


async def test_welcome_to_a_fix_and_one_key_reranks(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        assert isinstance(app.focused, PasteArea)  # ready for the paste
        await pilot.press(*"Error Code: MD5100", "enter")
        await ranked(pilot)
        assert "MD5100" in screen_text(app)
        before = ranking(screen)
        assert before and not screen.query_one("#cause-1", CauseCard).collapsed
        assert all(card.collapsed for card in screen.query(CauseCard)[1:])
        assert "Fix" in card_text(screen) and "1) " in card_text(screen)
        assert not isinstance(app.focused, PasteArea)  # Enter moved on: keys answer now
        question = screen.outcome.diagnosis.questions
        keyed = [q for q in question if q.choices]
        assert keyed, "MD5100 alone should leave a question with choices"
        best = keyed[0]
        # what each answer would do, from the engine itself; press the key of one that moves
        answers = {}
        for value in best.choices:
            facts = set_fact(screen.facts, best.fact, value)
            answers[value] = [c.id for c in run(screen.text, facts).diagnosis.causes][:5]
        value = next(v for v in best.choices if answers[v] != before)
        await pilot.press(key_for(screen, best.fact, value))
        await ranked(pilot)
        assert ranking(screen) != before
        assert ranking(screen) == answers[value]
        assert screen.facts[best.fact] in (value, "true" if value == "yes" else "false")
        assert f"Ranked again with {best.fact}=" in str(
            screen.query_one("#doctor-status", Static).content)
        assert best.fact in "\n".join(str(s.content) for s in screen.query(FactList).first()
                                      .query(Static))


async def test_the_done_when_example_through_the_screen(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        screen.query_one(PasteArea).insert("Error Code: MD5100")
        await pilot.press("enter")
        await ranked(pilot)
        await pilot.press("f")  # add a fact
        assert isinstance(app.focused, Input) and app.focused.id == "fact-input"
        for fact in ("marketplace=BR", "app_marketplaces=US,CA,MX"):
            await pilot.press(*fact, "enter")
            await ranked(pilot)
            assert app.focused is screen.query_one("#fact-input")  # ready for the next one
        assert ranking(screen)[0] == "marketplace_not_in_app"
        card = screen.query_one("#cause-1", CauseCard)
        assert not card.collapsed
        text = card_text(screen)
        assert "(BR) is not among the app's marketplaces (US,CA,MX)" in text
        first_fix = KB.causes["marketplace_not_in_app"].fix[0]
        assert first_fix.split("`")[0] in text  # the fix, as written in the knowledge base
        assert screen.facts == {"marketplace": "BR", "app_marketplaces": "US,CA,MX"}
        assert "region = NA (inferred)" in screen_text(app)


async def test_a_pasted_lwa_body_is_diagnosed_as_it_arrives(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        area = screen.query_one(PasteArea)
        area.post_message(events.Paste(LWA_BODY))
        await wait_until(pilot, lambda: screen.outcome is not None)
        await ranked(pilot)
        assert ranking(screen)[0] == "auth_code_expired_or_reused"
        assert "lwa:invalid_grant" in str(screen.query_one("#doctor-signals", Static).content)
        assert isinstance(app.focused, PasteArea)  # a paste leaves the cursor where it was


async def test_keys_type_into_the_paste_area_and_a_bad_fact_is_refused(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        await pilot.press(*"Error Code: MD5100", "enter")
        await ranked(pilot)
        before = dict(screen.facts)
        await pilot.press("t", "1")  # back into the text: "1" is typed, not an answer
        assert screen.text.endswith("1") and screen.facts == before
        await pilot.press("shift+tab")
        screen.query_one("#fact-input", Input).focus()
        screen.query_one("#fact-input", Input).value = "app_state=live"
        await pilot.press("enter")
        error = str(screen.query_one("#fact-error", Static).content)
        assert "app_state" in error and "draft, submitted, published" in error
        assert screen.facts == before


async def test_clearing_a_fact_ranks_again_without_it(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.screen.is_mounted)
        app.push_screen(DoctorScreen("Error Code: MD5100",
                                     {"marketplace": "BR", "app_marketplaces": "US,CA,MX"}))
        await settle(pilot, lambda: isinstance(app.screen, DoctorScreen))
        screen = await ranked(pilot)
        assert ranking(screen)[0] == "marketplace_not_in_app"
        clear = next(b for b in screen.query(".fact-clear").results(Button)
                     if b.tooltip == "Clear app_marketplaces")
        clear.press()
        await wait_until(pilot, lambda: "app_marketplaces" not in screen.facts)
        await ranked(pilot)
        assert ranking(screen)[0] != "marketplace_not_in_app"
        assert "Cleared app_marketplaces" in str(
            screen.query_one("#doctor-status", Static).content)


async def test_only_the_newest_run_is_shown(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        area = screen.query_one(PasteArea)
        area.text = "x" * 400_000 + " Error Code: MD5100"  # slow
        screen.run_doctor()
        area.text = LWA_BODY
        screen.run_doctor()
        await ranked(pilot)
        await pilot.pause(0.5)  # the slow run has finished too, and was dropped
        assert ranking(screen)[0] == "auth_code_expired_or_reused"
        assert "MD5100" not in str(screen.query_one("#doctor-signals", Static).content)


async def test_support_case_details_are_copied_without_secrets(build):
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        screen.query_one(PasteArea).text = LOG
        await pilot.press("ctrl+r")
        await ranked(pilot)
        await pilot.press("c")
        copied = app.clipboard
        assert f"Request ID: {REQUEST_ID}" in copied
        assert "Operation: GET /orders/v0/orders" in copied and "HTTP status: 403" in copied
        shown = "\n".join(str(s.content) for s in screen.query(Static))
        for secret in (SECRET[16:], SECRET[16:40], REFRESH[5:], REFRESH[5:25], ACCESS[5:],
                       ACCESS[5:25]):
            assert secret not in copied, secret
            assert secret not in shown, secret  # signals, causes, support text: none
        assert "secrets removed" in str(screen.query_one("#doctor-status", Static).content)


async def test_a_failed_attempt_shows_the_doctors_fix_and_opens_it_prefilled(build, runtimes):
    from test_catch import login_leg_url, paste, redirect_leg_url

    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await to_catch(pilot)
        await paste(pilot, await login_leg_url(app.screen.url))
        await wait_until(pilot, lambda: app.screen.query_one("#next-step").display)
        redirect = await redirect_leg_url(app.screen.query_one(PastePanel).next_url)
        runtimes[0].simulator.advance(301)  # the code lives five minutes
        await paste(pilot, redirect)
        await wait_until(pilot, lambda: app.screen.phase == "failed")
        advice = app.screen.query_one(DoctorAdvice)
        await wait_until(pilot, lambda: advice.diagnosis is not None)
        cause = KB.causes["auth_code_expired_or_reused"]
        text = str(advice.query_one("#advice-text", Static).content)
        assert f"Doctor: {cause.title}" in text
        assert "1) " + cause.fix[0].split("`")[0] in text
        assert "invalid_grant" in str(app.screen.query_one("#catch-failure", Static).content)
        catch = app.screen

        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DoctorScreen))
        doctor = await ranked(pilot)
        assert doctor.origin == "catch" and "invalid_grant" in doctor.text
        facts = doctor.facts
        assert facts["cause"] == "auth_code_expired_or_reused"
        assert facts["via"] == "token-exchange"
        assert (facts["app_state"], facts["hybrid"], facts["marketplace"]) == ("draft", "false",
                                                                               "DE")
        assert facts["app_marketplaces"].startswith("US,CA,MX")
        assert facts["consent_url"].startswith("https://sellercentral.amazon.de/")
        assert ranking(doctor)[0] == "auth_code_expired_or_reused"
        assert not isinstance(app.focused, PasteArea)  # on the answer, not the text

        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is catch)
        assert step_of(app) == "catch" and catch.phase == "failed"


async def test_a_typed_question_takes_its_answer_in_a_field(build):
    """MD5100's most telling question is the consent URL itself: pasted into the question's
    field, the doctor lints it and the broken part comes first."""
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_doctor(pilot)
        await pilot.press(*"Error Code: MD5100", "enter")
        await ranked(pilot)
        typed = [q for q in screen.outcome.diagnosis.questions if not q.choices]
        assert typed and typed[0].fact == "consent_url"
        field = screen.query_one("#typed-consent_url", Input)
        field.focus()
        field.value = ("https://sellercentral.amazon.com/apps/authorize/consent?application_id="
                       "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef&state=x")
        await pilot.press("enter")
        await ranked(pilot)
        assert screen.facts["consent_url"] == field.value
        assert ranking(screen)[0] == "client_id_as_application_id"
        assert "lint:client_id_as_application_id" in str(
            screen.query_one("#doctor-signals", Static).content)


# --- Check with my stored tokens (issue 12 §4) ------------------------------------------------

async def test_check_with_stored_tokens_measures_and_ranks_again(build, runtimes):
    """After the demo's authorization, `k` on the Doctor probes the demo profile with its
    stored tokens: the measured facts join the facts, and a revoked token moves the revoked-
    token cause to the top, shown without any token."""
    from test_profiles import TOKEN_KEY, authorize_demo

    from oauth_wizard.tui.screens.probe_panel import ProbePanel

    app = build(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await authorize_demo(pilot)
        runtime = runtimes[0]
        token = await runtime.secrets.get(TOKEN_KEY)
        assert runtime.simulator.revoke_refresh_token(token)
        screen = await open_doctor(pilot)
        screen.query_one(PasteArea).text = "Token request failed"
        await pilot.press("ctrl+r")
        await ranked(pilot)
        assert screen.outcome.diagnosis.top.score < 0.5  # the text alone cannot tell
        screen.query_one("#doctor-results").focus()
        await pilot.press("k")
        await wait_until(pilot, lambda: screen.facts.get("refresh_error") == "invalid_grant")
        await ranked(pilot)
        assert ranking(screen)[0] == "refresh_token_revoked_or_expired"
        assert screen.outcome.diagnosis.top.score > 0.5
        assert screen.facts["refresh_works"] == "false"
        assert screen.facts["grantless_token_works"] == "true"
        shown = str(screen.query_one("#probe-result", Static).content)
        assert "✗ LWA refresh_token grant with the stored refresh token: invalid_grant" in shown
        assert "Checked 'demo' (EU A1SIMPATSTORE" in shown
        assert token not in screen_text(app) and "Atza|" not in screen_text(app)
        assert screen.query_one(ProbePanel).display


async def test_the_probe_panel_is_hidden_without_a_keep_session():
    from textual.app import App

    class Bare(App):
        def on_mount(self) -> None:
            self.push_screen(DoctorScreen())

    async with Bare().run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        await settle(pilot, lambda: isinstance(screen, DoctorScreen) and screen.is_mounted)
        assert not screen.query_one("#probe").display
        assert not screen.check_action("probe", ())
