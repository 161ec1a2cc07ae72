"""``verify NAME``: prove each stored authorization works with a real SP-API call.

For each authorization (or the one ``--region``/``--selling-partner`` pick): refresh at LWA,
then ``GET /sellers/v1/marketplaceParticipations`` on the region's endpoint with the user
agent (``spapi.verify``); show the marketplaces and store names; warn when the region does not
match; explain each failure with the doctor's cause and fix. The result is recorded as the
authorization's last verify (not for ``--sandbox``, whose answers are canned examples that prove
nothing about the grant). Exit 1 when any authorization does not verify.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from oauth_wizard.cli.common import (
    EXIT_NOT_OK,
    EXIT_OK,
    PROG,
    CommandError,
    add_store_options,
    note,
)
from oauth_wizard.cli.keep import (
    VIA,
    Vault,
    add_selectors,
    clients,
    diagnosis_json,
    doctor_says,
    explain,
    load_record,
    now,
    profile_store,
    reauth_command,
    secret_fix,
    select,
    spid_label,
    with_globals,
)
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.keep.store import StoreError

if TYPE_CHECKING:
    from oauth_wizard.amazon.lwa import LwaClient
    from oauth_wizard.amazon.spapi import SpApiClient, VerifyOutcome

WHERE = f"{PROG} verify"
FORMAT = 1


def _next(args: argparse.Namespace, record: ProfileRecord, auth: Authorization,
          cause: str | None, detected: str | None) -> str | None:
    """The exact command that fixes this failure, when there is one."""
    from oauth_wizard.keep.status import REAUTH_CAUSES, SECRET_CAUSES, secret_command

    if cause == "wrong_region_endpoint" and detected:
        if auth.how == "self-auth":
            return with_globals(args, f"{PROG} self-auth {record.name} --region {detected}")
        return None
    if cause in REAUTH_CAUSES:
        return reauth_command(args, record, auth)
    if cause in SECRET_CAUSES:
        return with_globals(args, secret_command(record))
    if cause in ("throttled", "amazon_side_issue", "lwa_unreachable", "spapi_unreachable"):
        return with_globals(args, f"{PROG} verify {record.name} --region {auth.region}")
    return None


def cmd_verify(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    auths = select(args, record)
    return asyncio.run(_main(args, record, auths))


async def _main(args: argparse.Namespace, record: ProfileRecord,
                auths: list[Authorization]) -> int:
    vault = Vault(args)
    client_secret = await vault.need(
        client_secret_key(record.name), record.secret_storage,
        f"the client secret of profile '{record.name}'",
        secret_fix(args, record))
    results: list[dict[str, Any]] = []
    async with clients() as (lwa, spapi):
        for auth in auths:
            results.append(await _one(args, record, auth, client_secret, vault, lwa, spapi))
    ok = all(r["ok"] for r in results)
    if args.json:
        print(json.dumps({"format": FORMAT, "profile": record.name, "sandbox": args.sandbox,
                          "ok": ok, "results": results}, ensure_ascii=False))
    elif len(results) > 1:
        good = sum(r["ok"] for r in results)
        print(f"{good} of {len(results)} authorization(s) of '{record.name}' verified.")
    return EXIT_OK if ok else EXIT_NOT_OK


async def _one(args: argparse.Namespace, record: ProfileRecord, auth: Authorization,
               client_secret: str, vault: Vault, lwa: LwaClient, spapi: SpApiClient
               ) -> dict[str, Any]:
    from oauth_wizard.amazon.spapi import verify

    label = f"{auth.region} {spid_label(auth.selling_partner_id)}"
    base: dict[str, Any] = {"region": auth.region, "selling_partner_id": auth.selling_partner_id,
                            "how": auth.how}
    key = refresh_token_key(record.name, auth.region, auth.selling_partner_id)
    try:
        token = await vault.need(key, auth.storage, f"the refresh token of {label}",
                                 f"Authorize again: {reauth_command(args, record, auth)}")
    except CommandError as exc:
        message, fix = exc.errors[0]
        cause = "secret_store" if vault.failed else None
        explain(WHERE, message, fix, cause, "token-refresh", profile=record.app)
        return {**base, "ok": False, "outcome": None, "message": message,
                "diagnosis": diagnosis_json(doctor_says(message, cause, "token-refresh",
                                                        record.app)),
                "next": None if cause else reauth_command(args, record, auth),
                "recorded": False}
    outcome = await verify(token, record.app.client_id, client_secret, auth.region, lwa=lwa,
                           spapi=spapi, sandbox=args.sandbox)
    recorded = False
    if not args.sandbox:
        recorded = await _record(args, record, auth, outcome)
    found = None
    step = None
    out = sys.stderr if args.json else sys.stdout
    if outcome.ok:
        where = " (sandbox)" if args.sandbox else ""
        print(f"✓ {record.name}: {label} verified{where}: "
              f"{len(outcome.marketplaces)} marketplace(s).", file=out)
        for m in outcome.marketplaces:
            flags = "" if m.participating else " (not participating)"
            flags += " (suspended listings)" if m.suspended else ""
            store = f", store {m.store_name!r}" if m.store_name else ""
            print(f"    {m.code:<4} {m.name or m.domain or m.marketplace_id}{store}{flags}",
                  file=out)
    else:
        step = _next(args, record, auth, outcome.cause_id, outcome.detected_region)
        via = VIA.get(outcome.stage or "call", "api-call")
        explain(WHERE, f"{record.name}: {label} did not verify: {outcome.message}",
                outcome.fix, outcome.cause_id, via, profile=record.app, next_step=step)
        if args.json:
            found = doctor_says(outcome.message or "", outcome.cause_id, via, record.app)
    for warning in outcome.warnings:
        note(scrub(warning, [token, client_secret]), "warning")
    for text in outcome.notes:
        note(text)
    return {**base, "ok": outcome.ok, "outcome": outcome.as_json(), "message": outcome.message,
            "diagnosis": diagnosis_json(found), "next": step, "recorded": recorded}


async def _record(args: argparse.Namespace, record: ProfileRecord, auth: Authorization,
                  outcome: VerifyOutcome) -> bool:
    """Record the last verify (and, on success, the marketplaces the call returned)."""
    result = outcome.to_verify_result(now())
    markets = tuple(m.code for m in outcome.marketplaces if m.known and m.participating)

    def change(current: ProfileRecord) -> ProfileRecord:
        kept = current.authorization(auth.region, auth.selling_partner_id)
        if kept is None:  # removed meanwhile: nothing to record
            return current
        new = replace(kept, last_verify=result,
                      marketplaces=markets if outcome.ok and markets else kept.marketplaces)
        return current.with_authorization(new)

    try:
        await asyncio.to_thread(profile_store(args).update, record.name, change)
    except StoreError as exc:
        note(f"the result was not recorded: {exc.message}", "warning")
        return False
    return True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard verify``."""
    parser.description = (
        "For each authorization of the profile: refresh at LWA, then call "
        "getMarketplaceParticipations on the region's endpoint; show the marketplaces and "
        "store names, and for a failure the doctor's cause and fix. Exit 1 when any does not "
        "verify.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_verify)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--sandbox", action="store_true",
                        help="call the region's sandbox endpoint (not recorded as last verify)")
    add_selectors(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
