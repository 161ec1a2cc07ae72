"""Support-case details: what Amazon support asks for, pulled out of a pasted error.

The FAQ's checklist is: application ID, request ID with timestamp, the API operation (and
whether it was a sandbox call) and the error response. Everything shown passes through
``scrub_secrets``, so a pasted log with tokens, secrets, codes or AWS keys in it is safe to copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from oauth_wizard.doctor import facts as doctor_facts
from oauth_wizard.doctor.signals import decode, scrub_secrets

if TYPE_CHECKING:
    from oauth_wizard.doctor.diagnosis import Diagnosis

MAX_RESPONSE = 1500
NO_APP_ID = "not found; copy it from Develop Apps (amzn1.sp.solution...)"
NO_REQUEST_ID = "not found; it is the x-amzn-RequestId header of the failed response"
_I = re.IGNORECASE
APP_ID_RE = re.compile(r"amzn1\.(?:sp\.solution|sellerapps\.app)\.[0-9a-fA-F-]{36}")
REQUEST_ID_RES = (
    re.compile(r"x-amzn?-request-?id\W{1,6}([A-Za-z0-9][A-Za-z0-9-]{7,79})", _I),
    re.compile(r"\brequest[ _-]?id\W{1,6}([A-Za-z0-9][A-Za-z0-9-]{7,79})", _I),
)
TIMESTAMP_RES = (
    re.compile(r"\bDate\W{1,4}([A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)"),
    re.compile(r"\b(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,6})?"
               r"(?:Z|[+-]\d{2}:?\d{2})?)"),
    re.compile(r"\b(\d{8}T\d{6}Z)\b"),
)
OPERATION_RE = re.compile(
    r"\b(GET|POST|PUT|PATCH|DELETE)\s{1,3}(?:https?://[A-Za-z0-9.-]{1,100})?(/[^\s\"'<>?#]{1,300})")
SPAPI_URL_RE = re.compile(r"https?://(?:sandbox\.)?sellingpartnerapi-[a-z]{2}\.amazon\.com"
                          r"(/[^\s\"'<>?#]{1,300})", _I)
BODY_START_RE = re.compile(r"\{\s{0,3}\\{0,3}[\"']?(?:errors|error|error_description)"
                           r"\\{0,3}[\"']?\s{0,3}:")


def _last(regexes: Iterable[re.Pattern[str]], text: str) -> str | None:
    """The last match of the first regex that matches (in a log, the failing line is last)."""
    for regex in regexes:
        found = [m.group(1) for m in regex.finditer(text)]
        if found:
            return found[-1]
    return None


def _request_ids(text: str) -> list[str]:
    found: dict[str, None] = {}
    for regex in REQUEST_ID_RES:
        for match in regex.finditer(text):
            found.setdefault(match.group(1))
            if len(found) >= 5:
                return list(found)
    return list(found)


def _operation(text: str) -> str | None:
    """The last API call named in the text (the one that failed, in a log), token calls last."""
    calls = [(f"{m.group(1)} {m.group(2)}", m.group(2)) for m in OPERATION_RE.finditer(text)]
    calls = calls or [(m.group(1), m.group(1)) for m in SPAPI_URL_RE.finditer(text)]
    api = [shown for shown, path in calls if not path.startswith("/auth/o2/token")]
    return (api or [shown for shown, _ in calls] or [None])[-1]


def _balanced(text: str, start: int, limit: int = 4000) -> str:
    """The JSON-ish object starting at ``start``, up to its closing brace (or ``limit``)."""
    depth = 0
    for i, ch in enumerate(text[start:start + limit]):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start:start + i + 1]
    return text[start:start + limit]


def _response(text: str) -> str:
    match = BODY_START_RE.search(text)
    body = _balanced(text, match.start()) if match else text.strip()
    body = scrub_secrets(body)
    return body if len(body) <= MAX_RESPONSE else body[:MAX_RESPONSE] + " \u2026(cut)"


def _lenient(facts: Mapping[str, object] | Iterable[str] | None) -> dict[str, str]:
    try:
        return doctor_facts.parse_facts(facts).known
    except doctor_facts.DoctorFactError:
        return {}


def support_case_details(diagnosis: Diagnosis, data: str | bytes | None,
                 facts: Mapping[str, object] | Iterable[str] | None = None) -> str:
    """Plain text to paste into a support case; missing items say where to find them."""
    text, _ = decode(data)
    known = {**diagnosis.inferred, **diagnosis.facts, **_lenient(facts)}
    app_id = known.get("app_id", "")
    if not APP_ID_RE.fullmatch(app_id):
        match = APP_ID_RE.search(text)
        app_id = match.group(0) if match else ""
    request_ids = _request_ids(text)
    when = _last(TIMESTAMP_RES, text)
    operation = diagnosis.facts.get("operation") or _operation(text) or known.get("operation")
    sandbox = {"true": "yes", "false": "no"}.get(known.get("sandbox", ""), "not known")
    lines = [
        "Support case details (secrets removed)",
        f"Application ID: {app_id or NO_APP_ID}",
        f"Request ID: {', '.join(request_ids) or NO_REQUEST_ID}",
        f"Timestamp: {when or 'not found; add when it happened, with the time zone'}",
        f"Operation: {operation or 'not found; name the operation and path (e.g. getOrders)'}",
        f"Sandbox request: {sandbox}",
        f"HTTP status: {known.get('http_status') or _status(diagnosis) or 'not known'}",
        "Error response:",
        *("  " + line for line in (_response(text) or "(nothing pasted)").splitlines()[:40]),
    ]
    if diagnosis.causes:
        top = diagnosis.causes[0]
        lines.append(f"Checked first: {top.title} ({top.id}); signals: "
                     f"{', '.join(diagnosis.signals[:12]) or 'none'}")
    return scrub_secrets("\n".join(lines))


def _status(diagnosis: Diagnosis) -> str | None:
    codes = [s.split(":", 1)[1] for s in diagnosis.signals if s.startswith("http:")]
    return ", ".join(codes) if codes else None
