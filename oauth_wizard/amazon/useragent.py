"""The User-Agent SP-API asks every caller to send (spapi-authorization.md §8).

Amazon's convention is ``AppName/Version (Language=Name/Version; Platform=...)``, with ``\\``
and ``/`` escaped in the name, ``(`` in the version, ``=`` in attribute keys, and ``)`` and ``;``
in attribute values, and headers over 500 characters are rejected. So every part is escaped with
a backslash, anything that is not printable ASCII (which an HTTP header cannot carry) becomes
``_``, and an over-long header loses its extra attributes, then characters of the version,
until it fits: a verify call must never fail because of our own header.
"""

from __future__ import annotations

import platform as _platform
import sys
from collections.abc import Sequence

__all__ = ["APP_NAME", "MAX_LENGTH", "UNKNOWN_VERSION", "build", "package_version",
           "user_agent"]

APP_NAME = "oauth-wizard"
MAX_LENGTH = 500  # §8: "Headers over 500 characters are rejected"
UNKNOWN_VERSION = "0+unknown"


def package_version() -> str:
    """oauth-wizard's installed version, or ``0+unknown`` when run from a bare checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(APP_NAME)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def _clean(text: str) -> str:
    """Printable ASCII only: the header is sent as bytes and must stay one line."""
    return "".join(ch if " " <= ch <= "~" else "_" for ch in text).strip() or "unknown"


def _escape(text: str, specials: str) -> str:
    out = []
    for ch in _clean(text):
        out.append("\\" + ch if ch == "\\" or ch in specials else ch)
    return "".join(out)


def _render(name: str, version: str, attributes: Sequence[tuple[str, str]]) -> str:
    head = f"{_escape(name, '/')}/{_escape(version, '(')}"
    if not attributes:
        return head
    attrs = "; ".join(f"{_escape(k, '=')}={_escape(v, ');')}" for k, v in attributes)
    return f"{head} ({attrs})"


def build(name: str, version: str, attributes: Sequence[tuple[str, str]] = (), *,
          limit: int = MAX_LENGTH) -> str:
    """``name/version (k=v; k=v)`` escaped per §8 and at most ``limit`` characters.

    When too long, attributes after the first (``Language``) are dropped, then the version and
    the remaining values are shortened; truncation happens before escaping, so it never leaves
    a dangling backslash.
    """
    attrs = list(attributes)
    text = _render(name, version, attrs)
    while len(text) > limit and len(attrs) > 1:
        attrs.pop()
        text = _render(name, version, attrs)
    parts = [name, version, *(v for _, v in attrs)]
    while len(text) > limit:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        if len(parts[longest]) <= 1:
            break
        parts[longest] = parts[longest][: max(1, len(parts[longest]) - (len(text) - limit))]
        name, version = parts[0], parts[1]
        attrs = [(k, parts[2 + i]) for i, (k, _) in enumerate(attrs)]
        text = _render(name, version, attrs)
    return text[:limit]


def user_agent(*, version: str | None = None, python: str | None = None,
               platform: str | None = None) -> str:
    """``oauth-wizard/<version> (Language=Python/<x.y>; Platform=<os>)``."""
    ver = version if version is not None else package_version()
    py = python if python is not None else f"{sys.version_info[0]}.{sys.version_info[1]}"
    osname = platform if platform is not None else (_platform.system() or "unknown")
    return build(APP_NAME, ver, [("Language", f"Python/{py}"), ("Platform", osname)])
