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
from oauth_wizard.core.validation import (
    check_app_id,
    check_client_id,
    check_client_secret,
    check_dev_id,
)
from oauth_wizard.simulator.registry_checks import FieldChecker

# spapi-authorization.md §3 "Identifier formats": selling_partner_id is upper-case alphanumeric
# (starting with A in the ones seen) [community]. Only the alphabet is enforced: it travels in URLs.
SELLING_PARTNER_ID_RE = re.compile(r"[A-Z0-9]{2,32}")
APP_KEYS = {"app_id", "client_id", "client_secret", "app_state", "kind", "login_uri",
            "redirect_uris", "marketplaces", "hybrid", "mws_developer_ids", "name", "suppressed",
            "listed", "client_secret_expires_at", "oauth_enabled", "edit", "sandbox"}
EDIT_KEYS = {"state", "login_uri", "redirect_uris"}
EDIT_STATES = ("draft", "pending_approval")  # "Current edit is saved as draft" / "pending approval"
SELLER_KEYS = {"selling_partner_id", "marketplaces", "users", "store_name"}
USER_KEYS = {"name", "primary", "manage_authorized_partners"}


class RegistryError(ValueError):
    """A registry that cannot be used; ``problems`` holds one ``path: what is wrong`` per line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))


@dataclass(frozen=True)
class SimUser:
    """A Seller/Vendor Central user. A secondary user may authorize apps only with the "Manage
    Authorized Partners" permission (seed-faq.md SPDC8143; updates-2026-12.md §8)."""

    name: str
    primary: bool
    manage_authorized_partners: bool = False

    @property
    def may_authorize(self) -> bool:
        return self.primary or self.manage_authorized_partners

    def label(self) -> str:
        if self.primary:
            return f"{self.name} (primary)"
        extra = ", may manage authorized partners" if self.manage_authorized_partners else ""
        return f"{self.name} (secondary{extra})"


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
class SimEdit:
    """A Published app's current edit, not yet live (updates-2026-12.md §4: "Published [Current
    edit is in draft]" or "[current edit pending approval]"). Its URIs apply to version=beta
    flows only; production flows keep the published values [issue docs#2539, docs#1880]."""

    state: str
    login_uri: str
    redirect_uris: tuple[str, ...]


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
    # Listed on the Appstore: no limit on seller authorizations; unlisted: 25 (§4).
    listed: bool = False
    # When the client secret expires (epoch seconds); None: never (client_secrets.py).
    client_secret_expires_at: float | None = None
    # "Enable OAuth from Appstore" ticked; unticked, production consent shows the MWS page.
    oauth_enabled: bool = True
    edit: SimEdit | None = None  # a Published app's edit not yet live
    # A sandbox application: the Application Management API refuses it (updates §7).
    sandbox: bool = False

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
            "listed": self.listed, "oauth_enabled": self.oauth_enabled, "sandbox": self.sandbox,
            "client_secret_expires_at": _iso(self.client_secret_expires_at),
            **({"edit": {"state": self.edit.state, "login_uri": self.edit.login_uri,
                         "redirect_uris": list(self.edit.redirect_uris)}} if self.edit else {}),
        }


def _iso(at: float | None) -> str | None:
    from datetime import UTC, datetime

    return None if at is None else datetime.fromtimestamp(at, UTC).isoformat()


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


def _parse_app(c: FieldChecker, raw: object, path: str) -> SimApp | None:
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
    listed = c.boolean(d.get("listed", False), f"{path}.listed")
    sandbox = c.boolean(d.get("sandbox", False), f"{path}.sandbox")
    expires = c.instant(d.get("client_secret_expires_at"), f"{path}.client_secret_expires_at")
    oauth = c.boolean(d.get("oauth_enabled", True), f"{path}.oauth_enabled")
    edit = _parse_edit(c, d["edit"], f"{path}.edit", state) if "edit" in d else None
    return SimApp(app_id, client_id, secret, state, kind or "seller", login, redirects, codes,
                  hybrid, tuple(dev_ids), name, suppressed, listed, expires, oauth, edit,
                  sandbox)


def _parse_edit(c: FieldChecker, raw: object, path: str, app_state: str) -> SimEdit | None:
    d = c.obj(raw, path, EDIT_KEYS, {"state"})
    if not d:
        return None
    if app_state != "published":
        c.fail(path, "only a Published app has an edit apart from its live version")
    state = c.string(d.get("state"), f"{path}.state")
    if state and state not in EDIT_STATES:
        c.fail(f"{path}.state", f"must be one of {', '.join(EDIT_STATES)} (got {state!r})")
    uris = c.items(d.get("redirect_uris", []), f"{path}.redirect_uris", empty_ok=True)
    return SimEdit(state, c.uri(d.get("login_uri", ""), f"{path}.login_uri", "Login URI"),
                   tuple(c.uri(u, f"{path}.redirect_uris[{i}]", "Redirect URI")
                         for i, u in enumerate(uris)))


def _parse_seller(c: FieldChecker, raw: object, path: str) -> SimSeller | None:
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
            at = f"{path}.users[{i}]"
            users.append(SimUser(c.string(ud.get("name"), f"{at}.name"),
                                 c.boolean(ud.get("primary", False), f"{at}.primary"),
                                 c.boolean(ud.get("manage_authorized_partners", False),
                                           f"{at}.manage_authorized_partners")))
    store = c.string(d.get("store_name", f"Store {spid}"), f"{path}.store_name")
    return SimSeller(spid, codes, tuple(users), store)


def _unique(c: FieldChecker, named: list[tuple[str, str]], what: str) -> None:
    """``named`` holds (path, value) pairs; a value seen twice is reported at its second path."""
    seen: dict[str, str] = {}
    for path, value in named:
        if value and value in seen:
            c.fail(path, f"{what} {value!r} is already used at {seen[value]}")
        seen.setdefault(value, path)


def parse_registry(data: object, source: str = "registry") -> Registry:
    """Check decoded registry JSON; raise RegistryError listing every problem with its path."""
    c = FieldChecker()
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
