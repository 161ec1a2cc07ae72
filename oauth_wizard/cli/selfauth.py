"""``self-auth NAME``: keep the refresh token Seller Central's Authorize button shows.

The token comes from stdin when stdin is not a terminal (``printf '%s' "$TOKEN" | ...``), else
from a hidden prompt; never from argv. Its shape is checked first (without ever echoing it),
then ``selfauth.self_authorize`` proves it at LWA, learns the marketplaces with the verify call,
stores it and records the authorization. Everything that can be settled without the token (the
profile, the region, the secret store and the client secret) is settled before it is asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from oauth_wizard.cli.common import (
    EXIT_NOT_OK,
    EXIT_OK,
    PROG,
    CommandError,
    UsageError,
    add_store_options,
    checked,
    note,
    open_secret_store,
    secret_store_failure,
)
from oauth_wizard.cli.keep import (
    explain,
    keep_service,
    load_record,
    now,
    open_vault,
    profile_store,
    region_type,
    regions_of,
    required,
    secret_fix,
    with_globals,
)
from oauth_wizard.cli.prompts import PromptError, read_secret
from oauth_wizard.core.records import ProfileRecord, client_secret_key
from oauth_wizard.core.tokens import check_refresh_token, check_selling_partner_id
from oauth_wizard.keep.secrets import SecretStoreError
from oauth_wizard.keep.selfauth import SelfAuthError, self_authorize
from oauth_wizard.keep.service import VIA, spid_label

WHERE = f"{PROG} self-auth"


def _region(args: argparse.Namespace, record: ProfileRecord) -> str:
    regions = regions_of(record)
    if args.region:
        if regions and args.region not in regions:
            note(f"profile '{record.name}' lists no marketplace in {args.region} (its regions: "
                 f"{', '.join(regions)}); continuing, as the token decides.", "warning")
        return args.region
    if len(regions) == 1:
        return regions[0]
    if not regions:
        raise UsageError(f"Profile '{record.name}' lists no marketplace, so the region of the "
                         "token is not known.", "Add --region NA, EU or FE: the region of the "
                         "Seller Central account whose Authorize button you used.")
    raise UsageError(f"Profile '{record.name}' has marketplaces in several regions "
                     f"({', '.join(regions)}); say which regional account the token is from.",
                     f"Add --region, one of: {', '.join(regions)} (a merged account has one "
                     "Authorize button per region: run self-auth once per region).")


def keep_imported_token(args: argparse.Namespace, record: ProfileRecord, region: str,
                        token: str) -> int:
    """``profile add --from-aws-secret``: keep the secret's refresh token as self-auth does."""
    return asyncio.run(_self_authorize(args, record, region, None, token))


def cmd_self_auth(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    region = _region(args, record)
    spid = (checked(check_selling_partner_id(args.selling_partner), "--selling-partner")
            if args.selling_partner else None)
    return asyncio.run(_self_authorize(args, record, region, spid))


async def _self_authorize(args: argparse.Namespace, record: ProfileRecord, region: str,
                spid: str | None, given: str | None = None) -> int:
    """Keep a refresh token (typed, piped, or ``given`` by an import) after proving it."""
    secrets = open_secret_store(args)
    try:
        await secrets.check(write=True)
    except SecretStoreError as exc:
        raise secret_store_failure(exc) from None
    client_secret = required(await open_vault(args).need(
        client_secret_key(record.name), record.secret_storage,
        f"the client secret of profile '{record.name}'",
        f"{secret_fix(args, record)}\nLWA needs it to prove the token."))
    try:
        raw = given if given is not None else read_secret("refresh token")
    except PromptError as exc:
        raise UsageError(exc.message, exc.fix) from None
    token = checked(check_refresh_token(raw), "refresh token")
    async with keep_service(args).clients() as (lwa, spapi):
        try:
            result = await self_authorize(
                record, token, region, client_secret=client_secret, lwa=lwa, spapi=spapi,
                secrets=secrets, profiles=profile_store(args), now=now(),
                selling_partner_id=spid)
        except SelfAuthError as exc:
            if exc.stage == "refresh":
                explain(WHERE, exc.message, exc.fix, exc.cause, exc.via, profile=record.app)
                return EXIT_NOT_OK
            raise CommandError(exc.message, exc.fix) from None
    a = result.authorization
    for text in result.notes:
        note(text, "warning")
    markets = ", ".join(a.marketplaces) or "none listed"
    stores = ", ".join(result.outcome.store_names)
    print(f"Self-authorized profile '{record.name}' in {a.region}: marketplaces {markets}"
          f"{f' (store {stores})' if stores else ''}.")
    print(f"Selling partner: {spid_label(a.selling_partner_id)}.")
    print(f"Refresh token {result.masked_token} stored in {result.storage}.")
    if spid is None:
        note("Seller Central does not show the selling partner id with a self-authorization "
             f"token, so it is kept as {a.selling_partner_id}; pass --selling-partner ID (your "
             "Merchant Token) to record the real one.")
    for old in result.replaced:
        print(f"Replaced the earlier self-authorization {old.selling_partner_id} of "
              f"{old.region}.", file=sys.stderr)
    outcome = result.outcome
    for warning in outcome.warnings:
        note(warning, "warning")
    if not outcome.ok:
        explain(WHERE, f"The token is stored, but the verify call failed: {outcome.message}",
                outcome.fix, outcome.cause_id, VIA.get(outcome.stage or "call", "api-call"),
                profile=record.app, next_step=with_globals(args, f"{PROG} verify {record.name}"))
        return EXIT_NOT_OK
    print(f"next: {with_globals(args, f'{PROG} export {record.name} --format FORMAT')} "
          f"(or {PROG} token {record.name})")
    return EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard self-auth``."""
    parser.description = (
        "Keep the refresh token Seller Central shows after Authorize app (your own "
        "account). The token is read from stdin when stdin is not a terminal, else from a "
        "hidden prompt; never from the command line. It is checked, proven by a refresh at LWA, "
        "its marketplaces are learned with the verify call, and it is stored. A merged "
        "account has one Authorize button per region: run this once per region.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_self_auth)
    parser.add_argument("name", metavar="NAME", help="the profile (see: profile add)")
    parser.add_argument("--region", type=region_type, metavar="NA|EU|FE",
                        help="the region of the Seller Central account (default: the "
                        "profile's only region)")
    parser.add_argument("--selling-partner", metavar="ID",
                        help="your Merchant Token, if you know it (Seller Central does not "
                        "show it with the token; default: the placeholder self-REGION)")
