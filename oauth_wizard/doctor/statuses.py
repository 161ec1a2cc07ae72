"""The HTTP status a report states: in a log line's or a library's form ("HTTP/1.1 403",
"status code: 400", "[403] {", "429 Too Many Requests") or in a reporter's prose ("a 403
error", "getPricing returns 404", "Forbidden (403)").

Prose is read only for the statuses SP-API and LWA answer, and never when a count follows the
number ("returns 400 items"), so a number in a sentence is not taken for a status.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_KNOWN = r"(400|401|403|404|405|409|413|415|422|429|500|502|503|504)"
_NOT_A_COUNT = (r"(?![.,]?\d|\s{0,3}(?:items?|orders?|skus?|asins?|units?|products?|ms|"
                r"seconds?|minutes?|hours?|days?|%|times|requests?|calls?|rows?|lines?)\b)")
_SAID_BY = (r"\b(?:errors?|returns?|returned|returning|got|gets?|getting|gives?|giving|"
            r"received|receiving|responds?|responded|answers?|answered|throws?|"
            r"(?:fails?|failed|failing) with)\s{1,3}"
            r"(?:(?:an?|the|with|http|status|code)\s{1,3}){0,2}")
MAX_FOUND = 10
PATTERNS = (
    # the forms logs, HTTP clients and the libraries print
    re.compile(r"\bHTTP/\d(?:\.\d)?\s{1,3}(\d{3})\b"),
    re.compile(r"\b(?:status(?:[ _-]?code)?|statuscode|http[ _-]?status|response[ _-]?code|"
               r"http[ _-]?code|error[ _-]?code)\b\W{0,4}(\d{3})\b", _I),
    re.compile(r"\b(\d{3})\s{1,3}(?:Client|Server) Error\b"),
    re.compile(r"\b(\d{3})\s{1,3}(?:Forbidden|Unauthorized|Too Many Requests|Bad ?Request|"
               r"Not ?Found|Internal Server Error|Service Unavailable|Gateway Time-?out|"
               r"Bad Gateway|Conflict)\b", _I),
    re.compile(r"\bHTTP(?: Error)?[\s:]{1,3}(\d{3})\b", _I),
    re.compile(r"\((\d{3})\)\s{0,3}\n?\s{0,3}Reason:"),
    re.compile(r"\[(\d{3})\]\s{0,3}(?:Client|Server|Error|\{)"),
    # a reporter's prose
    re.compile(r"\b" + _KNOWN + r"\s{1,3}(?:errors?|responses?|status(?:es)?|codes?)\b", _I),
    re.compile(_SAID_BY + _KNOWN + r"\b" + _NOT_A_COUNT, _I),
    re.compile(r"\b(?:Forbidden|Unauthorized|Bad Request|Not Found|Too Many Requests|"
               r"Internal Server Error|Service Unavailable)\s{0,3}\(\s{0,2}([45]\d\d)\s{0,2}\)",
               _I),
)


def stated(text: str) -> list[tuple[int, str]]:
    """Each status the text states (at most ``MAX_FOUND`` matches), with the words that
    said it."""
    found: list[tuple[int, str]] = []
    for regex in PATTERNS:
        for match in regex.finditer(text):
            status = int(match.group(1))
            if 100 <= status <= 599:
                found.append((status, match.group(0)))
            if len(found) >= MAX_FOUND:
                return found
    return found
