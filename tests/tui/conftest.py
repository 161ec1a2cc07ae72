"""Shared set-up for the TUI tests: a deterministic app and a browser recorder.

Everything that could make two runs differ is pinned here: the consent ``state`` (a fixed
factory), the clock (frozen: the timeline's times and the countdowns never move), the time zone,
the simulator's tokens (a counter), the Input cursor blink (patched out), animations (off) and
the keyring (none usable, so the demo keeps its tokens in memory, as on a fresh machine).
Ports are free ones unless a snapshot test pins them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import keyring
import pytest
from keyring.backends import fail
from textual.widgets import Input
from tui_kit import FROZEN_NOW, FROZEN_STATE, Recorder, token_factory

from oauth_wizard.consent import url as consent
from oauth_wizard.tui.app import WizardApp
from oauth_wizard.tui.launch import make_app
from oauth_wizard.tui.sessions.demo import DemoRuntime


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes one-cell snapshot differences; keep it steady."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def no_real_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app under test gets a frozen state factory; a real random one must not be used."""
    def refuse() -> str:
        raise AssertionError("the app used consent.new_state instead of its state_factory")
    monkeypatch.setattr(consent, "new_state", refuse)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Timeline times are local time; pin the zone so they read the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """No usable keyring backend, as on a fresh machine; the user's keychain stays untouched."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture(autouse=True)
def no_real_config(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """A real (non-demo) attempt must never write the developer's profiles.toml."""
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("OAUTH_WIZARD_PORTAL_URL", "OAUTH_WIZARD_LWA_URL", "OAUTH_WIZARD_SPAPI_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def opener() -> Recorder:
    return Recorder()


@pytest.fixture
def runtimes() -> list[DemoRuntime]:
    """Every demo runtime the tests' apps made (to reach the simulator and the memory store)."""
    return []


@pytest.fixture
def build(opener: Recorder, runtimes: list[DemoRuntime]) -> Callable[..., WizardApp]:
    """Build the app as the CLI does, with frozen state and clock, the recorder, a simulator
    with counted tokens, and no animations."""
    def _build(*, demo: bool = False, states: Iterator[str] | None = None,
               ports: tuple[int, int] | None = None, **options) -> WizardApp:
        factory = (lambda: next(states)) if states is not None else (lambda: FROZEN_STATE)

        def demo_runtime() -> DemoRuntime:
            sim_port, catch_port = ports or (0, None)
            runtime = DemoRuntime(clock=lambda: FROZEN_NOW, token_factory=token_factory(),
                                  sim_port=sim_port, catch_port=catch_port)
            runtimes.append(runtime)
            return runtime

        options.setdefault("clock", lambda: FROZEN_NOW)
        app = make_app(demo=demo, state_factory=factory, open_url=opener,
                       demo_runtime=demo_runtime, **options)
        app.animation_level = "none"
        return app
    return _build
