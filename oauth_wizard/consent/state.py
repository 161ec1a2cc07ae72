"""The consent URL's ``state``: made fresh for every attempt, compared in constant time, and
judged when someone else made it (``url --state``, ``lint-url``).

A state protects the redirect only when it is unpredictable and used once (RFC 6749 §10.12).
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets

STATE_BYTES = 32  # 256 bits

def new_state() -> str:
    """A fresh URL-safe CSRF value with 256 bits from the OS's CSPRNG."""
    return secrets.token_urlsafe(STATE_BYTES)


_WORDS = re.compile(r"(?i)^(?:my)?(?:state|csrf|test|demo|default|example|sample|random|"
                    r"foo|bar|abc|xyz|none|null|undefined|nonce|secret|login|auth|oauth|app)"
                    r"[\w-]{0,12}$")
_DATE = re.compile(r"^\d{4}-?\d{2}-?\d{2}(?:[T_ -]?\d{2}:?\d{2}(?::?\d{2})?)?Z?$")
MAKE_STATE = ("Generate a random value for every attempt and check it on the redirect: "
              "secrets.token_urlsafe(32) in Python, crypto.randomBytes(32).toString('base64url') "
              "in Node, bin2hex(random_bytes(32)) in PHP; `oauth-wizard url` makes one.")


def state_weakness(state: str) -> str | None:
    """Why ``state`` could be guessed or forged (None when it looks random enough).

    A state protects the redirect only when it is unpredictable and used once; what public
    code really sends includes counters, dates, words, store codes and base64-wrapped JSON
    naming a user or tenant. The rule is ``url --state``'s and ``lint-url``'s.
    """
    if not state:
        return "is empty"
    if _DATE.match(state):
        return "is a date or time"
    if state.isdigit():
        return "is only digits"
    if _WORDS.match(state):
        return "is a word anyone can guess"
    readable = _decoded_text(state)
    if readable is not None:
        return f"is base64 of readable {readable}, which anyone can decode and forge"
    if len(state) < 16:
        return f"is only {len(state)} characters long"
    if re.search(r"[|:;,]", state) and len(set(state)) < 24:
        return "is a structured value (fields joined by a separator), not a random one"
    if len(set(state)) < 8:
        return f"uses only {len(set(state))} different characters"
    return None


def _decoded_text(state: str) -> str | None:
    """'JSON' or 'text' when ``state`` is base64 of something a person can read."""
    if len(state) < 8 or not re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", state):
        return None
    padded = state + "=" * (-len(state) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
        text = raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not text or sum(c.isprintable() for c in text) < len(text):
        return None
    if text.lstrip().startswith(("{", "[")):
        return "JSON"
    letters = sum(c.isalnum() or c in " _-.:|@" for c in text)
    return "text" if letters / len(text) > 0.9 and len(text) >= 6 else None


def state_matches(expected: str, received: str | None) -> bool:
    """Compare a returned ``state`` in constant time."""
    if not received:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))


