"""The two values a consent URL carries that its author chose: ``state`` and ``redirect_uri``.

Part of ``lint``: a guessable state and a localhost redirect are warnings (Amazon would not
refuse them, a careful reviewer would); an unregistered or empty redirect_uri is a problem.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from oauth_wizard.consent.state import MAKE_STATE, state_weakness
from oauth_wizard.core.uris import is_loopback, localhost_problem


class _Collector(Protocol):
    """What ``lint`` collects findings in (its ``_Collector``)."""

    notes: list[str]

    def add(self, cause: str, message: str, fix: str) -> None: ...

    def warn(self, cause: str, message: str, fix: str) -> None: ...


def check_state(value: str | None, out: _Collector) -> None:
    if value is None:
        out.notes.append("No state parameter: without it you cannot tell your own redirect from a "
                         "forged one (CSRF). The wizard always adds a random one.")
        return
    why = state_weakness(value)
    if why:
        shown = f"state {value[:40]!r}" if value else "state="
        out.warn("state_mismatch", f"{shown} {why}: a state protects the redirect only when it "
                 "is random and used once, so this one lets a forged redirect through (CSRF).",
                 MAKE_STATE)


def _near_miss(uri: str, registered: tuple[str, ...]) -> str:
    for reg in registered:
        if uri.rstrip("/") == reg.rstrip("/"):
            return f" It differs from {reg} only by a trailing slash."
        if uri.lower() == reg.lower():
            return f" It differs from {reg} only in upper/lower case."
        if uri.split("://", 1)[-1] == reg.split("://", 1)[-1]:
            return f" It differs from {reg} only in the scheme."
    return ""


def check_redirect(value: str | None, registered: tuple[str, ...], out: _Collector) -> None:
    if value is None:
        if registered:
            out.notes.append(f"No redirect_uri: Amazon sends the code to the first registered "
                             f"Redirect URI, {registered[0]}.")
        return
    if not value.strip():
        out.add("redirect_uri_not_registered",
                "redirect_uri is empty: Amazon then uses the app's first registered Redirect URI "
                "or refuses the request (MD5101).",
                "Leave redirect_uri out to use the first registered one, or give a registered "
                "URI exactly.")
        return
    _check_redirect_host(value, out)
    if "#" in value:
        out.add("redirect_uri_fragment",
                f"redirect_uri contains a fragment ({value[value.index('#'):][:40]}); Amazon "
                "answers MD5110.",
                "Remove the '#…' part from the Redirect URI, in the URL and in the app's settings.")
    if not value.lower().startswith("https://"):
        out.add("redirect_uri_not_registered",
                f"redirect_uri {value!r} is not https, so it cannot be a registered Redirect URI "
                "(Amazon registers only https); Amazon answers MD5101.",
                "Use one of the app's registered https Redirect URIs.")
        return
    if registered and value not in registered:
        out.add("redirect_uri_not_registered",
                f"redirect_uri {value} is not exactly one of the registered Redirect URIs "
                f"({', '.join(registered)}); Amazon answers MD5101.{_near_miss(value, registered)}",
                "Use a registered URI character for character, or register this one (a published "
                "app must publish that edit before it takes effect).")


def _check_redirect_host(value: str, out: _Collector) -> None:
    """A redirect_uri on this machine, said as the wizard's URI step says it."""
    try:
        host = urlsplit(value if "://" in value else "https://" + value).hostname or ""
    except ValueError:
        return
    if is_loopback(host):
        problem = localhost_problem(host, "redirect_uri", "Redirect URI")
        out.warn("uri_not_https_or_localhost", problem.message, problem.fix)
