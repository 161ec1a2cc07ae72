"""The local Amazon's app registry: which apps and sellers exist, loaded from JSON and checked.

The simulator only knows what its registry says (publish state, URIs, marketplaces, hybrid
developer IDs, primary/secondary users), so a bad registry is refused with an error naming the
exact field, e.g. ``apps[0].redirect_uris[1]: must be http or https (got 'ftp://x')``.

Login/Redirect URIs here may be ``http`` and may point at ``localhost``/``127.0.0.1``: the
simulator runs on loopback, so the catcher under test usually listens there too. Real Amazon
accepts only https and refuses localhost (spapi-authorization.md §4 [issue docs#26, docs#331]);
that rule belongs to the profile checks, not to a test double.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from oauth_wizard.core import marketplaces
from oauth_wizard.core.profile import APP_STATES, KINDS
from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import (
    check_app_id,
    check_client_id,
    check_client_secret,
    check_dev_id,
)

# spapi-authorization.md §3 "Identifier formats": selling_partner_id is upper-case alphanumeric
# (starting with A in the ones seen) [community]. Only the alphabet is enforced: it travels in URLs.
SELLING_PARTNER_ID_RE = re.compile(r"[A-Z0-9]{2,32}")
APP_KEYS = {"app_id", "client_id", "client_secret", "app_state", "kind", "login_uri",
            "redirect_uris", "marketplaces", "hybrid", "mws_developer_ids", "name", "suppressed"}
SELLER_KEYS = {"selling_partner_id", "marketplaces", "users", "store_name"}
USER_KEYS = {"name", "primary"}


class RegistryError(ValueError):
    """A registry that cannot be used; ``problems`` holds one ``path: what is wrong`` per line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))


@dataclass(frozen=True)
class SimUser:
    name: str
    primary: bool

    def label(self) -> str:
        return f"{self.name} ({'primary' if self.primary else 'secondary'})"


@dataclass(frozen=True)
class SimSeller:
    """A selling partner account; ``marketplaces`` decides which regions it can authorize in."""

    selling_partner_id: str
    marketplaces: tuple[str, ...]
    users: tuple[SimUser, ...]
    store_name: str = ""

    def in_region(self, region: str) -> tuple[str, ...]:
        return tuple(c for c in self.marketplaces if marketplaces.lookup(c).region == region)


@dataclass(frozen=True)
class SimApp:
    """One registered SP-API app as Developer Central would hold it."""

    app_id: str
    client_id: str
    client_secret: str = field(repr=False)
    app_state: str
    kind: str
    login_uri: str
    redirect_uris: tuple[str, ...]
    marketplaces: tuple[str, ...]
    hybrid: bool = False
    mws_developer_ids: tuple[tuple[str, str], ...] = ()
    name: str = "Simulated app"
    # Amazon suppressed the app (updates-2026-12.md §4): consent shows the limit page.
    suppressed: bool = False

    @property
    def published(self) -> bool:
        return self.app_state == "published"

    def dev_id(self, region: str) -> str | None:
        return dict(self.mws_developer_ids).get(region)

    def as_json(self) -> dict:
        return {
            "app_id": self.app_id, "name": self.name, "client_id": self.client_id,
            "client_secret": self.client_secret, "app_state": self.app_state, "kind": self.kind,
            "login_uri": self.login_uri, "redirect_uris": list(self.redirect_uris),
            "marketplaces": list(self.marketplaces), "hybrid": self.hybrid,
            "mws_developer_ids": dict(self.mws_developer_ids), "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class Registry:
    apps: tuple[SimApp, ...]
    sellers: tuple[SimSeller, ...]

    def app(self, app_id: str) -> SimApp | None:
        return next((a for a in self.apps if a.app_id == app_id), None)

    def app_by_client_id(self, client_id: str) -> SimApp | None:
        return next((a for a in self.apps if a.client_id == client_id), None)

    def seller(self, selling_partner_id: str) -> SimSeller | None:
        return next((s for s in self.sellers if s.selling_partner_id == selling_partner_id), None)

    def user(self, name: str) -> tuple[SimSeller, SimUser] | None:
        for s in self.sellers:
            for u in s.users:
                if u.name == name:
                    return s, u
        return None

    def users_in_region(self, region: str) -> list[tuple[SimSeller, SimUser]]:
        """Users who can sign in to that region's portal: their seller sells there."""
        return [(s, u) for s in self.sellers if s.in_region(region) for u in s.users]

    def self_auth_target(self, app: SimApp) -> tuple[SimSeller, str] | None:
        """Whom the app's self-authorization token is for: the first seller with a primary user
        in the region of the app's first marketplace (self-authorization needs the primary user,
        spapi-authorization.md §6 [community copy of official page])."""
        region = marketplaces.lookup(app.marketplaces[0]).region
        for s in self.sellers:
            if s.in_region(region) and any(u.primary for u in s.users):
                return s, region
        return None


class _Checker:
    """Collects ``path: problem`` lines while reading untrusted JSON."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: object, path: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object (got {type(value).__name__})")
            return {}
        for key in sorted(set(value) - allowed):
            self.fail(f"{path}.{key}" if path else key,
                      f"unknown field; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required - set(value)):
            self.fail(f"{path}.{key}" if path else key, "missing")
        return value

    def string(self, value: object, path: str, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, f"must be a string (got {type(value).__name__})")
            return ""
        if value != value.strip():
            self.fail(path, f"has spaces or line breaks around it (got {value!r})")
        elif not value and not empty_ok:
            self.fail(path, "must not be empty")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false (got {value!r})")
            return False
        return value

    def items(self, value: object, path: str, *, empty_ok: bool = False) -> list:
        if not isinstance(value, list):
            self.fail(path, f"must be a list (got {type(value).__name__})")
            return []
        if not value and not empty_ok:
            self.fail(path, "must not be empty")
        return value

    def checked(self, result, path: str) -> str:
        """Report the first blocking problem of a validation.py check."""
        for p in result.problems:
            if p.blocking:
                self.fail(path, f"{p.message} {p.fix}".strip())
                break
        return result.value

    def uri(self, value: object, path: str, label: str) -> str:
        raw = self.string(value, path, empty_ok=True)
        if not raw:
            return ""  # an app without URIs is allowed: it models MD9100
        scheme = raw.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            self.fail(path, f"must be http or https (got {raw!r})")
            return raw
        # http, loopback hosts and fragments are accepted on purpose (module docstring; a
        # registered '#' URI lets the simulator answer MD5110), so the check sees the URI with
        # https and without its fragment; what it still finds (damage, no host) is an error.
        probe = ("https" + raw[4:] if scheme == "http" else raw).split("#", 1)[0]
        for p in check_uri(probe, path, label).problems:
            if p.blocking:
                self.fail(path, f"{p.message} (got {raw!r})")
                break
        return raw

    def market_codes(self, value: object, path: str) -> tuple[str, ...]:
        codes: list[str] = []
        for i, raw in enumerate(self.items(value, path)):
            code = self.string(raw, f"{path}[{i}]")
            try:
                found = marketplaces.lookup(code).code if code else ""
            except marketplaces.UnknownMarketplaceError as exc:
                self.fail(f"{path}[{i}]", str(exc))
                continue
            if found and found not in codes:
                codes.append(found)
        return tuple(codes)


def _parse_app(c: _Checker, raw: object, path: str) -> SimApp | None:
    d = c.obj(raw, path, APP_KEYS, {"app_id", "client_id", "client_secret", "app_state",
                                    "login_uri", "redirect_uris", "marketplaces"})
    if not d:
        return None
    app_id = c.checked(check_app_id(c.string(d.get("app_id"), f"{path}.app_id")), f"{path}.app_id")
    client_id = c.checked(check_client_id(c.string(d.get("client_id"), f"{path}.client_id")),
                          f"{path}.client_id")
    secret = c.string(d.get("client_secret"), f"{path}.client_secret")
    if secret:  # the shape check only warns; a damaged secret (spaces inside) is an error
        c.checked(check_client_secret(secret, required=True), f"{path}.client_secret")
    state = c.string(d.get("app_state"), f"{path}.app_state")
    if state and state not in APP_STATES:
        c.fail(f"{path}.app_state", f"must be one of {', '.join(APP_STATES)} (got {state!r})")
    kind = c.string(d.get("kind", "seller"), f"{path}.kind")
    if kind and kind not in KINDS:
        c.fail(f"{path}.kind", f"must be seller or vendor (got {kind!r})")
    login = c.uri(d.get("login_uri"), f"{path}.login_uri", "Login URI")
    redirects = tuple(c.uri(u, f"{path}.redirect_uris[{i}]", "Redirect URI")
                      for i, u in enumerate(c.items(d.get("redirect_uris"),
                                                    f"{path}.redirect_uris", empty_ok=True)))
    codes = c.market_codes(d.get("marketplaces"), f"{path}.marketplaces")
    hybrid = c.boolean(d.get("hybrid", False), f"{path}.hybrid")
    dev_ids: list[tuple[str, str]] = []
    raw_ids = d.get("mws_developer_ids", {})
    if not isinstance(raw_ids, dict):
        c.fail(f"{path}.mws_developer_ids", 'must be an object like {"NA": "123456789012"}')
        raw_ids = {}
    for region, raw_id in raw_ids.items():
        p = f"{path}.mws_developer_ids.{region}"
        if region not in marketplaces.REGIONS:
            c.fail(p, f"unknown region; use {', '.join(marketplaces.REGIONS)}")
        elif text := c.string(raw_id, p):
            dev_ids.append((region, c.checked(check_dev_id(text, region), p)))
    name = c.string(d.get("name", "Simulated app"), f"{path}.name")
    suppressed = c.boolean(d.get("suppressed", False), f"{path}.suppressed")
    return SimApp(app_id, client_id, secret, state, kind or "seller", login, redirects, codes,
                  hybrid, tuple(dev_ids), name, suppressed)


def _parse_seller(c: _Checker, raw: object, path: str) -> SimSeller | None:
    d = c.obj(raw, path, SELLER_KEYS, {"selling_partner_id", "marketplaces", "users"})
    if not d:
        return None
    spid = c.string(d.get("selling_partner_id"), f"{path}.selling_partner_id")
    if spid and not SELLING_PARTNER_ID_RE.fullmatch(spid):
        c.fail(f"{path}.selling_partner_id",
               f"must be 2-32 upper-case letters or digits, like A3FH2EXAMPLE (got {spid!r})")
    codes = c.market_codes(d.get("marketplaces"), f"{path}.marketplaces")
    users = []
    for i, u in enumerate(c.items(d.get("users"), f"{path}.users")):
        ud = c.obj(u, f"{path}.users[{i}]", USER_KEYS, {"name"})
        if ud:
            users.append(SimUser(c.string(ud.get("name"), f"{path}.users[{i}].name"),
                                 c.boolean(ud.get("primary", False), f"{path}.users[{i}].primary")))
    store = c.string(d.get("store_name", f"Store {spid}"), f"{path}.store_name")
    return SimSeller(spid, codes, tuple(users), store)


def _unique(c: _Checker, named: list[tuple[str, str]], what: str) -> None:
    """``named`` holds (path, value) pairs; a value seen twice is reported at its second path."""
    seen: dict[str, str] = {}
    for path, value in named:
        if value and value in seen:
            c.fail(path, f"{what} {value!r} is already used at {seen[value]}")
        seen.setdefault(value, path)


def parse_registry(data: object, source: str = "registry") -> Registry:
    """Check decoded registry JSON; raise RegistryError listing every problem with its path."""
    c = _Checker()
    top: dict = {}
    if isinstance(data, dict):
        top = c.obj(data, "", {"apps", "sellers"}, {"apps", "sellers"})
    else:
        c.fail("(top level)", "must be an object with 'apps' and 'sellers'")
    apps = [(i, a) for i, raw in enumerate(c.items(top.get("apps", []), "apps"))
            if (a := _parse_app(c, raw, f"apps[{i}]"))]
    sellers = [(i, s) for i, raw in enumerate(c.items(top.get("sellers", []), "sellers"))
               if (s := _parse_seller(c, raw, f"sellers[{i}]"))]
    _unique(c, [(f"apps[{i}].app_id", a.app_id) for i, a in apps], "app ID")
    _unique(c, [(f"apps[{i}].client_id", a.client_id) for i, a in apps], "client ID")
    _unique(c, [(f"sellers[{i}].selling_partner_id", s.selling_partner_id) for i, s in sellers],
            "selling partner ID")
    _unique(c, [(f"sellers[{i}].users[{j}].name", u.name) for i, s in sellers
                for j, u in enumerate(s.users)], "user name (sim_user= picks users by name)")
    if c.problems:
        raise RegistryError(source, c.problems)
    return Registry(tuple(a for _, a in apps), tuple(s for _, s in sellers))


def load_registry(path: str | Path) -> Registry:
    """Read and check a registry file; every failure is a RegistryError naming the file."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(str(p), [f"cannot read the file ({exc.__class__.__name__}: "
                                     f"{getattr(exc, 'strerror', None) or exc})"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(str(p), [f"line {exc.lineno} column {exc.colno}: not valid JSON "
                                     f"({exc.msg})"]) from None
    return parse_registry(data, str(p))


DEMO_APP_ID = "amzn1.sp.solution.5e1f0000-de70-4000-8000-000000000001"
DEMO_CLIENT_ID = "amzn1.application-oa2-client." + "de70" * 8
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16  # noqa: S105 - the simulator's own fake


def demo_registry(login_uri: str, redirect_uri: str) -> Registry:
    """The built-in registry: one draft seller app and two sellers, one with a secondary user.

    The URIs are the catcher's, known only at run time. Lee's seller also sells in JP, which
    the app does not support, so the demo can show MD5100 in FE.
    """
    return parse_registry({
        "apps": [{
            "name": "Demo Repricer (simulated)", "app_id": DEMO_APP_ID,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
            "app_state": "draft", "kind": "seller", "login_uri": login_uri,
            "redirect_uris": [redirect_uri],
            "marketplaces": ["US", "CA", "MX", "DE", "FR", "UK", "IT", "ES"],
        }],
        "sellers": [
            {"selling_partner_id": "A1SIMPATSTORE", "store_name": "Pat's Demo Store",
             "marketplaces": ["US", "CA", "DE", "FR", "UK"],
             "users": [{"name": "Pat", "primary": True}, {"name": "Sam", "primary": False}]},
            {"selling_partner_id": "A2SIMLEESTORE", "store_name": "Lee's Demo Store",
             "marketplaces": ["US", "JP"], "users": [{"name": "Lee", "primary": True}]},
        ],
    }, "demo registry")


# What getMarketplaceParticipations reports per marketplace. Shape and the US row: model
# sellers.json example (spapi-authorization.md §8 [model]). Currency and domain of the others:
# bizon/amazon-ids src/marketplaces.json [community]. Language codes follow the model's en_US
# form; for the non-US rows they are the simulator's guess [uncertain].
MARKET_FACTS: dict[str, tuple[str, str, str]] = {
    "US": ("USD", "en_US", "amazon.com"), "CA": ("CAD", "en_CA", "amazon.ca"),
    "MX": ("MXN", "es_MX", "amazon.com.mx"), "BR": ("BRL", "pt_BR", "amazon.com.br"),
    "IE": ("EUR", "en_IE", "amazon.ie"), "ES": ("EUR", "es_ES", "amazon.es"),
    "UK": ("GBP", "en_GB", "amazon.co.uk"), "FR": ("EUR", "fr_FR", "amazon.fr"),
    "BE": ("EUR", "fr_BE", "amazon.com.be"), "NL": ("EUR", "nl_NL", "amazon.nl"),
    "DE": ("EUR", "de_DE", "amazon.de"), "IT": ("EUR", "it_IT", "amazon.it"),
    "SE": ("SEK", "sv_SE", "amazon.se"), "ZA": ("ZAR", "en_ZA", "amazon.co.za"),
    "PL": ("PLN", "pl_PL", "amazon.pl"), "EG": ("EGP", "ar_EG", "amazon.eg"),
    "TR": ("TRY", "tr_TR", "amazon.com.tr"), "SA": ("SAR", "ar_SA", "amazon.sa"),
    "AE": ("AED", "en_AE", "amazon.ae"), "IN": ("INR", "en_IN", "amazon.in"),
    "SG": ("SGD", "en_SG", "amazon.sg"), "AU": ("AUD", "en_AU", "amazon.com.au"),
    "JP": ("JPY", "ja_JP", "amazon.co.jp"),
}


def participation(code: str, store_name: str) -> dict:
    """One ``payload[]`` entry of getMarketplaceParticipations (§8 [model sellers.json])."""
    m = marketplaces.lookup(code)
    currency, language, domain = MARKET_FACTS[m.code]
    return {
        "marketplace": {
            "id": m.marketplace_id, "name": "Amazon." + domain.removeprefix("amazon."),
            # ISO 3166-1 alpha-2 per the model, so the UK marketplace reports GB.
            "countryCode": "GB" if m.code == "UK" else m.code,
            "defaultCurrencyCode": currency, "defaultLanguageCode": language,
            "domainName": "www." + domain,
        },
        "storeName": store_name,
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    }
