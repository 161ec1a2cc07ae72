"""Helpers shared by the TUI tests (constants, the browser recorder, Pilot waits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static

from oauth_wizard.tui.app import WizardApp
from oauth_wizard.tui.state import STEPS, WizardState

FROZEN_STATE = "frozen-state-0123456789abcdefghijklmnopqrstuv"
FROZEN_NOW = 1_767_268_800.0  # 2026-01-01 12:00:00 UTC
SIZE = (100, 34)


def token_factory() -> Callable[[str], str]:
    """The simulator's random parts, counted: the same run always mints the same tokens."""
    counts: dict[str, int] = {}

    def make(kind: str) -> str:
        counts[kind] = counts.get(kind, 0) + 1
        if kind in ("refresh_token", "access_token"):
            return f"IwEBI{kind[:3]}{counts[kind]:03d}" + "SimulatedTokenBody0123456789" * 3
        return f"{kind}-{counts[kind]:03d}-simulated"
    return make


class Recorder:
    """Stands in for browser.open_url: remembers each URL and answers ``result``."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []
        self.result = True
        self.error: Exception | None = None

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        self.threads.append(threading.current_thread())
        if self.error is not None:
            raise self.error
        return self.result


async def settle(pilot: Pilot, until: Callable[[], bool], tries: int = 50) -> None:
    """Pause until ``until()`` holds (screens are pushed by a worker, a little later)."""
    for _ in range(tries):
        if until():
            return
        await pilot.pause()
    raise AssertionError("the app never reached the expected state")


def step_of(app: WizardApp) -> str | None:
    """The step on screen, once its screen is mounted (pushed screens compose a little later)."""
    screen = app.screen
    return (getattr(screen, "STEP", None) or None) if screen.is_mounted else None


async def go_to(pilot: Pilot, step: str) -> None:
    """From a running wizard, press Next until ``step`` is shown (every step must be valid)."""
    app = pilot.app
    await settle(pilot, lambda: step_of(app) is not None)
    while step_of(app) != step:
        before = step_of(app)
        assert STEPS.index(before) < STEPS.index(step), f"already past {step}"
        await pilot.press("ctrl+n")
        await settle(pilot, lambda before=before: step_of(app) != before)


def text_of(app: WizardApp, selector: str) -> str:
    """The plain text a Static currently shows."""
    return str(app.screen.query_one(selector, Static).content)


async def wait_until(pilot: Pilot, until: Callable[[], bool], seconds: float = 10.0) -> None:
    """Like ``settle``, for what waits on sockets (the simulator, the catcher): real time."""
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("the app never reached the expected state")
        await pilot.pause(0.01)


async def open_catch(pilot: Pilot, state: WizardState) -> None:
    """From Welcome: the wizard at Review with ``state``, then Authorize (a) to the Catch
    screen; says what Review shows when it does not get there."""
    from oauth_wizard.tui.screens.welcome import WelcomeScreen

    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))
    app.start_wizard("authorize", state=state, at="review")
    await settle(pilot, lambda: step_of(app) == "review")
    await pilot.press("a")
    for _ in range(50):
        if step_of(app) == "catch":
            return
        await pilot.pause()
    raise AssertionError(screen_text(app))


async def to_catch(pilot: Pilot, phase: str = "listening", *, walk: bool = False) -> None:
    """Open the demo's Review (straight from the Welcome screen, or by walking every step),
    press Authorize, and wait for ``phase``."""
    app = pilot.app
    if walk:
        await go_to(pilot, "review")
    else:
        await settle(pilot, lambda: app.screen.is_mounted)
        app.start_wizard("demo", at="review")
        await settle(pilot, lambda: step_of(app) == "review")
    await pilot.press("a")
    await wait_until(pilot, lambda: step_of(app) == "catch"
                     and getattr(app.screen, "phase", None) == phase)
    await pilot.pause()


def screen_text(app: WizardApp) -> str:
    """Every Static's text on the current screen."""
    return "\n".join(str(s.content) for s in app.screen.query(Static))
