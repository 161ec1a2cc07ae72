"""The knowledge base's text patterns, compiled only when a text could match them.

Compiling the 80-odd ``[patterns]`` costs more than the rest of a short ``diagnose`` run, and a
pasted error code needs few of them. So each pattern carries *needles*: lower-case ASCII
literals, one per alternative, that any match must contain (worked out once, from the regex's
parse tree, when ``causes.compiled.json`` is written). An ASCII text that holds none of a
pattern's needles cannot match it, so the pattern is neither compiled nor run; any other text
(non-ASCII, where case-insensitive matching is subtler than ``lower()``), and any pattern without
needles, is matched as always. Skipping is therefore only ever a shortcut, never a different
answer; a test replays the corpus to hold that.
"""

from __future__ import annotations

import re

MIN_NEEDLE = 3  # shorter literals would rarely rule anything out


class TextPattern:
    """One ``[patterns]`` entry: its name, its source, its needles (None: always try it)."""

    __slots__ = ("_regex", "name", "needles", "source")

    def __init__(self, name: str, source: str, needles: tuple[str, ...] | None = None) -> None:
        self.name = name
        self.source = source
        self.needles = needles
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source, re.IGNORECASE)
        return self._regex

    def search(self, text: str, folded: str | None = None) -> re.Match[str] | None:
        """The first match in ``text``; ``folded`` is ``text.lower()`` when ``text`` is ASCII
        (else None), for the needle check."""
        if folded is not None and self.needles is not None \
                and not any(n in folded for n in self.needles):
            return None
        return self.regex.search(text)


def folded_for_needles(text: str) -> str | None:
    """``text`` lower-cased when needles can decide for it (ASCII), else None."""
    return text.lower() if text.isascii() else None


def needles_of(source: str) -> tuple[str, ...] | None:
    """One literal per top-level alternative that every match of it contains, lower-cased;
    None when some alternative has no ASCII literal of at least ``MIN_NEEDLE`` characters.

    Only literals at an alternative's top level count (not inside groups, repeats or classes),
    so each one is certain to be in the match. Uses the standard library's regex parser, which
    is imported only here, when the compiled knowledge base is written.
    """
    from re import _parser as sre_parse  # type: ignore[attr-defined]  # noqa: PLC0415

    tree = sre_parse.parse(source, re.IGNORECASE)
    items = list(tree)
    if len(items) == 1 and items[0][0] is sre_parse.BRANCH:
        alternatives = [list(a) for a in items[0][1][1]]
    else:
        alternatives = [items]
    found = []
    for alternative in alternatives:
        best = run = ""
        for op, value in alternative:
            if op is sre_parse.LITERAL and chr(value).isascii():
                run += chr(value)
                best = max(best, run, key=len)
            else:
                run = ""
        if len(best) < MIN_NEEDLE:
            return None
        found.append(best.lower())
    return tuple(sorted(set(found)))
