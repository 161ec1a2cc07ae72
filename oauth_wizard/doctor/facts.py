"""Facts for the doctor: the vocabulary of ``reference/diagnosis.md``, validated, plus the facts
that follow from them.

A fact is ``key=value``. Bad values are refused with a ``DoctorFactError`` that names the key and
the allowed values; unknown keys are kept (and shown) but used by no rule. ``derive`` turns the
known facts (and what the pasted text showed) into the comparisons the rules need, such as
"the seller's marketplace is not among the app's marketplaces", so the knowledge base can say
``marketplace_in_app=false`` instead of repeating the comparison in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from oauth_wizard.core import marketplaces
from oauth_wizard.core.frozen import Fresh, record
from oauth_wizard.core.validation import (
    APP_ID_PREFIXES,
    CLIENT_ID_PREFIX,
    check_app_id,
    check_client_id,
    pasted_secret,
)

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile

VIA = ("consent", "self-auth", "token-exchange", "token-refresh", "api-call", "listing")
BOOL_TRUE = ("true", "yes", "y", "1", "on")
BOOL_FALSE = ("false", "no", "n", "0", "off")
MAX_VALUE_LEN = 4096


@record
class FactSpec:
    """One key of the vocabulary: its kind, allowed values where fixed, and its meaning."""

    key: str
    kind: str  # enum, bool, marketplace, marketplaces, regions, uri, uris, int, text
    meaning: str
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] = (0, 0)


def _spec(key: str, kind: str, meaning: str, choices: tuple[str, ...] = (),
          bounds: tuple[int, int] = (0, 0)) -> tuple[str, FactSpec]:
    return key, FactSpec(key, kind, meaning, choices, bounds)


VOCABULARY: dict[str, FactSpec] = dict([
    _spec("app_state", "enum", "state of the app in the Solution Provider Portal",
          ("draft", "submitted", "published")),
    _spec("edit_pending", "bool", "a published app has edits submitted or not yet republished"),
    _spec("app_listed", "bool", "app is listed on the Appstore"),
    _spec("hybrid", "bool", "app is a hybrid MWS + SP-API app"),
    _spec("region", "enum", "region the seller is being authorized in", marketplaces.REGIONS),
    _spec("marketplace", "marketplace", "marketplace of the seller"),
    _spec("app_marketplaces", "marketplaces", "marketplaces the app's listing supports"),
    _spec("dev_id_regions", "regions", "regions for which the app has an MWS developer ID"),
    _spec("consent_url", "uri", "the exact URL the seller was sent to"),
    _spec("beta_in_url", "bool", "the consent URL carries version=beta"),
    _spec("login_uri_set", "bool", "a Login URI is configured in the Solution Provider Portal"),
    _spec("redirect_uri_set", "bool",
          "a Redirect URI is configured in the Solution Provider Portal"),
    _spec("redirect_uri", "uri", "the Redirect URI (or the redirect_uri parameter)"),
    _spec("registered_redirect_uris", "uris", "Redirect URIs registered for the app"),
    _spec("primary_user", "bool", "the person authorizing is the account's primary user"),
    _spec("via", "enum", "where the error appeared", VIA),
    _spec("http_status", "int", "HTTP status seen", bounds=(100, 599)),
    _spec("sandbox", "bool", "call went to a sandbox endpoint"),
    _spec("signs_requests", "bool", "the client signs requests with AWS SigV4"),
    _spec("uses_sts", "bool", "signing uses temporary (STS / assumed-role) credentials"),
    _spec("iam_arn_kind", "enum", "kind of IAM ARN registered with the app", ("user", "role")),
    _spec("role_added_after_auth", "bool", "a role was added to the app after authorization"),
    _spec("operation", "text", "SP-API operation or path called"),
    _spec("token_kind", "enum", "token sent in x-amz-access-token: a seller's, a grantless "
          "(client_credentials) one, or a Restricted Data Token", ("seller", "grantless", "rdt")),
    _spec("account_type", "enum", "kind of account that authorized: Seller or Vendor Central",
          ("seller", "vendor")),
    _spec("seller_in_marketplace", "bool",
          "the seller participates in the marketplace the request named"),
    # Measured by `diagnose --probe` with the profile's stored credentials (keep/probe.py).
    _spec("refresh_works", "bool", "the stored refresh token got an access token at LWA"),
    _spec("refresh_error", "enum", "the LWA error of that refresh",
          ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_request",
           "unsupported_grant_type", "server_error", "unreachable", "other")),
    _spec("token_region", "enum", "the region whose SP-API endpoint accepted the token",
          marketplaces.REGIONS),
    _spec("grantless_token_works", "bool",
          "the app got a client_credentials (grantless) token for the operation's scope"),
    _spec("secret_age_days", "int", "days since the client secret was rotated or first seen",
          bounds=(0, 100_000)),
    _spec("authorization_age_days", "int", "days since the seller authorized",
          bounds=(0, 100_000)),
    _spec("client_id", "text", "the LWA client ID in use (checked for format; never a secret)"),
    _spec("app_id", "text", "the app ID in use (checked for format)"),
    _spec("code_age_s", "int", "seconds between receiving the code and exchanging it",
          bounds=(0, 10_000_000)),
    # Not in diagnosis.md's table: the cause id another oauth-wizard message already named
    # (the catcher's failure page prints `diagnose --fact cause=<id>`).
    _spec("cause", "text", "a cause id named by another oauth-wizard message"),
])

# Facts computed by ``derive``; rules may test them, questions never ask them.
DERIVED: dict[str, tuple[str, ...]] = {
    "marketplace_in_app": ("true", "false"),
    "dev_id_for_region": ("true", "false"),
    "redirect_registered": ("true", "false"),
    "redirect_has_fragment": ("true", "false"),
    "code_expired": ("true", "false"),
    "endpoint_region_match": ("true", "false"),
    "secret_expired": ("true", "false"),
    "authorization_over_a_year": ("true", "false"),
    "client_id_format": ("ok", "app_id", "garbled", "bad"),
    "app_id_format": ("ok", "client_id", "garbled", "bad"),
    "operation_restricted": ("true",),  # only Amazon's list says so; absent: unknown
    # From data/operations.json (Amazon's API models), see doctor.operations.
    "operation_grantless": ("true", "false"),
    "operation_account": ("seller", "vendor", "any"),
    "operation_offered": ("true", "false"),
    "account_fits_operation": ("true", "false"),
}

ALIASES = {"edits_pending": "edit_pending", "state": "app_state", "listed": "app_listed",
           "status": "http_status", "http": "http_status", "marketplaces": "app_marketplaces",
           "dev_ids": "dev_id_regions", "redirect_uris": "registered_redirect_uris"}

# Operations that return personal data and need a restricted role / an RDT (spapi-auth §5.2).
# createRestrictedDataToken itself is not one: it is the call that asks for the RDT.
RESTRICTED_OPERATION = re.compile(
    r"buyerinfo|getorderaddress|/address\b|shippingaddress|getshippinglabel|getcustomerinvoice|getpackingslip|"
    r"direct.?fulfillment.{0,40}(?:orders|shipping)|"
    # Restricted report types (personal data: shipping, invoicing, tax, VAT and GST reports and
    # Easy Ship documents), which Amazon's list of restricted operations does not name;
    # report-type-values and the Tokens API use case guide mark them restricted.
    r"\bget_\w*?_(?:shipping|invoicing|tax)\b|\bget_easyship_documents\b|"
    r"\bget_\w*vat_\w*(?:invoice|transaction)|\bget_gst_mtr_|\bsc_vat_tax_report\b",
    re.IGNORECASE)


RDT_CALL = re.compile(r"restricted_?data_?token", re.IGNORECASE)


class DoctorFactError(ValueError):
    """One or more facts have values outside the vocabulary; each problem names the key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


@record(frozen=False)
class Facts:
    """Validated facts: the ones rules use, the unknown ones (shown only), and notes."""

    known: dict[str, str] = Fresh(dict)
    unknown: dict[str, str] = Fresh(dict)
    notes: list[str] = Fresh(list)


def allowed_values(key: str) -> str:
    """The allowed values of ``key`` in words, for error messages and help."""
    spec = VOCABULARY[key]
    if spec.choices:
        return ", ".join(spec.choices)
    return {
        "bool": "yes or no (true/false)",
        "marketplace": f"a marketplace code ({', '.join(marketplaces.valid_codes())})",
        "marketplaces": "a comma list of marketplace codes, e.g. US,CA,MX",
        "regions": f"a comma list of {', '.join(marketplaces.REGIONS)}",
        "int": f"a whole number from {spec.bounds[0]} to {spec.bounds[1]}",
        "uris": "a comma list of https URIs",
    }.get(spec.kind, "any non-empty text")


def normalise_key(key: str) -> str:
    key = key.strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


def _items(facts: Mapping[str, object] | Iterable[str] | None) -> list[tuple[str, str]]:
    if facts is None:
        return []
    if isinstance(facts, Mapping):
        return [(str(k), "" if v is None else str(v)) for k, v in facts.items()]
    if isinstance(facts, str | bytes):
        facts = [facts.decode("utf-8", "replace") if isinstance(facts, bytes) else facts]
    out = []
    problems = []
    for item in facts:
        text = str(item)
        key, eq, value = text.partition("=")
        if not eq or not key.strip():
            problems.append(f"Fact {text[:60]!r} is not KEY=VALUE: write it like app_state=draft.")
            continue
        out.append((key, value))
    if problems:
        raise DoctorFactError(problems)
    return out


def _check(key: str, raw: str) -> tuple[str | None, str | None]:
    """(normalised value, None) or (None, problem sentence)."""
    spec = VOCABULARY[key]
    value = raw.strip().strip("\"'").strip()
    bad = f"Fact {key}={raw[:80]!r} is not valid: use {allowed_values(key)}."
    if not value:
        return None, f"Fact {key} is empty: use {allowed_values(key)}."
    if len(value) > MAX_VALUE_LEN:
        return None, f"Fact {key} is longer than {MAX_VALUE_LEN} characters."
    if spec.kind == "enum":
        norm = value.upper() if key in ("region", "token_region") else value.lower()
        return (norm, None) if norm in spec.choices else (None, bad)
    if spec.kind == "bool":
        low = value.lower()
        if low in BOOL_TRUE:
            return "true", None
        return ("false", None) if low in BOOL_FALSE else (None, bad)
    if spec.kind == "int":
        try:
            number = int(value)
        except ValueError:
            return None, bad
        lo, hi = spec.bounds
        return (str(number), None) if lo <= number <= hi else (None, bad)
    if spec.kind == "marketplace":
        try:
            return marketplaces.lookup(value).code, None
        except marketplaces.UnknownMarketplaceError:
            return None, bad
    if spec.kind in ("marketplaces", "regions"):
        return _check_list(key, value, bad)
    if spec.kind == "uris":
        uris = [u for u in re.split(r"[,\s]+", value) if u]
        return (",".join(uris), None) if uris else (None, bad)
    return value, None


def _check_list(key: str, value: str, bad: str) -> tuple[str | None, str | None]:
    found: list[str] = []
    for part in re.split(r"[,\s;|]+", value):
        if not part:
            continue
        if key == "dev_id_regions":
            code = part.upper()
            if code not in marketplaces.REGIONS:
                return None, f"Fact {key} contains {part!r}: use {allowed_values(key)}."
        else:
            try:
                code = marketplaces.lookup(part).code
            except marketplaces.UnknownMarketplaceError:
                return None, f"Fact {key} contains {part!r}, which is not a marketplace code: " \
                             f"use {allowed_values('marketplace')}."
        if code not in found:
            found.append(code)
    return (",".join(found), None) if found else (None, bad)


def parse_facts(facts: Mapping[str, object] | Iterable[str] | None) -> Facts:
    """Validate facts given as a dict or as ``key=value`` strings (later ones win)."""
    out = Facts()
    problems: list[str] = []
    for raw_key, raw_value in _items(facts):
        key = normalise_key(raw_key)
        if key not in VOCABULARY:
            shown = raw_key.strip()[:60]
            out.unknown[shown] = raw_value.strip()[:200]
            continue
        value, problem = _check(key, raw_value)
        if problem:
            problems.append(problem)
            continue
        assert value is not None
        if key in ("client_id", "app_id") and pasted_secret(value, key, key):
            out.notes.append(f"The {key} fact looks like a secret; it is not shown or used. "
                             "Never paste secrets into facts.")
            out.known[key] = "(secret removed)"
            continue
        out.known[key] = value
    if problems:
        raise DoctorFactError(problems)
    if out.unknown:
        names = ", ".join(sorted(out.unknown))
        out.notes.append(f"Unknown fact{'s' if len(out.unknown) > 1 else ''} {names} kept but not "
                         f"used; known facts are {', '.join(VOCABULARY)}.")
    return out


def profile_facts(profile: AppProfile) -> dict[str, str]:
    """What a saved profile already says about the app, in the facts vocabulary."""
    facts = {
        "app_state": profile.app_state,
        "edit_pending": _bool(profile.edits_pending),
        "hybrid": _bool(profile.hybrid),
        "login_uri_set": _bool(bool(profile.login_uri)),
        "redirect_uri_set": _bool(bool(profile.redirect_uris)),
        "app_id": profile.app_id,
        "client_id": profile.client_id,
    }
    if profile.hybrid:
        facts["dev_id_regions"] = ",".join(profile.dev_id_regions)
    if profile.marketplaces:
        facts["app_marketplaces"] = ",".join(profile.marketplaces)
    if profile.redirect_uris:
        facts["registered_redirect_uris"] = ",".join(profile.redirect_uris)
        if len(profile.redirect_uris) == 1:
            facts["redirect_uri"] = profile.redirect_uris[0]
    return {k: v for k, v in facts.items() if v}


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _format(check: str, value: str, swapped: str) -> str:
    """ok, the other identifier (fields swapped), garbled (damaged when copied) or bad."""
    checked = check_app_id(value) if check == "app_id" else check_client_id(value)
    if checked.ok:
        return "ok"
    other = CLIENT_ID_PREFIX if swapped == "client_id" else APP_ID_PREFIXES
    if checked.value.lower().startswith(other):
        return swapped
    text = " ".join(p.message for p in checked.problems if p.blocking).lower()
    return "garbled" if "damaged" in text else "bad"


def derive(facts: Mapping[str, str], signals: Iterable[str] = ()) -> dict[str, str]:
    """The comparisons rules test (``DERIVED``), from facts and the signals found in the text."""
    out: dict[str, str] = {}
    market = facts.get("marketplace")
    region = facts.get("region") or (marketplaces.lookup(market).region if market else None)
    if market and facts.get("app_marketplaces"):
        out["marketplace_in_app"] = _bool(market in facts["app_marketplaces"].split(","))
    if region and "dev_id_regions" in facts:
        out["dev_id_for_region"] = _bool(region in facts["dev_id_regions"].split(","))
    redirect = facts.get("redirect_uri")
    registered = [u for u in facts.get("registered_redirect_uris", "").split(",") if u]
    if redirect and registered:
        out["redirect_registered"] = _bool(redirect in registered)
    if redirect or registered:
        out["redirect_has_fragment"] = _bool(any("#" in u for u in [redirect or "", *registered]))
    if "code_age_s" in facts:
        out["code_expired"] = _bool(int(facts["code_age_s"]) > 300)
    endpoints = {s.split(":", 1)[1] for s in signals if s.startswith("endpoint:")} & set(
        marketplaces.REGIONS)
    if region and endpoints:
        out["endpoint_region_match"] = _bool(endpoints == {region})
    measured = facts.get("token_region")  # where the token works, measured by a probe
    if measured and (endpoints or region):
        out["endpoint_region_match"] = _bool((endpoints or {region}) == {measured})
    if "secret_age_days" in facts:  # spapi-authorization.md §3: secrets expire after 180 days
        out["secret_expired"] = _bool(int(facts["secret_age_days"]) > 180)
    if "authorization_age_days" in facts:  # §1.5: a public app's authorization lasts a year
        out["authorization_over_a_year"] = _bool(int(facts["authorization_age_days"]) > 365)
    for key, swapped in (("client_id", "app_id"), ("app_id", "client_id")):
        value = facts.get(key)
        if value and value != "(secret removed)":
            out[f"{key}_format"] = _format(key, value, swapped)
        elif value:
            out[f"{key}_format"] = "bad"
    if facts.get("operation"):
        from oauth_wizard.doctor import operations  # lazy: its data loads only when asked

        markets = marketplaces.by_region().get(region, []) if region else []
        out.update(operations.derive(facts, [m.code for m in markets]))
        named = facts["operation"]
        # The RDT call names the resource it asks for ("createRestrictedDataToken for
        # GET_..._VAT_INVOICE_..."): that resource's restriction is not the failing call's own.
        if ("operation_restricted" not in out and RESTRICTED_OPERATION.search(named)
                and not RDT_CALL.search(named)):
            out["operation_restricted"] = "true"  # a name alone never shows it is unrestricted
    return out


def region_of(facts: Mapping[str, str]) -> str | None:
    """The seller's region: given, or that of the given marketplace."""
    if facts.get("region"):
        return facts["region"]
    market = facts.get("marketplace")
    return marketplaces.lookup(market).region if market else None
