"""``oauth-wizard url``: the consent URL for an app and a marketplace, with no UI and no I/O
beyond stdio. The URL alone goes to stdout (so ``$(oauth-wizard url ...)`` works) and the
explanation to stderr; ``--json`` prints one stable object instead.
"""

from __future__ import annotations

import argparse
import json
import sys

from oauth_wizard.cli.common import (
    EXIT_OK,
    UsageError,
    checked,
    lower,
    marketplace,
    print_wrapped,
)
from oauth_wizard.consent.url import ConsentError, build_consent_url, new_state, state_weakness
from oauth_wizard.core.profile import APP_STATES, AppProfile
from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import check_app_id


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
        weakness = state_weakness(state)
        if weakness:
            print_wrapped(sys.stderr, f"warning: --state {weakness}; it protects the redirect "
                          "against forgery only when it is random and used once. Leave it out "
                          "to get a fresh random one.", indent="  ", first="")
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """What ``url`` takes, next to what it does."""
    parser.description = (
        "Print the consent URL for an app in the seller's marketplace. The URL alone "
        "goes to stdout (so $(oauth-wizard url ...) works); the explanation goes to stderr.")
    parser.set_defaults(handler=cmd_url)
    parser.add_argument("--app-id", required=True, metavar="ID",
                        help="the app ID from Develop Apps (amzn1.sp.solution.<uuid>), "
                        "not the LWA client ID")
    parser.add_argument("--marketplace", required=True, metavar="CC",
                        help="the seller's marketplace: country code (DE, UK/GB, US, ...) or "
                        "marketplace id; its portal host decides the region")
    parser.add_argument("--app-state", required=True, type=lower, choices=APP_STATES,
                        help="the app's state in the Solution Provider Portal; decides "
                             "version=beta")
    parser.add_argument("--vendor", action="store_true",
                        help="a vendor app: use the Vendor Central host")
    parser.add_argument("--redirect-uri", metavar="URI",
                        help="one of the app's registered Redirect URIs, exactly as registered "
                        "(default: Amazon uses the first registered one)")
    parser.add_argument("--state", metavar="S",
                        help="the state value (default: a fresh random one, 256 bits)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
