"""``token NAME``: one credential alone on stdout, for ``$(oauth-wizard token NAME)``.

The refresh token as stored, or with ``--access`` a fresh access token (one hour) from LWA.
Stdout holds the value and one line break (which ``$(…)`` drops) and nothing else; notes go
to stderr, including a warning when stdout is a terminal (the secret is then on the
screen and in the scrollback). A profile with several authorizations needs ``--region`` or
``--selling-partner``: guessing would hand out another seller's token.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from oauth_wizard.cli.common import EXIT_NOT_OK, EXIT_OK, PROG, add_store_options, note
from oauth_wizard.cli.keep import (
    add_selectors,
    choose_one,
    explain,
    keep_service,
    load_record,
    reauth_command,
    required,
)
from oauth_wizard.cli.prompts import is_terminal
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
)
from oauth_wizard.keep.service import auth_label

WHERE = f"{PROG} token"


def cmd_token(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    auth = choose_one(args, record)
    return asyncio.run(_print_token(args, record, auth))


async def _print_token(args: argparse.Namespace, record: ProfileRecord, auth: Authorization) -> int:
    service = keep_service(args)
    label = auth_label(auth)
    token = required(await service.refresh_token(record, auth))
    value = token
    if args.access:
        secret = required(await service.client_secret(record))
        from oauth_wizard.amazon.lwa import LwaError

        async with service.clients() as (lwa, _spapi):
            try:
                value = (await lwa.refresh(token, record.app.client_id, secret)).access_token
            except LwaError as exc:
                explain(WHERE, f"LWA refused to refresh the token of {label}: {exc.message}",
                        exc.fix, exc.cause_id, "token-refresh", profile=record.app,
                        next_step=reauth_command(args, record, auth)
                        if exc.cause_id == "refresh_token_revoked_or_expired" else None)
                return EXIT_NOT_OK
    if is_terminal(sys.stdout):
        kind = "access token (valid one hour)" if args.access else "refresh token"
        note(f"this prints the {kind} on your screen, where it stays in the scrollback; use it "
             f"in a script instead, e.g. TOKEN=$({PROG} token {record.name}).", "warning")
    sys.stdout.write(value + "\n")
    sys.stdout.flush()
    return EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard token``."""
    parser.description = (
        "Print the refresh token (or with --access a fresh access token) alone on "
        "stdout, for $(oauth-wizard token NAME).")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_token)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--access", action="store_true",
                        help="a fresh access token from LWA (valid one hour) instead")
    add_selectors(parser)
