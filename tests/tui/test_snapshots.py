"""SVG snapshots of every screen, at a pinned terminal size with frozen state.

Regenerate with ``pytest tests/tui --snapshot-update`` only after looking at the report
(``snapshot_report.html``): a changed picture is a changed UI.
"""

from __future__ import annotations

from textual.widgets import Input, RadioButton, Select
from tui_kit import FROZEN_STATE, SIZE, go_to, settle, step_of, to_catch, wait_until

from oauth_wizard.tui import demo
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.state import WizardState

SMALL = (80, 24)
# The demo's simulator and catcher ports: the URIs step, the Review, the consent URL and the
# timeline show them, so every demo snapshot pins them (they must be free on the test machine).
SNAP_PORTS = (47931, 47932)

# Everything the Review can warn about at once: a published app with pending edits, hybrid
# without an EU developer ID, a seller in IE (uncertain host, not a supported marketplace),
# and localhost URIs.
FINDINGS = WizardState(
    app_id=demo.DEMO_APP_ID, client_id=demo.DEMO_CLIENT_ID, publish="published_pending",
    hybrid=True, dev_ids=(("NA", "123456789012"),), marketplaces=("US", "DE"),
    seller_marketplace="IE", login_uri="https://localhost:8443/login",
    redirect_uris=("https://localhost:8443/callback",), csrf_state=FROZEN_STATE,
)


def demo_app(build):
    """The demo, on the pinned ports."""
    return build(demo=True, ports=SNAP_PORTS)


def at(step: str, then=None):
    """run_before: walk the demo to ``step``, then do ``then`` there."""
    async def run_before(pilot) -> None:
        await go_to(pilot, step)
        if then is not None:
            await then(pilot)
        await pilot.pause()
    return run_before


async def on_welcome(pilot) -> None:
    await settle(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))


def test_welcome(snap_compare, build):
    assert snap_compare(build(), terminal_size=SIZE, run_before=on_welcome)


def test_welcome_small_terminal(snap_compare, build):
    assert snap_compare(build(), terminal_size=SMALL, run_before=on_welcome)


def test_identity_demo(snap_compare, build):
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=at("identity"))


def test_identity_validation_errors(snap_compare, build):
    """Swapped ids and a secret of an odd shape, after Next was refused."""
    async def swap(pilot) -> None:
        screen = pilot.app.screen
        screen.query_one("#app-id", Input).value = demo.DEMO_CLIENT_ID
        screen.query_one("#client-id", Input).value = demo.DEMO_APP_ID
        screen.query_one("#client-secret", Input).value = "too-short"
        await pilot.press("ctrl+n")
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=at("identity", swap))


def test_publish_state(snap_compare, build):
    async def pending(pilot) -> None:
        pilot.app.screen.query_one("#publish-published_pending", RadioButton).value = True
    assert snap_compare(demo_app(build), terminal_size=SIZE,
                        run_before=at("publish", pending))


def test_hybrid_with_missing_developer_id(snap_compare, build):
    async def hybrid(pilot) -> None:
        pilot.app.screen.query_one("#hybrid-yes", RadioButton).value = True
        pilot.app.screen.query_one("#dev-id-NA", Input).value = "123456789012"
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=at("hybrid", hybrid))


def test_marketplaces_demo(snap_compare, build):
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=at("marketplaces"))


def test_marketplaces_unsupported_and_uncertain(snap_compare, build):
    async def ireland(pilot) -> None:
        pilot.app.screen.query_one("#seller-marketplace", Select).value = "IE"
    assert snap_compare(demo_app(build), terminal_size=SIZE,
                        run_before=at("marketplaces", ireland))


def test_uris_with_a_localhost_redirect(snap_compare, build):
    async def add_localhost(pilot) -> None:
        await pilot.click("#add-redirect")
        await pilot.press(*"https://localhost:8443/cb")
    assert snap_compare(demo_app(build), terminal_size=SIZE,
                        run_before=at("uris", add_localhost))


def test_review_demo(snap_compare, build):
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=at("review"))


def test_review_small_terminal(snap_compare, build):
    assert snap_compare(demo_app(build), terminal_size=SMALL, run_before=at("review"))


def test_review_with_findings(snap_compare, build):
    async def findings(pilot) -> None:
        await settle(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))
        pilot.app.start_wizard("authorize", state=FINDINGS, at="review")
        await settle(pilot, lambda: step_of(pilot.app) == "review")
        pilot.app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause()
    assert snap_compare(build(), terminal_size=SIZE, run_before=findings)


# --- Authorize: Catch and Done, against the simulator on pinned ports ----------------------


async def catch_waiting(pilot) -> None:
    await to_catch(pilot)


def test_catch_waiting(snap_compare, build):
    """Listening, with the frozen countdown and timeline times."""
    assert snap_compare(build(ports=SNAP_PORTS), terminal_size=SIZE, run_before=catch_waiting)


def test_catch_waiting_small_terminal(snap_compare, build):
    """80x24: the title, the consent URL and every footer key fit."""
    assert snap_compare(build(ports=SNAP_PORTS), terminal_size=SMALL, run_before=catch_waiting)


def test_catch_failure(snap_compare, build):
    """A forged redirect pasted back: cause, message and fix, the doctor's fix under it, Try
    again / Back to review / Open in the doctor."""
    async def forged(pilot) -> None:
        await to_catch(pilot)
        field = pilot.app.screen.query_one("#paste", Input)
        field.value = (f"http://127.0.0.1:{SNAP_PORTS[1]}/sp-api/callback?state=forged&"
                       "selling_partner_id=A1SIMPATSTORE&spapi_oauth_code=ANfake")
        field.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: pilot.app.screen.phase == "failed")
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#catch-doctor").answered)
        await pilot.pause()
    assert snap_compare(build(ports=SNAP_PORTS), terminal_size=SIZE, run_before=forged)


def test_done_demo(snap_compare, build):
    async def approved(pilot) -> None:
        await to_catch(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: step_of(pilot.app) == "done")
        await pilot.pause()
    assert snap_compare(build(ports=SNAP_PORTS), terminal_size=SIZE, run_before=approved)


# --- Keep and use: Profiles, Self-authorize, Done's Verify ---------------------------------


def profiles_with_problems(snap_compare, build, tmp_path, size) -> bool:
    """A user's profile with a secret near rotation, an authorization near its 365 days whose
    last verify failed, and a self-authorization whose token is gone; the failed one shown."""
    from keep_kit import highlight, open_profiles, shop_keyring, shop_records, user_runtime

    runtime = user_runtime(tmp_path / "cfg", shop_keyring(), records=shop_records())

    async def problems(pilot) -> None:
        screen = await open_profiles(pilot)
        await highlight(pilot, screen, "A1SHOPSELLER")
        await pilot.pause()
    return snap_compare(build(runtime=lambda: runtime), terminal_size=size, run_before=problems)


def test_profiles_with_status_problems(snap_compare, build, tmp_path):
    assert profiles_with_problems(snap_compare, build, tmp_path, SIZE)


def test_profiles_small_terminal(snap_compare, build, tmp_path):
    """80x24: the list above the facts, so ids are not broken mid-word; every key shown."""
    assert profiles_with_problems(snap_compare, build, tmp_path, SMALL)


def test_review_with_findings_small_terminal(snap_compare, build):
    """80x24 with warnings: the consent URL stays above the preflight and the warnings."""
    async def findings(pilot) -> None:
        await settle(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))
        pilot.app.start_wizard("authorize", state=FINDINGS, at="review")
        await settle(pilot, lambda: step_of(pilot.app) == "review")
        await pilot.pause()
    assert snap_compare(build(), terminal_size=SMALL, run_before=findings)


def test_selfauth_empty(snap_compare, build):
    """The demo's Self-authorize screen as it opens: the demo app chosen, nothing pasted."""
    from keep_kit import open_selfauth

    async def opened(pilot) -> None:
        await open_selfauth(pilot)
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=opened)


def test_selfauth_with_a_shape_error(snap_compare, build):
    """An access token pasted where the refresh token goes: refused live, never echoed."""
    from keep_kit import open_selfauth

    async def access_token(pilot) -> None:
        screen = await open_selfauth(pilot)
        field = screen.query_one("#sa-token", Input)
        field.value = "Atza|IwEBIaccess" + "0123456789" * 4
        await pilot.pause()
    assert snap_compare(demo_app(build), terminal_size=SIZE, run_before=access_token)


def test_done_with_a_verify_result(snap_compare, build):
    async def verified(pilot) -> None:
        await to_catch(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: step_of(pilot.app) == "done")
        await pilot.press("v")
        await wait_until(pilot, lambda: "verified" in str(
            pilot.app.screen.query_one("#done-verify").content))
        await pilot.pause()
    assert snap_compare(build(ports=SNAP_PORTS), terminal_size=SIZE, run_before=verified)


# --- The doctor (issue 5): the Doctor screen, Review's preflight ------------------------------


async def on_doctor(pilot):
    """Welcome → Diagnose an error."""
    from textual.widgets import OptionList

    await on_welcome(pilot)
    menu = pilot.app.screen.query_one("#welcome-menu", OptionList)
    menu.highlighted = menu.get_option_index("diagnose")
    await pilot.press("enter")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "DoctorScreen"
                 and pilot.app.screen.is_mounted)
    await pilot.pause()
    return pilot.app.screen


def test_doctor_empty(snap_compare, build):
    """The Doctor as it opens from Welcome: the paste area, what can be pasted, no facts."""
    assert snap_compare(build(), terminal_size=SIZE, run_before=on_doctor)


def test_doctor_md5100_ranked_with_a_question(snap_compare, build):
    """MD5100 pasted: the ranked causes (the top one open), the keyed questions, then one key
    answered (the app is Draft)."""
    async def md5100(pilot) -> None:
        screen = await on_doctor(pilot)
        await pilot.press(*"Error Code: MD5100", "enter")
        await wait_until(pilot, lambda: not screen.busy)
        draft = next(k for k, c in screen._keyed.items() if c.value == "draft")
        await pilot.press(draft)
        await wait_until(pilot, lambda: not screen.busy)
        await pilot.pause()
    assert snap_compare(build(), terminal_size=SIZE, run_before=md5100)


def test_review_with_a_certain_predicted_failure(snap_compare, build):
    """A seller in DE for an app that sells only in North America: predicted in error style
    with its fix; Authorize and Open in browser wait for "Authorize anyway"."""
    async def doomed(pilot) -> None:
        await on_welcome(pilot)
        pilot.app.start_wizard("authorize", at="review", state=WizardState(
            app_id=demo.DEMO_APP_ID, client_id=demo.DEMO_CLIENT_ID, publish="published",
            marketplaces=("US", "CA", "MX"), seller_marketplace="DE",
            login_uri="https://app.example.com/login",
            redirect_uris=("https://app.example.com/cb",), csrf_state=FROZEN_STATE))
        await settle(pilot, lambda: step_of(pilot.app) == "review")
        await pilot.pause()
    assert snap_compare(build(), terminal_size=SIZE, run_before=doomed)
