"""Facts a report states in words: "with a grantless token", "the app is published",
"even with version=beta", "authorized in UK", the operation it names, a call said to go to
the sandbox.

Each becomes an *inferred* fact (shown as such; a stated ``--fact`` always wins, and only
stated facts rule a cause out). When the words name two values (a draft app and a published
one, both token kinds), the text compares them and nothing is inferred. Every regex uses
bounded repetition and reads only the head of a paste, so junk stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from oauth_wizard.doctor import operations

_I = re.IGNORECASE
HEAD = 20000  # what a report says about itself sits near the top

# A report that says its call went to the sandbox, without pasting the host; not one that
# says the sandbox works (and production does not), nor one that tried it as well.
SANDBOX_CALL = r"\bsandbox\b"
SANDBOX_WORKS = (
    r"\b(?:in|on|with|against) (?:the )?sandbox,? (?:it |this |that |all )?(?:works|is fine|"
    r"succeeds)|sandbox (?:works|is fine|succeeds)|"
    r"works (?:fine |well )?(?:in|on|with|against) (?:the )?sandbox|"
    # tried there as well: the report compares the two, the failing call is production's
    r"sandbox (?:also|too|as well)|also (?:in|on|with|against) (?:the )?sandbox|"
    r"(?:production|prod|live) and (?:the )?sandbox|sandbox and (?:production|prod|live)")
# Which token the call sent ("with a grantless token", "using an RDT").
_SENT_WITH = r"\b(?:with|using|via|by|sending|sent|send|use|used) (?:a |an |the |my |our )?"
TOKEN_KINDS = (
    ("grantless", _SENT_WITH + r"(?:grantless|client[_ -]credentials?)(?: access)? tokens?\b"),
    ("rdt", _SENT_WITH + r"(?:rdt|restricted data token)\b"),
)
# The app's state in Developer Central ("the app is published", "our draft app"); "not
# published" and "unpublished" say only what it is not, so they infer nothing.
_APP = r"\b(?:my |our |the )?(?:app|application|solution)"
_IS = r" (?:is |was |has been |'s )?(?:already |still |now |currently )?(?:in )?(?:a |the )?"
# Only the report's own app: "a published application … not found" is Amazon's message.
_OURS = r"\b(?:my|our) "
APP_STATES = tuple(
    (state, _APP + _IS + state + r"\b|" + _OURS + state + r" (?:app|application)\b|"
     r"\bapp (?:state|status):? " + state + r"\b")
    for state in ("published", "draft", "submitted"))
# Whether the consent URL carried version=beta, said in words (a pasted URL decides first).
BETA = (
    ("false", r"\b(?:without|no|missing|removed|dropped|forgot)(?: the)? [&?]?version=beta\b"),
    ("true", r"\b(?:with|including|included|added|adding|has|have|contains?|appended)"
             r"(?: the)? [&?]?version=beta\b"),
)
# A table is compiled and run only when its word is in the text at all (most pastes hold
# none, and the doctor's start-up is measured).
TABLES = (("token_kind", ("token", "rdt"), TOKEN_KINDS),
          ("app_state", ("published", "draft", "submitted"), APP_STATES),
          ("beta_in_url", ("version=beta",), BETA))

# The marketplace a grant came from, said in words ("authorized in US", "a token from UK
# Seller Central"); the code must be written in capitals, so "for us" is not the US.
_GRANT_CONTEXT = (r"\b(?:authori[sz]ed|authori[sz]ations?|consent(?:ed)?|tokens?|grant(?:ed)?|"
                r"seller ?central)\b[^\n.;]{0,30}?\b(?:in|on|for|from|via|through|of) (?:the )?")


GRANT_WORDS = ("authori", "consent", "token", "grant", "seller")  # cheap gate before any regex
LIST_GOES_ON = re.compile(r"\s{0,2}(?:and|or|,|/|&)\s{0,2}[A-Z]{2}\b")  # capitals: a code


@cache
def _market_res() -> tuple[re.Pattern[str], ...]:
    from oauth_wizard.core import marketplaces  # lazy: only a text that got this far needs it

    codes = sorted({c for m in marketplaces.all_marketplaces() for c in (m.code, *m.aliases)
                    if re.fullmatch(r"[A-Z]{2}", c)})
    code = r"(?-i:(" + "|".join(codes) + r"))\b"
    return (re.compile(_GRANT_CONTEXT + code, _I),
            re.compile(r"\b" + code + r" ?seller ?central\b", _I))


def _marketplace(head: str) -> str | None:
    lowered = head.lower()
    if not any(word in lowered for word in GRANT_WORDS):
        return None  # no grant named: the marketplace data is not even loaded
    from oauth_wizard.core import marketplaces

    said = set()
    for pattern in _market_res():
        for match in pattern.finditer(head):
            if LIST_GOES_ON.match(head, match.end()):
                return None  # "authorized in DE and FR": several, so none in particular
            said.add(marketplaces.lookup(match.group(1)).code)
    return said.pop() if len(said) == 1 else None


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source, _I)


def says_sandbox_call(text: str) -> bool:
    """The report says its call went to the sandbox (and not that the sandbox works)."""
    head = text[:HEAD]
    return ("sandbox" in head.lower() and bool(_compiled(SANDBOX_CALL).search(head))
            and not _compiled(SANDBOX_WORKS).search(head))


def from_words(text: str, facts: Mapping[str, str]) -> dict[str, str]:
    """The facts ``text`` states in words and ``facts`` does not already give."""
    head = text[:HEAD]
    out: dict[str, str] = {}
    if "operation" not in facts:
        name = operations.named_in(head)  # reads the models' data only for a likely name
        if name:
            out["operation"] = name
    if "marketplace" not in facts and "region" not in facts:
        market = _marketplace(head)
        if market:
            out["marketplace"] = market
    lowered = head.lower()
    for key, words, choices in TABLES:
        if key not in facts and any(word in lowered for word in words):
            said = {value for value, source in choices if _compiled(source).search(head)}
            if len(said) == 1:  # two named: the text compares them, it does not say which
                out[key] = said.pop()
    return out
