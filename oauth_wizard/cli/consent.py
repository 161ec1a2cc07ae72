"""``url`` and ``lint-url``: the consent URL built or checked, with no UI and no I/O beyond stdio.

The URL alone goes to stdout (so ``$(oauth-wizard url ...)`` works) and the explanation to
stderr; ``--json`` prints one stable object instead.
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
    marketplace,
    print_wrapped,
)
from oauth_wizard.consent.url import ConsentError, build_consent_url, lint_consent_url, new_state
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.validation import check_app_id, check_uri


def cmd_url(args: argparse.Namespace) -> int:
    app_id = checked(check_app_id(args.app_id), "--app-id")
    market = marketplace(args.marketplace)
    redirects: tuple[str, ...] = ()
    redirect = None
    if args.redirect_uri is not None:
        redirect = checked(check_uri(args.redirect_uri, "redirect_uri", "Redirect URI"),
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
            print_wrapped(sys.stderr, "warning: --state is short enough to be guessed; it "
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
            print_wrapped(sys.stderr, f"note: {note}", indent="  ", first="")
        print(json.dumps(consent.as_json(), indent=2))
        return EXIT_OK
    print(consent.url)
    sys.stdout.flush()
    err = sys.stderr
    portal_name = "Vendor Central" if consent.kind == "vendor" else "Seller Central"
    print(file=err)
    print_wrapped(err, f"{portal_name} {consent.host}, region {consent.region}, marketplace "
                  f"{market.label()} ({market.marketplace_id})", indent="  ", first="host: ")
    print("parameters:", file=err)
    for p in consent.params:
        print(f"  {p.name}={p.value}", file=err)
        print_wrapped(err, p.why, indent="      ")
    if notes:
        print("notes:", file=err)
        for note in notes:
            print_wrapped(err, note, indent="    ", first="  - ")
    return EXIT_OK


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
    if result.ok:
        print("No problems found in this consent URL.", file=out)
    else:
        print(f"{count} problem{'s' if count != 1 else ''} found in this consent URL:", file=out)
    for i, finding in enumerate(result.problems, 1):
        print(file=out)
        print(f"{i}. [{finding.id}]", file=out)
        print_wrapped(out, finding.message, indent="   ")
        print_wrapped(out, finding.fix, indent="        ", first="   fix: ")
    if result.notes:
        print(file=out)
        print("notes:", file=out)
        for note in result.notes:
            print_wrapped(out, note, indent="    ", first="  - ")
    return EXIT_OK if result.ok else EXIT_NOT_OK
