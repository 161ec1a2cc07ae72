"""What every CLI command shares: exit codes, errors for users, output helpers, the stores.

Kept apart from ``cli.py`` (the parser and dispatch) so the command modules can use it without
importing each other. Nothing here imports Textual, httpx or aiohttp; the secret and profile
stores are imported only when a command asks for them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from oauth_wizard.core.errors import WizardError

if TYPE_CHECKING:
    import argparse

    from oauth_wizard.core import marketplaces
    from oauth_wizard.core.validation import Checked, Problem
    from oauth_wizard.keep.secrets import SecretStore, SecretStoreError
    from oauth_wizard.keep.store import StoreError

PROG = "oauth-wizard"
EXIT_OK, EXIT_NOT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 70, 130
CONFIG_DIR_ENV = "OAUTH_WIZARD_CONFIG_DIR"
DEBUG_ENV = "OAUTH_WIZARD_DEBUG"
APP_STATE_WHY = (
    "--app-state is required because it decides version=beta: a Draft or Submitted app needs "
    "it and a Published app must not have it, and guessing wrong is how people get MD1000. "
    "Look the state up in the Solution Provider Portal (Develop Apps) and pass --app-state draft, "
    "submitted or published."
)


class CommandError(WizardError):
    """A command could not do its job: what was wrong and where, the fix, and the exit code.

    ``more`` holds further (message, fix) pairs so every problem of an input is named at once;
    ``cause`` is the doctor's cause id when one fits.
    """

    code = EXIT_NOT_OK
    fix_in_str = False

    def __init__(self, message: str, fix: str = "",
                 more: Sequence[tuple[str, str]] = (), *, cause: str | None = None,
                 code: int | None = None) -> None:
        super().__init__(message, fix, cause=cause)
        self.errors = [(message, fix), *more]
        if code is not None:
            self.code = code


class UsageError(CommandError):
    """Bad input on the command line: a message saying what and where, and the fix."""

    code = EXIT_USAGE


class VersionAction(argparse.Action):
    """``--version`` looks the version up only when asked: ``importlib.metadata`` loads slowly."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{PROG} {version()}")  # stdout, as argparse's own version action does
        parser.exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("oauth-wizard")
    except PackageNotFoundError:
        return "unknown (not installed)"


def is_terminal(stream: TextIO | None) -> bool:
    """True when ``stream`` is an open terminal (a person may be there to answer)."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


# --- output ---------------------------------------------------------------------------------

def width() -> int:
    return max(40, min(80, shutil.get_terminal_size((80, 24)).columns))


def print_wrapped(stream: TextIO, text: str, indent: str = "", first: str | None = None) -> None:
    """Wrap ``text`` for the terminal, never breaking URLs or identifiers."""
    wrapper = textwrap.TextWrapper(
        width=width(), initial_indent=indent if first is None else first,
        subsequent_indent=indent, break_long_words=False, break_on_hyphens=False,
    )
    print(wrapper.fill(text) if text else (first or indent).rstrip(), file=stream)


def note(text: str, label: str = "note") -> None:
    """A warning or note for the user, on stderr."""
    print_wrapped(sys.stderr, f"{label}: {text}", indent="  ", first="")


def print_errors(where: str, exc: CommandError) -> None:
    """Each problem with its fix; a fix of several options shows one option per paragraph."""
    for message, fix in exc.errors:
        print_wrapped(sys.stderr, f"{where}: error: {message}", indent="  ", first="")
        for i, option in enumerate(p for p in fix.split("\n") if p):
            print_wrapped(sys.stderr, option, indent="       ",
                          first="  fix: " if i == 0 else "       ")
    if exc.cause:
        print(f"  (cause: {exc.cause})", file=sys.stderr)


# --- input checks ---------------------------------------------------------------------------

def fail(problems: Sequence[Problem], option: str) -> UsageError:
    """One usage error naming every blocking problem of one option."""
    pairs = [(f"{option}: {p.message}", p.fix) for p in problems]
    return UsageError(*pairs[0], more=pairs[1:])


def report_soft(problems: Sequence[Problem], option: str) -> None:
    """Warnings and notes about an input go to stderr; they do not stop the command."""
    for p in problems:
        if p.blocking:
            continue
        print_wrapped(sys.stderr, f"{p.severity}: {option}: {p.message}"
                      + (f" {p.fix}" if p.fix else ""), indent="  ", first="")


def checked(result: Checked, option: str) -> str:
    errors = [p for p in result.problems if p.blocking]
    if errors:
        raise fail(errors, option)
    report_soft(result.problems, option)
    return result.value


def marketplace(value: str) -> marketplaces.Marketplace:
    from oauth_wizard.core import marketplaces  # lazy: diagnose starts without the registry

    try:
        return marketplaces.lookup(value)
    except marketplaces.UnknownMarketplaceError as exc:
        raise UsageError(f"--marketplace: {exc}.",
                         "Pass the seller's marketplace, e.g. --marketplace DE.") from None


# --- where things are kept ------------------------------------------------------------------

def config_dir(args: argparse.Namespace) -> Path:
    """``--config-dir`` (or its env var, already folded in by the parser), else the default."""
    from oauth_wizard.keep.store import default_config_dir

    given = getattr(args, "config_dir", None)
    return Path(given).expanduser() if given else default_config_dir()


def announce(message: str) -> None:
    """--insecure-storage: every read and write of the plain-text file is said out loud."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def open_secret_store(args: argparse.Namespace) -> SecretStore:
    """The OS keyring, or the announced 0600 file with ``--insecure-storage``; never a fallback."""
    from oauth_wizard.keep.file_secrets import FileSecretStore
    from oauth_wizard.keep.secrets import KeyringSecretStore

    if getattr(args, "insecure_storage", False):
        store = FileSecretStore.in_config_dir(config_dir(args), announce)
        announce(f"! --insecure-storage: secrets are kept in plain text in {store.path} "
                 "(mode 0600), not in the system keyring")
        return store
    return KeyringSecretStore()


def secret_store_failure(exc: SecretStoreError) -> CommandError:
    """A SecretStoreError as the user sees it: the message and every option, exit 1."""
    options = exc.options or ("Fix the secret store, then run the command again.",)
    return CommandError(exc.message, "\n".join(options))


def store_failure(exc: StoreError) -> CommandError:
    """profiles.toml problems shown as they are; an unknown or existing profile is input."""
    code = EXIT_USAGE if exc.kind in ("unknown_profile", "exists") else EXIT_NOT_OK
    return CommandError(exc.message, exc.fix, code=code)


def next_command(args: argparse.Namespace, command: str) -> str:
    """``command`` with the global options this run used, so it can be pasted as is."""
    parts = [PROG]
    given = getattr(args, "config_dir", None)
    if given and given != os.environ.get(CONFIG_DIR_ENV):
        parts += ["--config-dir", _quote(given)]
    if getattr(args, "insecure_storage", False):
        parts.append("--insecure-storage")
    return " ".join([*parts, command])


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


class Parser(argparse.ArgumentParser):
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


def lower(value: str) -> str:
    """Choices are matched in any case (``--app-state Draft``)."""
    return value.strip().lower()


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """The global storage options, also accepted after the command (``authorize X
    --insecure-storage``); SUPPRESS keeps a value given before the command."""
    parser.add_argument("--config-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="where profiles are kept (same as before the command)")
    parser.add_argument("--insecure-storage", action="store_true", default=argparse.SUPPRESS,
                        help="keep secrets in a 0600 plain-text file in the config dir instead "
                        "of the system keyring (announced every time it is used)")
