"""The doctor's knowledge base: ``data/causes.toml`` loaded and checked on first use.

Causes, their signals, fact rules, questions and fixes are data, so a wrong weight or a new
Amazon error is fixed by editing the TOML file. Everything is validated when loaded (never at
import time): a typo in a fact key, an unknown signal form, a regex that does not compile or
could backtrack badly, a missing cause id of the contract — each is a ``KnowledgeError`` that
names the file, the entry and what to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from oauth_wizard.core.frozen import record
from oauth_wizard.core.packaged import data_text
from oauth_wizard.doctor.facts import BOOL_FALSE, BOOL_TRUE, DERIVED, VIA, VOCABULARY
from oauth_wizard.doctor.knowledge_compiled import compiled_data
from oauth_wizard.doctor.text_patterns import TextPattern

# Cause ids of reference/diagnosis.md: stable public vocabulary, never renamed.
CONTRACT_IDS = (
    "beta_missing_for_draft", "beta_on_published_app", "client_id_as_application_id",
    "malformed_consent_url", "wrong_portal_host", "redirect_uri_not_registered",
    "redirect_uri_fragment", "oauth_uris_missing", "login_uri_not_handled",
    "marketplace_not_in_app", "hybrid_region_dev_id_missing", "mws_only_app", "mws_retired",
    "not_primary_user", "user_lacks_permission", "app_edit_pending", "app_not_published",
    "app_roles_not_configured", "listing_disallowed_html", "account_dormant",
    "authorization_limit_reached", "amazon_side_issue",
    "auth_code_expired_or_reused", "refresh_token_revoked_or_expired",
    "client_secret_invalid_or_expired", "client_id_invalid", "credentials_garbled",
    "token_request_malformed", "token_request_wrong_host",
    "access_token_missing", "access_token_expired", "access_token_invalid", "role_missing",
    "restricted_role_missing", "reauthorize_after_role_change", "wrong_region_endpoint",
    "sigv4_missing_aws_credentials", "sigv4_region_mismatch", "sigv4_security_token_invalid",
    "iam_arn_mismatch", "throttled", "sandbox_request_mismatch", "sku_not_url_encoded",
    "authorization_api_retired",
    "transaction_status_unsupported", "invoice_data_invalid",
)
# Ids other modules already emit (lwa_errors.py, legs.py, spapi_errors.py, flow.py).
EMITTED_IDS = ("lwa_unreachable", "grantless_scope_not_allowed", "state_mismatch",
               "state_expired", "callback_uri_refused", "consent_denied", "spapi_endpoint_wrong",
               "spapi_unreachable", "secret_store")
COMMANDS = ("url", "lint-url", "authorize", "self-auth", "verify", "status", "export",
            "diagnose", "profile", "token")
ISO_DATE = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")
SIGNAL_FORM = re.compile(
    r"(?:MD\d{4}|SPDC\d{2,4}|SPSA\d{4}|CONSENT_LIMIT_REACHED|family:(?:MD|SPDC|SPSA)"
    r"|lwa:grant=(?:code|refresh_token|client_credentials)|lwa:[a-z_]{3,40}"
    r"|spapi:[A-Za-z]{3,60}|aws:[A-Za-z]{3,60}|details:(?:empty|present|html)|http:[1-5]\d\d"
    r"|exc:[A-Za-z][A-Za-z0-9]{2,80}|text:[a-z0-9_]{2,40}|lint:[a-z0-9_]{2,60}"
    r"|url:[a-z0-9_=]{2,60}|endpoint:(?:NA|EU|FE|sandbox)|host:lwa|none)")
PREFIX_FORM = re.compile(r"(?:family|lwa|spapi|aws|details|http|exc|text|lint|url|endpoint|host)"
                         r":[a-z_=]{0,40}")
# A quantified group that itself contains a quantifier, e.g. (a+)+ or (\w*x)*: the shape of
# catastrophic backtracking. Patterns must use bounded, flat repetition instead.
NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")
CAUSE_KEYS = {"title", "explanation", "fix", "source", "prior", "via", "signals", "facts",
              "questions", "retired"}
SOURCE_FORM = re.compile(
    r"(?:(?:spapi-authorization|updates-2026-12)\.md §\d+(?:\.\d+)?|seed-faq\.md: .+|"
    r"DESIGN\.md: [A-Za-z ]+|data/operations\.json: .+|"
    # A public thread of the corpus's dev half whose cause the thread established.
    r"issue [\w.-]{1,39}/[\w.-]{1,100}#\d{1,6}(?: \([^;()]{1,120}\))?)")


class KnowledgeError(ValueError):
    """``causes.toml`` is broken; the message names the entry and what is wrong."""


@record
class SignalRule:
    signal: str
    weight: float
    why: str | None = None


@record
class Condition:
    key: str
    values: frozenset[str]
    negate: bool = False

    def holds(self, facts: Mapping[str, str]) -> bool:
        if self.key not in facts:
            return False
        return (facts[self.key] in self.values) != self.negate


@record
class FactRule:
    when: tuple[Condition, ...]
    weight: float
    why: str

    def holds(self, facts: Mapping[str, str]) -> bool:
        return all(c.holds(facts) for c in self.when)


@record
class Retired:
    what: str
    date: str
    modern_fix: str


@record
class Cause:
    id: str
    title: str
    explanation: str
    fix: tuple[str, ...]
    source: str
    prior: float
    via: tuple[str, ...]
    signals: tuple[SignalRule, ...]
    facts: tuple[FactRule, ...]
    questions: tuple[str, ...]
    retired: Retired | None = None


@record
class QuestionSpec:
    """A question that settles one fact; ``reveals`` for free-text answers (see doctor.py)."""

    fact: str
    ask: str
    choices: tuple[str, ...]
    reveals: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@record
class KnowledgeBase:
    causes: dict[str, Cause]
    questions: dict[str, QuestionSpec]
    patterns: tuple[tuple[str, TextPattern], ...]
    exceptions: dict[str, tuple[str, ...]]
    via_match: float
    via_mismatch: float
    signal_mismatch: float
    signal_stages: dict[str, tuple[str, ...]]


def _fail(where: str, message: str) -> KnowledgeError:
    return KnowledgeError(f"causes.toml: {where}: {message}")


def _str(table: dict, key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", "must be a non-empty string")
    return value.strip()


def _num(value: object, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise _fail(where, f"must be a number from {lo} to {hi}, not {value!r}")
    return float(value)


def _allowed(key: str) -> tuple[str, ...] | None:
    """Fixed values a condition on ``key`` may name, or None for free values."""
    if key in DERIVED:
        return DERIVED[key]
    spec = VOCABULARY[key]
    if spec.kind == "bool":
        return ("true", "false")
    return spec.choices or None


def _condition(text: object, where: str) -> Condition:
    if not isinstance(text, str) or "=" not in text:
        raise _fail(where, f"must be 'key=value[|value]' or 'key!=value', not {text!r}")
    key, _, values = text.partition("=")
    negate = key.endswith("!")
    key = key.rstrip("!").strip()
    if key not in VOCABULARY and key not in DERIVED:
        raise _fail(where, f"unknown fact key {key!r} (known: "
                           f"{', '.join([*VOCABULARY, *DERIVED])})")
    wanted = frozenset(v.strip() for v in values.split("|") if v.strip())
    allowed = _allowed(key)
    if not wanted or (allowed and not wanted <= set(allowed)):
        raise _fail(where, f"values {sorted(wanted)} for {key} must be among {allowed}")
    return Condition(key, wanted, negate)


def _signal_rules(raw: object, where: str, patterns: set[str]) -> tuple[SignalRule, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "must be a list of {signal, weight[, why]} tables")
    rules = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or set(item) - {"signal", "weight", "why"}:
            raise _fail(at, "must be a table with signal, weight and optionally why")
        signal = _str(item, "signal", at)
        if not SIGNAL_FORM.fullmatch(signal):
            raise _fail(at, f"unknown signal form {signal!r}")
        if signal.startswith("text:") and signal[5:] not in patterns:
            raise _fail(at, f"{signal!r} names no entry of [patterns]")
        rules.append(SignalRule(signal, _num(item.get("weight"), f"{at}.weight", -20, 20),
                                _str(item, "why", at, required=False) or None))
    return tuple(rules)


def _fact_rules(raw: object, where: str) -> tuple[FactRule, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "must be a list of {when, weight, why} tables")
    rules = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or set(item) != {"when", "weight", "why"}:
            raise _fail(at, "must be a table with exactly when, weight and why")
        when = item["when"] if isinstance(item["when"], list) else [item["when"]]
        conditions = tuple(_condition(c, f"{at}.when") for c in when)
        rules.append(FactRule(conditions, _num(item["weight"], f"{at}.weight", -20, 20),
                              _str(item, "why", at)))
    return tuple(rules)


def _cause(cid: str, raw: object, patterns: set[str], questions: dict) -> Cause:
    where = f"causes.{cid}"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    extra = set(raw) - CAUSE_KEYS
    if extra:
        raise _fail(where, f"unknown field(s) {', '.join(sorted(extra))}")
    fix = raw.get("fix")
    if not isinstance(fix, list) or not fix or not all(isinstance(s, str) and s for s in fix):
        raise _fail(f"{where}.fix", "must be a non-empty list of steps")
    if not any(re.search(rf"`oauth-wizard (?:{'|'.join(COMMANDS)})\b", s) for s in fix):
        raise _fail(f"{where}.fix", "no step names an `oauth-wizard ...` command that helps")
    source = _str(raw, "source", where)
    if not all(SOURCE_FORM.fullmatch(s.strip()) for s in source.split(";")):
        raise _fail(f"{where}.source", f"{source!r} must cite 'spapi-authorization.md §N', "
                                       "'updates-2026-12.md §N', 'seed-faq.md: <question>', "
                                       "'DESIGN.md: <section>', 'data/operations.json: <what>' "
                                       "or 'issue <owner/repo#N>'")
    via = tuple(raw.get("via", ()))
    if not set(via) <= set(VIA):
        raise _fail(f"{where}.via", f"must be among {', '.join(VIA)}")
    asked = tuple(raw.get("questions", ()))
    for q in asked:
        if q not in questions:
            raise _fail(f"{where}.questions", f"{q!r} is not in [questions]")
    retired = None
    if "retired" in raw:
        r = raw["retired"]
        if not isinstance(r, dict) or set(r) != {"what", "date", "modern_fix"}:
            raise _fail(f"{where}.retired", "must be {what, date, modern_fix}")
        if not ISO_DATE.fullmatch(str(r["date"])):
            raise _fail(f"{where}.retired.date", "must be an ISO date (YYYY-MM-DD)")
        retired = Retired(_str(r, "what", where), str(r["date"]), _str(r, "modern_fix", where))
    return Cause(cid, _str(raw, "title", where), _str(raw, "explanation", where),
                 tuple(s.strip() for s in fix), source,
                 _num(raw.get("prior"), f"{where}.prior", 0.0001, 0.5), via,
                 _signal_rules(raw.get("signals", []), f"{where}.signals", patterns),
                 _fact_rules(raw.get("facts", []), f"{where}.facts"), asked, retired)


def _patterns(raw: object, needles: Mapping[str, list[str]] | None
              ) -> tuple[tuple[str, TextPattern], ...]:
    """The patterns, each compiled now (parsed from the TOML) or on first use (from the
    compiled JSON, which was written only from a TOML whose patterns all compiled)."""
    if not isinstance(raw, dict):
        raise _fail("patterns", "must be a table of name = 'regex'")
    out = []
    for name, source in raw.items():
        if not re.fullmatch(r"[a-z0-9_]{2,40}", name) or not isinstance(source, str):
            raise _fail(f"patterns.{name}", "names are lower_case and values regex strings")
        if NESTED_QUANTIFIER.search(source):
            raise _fail(f"patterns.{name}", "has a quantified group containing a quantifier; "
                                            "flatten it (it could backtrack catastrophically)")
        if needles is None:
            pattern = TextPattern(name, source)
            try:
                pattern.regex  # noqa: B018 - compiled now, so a bad one is named at load
            except re.error as exc:
                raise _fail(f"patterns.{name}", f"does not compile: {exc}") from None
        else:
            found = needles.get(name)
            pattern = TextPattern(name, source, tuple(found) if found else None)
        out.append((name, pattern))
    return tuple(out)


def _questions(raw: object) -> dict[str, QuestionSpec]:
    if not isinstance(raw, dict):
        raise _fail("questions", "must be a table keyed by fact")
    out = {}
    for fact, q in raw.items():
        where = f"questions.{fact}"
        if fact not in VOCABULARY:
            raise _fail(where, f"{fact!r} is not a fact of the vocabulary")
        if not isinstance(q, dict) or set(q) - {"ask", "choices", "reveals", "needs"}:
            raise _fail(where, "must be a table with ask, choices, reveals, needs")
        choices = tuple(q.get("choices", ()))
        allowed = _allowed(fact)
        bools = (*BOOL_TRUE, *BOOL_FALSE) if VOCABULARY[fact].kind == "bool" else ()
        for c in choices:
            if allowed is None or (c not in allowed and c not in bools):
                raise _fail(f"{where}.choices", f"{c!r} is not a valid value of {fact}")
        needs = tuple(q.get("needs", ()))
        if not set(needs) <= set(VOCABULARY):
            raise _fail(f"{where}.needs", "must name facts of the vocabulary")
        out[fact] = QuestionSpec(fact, _str(q, "ask", where), choices,
                                 tuple(q.get("reveals", ())), needs)
    return out


def parse(text: str) -> KnowledgeBase:
    """Parse and validate the text of a causes.toml file."""
    import tomllib  # only when the compiled JSON cannot be used

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"causes.toml is not valid TOML: {exc}") from None
    return _build(data)


def _build(data: dict[str, Any], needles: Mapping[str, list[str]] | None = None
           ) -> KnowledgeBase:
    """Validate parsed causes.toml data and build the knowledge base from it; ``needles``
    (from the compiled JSON) let patterns compile only when a text could match them."""
    patterns = _patterns(data.get("patterns", {}), needles)
    names = {n for n, _ in patterns}
    questions = _questions(data.get("questions", {}))
    raw_causes = data.get("causes")
    if not isinstance(raw_causes, dict) or not raw_causes:
        raise _fail("causes", "missing: the file has no [causes.<id>] tables")
    causes = {cid: _cause(cid, raw, names, questions) for cid, raw in raw_causes.items()}
    missing = [c for c in (*CONTRACT_IDS, *EMITTED_IDS) if c not in causes]
    if missing:
        raise _fail("causes", f"missing cause id(s) of the contract: {', '.join(missing)}")
    for fact, q in questions.items():
        unknown = [r for r in q.reveals if r not in causes]
        if unknown:
            raise _fail(f"questions.{fact}.reveals", f"unknown cause id(s) {unknown}")
    exceptions: dict[str, tuple[str, ...]] = {}
    for name, implied in data.get("exceptions", {}).items():
        if not isinstance(implied, list) or not all(
                isinstance(s, str) and SIGNAL_FORM.fullmatch(s) for s in implied):
            raise _fail(f"exceptions.{name}", "must be a list of signals it implies")
        exceptions[name] = tuple(implied)
    stages: dict[str, tuple[str, ...]] = {}
    for signal, steps in data.get("signal_stages", {}).items():
        form = PREFIX_FORM if signal.endswith("*") else SIGNAL_FORM
        if (not form.fullmatch(signal.removesuffix("*")) or not isinstance(steps, list)
                or not steps or not set(steps) <= set(VIA)):
            raise _fail(f"signal_stages.{signal}", f"must map a signal (or prefix*) to steps "
                                                   f"among {', '.join(VIA)}")
        stages[signal] = tuple(steps)
    fit = data.get("via_fit", {})
    return KnowledgeBase(causes, questions, patterns, exceptions,
                         _num(fit.get("match", 1.0), "via_fit.match", -20, 20),
                         _num(fit.get("mismatch", -8.0), "via_fit.mismatch", -20, 20),
                         _num(fit.get("signal_mismatch", -4.0), "via_fit.signal_mismatch", -20, 20),
                         stages)


def load(path: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base from ``path``, or the packaged ``data/causes.toml`` (cached)."""
    if path is None:
        return _default()
    try:
        return parse(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise KnowledgeError(f"cannot read {path}: {exc.strerror or exc}") from None


@cache
def _default() -> KnowledgeBase:
    try:
        text = data_text("causes.toml")
    except OSError as exc:
        raise KnowledgeError(f"the packaged data/causes.toml cannot be read ({exc}); "
                             "reinstall oauth-wizard") from None
    compiled = compiled_data(text)  # the same data already parsed, while it matches the TOML
    return _build(*compiled) if compiled is not None else parse(text)
