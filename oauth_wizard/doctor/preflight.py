"""Preflight: the doctor's rules run on a profile before the browser opens.

A consent attempt that Amazon is bound to refuse wastes the seller's time and, for a code that
does arrive, the code itself. So before ``authorize`` listens or opens anything (and in the
wizard's Review step), the facts the profile already states are put through the same knowledge
base the doctor uses (``data/causes.toml``): every cause whose fact rules add up to strong
evidence is a predicted failure, with the doctor's title and fix. The consent URL is linted as
well, and the Login/Redirect URIs are checked against Amazon's https-only registration rule.

Each finding is ``certain`` (a documented rule says Amazon refuses it) or ``likely`` (the
reference marks it uncertain, or it depends on something the profile cannot know). UI-free, no
I/O; the result is the same for the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_plus, urlsplit

from oauth_wizard.consent.url import ConsentError, build_consent_url, lint_consent_url
from oauth_wizard.core import marketplaces
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import ConsentUrl
from oauth_wizard.core.uris import LOCAL_HOST_NAMES
from oauth_wizard.doctor import facts as doctor_facts
from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.knowledge import Cause, KnowledgeBase

__all__ = ["CERTAIN", "LIKELY", "Finding", "Preflight", "preflight", "real_consent_url",
           "wizard_facts"]

CERTAIN, LIKELY = "certain", "likely"
STRONG = 5.0  # fact rules adding up to this much predict their cause on their own
SHOWN = 2.0  # weaker rules are not worth a line of their own
STAGES = ("consent", "token-exchange")  # the steps of one authorize attempt
PREFLIGHT_STATE = "preflight"  # no rule looks at the state value
# Causes a documented rule makes certain once their facts hold (spapi-authorization.md §1, §4,
# §5, §7; the LWA token endpoint's invalid_client for a malformed client id).
CERTAIN_CAUSES = frozenset({
    "beta_missing_for_draft", "client_id_as_application_id", "malformed_consent_url",
    "wrong_portal_host", "redirect_uri_not_registered", "redirect_uri_fragment",
    "oauth_uris_missing", "hybrid_region_dev_id_missing", "client_id_invalid",
    "credentials_garbled",
})
URI_CAUSE = "uri_not_https_or_localhost"


@dataclass(frozen=True)
class Finding:
    """One predicted failure: the doctor's cause, how sure, what was found and the fix."""

    cause: str
    certainty: str
    title: str
    found: tuple[str, ...]
    fix: tuple[str, ...]
    source: str

    @property
    def certain(self) -> bool:
        return self.certainty == CERTAIN

    def as_json(self) -> dict:
        return {"cause": self.cause, "certainty": self.certainty, "title": self.title,
                "found": list(self.found), "fix": list(self.fix), "source": self.source}


@dataclass(frozen=True)
class Preflight:
    """All findings, certain ones first; ``certain_failure`` when Amazon is bound to refuse."""

    findings: tuple[Finding, ...]
    certain_failure: bool
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict:
        return {"certain_failure": self.certain_failure,
                "findings": [f.as_json() for f in self.findings]}


def real_consent_url(consent: ConsentUrl) -> str:
    """The URL as the seller's browser would see it on real Amazon: a URL built for a
    simulator (``{portal base}/{host}/...``) gets the real portal host back."""
    query = urlsplit(consent.url).query
    return f"https://{consent.host}{marketplaces.consent_path()}?{query}"


def _loopback(uri: str) -> bool:
    try:
        host = (urlsplit(uri).hostname or "").lower()
    except ValueError:
        return False
    if host in LOCAL_HOST_NAMES or host.endswith(".localhost"):
        return True
    return bool(re.fullmatch(r"127(?:\.\d{1,3}){3}|::1", host))


def _twin(uri: str) -> str:
    """With a simulator, an http URI on this machine stands for its https twin (the simulator
    runs on loopback; real Amazon registers only https)."""
    if uri.lower().startswith("http://") and _loopback(uri):
        return "https://" + uri[len("http://"):]
    return uri


def _twin_url(url: str) -> str:
    """``url`` with an http loopback ``redirect_uri`` parameter replaced by its https twin."""
    base, sep, query = url.partition("?")
    pieces = query.split("&")
    for i, piece in enumerate(pieces):
        name, eq, value = piece.partition("=")
        if eq and unquote_plus(name) == "redirect_uri":
            twin = _twin(unquote_plus(value))
            if twin != unquote_plus(value):
                pieces[i] = f"{name}={quote(twin, safe='')}"
    return base + sep + "&".join(pieces) if sep else url


def _url_of(profile: AppProfile, market: marketplaces.Marketplace,
            consent_url: str | ConsentUrl | None, redirect_uri: str | None
            ) -> tuple[str | None, str | None]:
    """(the consent URL to check, or None; the builder's refusal, or None)."""
    if isinstance(consent_url, ConsentUrl):
        return real_consent_url(consent_url), None
    if consent_url is not None:
        return consent_url, None
    try:
        built = build_consent_url(profile, market.code, PREFLIGHT_STATE, redirect_uri)
    except ConsentError as exc:
        return None, str(exc)
    return built.url, None


def wizard_facts(profile: AppProfile, marketplace: str,
                 consent_url: str | ConsentUrl | None = None,
                 redirect_uri: str | None = None, *, simulated: bool = False) -> dict[str, str]:
    """What the wizard knows about this attempt, in the doctor's facts vocabulary.

    ``consent_url`` is the URL to judge (default: the one the builder makes for these inputs).
    With ``simulated``, http loopback URIs are given as their https twins, so the rules judge
    the app the simulator stands for.
    """
    market = marketplaces.lookup(marketplace)
    facts = doctor_facts.profile_facts(profile)
    facts.update(marketplace=market.code, region=market.region)
    chosen = redirect_uri or (profile.redirect_uris[0] if profile.redirect_uris else None)
    if chosen:
        facts["redirect_uri"] = chosen
    url, _ = _url_of(profile, market, consent_url, redirect_uri)
    if url:
        facts["consent_url"] = url
        params = dict(piece.partition("=")[::2] for piece in urlsplit(url).query.split("&"))
        facts["beta_in_url"] = "true" if params.get("version") == "beta" else "false"
    if simulated:
        for key in ("redirect_uri", "registered_redirect_uris"):
            if key in facts:
                facts[key] = ",".join(_twin(u) for u in facts[key].split(","))
        if "consent_url" in facts:
            facts["consent_url"] = _twin_url(facts["consent_url"])
    return {k: v for k, v in facts.items() if v}


def _fill(template: str, facts: Mapping[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: facts.get(m.group(1), m.group(0)), template)


class _Findings:
    """Findings collected per cause, in the order first found."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.found: dict[str, list[str]] = {}
        self.fixes: dict[str, list[str]] = {}
        self.certainty: dict[str, str] = {}

    def add(self, cause: str, found: str, certainty: str, fix: str = "") -> None:
        if cause not in self.kb.causes:
            return
        lines = self.found.setdefault(cause, [])
        if found not in lines:
            lines.append(found)
        if fix and fix not in self.fixes.setdefault(cause, []):
            self.fixes[cause].append(fix)
        if self.certainty.get(cause) != CERTAIN:
            self.certainty[cause] = certainty

    def result(self) -> tuple[Finding, ...]:
        order = list(self.kb.causes)
        out = []
        for cid, found in self.found.items():
            cause: Cause = self.kb.causes[cid]
            fix = [*self.fixes.get(cid, []), *cause.fix]
            out.append(Finding(cid, self.certainty[cid], cause.title, tuple(found),
                               tuple(dict.fromkeys(fix)), cause.source))
        out.sort(key=lambda f: (not f.certain, order.index(f.cause)))
        return tuple(out)


def _rules(kb: KnowledgeBase, facts: Mapping[str, str], out: _Findings) -> None:
    """The knowledge base's fact rules: strong evidence for a cause of this attempt's steps."""
    derived = {**facts, **doctor_facts.derive(facts)}
    for cid, cause in kb.causes.items():
        if cause.via and not set(cause.via) & set(STAGES):
            continue
        holding = [rule for rule in cause.facts if rule.holds(derived)]
        total = sum(rule.weight for rule in holding)
        if total < STRONG:
            continue
        certainty = CERTAIN if cid in CERTAIN_CAUSES else LIKELY
        if cid in out.found:  # the linter already said it, more precisely
            out.add(cid, out.found[cid][0], certainty)
            continue
        for rule in sorted(holding, key=lambda r: -r.weight):
            if rule.weight >= SHOWN and rule.why:
                out.add(cid, _fill(rule.why, derived), certainty)


def _marketplace(profile: AppProfile, market: marketplaces.Marketplace, out: _Findings) -> None:
    """How sure "not among the app's marketplaces" is: certain when the app has no marketplace
    in the seller's region at all; only likely when it covers the region, because whether that
    is enough is not documented (the reference marks it uncertain)."""
    if not profile.marketplaces or market.code in profile.marketplaces:
        return
    same = [c for c in profile.marketplaces if marketplaces.lookup(c).region == market.region]
    if same:
        out.add("marketplace_not_in_app",
                f"The app covers the {market.region} region through {', '.join(same)}; whether "
                f"that is enough for {market.code} is not documented.", LIKELY)
    else:
        out.add("marketplace_not_in_app",
                f"None of the app's marketplaces is in {market.region}, {market.code}'s region; "
                "Amazon answers MD5100 or MD9000.", CERTAIN)


def _hybrid(profile: AppProfile, market: marketplaces.Marketplace, out: _Findings) -> None:
    """A hybrid app needs the MWS developer ID of the region it is authorized in (MD9010),
    also when it has none at all (which the facts vocabulary cannot say)."""
    if profile.hybrid and market.region not in profile.dev_id_regions:
        have = ", ".join(profile.dev_id_regions) or "none"
        out.add("hybrid_region_dev_id_missing",
                f"The app is hybrid but has no MWS developer ID for {market.region} "
                f"({market.code}'s region); it has developer IDs for: {have}. Amazon answers "
                "MD9010 or MD5100.",
                CERTAIN)


def _uris(profile: AppProfile, out: _Findings) -> None:
    """Amazon's registration form takes only https URIs and refuses http://localhost; whether
    it takes https://localhost is uncertain (spapi-authorization.md §4)."""
    named = [("Login URI", profile.login_uri)] if profile.login_uri else []
    named += [("Redirect URI", u) for u in profile.redirect_uris]
    for label, uri in named:
        scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
        if scheme != "https":
            out.add(URI_CAUSE, f"The {label} {uri} is not https, so it cannot be the one "
                    "registered with Amazon (only https is accepted).", CERTAIN)
        elif _loopback(uri):
            out.add(URI_CAUSE, f"The {label} {uri} is on localhost; Amazon's registration "
                    "refuses http://localhost, and whether it takes https://localhost is "
                    "unclear.", LIKELY)


def preflight(profile: AppProfile, marketplace: str,
              consent_url: str | ConsentUrl | None = None, redirect_uri: str | None = None, *,
              simulated: bool = False, kb: KnowledgeBase | None = None) -> Preflight:
    """The failures Amazon would answer an attempt for ``profile`` in ``marketplace`` with.

    ``consent_url``: the URL the seller will open (a string, or the ``ConsentUrl`` the flow
    built, simulator base and all); default: the one the builder makes for these inputs.
    ``redirect_uri``: the registered Redirect URI the attempt names (default: the first).
    ``simulated``: a simulator stands in for Amazon, so http URIs on this machine are fine.
    ``marketplace`` must be a valid code (the caller validates user input).
    """
    kb = kb or knowledge.load()
    market = marketplaces.lookup(marketplace)
    facts = wizard_facts(profile, market.code, consent_url, redirect_uri, simulated=simulated)
    out = _Findings(kb)
    url, refused = _url_of(profile, market, consent_url, redirect_uri)
    if url is not None:
        registered = [u for u in facts.get("registered_redirect_uris", "").split(",") if u]
        lint = lint_consent_url(facts.get("consent_url", url), app_state=profile.app_state,
                                marketplace=market.code, kind=profile.kind,
                                registered_redirects=tuple(registered))
        for problem in lint.problems:
            certainty = LIKELY if problem.id == "beta_on_published_app" else CERTAIN
            out.add(problem.id, problem.message, certainty, problem.fix)
    _hybrid(profile, market, out)
    _rules(kb, facts, out)
    _marketplace(profile, market, out)
    if not simulated:
        _uris(profile, out)
    findings = out.result()
    if refused and not any(f.certain for f in findings):
        out.add("malformed_consent_url", f"The consent URL cannot be built: {refused}", CERTAIN)
        findings = out.result()
    return Preflight(findings, any(f.certain for f in findings), facts)
