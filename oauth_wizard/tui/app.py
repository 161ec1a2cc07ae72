"""The Textual app: Welcome screen, the step driver, key bindings and palette commands.

The wizard is driven by one worker coroutine that pushes a step screen, waits for its typed
result (``Next`` or ``Back``, both carrying the values entered) and asks ``wizard_state``
where to go next: the steps, then Authorize's Catch and Done screens. The app also owns the
runtime attempts run in: the demo's local Amazon (started when the demo starts, stopped at
exit) or the user's machine. Everything else is in ``screens/`` (UI) and the non-UI modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from oauth_wizard.authorize import browser
from oauth_wizard.consent import url as consent
from oauth_wizard.tui.demo import demo_state
from oauth_wizard.tui.screens.base import WizardScreen
from oauth_wizard.tui.screens.catch import CatchScreen, Caught
from oauth_wizard.tui.screens.doctor import DoctorScreen
from oauth_wizard.tui.screens.done import DoneScreen
from oauth_wizard.tui.screens.hybrid import HybridScreen
from oauth_wizard.tui.screens.identity import IdentityScreen
from oauth_wizard.tui.screens.keep_routes import KeepRoutes
from oauth_wizard.tui.screens.marketplaces import MarketplacesScreen
from oauth_wizard.tui.screens.publish_state import PublishStateScreen
from oauth_wizard.tui.screens.review import ReviewScreen
from oauth_wizard.tui.screens.uris import UrisScreen
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.sessions.catch import DEFAULT_TIMEOUT_S, RealRuntime, Runtime
from oauth_wizard.tui.sessions.demo import DemoRuntime
from oauth_wizard.tui.state import STEPS, Next, StepResult, WizardState, route

TITLE = "oauth-wizard"
DEMO_TITLE = "oauth-wizard demo"
DEMO_USERS = (("Sam", "Demo: a secondary user of Pat's store (Amazon answers SPDC8143)"),
              ("Lee", "Demo: the primary user of a store that does not sell in the EU"))
STEP_SCREENS: dict[str, type[WizardScreen]] = {
    "identity": IdentityScreen,
    "publish": PublishStateScreen,
    "hybrid": HybridScreen,
    "marketplaces": MarketplacesScreen,
    "uris": UrisScreen,
}


class WizardApp(KeepRoutes, App[None]):
    """The oauth-wizard TUI. Build it with ``make_app``."""

    CSS_PATH = "app.tcss"
    TITLE = TITLE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit; nothing entered here is saved"),
    ]

    def __init__(self, *, demo: bool, state_factory: Callable[[], str],
                 open_url: Callable[[str], bool], clock: Callable[[], float],
                 demo_runtime: Callable[[], DemoRuntime], runtime: Callable[[], Runtime],
                 catch_timeout: float) -> None:
        super().__init__()
        self._start_demo = demo
        self._state_factory = state_factory
        self._open_url = open_url
        self._clock = clock
        self._make_demo_runtime = demo_runtime
        self._make_runtime = runtime
        self._catch_timeout = catch_timeout
        self.demo_runtime: DemoRuntime | None = None
        self._runtime: Runtime | None = None
        self._drafts: dict[str, WizardState] = {}
        """Values entered per Welcome entry: leaving to Welcome and coming back keeps them."""

    def get_default_screen(self) -> Screen:
        return WelcomeScreen()

    def on_mount(self) -> None:
        if self._start_demo:
            self.start_wizard("demo")

    @on(WelcomeScreen.Chosen)
    def _welcome_chosen(self, message: WelcomeScreen.Chosen) -> None:
        if message.entry in ("authorize", "demo"):
            self.start_wizard(message.entry)
        elif message.entry == "diagnose":
            self.push_screen(DoctorScreen())

    def start_wizard(self, entry: str, *, state: WizardState | None = None,
                     at: str = STEPS[0]) -> None:
        """Start (or resume) the steps at step ``at``.

        ``entry`` is the Welcome entry: 'authorize' starts empty, 'demo' prefilled; a second
        start of the same entry resumes its values. ``state`` replaces them (e.g. a saved app).
        """
        if state is None:
            state = self._drafts.get(entry)
        if state is None:
            csrf = self._state_factory()
            if entry == "demo":
                runtime = self.start_demo_runtime()
                state = demo_state(csrf, runtime.login_uri, runtime.redirect_uri)
            else:
                state = WizardState(csrf_state=csrf)
        self.title = DEMO_TITLE if state.demo else TITLE
        self._drive(entry, state, at)

    def start_demo_runtime(self) -> DemoRuntime:
        """The demo's local Amazon, started in the background as soon as the demo begins."""
        if self.demo_runtime is None:
            self.demo_runtime = self._make_demo_runtime()
            self.run_worker(self.demo_runtime.start(), group="demo-runtime",
                            exit_on_error=False)  # a failure is reported by the Catch screen
        return self.demo_runtime

    def _runtime_for(self, state: WizardState) -> Runtime:
        if state.demo:
            return self.start_demo_runtime()
        if self._runtime is None:
            self._runtime = self._make_runtime()
        return self._runtime

    def _screen_for(self, step: str, state: WizardState, last: StepResult | None) -> Screen:
        if step == "review":
            return ReviewScreen(state, state_factory=self._state_factory, open_url=self._open_url)
        if step == "catch":
            return CatchScreen(state, runtime=self._runtime_for(state), clock=self._clock,
                               state_factory=self._state_factory, open_url=self._open_url,
                               timeout=self._catch_timeout)
        if step == "done":
            assert isinstance(last, Caught)
            return DoneScreen(last, state_factory=self._state_factory,
                              keep=self.keep_session(state.demo))
        return STEP_SCREENS[step](state)

    @work(exclusive=True, group="wizard")
    async def _drive(self, entry: str, state: WizardState, first: str) -> None:
        """Show one screen at a time until the user goes back past the first step."""
        step: str | None = first
        result: StepResult | None = None
        while step is not None:
            result = await self.push_screen_wait(self._screen_for(step, state, result))
            state = result.state
            self._drafts[entry] = state
            step = route(step, isinstance(result, Next))
        self.title = TITLE

    async def on_unmount(self) -> None:
        if self.demo_runtime is not None:
            await self.demo_runtime.stop()

    def action_restart(self) -> None:
        """Drop everything entered and go back to the Welcome screen."""
        self.workers.cancel_group(self, "wizard")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._drafts.clear()
        self.title = TITLE

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Restart the wizard",
                            "Discard the values entered and return to the Welcome screen",
                            self.action_restart)
        if isinstance(screen, CatchScreen) and screen.check_action("approve", ()):
            for user, what in DEMO_USERS:
                yield SystemCommand(f"Approve as {user}", what,
                                    lambda user=user: screen.action_approve(user))
        if isinstance(screen, ReviewScreen | CatchScreen) and screen.url:
            yield SystemCommand("Copy the consent URL",
                                "Copy it to the clipboard (terminals with OSC 52 only)",
                                screen.action_copy)
            yield SystemCommand("Open the consent URL in the browser",
                                "Open it in your web browser", screen.action_open)


def make_app(
    *,
    demo: bool = False,
    state_factory: Callable[[], str] | None = None,
    open_url: Callable[[str], bool] | None = None,
    clock: Callable[[], float] | None = None,
    demo_runtime: Callable[[], DemoRuntime] | None = None,
    runtime: Callable[[], Runtime] | None = None,
    catch_timeout: float = DEFAULT_TIMEOUT_S,
) -> WizardApp:
    """Build the TUI. ``demo`` starts the steps prefilled with the demo app and its simulator.

    ``state_factory`` makes the consent URL's ``state`` (tests freeze it); ``open_url`` opens a
    URL and returns whether it worked (tests record it; it is called from a thread worker);
    ``clock`` stamps the timeline and drives the countdowns; ``demo_runtime`` and ``runtime``
    build where attempts run (the demo's local Amazon, the user's machine).
    """
    clock = clock or time.time
    return WizardApp(demo=demo, state_factory=state_factory or consent.new_state,
                     open_url=open_url or browser.open_url, clock=clock,
                     demo_runtime=demo_runtime or (lambda: DemoRuntime(clock=clock)),
                     runtime=runtime or RealRuntime, catch_timeout=catch_timeout)
