"""The argparse definitions of the keep-and-use commands: profile list/show/remove, self-auth,
verify, status, token and export (names from DESIGN.md's CLI contract).

Kept out of ``cli.py`` so that module stays the small tree-and-dispatch it is; only argparse is
imported here, and each command's body is loaded when it runs. Secrets are never options.
"""

from __future__ import annotations

import argparse

REGIONS = ("NA", "EU", "FE")
# export.FORMATS, repeated so that building the parser imports nothing but argparse (a test
# keeps the two equal).
EXPORT_FORMATS = ("psa-yaml", "psa-env", "amz-tools", "spapi-config", "mcp-env", "dotenv")
SELECT_REGION = "the region of the authorization (NA, EU or FE) when the profile has several"
SELECT_SPID = ("the selling partner id of the authorization when the profile has several "
               "(self-authorizations without a known id are self-NA, self-EU, self-FE)")


def region_type(value: str) -> str:
    """``--region``: NA, EU or FE in any case."""
    code = value.strip().upper()
    if code not in REGIONS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a region; use NA, EU or FE")
    return code


def _selectors(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", type=region_type, metavar="R", help=SELECT_REGION)
    parser.add_argument("--selling-partner", metavar="ID", help=SELECT_SPID)


def add_profile_actions(actions, store: argparse.ArgumentParser) -> None:
    """``profile list``, ``profile show NAME``, ``profile remove NAME``."""
    listing = actions.add_parser(
        "list", parents=[store], help="list the profiles",
        description="List the profiles: name, kind, app state, marketplaces and the number of "
        "authorizations. Reads only profiles.toml (no keyring access).")
    listing.set_defaults(handler="profiles:cmd_profile_list")
    listing.add_argument("--json", action="store_true", help="print one JSON object instead")
    show = actions.add_parser(
        "show", parents=[store], help="show one profile, its secrets masked",
        description="Show everything about a profile. The client secret and each refresh token "
        "are read from where they are kept and shown masked, or as missing.")
    show.set_defaults(handler="profiles:cmd_profile_show")
    show.add_argument("name", metavar="NAME", help="the profile")
    show.add_argument("--json", action="store_true", help="print one JSON object instead")
    remove = actions.add_parser(
        "remove", parents=[store], help="remove a profile and delete its secrets",
        description="Delete the profile's client secret and refresh tokens from the keyring "
        "(or the --insecure-storage file), then the profile. Asks first on a terminal; "
        "elsewhere --yes is required. A keyring that refuses leaves the profile in place.")
    remove.set_defaults(handler="profiles:cmd_profile_remove")
    remove.add_argument("name", metavar="NAME", help="the profile")
    remove.add_argument("--yes", action="store_true",
                        help="do not ask (needed when stdin is not a terminal)")


def add_keep_commands(sub, store: argparse.ArgumentParser) -> None:
    """``self-auth``, ``verify``, ``status``, ``token``, ``export``."""
    selfauth = sub.add_parser(
        "self-auth", parents=[store], help="keep the refresh token of a self-authorization",
        description="Keep the refresh token Seller Central shows after Authorize app (your own "
        "account). The token is read from stdin when stdin is not a terminal, else from a "
        "hidden prompt; never from the command line. It is checked, proven by a refresh at LWA, "
        "its marketplaces are learned with the verify call, and it is stored. A merged "
        "account has one Authorize button per region: run this once per region.")
    selfauth.set_defaults(handler="selfauth:cmd_self_auth")
    selfauth.add_argument("name", metavar="NAME", help="the profile (see: profile add)")
    selfauth.add_argument("--region", type=region_type, metavar="NA|EU|FE",
                          help="the region of the Seller Central account (default: the "
                          "profile's only region)")
    selfauth.add_argument("--selling-partner", metavar="ID",
                          help="your Merchant Token, if you know it (Seller Central does not "
                          "show it with the token; default: the placeholder self-REGION)")

    verify = sub.add_parser(
        "verify", parents=[store], help="prove stored tokens work with a real SP-API call",
        description="For each authorization of the profile: refresh at LWA, then call "
        "getMarketplaceParticipations on the region's endpoint; show the marketplaces and "
        "store names, and for a failure the doctor's cause and fix. Exit 1 when any does not "
        "verify.")
    verify.set_defaults(handler="verify:cmd_verify")
    verify.add_argument("name", metavar="NAME", help="the profile")
    verify.add_argument("--sandbox", action="store_true",
                        help="call the region's sandbox endpoint (not recorded as last verify)")
    _selectors(verify)
    verify.add_argument("--json", action="store_true", help="print one JSON object instead")

    status = sub.add_parser(
        "status", parents=[store], help="what needs attention, and the command that fixes it",
        description="Every profile and authorization: where its secrets live, masked tokens, "
        "days left before the 365-day re-authorization and the 180-day client secret rotation, "
        "the last verify, and for each problem the exact command that fixes it. Exit 1 when "
        "anything needs action.")
    status.set_defaults(handler="status:cmd_status")
    status.add_argument("name", nargs="?", metavar="NAME", help="only this profile")
    status.add_argument("--json", action="store_true",
                        help="print one JSON object instead (documented in docs/json.md)")

    token = sub.add_parser(
        "token", parents=[store], help="print a token alone on stdout, for scripts",
        description="Print the refresh token (or with --access a fresh access token) alone on "
        "stdout, for $(oauth-wizard token NAME).")
    token.set_defaults(handler="token:cmd_token")
    token.add_argument("name", metavar="NAME", help="the profile")
    token.add_argument("--access", action="store_true",
                       help="a fresh access token from LWA (valid one hour) instead")
    _selectors(token)

    export = sub.add_parser(
        "export", parents=[store], help="write credentials in another library's format",
        description="Write the credentials in the format a library reads. Files are written "
        "with mode 0600 and never over an existing file without --force. psa-yaml and "
        "amz-tools go to their library's file by default, the others to stdout.")
    export.set_defaults(handler="export:cmd_export")
    export.add_argument("name", metavar="NAME", help="the profile")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, metavar="FORMAT",
                        help=f"one of: {', '.join(EXPORT_FORMATS)}")
    export.add_argument("--output", metavar="F",
                        help="write to file F (- for stdout); default: the library's file for "
                        "psa-yaml and amz-tools, stdout for the others")
    export.add_argument("--force", action="store_true",
                        help="replace an existing file (psa-yaml: that account's block)")
    export.add_argument("--account", metavar="NAME",
                        help="psa-yaml account block / psa-env variable suffix (default: the "
                        "default account, no suffix)")
    export.add_argument("--marketplace", metavar="CC",
                        help="the default marketplace written where the format has one "
                        "(default: the authorization's first)")
    _selectors(export)
