"""How fast the doctor answers, as ratios against a baseline measured in the same run.

Baseline: the cheapest possible look at the same input (one regex pass for MD codes), so the
ratio says what the whole diagnosis (signals, facts, ranking, questions) costs on top of merely
reading the text. Issue 5 asks for a doctor that is deterministic and fast: a typical paste
should stay in the low milliseconds, and a 10 MB paste bounded (the engine reads head and tail).

Then the doctor on real reports (``--corpus``): top-1 and top-3 on the dev half and on the check
half of ``tests/doctor/corpus/cases.json``, with the facts the reporters gave and on the text
alone, and the rank change the facts caused per case (per case for the dev half only: the check
half's cases stay unread while the knowledge base is tuned; ``--show-check`` lists them too).

Run: .venv/bin/python benchmarks/doctor.py [--runs N] [--corpus [--show-check]]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from oauth_wizard.doctor.diagnosis import diagnose

INPUTS = {
    "MD5100 + facts": ("We are sorry but we encountered an error. Error Code: MD5100",
                       ["marketplace=BR", "app_marketplaces=US,CA,MX"]),
    "LWA invalid_grant body": ('{"error_description":"The request has an invalid grant '
                               'parameter : code","error":"invalid_grant"}', []),
    "SP-API 403 log line": ('2026-11-27 10:00:01 ERROR sp_api SellingApiForbiddenException: '
                            "[{'code': 'Unauthorized', 'message': 'Access to requested resource "
                            "is denied.', 'details': 'The access token you provided has "
                            "expired.'}]", []),
    "10 MB of log noise": ("x" * 10_000_000 + " Error Code: MD1000", []),
}
MD = re.compile(r"MD\d{4}")


def median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def corpus_report(show_check: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "doctor"))
    import corpus_kit

    cases = corpus_kit.load()
    print(f"\nReal reports: {len(cases)} scored cases (tests/doctor/corpus/cases.json)")
    for half in ("dev", "check"):
        s = corpus_kit.score(cases, half)
        print(f"  {half:5} {s.cases:3} cases  with facts: top-1 {s.ratio(s.top1_facts):.2f} "
              f"top-3 {s.ratio(s.top3_facts):.2f}   text only: top-1 {s.ratio(s.top1_text):.2f} "
              f"top-3 {s.ratio(s.top3_text):.2f}")
        better = sum(1 for _, before, after in s.rank_changes
                     if after is not None and (before is None or after < before))
        print(f"        facts changed the rank in {len(s.rank_changes)} case(s): {better} "
              f"better, {len(s.rank_changes) - better} worse")
        if half == "dev" or show_check:
            for source, before, after in s.rank_changes:
                print(f"          {source}: {before or '-'} -> {after or '-'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--corpus", action="store_true", help="score the real-report corpus")
    parser.add_argument("--show-check", action="store_true",
                        help="also list the check half's cases (only for the final report)")
    args = parser.parse_args()
    runs = args.runs
    if args.corpus:
        corpus_report(args.show_check)
        return 0
    diagnose("warm-up", [])  # loads and checks the knowledge base once, as the first call does
    print(f"median of {runs} runs; ratio = diagnose / one regex pass over the same text")
    for name, (text, facts) in INPUTS.items():
        base = median(lambda t=text: MD.findall(t), runs)
        full = median(lambda t=text, f=facts: diagnose(t, f), runs)
        print(f"  {name:24} diagnose {full * 1000:8.2f} ms  baseline {base * 1000:8.3f} ms"
              f"  x{full / base:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
