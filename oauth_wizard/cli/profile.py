"""``profile list``, ``profile show NAME`` and ``profile remove NAME``.

``list`` reads only profiles.toml (no keyring prompt for a listing). ``show`` reads each secret
from where it is kept and shows it masked, or says it is missing or why it could not be read.
``remove`` deletes the keyring entries first and the profile last, so a keyring that refuses
leaves the profile in place and nothing orphaned; it asks on a terminal and needs ``--yes``
anywhere else, because a script must never delete credentials by accident.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from oauth_wizard.cli.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    PROG,
    CommandError,
    Parser,
    UsageError,
    add_store_options,
    store_failure,
)
from oauth_wizard.cli.keep import load_all, load_record, open_vault, profile_store
from oauth_wizard.cli.prompts import ask_yes_no, is_terminal
from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import (
    ProfileRecord,
    client_secret_key,
    describe_key,
    refresh_token_key,
)
from oauth_wizard.keep.secrets import SecretStoreError
from oauth_wizard.keep.service import spid_label
from oauth_wizard.keep.store import StoreError
from oauth_wizard.keep.vault import Found, Vault

FORMAT = 1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- list --------------------------------------------------------------------------------------

def cmd_profile_list(args: argparse.Namespace) -> int:
    records = load_all(args)
    path = profile_store(args).path
    if args.json:
        print(json.dumps({"format": FORMAT, "config_file": str(path), "profiles": [
            {"name": r.name, "kind": r.app.kind, "app_state": r.app.app_state,
             "marketplaces": list(r.app.marketplaces), "authorizations": len(r.authorizations),
             "regions": sorted({a.region for a in r.authorizations})} for r in records]}))
        return EXIT_OK
    if not records:
        print(f"No profiles yet (in {path}).")
        print(f"next: {PROG} profile add NAME --app-id ID --client-id ID --app-state STATE "
              "--marketplace CC --login-uri URI --redirect-uri URI")
        return EXIT_OK
    rows = [("NAME", "KIND", "STATE", "MARKETPLACES", "AUTHORIZATIONS")]
    for r in records:
        regions = ", ".join(sorted({a.region for a in r.authorizations}))
        rows.append((r.name, r.app.kind, r.app.app_state, ",".join(r.app.marketplaces) or "-",
                     f"{len(r.authorizations)}{f' ({regions})' if regions else ''}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
              + "  " + row[-1])
    print(f"({len(records)} profile(s) in {path}; details: {PROG} profile show NAME)",
          file=sys.stderr)
    return EXIT_OK


# --- show --------------------------------------------------------------------------------------

def _secret_json(found: Found, recorded: str | None) -> dict[str, Any]:
    return {"location": recorded, "state": found.state,
            "masked": mask(found.value) if found.value else None,
            "error": found.error.message if found.error else None}


def _secret_text(found: Found, vault: Vault, location: str | None) -> str:
    if found.state == "present":
        return f"{mask(found.value, with_length=True)} in {vault.describe(location)}"
    if found.state == "missing":
        return f"missing (not in {vault.describe(location)})"
    if found.state == "unchecked":
        return "kept in memory by a demo run only (gone)"
    assert found.error is not None
    return f"could not be read ({found.error.kind}): see below"


async def _lookups(record: ProfileRecord, vault: Vault) -> tuple[Found, list[Found]]:
    secret = await vault.find(client_secret_key(record.name), record.secret_storage)
    tokens = [await vault.find(refresh_token_key(record.name, a.region, a.selling_partner_id),
                               a.storage) for a in record.authorizations]
    return secret, tokens


def cmd_profile_show(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    vault = open_vault(args)
    secret, tokens = asyncio.run(_lookups(record, vault))
    app = record.app
    if args.json:
        auths = []
        for a, found in zip(record.authorizations, tokens, strict=True):
            v = a.last_verify
            auths.append({"region": a.region, "selling_partner_id": a.selling_partner_id,
                          "how": a.how, "storage": a.storage,
                          "marketplaces": list(a.marketplaces),
                          "authorized_at": _iso(a.authorized_at),
                          "last_verify": None if v is None else {
                              "at": _iso(v.at), "ok": v.ok, "detail": v.detail},
                          "refresh_token": _secret_json(found, a.storage)})
        print(json.dumps({
            "format": FORMAT, "name": record.name, "config_file": str(profile_store(args).path),
            "app": {"app_id": app.app_id, "client_id": app.client_id,
                    "app_state": app.app_state, "kind": app.kind,
                    "edits_pending": app.edits_pending, "hybrid": app.hybrid,
                    "dev_ids": dict(app.dev_ids), "marketplaces": list(app.marketplaces),
                    "login_uri": app.login_uri, "redirect_uris": list(app.redirect_uris),
                    "sandbox_app": record.sandbox_app},
            "client_secret": {**_secret_json(secret, record.secret_storage),
                              "first_seen": _iso(record.client_secret_first_seen),
                              "rotated": _iso(record.client_secret_rotated)},
            "authorizations": auths}, ensure_ascii=False))
        return EXIT_OK
    lines = [f"Profile '{record.name}'  ({profile_store(args).path})",
             f"  app ID         {app.app_id}",
             f"  client ID      {app.client_id}",
             f"  app state      {app.app_state}"
             f"{' (edits pending approval)' if app.edits_pending else ''}",
             f"  kind           {app.kind} app{' (hybrid SP-API + MWS)' if app.hybrid else ''}"
             f"{', a sandbox application' if record.sandbox_app else ''}",
             f"  marketplaces   {', '.join(app.marketplaces) or '-'}",
             f"  login URI      {app.login_uri or '-'}"]
    lines += [f"  redirect URI   {u}" for u in app.redirect_uris] or ["  redirect URI   -"]
    lines += [f"  MWS dev ID     {region}: {dev}" for region, dev in app.dev_ids]
    lines.append(f"  client secret  {_secret_text(secret, vault, record.secret_storage)}")
    if record.client_secret_rotated:
        lines.append(f"                 rotated {record.client_secret_rotated}")
    if record.client_secret_first_seen:
        lines.append(f"                 first seen {record.client_secret_first_seen}")
    if not record.authorizations:
        lines.append(f"  authorizations none yet (next: {PROG} authorize {record.name}, or "
                     f"{PROG} self-auth {record.name})")
    for a, found in zip(record.authorizations, tokens, strict=True):
        lines.append(f"  authorization  {a.region} {spid_label(a.selling_partner_id)}")
        lines.append(f"    how          {a.how}, authorized {a.authorized_at.isoformat()}")
        lines.append(f"    marketplaces {', '.join(a.marketplaces) or '-'}")
        lines.append(f"    refresh token {_secret_text(found, vault, a.storage)}")
        v = a.last_verify
        lines.append("    last verify  " + ("never" if v is None else
                                            f"{'ok' if v.ok else 'FAILED'} on "
                                            f"{v.at.isoformat()}: {v.detail}"))
    print("\n".join(lines))
    for where, exc in vault.failed.items():
        print(f"{PROG}: note: the {where} could not be read: {exc.message}", file=sys.stderr)
        for option in exc.options:
            print(f"  - {option}", file=sys.stderr)
    return EXIT_OK


# --- remove ------------------------------------------------------------------------------------

def cmd_profile_remove(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    if not args.yes:
        if not is_terminal(sys.stdin):
            raise UsageError(f"Removing profile '{record.name}' deletes its client secret and "
                             f"{len(record.authorizations)} refresh token(s), and stdin is not "
                             "a terminal to confirm that on.",
                             f"Add --yes to remove it from a script: {PROG} profile remove "
                             f"{record.name} --yes")
        question = (f"Remove profile '{record.name}' and delete its client secret and "
                    f"{len(record.authorizations)} refresh token(s) from where they are kept? "
                    "Sellers' authorizations at Amazon are not revoked by this.")
        if not asyncio.run(ask_yes_no(question)):
            print("Nothing was removed.", file=sys.stderr)
            return EXIT_CANCELLED
    return asyncio.run(_remove(args, record))


async def _remove(args: argparse.Namespace, record: ProfileRecord) -> int:
    vault = open_vault(args)
    for key, location in record.secret_entries():
        store = vault.store(location)
        what = describe_key(key)
        if store is None:
            print(f"- {what}: kept in memory by a demo run only; nothing to delete")
            continue
        try:
            deleted = await store.delete(key)
        except (SecretStoreError, OSError) as exc:  # OSError: writing the secrets file
            message = exc.message if isinstance(exc, SecretStoreError) else (
                f"Could not rewrite {store.describe()} ({exc.strerror or exc}).")
            options = exc.options if isinstance(exc, SecretStoreError) else ()
            raise CommandError(f"{message} Profile '{record.name}' was left in place, so "
                               "nothing is orphaned (entries reported deleted above are gone).",
                               "\n".join([*options, "Then run the same command again."])
                               ) from None
        print(f"- {what}: {'deleted from' if deleted else 'was not in'} "
              f"{store.describe()}")
    try:
        await asyncio.to_thread(profile_store(args).remove, record.name)
    except StoreError as exc:
        raise store_failure(exc) from None
    print(f"Removed profile '{record.name}' from {profile_store(args).path}.")
    from oauth_wizard.authorize import pending as attempts

    try:
        if attempts.delete(profile_store(args).config_dir, record.name):
            print("- its pending two-step attempt was deleted too", file=sys.stderr)
    except OSError:  # a leftover attempt file is harmless: it expires and names no secret
        print("note: its pending two-step attempt file could not be deleted.", file=sys.stderr)
    if record.authorizations:
        print("note: sellers can revoke the app's access in Seller Central (Apps and Services, "
              "Manage Your Apps); removing the profile does not.", file=sys.stderr)
    return EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard profile``: add (in ``profile_add``), list, show and remove."""
    from oauth_wizard.cli import profile_add

    parser.description = (
        "Keep app profiles: the app's facts in profiles.toml, "
        "its client secret in the system keyring.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser,
                                    required=True)
    profile_add.add_arguments(actions.add_parser(
        "add", help="describe an app and store its client secret"))
    add_list_arguments(actions.add_parser("list", help="list the profiles"))
    add_show_arguments(actions.add_parser("show", help="show one profile, its secrets masked"))
    add_remove_arguments(actions.add_parser(
        "remove", help="remove a profile and delete its secrets"))


def add_list_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard profile list``."""
    parser.description = (
        "List the profiles: name, kind, app state, marketplaces and the number of "
        "authorizations. Reads only profiles.toml (no keyring access).")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_profile_list)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard profile show``."""
    parser.description = (
        "Show everything about a profile. The client secret and each refresh token "
        "are read from where they are kept and shown masked, or as missing.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_profile_show)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


def add_remove_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard profile remove``."""
    parser.description = (
        "Delete the profile's client secret and refresh tokens from the keyring "
        "(or the --insecure-storage file), then the profile. Asks first on a terminal; "
        "elsewhere --yes is required. A keyring that refuses leaves the profile in place.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_profile_remove)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--yes", action="store_true",
                        help="do not ask (needed when stdin is not a terminal)")
