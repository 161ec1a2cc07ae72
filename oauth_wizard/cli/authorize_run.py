"""One ``authorize`` invocation's settled facts, and what every mode shares.

The profile, marketplace and Redirect URI are chosen and option mistakes refused before anything
happens; ``open_flow`` builds the shared ``AuthorizeFlow`` over one HTTP client; ``rescue``
handles the one failure that must not lose anything silently: a token the store refused.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from oauth_wizard.amazon.endpoints import Endpoints
from oauth_wizard.amazon.http import http_client
from oauth_wizard.amazon.lwa import LwaClient
from oauth_wizard.amazon.useragent import user_agent
from oauth_wizard.authorize import pending as attempts
from oauth_wizard.authorize.catcher_checks import DEFAULT_TIMEOUT_S
from oauth_wizard.authorize.flow import AuthorizeFlow, AuthorizeSetup, TokenNotSaved
from oauth_wizard.cli.common import (
    EXIT_OK,
    PROG,
    CommandError,
    UsageError,
    announce,
    config_dir,
    marketplace,
    next_command,
    note,
    print_wrapped,
    store_failure,
)
from oauth_wizard.cli.progress import Progress, print_authorized
from oauth_wizard.cli.prompts import ask_yes_no, is_terminal
from oauth_wizard.core.events import Authorized, FlowEvent
from oauth_wizard.core.marketplaces import Marketplace, lookup
from oauth_wizard.core.masking import mask
from oauth_wizard.core.records import PendingState, ProfileRecord
from oauth_wizard.keep.fallback import file_store, keep_token_in_file
from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

WHERE = f"{PROG} authorize"


@dataclass
class Run:
    """Everything one invocation settled before talking to anyone."""

    args: argparse.Namespace
    config_dir: Path
    record: ProfileRecord
    market: Marketplace
    redirect_uri: str | None
    endpoints: Endpoints
    progress: Progress
    attempt: attempts.Attempt | None = None
    secrets: SecretStore | None = None
    client_secret: str = ""

    @property
    def name(self) -> str:
        return self.record.name


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def check_options(args: argparse.Namespace) -> None:
    """Option combinations that cannot work, refused before anything happens."""
    modes = [flag for flag, on in (("--paste", args.paste), ("--start", args.start),
                                   ("--complete", args.complete is not None)) if on]
    if len(modes) > 1:
        raise UsageError(f"{' and '.join(modes)} are different modes; choose one.",
                         "Use --paste for pasting in this terminal, or --start then --complete "
                         "for two separate commands.")
    if args.json and not args.start:
        raise UsageError("--json goes with --start (the two-step mode's first step).",
                         f"Run: {PROG} authorize {args.name} --start --json")
    listen_only = [o for o, v in (("--port", args.port), ("--timeout", args.timeout),
                                  ("--plain-http", args.plain_http), ("--cert", args.cert),
                                  ("--key", args.key)) if v not in (None, False)]
    if modes and listen_only:
        raise UsageError(f"{', '.join(listen_only)} only apply when the wizard listens for the "
                         f"redirect, not with {modes[0]} (nothing listens then).",
                         f"Leave {', '.join(listen_only)} out, or drop {modes[0]}.")
    if (args.cert is None) != (args.key is None):
        raise UsageError("--cert and --key go together: the certificate and its private key.",
                         "Pass both, e.g. from mkcert: --cert HOST.pem --key HOST-key.pem.")
    if args.plain_http and args.cert:
        raise UsageError("--plain-http serves plain HTTP, so --cert/--key would not be used.",
                         "With a tunnel or reverse proxy doing TLS, leave --cert/--key out.")
    if args.plain_http and args.port is None:
        raise UsageError("--plain-http needs --port N: the local port your tunnel or reverse "
                         "proxy forwards to.", "Add --port N (a free port above 1023).")
    if args.port is not None and not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number.", "Use 1 to 65535.")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds.",
                         f"Leave it out for {DEFAULT_TIMEOUT_S:g} s, or give e.g. --timeout 900.")


def _choose_market(args: argparse.Namespace, record: ProfileRecord) -> Marketplace:
    supported = record.app.marketplaces
    listed = ", ".join(supported) or "none"
    if args.marketplace is None:
        if len(supported) == 1:
            return lookup(supported[0])
        raise UsageError(f"Profile '{record.name}' lists several marketplaces ({listed}); say "
                         "which one the seller authorizes in (it decides the region).",
                         f"Add --marketplace CC, one of: {listed}.")
    market = marketplace(args.marketplace)
    if supported and market.code not in supported and not getattr(args, "force", False):
        raise UsageError(f"--marketplace {market.code} is not one of profile '{record.name}''s "
                         f"marketplaces ({listed}); Amazon refuses a marketplace the app does not "
                         "support (MD5100).", f"Use one of {listed}, or, if the app supports "
                         f"{market.code}, add it to the profile (profile add {record.name} ... "
                         "--force); add --force to try it anyway.")
    return market


def _choose_redirect(given: str | None, record: ProfileRecord) -> str | None:
    if given is None or given in record.app.redirect_uris:
        return given
    listed = ", ".join(record.app.redirect_uris) or "none"
    raise UsageError(f"--redirect-uri {given} is not one of profile '{record.name}''s Redirect "
                     f"URIs ({listed}); Amazon answers MD5101 for an unregistered one.",
                     "Pass one of them exactly, character for character, or leave it out to "
                     "use the first.")


def prepare(args: argparse.Namespace) -> Run:
    cfg = config_dir(args)
    try:
        record = ProfileStore(cfg).get(args.name)
    except StoreError as exc:
        raise store_failure(exc) from None
    attempt = None
    if args.complete is not None:
        try:
            attempt = attempts.load(cfg, record.name)
        except attempts.AttemptError as exc:
            raise CommandError(exc.message, exc.fix,
                               code=2 if exc.kind == "missing" else None) from None
        market = lookup(attempt.marketplace)
        redirect = attempt.pending.redirect_uri
        if args.marketplace is not None and marketplace(args.marketplace).code != market.code:
            raise UsageError(f"This attempt was started for {market.code}, not "
                             f"{args.marketplace}.", "Leave --marketplace out with --complete.")
        if args.redirect_uri is not None and args.redirect_uri != redirect:
            raise UsageError("This attempt was started with another Redirect URI.",
                             "Leave --redirect-uri out with --complete.")
    else:
        market = _choose_market(args, record)
        redirect = _choose_redirect(args.redirect_uri, record)
    return Run(args, cfg, record, market, redirect, Endpoints.from_env(), Progress(),
               attempt=attempt)


def no_client_secret(run: Run) -> CommandError:
    assert run.secrets is not None
    kept = run.record.secret_storage
    if kept == "file" and run.secrets.location != "file":
        fix = "It was saved with --insecure-storage: add --insecure-storage to this command."
    elif kept == "keyring" and run.secrets.location == "file":
        fix = "It was saved in the system keyring: run this command without --insecure-storage."
    else:
        fix = (f"Add it again: {PROG} profile add {run.name} ... --force (the client secret "
               "is read from stdin or a hidden prompt).")
    return CommandError(f"Profile '{run.name}' has no client secret in "
                        f"{run.secrets.describe()}, and the code exchange needs it.", fix)


@contextlib.asynccontextmanager
async def open_flow(run: Run, pending: PendingState | None = None,
                    on_event: Callable[[FlowEvent], object] | None = None
                    ) -> AsyncIterator[AuthorizeFlow]:
    """The flow over one HTTP client; a fresh ProfileStore records the result, so a profiles
    file written by another command meanwhile is re-read, not refused."""
    agent = user_agent()
    setup = AuthorizeSetup(run.record.app, run.client_secret, run.market.code,
                           run.redirect_uri, run.endpoints)
    assert run.secrets is not None
    async with http_client() as http:
        lwa = LwaClient(http, run.endpoints.token_url(), user_agent=agent,
                        on_retry=run.progress.retry)
        yield AuthorizeFlow(setup, lwa=lwa, secrets=run.secrets,
                            profiles=ProfileStore(run.config_dir),
                            on_event=on_event or run.progress.event, pending=pending)


# --- when the secret store refuses the token ---------------------------------------------------

async def rescue(run: Run, exc: TokenNotSaved) -> int:
    """The code is spent and the token exists only in memory: offer the announced file (on a
    terminal, explicitly), or say plainly that it is lost and what to fix first."""
    assert run.secrets is not None
    auth = exc.authorization
    if run.secrets.location != "file" and is_terminal(sys.stdin):
        print_wrapped(sys.stderr, f"{exc.message}", indent="  ", first="")
        path = file_store(run.config_dir, announce).path
        if await ask_yes_no(f"Save it in the plain-text file {path} (mode 0600) instead? "
                            "Anyone who can read that file can use the token."):
            try:
                kept = await keep_token_in_file(run.config_dir, run.name, auth,
                                                exc.token.refresh_token or "", announce)
            except SecretStoreError as again:
                raise CommandError(f"The refresh token could not be kept: {again.message}",
                                   "\n".join(again.options)) from None
            if kept.note:
                note(kept.note)
            assert kept.authorization is not None
            print_authorized(Authorized(kept.authorization, mask(exc.token.refresh_token),
                                        kept.where, False))
            return EXIT_OK
    raise CommandError(f"{exc.message} It was not kept anywhere, so this authorization is lost.",
                       f"{exc.fix}\nThe code works only once: fix the secret store first, then "
                       f"authorize again ({next_command(run.args, 'authorize ' + run.name)}).",
                       cause=exc.cause)
