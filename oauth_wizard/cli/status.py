"""``status [NAME]``: what needs attention, gh-style, with the exact command that fixes each.

The rules and the JSON are ``status.compute_status``'s (its docstring documents the JSON); this
module gathers the facts it needs, reading every secret from where its record says it is kept
(a keyring that fails is reported as unreadable, never as "missing"), and prints the report for
a person. Exit 1 when anything needs action, so ``oauth-wizard status || ...`` works in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO

from oauth_wizard.cli.common import (
    EXIT_NOT_OK,
    EXIT_OK,
    PROG,
    UsageError,
    add_store_options,
    print_wrapped,
)
from oauth_wizard.cli.keep import load_all, load_record, now, open_vault, with_globals
from oauth_wizard.core.records import describe_key
from oauth_wizard.keep.service import orphan_secrets, secret_presence, spid_label
from oauth_wizard.keep.status import (
    AuthorizationStatus,
    Problem,
    ProfileStatus,
    SecretState,
    StatusReport,
    compute_status,
)
from oauth_wizard.keep.vault import Vault

MARK = {"ok": "✓", "note": "-", "warn": "!", "action": "X"}


def cmd_status(args: argparse.Namespace) -> int:
    if args.remove_orphans and args.name:
        raise UsageError("--remove-orphans looks at every profile, so it takes no NAME.",
                         f"Run: {with_globals(args, f'{PROG} status --remove-orphans')}")
    records = [load_record(args, args.name)] if args.name else load_all(args)
    vault = open_vault(args)
    presence, masks = asyncio.run(secret_presence(records, vault))
    orphans = [] if args.name else asyncio.run(orphan_secrets(records, vault))
    if args.remove_orphans:
        return _remove_orphans(args, vault, orphans)
    report = compute_status(records, presence, now(), masks=masks,
                            store_location=vault.default_location, orphans=orphans)
    for where, exc in vault.failed.items():
        print_wrapped(sys.stderr, f"{PROG} status: the {where} could not be read, so the "
                      f"secrets kept there were not checked: {exc.message}", indent="  ",
                      first="")
        for option in exc.options:
            print_wrapped(sys.stderr, option, indent="    ", first="  - ")
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print(args, report, vault, sys.stdout)
    return EXIT_NOT_OK if report.needs_action else EXIT_OK


def _remove_orphans(args: argparse.Namespace, vault: Vault, orphans: list[str]) -> int:
    """Delete the secrets no profile names from the plain-text file (the keyring cannot be
    listed, and nothing is written there before its record)."""
    store = vault.store("file")
    if not orphans or store is None:
        print("No secret without a profile was found.")
        return EXIT_OK
    removed = [key for key in orphans if asyncio.run(store.delete(key))]
    print(f"Removed {len(removed)} secret(s) no profile used from {store.describe()}: "
          f"{', '.join(describe_key(k) for k in removed)}.")
    return EXIT_OK


# --- the human report --------------------------------------------------------------------------

def _where(secret: SecretState, vault: Vault) -> str:
    if secret.location == "missing":
        return "missing"
    kept = vault.describe(secret.location)
    shown = secret.masked or ""
    if not secret.checked:
        return f"recorded in {kept}, not checked"
    return f"{shown} in {kept}".strip()


def _problem(args: argparse.Namespace, p: Problem, out: TextIO, indent: str) -> None:
    print_wrapped(out, p.message, indent=indent + "  ", first=f"{indent}{MARK[p.severity]} ")
    if p.fix:
        print_wrapped(out, p.fix, indent=indent + "    ", first=indent + "    ")
    if p.command:
        print(f"{indent}      {with_globals(args, p.command)}", file=out)


def _secret_lines(prof: ProfileStatus, vault: Vault) -> list[str]:
    secret = prof.client_secret
    if not secret.checked:
        mark = MARK["warn"]
    else:
        mark = MARK["action"] if secret.location == "missing" else MARK["ok"]
    lines = [f"  {mark} Client secret: {_where(secret, vault)}"]
    if prof.rotate_by is not None and prof.days_left is not None:
        left = prof.days_left
        said = {"rotated": "rotated"}.get(prof.secret_since_kind or "", "first seen")
        age = (f"{said} {prof.secret_since}: {prof.secret_age_days} day(s) old; "
               if prof.secret_since is not None else "")
        whose = " (Amazon's expiry notice)" if prof.rotate_by_source == "amazon" else ""
        lines.append(f"    - {age}rotate by {prof.rotate_by}{whose} "
                     f"({f'{left} day(s) left' if left >= 0 else f'{-left} day(s) overdue'})")
    return lines


def _auth_lines(a: AuthorizationStatus, vault: Vault) -> list[str]:
    markets = f"; {', '.join(a.marketplaces)}" if a.marketplaces else ""
    lines = [f"  {MARK[a.state]} {a.region} {spid_label(a.selling_partner_id)} "
             f"({a.how}{markets})",
             f"    - Refresh token: {_where(a.refresh_token, vault)}"]
    left = (f"{a.days_left} day(s) left" if a.days_left >= 0
            else f"{-a.days_left} day(s) ago")
    label = "365 days old on" if a.how == "self-auth" else "re-authorize by"
    lines.append(f"    - Authorized {a.authorized_at.date()}; {label} "
                 f"{a.reauthorize_by.date()} ({left})")
    v = a.last_verify
    if v is None:
        said = "never"
    elif v.ok:
        said = f"ok on {v.at.date()} ({v.detail})"
    else:  # the problem below quotes the whole detail
        said = f"failed on {v.at.date()} ({v.detail.split(':', 1)[0]})"
    lines.append(f"    - Last verify: {said}")
    return lines


def _print(args: argparse.Namespace, report: StatusReport, vault: Vault, out: TextIO) -> None:
    for p in report.problems:
        _problem(args, p, out, "")
    for prof in report.profiles:
        print(f"{prof.name}  ({prof.app_state} {prof.kind} app, client ID {prof.client_id})",
              file=out)
        for line in _secret_lines(prof, vault):
            print(line, file=out)
        for p in prof.problems:
            _problem(args, p, out, "  ")
        for a in prof.authorizations:
            for line in _auth_lines(a, vault):
                print(line, file=out)
            for p in a.problems:
                _problem(args, p, out, "    ")
        print(file=out)
    problems = [p for prof in report.profiles for p in prof.all_problems()] + list(
        report.problems)
    action = sum(p.severity == "action" for p in problems)
    warn = sum(p.severity == "warn" for p in problems)
    if action:
        summary = f"{action} thing(s) need action" + (f", {warn} warning(s)" if warn else "")
    elif warn:
        summary = f"Nothing needs action; {warn} warning(s)"
    else:
        summary = "Everything is in order"
    print(f"{summary}.", file=out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard status``."""
    parser.description = (
        "Every profile and authorization: where its secrets live, masked tokens, "
        "days left before the 365-day re-authorization and the 180-day client secret rotation, "
        "the last verify, and for each problem the exact command that fixes it. Exit 1 when "
        "anything needs action.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_status)
    parser.add_argument("name", nargs="?", metavar="NAME", help="only this profile")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead (documented in docs/json.md)")
    parser.add_argument("--remove-orphans", action="store_true",
                        help="delete the secrets in the plain-text secrets file that no profile "
                             "uses (status lists them as orphan_secrets)")
