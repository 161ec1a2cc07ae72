"""The ``profiles.toml`` format: records, serialization and schema checks.

Reading is strict, because a silently misread profile would authorize the wrong thing: a
syntax error, a missing or mistyped key, an unknown key (usually a typo) or an unknown
``app_state`` is reported with the file's path, the line and what is wrong. Writing refuses
any value shaped like a token or client secret, so no secret lands in this file by mistake.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tomli_w

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.core.masking import SECRET_SHAPES
from oauth_wizard.core.profile import APP_STATES, KINDS, AppProfile
from oauth_wizard.core.records import HOW, STORAGE, Authorization, ProfileRecord, VerifyResult
from oauth_wizard.core.validation import PROFILE_NAME_RE

FORMAT_VERSION = 1


class StoreError(WizardError):
    """profiles.toml cannot be read or written. ``str()`` is the message plus the fix.

    ``kind``: corrupt, schema, version, changed_on_disk, io, unknown_profile, exists,
    secret_in_metadata.
    """

    def __init__(self, kind: str, message: str, fix: str = "", *, path: Path | None = None,
                 line: int | None = None) -> None:
        super().__init__(message, fix)
        self.kind, self.path, self.line = kind, path, line


def serialize(profiles: Mapping[str, ProfileRecord], path: Path) -> bytes:
    doc: dict[str, Any] = {"format_version": FORMAT_VERSION, "profiles": {}}
    for name, rec in profiles.items():
        app = rec.app
        table: dict[str, Any] = {
            "app_id": app.app_id, "client_id": app.client_id, "app_state": app.app_state,
            "kind": app.kind, "edits_pending": app.edits_pending, "hybrid": app.hybrid,
            "marketplaces": list(app.marketplaces), "login_uri": app.login_uri,
            "redirect_uris": list(app.redirect_uris), "dev_ids": dict(app.dev_ids)}
        for key in ("secret_storage", "client_secret_first_seen", "client_secret_rotated",
                    "client_secret_expires", "client_secret_rotation_requested"):
            if getattr(rec, key) is not None:
                table[key] = getattr(rec, key)
        if rec.sandbox_app:
            table["sandbox_app"] = True
        auths = []
        for a in rec.authorizations:
            entry: dict[str, Any] = {
                "region": a.region, "selling_partner_id": a.selling_partner_id,
                "authorized_at": a.authorized_at, "how": a.how, "storage": a.storage,
                "marketplaces": list(a.marketplaces)}
            if a.last_verify is not None:
                entry["last_verify"] = {"at": a.last_verify.at, "ok": a.last_verify.ok,
                                        "detail": a.last_verify.detail}
            auths.append(entry)
        if auths:
            table["authorizations"] = auths
        _refuse_secrets(table, f"profile '{name}'", path)
        doc["profiles"][name] = table
    header = ("# oauth-wizard profiles. No secrets here: they live in the keyring (or in the\n"
              "# --insecure-storage file).\n"
              "# Hand edits are fine; oauth-wizard will not overwrite a file it cannot read.\n")
    return (header + tomli_w.dumps(doc)).encode("utf-8")


def _refuse_secrets(value: Any, where: str, path: Path) -> None:
    if isinstance(value, str) and SECRET_SHAPES.search(value):
        raise StoreError("secret_in_metadata", f"Refusing to write {path}: a value of {where} "
                         "looks like a token or client secret, and secrets never go into "
                         "profiles.toml.", "This is a bug; please report it.", path=path)
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_secrets(v, f"{where}, {k}", path)
    elif isinstance(value, list | tuple):
        for v in value:
            _refuse_secrets(v, where, path)


def edit_or_set_aside(path: Path, line: int | None) -> str:
    """The two ways out of a file oauth-wizard cannot read (commands cannot fix it for you)."""
    where = f"line {line} of {path}" if line else str(path)
    aside = path.with_name(f"{path.name}.broken-{date.today().isoformat()}")
    return (f"Edit {where} in a text editor (docs/environment.md describes it), or set the "
            f"file aside and start fresh: mv {path} {aside} (then add the profiles again).")


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse(raw: bytes | None, path: Path) -> dict[str, ProfileRecord]:
    if raw is None or not raw.strip():
        return {}  # an empty file (a truncated copy, a `touch`) holds no profiles
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError("corrupt", f"{path} is not UTF-8 text; it was left untouched.",
                         edit_or_set_aside(path, None), path=path) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS.search(str(exc))
        line = int(pos.group(1)) if pos else None
        what = _TOML_POS.sub("", str(exc)).strip()
        where = f", line {line}, column {pos.group(2)}" if pos else ""
        raise StoreError("corrupt", f"{path}{where}: {what}; the file was left untouched.",
                         edit_or_set_aside(path, line), path=path, line=line) from None
    return _Schema(text, path).document(doc)


def line_of(text: str, profile: str, key: str | None = None,
            auth_index: int | None = None) -> int | None:
    """Best-effort line of a profile's key (or of its n-th authorization) in the TOML text."""
    lines = text.splitlines()
    name = re.escape(profile)
    head = re.compile(rf"^\s*\[\s*profiles\s*\.\s*(?:\"{name}\"|'{name}'|{name})\s*\]")
    start = next((i for i, ln in enumerate(lines) if head.match(ln)), None)
    if start is None:
        return None
    if auth_index is not None:
        sub = re.compile(rf"^\s*\[\[\s*profiles\s*\.\s*(?:\"{name}\"|'{name}'|{name})\s*\."
                         r"\s*authorizations\s*\]\]")
        hits = [i for i, ln in enumerate(lines) if sub.match(ln)]
        if auth_index >= len(hits):
            return start + 1
        start = hits[auth_index]
    if key is None:
        return start + 1
    keyre = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|{re.escape(key)})\s*=")
    for i in range(start + 1, len(lines)):
        if keyre.match(lines[i]):
            return i + 1
        stripped = lines[i].lstrip()
        if stripped.startswith("[") and "last_verify" not in stripped:
            break  # a later table: the key is not in this one
    return start + 1


class _Schema:
    """Checks a parsed document and builds records; every error names profile, key and line."""

    def __init__(self, text: str, path: Path) -> None:
        self.text, self.path = text, path

    def fail(self, what: str, profile: str | None = None, key: str | None = None,
             auth: int | None = None) -> StoreError:
        line = line_of(self.text, profile, key, auth) if profile else None
        where = f", line {line}" if line else ""
        return StoreError("schema", f"{self.path}{where}: {what}; the file was left untouched.",
                          edit_or_set_aside(self.path, line), path=self.path, line=line)

    def document(self, doc: dict) -> dict[str, ProfileRecord]:
        version = doc.get("format_version")
        if version is None:
            raise self.fail("format_version is missing (expected format_version = 1)")
        if isinstance(version, int) and not isinstance(version, bool) and version > 1:
            raise StoreError("version", f"{self.path} has format_version {version}, written by "
                             "a newer oauth-wizard; it was left untouched.",
                             "Upgrade oauth-wizard to use it.", path=self.path)
        if version != FORMAT_VERSION:
            raise self.fail(f"format_version is {version!r}, expected 1")
        extra = set(doc) - {"format_version", "profiles"}
        if extra:
            raise self.fail(f"unknown top-level key(s) {', '.join(sorted(extra))}")
        profiles = doc.get("profiles", {})
        if not isinstance(profiles, dict):
            raise self.fail("'profiles' must be a table of profiles")
        return {name: self.profile(name, table) for name, table in profiles.items()}

    def pick(self, table: dict, key: str, kind: type | tuple, profile: str, *, default: Any = ...,
             choices: tuple | None = None, auth: int | None = None) -> Any:
        who = f"profile '{profile}'" + (f", authorization {auth + 1}," if auth is not None else "")
        if key not in table:
            if default is ...:
                raise self.fail(f"{who} has no {key}", profile, None, auth)
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            article = "an" if key[0] in "aeiou" else "a"
            raise self.fail(f"{who} has {article} {key} of the wrong type "
                            f"({type(value).__name__})",
                            profile, key, auth)
        if choices is not None and value not in choices:
            raise self.fail(f"{who} has {key} {value!r}; use one of {', '.join(choices)}",
                            profile, key, auth)
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise self.fail(f"{who} has a {key} list with non-text items", profile, key, auth)
        return value

    def unknown(self, table: dict, allowed: set[str], profile: str, auth: int | None = None):
        extra = sorted(set(table) - allowed)
        if extra:
            who = f"profile '{profile}'" + (f", authorization {auth + 1}," if auth is not None
                                            else "")
            raise self.fail(f"{who} has unknown key '{extra[0]}'", profile, extra[0], auth)

    def profile(self, name: str, t: Any) -> ProfileRecord:
        if not PROFILE_NAME_RE.fullmatch(name):
            raise self.fail(f"profile name {name!r} is not valid (letters, digits, . _ -)")
        if not isinstance(t, dict):
            raise self.fail(f"profile '{name}' must be a table")
        self.unknown(t, {"app_id", "client_id", "app_state", "kind", "edits_pending", "hybrid",
                         "marketplaces", "login_uri", "redirect_uris", "dev_ids",
                         "secret_storage", "client_secret_first_seen", "client_secret_rotated",
                         "client_secret_expires", "client_secret_rotation_requested",
                         "sandbox_app", "authorizations"}, name)
        dev_ids = self.pick(t, "dev_ids", dict, name, default={})
        for region, dev in dev_ids.items():
            if region not in REGIONS or not isinstance(dev, str):
                raise self.fail(f"profile '{name}' has a bad dev_ids entry {region!r} (use "
                                "NA, EU or FE = \"developer id\")", name, "dev_ids")
        app = AppProfile(
            name=name, app_id=self.pick(t, "app_id", str, name),
            client_id=self.pick(t, "client_id", str, name),
            app_state=self.pick(t, "app_state", str, name, choices=APP_STATES),
            kind=self.pick(t, "kind", str, name, default="seller", choices=KINDS),
            edits_pending=self.pick(t, "edits_pending", bool, name, default=False),
            hybrid=self.pick(t, "hybrid", bool, name, default=False),
            dev_ids=tuple((r, dev_ids[r]) for r in REGIONS if r in dev_ids),
            marketplaces=tuple(self.pick(t, "marketplaces", list, name, default=[])),
            login_uri=self.pick(t, "login_uri", str, name, default=""),
            redirect_uris=tuple(self.pick(t, "redirect_uris", list, name, default=[])))
        auths = t.get("authorizations", [])
        if not isinstance(auths, list):
            raise self.fail(f"profile '{name}' has authorizations that are not a list of "
                            "tables", name, "authorizations")
        records = tuple(self.authorization(name, i, a) for i, a in enumerate(auths))
        if len({a.ident for a in records}) != len(records):
            raise self.fail(f"profile '{name}' lists the same region and selling partner twice",
                            name, None, len(records) - 1)
        return ProfileRecord(
            app, self.pick(t, "secret_storage", str, name, default=None, choices=STORAGE),
            self.day(t, "client_secret_first_seen", name),
            self.day(t, "client_secret_rotated", name), records,
            self.day(t, "client_secret_expires", name),
            self.day(t, "client_secret_rotation_requested", name),
            self.pick(t, "sandbox_app", bool, name, default=False))

    def day(self, t: dict, key: str, name: str) -> date | None:
        value = self.pick(t, key, (date, str), name, default=None)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(f"profile '{name}' has {key} {value!r}, not a date "
                                "(YYYY-MM-DD)", name, key) from None
        return value

    def moment(self, t: dict, key: str, name: str, auth: int) -> datetime:
        value = self.pick(t, key, (datetime, str), name, auth=auth)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self.fail(f"profile '{name}', authorization {auth + 1}, has {key} "
                                f"{value!r}, not a date and time", name, key, auth) from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def authorization(self, name: str, i: int, a: Any) -> Authorization:
        if not isinstance(a, dict):
            raise self.fail(f"profile '{name}', authorization {i + 1}, must be a table", name)
        self.unknown(a, {"region", "selling_partner_id", "authorized_at", "how", "storage",
                         "marketplaces", "last_verify"}, name, i)
        verify = None
        if "last_verify" in a:
            v = self.pick(a, "last_verify", dict, name, auth=i)
            self.unknown(v, {"at", "ok", "detail"}, name, i)
            verify = VerifyResult(self.moment(v, "at", name, i),
                                  self.pick(v, "ok", bool, name, auth=i),
                                  self.pick(v, "detail", str, name, default="", auth=i))
        return Authorization(
            region=self.pick(a, "region", str, name, choices=REGIONS, auth=i),
            selling_partner_id=self.pick(a, "selling_partner_id", str, name, auth=i),
            authorized_at=self.moment(a, "authorized_at", name, i),
            how=self.pick(a, "how", str, name, default="oauth", choices=HOW, auth=i),
            storage=self.pick(a, "storage", str, name, default="keyring", choices=STORAGE,
                              auth=i),
            marketplaces=tuple(self.pick(a, "marketplaces", list, name, default=[], auth=i)),
            last_verify=verify)
