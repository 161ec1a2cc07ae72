"""``oauth-wizard lint-url``: every problem of a consent URL, with its cause id and fix.

Exit 0 when clean, 1 when problems were found; ``--json`` prints one stable object.
"""

from __future__ import annotations

import argparse
import json
import sys

from oauth_wizard.cli.common import (
    EXIT_NOT_OK,
    EXIT_OK,
    UsageError,
    checked,
    lower,
    marketplace,
    print_wrapped,
)
from oauth_wizard.consent.url import lint_consent_url
from oauth_wizard.core.profile import APP_STATES, KINDS
from oauth_wizard.core.uris import check_uri


def read_url(arg: str) -> str:
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


def cmd_lint_url(args: argparse.Namespace) -> int:
    market = marketplace(args.marketplace) if args.marketplace is not None else None
    registered = []
    for raw in args.registered_redirect:
        uri = checked(check_uri(raw, "registered_redirect", "registered Redirect URI"),
                      "--registered-redirect")
        if uri not in registered:
            registered.append(uri)
    url = read_url(args.url)
    result = lint_consent_url(url, app_state=args.app_state,
                              marketplace=market.code if market else None,
                              kind=args.kind, registered_redirects=tuple(registered))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return EXIT_OK if result.ok else EXIT_NOT_OK
    out = sys.stdout
    count = len(result.problems)
    if result.ok and result.warnings:
        n = len(result.warnings)
        print(f"No problems Amazon would refuse; {n} warning{'s' if n != 1 else ''} below.",
              file=out)
    elif result.ok:
        print("No problems found in this consent URL.", file=out)
    else:
        print(f"{count} problem{'s' if count != 1 else ''} found in this consent URL:", file=out)
    for i, finding in enumerate(result.problems, 1):
        print(file=out)
        print(f"{i}. [{finding.id}]", file=out)
        print_wrapped(out, finding.message, indent="   ")
        print_wrapped(out, finding.fix, indent="        ", first="   fix: ")
    if result.warnings:
        print(file=out)
        print("warnings (Amazon would not refuse these; a reviewer would):", file=out)
        for finding in result.warnings:
            print_wrapped(out, f"[{finding.id}] {finding.message}", indent="    ", first="  ! ")
            print_wrapped(out, finding.fix, indent="         ", first="    fix: ")
    if result.notes:
        print(file=out)
        print("notes:", file=out)
        for note in result.notes:
            print_wrapped(out, note, indent="    ", first="  - ")
    return EXIT_OK if result.ok else EXIT_NOT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """What ``lint-url`` takes, next to what it does."""
    parser.description = (
        "Check a consent URL and name every problem Amazon would refuse it for. "
        "Exit 0 when clean, 1 when problems were found, 2 for usage errors.")
    parser.set_defaults(handler=cmd_lint_url)
    parser.add_argument("url", metavar="URL", help="the consent URL, or - to read it from stdin")
    parser.add_argument("--app-state", type=lower, choices=APP_STATES,
                        help="the app's state; without it version=beta is not checked")
    parser.add_argument("--marketplace", metavar="CC",
                        help="the seller's marketplace; checks the host and region")
    parser.add_argument("--registered-redirect", action="append", default=[], metavar="URI",
                        help="a Redirect URI registered for the app (repeat for each)")
    parser.add_argument("--kind", type=lower, choices=KINDS,
                        help="seller or vendor app; checks the portal")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
