"""Command line: the argparse tree, dispatch to the command modules, and the error guard.

Command bodies live in ``cli_consent`` (url, lint-url), ``cli_profile`` (profile add),
``cli_authorize`` (authorize) and ``cli_simulate`` (simulate); they are imported only when their
command runs, so ``url`` and ``lint-url`` start fast and never load Textual, httpx or aiohttp.
The keep-and-use commands (profile list/show/remove, self-auth, verify, status, token, export)
are defined in ``cli_keep_args`` and run from their own ``cli_*`` modules. The TUI commands
import ``oauth_wizard.tui.launch`` lazily. Every failure is one clear message and an
exit code (0 ok, 1 not ok, 2 usage or input error, 130 cancelled), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

from oauth_wizard.cli.common import (
    APP_STATE_WHY,
    CONFIG_DIR_ENV,
    DEBUG_ENV,
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_NOT_OK,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CommandError,
    UsageError,
    print_errors,
    print_wrapped,
    version,
)
from oauth_wizard.cli.keep_args import add_keep_commands, add_profile_actions
from oauth_wizard.core.profile import APP_STATES, KINDS

__all__ = ["EXIT_CANCELLED", "EXIT_INTERNAL", "EXIT_NOT_OK", "EXIT_OK", "EXIT_USAGE",
           "UsageError", "build_parser", "main", "run"]

COMPLETE_HELP = (
    "finish a --start attempt with the pasted address-bar URL of a leg: a Login-leg URL prints "
    "the URL to open next, a Redirect-leg URL exchanges the code and stores the token. Use - to "
    "read it from stdin (recommended: the URL holds a one-time code, and argv is visible to "
    "other local users while the command runs; argv is tolerated only because that code works "
    "once and expires within minutes)")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors add a hint and exit 2 through ``main`` (no traceback)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        if "--app-state" in message and "required" in message:
            hint = APP_STATE_WHY
        else:
            hint = f"Run '{self.prog} --help' to see the options."
        print_wrapped(sys.stderr, hint, indent="  ")
        raise SystemExit(EXIT_USAGE)


def _lower(value: str) -> str:
    return value.strip().lower()


def _store_options() -> argparse.ArgumentParser:
    """The global storage options, also accepted after the command (``authorize X
    --insecure-storage``); SUPPRESS keeps a value given before the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="where profiles are kept (same as before the command)")
    common.add_argument("--insecure-storage", action="store_true", default=argparse.SUPPRESS,
                        help="keep secrets in a 0600 plain-text file in the config dir instead "
                        "of the system keyring (announced every time it is used)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; names follow the CLI contract in DESIGN.md."""
    parser = _Parser(
        prog=PROG,
        description="Get an Amazon SP-API app authorized without guesswork. "
        "With no command, starts the wizard (a terminal UI).",
        epilog="Exit codes: 0 ok, 1 the thing checked is not ok, 2 usage or input error, "
        "130 cancelled.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    parser.add_argument(
        "--config-dir", metavar="DIR", default=os.environ.get(CONFIG_DIR_ENV) or None,
        help=f"where profiles are kept (default: the platform config dir; env {CONFIG_DIR_ENV})",
    )
    parser.add_argument(
        "--insecure-storage", action="store_true",
        help="keep secrets in a 0600 plain-text file in the config dir instead of the system "
        "keyring; announced on stderr every time it is read or written",
    )
    parser.set_defaults(handler=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    store = _store_options()

    sub.add_parser("demo", help="start the wizard on a built-in demo app (no Amazon account)",
                   description="Start the wizard wired to the built-in demo app.")
    _add_url(sub)
    _add_lint_url(sub)
    _add_profile(sub, store)
    _add_authorize(sub, store)
    _add_simulate(sub)
    _add_diagnose(sub)
    add_keep_commands(sub, store)
    return parser


def _add_url(sub) -> None:
    url = sub.add_parser(
        "url", help="print the exact consent URL for an app and a marketplace",
        description="Print the consent URL for an app in the seller's marketplace. The URL alone "
        "goes to stdout (so $(oauth-wizard url ...) works); the explanation goes to stderr.",
    )
    url.set_defaults(handler="consent:cmd_url")
    url.add_argument("--app-id", required=True, metavar="ID",
                     help="the app ID from Develop Apps (amzn1.sp.solution.<uuid>), "
                     "not the LWA client ID")
    url.add_argument("--marketplace", required=True, metavar="CC",
                     help="the seller's marketplace: country code (DE, UK/GB, US, ...) or "
                     "marketplace id; its portal host decides the region")
    url.add_argument("--app-state", required=True, type=_lower, choices=APP_STATES,
                     help="the app's state in Developer Central; decides version=beta")
    url.add_argument("--vendor", action="store_true",
                     help="a vendor app: use the Vendor Central host")
    url.add_argument("--redirect-uri", metavar="URI",
                     help="one of the app's registered Redirect URIs, exactly as registered "
                     "(default: Amazon uses the first registered one)")
    url.add_argument("--state", metavar="S",
                     help="the state value (default: a fresh random one, 256 bits)")
    url.add_argument("--json", action="store_true", help="print one JSON object instead")


def _add_lint_url(sub) -> None:
    lint = sub.add_parser(
        "lint-url", help="check a consent URL and name every problem with its fix",
        description="Check a consent URL and name every problem Amazon would refuse it for. "
        "Exit 0 when clean, 1 when problems were found, 2 for usage errors.",
    )
    lint.set_defaults(handler="consent:cmd_lint_url")
    lint.add_argument("url", metavar="URL", help="the consent URL, or - to read it from stdin")
    lint.add_argument("--app-state", type=_lower, choices=APP_STATES,
                      help="the app's state; without it version=beta is not checked")
    lint.add_argument("--marketplace", metavar="CC",
                      help="the seller's marketplace; checks the host and region")
    lint.add_argument("--registered-redirect", action="append", default=[], metavar="URI",
                      help="a Redirect URI registered for the app (repeat for each)")
    lint.add_argument("--kind", type=_lower, choices=KINDS,
                      help="seller or vendor app; checks the portal")
    lint.add_argument("--json", action="store_true", help="print one JSON object instead")


def _add_profile(sub, store: argparse.ArgumentParser) -> None:
    profile = sub.add_parser("profile", help="add, list, show or remove app profiles",
                             description="Keep app profiles: the app's facts in profiles.toml, "
                             "its client secret in the system keyring.")
    actions = profile.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser,
                                     required=True)
    add = actions.add_parser(
        "add", parents=[store], help="describe an app and store its client secret",
        description="Describe an SP-API app once. The client secret is read from stdin when "
        "stdin is not a terminal (e.g. piped from a password manager), else from a hidden "
        "prompt; never from the command line.")
    add.set_defaults(handler="profile_add:cmd_profile_add")
    add.add_argument("name", metavar="NAME", help="the profile's name (letters, digits, . _ -)")
    add.add_argument("--app-id", required=True, metavar="ID",
                     help="the app ID from Develop Apps (amzn1.sp.solution.<uuid>)")
    add.add_argument("--client-id", required=True, metavar="ID",
                     help="the LWA client ID (amzn1.application-oa2-client.<hex>)")
    add.add_argument("--app-state", required=True, type=_lower, choices=APP_STATES,
                     help="the app's state in Developer Central; decides version=beta")
    add.add_argument("--marketplace", required=True, action="append", metavar="CC[,CC...]",
                     help="the marketplaces the app supports (repeat, or comma-separate)")
    add.add_argument("--vendor", action="store_true", help="a vendor app (Vendor Central)")
    add.add_argument("--login-uri", required=True, metavar="URI",
                     help="the app's registered Login URI, exactly as registered")
    add.add_argument("--redirect-uri", required=True, action="append", metavar="URI",
                     help="a registered Redirect URI, exactly as registered (repeat for each; "
                     "the first is the default)")
    add.add_argument("--hybrid", action="store_true",
                     help="a hybrid (SP-API + MWS) app: needs an MWS developer ID per region")
    add.add_argument("--dev-id", action="append", default=[], metavar="REGION=ID",
                     help="an MWS developer ID of a hybrid app, e.g. NA=123456789012 (repeat)")
    add.add_argument("--edits-pending", action="store_true",
                     help="a Published app with edits awaiting Amazon's approval")
    add.add_argument("--force", action="store_true",
                     help="replace an existing profile of that name (its authorizations stay)")
    add_profile_actions(actions, store)


def _add_authorize(sub, store: argparse.ArgumentParser) -> None:
    auth = sub.add_parser(
        "authorize", parents=[store], help="authorize a seller and store the refresh token",
        description="Run one authorization: build the consent URL, catch Amazon's Login and "
        "Redirect legs (listening on 127.0.0.1, or pasted back), exchange the code at once and "
        "store the refresh token. The consent URL and the URLs to open go to stdout, progress "
        "to stderr. Exit 0 once the token is stored.")
    auth.set_defaults(handler="authorize:cmd_authorize")
    auth.add_argument("name", metavar="NAME", help="the profile (see: profile add)")
    auth.add_argument("--marketplace", metavar="CC",
                      help="the seller's marketplace (default: the profile's only one); its "
                      "portal decides the region")
    auth.add_argument("--redirect-uri", metavar="URI",
                      help="which registered Redirect URI to use (default: the first)")
    auth.add_argument("--no-browser", action="store_true",
                      help="do not open a browser: print the consent URL as stdout's first line")
    listen = auth.add_argument_group("listening (the default mode)")
    listen.add_argument("--port", type=int, metavar="N",
                        help="listen on this local port instead of the Redirect URI's")
    listen.add_argument("--timeout", type=float, metavar="S",
                        help="give up when no redirect arrived after S seconds (default 600)")
    listen.add_argument("--plain-http", action="store_true",
                        help="serve plain HTTP on --port N behind a tunnel or reverse proxy "
                        "that terminates TLS")
    listen.add_argument("--cert", metavar="F", help="your own certificate (PEM, e.g. mkcert)")
    listen.add_argument("--key", metavar="F", help="the private key of --cert (PEM)")
    modes = auth.add_argument_group("other modes")
    modes.add_argument("--paste", action="store_true",
                       help="no listener: paste each page's address-bar URL on stdin")
    modes.add_argument("--start", action="store_true",
                       help="two-step mode, step 1: print the consent URL and keep the attempt "
                       "in the config dir")
    modes.add_argument("--json", action="store_true",
                       help='with --start: print {"consent_url", "state", "expires_at"}')
    modes.add_argument("--complete", metavar="URL", help=COMPLETE_HELP)
    auth.add_argument("--force", action="store_true",
                      help="start even when preflight predicts that Amazon will refuse (a "
                      "certain failure); the prediction is still printed")


def _add_simulate(sub) -> None:
    sim = sub.add_parser(
        "simulate", help="run the local Amazon (a simulator) on 127.0.0.1",
        description="Run the local Amazon: Seller/Vendor Central consent, both legs, the LWA "
        "token endpoint and getMarketplaceParticipations, on 127.0.0.1, until Ctrl-C.")
    sim.set_defaults(handler="simulate:cmd_simulate")
    sim.add_argument("--port", type=int, metavar="N", help="listen on port N (default: any free)")
    sim.add_argument("--registry", metavar="FILE",
                     help="the apps and sellers (JSON; default: the built-in demo registry)")
    sim.add_argument("--auto-approve", action="store_true",
                     help="approve consent as the first primary user, without a page")
    sim.add_argument("--json", action="store_true",
                     help="print one ready line of JSON for scripts (with the fake secrets)")


def _add_diagnose(sub) -> None:
    diag = sub.add_parser(
        "diagnose", help="what Amazon said, to the likely causes and their fixes",
        description="Rank the likely causes of an MD/SPDC code, an LWA or SP-API error body, an "
        "HTTP status, a log line or free text, given what you know about the app (--fact), and "
        "show each cause's fix and the question that would narrow it down. TEXT, or - for "
        "stdin; with no TEXT, stdin is read when it is not a terminal, else you are asked to "
        "paste (facts alone are diagnosed when --fact or --profile is given). Exit 0 when a "
        "diagnosis was given, 2 for bad facts or usage errors.")
    diag.set_defaults(handler="diagnose:cmd_diagnose")
    diag.add_argument("text", nargs="?", metavar="TEXT",
                      help="what Amazon said (error page text, JSON body, log line), or - for "
                      "stdin")
    diag.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE",
                      help="something known about the app or the attempt, e.g. app_state=draft, "
                      "marketplace=DE, app_marketplaces=US,CA (repeat; keys in docs/diagnose.md)")
    diag.add_argument("--profile", metavar="NAME",
                      help="add the facts a saved profile states (--fact wins over them)")
    diag.add_argument("--config-dir", metavar="DIR", default=argparse.SUPPRESS,
                      help="where profiles are kept (same as before the command)")
    out = diag.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="print the diagnosis as one JSON object (the documented contract)")
    out.add_argument("--support-case", action="store_true",
                     help="print the details Amazon support asks for (app ID, request ID, "
                     "timestamp, operation, response), secrets removed")


# --- dispatch -------------------------------------------------------------------------------

def _interactive() -> bool:
    """True when both stdin and stdout are terminals, so a full-screen UI can work."""
    return all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout))


def _cmd_tui(args: argparse.Namespace) -> int:
    """Start the Textual app; refuse politely when there is no terminal to draw on."""
    if not _interactive():
        raise UsageError(
            "the wizard needs an interactive terminal, but stdin or stdout is not one "
            "(a pipe, a file or a CI job).",
            f"Run '{PROG}' directly in a terminal; for scripts use '{PROG} url' or "
            f"'{PROG} lint-url'.",
        )
    from oauth_wizard.tui.launch import make_app  # lazy: only the TUI commands load Textual

    app = make_app(demo=args.command == "demo")
    app.run()
    code = app.return_code
    return code if isinstance(code, int) else EXIT_OK


def _handler(args: argparse.Namespace):
    if args.handler is None:
        return _cmd_tui
    module, func = args.handler.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), func)


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _handler(args)(args)
    except CommandError as exc:
        words = [args.command, getattr(args, "action", None)]
        where = " ".join([PROG, *(w for w in words if w)])
        print_errors(where, exc)
        return exc.code


def _tolerate_narrow_encodings() -> None:
    """Messages use a few non-ASCII characters (…, →); on an ASCII or Latin-1 terminal they
    become replacement characters instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    """Entry point for the console script and ``python -m oauth_wizard``; returns the exit code.

    Unexpected exceptions become one line naming only the exception type, because argument
    values (and secrets) must never be echoed; set OAUTH_WIZARD_DEBUG=1 for the traceback.
    """
    _tolerate_narrow_encodings()
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly without a second error at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_NOT_OK
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}; please report it with the "
              "command you ran", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> NoReturn:
    """``sys.exit(main())`` for callers that want the process to end with the code."""
    sys.exit(main())
