"""``profile add``: describe an app once, keep its client secret in the secret store.

Every field is checked by ``profile.build_profile`` (the same checks the wizard runs), and every
problem is named with its fix in one go. The client secret never comes from argv: stdin when it
is not a terminal, else a hidden prompt; and it is asked for only after the profile checked out
and the secret store proved usable, so nobody types a secret for nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from datetime import date

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.cli.common import (
    EXIT_OK,
    UsageError,
    add_store_options,
    announce,
    checked,
    config_dir,
    lower,
    next_command,
    note,
    open_secret_store,
    print_wrapped,
    report_soft,
    secret_store_failure,
    store_failure,
)
from oauth_wizard.cli.prompts import PromptError, ask_yes_no, is_terminal, read_secret
from oauth_wizard.core.masking import mask
from oauth_wizard.core.profile import APP_STATES, AppProfile, build_profile
from oauth_wizard.core.records import ProfileRecord, client_secret_key
from oauth_wizard.core.validation import check_client_secret
from oauth_wizard.keep.fallback import file_store, keep_client_secret_in_file
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

OPTIONS = {"name": "NAME", "app_id": "--app-id", "client_id": "--client-id",
           "app_state": "--app-state", "kind": "--vendor", "edits_pending": "--edits-pending",
           "marketplaces": "--marketplace", "dev_ids": "--dev-id", "login_uri": "--login-uri"}
LOOPBACK = ("127.0.0.1", "localhost")


def _option(field: str, redirects: int) -> str:
    if field.startswith("redirect_uri_"):
        index = int(field.rsplit("_", 1)[1])
        return "--redirect-uri" if redirects < 2 else f"--redirect-uri #{index + 1}"
    if field.startswith("dev_id_"):
        return f"--dev-id {field.removeprefix('dev_id_')}"
    return OPTIONS.get(field, field)


def _dev_ids(values: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        region, sep, dev_id = value.partition("=")
        if not sep or not region.strip() or not dev_id.strip():
            raise UsageError(f"--dev-id {value!r} is not REGION=ID.",
                             "Write it as --dev-id NA=123456789012 (regions NA, EU, FE).")
        found[region.strip().upper()] = dev_id.strip()
    return found


def _markets(values: list[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def build(args: argparse.Namespace) -> AppProfile:
    """The checked profile; a UsageError naming every problem (with its fix) otherwise."""
    built = build_profile(
        name=args.name, app_id=args.app_id, client_id=args.client_id,
        app_state=args.app_state, kind="vendor" if args.vendor else "seller",
        edits_pending=args.edits_pending, hybrid=args.hybrid, dev_ids=_dev_ids(args.dev_id),
        marketplace_codes=_markets(args.marketplace), login_uri=args.login_uri,
        redirect_uris=args.redirect_uri, simulated=Endpoints.from_env().simulated)
    count = len(args.redirect_uri)
    errors = [(f"{_option(p.field, count)}: {p.message}", p.fix)
              for p in built.problems if p.blocking]
    if errors:
        raise UsageError(*errors[0], more=errors[1:])
    for p in built.problems:
        report_soft([p], _option(p.field, count))
    return built.profile


def _from_aws(args: argparse.Namespace):
    """The credentials in ``--from-aws-secret``'s secret; its client ID fills --client-id."""
    from oauth_wizard.aws.session import AwsError
    from oauth_wizard.cli.aws_secret import failure, secrets_manager
    from oauth_wizard.keep.aws_secret import AwsSecretError, read_credentials

    try:
        imported = read_credentials(secrets_manager(args, "profile add --from-aws-secret"),
                                    args.from_aws_secret)
    except (AwsError, AwsSecretError) as exc:
        raise failure(exc) from None
    if args.client_id and args.client_id != imported.client_id:
        raise UsageError(f"--client-id {args.client_id} differs from the client ID in AWS "
                         f"secret {args.from_aws_secret} ({imported.client_id}).",
                         "Leave --client-id out to take the secret's, or name the right secret.")
    args.client_id = imported.client_id
    return imported


def cmd_profile_add(args: argparse.Namespace) -> int:
    if args.from_aws_secret:
        from oauth_wizard.cli.aws_secret import check_aws_available
        check_aws_available("profile add --from-aws-secret")
    elif not args.client_id:
        raise UsageError("--client-id is required (or --from-aws-secret ID, which holds it).",
                         "Add --client-id amzn1.application-oa2-client.<hex>.")
    imported = _from_aws(args) if args.from_aws_secret else None
    profile = build(args)
    profiles = ProfileStore(config_dir(args))
    try:
        existing = profiles.load().get(profile.name)
    except StoreError as exc:
        raise store_failure(exc) from None
    if existing is not None and not args.force:
        raise UsageError(f"A profile '{profile.name}' already exists in {profiles.path}; it was "
                         "left as it is.", "Choose another name, or replace it with --force "
                         "(its recorded authorizations are kept).")
    secrets = open_secret_store(args)
    key = client_secret_key(profile.name)
    try:
        asyncio.run(secrets.check(write=True))
    except SecretStoreError as exc:
        raise secret_store_failure(exc) from None
    previous = asyncio.run(_previous_secret(secrets, key, profile.name))
    try:
        raw = imported.client_secret if imported else read_secret("client secret")
    except PromptError as exc:
        raise UsageError(exc.message, exc.fix) from None
    secret = checked(check_client_secret(raw, required=True), "client secret")
    record = replace(_record(profile, secrets.location, existing, previous, secret),
                     sandbox_app=args.sandbox_app)
    where = asyncio.run(_save(args, record, secret, secrets, profiles, existing))
    app = record.app
    markets = ", ".join(app.marketplaces)
    print(f"Saved profile '{app.name}': {app.app_state} {app.kind} app {app.app_id}, "
          f"marketplaces {markets}; client secret {mask(secret)} in {where}.")
    if imported is not None and imported.refresh_token:
        return _keep_imported_token(args, record, imported.refresh_token)
    print(f"next: {next_command(args, 'authorize ' + app.name)}")
    return EXIT_OK


def _keep_imported_token(args: argparse.Namespace, record: ProfileRecord, token: str) -> int:
    """The AWS secret's refresh token, proven and kept as ``self-auth`` keeps one, when the
    app's marketplaces name one region (a refresh token is for one region)."""
    from oauth_wizard.cli.selfauth import keep_imported_token

    regions = record.app.regions()
    if len(regions) != 1:
        note(f"the AWS secret's refresh token was not kept: the app's marketplaces span "
             f"{', '.join(regions)} and the secret does not say which region it is for. Pipe "
             f"it to: {next_command(args, f'self-auth {record.name} --region REGION')}")
        return EXIT_OK
    return keep_imported_token(args, record, regions[0], token)


async def _previous_secret(secrets: SecretStore, key: str, name: str) -> str | None:
    """The secret kept for this name before (so a rotation is dated), read before the prompt:
    a store that hangs on a real entry fails here, before anything is typed."""
    try:
        return await secrets.get(key)
    except SecretStoreError as exc:
        raise secret_store_failure(SecretStoreError(
            exc.kind, f"While checking for a client secret saved earlier for '{name}' (before "
            f"asking for the new one): {exc.message}", exc.options, backend=exc.backend)) from None


def _record(profile: AppProfile, location: str, existing: ProfileRecord | None,
            previous: str | None, secret: str) -> ProfileRecord:
    today = date.today()
    if existing is None:
        return ProfileRecord(profile, location, today)
    if existing.app.app_id != profile.app_id and existing.authorizations:
        note(f"profile '{profile.name}' now has another app ID; its "
             f"{len(existing.authorizations)} recorded authorization(s) were kept but "
             "belong to the earlier app.", "warning")
    same = previous == secret and existing.client_secret_first_seen is not None
    return replace(existing, app=profile, secret_storage=location,
                   client_secret_first_seen=existing.client_secret_first_seen
                   if same else today,
                   client_secret_rotated=existing.client_secret_rotated
                   if same else (today if previous else None),
                   # Amazon's expiry date was the old secret's
                   client_secret_expires=existing.client_secret_expires if same else None)


async def _save(args: argparse.Namespace, record: ProfileRecord, secret: str,
                secrets: SecretStore, profiles: ProfileStore,
                existing: ProfileRecord | None) -> str:
    """The profile first, then its secret: a kill in between leaves a profile whose secret
    ``status`` reports missing, never a secret no profile names. When the store refuses the
    typed secret, the 0600 file is offered (on a terminal); otherwise the profile is taken
    back and the message says the secret was not kept."""
    name = record.name
    try:
        await asyncio.to_thread(profiles.put, record, overwrite=existing is not None)
    except StoreError as exc:
        raise store_failure(exc) from None
    try:
        await secrets.set(client_secret_key(name), secret)
        return secrets.describe()
    except SecretStoreError as exc:
        refused = exc
    if secrets.location != "file" and is_terminal(sys.stdin):
        print_wrapped(sys.stderr, refused.message, indent="  ", first="")
        path = file_store(profiles.config_dir, announce).path
        if await ask_yes_no(f"Keep the client secret you typed in the plain-text file {path} "
                            "(mode 0600) instead? Anyone who can read that file can use it."):
            try:
                kept = await keep_client_secret_in_file(profiles.config_dir, name, secret,
                                                        announce)
            except SecretStoreError as again:
                refused = again
            else:
                if kept.note:
                    note(kept.note)
                return kept.where
    await asyncio.to_thread(_take_back, profiles, record, existing)
    raise secret_store_failure(SecretStoreError(
        refused.kind, f"{refused.message} The client secret you typed was not kept, and "
        f"profile '{name}' was left as it was.", refused.options,
        backend=refused.backend)) from None


def _take_back(profiles: ProfileStore, record: ProfileRecord,
               existing: ProfileRecord | None) -> None:
    """Undo the profile write after its secret could not be stored."""
    try:
        if existing is None:
            profiles.remove(record.name)
        else:
            profiles.put(existing, overwrite=True)
    except StoreError as exc:
        note(f"profile '{record.name}' stays in {profiles.path} without its secret "
             f"({exc.message}); `oauth-wizard status` reports it.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard profile add``."""
    parser.description = (
        "Describe an SP-API app once. The client secret is read from stdin when "
        "stdin is not a terminal (e.g. piped from a password manager), else from a hidden "
        "prompt; never from the command line.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_profile_add)
    parser.add_argument("name", metavar="NAME", help="the profile's name (letters, digits, . _ -)")
    parser.add_argument("--app-id", required=True, metavar="ID",
                        help="the app ID from Develop Apps (amzn1.sp.solution.<uuid>)")
    parser.add_argument("--client-id", metavar="ID",
                        help="the LWA client ID (amzn1.application-oa2-client.<hex>); required "
                        "unless --from-aws-secret gives it")
    parser.add_argument("--app-state", required=True, type=lower, choices=APP_STATES,
                        help="the app's state in the Solution Provider Portal; decides "
                             "version=beta")
    parser.add_argument("--marketplace", required=True, action="append", metavar="CC[,CC...]",
                        help="the marketplaces the app supports (repeat, or comma-separate)")
    parser.add_argument("--vendor", action="store_true", help="a vendor app (Vendor Central)")
    parser.add_argument("--login-uri", required=True, metavar="URI",
                        help="the app's registered Login URI, exactly as registered")
    parser.add_argument("--redirect-uri", required=True, action="append", metavar="URI",
                        help="a registered Redirect URI, exactly as registered (repeat for each; "
                        "the first is the default)")
    parser.add_argument("--hybrid", action="store_true",
                        help="a hybrid (SP-API + MWS) app: needs an MWS developer ID per region")
    parser.add_argument("--dev-id", action="append", default=[], metavar="REGION=ID",
                        help="an MWS developer ID of a hybrid app, e.g. NA=123456789012 (repeat)")
    parser.add_argument("--edits-pending", action="store_true",
                        help="a Published app with edits awaiting Amazon's approval")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing profile of that name (its authorizations stay)")
    parser.add_argument("--sandbox-app", action="store_true",
                        help="a sandbox application: Amazon's API cannot rotate its client "
                        "secret (rotate-secret says so before calling it)")
    parser.add_argument("--from-aws-secret", metavar="ID",
                        help="take the client ID, client secret and refresh token from this AWS "
                        "Secrets Manager secret (python-amazon-sp-api's keys; needs "
                        "oauth-wizard[aws])")
    parser.add_argument("--aws-region", metavar="R",
                        help="with --from-aws-secret: the secret's region (default: AWS_REGION)")
