"""How the Profiles screen words the status report: the list's rows, the facts of a profile or an
authorization, and each problem with its fix, the exact command and the key that fixes it here.

The facts are ``status.compute_status``'s (the same as ``oauth-wizard status``); this module
only words them, so it holds no I/O and no widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.content import Content

from oauth_wizard.core.records import Authorization, ProfileRecord
from oauth_wizard.core.tokens import is_placeholder
from oauth_wizard.keep.status import (
    RANK,
    AuthorizationStatus,
    Problem,
    ProfileStatus,
    SecretState,
    StatusReport,
)

MARK = {"ok": "✓", "note": "·", "warn": "!", "action": "✗"}
STATE_STYLE = {"ok": "$text-success", "note": "$text-muted", "warn": "$text-warning",
               "action": "$text-error"}
HERE = {  # problem id → the key that fixes it on this screen
    "never_verified": "v verifies it now",
    "verify_failed": "v verifies again; r authorizes again",
    "refresh_token_missing": "r authorizes again",
    "reauthorization_soon": "r authorizes again",
    "reauthorization_overdue": "r authorizes again",
    "not_authorized": "r authorizes a seller; s pastes a self-authorization token",
    "refresh_token_unchecked": "F5 checks again",
    "client_secret_unchecked": "F5 checks again",
    "client_secret_rotation_soon": "o rotates it through Amazon's API",
    "client_secret_rotation_overdue": "o rotates it through Amazon's API",
}
SELF_AUTH_HERE = {"refresh_token_missing", "reauthorization_soon", "reauthorization_overdue",
                  "verify_failed"}


@dataclass(frozen=True)
class Item:
    """One row of the list: a profile, or one of its authorizations."""

    record: ProfileRecord
    status: ProfileStatus
    auth: Authorization | None = None
    auth_status: AuthorizationStatus | None = None

    @property
    def state(self) -> str:
        return self.auth_status.state if self.auth_status else self.status.state


def items(report: StatusReport, records: Mapping[str, ProfileRecord]) -> list[Item]:
    """Each profile followed by its authorizations, in file order."""
    out: list[Item] = []
    for prof in report.profiles:
        record = records[prof.name]
        out.append(Item(record, prof))
        for auth, auth_status in zip(record.authorizations, prof.authorizations, strict=True):
            out.append(Item(record, prof, auth, auth_status))
    return out


def spid_label(selling_partner_id: str) -> str:
    return (f"{selling_partner_id} (id unknown)" if is_placeholder(selling_partner_id)
            else selling_partner_id)


def _mark(state: str) -> Content:
    return Content.styled(MARK[state], STATE_STYLE[state])


def prompt(item: Item) -> Content:
    """The list row: the state's mark, then the profile or the authorization."""
    if item.auth_status is None:
        return Content.assemble(_mark(item.state), " ", Content.styled(item.record.name, "bold"),
                                f"  {item.status.app_state} {item.status.kind} app")
    a = item.auth_status
    return Content.assemble("  ", _mark(a.state), f" {a.region} {a.selling_partner_id} ",
                            Content.styled(f"({a.how})", "dim"))


def summary(report: StatusReport) -> str:
    problems = [p for prof in report.profiles for p in prof.all_problems()]
    problems += list(report.problems)
    action = sum(p.severity == "action" for p in problems)
    warn = sum(p.severity == "warn" for p in problems)
    count = len(report.profiles)
    if not count:
        return "No profiles yet"
    head = f"{count} profile{'s' if count != 1 else ''}"
    if action:
        return f"{head} · {action} thing(s) need action" + (f", {warn} warning(s)" if warn
                                                            else "")
    if warn:
        return f"{head} · nothing needs action; {warn} warning(s)"
    return f"{head} · everything is in order"


def where(secret: SecretState, places: Mapping[str, str]) -> str:
    """Where a secret lives, masked: ``Atzr|IwEB…(ends 7fQ) in the system keyring (…)``."""
    if secret.location == "missing":
        return "missing: not stored"
    kept = places.get(secret.location, secret.location)
    if not secret.checked:
        return f"recorded in {kept}; not checked (the store could not be read)"
    return f"{secret.masked or ''} in {kept}".strip()


Rows = list[tuple[str, str]]


def profile_facts(item: Item, places: Mapping[str, str]) -> tuple[str, Rows]:
    """The heading and the facts of a profile."""
    prof, app = item.status, item.record.app
    rows = [("App ID", app.app_id), ("Client ID", app.client_id),
            ("Client secret", where(prof.client_secret, places))]
    if prof.rotate_by is not None and prof.days_left is not None:
        left = prof.days_left
        said = {"rotated": "rotated"}.get(prof.secret_since_kind or "", "first seen")
        due = f"{left} day(s) left" if left >= 0 else f"{-left} day(s) overdue"
        age = (f"{said} {prof.secret_since} ({prof.secret_age_days} day(s) ago); "
               if prof.secret_since is not None else "")
        whose = " (Amazon's date)" if prof.rotate_by_source == "amazon" else ""
        rows.append(("Secret age", f"{age}rotate by {prof.rotate_by}{whose}, {due}"))
    else:
        rows.append(("Secret age", "unknown (no date recorded)"))
    rows.append(("Marketplaces", ", ".join(app.marketplaces) or "(none)"))
    auths = [f"{a.region} {spid_label(a.selling_partner_id)}" for a in prof.authorizations]
    rows.append(("Authorizations", " · ".join(auths) or "none yet"))
    head = f"{prof.name} · {prof.app_state} {prof.kind} app"
    return head, rows


def auth_facts(item: Item, places: Mapping[str, str]) -> tuple[str, Rows]:
    """The heading and the facts of an authorization."""
    a = item.auth_status
    assert a is not None
    how = ("self-authorized (Seller Central's Authorize button)" if a.how == "self-auth"
           else "authorized by the seller (OAuth consent)")
    left = (f"{a.days_left} day(s) left" if a.days_left >= 0
            else f"{-a.days_left} day(s) ago")
    label = "365 days old on" if a.how == "self-auth" else "re-authorize by"
    v = a.last_verify
    if v is None:
        verified = "never"
    elif v.ok:
        verified = f"ok on {v.at.date()} ({v.detail})"
    else:
        verified = f"failed on {v.at.date()} ({v.detail.split(':', 1)[0]})"
    rows = [("How", how), ("Refresh token", where(a.refresh_token, places)),
            ("Marketplaces", ", ".join(a.marketplaces) or "(not recorded)"),
            ("Authorized", f"{a.authorized_at.date()}; {label} {a.reauthorize_by.date()} "
                           f"({left})"),
            ("Last verify", verified)]
    head = f"{item.record.name} · {a.region} {spid_label(a.selling_partner_id)}"
    return head, rows


def here_hint(problem: Problem, how: str | None = None) -> str | None:
    """The key that fixes ``problem`` on this screen (``how``: the authorization's)."""
    if how == "self-auth" and problem.id in SELF_AUTH_HERE:
        return ("v verifies again; r pastes a new self-authorization token"
                if problem.id == "verify_failed" else "r pastes a new self-authorization token")
    return HERE.get(problem.id)


def problems_of(item: Item) -> tuple[Problem, ...]:
    """A profile's own problems, or an authorization's; the most urgent first."""
    found = item.auth_status.problems if item.auth_status else item.status.problems
    return tuple(sorted(found, key=lambda p: -RANK[p.severity]))
