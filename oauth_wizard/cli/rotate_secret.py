"""``rotate-secret NAME``: rotate the LWA client secret through Amazon's API (``keep.rotation``).

Step 1 checks what a rotation needs, asks Amazon for a new secret and records that it asked.
Amazon sends the secret to the SQS queue registered in the Solution Provider Portal. With
``--queue-url`` the command waits there (a countdown; Ctrl-C leaves everything resumable) for
this app's ``APPLICATION_OAUTH_CLIENT_NEW_SECRET``; without it, ``--resume --from-message FILE|-``
takes the message later. Step 2 proves the new secret with LWA, only then stores it, and only
then deletes the message. The API is never called twice for one rotation: with a request
recorded, step 1 refuses and points at ``--resume``. ``--update-aws-secret ID`` then puts the
new secret in that AWS Secrets Manager secret. No secret is printed; ``--json`` reports the
steps and the outcome. Exit 0 when done, 1 when Amazon, AWS or a store said no, 2 for usage
errors, 130 when stopped while waiting.
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
    CommandError,
    UsageError,
    add_store_options,
    is_terminal,
    note,
)
from oauth_wizard.cli.keep import keep_service, load_record, with_globals
from oauth_wizard.cli.queue_read import add_queue_options, open_queue, wait_for
from oauth_wizard.cli.secret_notice import read_message
from oauth_wizard.core.records import ProfileRecord
from oauth_wizard.keep.notices import (
    QUEUE_NEEDED,
    SANDBOX,
    SANDBOX_FIX,
    NoticeError,
    new_secret_for,
    read_new_secret_notice,
)
from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.rotation import (
    RotationReport,
    RotationStep,
    complete_from_queue,
    complete_rotation,
    request_rotation,
)


def cmd_rotate_secret(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    if record.sandbox_app and not args.resume:
        raise UsageError(SANDBOX.format(name=record.name), SANDBOX_FIX)
    if args.queue_url and args.from_message:
        raise UsageError("--queue-url and --from-message both say where the message is.",
                         "Give one of them.")
    queue = open_queue(args, "rotate-secret") if args.queue_url else None
    if args.update_aws_secret:
        from oauth_wizard.cli.aws_secret import check_aws_available
        check_aws_available("rotate-secret --update-aws-secret")
    steps: list[RotationStep] = []
    if args.resume:
        if queue is None and not args.from_message:
            raise UsageError("--resume needs where Amazon's message is: --queue-url URL, or "
                             "--from-message FILE (or - for stdin).",
                             "Give the queue set in the Solution Provider Portal, or the "
                             "message's JSON saved to a file.")
        if record.client_secret_rotation_requested is None:
            note("no rotation was requested with oauth-wizard for this profile; the notice is "
                 "used all the same.")
    else:
        _refuse_second_request(args, record)
        _confirm(args)
        report = asyncio.run(request_rotation(keep_service(args), record))
        if not report.ok or queue is None:
            return _show(args, report, "Rotation requested. When the message reaches your "
                         "queue, save its JSON and run: " + _resume(args, record, "--from-message "
                                                                   "FILE"))
        steps.extend(report.steps)
        _progress(args, report.steps)
    if queue is None:
        try:
            notice = read_new_secret_notice(read_message(args.from_message))
        except NoticeError as exc:
            raise UsageError(f"{args.from_message}: {exc}", "Give the JSON of the "
                             "APPLICATION_OAUTH_CLIENT_NEW_SECRET notification.") from None
        watch = caught = None
    else:
        try:
            watch, caught = wait_for(queue, new_secret_for(record.app.client_id), args.wait,
                                     "new-secret message",
                                     _resume(args, record, f"--queue-url {args.queue_url}"))
        except CommandError as exc:
            if not args.json:
                raise
            _show(args, RotationReport(tuple(steps), Failure(exc.message, exc.fix)), "")
            return exc.code  # --json: the steps so far and why it stopped, on stdout
        notice = caught.notice
    report = asyncio.run(complete_rotation(keep_service(args), record, notice)
                         if watch is None else
                         complete_from_queue(keep_service(args), record, watch, caught))
    if report.ok and args.update_aws_secret:
        from oauth_wizard.cli.aws_secret import update_aws_secret
        report = update_aws_secret(args, record, notice.new_secret, report)
    merged = RotationReport((*steps, *report.steps), report.failure)
    return _show(args, merged, "The new client secret is proven and stored; the old one works "
                 f"until {notice.old_expires}. Update other copies: {PROG} export "
                 f"{record.name} ...", already=len(steps))


def _refuse_second_request(args: argparse.Namespace, record: ProfileRecord) -> None:
    if args.from_message:
        raise UsageError("--from-message is for --resume, after the rotation was requested.",
                         f"First run {PROG} rotate-secret {record.name}.")
    if record.client_secret_rotation_requested is not None:
        where = f"--queue-url {args.queue_url}" if args.queue_url else "--from-message FILE"
        raise UsageError(
            f"A rotation of '{record.name}' was already requested on "
            f"{record.client_secret_rotation_requested}; asking again would rotate twice.",
            "When its message is in the queue: " + _resume(args, record, where))


def _resume(args: argparse.Namespace, record: ProfileRecord, where: str) -> str:
    return with_globals(args, f"{PROG} rotate-secret {record.name} --resume {where}")


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


def _progress(args: argparse.Namespace, steps) -> None:
    if not args.json:
        for step in steps:
            print(f"  {'✓' if step.ok else '✗'} {step.step}: {step.said}", file=sys.stderr)


def _show(args: argparse.Namespace, report: RotationReport, done: str, already: int = 0) -> int:
    if args.json:
        print(json.dumps({"profile": args.name, "ok": report.ok,
                          "steps": [s.as_json() for s in report.steps],
                          "error": None if report.ok else report.failure.message,
                          "fix": None if report.ok else report.failure.fix}))
    else:
        _progress(args, report.steps[already:])
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
        "Rotate the app's LWA client secret through Amazon's Application Management API: ask "
        "Amazon for a new secret, wait for it on your SQS queue (--queue-url) or take the "
        "message later (--resume --from-message), prove it with LWA, then store it. No secret "
        "is printed.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_rotate_secret)
    parser.add_argument("name", metavar="NAME", help="the profile")
    parser.add_argument("--yes", action="store_true",
                        help="the queue for 'Application Client New Secret' is set up; do not ask")
    add_queue_options(parser, "Amazon's new-secret message")
    parser.add_argument("--resume", action="store_true",
                        help="finish a requested rotation (with --queue-url or --from-message); "
                        "the API is not called again")
    parser.add_argument("--from-message", metavar="FILE",
                        help="with --resume: the APPLICATION_OAUTH_CLIENT_NEW_SECRET "
                        "notification's JSON in FILE, or - for stdin")
    parser.add_argument("--update-aws-secret", metavar="ID",
                        help="after storing it, put the new secret in this AWS Secrets Manager "
                        "secret (its other keys are kept)")
    parser.add_argument("--aws-region", metavar="R", help="the AWS region of the queue and "
                        "secret (default: the queue URL's, then AWS_REGION)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (steps and outcome, no secret)")
