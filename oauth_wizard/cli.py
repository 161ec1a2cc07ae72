"""Command line: argparse front end for the wizard and the scriptable commands.

Commands that need no UI (``url``, ``lint-url``) never import Textual, so they start fast and
work over SSH and in CI; the TUI commands import ``oauth_wizard.app`` lazily. Every failure is
one clear message and an exit code (0 ok, 1 not ok, 2 usage or input error, 130 cancelled),
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import NoReturn, TextIO

from . import marketplaces
from .consent import ConsentError, build_consent_url, lint_consent_url, new_state
from .profile import APP_STATES, KINDS, AppProfile
from .validation import Checked, Problem, check_app_id, check_uri

PROG = "oauth-wizard"
EXIT_OK, EXIT_NOT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 70, 130
CONFIG_DIR_ENV = "OAUTH_WIZARD_CONFIG_DIR"
DEBUG_ENV = "OAUTH_WIZARD_DEBUG"
APP_STATE_WHY = (
    "--app-state is required because it decides version=beta: a Draft or Submitted app needs "
    "it and a Published app must not have it, and guessing wrong is how people get MD1000. "
    "Look the state up in Developer Central (Develop Apps) and pass --app-state draft, "
    "submitted or published."
)


class UsageError(Exception):
    """Bad input on the command line: a message saying what and where, and the fix."""

    def __init__(self, message: str, fix: str = "",
                 more: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors = [(message, fix), *more]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors add a hint and exit 2 through ``main`` (no traceback)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        if "--app-state" in message and "required" in message:
            hint = APP_STATE_WHY
        else:
            hint = f"Run '{self.prog} --help' to see the options."
        _print_wrapped(sys.stderr, hint, indent="  ")
        raise SystemExit(EXIT_USAGE)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oauth-wizard")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _lower(value: str) -> str:
    return value.strip().lower()


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; names follow the CLI contract in DESIGN.md."""
    parser = _Parser(
        prog=PROG,
        description="Get an Amazon SP-API app authorized without guesswork. "
        "With no command, starts the wizard (a terminal UI).",
        epilog="Exit codes: 0 ok, 1 the thing checked is not ok, 2 usage or input error, "
        "130 cancelled.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    parser.add_argument(
        "--config-dir", metavar="DIR", default=os.environ.get(CONFIG_DIR_ENV) or None,
        help=f"where profiles are kept (default: the platform config dir; env {CONFIG_DIR_ENV})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sub.add_parser("demo", help="start the wizard on a built-in demo app (no Amazon account)",
                   description="Start the wizard wired to the built-in demo app.")

    url = sub.add_parser(
        "url", help="print the exact consent URL for an app and a marketplace",
        description="Print the consent URL for an app in the seller's marketplace. The URL alone "
        "goes to stdout (so $(oauth-wizard url ...) works); the explanation goes to stderr.",
    )
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

    lint = sub.add_parser(
        "lint-url", help="check a consent URL and name every problem with its fix",
        description="Check a consent URL and name every problem Amazon would refuse it for. "
        "Exit 0 when clean, 1 when problems were found, 2 for usage errors.",
    )
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
    return parser


# --- output helpers -------------------------------------------------------------------------

def _width() -> int:
    return max(40, min(80, shutil.get_terminal_size((80, 24)).columns))


def _print_wrapped(stream: TextIO, text: str, indent: str = "", first: str | None = None) -> None:
    """Wrap ``text`` for the terminal, never breaking URLs or identifiers."""
    wrapper = textwrap.TextWrapper(
        width=_width(), initial_indent=indent if first is None else first,
        subsequent_indent=indent, break_long_words=False, break_on_hyphens=False,
    )
    print(wrapper.fill(text) if text else (first or indent).rstrip(), file=stream)


def _fail(problems: Sequence[Problem], option: str) -> UsageError:
    """One usage error naming every blocking problem of one option."""
    pairs = [(f"{option}: {p.message}", p.fix) for p in problems]
    return UsageError(*pairs[0], more=pairs[1:])


def _report_soft(problems: Sequence[Problem], option: str) -> None:
    """Warnings and notes about an input go to stderr; they do not stop the command."""
    for p in problems:
        if p.blocking:
            continue
        _print_wrapped(sys.stderr, f"{p.severity}: {option}: {p.message}"
                       + (f" {p.fix}" if p.fix else ""), indent="  ", first="")


def _checked(checked: Checked, option: str) -> str:
    errors = [p for p in checked.problems if p.blocking]
    if errors:
        raise _fail(errors, option)
    _report_soft(checked.problems, option)
    return checked.value


def _marketplace(value: str) -> marketplaces.Marketplace:
    try:
        return marketplaces.lookup(value)
    except marketplaces.UnknownMarketplaceError as exc:
        raise UsageError(f"--marketplace: {exc}.",
                         "Pass the seller's marketplace, e.g. --marketplace DE.") from None


# --- commands -------------------------------------------------------------------------------

def _cmd_url(args: argparse.Namespace) -> int:
    app_id = _checked(check_app_id(args.app_id), "--app-id")
    market = _marketplace(args.marketplace)
    redirects: tuple[str, ...] = ()
    redirect = None
    if args.redirect_uri is not None:
        redirect = _checked(check_uri(args.redirect_uri, "redirect_uri", "Redirect URI"),
                            "--redirect-uri")
        redirects = (redirect,)
    if args.state is None:
        state = new_state()
    else:
        state = args.state
        if not state or any(c.isspace() for c in state):
            raise UsageError("--state must be a non-empty value without spaces or line breaks.",
                             "Leave --state out to get a fresh random one.")
        if len(state) < 16:
            _print_wrapped(sys.stderr, "warning: --state is short enough to be guessed; it "
                           "protects the redirect against forgery only when it is random. Leave "
                           "it out to get a fresh random one.", indent="  ", first="")
    profile = AppProfile(name="cli", app_id=app_id, client_id="", app_state=args.app_state,
                         kind="vendor" if args.vendor else "seller", redirect_uris=redirects)
    try:
        consent = build_consent_url(profile, market.code, state, redirect)
    except ConsentError as exc:
        raise UsageError(str(exc)) from None
    notes = list(consent.notes)
    if redirect is not None:
        notes.append(f"--redirect-uri must match one of the app's registered Redirect URIs "
                     f"exactly, character for character ({redirect}); otherwise Amazon answers "
                     "MD5101.")
    if args.json:
        for note in notes[len(consent.notes):]:  # the JSON already carries the others
            _print_wrapped(sys.stderr, f"note: {note}", indent="  ", first="")
        print(json.dumps(consent.as_json(), indent=2))
        return EXIT_OK
    print(consent.url)
    sys.stdout.flush()
    err = sys.stderr
    portal_name = "Vendor Central" if consent.kind == "vendor" else "Seller Central"
    print(file=err)
    _print_wrapped(err, f"{portal_name} {consent.host}, region {consent.region}, marketplace "
                   f"{market.label()} ({market.marketplace_id})", indent="  ", first="host: ")
    print("parameters:", file=err)
    for p in consent.params:
        print(f"  {p.name}={p.value}", file=err)
        _print_wrapped(err, p.why, indent="      ")
    if notes:
        print("notes:", file=err)
        for note in notes:
            _print_wrapped(err, note, indent="    ", first="  - ")
    return EXIT_OK


def _read_url(arg: str) -> str:
    if arg != "-":
        return arg
    if sys.stdin.isatty():
        print("Paste the consent URL, then press Enter and Ctrl-D:", file=sys.stderr)
    text = sys.stdin.read().rstrip("\r\n")
    if not text.strip():
        raise UsageError("URL '-' means stdin, but nothing was read from stdin.",
                         "Pipe the URL in (echo URL | oauth-wizard lint-url -) or pass it as "
                         "the argument, in quotes.")
    return text


def _cmd_lint_url(args: argparse.Namespace) -> int:
    market = _marketplace(args.marketplace) if args.marketplace is not None else None
    registered = []
    for raw in args.registered_redirect:
        uri = _checked(check_uri(raw, "registered_redirect", "registered Redirect URI"),
                       "--registered-redirect")
        if uri not in registered:
            registered.append(uri)
    url = _read_url(args.url)
    result = lint_consent_url(url, app_state=args.app_state,
                              marketplace=market.code if market else None,
                              kind=args.kind, registered_redirects=tuple(registered))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return EXIT_OK if result.ok else EXIT_NOT_OK
    out = sys.stdout
    count = len(result.problems)
    if result.ok:
        print("No problems found in this consent URL.", file=out)
    else:
        print(f"{count} problem{'s' if count != 1 else ''} found in this consent URL:", file=out)
    for i, finding in enumerate(result.problems, 1):
        print(file=out)
        print(f"{i}. [{finding.id}]", file=out)
        _print_wrapped(out, finding.message, indent="   ")
        _print_wrapped(out, finding.fix, indent="        ", first="   fix: ")
    if result.notes:
        print(file=out)
        print("notes:", file=out)
        for note in result.notes:
            _print_wrapped(out, note, indent="    ", first="  - ")
    return EXIT_OK if result.ok else EXIT_NOT_OK


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
    from .app import make_app  # lazy: only the TUI commands load Textual

    app = make_app(demo=args.command == "demo")
    app.run()
    code = app.return_code
    return code if isinstance(code, int) else EXIT_OK


COMMANDS = {None: _cmd_tui, "demo": _cmd_tui, "url": _cmd_url, "lint-url": _cmd_lint_url}


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        where = f"{PROG} {args.command}" if args.command else PROG
        for message, fix in exc.errors:
            _print_wrapped(sys.stderr, f"{where}: error: {message}", indent="  ", first="")
            if fix:
                _print_wrapped(sys.stderr, fix, indent="       ", first="  fix: ")
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Entry point for the console script and ``python -m oauth_wizard``; returns the exit code.

    Unexpected exceptions become one line naming only the exception type, because argument
    values (and later secrets) must never be echoed; set OAUTH_WIZARD_DEBUG=1 for the traceback.
    """
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
