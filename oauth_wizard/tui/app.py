"""The Textual app: Welcome screen, the step driver, key bindings and palette commands.

The wizard is driven by one worker coroutine that pushes a step screen, waits for its typed
result (``Next`` or ``Back``, both carrying the values entered) and asks ``wizard_state``
where to go next: the steps, then Authorize's Catch and Done screens. The app also owns the
runtime attempts run in: the demo's local Amazon (started when the demo starts, stopped at
exit) or the user's machine. Everything else is in ``screens/`` (UI) and the non-UI modules.

The app never imports the sessions that do I/O: ``launch.make_app`` builds them and hands
factories in, so importing the app (or any screen) loads no HTTP, keyring or socket code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from oauth_wizard.tui.screens import step_screen
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.state import STEPS, Next, StepResult, WizardState, route

if TYPE_CHECKING:
    from oauth_wizard.tui.screens.keep_widgets import OpenKeep, Reauthorize
    from oauth_wizard.tui.sessions.catch import CatchSession, Runtime
    from oauth_wizard.tui.sessions.demo import DemoRuntime
    from oauth_wizard.tui.sessions.keep import KeepSession

TITLE = "oauth-wizard"
DEMO_TITLE = "oauth-wizard demo"
DEMO_USERS = (("Sam", "Demo: a secondary user of Pat's store (Amazon answers SPDC8143)"),
              ("Lee", "Demo: the primary user of a store that does not sell in the EU"))
KEEP_ENTRIES = ("self-auth", "profiles")


class WizardApp(App[None]):
    """The oauth-wizard TUI. Build it with ``launch.make_app``.

    Screens are imported when first shown (``screens.step_screen``), so the first frame waits
    only for the Welcome screen.
    """

    # One style sheet per screen, shared text first (styles/).
    CSS_PATH: ClassVar[list[str]] = [
        f"styles/{name}.tcss" for name in (
            "base", "welcome", "steps", "review", "catch", "done", "doctor", "profiles",
            "selfauth", "dialogs")]
    TITLE = TITLE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit (asks first when values you entered would be lost)"),
    ]

    def __init__(self, *, demo: bool, state_factory: Callable[[], str],
                 open_url: Callable[[str], bool], clock: Callable[[], float],
                 demo_runtime: Callable[[], DemoRuntime], runtime: Callable[[], Runtime],
                 catch_session: Callable[..., CatchSession],
                 keep_session: Callable[..., KeepSession], catch_timeout: float,
                 overrides: tuple[str, ...] = (), simulator: str = "") -> None:
        super().__init__()
        self.overrides = overrides  # endpoint overrides in force: every screen says so
        self.consent_url: str | None = None  # the last one shown; printed in full at exit
        self._simulator = simulator
        self._start_demo = demo
        self._state_factory = state_factory
        self._open_url = open_url
        self._clock = clock
        self._make_demo_runtime = demo_runtime
        self._make_runtime = runtime
        self._make_catch_session = catch_session
        self._make_keep_session = keep_session
        self._catch_timeout = catch_timeout
        self.demo_runtime: DemoRuntime | None = None
        self._runtime: Runtime | None = None
        self._keep_sessions: dict[int, KeepSession] = {}
        self._drafts: dict[str, WizardState] = {}
        """Values entered per Welcome entry: leaving to Welcome and coming back keeps them."""

    def get_default_screen(self) -> Screen:
        screen = WelcomeScreen()
        self._flag(screen)
        return screen

    # --- the endpoint-override banner, on every full screen -----------------------------------

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        result = super().push_screen(screen, *args, **kwargs)
        self._flag(screen)
        return result

    def switch_screen(self, screen):  # type: ignore[no-untyped-def, override]
        result = super().switch_screen(screen)
        self._flag(screen)
        return result

    def _flag(self, screen: object) -> None:
        """Say on ``screen`` that the endpoints are overridden (dialogs sit on a screen that
        already says it)."""
        from textual.screen import ModalScreen

        if self.overrides and isinstance(screen, Screen) and not isinstance(screen,
                                                                               ModalScreen):
            screen.call_later(self._mount_banner, screen)

    def _mount_banner(self, screen: Screen) -> None:
        """The banner goes first in the screen's flow, under its (docked) header."""
        from textual.widgets import Header, Static

        if screen.query(".override-banner"):
            return
        banner = Static("Not Amazon: " + "; ".join(self.overrides) + " (OAUTH_WIZARD_* "
                        "overrides).", classes="override-banner", markup=False)
        headers = screen.query(Header)
        if headers:
            screen.mount(banner, after=headers.first())
        else:
            screen.mount(banner, before=0)

    def on_mount(self) -> None:
        if self._start_demo:
            self.start_wizard("demo")

    @on(WelcomeScreen.Chosen)
    def _welcome_chosen(self, message: WelcomeScreen.Chosen) -> None:
        if message.entry in ("authorize", "demo"):
            self.start_wizard(message.entry)
        elif message.entry == "diagnose":
            from oauth_wizard.tui.screens.doctor import DoctorScreen

            self.push_screen(DoctorScreen())
        elif message.entry in KEEP_ENTRIES:
            self.open_keep(message.entry)

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
                from oauth_wizard.tui.demo import demo_state  # the demo's values, when asked

                state = demo_state(csrf, runtime.login_uri, runtime.redirect_uri)
            else:
                state = WizardState(csrf_state=csrf)
        if self._simulator and not state.demo and not state.simulator:
            state = state.with_(simulator=self._simulator)
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
        screen = step_screen(step)
        if step == "review":
            return screen(state, state_factory=self._state_factory, open_url=self._open_url)
        if step == "catch":
            return screen(state, runtime=self._runtime_for(state),
                          profile=last.profile if isinstance(last, Next) else None,
                          session_factory=self._make_catch_session, clock=self._clock,
                          state_factory=self._state_factory, open_url=self._open_url,
                          timeout=self._catch_timeout)
        if step == "done":
            return screen(last, state_factory=self._state_factory,
                          keep=self.keep_session(state.demo))
        return screen(state)

    # --- keep and use: Profiles, Self-authorize, re-authorizing a saved profile -------------

    @property
    def demo_mode(self) -> bool:
        """True when the app was started as the demo."""
        return self._start_demo

    def keep_session(self, demo: bool | None = None) -> KeepSession:
        """The session of the demo's runtime or the user's (one per runtime, kept). A run
        started as the demo shows the demo's profiles and stores; any other run the user's."""
        runtime = self._runtime_for(WizardState(demo=self.demo_mode if demo is None else demo))
        if id(runtime) not in self._keep_sessions:
            self._keep_sessions[id(runtime)] = self._make_keep_session(runtime, clock=self._clock)
        return self._keep_sessions[id(runtime)]

    def open_keep(self, entry: str, profile: str | None = None,
                  region: str | None = None) -> None:
        """Show Profiles or Self-authorize; going from one to the other does not pile them up."""
        from oauth_wizard.tui.screens.profiles import ProfilesScreen
        from oauth_wizard.tui.screens.selfauth import SelfAuthScreen

        keep = self.keep_session()
        screen: Screen = (ProfilesScreen(keep, state_factory=self._state_factory)
                          if entry == "profiles"
                          else SelfAuthScreen(keep, profile=profile, region=region))
        stack = self.screen_stack
        if isinstance(stack[-1], ProfilesScreen | SelfAuthScreen):
            if len(stack) > 2 and isinstance(stack[-2], type(screen)):
                self.pop_screen()  # back to the one underneath, which reloads
                return
            if entry == "profiles" or not isinstance(stack[-1], ProfilesScreen):
                self.switch_screen(screen)
                return
        self.push_screen(screen)

    def on_open_keep(self, message: OpenKeep) -> None:
        self.open_keep(message.entry, message.profile, message.region)

    def on_reauthorize(self, message: Reauthorize) -> None:
        """The wizard on top of the Profiles screen, at the Review of the loaded profile."""
        state = message.state
        self.start_wizard(f"profile:{state.profile_name}", state=state, at=STEPS[-1])

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

    async def action_quit(self) -> None:
        """Quit; when the wizard holds values the user typed, ask first (Ctrl+Q again, or
        Quit, confirms)."""
        from oauth_wizard.tui.screens.keep_widgets import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog) or not self._typed_values():
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()
        self.push_screen(ConfirmDialog(
            "Quit and lose what you entered?",
            "The app's values you typed are not saved anywhere yet (the wizard saves a "
            "profile when Authorize starts). Quit anyway? (Ctrl+Q again quits.)",
            yes="Quit", no="Keep going", danger=True), answered)

    def _typed_values(self) -> bool:
        """Whether a real (not demo) wizard holds values the user typed."""
        states = list(self._drafts.values())
        for screen in self.screen_stack:
            collect = getattr(screen, "collect", None)
            state = collect() if callable(collect) else getattr(screen, "state", None)
            if isinstance(state, WizardState):
                states.append(state)
        blank = WizardState()
        return any(not s.demo and s.with_(csrf_state="", simulator="") != blank for s in states)

    def action_restart(self) -> None:
        """Drop everything entered and go back to the Welcome screen."""
        self.workers.cancel_group(self, "wizard")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._drafts.clear()
        self.title = TITLE

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from oauth_wizard.tui.screens.catch import CatchScreen
        from oauth_wizard.tui.screens.review import ReviewScreen

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


