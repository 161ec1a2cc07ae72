"""Command line: the argparse tree, dispatch to the command modules, and the error guard.

``COMMANDS`` is a plain table of command -> module of this package; each module defines its own
arguments (``add_arguments``) next to its body. Only the module of the command being run is
imported, so ``url`` and ``lint-url`` start fast and never load Textual, httpx or aiohttp, and
``oauth-wizard --help`` lists every command from the table alone. The TUI commands import
``oauth_wizard.tui.launch`` lazily. Every failure is one clear message and an exit code
(0 ok, 1 not ok, 2 usage or input error, 130 cancelled), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import NoReturn

from oauth_wizard.cli.common import (
    CONFIG_DIR_ENV,
    DEBUG_ENV,
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_NOT_OK,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CommandError,
    Parser,
    UsageError,
    VersionAction,
    print_errors,
)

__all__ = ["EXIT_CANCELLED", "EXIT_INTERNAL", "EXIT_NOT_OK", "EXIT_OK", "EXIT_USAGE",
           "UsageError", "build_parser", "main", "run"]

# command -> (module of this package that defines and runs it, one-line help); None: the TUI.
COMMANDS: dict[str, tuple[str | None, str]] = {
    "demo": (None, "start the wizard on a built-in demo app (no Amazon account)"),
    "url": ("url", "print the exact consent URL for an app and a marketplace"),
    "lint-url": ("lint_url", "check a consent URL and name every problem with its fix"),
    "profile": ("profile", "add, list, show or remove app profiles"),
    "authorize": ("authorize", "authorize a seller and store the refresh token"),
    "simulate": ("simulate", "run the local Amazon (a simulator) on 127.0.0.1"),
    "diagnose": ("diagnose", "what Amazon said, to the likely causes and their fixes"),
    "self-auth": ("selfauth", "keep the refresh token of a self-authorization"),
    "verify": ("verify", "prove stored tokens work with a real SP-API call"),
    "status": ("status", "what needs attention, and the command that fixes it"),
    "token": ("token", "print a token alone on stdout, for scripts"),
    "export": ("export", "write credentials in another library's format"),
    "secret-notice": ("secret_notice", "record the client secret's expiry from Amazon's notice"),
    "rotate-secret": ("rotate_secret", "rotate the client secret through Amazon's API"),
}
_GLOBAL_WITH_VALUE = ("--config-dir",)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the first word that is not a global option)."""
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command tree; names follow the CLI contract in DESIGN.md.

    With ``argv``, only the command it names gets its arguments (its module is imported);
    without, every command does (for tests and for documentation).
    """
    parser = Parser(
        prog=PROG,
        description="Get an Amazon SP-API app authorized without guesswork. "
        "With no command, starts the wizard (a terminal UI).",
        epilog="Exit codes: 0 ok, 1 the thing checked is not ok, 2 usage or input error, "
        "130 cancelled.",
    )
    parser.add_argument("--version", action=VersionAction, help="show the version and exit")
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    wanted = _command_in(argv) if argv is not None else None
    for name, (module, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary)
        if module is None:
            command.description = "Start the wizard wired to the built-in demo app."
        elif argv is None or name == wanted:
            import_module(f"{__package__}.{module}").add_arguments(command)
    return parser


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
    if app.consent_url:  # unwrapped, outside the UI: a terminal selection copies it exactly
        print(f"The last consent URL the wizard showed:\n{app.consent_url}")
    code = app.return_code
    return code if isinstance(code, int) else EXIT_OK


def _run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return (args.handler or _cmd_tui)(args)
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
