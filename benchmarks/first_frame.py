"""Time to the wizard's first frame, as a ratio to a minimal Textual app measured in the same run.

Both run in a real pseudo-terminal (110x34) and are timed from the process start until their
first screen is on the terminal: the wizard's Welcome screen, and for the baseline an app of a
Header, a Static and a Footer. The two alternate (wizard, baseline, wizard, …) so a machine that
speeds up or slows down during the run affects both alike; the figure is the median of each.

Target (issue 9): the wizard's first frame within 1.5x of the minimal app's, which holds only
while the screens import no HTTP, keyring or certificate code before drawing.

Run: .venv/bin/python benchmarks/first_frame.py [--runs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

COLUMNS, LINES = 110, 34
TIMEOUT_S = 30.0
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("first frame of a minimal app")
        yield Footer()

Minimal().run()
"""
# What each program shows only once its first screen is drawn.
CASES = {
    "minimal Textual app": ([sys.executable, "-c", MINIMAL_APP], b"minimal app"),
    "oauth-wizard": ([sys.executable, "-m", "oauth_wizard"], b"Enter to choose"),
}


def first_frame_seconds(argv: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Seconds from starting ``argv`` in a pty until ``marker`` appears on its screen."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of a fixed size, then the program
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ,
                    struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        os.execvpe(argv[0], argv, env)  # noqa: S606
    seen = b""
    try:
        while time.perf_counter() - start < TIMEOUT_S:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            # Textual may split a word over two writes: keep a tail to search across them.
            seen = seen[-len(marker):] + chunk
            if marker in seen:
                return time.perf_counter() - start
        raise RuntimeError(f"{argv[-1]!r} drew no first frame within {TIMEOUT_S:g} s")
    finally:
        with _quiet():
            os.kill(pid, signal.SIGKILL)
        with _quiet():
            os.waitpid(pid, 0)
        os.close(fd)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


def report(runs: int) -> float:
    """Measure, print the figures, and return the wizard's ratio to the minimal app."""
    with tempfile.TemporaryDirectory(prefix="oauth-wizard-bench-") as home:
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS),
               "LINES": str(LINES), "HOME": home, "OAUTH_WIZARD_CONFIG_DIR": home,
               "XDG_CONFIG_HOME": home, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for argv, marker in CASES.values():  # one warm-up each (disk cache, .pyc files)
            first_frame_seconds(argv, marker, env)
        for _ in range(runs):
            for name, (argv, marker) in CASES.items():
                times[name].append(first_frame_seconds(argv, marker, env))
    base = statistics.median(times["minimal Textual app"])
    print(f"first frame in a {COLUMNS}x{LINES} pty, median of {runs} interleaved runs; "
          "ratio = time / the minimal app's in this run")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:22} {median * 1000:8.1f} ms  x{median / base:5.2f}  "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f} ms)")
    ratio = statistics.median(times["oauth-wizard"]) / base
    print(f"target: at most x1.50 -> {'met' if ratio <= 1.5 else 'NOT met'} (x{ratio:.2f})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    report(parser.parse_args().runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
