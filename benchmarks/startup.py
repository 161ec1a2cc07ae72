"""Start-up cost of the commands that need no UI, as ratios against a baseline measured in the
same run (bare ``python -c pass``), so the figure means the same on any machine.

Target (issue 12): ``diagnose 'Error Code: MD1000' --json`` within 2x of ``python -c 'import
json, tomllib, argparse, re'`` (printed as the diagnose start-up ratio).

Target (DESIGN.md): ``url``, ``lint-url`` and ``diagnose`` never import Textual, so their start-up
stays a small multiple of the interpreter's own and far below the TUI's import cost. Then the
wizard's first frame against a minimal Textual app's (``first_frame.py``; target at most 1.5x).

Every command runs with Python's bytecode cache, as an installed package does (pip compiles it
at install): one warm-up run of each case writes the ``.pyc`` files first, and
``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment. Without that, a
development shell that sets it would time the compiling of the project's source on every start
(about 20 ms more for ``diagnose``), which no user pays.

Run: .venv/bin/python benchmarks/startup.py [--runs N] [--frames N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_frame import report as first_frame_report  # noqa: E402

APP_ID = "amzn1.sp.solution.12345678-1234-1234-1234-123456789abc"
BASELINE = "baseline: python -c pass"
DIAGNOSE_BASELINE = "baseline: import json, tomllib, argparse, re"
CASES = {
    BASELINE: ["-c", "pass"],
    DIAGNOSE_BASELINE: ["-c", "import json, tomllib, argparse, re"],
    "oauth-wizard url": ["-m", "oauth_wizard", "url", "--app-id", APP_ID, "--marketplace", "DE",
                         "--app-state", "draft", "--state", "s", "--json"],
    "oauth-wizard lint-url": ["-m", "oauth_wizard", "lint-url",
                              "https://sellercentral.amazon.de/apps/authorize/consent"
                              f"?application_id={APP_ID}&state=s&version=beta",
                              "--app-state", "draft", "--json"],
    "oauth-wizard diagnose": ["-m", "oauth_wizard", "diagnose", "Error Code: MD5100",
                              "--fact", "marketplace=BR", "--json"],
    "oauth-wizard diagnose MD1000 --json": ["-m", "oauth_wizard", "diagnose",
                                            "Error Code: MD1000", "--json"],
    "import textual.app (TUI floor)": ["-c", "import textual.app"],
}


# As installed: bytecode caches may be written and are used.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(args: list[str], runs: int) -> float:
    subprocess.run([sys.executable, *args], check=False, capture_output=True, env=ENV)  # noqa: S603 - warm-up: writes the .pyc files
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=False, capture_output=True, env=ENV)  # noqa: S603
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--frames", type=int, default=5, help="first-frame runs of each app")
    args = parser.parse_args()
    runs = args.runs
    results = {name: median_seconds(args, runs) for name, args in CASES.items()}
    base = results[BASELINE]
    print(f"median of {runs} runs after a warm-up (bytecode cached, as installed); ratio = "
          "time / baseline (python -c pass) in this run")
    for name, seconds in results.items():
        print(f"  {name:44} {seconds * 1000:8.1f} ms  x{seconds / base:5.2f}")
    ratio = results["oauth-wizard diagnose MD1000 --json"] / results[DIAGNOSE_BASELINE]
    print(f"diagnose start-up ratio: {ratio:.2f}x of '{DIAGNOSE_BASELINE.split(': ')[1]}' "
          "(target at most 2x)")
    print()
    first_frame_report(args.frames)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
