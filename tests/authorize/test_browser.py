"""browser.open_url: opens graphical browsers, refuses console ones, never raises."""

from __future__ import annotations

import webbrowser

import pytest

from oauth_wizard.authorize import browser


class FakeBrowser:
    def __init__(self, name: str, result: bool = True, error: Exception | None = None) -> None:
        self.name = name
        self.result = result
        self.error = error
        self.opened: list[tuple[str, int]] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        if self.error:
            raise self.error
        self.opened.append((url, new))
        return self.result


def use(monkeypatch, fake) -> None:
    def get(using=None):
        if isinstance(fake, Exception):
            raise fake
        return fake
    monkeypatch.setattr(webbrowser, "get", get)


def test_opens_in_a_new_tab(monkeypatch):
    fake = FakeBrowser("xdg-open")
    use(monkeypatch, fake)
    assert browser.open_url("https://example.test/x") is True
    assert fake.opened == [("https://example.test/x", 2)]


@pytest.mark.parametrize("name", sorted(browser.CONSOLE_BROWSERS))
def test_console_browsers_are_refused(monkeypatch, name):
    fake = FakeBrowser(name)
    use(monkeypatch, fake)
    assert browser.open_url("https://example.test/x") is False
    assert fake.opened == []


@pytest.mark.parametrize("fake", [
    webbrowser.Error("could not locate runnable browser"),
    FakeBrowser("firefox", error=OSError("exec failed")),
    FakeBrowser("firefox", result=False),
])
def test_failures_are_reported_as_false(monkeypatch, fake):
    use(monkeypatch, fake)
    assert browser.open_url("https://example.test/x") is False
