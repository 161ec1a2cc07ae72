"""The App's routes to the keep-and-use screens: Profiles, Self-authorize, re-authorizing a
profile through the wizard, and the ``KeepSession`` each runtime's screens share.

A mixin of ``WizardApp``, kept here so app.py stays the step driver. A run started as the demo
(``oauth-wizard demo``) shows the demo's own profiles, stores and simulator; any other run shows
the user's real ones. The Done screen uses the runtime its attempt ran in.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from oauth_wizard.tui.screens.keep_widgets import OpenKeep, Reauthorize
from oauth_wizard.tui.screens.profiles import ProfilesScreen
from oauth_wizard.tui.screens.selfauth import SelfAuthScreen
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.sessions.catch import Runtime
from oauth_wizard.tui.sessions.keep import KeepSession
from oauth_wizard.tui.state import STEPS, WizardState

KEEP_ENTRIES = ("self-auth", "profiles")


class KeepRoutes:
    """Mixed into the App: it provides the attributes named below."""

    _start_demo: bool
    _clock: Callable[[], float]
    _state_factory: Callable[[], str]
    screen_stack: list[Screen]
    _runtime_for: Callable[[WizardState], Runtime]
    push_screen: Callable[..., object]
    pop_screen: Callable[[], object]
    switch_screen: Callable[..., object]
    start_wizard: Callable[..., None]

    @property
    def demo_mode(self) -> bool:
        """True when the app was started as the demo."""
        return self._start_demo

    def keep_session(self, demo: bool | None = None) -> KeepSession:
        """The session of the demo's runtime or the user's (one per runtime, kept)."""
        runtime = self._runtime_for(WizardState(demo=self.demo_mode if demo is None else demo))
        sessions: dict[int, KeepSession] = self.__dict__.setdefault("_keep_sessions", {})
        if id(runtime) not in sessions:
            sessions[id(runtime)] = KeepSession(runtime, clock=self._clock)
        return sessions[id(runtime)]

    def open_keep(self, entry: str, profile: str | None = None,
                  region: str | None = None) -> None:
        """Show Profiles or Self-authorize; going from one to the other does not pile them up."""
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

    def on_welcome_screen_chosen(self, message: WelcomeScreen.Chosen) -> None:
        """The Welcome entries of this mixin (the App's own handler takes the others)."""
        if message.entry in KEEP_ENTRIES:
            self.open_keep(message.entry)

    def on_open_keep(self, message: OpenKeep) -> None:
        self.open_keep(message.entry, message.profile, message.region)

    def on_reauthorize(self, message: Reauthorize) -> None:
        """The wizard on top of the Profiles screen, at the Review of the loaded profile."""
        state = message.state
        self.start_wizard(f"profile:{state.profile_name}", state=state, at=STEPS[-1])
