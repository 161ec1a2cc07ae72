"""The Textual app: Welcome screen, the step driver, key bindings and palette commands.

The wizard is driven by one worker coroutine that pushes a step screen, waits for its typed
result (``Next`` or ``Back``, both carrying the values entered) and asks ``wizard_state``
which step comes next. Everything else is in ``screens/`` (UI) and the pure modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from . import browser, consent
from .demo import demo_state
from .screens.base import WizardScreen
from .screens.hybrid import HybridScreen
from .screens.identity import IdentityScreen
from .screens.marketplaces import MarketplacesScreen
from .screens.publish_state import PublishStateScreen
from .screens.review import ReviewScreen
from .screens.uris import UrisScreen
from .screens.welcome import WelcomeScreen
from .wizard_state import STEPS, Next, WizardState, next_step, previous_step

TITLE = "oauth-wizard"
DEMO_TITLE = "oauth-wizard demo"
STEP_SCREENS: dict[str, type[WizardScreen]] = {
    "identity": IdentityScreen,
    "publish": PublishStateScreen,
    "hybrid": HybridScreen,
    "marketplaces": MarketplacesScreen,
    "uris": UrisScreen,
}


class WizardApp(App[None]):
    """The oauth-wizard TUI. Build it with ``make_app``."""

    CSS_PATH = "app.tcss"
    TITLE = TITLE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit; nothing entered here is saved"),
    ]

    def __init__(self, *, demo: bool, state_factory: Callable[[], str],
                 open_url: Callable[[str], bool]) -> None:
        super().__init__()
        self._start_demo = demo
        self._state_factory = state_factory
        self._open_url = open_url
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
            state = demo_state(csrf) if entry == "demo" else WizardState(csrf_state=csrf)
        self.title = DEMO_TITLE if state.demo else TITLE
        self._drive(entry, state, at)

    def _screen_for(self, step: str, state: WizardState) -> WizardScreen:
        if step == "review":
            return ReviewScreen(state, state_factory=self._state_factory, open_url=self._open_url)
        return STEP_SCREENS[step](state)

    @work(exclusive=True, group="wizard")
    async def _drive(self, entry: str, state: WizardState, first: str) -> None:
        """Show one step at a time until the user goes back past the first one."""
        step: str | None = first
        while step is not None:
            result = await self.push_screen_wait(self._screen_for(step, state))
            state = result.state
            self._drafts[entry] = state
            step = next_step(step) if isinstance(result, Next) else previous_step(step)
        self.title = TITLE

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
        if isinstance(screen, ReviewScreen) and screen.url:
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
) -> WizardApp:
    """Build the TUI. ``demo`` starts the steps prefilled with the demo app.

    ``state_factory`` makes the consent URL's ``state`` (tests freeze it); ``open_url`` opens a
    URL and returns whether it worked (tests record it). It is called from a thread worker.
    """
    return WizardApp(demo=demo, state_factory=state_factory or consent.new_state,
                     open_url=open_url or browser.open_url)
