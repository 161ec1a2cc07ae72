"""``rotate-secret NAME``: rotate the LWA client secret through Amazon's API (``keep.rotation``).

Step 1 (``rotate-secret NAME [--yes]``) checks what a rotation needs, asks Amazon for a new
secret and records that it asked. Amazon sends the secret to the queue registered in the
Solution Provider Portal; step 2 (``rotate-secret NAME --resume --from-message FILE|-``) takes
that message, proves the new secret with LWA, and only then stores it. The API is never called
twice for one rotation: with a request recorded, step 1 refuses and points at step 2. No secret
is printed; ``--json`` reports the steps and the outcome. Exit 0 when the step succeeded, 1 when
Amazon or a store said no, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from oauth_wizard.cli.common import (
    EXIT_NOT_OK,
    EXIT_OK,
    PROG,
    UsageError,
    add_store_options,
    is_terminal,
    note,
)
from oauth_wizard.cli.keep import keep_service, load_record, with_globals
from oauth_wizard.cli.secret_notice import read_message
from oauth_wizard.keep.notices import NoticeError, read_new_secret_notice
from oauth_wizard.keep.rotation import RotationReport, complete_rotation, request_rotation

QUEUE_NEEDED = (
    "Amazon sends the new secret as an APPLICATION_OAUTH_CLIENT_NEW_SECRET notification to the "
    "SQS queue set for 'Application Client New Secret' in the Solution Provider Portal "
    "(Develop Apps, Notification Preferences), and Amazon must be allowed to write to that "
    "queue. Without it the new secret is lost; the old one then stops working 7 days later.")


def cmd_rotate_secret(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    service = keep_service(args)
    if args.resume:
        if not args.from_message:
            raise UsageError("--resume needs the notification: --from-message FILE (or - for "
                             "stdin).", "Save the queue message's JSON to a file and give it.")
        try:
            notice = read_new_secret_notice(read_message(args.from_message))
        except NoticeError as exc:
            raise UsageError(f"{args.from_message}: {exc}", "Give the JSON of the "
                             "APPLICATION_OAUTH_CLIENT_NEW_SECRET notification.") from None
        if record.client_secret_rotation_requested is None:
            note("no rotation was requested with oauth-wizard for this profile; the notice is "
                 "used all the same.")
        report = asyncio.run(complete_rotation(service, record, notice))
        done = "The new client secret is proven and stored; the old one works until " \
               f"{notice.old_expires}. Update other copies: {PROG} export {record.name} ..."
    else:
        if args.from_message:
            raise UsageError("--from-message is for --resume, after the rotation was "
                             "requested.", f"First run {PROG} rotate-secret {record.name}.")
        if record.client_secret_rotation_requested is not None:
            raise UsageError(
                f"A rotation of '{record.name}' was already requested on "
                f"{record.client_secret_rotation_requested}; asking again would rotate twice.",
                with_globals(args, f"When its message is in the queue: {PROG} rotate-secret "
                             f"{record.name} --resume --from-message FILE"))
        _confirm(args)
        report = asyncio.run(request_rotation(service, record))
        done = ("Rotation requested. When the message reaches your queue, save its JSON and "
                "run: " + with_globals(args, f"{PROG} rotate-secret {record.name} --resume "
                                       "--from-message FILE"))
    return _show(args, report, done)


def _confirm(args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not (is_terminal(sys.stdin) and is_terminal(sys.stderr)):
        raise UsageError(f"{QUEUE_NEEDED} Confirm with --yes that the queue is set up.",
                         "Add --yes once the queue is registered.")
    print(QUEUE_NEEDED, file=sys.stderr)
    answer = input("Is the queue set up, and may Amazon write to it? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise UsageError("Nothing was rotated.", "Set up the queue, then run this again.")


def _show(args: argparse.Namespace, report: RotationReport, done: str) -> int:
    if args.json:
        print(json.dumps({"profile": args.name, "ok": report.ok,
                          "steps": [s.as_json() for s in report.steps],
                          "error": None if report.ok else report.failure.message,
                          "fix": None if report.ok else report.failure.fix}))
    else:
        for step in report.steps:
            print(f"  {'✓' if step.ok else '✗'} {step.step}: {step.said}", file=sys.stderr)
    if report.failure is not None:
        if not args.json:
            print(f"{PROG} rotate-secret: {report.failure.message}", file=sys.stderr)
            if report.failure.fix:
                print(f"  fix: {report.failure.fix}", file=sys.stderr)
        return EXIT_NOT_OK
    if not args.json:
        print(done)
    return EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard rotate-secret``."""
    parser.description = (
        "Rotate the app's LWA client secret through Amazon's Application Management API. "
        "Step 1 asks Amazon for a new secret (sent to your SQS queue); step 2, --resume "
        "--from-message, proves the new secret and stores it. No secret is printed.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_rotate_secret)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--yes", action="store_true",
                        help="the queue for 'Application Client New Secret' is set up; do not ask")
    parser.add_argument("--resume", action="store_true",
                        help="finish a requested rotation with the queue's message")
    parser.add_argument("--from-message", metavar="FILE",
                        help="with --resume: the APPLICATION_OAUTH_CLIENT_NEW_SECRET "
                        "notification's JSON in FILE, or - for stdin")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (steps and outcome, no secret)")
