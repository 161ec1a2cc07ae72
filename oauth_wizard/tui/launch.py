"""Where the wizard is put together: the runtimes and sessions that do I/O, handed to the app.

``oauth-wizard`` and ``oauth-wizard demo`` call ``make_app``; the app and its screens receive
factories and never import the modules that talk to the network, the keyring or sockets. The
factories import those modules when a step first needs them, so the first frame does not wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.authorize.catcher_checks import DEFAULT_TIMEOUT_S
from oauth_wizard.tui.app import WizardApp

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.catch import CatchSession, Runtime
    from oauth_wizard.tui.sessions.demo import DemoRuntime
    from oauth_wizard.tui.sessions.keep import KeepSession


def new_state() -> str:
    """A fresh consent ``state`` (``consent.url.new_state``)."""
    from oauth_wizard.consent.url import new_state as fresh

    return fresh()


def open_in_browser(url: str) -> bool:
    """Open ``url`` in the user's browser (``authorize.browser``), from a thread worker."""
    from oauth_wizard.authorize.browser import open_url

    return open_url(url)


def real_runtime() -> Runtime:
    """The user's machine: Amazon (or the ``OAUTH_WIZARD_*`` overrides), the OS keyring."""
    from oauth_wizard.tui.sessions.catch import RealRuntime

    return RealRuntime()


def catch_session(*args: Any, **kwargs: Any) -> CatchSession:
    """One authorization attempt (``sessions.catch.CatchSession``)."""
    from oauth_wizard.tui.sessions.catch import CatchSession

    return CatchSession(*args, **kwargs)


def keep_session(*args: Any, **kwargs: Any) -> KeepSession:
    """Keep and use tokens for one runtime (``sessions.keep.KeepSession``)."""
    from oauth_wizard.tui.sessions.keep import KeepSession

    return KeepSession(*args, **kwargs)


def make_app(
    *,
    demo: bool = False,
    state_factory: Callable[[], str] | None = None,
    open_url: Callable[[str], bool] | None = None,
    clock: Callable[[], float] | None = None,
    demo_runtime: Callable[[], DemoRuntime] | None = None,
    runtime: Callable[[], Runtime] | None = None,
    catch_timeout: float = DEFAULT_TIMEOUT_S,
    endpoints: Endpoints | None = None,
) -> WizardApp:
    """Build the TUI. ``demo`` starts the steps prefilled with the demo app and its simulator.

    ``state_factory`` makes the consent URL's ``state`` (tests freeze it); ``open_url`` opens a
    URL and returns whether it worked (tests record it; it is called from a thread worker);
    ``clock`` stamps the timeline and drives the countdowns; ``demo_runtime`` and ``runtime``
    build where attempts run (the demo's local Amazon, the user's machine); ``endpoints``
    (default: the ``OAUTH_WIZARD_*`` environment) decide the simulator banner and URI rule.
    """
    clock = clock or time.time
    endpoints = endpoints or Endpoints.from_env()

    def the_demo() -> DemoRuntime:
        from oauth_wizard.tui.sessions.demo import DemoRuntime

        return DemoRuntime(clock=clock)

    return WizardApp(demo=demo, state_factory=state_factory or new_state,
                     open_url=open_url or open_in_browser, clock=clock,
                     demo_runtime=demo_runtime or the_demo, runtime=runtime or real_runtime,
                     catch_session=catch_session, keep_session=keep_session,
                     catch_timeout=catch_timeout, overrides=endpoints.overrides(),
                     simulator=endpoints.portal_base or "")
