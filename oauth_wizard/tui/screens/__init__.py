"""The wizard's screens, one module each, plus the widget modules they share.

``step_screen`` imports a step's screen when it is first shown: the Welcome screen is all the
first frame needs, and the other screens (with the doctor and keep code behind them) load later.
"""

from __future__ import annotations

from importlib import import_module

from textual.screen import Screen

# step -> (module, class): the wizard's steps, then Authorize's Catch and Done screens
STEP_SCREENS = {
    "identity": ("identity", "IdentityScreen"),
    "publish": ("publish_state", "PublishStateScreen"),
    "hybrid": ("hybrid", "HybridScreen"),
    "marketplaces": ("marketplaces", "MarketplacesScreen"),
    "uris": ("uris", "UrisScreen"),
    "review": ("review", "ReviewScreen"),
    "catch": ("catch", "CatchScreen"),
    "done": ("done", "DoneScreen"),
}


def step_screen(step: str) -> type[Screen]:
    """The screen class of ``step``, imported on first use."""
    module, name = STEP_SCREENS[step]
    return getattr(import_module(f"{__name__}.{module}"), name)
