"""How fast the doctor answers, as ratios against a baseline measured in the same run.

Baseline: the cheapest possible look at the same input (one regex pass for MD codes), so the
ratio says what the whole diagnosis (signals, facts, ranking, questions) costs on top of merely
reading the text. Issue 5 asks for a doctor that is deterministic and fast: a typical paste
should stay in the low milliseconds, and a 10 MB paste bounded (the engine reads head and tail).

Run: .venv/bin/python benchmarks/doctor.py [--runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
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
