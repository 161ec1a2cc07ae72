"""What the failing SP-API operation is, from Amazon's API models (``data/operations.json``).

One ``403 Unauthorized`` has many causes, and the operation tells several apart: a grantless
operation needs a ``client_credentials`` token, a restricted one a Restricted Data Token, a vendor
operation a vendor account, and some operations exist only in a few marketplaces. The data is
built from amzn/selling-partner-api-models by ``scripts/operations_from_models.py`` (the file names
the models' commit) and read only when a fact or the text names an operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from oauth_wizard.core.packaged import data_text

# An operation id as the models spell them (camelCase verbs), or an SP-API path with a version.
OPERATION_ID_RE = re.compile(r"\b((?:get|create|delete|put|patch|update|list|cancel|submit|"
                             r"search|confirm|send|rotate|generate|schedule|estimate|"
                             r"validate|initiate|acknowledge|check)[A-Z]\w{2,60})\b")
PATH_RE = re.compile(r"(/[a-zA-Z]+(?:/[\w.{}-]+){1,8})")
VERSIONED_PATH_RE = re.compile(r"/(?:v\d+|\d{4}-\d{2}-\d{2})(?:/|$)")
METHOD_RE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\b")

# Restricted operations named in prose that the models file cannot hold (older wording).
RESTRICTED_WORDS = re.compile(r"buyerinfo|/address\b|shippingaddress|\brdt\b|"
                              r"restricteddatatoken", re.IGNORECASE)


@cache
def _data() -> dict[str, Any]:
    try:
        return json.loads(data_text("operations.json"))
    except (OSError, ValueError):
        return {"operations": {}, "source": "(missing)"}


@cache
def _ids_by_lower() -> dict[str, str]:
    return {k.lower(): k for k in _data()["operations"]}


def source() -> str:
    """Which models commit the operation data came from."""
    return str(_data().get("source", "(unknown)"))


@cache
def _paths() -> dict[int, list[tuple[tuple[str | None, ...], str, dict[str, Any]]]]:
    """Path templates by segment count; a ``{parameter}`` segment (None) matches any value."""
    out: dict[int, list[tuple[tuple[str | None, ...], str, dict[str, Any]]]] = {}
    for oid, entries in _data()["operations"].items():
        for entry in entries:
            parts = tuple(None if p.startswith("{") else p.lower()
                          for p in entry["path"].strip("/").split("/"))
            out.setdefault(len(parts), []).append((parts, oid, entry))
    return out


def _path_matches(path: str) -> list[tuple[str, dict[str, Any]]]:
    parts = path.strip("/").lower().split("/")
    return [(oid, entry) for template, oid, entry in _paths().get(len(parts), [])
            if all(t is None or t == p for t, p in zip(template, parts, strict=True))]


def lookup(text: str) -> list[dict[str, Any]]:
    """The model entries of the operation ``text`` names (an id such as ``getOrders``, or a
    method and path); empty when it names none the models know."""
    operations = _data()["operations"]
    by_lower = _ids_by_lower()
    found: list[dict[str, Any]] = []
    for word in re.findall(r"[A-Za-z]\w{3,60}", text):
        key = by_lower.get(word.lower())
        if key:
            found.extend({**e, "id": key} for e in operations[key])
            rest = text.replace(word, " ")  # "getOrders" itself names no API
            break
    if found:
        return _narrowed_by_api(found, rest)
    method = METHOD_RE.search(text)
    for raw in PATH_RE.findall(text):
        path = raw.split("?")[0].rstrip("/.,;)")
        for oid, entry in _path_matches(path):
            if method is None or method.group(1) == entry["method"]:
                found.append({**entry, "id": oid})
        if found:
            return found
    return found


def _squashed(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _narrowed_by_api(entries: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The entries of the API the text also names, when an id such as ``getOrders`` exists in
    several APIs ("Vendor Direct Fulfillment Orders getOrders", "VendorDirectFulfillmentOrdersV1
    getOrders"); all of them when it names none or only some other API."""
    if len({e["api"] for e in entries}) < 2:
        return entries
    said = _squashed(text)
    stems = {e["api"]: _squashed(e["api"].removesuffix("-api-model")) for e in entries}
    named = {api for api, stem in stems.items() if stem in said}
    # The longest name wins: "vendorDirectFulfillmentOrders" also contains "orders".
    if named:
        longest = max(len(stems[api]) for api in named)
        named = {api for api in named if len(stems[api]) == longest}
    kept = [e for e in entries if e["api"] in named]
    return kept or entries


def named_in(text: str) -> str | None:
    """An operation the pasted text names (its id, or the path it called), for the doctor to
    use as the ``operation`` fact; None when the text names none the models know."""
    if not (OPERATION_ID_RE.search(text) or VERSIONED_PATH_RE.search(text)):
        return None  # nothing that could name one: the data file is not read
    for match in OPERATION_ID_RE.finditer(text):
        if lookup(match.group(1)):
            return match.group(1)
    for match in PATH_RE.finditer(text):
        if VERSIONED_PATH_RE.search(match.group(1)):
            hits = lookup(match.group(1))
            if hits:
                return hits[0]["id"]
    return None


def _all(entries: Iterable[dict[str, Any]], test: Any) -> str | None:
    """``"true"`` or ``"false"`` when the test agrees for every entry, None when they differ."""
    values = {bool(test(e)) for e in entries}
    return None if len(values) != 1 else ("true" if values.pop() else "false")


def derive(facts: Mapping[str, str], region_markets: Iterable[str] = ()) -> dict[str, str]:
    """The operation facts rules test, from ``operation`` and the facts beside it."""
    operation = facts.get("operation")
    if not operation:
        return {}
    entries = lookup(operation)
    out: dict[str, str] = {}
    if not entries:
        if RESTRICTED_WORDS.search(operation):
            out["operation_restricted"] = "true"
        return out
    grantless = _all(entries, lambda e: e["grantless_scope"])
    if grantless:
        out["operation_grantless"] = grantless
    # Only membership is evidence: Amazon's list of restricted operations names the ones it
    # knows (the Tokens API use cases), and restricted reports and newer APIs are missing from
    # it, so an operation left off is unknown, not unrestricted. pii-only ones answer without
    # an RDT (minus the personal data).
    if all(e["restricted"] is True for e in entries):
        out["operation_restricted"] = "true"
    accounts = {e["account"] for e in entries}
    if len(accounts) == 1:
        out["operation_account"] = accounts.pop()
    account = facts.get("account_type")
    if account and out.get("operation_account") in ("seller", "vendor"):
        out["account_fits_operation"] = str(out["operation_account"] == account).lower()
    offered = [e["marketplaces"] for e in entries]
    if all(offered):
        market = facts.get("marketplace")
        wanted = [market] if market else list(region_markets)
        if wanted:
            out["operation_offered"] = str(any(m in lists for m in wanted
                                               for lists in offered)).lower()
    return out


def scope_of(operation: str) -> str | None:
    """The grantless scope ``operation`` needs, or None."""
    scopes = {e["grantless_scope"] for e in lookup(operation)}
    return scopes.pop() if len(scopes) == 1 else None
