"""Show secrets the way a person can recognise them without the screen leaking them.

A masked token keeps its public prefix (``Atzr|``), a few leading characters that every token
of that kind shares anyway, and the last three characters, so ``Atzr|IwEB…(ends 7fQ)`` tells
two tokens apart and shows a half-copied one, but never gives away more than a handful of
characters. ``scrub`` removes known secret values from any text before it reaches a message,
a log record or a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

ELLIPSIS = "\u2026"
# Public prefixes, shown whole: they name the kind of value and are the same for everyone.
TOKEN_PREFIXES = ("Atzr|", "Atza|")
SECRET_PREFIXES = ("amzn1.oa2-cs.v1.",)
# How many characters after a token prefix are shown ("IwEB" starts nearly every LWA token).
TOKEN_LEAD = 4
TAIL = 3
# Below this length nothing of the value is shown: a short secret has no characters to spare.
MIN_REVEAL_LEN = 16
MIN_SCRUB_LEN = 4
# Anything shaped like an LWA token or client secret, known to us or not.
SECRET_SHAPES = re.compile(
    r"Atz[ar](?:\||%7C|%7c)[^\s\"'&,;<>)}\]\u2026]{12,}|amzn1\.oa2-cs\.v1\.[0-9A-Za-z]{12,}")


def mask(value: str | None, *, with_length: bool = False) -> str:
    """``Atzr|IwEB…(ends 7fQ)``, ``amzn1.oa2-cs.v1.…(ends 3f9)``, ``…(ends x1Z)`` or ``…``.

    ``None`` and the empty string come back as ``(none)`` so a missing value is never mistaken
    for a masked one. ``with_length`` appends the length, which helps spot truncated pastes.
    """
    if value is None or value == "":
        return "(none)"
    suffix = f", {len(value)} chars" if with_length else ""
    for prefix in TOKEN_PREFIXES:
        if value.startswith(prefix) and len(value) >= MIN_REVEAL_LEN + len(prefix):
            lead = value[len(prefix): len(prefix) + TOKEN_LEAD]
            return f"{prefix}{lead}{ELLIPSIS}(ends {value[-TAIL:]}{suffix})"
    for prefix in SECRET_PREFIXES:
        if value.startswith(prefix) and len(value) >= MIN_REVEAL_LEN + len(prefix):
            return f"{prefix}{ELLIPSIS}(ends {value[-TAIL:]}{suffix})"
    for prefix in (*TOKEN_PREFIXES, *SECRET_PREFIXES):
        if value.startswith(prefix):  # too short to show any of it: the kind alone
            return f"{prefix}{ELLIPSIS}{f'({len(value)} chars)' if with_length else ''}"
    if len(value) >= MIN_REVEAL_LEN:
        return f"{ELLIPSIS}(ends {value[-TAIL:]}{suffix})"
    return f"{ELLIPSIS}{f'({len(value)} chars)' if with_length else ''}"


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each known secret, and anything shaped like an LWA
    token or client secret, replaced by its mask.

    Values also appear form-encoded or JSON-escaped in echoed request bodies, so those
    spellings are removed too. Very short values are skipped: replacing two characters
    everywhere would garble the text and protects nothing.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) < MIN_SCRUB_LEN:
            continue
        masked = mask(secret)
        for spelling in {secret, quote_plus(secret), quote(secret, safe=""),
                         secret.replace("/", "\\/")}:
            text = text.replace(spelling, masked)
    return SECRET_SHAPES.sub(lambda m: mask(m.group(0)), text)


def mask_code(value: str | None) -> str:
    """The first 4 characters and an ellipsis: enough to tell codes apart, useless to others."""
    return "(none)" if not value else value[:4] + "\u2026"
