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
from typing import Any

from oauth_wizard.cli.common import EXIT_NOT_OK, EXIT_OK, PROG, add_store_options, note
from oauth_wizard.cli.keep import (
    add_selectors,
    diagnosis_json,
    explain,
    keep_service,
    load_record,
    reauth_command,
    required,
    select,
)
from oauth_wizard.core.records import Authorization, ProfileRecord
from oauth_wizard.keep.reports import VerifyReport
from oauth_wizard.keep.service import VIA, auth_label, doctor_top

WHERE = f"{PROG} verify"
FORMAT = 1


def cmd_verify(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    auths = select(args, record)
    return asyncio.run(_verify_all(args, record, auths))


async def _verify_all(args: argparse.Namespace, record: ProfileRecord,
                      auths: list[Authorization]) -> int:
    service = keep_service(args)
    client_secret = required(await service.client_secret(record))
    results: list[dict[str, Any]] = []
    async with service.clients() as (lwa, spapi):
        for auth in auths:
            report = await service.verify(record, auth, client_secret, lwa=lwa, spapi=spapi,
                                          sandbox=args.sandbox)
            results.append(_show(args, record, auth, report))
    ok = all(r["ok"] for r in results)
    if args.json:
        print(json.dumps({"format": FORMAT, "profile": record.name, "sandbox": args.sandbox,
                          "ok": ok, "results": results}, ensure_ascii=False))
    elif len(results) > 1:
        good = sum(r["ok"] for r in results)
        print(f"{good} of {len(results)} authorization(s) of '{record.name}' verified.")
    return EXIT_OK if ok else EXIT_NOT_OK


def _show(args: argparse.Namespace, record: ProfileRecord, auth: Authorization,
          report: VerifyReport) -> dict[str, Any]:
    """Print one authorization's verify (the doctor's answer for a failure); its JSON."""
    base: dict[str, Any] = {"region": auth.region, "selling_partner_id": auth.selling_partner_id,
                            "how": auth.how}
    outcome, failure = report.outcome, report.failure
    if outcome is None:  # the refresh token could not be read
        assert failure is not None
        explain(WHERE, failure.message, failure.fix, failure.cause, "token-refresh",
                profile=record.app)
        return {**base, "ok": False, "outcome": None, "message": failure.message,
                "diagnosis": diagnosis_json(doctor_top(failure.message, failure.cause,
                                                       "token-refresh", record.app)),
                "next": None if failure.cause else reauth_command(args, record, auth),
                "recorded": False}
    if report.unrecorded:
        note(f"the result was not recorded: {report.unrecorded}", "warning")
    found = None
    out = sys.stderr if args.json else sys.stdout
    if outcome.ok:
        where = " (sandbox)" if args.sandbox else ""
        print(f"✓ {record.name}: {auth_label(auth)} verified{where}: "
              f"{len(outcome.marketplaces)} marketplace(s).", file=out)
        for m in outcome.marketplaces:
            flags = "" if m.participating else " (not participating)"
            flags += " (suspended listings)" if m.suspended else ""
            store = f", store {m.store_name!r}" if m.store_name else ""
            print(f"    {m.code:<4} {m.name or m.domain or m.marketplace_id}{store}{flags}",
                  file=out)
    else:
        assert failure is not None
        via = VIA.get(outcome.stage or "call", "api-call")
        explain(WHERE, f"{record.name}: {failure.message}", outcome.fix, outcome.cause_id, via,
                profile=record.app, next_step=failure.command)
        if args.json:
            found = doctor_top(outcome.message or "", outcome.cause_id, via, record.app)
    for warning in outcome.warnings:
        note(warning, "warning")
    for text in outcome.notes:
        note(text)
    return {**base, "ok": outcome.ok, "outcome": outcome.as_json(), "message": outcome.message,
            "diagnosis": diagnosis_json(found), "next": failure.command if failure else None,
            "recorded": report.recorded}


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
