"""Shared set-up for the TUI tests: a deterministic app and a browser recorder.

Everything that could make two runs differ is pinned here: the consent ``state`` (a fixed
factory), the Input cursor blink (patched out), animations (off). The app renders no clock or
date and draws no random values, so nothing else needs freezing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Input
from tui_helpers import FROZEN_STATE, Recorder

from oauth_wizard import consent
from oauth_wizard.app import WizardApp, make_app


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


@pytest.fixture
def opener() -> Recorder:
    return Recorder()


@pytest.fixture
def build(opener: Recorder) -> Callable[..., WizardApp]:
    """Build the app as the CLI does, with frozen state, the recorder, and no animations."""
    def _build(*, demo: bool = False, states: Iterator[str] | None = None) -> WizardApp:
        factory = (lambda: next(states)) if states is not None else (lambda: FROZEN_STATE)
        app = make_app(demo=demo, state_factory=factory, open_url=opener)
        app.animation_level = "none"
        return app
    return _build
