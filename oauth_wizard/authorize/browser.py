"""Open a URL in the user's web browser, and say whether that worked.

Blocking (it may start a process), so the TUI calls it from a thread worker. Console browsers
(lynx, w3m, …) are refused: started from inside the running TUI they would fight it for the
terminal, so the user is told to open the URL by hand instead.
"""

from __future__ import annotations

import webbrowser

CONSOLE_BROWSERS = frozenset({"www-browser", "links", "links2", "elinks", "lynx", "w3m"})


def open_url(url: str) -> bool:
    """Open ``url`` in a new browser tab; False when no usable (graphical) browser was found."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in CONSOLE_BROWSERS:
        return False
    try:
        return bool(browser.open(url, new=2))
    except (webbrowser.Error, OSError):
        return False
