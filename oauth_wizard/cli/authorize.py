"""``authorize``: one authorization attempt from the command line, in one of four modes.

Listening (default): a catcher on 127.0.0.1 serves both legs, then the browser opens (or, with
``--no-browser``, the consent URL is the first line on stdout). ``--paste``: no listener; the
user pastes each leg's address-bar URL on stdin. ``--start``/``--complete`` (``cli_twostep``):
the same as two separate commands. Everything irreversible waits until the secret store has
proved usable and the client secret is in it: a code exchanged into a store that cannot keep
the token is lost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from urllib.parse import urlsplit

from oauth_wizard.authorize import browser, tls
from oauth_wizard.authorize.catcher_checks import DEFAULT_TIMEOUT_S
from oauth_wizard.authorize.flow import TokenNotSaved
from oauth_wizard.authorize.legs import LoginLeg
from oauth_wizard.cli import authorize_twostep as cli_twostep
from oauth_wizard.cli.authorize_run import (
    WHERE,
    Run,
    check_options,
    no_client_secret,
    open_flow,
    prepare,
    rescue,
)
from oauth_wizard.cli.common import (
    DEBUG_ENV,
    EXIT_OK,
    CommandError,
    UsageError,
    add_store_options,
    next_command,
    note,
    open_secret_store,
    print_errors,
    print_wrapped,
    secret_store_failure,
    width,
)
from oauth_wizard.cli.progress import print_authorized
from oauth_wizard.cli.prompts import off_loop, read_line
from oauth_wizard.consent.url import ConsentError
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.records import client_secret_key
from oauth_wizard.keep.secrets import SecretStoreError


def cmd_authorize(args: argparse.Namespace) -> int:
    check_options(args)
    run = prepare(args)
    if run.attempt is None:  # --complete finishes an attempt that passed preflight at --start
        _preflight(run)
    try:
        return asyncio.run(_run_attempt(run))
    except CommandError as exc:
        if not exc.cause:
            raise
        print_errors(WHERE, exc)
        _doctor(run, exc)
        return exc.code


def _preflight(run: Run) -> None:
    """The doctor's rules on the profile before anything is opened or listened on: predicted
    failures go to stderr, and a certain one stops the command unless --force."""
    from oauth_wizard.doctor.preflight import preflight
    from oauth_wizard.doctor.render import preflight_text

    result = preflight(run.record.app, run.market.code, redirect_uri=run.redirect_uri,
                       simulated=run.endpoints.simulated)
    if result.ok:
        return
    sys.stderr.write(preflight_text(result, width=width()))
    if not result.certain_failure:
        return
    causes = ", ".join(f.cause for f in result.findings if f.certain)
    if run.args.force:
        note(f"--force: starting although Amazon is expected to refuse ({causes}).")
        return
    raise CommandError(f"Preflight predicts that Amazon will refuse this authorization "
                       f"({causes}), so nothing was opened.",
                       "Fix what is listed above and run the command again, or add --force "
                       "to try anyway.")


def _doctor(run: Run, exc: CommandError) -> None:
    """The doctor's top cause and fix under a failure, from the facts this run knows."""
    from oauth_wizard.cli.explain import explain_failure
    from oauth_wizard.doctor.preflight import wizard_facts

    try:
        facts = wizard_facts(run.record.app, run.market.code, redirect_uri=run.redirect_uri,
                             simulated=run.endpoints.simulated)
        more = next_command(run.args, f"diagnose --profile {run.name} --fact "
                            f"cause={exc.cause} --fact marketplace={run.market.code}")
        explain_failure(str(exc), exc.cause, facts, run.record.app, more=more)
    except Exception:  # advice only: it must never turn a clear failure into an internal error
        if os.environ.get(DEBUG_ENV) == "1":
            raise


async def _run_attempt(run: Run) -> int:
    run.secrets = open_secret_store(run.args)
    try:  # preflight: nothing is opened, listened on or exchanged before this passes
        await run.secrets.check(write=True)
        secret = await run.secrets.get(client_secret_key(run.name))
    except SecretStoreError as exc:
        raise secret_store_failure(exc) from None
    if not secret:
        raise no_client_secret(run)
    run.client_secret = secret
    try:
        if run.args.start:
            return await cli_twostep.start(run)
        if run.attempt is not None:
            return await cli_twostep.complete(run, run.attempt)
        if run.args.paste:
            return await _paste(run)
        return await _listen(run)
    except TokenNotSaved as exc:
        return await rescue(run, exc)
    except FlowError as exc:
        raise CommandError(exc.message, exc.fix, cause=exc.cause) from None
    except ConsentError as exc:
        raise CommandError(str(exc), "Fix the profile (profile add NAME ... --force).") from None


# --- listening ---------------------------------------------------------------------------------

def _tls(run: Run, redirect_uri: str):
    """The catcher's TLS context for an https Redirect URI (None for plain http)."""
    args = run.args
    parts = urlsplit(redirect_uri)
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or args.plain_http:
        if args.cert:
            raise UsageError(f"--cert/--key serve https, but the Redirect URI {redirect_uri} is "
                             "http.", "Leave --cert/--key out.")
        if parts.scheme.lower() == "http" and not run.endpoints.simulated:
            note(f"the Redirect URI {redirect_uri} is http; Amazon accepts only https, so this "
                 "works only with a simulator (OAUTH_WIZARD_PORTAL_URL) or a test page.")
        return None
    try:
        if args.cert:
            cert = tls.load_user_cert(args.cert, args.key, host)
        else:
            cert = tls.ensure_cert(run.config_dir / "certs", host)
        context = cert.ssl_context()
    except tls.TlsError as exc:
        kind = UsageError if args.cert else CommandError
        raise kind(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"Could not write the certificate for {host} in "
                           f"{run.config_dir / 'certs'} ({exc.strerror or exc}).",
                           "Check the config directory's permissions, or pass --cert/--key."
                           ) from None
    progress = run.progress
    progress.line(f"TLS certificate for {host}: {cert.cert_path} (SHA-256 {cert.fingerprint})")
    if cert.generated:
        progress.line("This certificate is new. Trust it once (commands below), or accept the "
                      "browser's warning after comparing the fingerprint above:")
        here = "linux" if sys.platform.startswith("linux") else sys.platform
        for step in tls.trust_instructions(cert):
            if step.platform in (here, "any"):
                print_wrapped(progress.stream, step.title, indent="    ", first="  - ")
                for command in step.commands:
                    print(f"      {command}", file=progress.stream)
                if step.note:
                    print_wrapped(progress.stream, step.note, indent="    ")
    return context


async def _show_consent(run: Run, url: str, countdown: float) -> None:
    """Open (or print) the consent URL, then start the countdown, so the countdown's line on a
    terminal never gets in the way of the URL."""
    started = time.monotonic()
    opened = not run.args.no_browser and await off_loop(lambda: browser.open_url(url))
    if opened:
        run.progress.line(f"Opened the consent URL in your browser: {url}")
    else:
        if not run.args.no_browser:
            run.progress.line("Could not open a browser here; open the consent URL below "
                              "yourself.")
        print(url, flush=True)
        run.progress.line("Open the consent URL in a browser signed in to Seller Central "
                          "(Vendor Central for a vendor app) and approve; the wizard waits for "
                          "Amazon's redirect.")
    run.progress.start_countdown(countdown - (time.monotonic() - started))


async def _listen(run: Run) -> int:
    args = run.args
    timeout = args.timeout or DEFAULT_TIMEOUT_S
    tasks: list[asyncio.Task[None]] = []
    async with open_flow(run) as flow:
        context = _tls(run, flow.setup.catch_redirect_uri)
        flow.start()
        assert flow.consent is not None
        url = flow.consent.url

        def listening(_catcher: object) -> None:
            show = _show_consent(run, url, timeout)
            tasks.append(asyncio.get_running_loop().create_task(show))

        try:
            result = await flow.catch(timeout=timeout, ssl_context=context,
                                      plain_http=args.plain_http, port=args.port,
                                      listening=listening)
        finally:
            for task in tasks:  # first, so a consent step still running starts no countdown
                task.cancel()
            run.progress.stop_countdown()
    print_authorized(result)
    return EXIT_OK


# --- paste-back --------------------------------------------------------------------------------

async def _paste(run: Run) -> int:
    async with open_flow(run) as flow:
        url = flow.start().consent.url
        print(url, flush=True)
        run.progress.line("Open the consent URL above in a browser and approve. Then copy the "
                          "address of the page you land on from the address bar, paste it here "
                          "and press Enter (it is checked, never shown).")
        last: CommandError | None = None
        while True:
            line = await read_line()
            if line is None:
                raise last or CommandError(
                    "Input ended before the Redirect-leg address was pasted, so nothing was "
                    "authorized.", "Paste the address of each page Amazon sends you to, one per "
                    "line; the last one contains spapi_oauth_code.")
            if not line.strip():
                continue
            try:
                result = await flow.paste(line)
            except TokenNotSaved:
                raise
            except FlowError as exc:
                assert flow.pending is not None
                last = CommandError(exc.message, exc.fix, cause=exc.cause)
                if flow.pending.used or exc.cause == "state_expired":
                    raise last from None
                print_errors(WHERE, last)
                run.progress.line("Paste the address again, or press Ctrl-C to stop.")
                continue
            if isinstance(result, LoginLeg):
                print(result.next_url, flush=True)
                run.progress.line("Then paste the address you land on after that.")
                continue
            print_authorized(result)
            return EXIT_OK


COMPLETE_HELP = (
    "finish a --start attempt with the pasted address-bar URL of a leg: a Login-leg URL prints "
    "the URL to open next, a Redirect-leg URL exchanges the code and stores the token. Use - to "
    "read it from stdin (recommended: the URL holds a one-time code, and argv is visible to "
    "other local users while the command runs; argv is tolerated only because that code works "
    "once and expires within minutes)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard authorize``: the modes and their options."""
    parser.description = (
        "Run one authorization: build the consent URL, catch Amazon's Login and "
        "Redirect legs (listening on 127.0.0.1, or pasted back), exchange the code at once and "
        "store the refresh token. The consent URL and the URLs to open go to stdout, progress "
        "to stderr. Exit 0 once the token is stored.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_authorize)
    parser.add_argument("name", metavar="NAME", help="the profile (see: profile add)")
    parser.add_argument("--marketplace", metavar="CC",
                        help="the seller's marketplace (default: the profile's only one); its "
                        "portal decides the region")
    parser.add_argument("--redirect-uri", metavar="URI",
                        help="which registered Redirect URI to use (default: the first)")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open a browser: print the consent URL as stdout's first line")
    listen = parser.add_argument_group("listening (the default mode)")
    listen.add_argument("--port", type=int, metavar="N",
                        help="listen on this local port instead of the Redirect URI's")
    listen.add_argument("--timeout", type=float, metavar="S",
                        help="give up when no redirect arrived after S seconds (default 600)")
    listen.add_argument("--plain-http", action="store_true",
                        help="serve plain HTTP on --port N behind a tunnel or reverse proxy "
                        "that terminates TLS")
    listen.add_argument("--cert", metavar="F", help="your own certificate (PEM, e.g. mkcert)")
    listen.add_argument("--key", metavar="F", help="the private key of --cert (PEM)")
    modes = parser.add_argument_group("other modes")
    modes.add_argument("--paste", action="store_true",
                       help="no listener: paste each page's address-bar URL on stdin")
    modes.add_argument("--start", action="store_true",
                       help="two-step mode, step 1: print the consent URL and keep the attempt "
                       "in the config dir")
    modes.add_argument("--json", action="store_true",
                       help='with --start: print {"consent_url", "state", "expires_at"}')
    modes.add_argument("--complete", metavar="URL", help=COMPLETE_HELP)
    parser.add_argument("--force", action="store_true",
                        help="start even when preflight predicts that Amazon will refuse (a "
                        "certain failure); the prediction is still printed")
