"""``export NAME --format FORMAT``: hand the credentials to the library the developer uses.

The text comes from ``export.render`` (its docstring explains each format's decisions). Files
are written 0600 and never over an existing file without ``--force`` (``psa-yaml`` adds its
account block to an existing credentials.yml and needs ``--force`` only to replace that block).
Formats without a file of their own (``psa-env``, ``spapi-config``, ``mcp-env``, ``dotenv``) go
to stdout unless ``--output`` names a file; ``--output -`` sends any format to stdout. What to do
next (``export.notes``) goes to stderr, so stdout holds only the export.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from oauth_wizard.cli.common import EXIT_OK, CommandError, UsageError, add_store_options, note
from oauth_wizard.cli.keep import (
    add_selectors,
    choose_one,
    keep_service,
    load_record,
    required,
)
from oauth_wizard.cli.prompts import is_terminal
from oauth_wizard.core.marketplaces import UnknownMarketplaceError, lookup
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
)
from oauth_wizard.keep.export import FORMATS
from oauth_wizard.keep.service import default_marketplace, spid_label

INPUT_KINDS = ("bad_input", "exists", "account_exists")
AWS_FORMAT = "aws-secrets-manager"


def _marketplace(args: argparse.Namespace, record: ProfileRecord,
                 auth: Authorization) -> str | None:
    """``--marketplace``, else the authorization's first (or the app's first) in its region."""
    if args.marketplace:
        try:
            market = lookup(args.marketplace)
        except UnknownMarketplaceError as exc:
            raise UsageError(f"--marketplace: {exc}.", "Pass a country code such as DE.") from None
        if market.region != auth.region:
            raise UsageError(f"--marketplace {market.code} is in {market.region}, but this "
                             f"authorization is for {auth.region}.",
                             f"Choose a marketplace of {auth.region}.")
        return market.code
    return default_marketplace(record, auth)


def cmd_export(args: argparse.Namespace) -> int:
    from oauth_wizard.keep.export import (
        ExportError,
        default_path,
        export_to_file,
        notes,
        render,
    )

    record = load_record(args, args.name)
    if args.format == AWS_FORMAT:
        return _export_to_aws(args, record)
    if args.secret_id or args.aws_region:
        raise UsageError("--secret-id and --aws-region are for --format aws-secrets-manager.",
                         "Leave them out, or use that format.")
    auth = choose_one(args, record)
    target = None if args.output == "-" else (
        Path(args.output).expanduser() if args.output else default_path(args.format))
    if args.force and target is None:
        note("--force has no effect when the export goes to stdout.")
    market = _marketplace(args, record, auth)  # input errors first, then the keyring
    creds = required(asyncio.run(keep_service(args).export_credentials(
        record, auth, marketplace=market, account=args.account)))
    try:
        if target is None:
            text = render(args.format, creds)
        else:
            written = export_to_file(args.format, creds, target, force=args.force)
    except ExportError as exc:
        code = 2 if exc.kind in INPUT_KINDS else 1
        raise CommandError(exc.message, exc.fix, code=code) from None
    if target is None:
        if is_terminal(sys.stdout):
            note("this prints secrets on your screen, where they stay in the scrollback; "
                 "redirect it to a file (> FILE, or --output FILE for mode 0600).", "warning")
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        how = "wrote" if written.created else "updated"
        print(f"{how.capitalize()} {written.path} ({args.format}, mode 0600) with the "
              f"credentials of profile '{record.name}', {auth.region} "
              f"{spid_label(auth.selling_partner_id)}.")
    for text_note in notes(args.format, creds, path=target, profile=record.name):
        note(text_note)
    return EXIT_OK


def _export_to_aws(args: argparse.Namespace, record: ProfileRecord) -> int:
    """Create the secret or put a new version, read it back, compare, then say done."""
    from oauth_wizard.aws.session import AwsError
    from oauth_wizard.cli.aws_secret import failure, secrets_manager
    from oauth_wizard.keep.aws_secret import AwsSecretError, write_credentials

    if not args.secret_id:
        raise UsageError("--format aws-secrets-manager needs --secret-id ID (the secret's name "
                         "or ARN).", "Add --secret-id, e.g. --secret-id sp-api/shop.")
    if args.output or args.account or args.marketplace or args.force:
        raise UsageError("--output, --force, --account and --marketplace have no meaning for "
                         "an AWS secret.", "Leave them out.")
    auth = choose_one(args, record)
    sm = secrets_manager(args, "export --format aws-secrets-manager")
    creds = required(asyncio.run(keep_service(args).export_credentials(record, auth)))
    try:
        written = write_credentials(sm, args.secret_id, creds.client_id, creds.client_secret,
                                    creds.refresh_token)
    except (AwsError, AwsSecretError) as exc:
        raise failure(exc) from None
    how = "Created" if written.created else "Put a new version of"
    print(f"{how} AWS secret {written.secret_id} ({written.version}) with the credentials of "
          f"profile '{record.name}', {auth.region} {spid_label(auth.selling_partner_id)}; read "
          "back and compared.")
    note(f"python-amazon-sp-api reads it with SP_API_AWS_SECRET_ID={written.secret_id} "
         "(and its [aws] extra); other keys the secret held are kept.")
    return EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard export``."""
    parser.description = (
        "Write the credentials in the format a library reads. Files are written "
        "with mode 0600 and never over an existing file without --force. psa-yaml and "
        "amz-tools go to their library's file by default, the others to stdout; "
        "aws-secrets-manager goes to the AWS secret --secret-id names.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_export)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--format", required=True, choices=(*FORMATS, AWS_FORMAT),
                        metavar="FORMAT", help=f"one of: {', '.join((*FORMATS, AWS_FORMAT))}")
    parser.add_argument("--output", metavar="F",
                        help="write to file F (- for stdout); default: the library's file for "
                        "psa-yaml and amz-tools, stdout for the others")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing file (psa-yaml: that account's block)")
    parser.add_argument("--account", metavar="NAME",
                        help="psa-yaml account block / psa-env variable suffix (default: the "
                        "default account, no suffix)")
    parser.add_argument("--marketplace", metavar="CC",
                        help="the default marketplace written where the format has one "
                        "(default: the authorization's first)")
    parser.add_argument("--secret-id", metavar="ID",
                        help="aws-secrets-manager: the secret's name or ARN (created, or a new "
                        "version put; needs oauth-wizard[aws])")
    parser.add_argument("--aws-region", metavar="R",
                        help="aws-secrets-manager: the secret's region (default: AWS_REGION)")
    add_selectors(parser)
