"""Mutation score of the modules that guard the flow: does a test fail when a defence changes?

mutmut (in the test extra) changes one thing at a time in the catcher and its checks, the legs,
masking, the stores, validation, and the consent URL and its linter, and runs the tests that
cover the changed function. A mutant is *killed* when a test fails (or it hangs until mutmut's
timeout), *survives* when every test passes, and has *no tests* when nothing selected covers
it, which counts as surviving: nothing holds that line.

A survivor whose only change is to a message (prose: a string constant with a space in it,
or an f-string with prose in it, values included; reworded, blanked to a constant such as
None, or dropped from the call) is a *message-text survivor*; the tests assert behaviour,
not wording, so those are left out of the score and counted separately. Any other string
(``safe=""``, a cause id, a header value) counts like code.

It works in a temporary copy of the tracked files (mutmut writes ``mutants/`` beside the code)
and stops after ``--max-minutes``; mutants not reached by then are reported as not checked and
left out. Not part of CI's default run: it takes minutes.

Run: .venv/bin/python benchmarks/mutation.py [--max-minutes N] [--jobs N] [--list] [--keep]
     .venv/bin/python benchmarks/mutation.py --report DIR   (a kept run, reported again)
     .venv/bin/python benchmarks/mutation.py --again DIR    (a kept run's survivors and unchecked
                                                            mutants, tested by today's tests)
Prints: mutation score: NN% (killed K of M; message-text survivors excluded: E)
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUARDS = [
    "oauth_wizard/authorize/catcher.py", "oauth_wizard/authorize/catcher_checks.py",
    "oauth_wizard/authorize/catcher_guard.py", "oauth_wizard/authorize/legs.py",
    "oauth_wizard/core/masking.py", "oauth_wizard/core/validation.py",
    "oauth_wizard/keep/store.py", "oauth_wizard/keep/store_format.py",
    "oauth_wizard/keep/files.py", "oauth_wizard/keep/file_secrets.py",
    "oauth_wizard/consent/url.py", "oauth_wizard/consent/lint.py",
    "oauth_wizard/consent/lint_values.py",
]
TESTS = ["tests/authorize", "tests/core", "tests/keep", "tests/consent"]
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # a failing test, pytest's own error, a timeout
SURVIVED, NO_TESTS = {0}, {5, 33}


def copy_tree(into: Path) -> None:
    """The tracked files only (no .venv, no caches), as CI would check them out."""
    git = shutil.which("git") or "git"
    files = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True,  # noqa: S603
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    def listed(values: list[str]) -> str:  # mutmut reads one value per line
        return "".join(f"\n    {v}" for v in values)
    (into / "setup.cfg").write_text(
        "[mutmut]\nsource_paths=oauth_wizard\n"
        f"only_mutate={listed(GUARDS)}\n"
        f"pytest_add_cli_args_test_selection={listed(TESTS)}\n", "utf-8")


def run_mutmut(work: Path, minutes: float, jobs: int, only: list[str] | None = None) -> bool:
    """Run mutmut (on ``only`` these mutants, when given); False when the time ran out first
    (the results so far still count)."""
    mutmut = Path(sys.executable).with_name("mutmut")
    proc = subprocess.Popen([str(mutmut), "run", "--max-children", str(jobs), *(only or [])],  # noqa: S603
                            cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate(timeout=minutes * 60)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        return False
    if proc.returncode != 0:
        raise SystemExit(f"mutmut failed (exit {proc.returncode}):\n{err[-2000:]}")
    return True


def rerun_open(work: Path, minutes: float, jobs: int) -> bool:
    """Test a kept run's survivors and unchecked mutants again with the tests as they are now.

    Only the tests are copied in: a guard module that changed since the run makes its mutants
    stale, so that is refused (run afresh instead). mutmut collects which test covers which
    function again, so new tests are selected for the mutants they reach."""
    stale = [g for g in GUARDS if (work / g).read_bytes() != (ROOT / g).read_bytes()]
    if stale:
        raise SystemExit(f"{', '.join(stale)} changed since that run; run afresh instead.")
    git = shutil.which("git") or "git"
    files = subprocess.run([git, "ls-files", "-z", "tests"], cwd=ROOT,  # noqa: S603
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        for into in (work, work / "mutants"):
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    cache: dict = {}  # message-text survivors stay out of the score either way: not rerun
    open_keys = [k for k, c in exit_codes(work).items() if c is None or (
        c in SURVIVED | NO_TESTS and not message_text_only(work, k, cache))]
    return run_mutmut(work, minutes, jobs, open_keys)


def exit_codes(work: Path) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.py.meta"):
        out.update(json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {}))
    return out


def _is_prose(node: object) -> bool:
    """A message: a string constant with a space in it, or an f-string with prose in it."""
    if isinstance(node, ast.keyword):
        return _is_prose(node.value)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and " " in node.value.strip()
    return isinstance(node, ast.JoinedStr) and any(_is_prose(part) for part in node.values)


def _same_but_prose(a: object, b: object) -> bool:
    """Whether ``b`` is ``a`` with at most its messages changed: reworded, blanked (a
    constant such as None in their place), or dropped from an argument list."""
    if _is_prose(a) and (isinstance(b, ast.Constant) or _is_prose(b)):
        return True
    if not isinstance(a, ast.AST):
        return a == b
    if type(a) is not type(b):
        return False
    for field, left in ast.iter_fields(a):
        right = getattr(b, field, None)
        if field == "name" and isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue  # the mutant's own name
        if isinstance(left, list):
            if not isinstance(right, list) or not _same_list(left, right):
                return False
        elif not _same_but_prose(left, right):
            return False
    return True


def _same_list(left: list, right: list) -> bool:
    if len(left) == len(right):
        return all(_same_but_prose(x, y) for x, y in zip(left, right, strict=True))
    if len(left) != len(right) + 1:
        return False
    return any(_is_prose(left[i]) and _same_list(left[:i] + left[i + 1:], right)
               for i in range(len(left)))


def _functions(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text("utf-8"))
    return {node.name: node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def message_text_only(work: Path, key: str, cache: dict) -> bool:
    """Whether mutant ``key`` (module.x_func__mutmut_N) changes only messages."""
    module, _, name = key.rpartition(".")
    path = work / "mutants" / (module.replace(".", "/") + ".py")
    if path not in cache:
        cache[path] = _functions(path)
    funcs = cache[path]
    base = name.rsplit("__mutmut_", 1)[0]
    mutant, original = funcs.get(name), funcs.get(base + "__mutmut_orig")
    if mutant is None or original is None:
        return False
    return _same_but_prose(original, mutant)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-minutes", type=float, default=20.0,
                        help="stop mutmut after this long (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--list", action="store_true", help="list every survivor")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--report", metavar="DIR", type=Path,
                        help="only report on the work directory of an earlier --keep run")
    parser.add_argument("--again", metavar="DIR", type=Path,
                        help="test an earlier --keep run's survivors and unchecked mutants "
                             "again with the current tests")
    args = parser.parse_args()
    kept = args.report or args.again
    work = kept or Path(tempfile.mkdtemp(prefix="oauth-wizard-mutation-"))
    started = time.monotonic()
    try:
        finished = True
        if args.again is not None:
            finished = rerun_open(work, args.max_minutes, args.jobs)
        elif args.report is None:
            copy_tree(work)
            finished = run_mutmut(work, args.max_minutes, args.jobs)
        codes = exit_codes(work)
        cache: dict = {}
        killed = [k for k, c in codes.items() if c in KILLED]
        unchecked = [k for k, c in codes.items() if c is None]
        lost = [k for k, c in codes.items() if c in SURVIVED | NO_TESTS]
        prose = [k for k in lost if message_text_only(work, k, cache)]
        counted = [k for k in lost if k not in prose]
        other = [k for k, c in codes.items()
                 if c is not None and c not in KILLED | SURVIVED | NO_TESTS]
        total = len(killed) + len(counted)
        by_module = Counter(k.rsplit(".", 1)[0] for k in counted)
        minutes = (time.monotonic() - started) / 60
        print(f"{len(codes)} mutants in {len(GUARDS)} modules, {minutes:.1f} min"
              f"{'' if finished else ' (time ran out)'}; not checked: {len(unchecked)}; "
              f"suspicious or other: {len(other)}")
        for module, count in by_module.most_common():
            print(f"  survivors in {module}: {count}")
        if args.list:
            for key in sorted(counted):
                print(f"  survived: {key}" + (" (no test covers it)"
                                              if codes[key] in NO_TESTS else ""))
        score = 100 * len(killed) / total if total else 0.0
        print(f"mutation score: {score:.0f}% (killed {len(killed)} of {total}; "
              f"message-text survivors excluded: {len(prose)})")
        if args.keep or kept:
            print(f"work directory kept: {work} (mutmut show NAME there shows a mutant)")
    finally:
        if not args.keep and kept is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
