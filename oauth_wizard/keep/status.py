"""What needs attention, gh-style: every profile and authorization, each problem with the exact
command that fixes it. Pure: the caller passes the records, which secrets were found, their
masks (never raw values) and the time.

Rules (spapi-authorization.md §1.5, §3, §6):
- Re-authorization: public-app authorizations must be renewed every 365 days. ``warn`` when
  30 days or fewer are left, ``action`` once the day has passed. Amazon documents no expiry for
  self-authorized tokens [uncertain], so for those the same dates give ``note``/``warn`` and the
  fix is to verify (and self-authorize again on ``invalid_grant``).
- Client secret: rotated every 180 days. ``warn`` from day 150, ``action`` after day 180. The
  age counts from the rotation date oauth-wizard recorded, else from when it first saw the
  secret (so the real age may be higher, and the message says "at least"); no date → a note.
- A missing secret is ``action``; a secret that could not be checked (keyring locked) is
  ``warn``. Never verified → ``warn``; last verify failed → ``action``.
``needs_action`` is true when any problem is ``action``; the CLI exits 1 then.

JSON (``StatusReport.as_json()``; keys are stable, ``null`` where unknown)::

    {"format": 1, "generated_at": "<ISO 8601>", "needs_action": bool,
     "problems": [PROBLEM, ...],                  # not tied to a profile (no_profiles)
     "profiles": [{
        "name", "app_id", "client_id", "app_state", "kind",
        "state": "ok|note|warn|action", "needs_action": bool,
        "client_secret": {"location": "keyring|file|memory|missing", "checked": bool,
                          "masked": str|null, "since": "YYYY-MM-DD"|null,
                          "since_kind": "rotated|first_seen"|null, "age_days": int|null,
                          "rotate_by": "YYYY-MM-DD"|null, "days_left": int|null},
        "problems": [PROBLEM, ...],                # about the profile itself
        "authorizations": [{
            "region", "selling_partner_id", "how": "oauth|self-auth", "marketplaces": [str],
            "refresh_token": {"location", "checked", "masked"},
            "authorized_at": "<ISO 8601>", "reauthorize_by": "<ISO 8601>", "days_left": int,
            "last_verify": {"at": "<ISO 8601>", "ok": bool, "detail": str}|null,
            "state": "ok|note|warn|action", "problems": [PROBLEM, ...]}]}]}
    PROBLEM = {"id", "severity": "note|warn|action", "message", "fix", "command": str|null}

Problem ids: no_profiles, not_authorized, client_secret_missing, client_secret_unchecked,
client_secret_rotation_soon, client_secret_rotation_overdue, client_secret_age_unknown,
insecure_storage, refresh_token_missing, refresh_token_unchecked, reauthorization_soon,
reauthorization_overdue, never_verified, verify_failed, orphan_secrets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    VerifyResult,
    client_secret_key,
    describe_key,
    refresh_token_key,
)
from oauth_wizard.keep.commands import (
    REAUTH_CAUSES,
    SECRET_CAUSES,
    command_line,
    marketplace_for,
    reauthorize_command,
    rotate_command,
    secret_command,
    verify_command,
)

__all__ = ["REAUTH_DAYS", "REAUTH_WARN_DAYS", "ROTATION_DAYS", "ROTATION_WARN_AGE",
           "AuthorizationStatus", "Problem", "ProfileStatus", "SecretState", "StatusReport",
           "compute_status"]

REAUTH_DAYS, REAUTH_WARN_DAYS = 365, 30
ROTATION_DAYS, ROTATION_WARN_AGE = 180, 150
RANK = {"ok": 0, "note": 1, "warn": 2, "action": 3}


@dataclass(frozen=True)
class Problem:
    id: str
    severity: str  # note | warn | action
    message: str
    fix: str
    command: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "message": self.message,
                "fix": self.fix, "command": self.command}


@dataclass(frozen=True)
class SecretState:
    location: str  # keyring | file | memory | missing
    checked: bool  # False: the store could not be asked (the location is what was recorded)
    masked: str | None

    def as_json(self) -> dict[str, Any]:
        return {"location": self.location, "checked": self.checked, "masked": self.masked}


def _worst(problems: Iterable[Problem]) -> str:
    return max((p.severity for p in problems), key=RANK.__getitem__, default="ok")


@dataclass(frozen=True)
class AuthorizationStatus:
    region: str
    selling_partner_id: str
    how: str
    marketplaces: tuple[str, ...]
    refresh_token: SecretState
    authorized_at: datetime
    reauthorize_by: datetime
    days_left: int
    last_verify: VerifyResult | None
    problems: tuple[Problem, ...]

    @property
    def state(self) -> str:
        return _worst(self.problems)

    def as_json(self) -> dict[str, Any]:
        v = self.last_verify
        return {"region": self.region, "selling_partner_id": self.selling_partner_id,
                "how": self.how, "marketplaces": list(self.marketplaces),
                "refresh_token": self.refresh_token.as_json(),
                "authorized_at": self.authorized_at.isoformat(),
                "reauthorize_by": self.reauthorize_by.isoformat(), "days_left": self.days_left,
                "last_verify": None if v is None else {"at": v.at.isoformat(), "ok": v.ok,
                                                       "detail": v.detail},
                "state": self.state, "problems": [p.as_json() for p in self.problems]}


@dataclass(frozen=True)
class ProfileStatus:
    name: str
    app_id: str
    client_id: str
    app_state: str
    kind: str
    client_secret: SecretState
    secret_since: date | None
    secret_since_kind: str | None  # rotated | first_seen
    secret_age_days: int | None
    rotate_by: date | None
    authorizations: tuple[AuthorizationStatus, ...]
    problems: tuple[Problem, ...]
    rotate_by_source: str | None = None  # amazon (its expiry notice) | estimate (180 days)
    days_left: int | None = None  # before rotate_by (negative: overdue)

    def all_problems(self) -> tuple[Problem, ...]:
        return self.problems + tuple(p for a in self.authorizations for p in a.problems)

    @property
    def state(self) -> str:
        return _worst(self.all_problems())

    @property
    def needs_action(self) -> bool:
        return self.state == "action"

    def as_json(self) -> dict[str, Any]:
        secret = {**self.client_secret.as_json(),
                  "since": self.secret_since.isoformat() if self.secret_since else None,
                  "since_kind": self.secret_since_kind, "age_days": self.secret_age_days,
                  "rotate_by": self.rotate_by.isoformat() if self.rotate_by else None,
                  "rotate_by_source": self.rotate_by_source, "days_left": self.days_left}
        return {"name": self.name, "app_id": self.app_id, "client_id": self.client_id,
                "app_state": self.app_state, "kind": self.kind, "state": self.state,
                "needs_action": self.needs_action, "client_secret": secret,
                "problems": [p.as_json() for p in self.problems],
                "authorizations": [a.as_json() for a in self.authorizations]}


@dataclass(frozen=True)
class StatusReport:
    generated_at: datetime
    profiles: tuple[ProfileStatus, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def needs_action(self) -> bool:
        return _worst(self.problems) == "action" or any(p.needs_action for p in self.profiles)

    def as_json(self) -> dict[str, Any]:
        return {"format": 1, "generated_at": self.generated_at.isoformat(),
                "needs_action": self.needs_action,
                "problems": [p.as_json() for p in self.problems],
                "profiles": [p.as_json() for p in self.profiles]}



# --- the rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Ctx:
    presence: Mapping[str, bool]
    masks: Mapping[str, str]
    store_location: str
    now: datetime


def _secret(recorded: str | None, key: str, ctx: _Ctx) -> SecretState:
    """Where a secret lives: its recorded location when found (the checked store's when the
    record does not say), ``missing`` when not found; unchecked keeps the recorded one."""
    masked = scrub(ctx.masks[key], []) if ctx.masks.get(key) else None
    if key in ctx.presence:
        if not ctx.presence[key]:
            return SecretState("missing", True, None)
        return SecretState(recorded or ctx.store_location, True, masked)
    return SecretState(recorded or "missing", False, masked)


def _client_secret(rec: ProfileRecord, state: SecretState, now: datetime
                   ) -> tuple[list[Problem], date | None, str | None, int | None]:
    out: list[Problem] = []
    fix_cmd = secret_command(rec)
    enter = "Enter it (read from stdin or a masked prompt, never from the command line):"
    if state.location == "missing":
        out.append(Problem("client_secret_missing", "action", f"The client secret of profile "
                           f"'{rec.name}' is not stored, so no token can be refreshed (or a "
                           f"`profile add` or `profile remove` of it was interrupted: to finish "
                           f"removing it, run {command_line('profile', 'remove', rec.name)}).",
                           enter, fix_cmd))
    elif not state.checked:
        out.append(Problem("client_secret_unchecked", "warn", f"Could not check that the client "
                           f"secret of '{rec.name}' is in the {state.location}.",
                           "Unlock the keyring and run status again.", None))
    elif state.location == "file":
        out.append(Problem("insecure_storage", "note", f"The secrets of '{rec.name}' are kept "
                           "in the plain-text file of --insecure-storage.", "Anyone who can "
                           "read that file can use the app; prefer the system keyring where "
                           "one is available.", None))
    since, kind = ((rec.client_secret_rotated, "rotated") if rec.client_secret_rotated
                   else (rec.client_secret_first_seen, "first_seen"))
    if since is None and rec.client_secret_expires is None:
        out.append(Problem("client_secret_age_unknown", "note", "oauth-wizard does not know "
                           "when this client secret was issued, so it cannot warn before its "
                           "180-day rotation deadline.", "Check the expiry under LWA "
                           "credentials in the Solution Provider Portal (Develop Apps).", None))
        return out, None, None, None, None
    age = (now.date() - since).days if since is not None else None
    if rec.client_secret_expires is not None:  # Amazon's own date beats the estimate
        left = (rec.client_secret_expires - now.date()).days
        said = (f"of '{rec.name}' expires on {rec.client_secret_expires}, the date Amazon's "
                "expiry notice gave")
        most, deadline = "", "its expiry"
    else:
        assert since is not None and age is not None
        left = ROTATION_DAYS - age
        said = (f"of '{rec.name}' was rotated on {since} ({age} days ago)" if kind == "rotated"
                else f"of '{rec.name}' is at least {age} days old (oauth-wizard first saw it "
                     f"on {since})")
        most = "" if kind == "rotated" else "at most "
        deadline = "the 180-day rotation"
    rotate = ("Rotate it in the Solution Provider Portal (Develop Apps, LWA credentials, View, "
              "Rotate), then enter the new one:")
    if state.location != "missing" and left < 0:
        out.append(Problem("client_secret_rotation_overdue", "action", f"The client secret "
                           f"{said}: past {deadline}, after which Amazon refuses it.",
                           rotate, fix_cmd))
    elif state.location != "missing" and left <= ROTATION_DAYS - ROTATION_WARN_AGE:
        out.append(Problem("client_secret_rotation_soon", "warn", f"The client secret {said}: "
                           f"{most}{left} day(s) left before {deadline}.",
                           "Rotate it through Amazon's API (the new secret comes to the SQS "
                           "queue of your Notification Preferences), or in the Solution "
                           "Provider Portal and enter the new one with `profile add --force`:",
                           rotate_command(rec)))
    return out, since, kind, age, left


def _authorization(rec: ProfileRecord, auth: Authorization, ctx: _Ctx) -> AuthorizationStatus:
    state = _secret(auth.storage, refresh_token_key(rec.name, auth.region,
                                                    auth.selling_partner_id), ctx)
    now = ctx.now
    out: list[Problem] = []
    who = f"the {auth.region} authorization of '{rec.name}' ({auth.selling_partner_id})"
    cap = who[0].upper() + who[1:]
    again = ("Self-authorize again in Seller Central and paste the new token:"
             if auth.how == "self-auth" else "Have the seller authorize again:")
    reauth = reauthorize_command(rec, auth)
    verify = verify_command(rec)
    if state.location == "missing":
        out.append(Problem("refresh_token_missing", "action", f"The refresh token of {who} is "
                           "not stored (an interrupted authorization records the seller before "
                           "its token).", again, reauth))
    elif not state.checked:
        out.append(Problem("refresh_token_unchecked", "warn", f"Could not check that the "
                           f"refresh token of {who} is in the {state.location}.",
                           "Unlock the keyring and run status again.", None))
    due = auth.authorized_at + timedelta(days=REAUTH_DAYS)
    # whole calendar days, counted like the client secret's age: 365 on the day of authorizing
    days_left = (due.astimezone(now.tzinfo).date() - now.date()).days
    day = auth.authorized_at.date()
    if auth.how == "self-auth":
        doubt = ("Amazon documents the 365-day renewal for public apps and says nothing about "
                 "self-authorized tokens [uncertain].")
        if now >= due:
            out.append(Problem("reauthorization_overdue", "warn", f"{cap} was "
                               f"authorized on {day}, more than 365 days ago. {doubt}",
                               "Verify it; if LWA answers invalid_grant, self-authorize again:",
                               verify))
        elif days_left <= REAUTH_WARN_DAYS:
            out.append(Problem("reauthorization_soon", "note", f"{cap} reaches 365 "
                               f"days in {days_left} day(s). {doubt}", "Nothing to do unless "
                               "verify fails; then self-authorize again:", reauth))
    elif now >= due:
        out.append(Problem("reauthorization_overdue", "action", f"{cap} was "
                           f"authorized on {day}, more than 365 days ago; sellers must "
                           "re-authorize every 365 days.", again, reauth))
    elif days_left <= REAUTH_WARN_DAYS:
        out.append(Problem("reauthorization_soon", "warn", f"{cap} must be renewed "
                           f"within {days_left} day(s) (365 days after {day}).",
                           "Have the seller authorize again before then:", reauth))
    last = auth.last_verify
    if last is not None:  # profiles.toml refuses secrets; this is the second belt
        last = replace(last, detail=scrub(last.detail, []))
    if last is None:
        out.append(Problem("never_verified", "warn", f"{cap} was never verified.",
                           "Prove it works with a real SP-API call:", verify))
    elif not last.ok:
        cause = last.detail.split(":", 1)[0].strip()
        if cause in REAUTH_CAUSES:
            fix, cmd = again, reauth
        elif cause in SECRET_CAUSES:
            fix, cmd = "Enter the current client secret:", secret_command(rec)
        else:
            fix, cmd = "Fix the cause named above, then verify again:", verify
        detail = last.detail or "no detail recorded"
        out.append(Problem("verify_failed", "action", f"The last verify of {who} failed on "
                           f"{last.at.date()}: {detail}", fix, cmd))
    return AuthorizationStatus(auth.region, auth.selling_partner_id, auth.how, auth.marketplaces,
                               state, auth.authorized_at, due, days_left, last, tuple(out))


def _profile(rec: ProfileRecord, ctx: _Ctx) -> ProfileStatus:
    secret = _secret(rec.secret_storage, client_secret_key(rec.name), ctx)
    problems, since, kind, age, left = _client_secret(rec, secret, ctx.now)
    auths = tuple(_authorization(rec, a, ctx) for a in rec.authorizations)
    if not auths:
        market = marketplace_for(rec, "NA") if not rec.app.marketplaces \
            else rec.app.marketplaces[0]
        problems.append(Problem("not_authorized", "action", f"Profile '{rec.name}' has no "
                                "authorization yet.", "Authorize a seller (or, for your own "
                                f"account, paste a self-authorization token with "
                                f"{command_line('self-auth', rec.name)}):",
                                command_line("authorize", rec.name, "--marketplace", market)))
    rotate_by = rec.client_secret_expires or (
        since + timedelta(days=ROTATION_DAYS) if since else None)
    source = "amazon" if rec.client_secret_expires else ("estimate" if since else None)
    return ProfileStatus(rec.name, rec.app.app_id, rec.app.client_id, rec.app.app_state,
                         rec.app.kind, secret, since, kind, age, rotate_by, auths,
                         tuple(problems), source, left)


def compute_status(records: Iterable[ProfileRecord], secret_presence: Mapping[str, bool],
                   now: datetime, *, masks: Mapping[str, str] | None = None,
                   store_location: str = "keyring", orphans: Iterable[str] = ()
                   ) -> StatusReport:
    """The report for ``records``. ``secret_presence`` maps secret-store keys
    (``client_secret_key``, ``refresh_token_key``) to whether the secret was found; a key that
    is absent could not be checked. ``masks`` maps the same keys to masked values (anything
    shaped like a raw token is masked again). ``store_location`` is where the caller looked,
    used when a record does not say. ``orphans`` are secret-store keys no record names (a
    command killed half-way by an older version, or a profile removed by hand). ``now`` must
    be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    ctx = _Ctx(secret_presence, masks or {}, store_location, now)
    profiles = tuple(_profile(r, ctx) for r in records)
    problems: tuple[Problem, ...] = ()
    if not profiles:
        problems = (Problem("no_profiles", "action", "There are no profiles yet.",
                            "Add your app (the client secret is read from stdin or a masked "
                            "prompt), or run oauth-wizard for the guided wizard, or "
                            "oauth-wizard demo to try it without an Amazon account:",
                            command_line("profile", "add", "NAME", "--app-id", "ID", "--client-id",
                                 "CLIENT_ID", "--app-state", "draft", "--marketplace", "CC",
                                 "--login-uri", "URI", "--redirect-uri", "URI")),)
    orphaned = sorted(orphans)
    if orphaned:
        problems += (Problem(
            "orphan_secrets", "warn", f"The plain-text secrets file holds {len(orphaned)} "
            f"secret(s) no profile uses: {', '.join(describe_key(k) for k in orphaned)} (a "
            "command was interrupted, or a profile was removed by hand).",
            "Remove them (nothing reads them):", command_line("status", "--remove-orphans")),)
    return StatusReport(now, profiles, problems)


