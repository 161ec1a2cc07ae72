"""``diagnose --profile NAME --probe``: measure with the stored credentials, then rank again.

The probes themselves are ``keep.probe``'s (read-only calls, no token kept or shown); this
module runs them for the command line, says on stderr which calls were made and what each
measured, and hands the measured facts back to ``diagnose``. A measurement wins over a fact the
user stated for the same key, and the user is told when they differ.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from oauth_wizard.cli.common import note

if TYPE_CHECKING:
    from oauth_wizard.core.records import ProfileRecord
    from oauth_wizard.keep.probe import ProbeReport


def run_probe(args: argparse.Namespace, record: ProfileRecord,
              known: Mapping[str, str]) -> ProbeReport:
    """The probe report for ``record``; ``known`` holds the facts so far (the marketplace and
    the operation in question decide two of the probes)."""
    import asyncio  # only a probe needs the event loop: plain diagnose starts without it

    from oauth_wizard.cli.keep import keep_service
    from oauth_wizard.keep.probe import probe

    service = keep_service(args)
    return asyncio.run(probe(service, record, known, all_regions=args.all_regions))


def measured_facts(report: ProbeReport, stated: list[str]) -> list[str]:
    """The measured facts as ``KEY=VALUE``, after noting each one that overrides a stated
    fact with another value."""
    said = {}
    for fact in stated:
        key, _, value = fact.partition("=")
        said[key.strip().lower()] = value.strip().lower()
    for key, value in report.facts.items():
        if key in said and said[key] != value.lower():
            note(f"you stated {key}={said[key]}, but the probe measured {key}={value}; the "
                 "measurement is used.")
    return [f"{key}={value}" for key, value in report.facts.items()]


def show_probe(report: ProbeReport, name: str) -> None:
    """What was called and what it measured, on stderr (stdout keeps the diagnosis)."""
    whose = f" ({report.authorization})" if report.authorization else ""
    out = sys.stderr
    print(f"Probed with the stored credentials of '{name}'{whose}; read-only, nothing changed "
          "at Amazon, no token shown:", file=out)
    for call in report.calls:
        print(f"  {'✓' if call.ok else '✗'} {call.what}: {call.outcome}", file=out)
    for text in report.notes:
        print(f"  · {text}", file=out)
    if report.facts:
        print("  Measured: " + " ".join(f"{k}={v}" for k, v in report.facts.items()), file=out)
    out.flush()


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--probe", action="store_true",
                        help="with --profile: measure instead of guessing. Refresh the stored "
                        "token at LWA, call getMarketplaceParticipations, ask for a grantless "
                        "token, read the ages of the secret and the authorization; each result "
                        "becomes a fact (read-only calls; no token is printed)")
    parser.add_argument("--all-regions", action="store_true",
                        help="with --probe: also call getMarketplaceParticipations in the other "
                        "two regions, to find where the token works")
