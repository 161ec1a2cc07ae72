"""``diagnose``: what Amazon said (argument, stdin or a paste) plus facts, to ranked causes.

The answer is printed for people (``doctor_render``), as the JSON of the contract in
reference/diagnosis.md (``--json``, exactly ``Diagnosis.as_json()``), or as the details Amazon
support asks for (``--support-case``, secrets removed). A diagnosis is an answer, not a check,
so the exit code is 0 whenever one was produced; 2 for bad facts, an unknown profile or other
usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from oauth_wizard.cli.common import (
    EXIT_OK,
    CommandError,
    UsageError,
    config_dir,
    is_terminal,
    note,
    store_failure,
    width,
)
from oauth_wizard.doctor.facts import DoctorFactError, parse_facts

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile
    from oauth_wizard.core.records import ProfileRecord
    from oauth_wizard.doctor.diagnosis import Diagnosis

PROMPT = "Paste what Amazon said, then Ctrl-D on a new line (Ctrl-Z, Enter on Windows):"
CHUNK = 64 * 1024


def cmd_diagnose(args: argparse.Namespace) -> int:
    facts = list(args.fact)
    _check_facts(facts)  # before waiting for a paste
    if (args.probe or args.all_regions) and not args.profile:
        raise UsageError("--probe measures with a saved profile's stored credentials, but no "
                         "--profile was given.", "Add --profile NAME (`oauth-wizard profile "
                         "list` shows the names).")
    record = _record(args) if args.profile else None
    profile = record.app if record else None
    text = _text(args, bool(facts or profile))
    diagnosis = _diagnose(text, facts, profile)
    probed = None
    if args.probe and record is not None:
        from oauth_wizard.cli.diagnose_probe import measured_facts, run_probe, show_probe

        probed = run_probe(args, record, {**diagnosis.inferred, **diagnosis.facts})
        show_probe(probed, record.name)
        facts = [*facts, *measured_facts(probed, facts)]
        diagnosis = _diagnose(text, facts, profile)
    if _may_ask(args):
        diagnosis = _ask(diagnosis, text, facts, profile)
    if args.json:
        found = diagnosis.as_json()
        if probed is not None:
            found["probe"] = probed.as_json()
        _write(json.dumps(found, indent=2, ensure_ascii=not _unicode_out()) + "\n")
    elif args.support_case:
        from oauth_wizard.doctor.support_case import support_case_details

        _write(support_case_details(diagnosis, text, facts) + "\n")
    else:
        from oauth_wizard.doctor.render import diagnosis_text

        _write(diagnosis_text(diagnosis, width=width()))
    return EXIT_OK


def _diagnose(text: str | bytes | None, facts: list[str],
              profile: AppProfile | None) -> Diagnosis:
    from oauth_wizard.doctor.diagnosis import diagnose
    from oauth_wizard.doctor.knowledge import KnowledgeError
    try:
        return diagnose(text, facts, profile)
    except DoctorFactError as exc:
        raise _fact_error(exc) from None
    except KnowledgeError as exc:
        raise CommandError(f"The doctor's knowledge base is broken: {exc}",
                           "Reinstall oauth-wizard; if it persists, report it.") from None


def _may_ask(args: argparse.Namespace) -> bool:
    """Questions only for a person: a terminal on both ends, no machine output, no
    --no-input."""
    return (not (args.json or args.support_case or args.no_input)
            and is_terminal(sys.stdin) and is_terminal(sys.stderr))


def _ask(diagnosis: Diagnosis, text: str | bytes | None, facts: list[str],
         profile: AppProfile | None) -> Diagnosis:
    from oauth_wizard.cli.diagnose_ask import ask_until_settled, repeat_line
    from oauth_wizard.doctor.diagnosis import diagnose

    given = len(facts)
    answers = list(facts)

    def again(current: list[str]) -> Diagnosis:
        try:
            return diagnose(text, current, profile)
        except DoctorFactError as exc:
            note(f"that answer is not a value the doctor knows ({exc.problems[0]}); "
                 "it was left out.")
            current.pop()
            return diagnose(text, current, profile)

    diagnosis = ask_until_settled(diagnosis, answers, again)
    if len(answers) > given:
        print(repeat_line(answers), file=sys.stderr)
    return diagnosis


def _unicode_out() -> bool:
    return (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") in (
        "utf8", "utf16", "utf32")


def _write(text: str) -> None:
    """``text`` on stdout; characters the terminal's encoding cannot show become '?' rather
    than an error (``PYTHONIOENCODING=ascii``, old Windows consoles)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "replace").decode(encoding)
    except LookupError:
        pass
    sys.stdout.write(text)
    sys.stdout.flush()


def _fact_error(exc: DoctorFactError) -> UsageError:
    pairs = [(problem, "") for problem in exc.problems]
    pairs[-1] = (pairs[-1][0], "Facts are KEY=VALUE, e.g. --fact app_state=draft; the keys and "
                 "their values are listed in docs/diagnose.md (Facts).")
    return UsageError(*pairs[0], more=pairs[1:])


def _check_facts(facts: list[str]) -> None:
    """Every bad fact at once: the engine stops at the first one not shaped KEY=VALUE."""
    shapeless = [f for f in facts if not f.partition("=")[0].strip() or "=" not in f]
    problems = [f"Fact {f[:60]!r} is not KEY=VALUE: write it like app_state=draft."
                for f in shapeless]
    try:
        parse_facts([f for f in facts if f not in shapeless])
    except DoctorFactError as exc:
        problems = [*exc.problems, *problems]
    if problems:
        raise _fact_error(DoctorFactError(problems))


def _record(args: argparse.Namespace) -> ProfileRecord:
    from oauth_wizard.keep.store import ProfileStore, StoreError

    try:
        return ProfileStore(config_dir(args)).get(args.profile)
    except StoreError as exc:
        raise store_failure(exc) from None


def _text(args: argparse.Namespace, have_facts: bool) -> str | bytes | None:
    """The argument; else stdin (``-``, or no TEXT and stdin not a terminal); on a terminal
    with no TEXT, a paste, unless facts alone were asked about."""
    if args.text is not None and args.text != "-":
        return args.text
    stdin = sys.stdin
    if stdin is None:
        return None
    if is_terminal(stdin):
        if args.text is None and have_facts:
            return None
        print(PROMPT, file=sys.stderr, flush=True)
    return read_bounded(stdin)


def read_bounded(stream: TextIO, limit: int | None = None) -> bytes | str:
    """All of ``stream`` (its bytes when it has them), but of a huge input only the first and
    last ``limit / 2``: errors sit at the end of logs, and memory stays bounded."""
    from oauth_wizard.doctor.signals import MAX_BYTES, MAX_CHARS

    source = getattr(stream, "buffer", None) or stream
    binary = source is not stream
    limit = limit or (MAX_BYTES if binary else MAX_CHARS)
    half = limit // 2
    head = tail = None
    total = 0
    while True:
        try:
            chunk = source.read(CHUNK)
        except (OSError, ValueError):  # closed or detached: what was read is what there is
            break
        if not chunk:
            break
        if head is None or tail is None:
            head = tail = chunk[:0]
        total += len(chunk)
        if len(head) < half:
            room = half - len(head)
            head, chunk = head + chunk[:room], chunk[room:]
        tail += chunk
        if len(tail) > 2 * half:
            tail = tail[-half:]
    if head is None or tail is None:
        return b"" if binary else ""
    if total <= limit:
        return head + tail
    unit = "bytes" if binary else "characters"
    note(f"the input was {total:,} {unit}; the doctor read its first and last {half // 1024} K.")
    return head + tail[-half:]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard diagnose``."""
    parser.description = (
        "Rank the likely causes of an MD/SPDC code, an LWA or SP-API error body, an "
        "HTTP status, a log line or free text, given what you know about the app (--fact), and "
        "show each cause's fix and the question that would narrow it down. TEXT, or - for "
        "stdin; with no TEXT, stdin is read when it is not a terminal, else you are asked to "
        "paste (facts alone are diagnosed when --fact or --profile is given). Exit 0 when a "
        "diagnosis was given, 2 for bad facts or usage errors.")
    parser.set_defaults(handler=cmd_diagnose)
    parser.add_argument("text", nargs="?", metavar="TEXT",
                        help="what Amazon said (error page text, JSON body, log line), or - for "
                        "stdin")
    parser.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE",
                        help="something known about the app or the attempt, e.g. app_state=draft, "
                        "marketplace=DE, app_marketplaces=US,CA (repeat; keys in docs/diagnose.md)")
    parser.add_argument("--profile", metavar="NAME",
                        help="add the facts a saved profile states (--fact wins over them)")
    parser.add_argument("--config-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="where profiles are kept (same as before the command)")
    from oauth_wizard.cli.diagnose_probe import add_probe_arguments

    add_probe_arguments(parser)
    parser.add_argument("--no-input", action="store_true",
                        help="never ask questions (in a terminal, the doctor otherwise asks the "
                        "question that would tell the leading causes apart, one at a time)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="print the diagnosis as one JSON object (the documented contract)")
    out.add_argument("--support-case", action="store_true",
                     help="print the details Amazon support asks for (app ID, request ID, "
                     "timestamp, operation, response), secrets removed")
