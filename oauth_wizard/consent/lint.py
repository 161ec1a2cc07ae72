"""Lint a consent URL a user already has: name every problem Amazon would refuse it for.

Each finding carries a cause id from diagnosis.md, a message saying what is wrong and where,
and a fix. Problems make the URL fail; warnings (a guessable state, a localhost redirect) are
findings Amazon would not refuse but a careful reviewer would; notes are worth knowing.
The linter never raises on junk input.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit

from oauth_wizard.consent.lint_values import check_redirect, check_state
from oauth_wizard.core import marketplaces
from oauth_wizard.core.validation import CLIENT_ID_PREFIX, check_app_id, describe_char

KNOWN_PARAMS = ("application_id", "state", "redirect_uri", "version")
GENERIC_OAUTH = ("client_id", "response_type", "scope", "code_challenge",
                 "code_challenge_method", "access_type", "prompt")  # what OAuth2 clients add
LEG_PARAMS = {"amazon_callback_uri", "amazon_state", "spapi_oauth_code", "selling_partner_id"}
_QUOTES = "\"'`\u2018\u2019\u201c\u201d"


@dataclass(frozen=True)
class Finding:
    """One lint result: a cause id from diagnosis.md, what is wrong, and the fix."""

    id: str
    message: str
    fix: str

    def as_json(self) -> dict:
        return {"id": self.id, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class LintResult:
    url: str
    problems: tuple[Finding, ...]
    notes: tuple[str, ...]
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def ids(self) -> list[str]:
        return [f.id for f in self.problems]

    def as_json(self) -> dict:
        return {"ok": self.ok, "problems": [f.as_json() for f in self.problems],
                "warnings": [f.as_json() for f in self.warnings], "notes": list(self.notes)}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Finding] = []
        self.warnings: list[Finding] = []
        self.notes: list[str] = []
        self._seen: set[Finding] = set()

    def add(self, cause: str, message: str, fix: str) -> None:
        finding = Finding(cause, message, fix)
        if finding not in self._seen:  # a set: a URL with thousands of parameters stays linear
            self._seen.add(finding)
            self.problems.append(finding)

    def warn(self, cause: str, message: str, fix: str) -> None:
        self.warnings.append(Finding(cause, message, fix))

    def result(self, url: str) -> LintResult:
        return LintResult(url, tuple(self.problems), tuple(self.notes), tuple(self.warnings))


def _names(names: list[str], limit: int = 5) -> str:
    """'a', 'b' and 'c' -- or the first ``limit`` and how many more, so messages stay short."""
    shown = [repr(n) for n in names[:limit]]
    if len(names) > limit:
        return f"{', '.join(shown)} and {len(names) - limit} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _bad_char(text: str) -> tuple[int, str] | None:
    for i, ch in enumerate(text):
        if ch.isspace() or not ch.isprintable() or ch in _QUOTES:
            return i, ch
    return None


def _split_query(query: str) -> list[tuple[str, str, bool]]:
    """(name, decoded value, had '=') for each '&'-separated piece, keeping duplicates."""
    pieces = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, eq, value = piece.partition("=")
        pieces.append((unquote_plus(name), unquote_plus(value), bool(eq)))
    return pieces


def _portal_fix(market: marketplaces.Marketplace | None, kind: str | None) -> str:
    if market is None:
        return ("Use the Seller Central (or, for vendor apps, Vendor Central) host of the "
                "seller's marketplace; `oauth-wizard url` builds it.")
    portal = market.portal(kind or "seller")
    return f"Use {portal.url} for {market.label()} ({market.region})."


def lint_consent_url(
    url: str,
    *,
    app_state: str | None = None,
    marketplace: str | None = None,
    kind: str | None = None,
    registered_redirects: tuple[str, ...] | list[str] = (),
) -> LintResult:
    """Every problem of ``url`` as a consent URL, given what is known about the app.

    ``marketplace`` and ``kind`` must already be valid (the caller validates user input).
    """
    out = _Collector()
    market = marketplaces.lookup(marketplace) if marketplace else None
    app_state = app_state.strip().lower() if app_state else None
    text = url.strip().strip(_QUOTES + "<>").strip()
    if text != url:
        out.notes.append("Ignored spaces, quotes or brackets around the URL.")
    if not text:
        out.add("malformed_consent_url", "The URL is empty.",
                "Paste the whole consent URL, starting with https://.")
        return out.result(url)
    _check_structure(text, out)
    try:
        parts = urlsplit(text)
        scheme = parts.scheme
        if "://" not in text.split("?", 1)[0] and scheme.lower() not in ("http", "https"):
            # "sellercentral.amazon.de/apps/..." (or "host:443/...") lacks only the scheme:
            # read host and path as if it were there, and report the scheme alone.
            scheme = ""
            parts = urlsplit("https://" + text.lstrip("/"))
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        out.add("malformed_consent_url", f"This is not a parseable URL ({exc}).",
                "Paste the whole consent URL again; `oauth-wizard url` builds a correct one.")
        return out.result(url)
    _check_scheme_and_path(scheme, parts.path, host, out)
    _check_host(host, market, kind, out)
    params = _split_query(parts.query)
    _check_params(params, out)
    values = {name: value for name, value, had_eq in params if had_eq}
    _check_application_id(values.get("application_id"), out)
    _check_version(values.get("version"), app_state, out)
    check_state(values.get("state"), out)
    check_redirect(values.get("redirect_uri"), tuple(registered_redirects), out)
    return out.result(url)


def _check_structure(text: str, out: _Collector) -> None:
    bad = _bad_char(text)
    if bad:
        i, ch = bad
        out.add("malformed_consent_url",
                f"The URL contains {describe_char(ch)} after {text[max(0, i - 30):i]!r}; browsers "
                "and Amazon cut or mangle the value there.",
                "Remove it; values must be percent-encoded (a space is %20).")
    before_fragment = text.split("#", 1)[0]
    if before_fragment.count("?") > 1:
        second = before_fragment.index("?", before_fragment.index("?") + 1)
        out.add("malformed_consent_url",
                f"The URL has a second '?' after {before_fragment[max(0, second - 30):second]!r}; "
                "only the first starts the query, so the following parameter is swallowed into "
                "the previous value.",
                "Join parameters with '&', and percent-encode a redirect_uri that has its own "
                "query (? becomes %3F).")
    if "#" in text:
        fragment = text.split("#", 1)[1]
        out.add("redirect_uri_fragment",
                f"The URL contains a '#' (#{fragment[:40]}): everything after it never reaches "
                "Amazon, and a fragment in the redirect URI is refused with MD5110.",
                "Remove the '#…' part; Redirect URIs may not contain fragments.")


def _check_scheme_and_path(scheme: str, path: str, host: str, out: _Collector) -> None:
    if scheme.lower() != "https":
        out.add("malformed_consent_url",
                f"The URL uses {scheme or 'no scheme'}; consent URLs are https.",
                "Start the URL with https://.")
    expected = marketplaces.consent_path()
    if host and path != expected:
        hint = ""
        if path.rstrip("/") == expected:
            hint = " (a trailing slash)"
        elif path.startswith("/apps/authorize/confirm"):
            hint = " (that is the Login-leg callback, not the consent page)"
        out.add("malformed_consent_url",
                f"The path is {path or '/'!r}{hint}; the consent page is {expected}.",
                f"Use {expected} as the path.")


def _check_host(host: str, market: marketplaces.Marketplace | None, kind: str | None,
                out: _Collector) -> None:
    if not host:
        out.add("malformed_consent_url", "The URL has no host.",
                _portal_fix(market, kind))
        return
    match = marketplaces.identify_portal_host(host)
    if match is None:
        if host.startswith(("sellingpartnerapi", "sandbox.sellingpartnerapi")):
            out.add("wrong_portal_host",
                    f"{host} is an SP-API endpoint (for API calls), not a Seller Central or "
                    "Vendor Central host, so it has no consent page.", _portal_fix(market, kind))
        elif "amazon" in host:
            out.add("wrong_portal_host",
                    f"{host} is not a Seller Central or Vendor Central host, so it has no consent "
                    "page.", _portal_fix(market, kind))
        else:
            out.add("malformed_consent_url", f"{host} is not an Amazon host.",
                    _portal_fix(market, kind))
        return
    portal_name = "Seller Central" if match.kind == "seller" else "Vendor Central"
    kind_mismatch = bool(kind) and match.kind != kind
    if kind_mismatch:
        out.add("wrong_portal_host",
                f"{host} is {portal_name}, but this is a {kind} app.",
                _portal_fix(market, kind))
    if market is None:
        return
    if match.region != market.region:
        out.add("wrong_portal_host",
                f"{host} is {portal_name} of the {match.region} region "
                f"({', '.join(match.marketplaces)}), but {market.code} is in {market.region}: the "
                f"grant would cover {match.region}, not the seller's region.",
                _portal_fix(market, kind or match.kind))
        return
    if kind_mismatch:
        return
    portal = market.portal(kind or match.kind)
    if host == portal.host:
        pass
    elif host in portal.alternative_hosts:
        out.notes.append(f"{host} is an accepted alternative host for {market.code}; "
                         f"{portal.host} is the usual one.")
        if doubt := portal.alternative_doubt(host):
            out.notes.append(f"Uncertain alternative host for {market.code}: {doubt}")
    else:
        out.notes.append(f"{host} serves {', '.join(match.marketplaces)}; the grant is regional "
                         f"({market.region}), so it works, but {portal.host} is "
                         f"{market.code}'s own.")
    if portal.confidence == "uncertain":
        out.notes.append(f"Uncertain host for {market.code}: {portal.note}")


def _check_params(params: list[tuple[str, str, bool]], out: _Collector) -> None:
    """Names and values of the parameters; each name is judged once, however often it repeats."""
    seen: dict[str, int] = {}
    last: dict[str, str] = {}
    capitals: list[str] = []
    generic: list[str] = []
    bare: list[str] = []
    unknown: list[str] = []
    for name, value, had_eq in params:
        seen[name] = seen.get(name, 0) + 1
        last[name] = value
        if seen[name] > 1:
            continue
        if name in LEG_PARAMS:
            out.add("malformed_consent_url",
                    f"The URL carries {name}: it is a Login or Redirect leg URL, not a "
                    "consent URL.",
                    "Lint the URL you send the seller to (…/apps/authorize/consent?…); legs are "
                    "checked by `oauth-wizard authorize --complete`.")
        elif name == "client_id" and not any(n == "application_id" and v
                                             for n, v, _ in params):
            out.add("client_id_as_application_id",
                    "The URL has a client_id parameter; the consent page reads application_id.",
                    "Replace client_id=… with application_id=<app ID> (amzn1.sp.solution.…).")
        elif name in GENERIC_OAUTH:
            generic.append(name)
        elif name not in KNOWN_PARAMS and name.lower() in KNOWN_PARAMS:
            capitals.append(name)
        elif name not in KNOWN_PARAMS:
            unknown.append(name)
        if not had_eq:
            bare.append(name)
        _check_value(name, value, out)
    for name, value in last.items():  # the occurrence Amazon is most likely to read
        _check_value(name, value, out)
    if capitals:
        out.add("malformed_consent_url",
                f"Parameter{'s' if len(capitals) > 1 else ''} {_names(capitals)} "
                f"{'are' if len(capitals) > 1 else 'is'} spelled with capitals; names are "
                "case-sensitive.",
                f"Write {', '.join(sorted({n.lower() for n in capitals}))} in lower case.")
    if bare:
        out.add("malformed_consent_url",
                f"Parameter{'s' if len(bare) > 1 else ''} {_names(bare)} "
                f"{'have' if len(bare) > 1 else 'has'} no '=' and no value.",
                f"Write {bare[0]}=value, or remove it." if len(bare) == 1 else
                "Write each as name=value, or remove them.")
    if generic:
        out.notes.append(f"{_names(generic)} {'are' if len(generic) > 1 else 'is'} what a generic "
                         "OAuth2 client adds; Amazon's consent page ignores "
                         f"{'them' if len(generic) > 1 else 'it'} (it reads application_id), "
                         "so this is harmless.")
    if unknown:
        out.notes.append(f"Unknown parameter{'s' if len(unknown) > 1 else ''} {_names(unknown)}; "
                         "Amazon's consent page does not use "
                         f"{'them' if len(unknown) > 1 else 'it'}.")
    repeated = [(n, c) for n, c in seen.items() if c > 1]
    for name, count in repeated[:5]:
        out.add("malformed_consent_url",
                f"{name} appears {count} times; Amazon reads only one of them, and which one "
                "is not specified.",
                f"Keep a single {name}.")
    if len(repeated) > 5:
        out.add("malformed_consent_url",
                f"{len(repeated) - 5} more parameters appear more than once.",
                "Keep each parameter once.")


def _check_value(name: str, value: str, out: _Collector) -> None:
    bad = _bad_char(value)
    if bad and name in KNOWN_PARAMS:
        out.add("malformed_consent_url",
                f"The value of {name} contains {describe_char(bad[1])} (decoded); it was "
                "probably pasted with quotes or spaces.",
                f"Take {describe_char(bad[1])} out of {name}; copy the value again if unsure.")


def _check_application_id(value: str | None, out: _Collector) -> None:
    if not value:
        out.add("client_id_as_application_id",
                "The URL has no application_id (or it is empty); Amazon answers MD1000.",
                "Add application_id=<app ID> (amzn1.sp.solution.…) from Develop Apps.")
        return
    if value.strip().lower().startswith(CLIENT_ID_PREFIX):
        out.add("client_id_as_application_id",
                "application_id holds the LWA client ID (amzn1.application-oa2-client.…), not the "
                "app ID; Amazon answers MD1000.",
                "Use the app ID (amzn1.sp.solution.… or amzn1.sellerapps.app.…) from Develop Apps.")
        return
    checked = check_app_id(value)
    errors = [p for p in checked.problems if p.blocking]
    if errors and _bad_char(value) is None:
        out.add("malformed_consent_url", f"application_id: {errors[0].message}", errors[0].fix)


def _check_version(value: str | None, app_state: str | None, out: _Collector) -> None:
    if value is not None and value != "beta":
        out.add("malformed_consent_url",
                f"version={value!r}; the only value Amazon knows is version=beta.",
                "Write version=beta for a Draft or Submitted app, or leave it out for a "
                "Published one.")
        return
    has_beta = value == "beta"
    if app_state is None:
        out.notes.append("App state not given, so version=beta was not checked: it is needed "
                         "exactly while the app is not Published (give the state with "
                         "--app-state, or the fact app_state=draft|submitted|published).")
    elif app_state in ("draft", "submitted") and not has_beta:
        out.add("beta_missing_for_draft",
                f"The app is in {app_state} state (not Published) but the URL has no "
                "version=beta; Amazon answers MD1000 (or MD9000 for a submitted app).",
                "Add &version=beta until the app is Published.")
    elif app_state == "published" and has_beta:
        out.add("beta_on_published_app",
                "The app is Published but the URL still has version=beta, so the draft version "
                "is authorized (or the flow fails).",
                "Remove version=beta.")
