"""``secret-notice NAME (--queue-url URL | --from-message FILE|-)``: record the expiry date
Amazon gave.

Reads an ``APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY`` notification (from the SQS queue, where
other messages are left alone and the notice is deleted once recorded; or the JSON a queue
delivered, kept in a file or piped in) and records its ``clientSecretExpiryTime`` in the
profile, under the profiles file's lock, so ``status`` counts down from Amazon's date
instead of the 180-day estimate. The notice must be for the profile's client ID. Exit 0 once
the date is on disk; 2 for a message this command cannot use (what is wrong is named).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from oauth_wizard.cli.common import (
    EXIT_OK,
    PROG,
    CommandError,
    UsageError,
    add_store_options,
    note,
    store_failure,
)
from oauth_wizard.cli.keep import load_record, profile_store
from oauth_wizard.cli.queue_read import add_queue_options
from oauth_wizard.core.records import ProfileRecord
from oauth_wizard.keep.notices import ExpiryNotice, NoticeError, expiry_for, read_expiry_notice
from oauth_wizard.keep.store import StoreError

MAX_MESSAGE = 256 * 1024  # SQS messages are at most 256 KiB


def cmd_secret_notice(args: argparse.Namespace) -> int:
    record = load_record(args, args.name)
    if bool(args.queue_url) == bool(args.from_message):
        raise UsageError("Say where the notice is: --queue-url URL or --from-message FILE "
                         "(one of them).", "Give the queue set in the Solution Provider "
                         "Portal, or the message's JSON saved to a file (- for stdin).")
    if args.queue_url:
        try:
            notice = _from_queue(args, record)
        except CommandError as exc:
            if not args.json or isinstance(exc, UsageError):
                raise
            print(json.dumps({"profile": record.name, "recorded": False,
                              "error": exc.message, "fix": exc.fix}))
            return exc.code
    else:
        notice = _from_message(args, record)
        _record(args, record, notice)
    if args.json:
        print(json.dumps({"profile": record.name, "client_id": notice.client_id,
                          "expires": notice.expires.isoformat(), "reason": notice.reason,
                          "notification_id": notice.notification_id, "recorded": True}))
    else:
        why = f" ({notice.reason})" if notice.reason else ""
        print(f"Recorded: the client secret of '{record.name}' expires on {notice.expires}"
              f"{why}, as Amazon's notice says. `{PROG} status` now counts down from this "
              "date.")
    return EXIT_OK


def _from_message(args: argparse.Namespace, record: ProfileRecord) -> ExpiryNotice:
    try:
        notice = read_expiry_notice(read_message(args.from_message))
    except NoticeError as exc:
        raise UsageError(f"{_where(args.from_message)}: {exc}", "Give the JSON of an "
                         "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY notification (the message "
                         "body, or what `aws sqs receive-message` prints).") from None
    if notice.client_id != record.app.client_id:
        raise UsageError(f"The notice is for client ID {notice.client_id}, but profile "
                         f"'{record.name}' uses {record.app.client_id}.",
                         "Record it on the profile of that app (`oauth-wizard profile list` "
                         "shows each profile's client ID).")
    return notice


def _from_queue(args: argparse.Namespace, record: ProfileRecord) -> ExpiryNotice:
    """Wait for this app's expiry notice; delete it only once its date is on disk."""
    from oauth_wizard.aws.session import AwsError
    from oauth_wizard.cli.queue_read import open_queue, release, wait_for

    queue = open_queue(args, "secret-notice")
    watch, caught = wait_for(queue, expiry_for(record.app.client_id), args.wait,
                             "expiry notice",
                             f"{PROG} secret-notice {record.name} --queue-url {args.queue_url}")
    try:
        _record(args, record, caught.notice)
    except BaseException:
        release(watch, caught)
        raise
    try:
        watch.done(caught)
    except AwsError as exc:
        note(f"the date is recorded, but the notice could not be deleted from the queue "
             f"({exc.message}); it may be read again, harmlessly.")
    return caught.notice


def _where(source: str) -> str:
    return "stdin" if source == "-" else source


def read_message(source: str) -> str:
    """The message's text, from a file or stdin (at most an SQS message's size)."""
    try:
        if source == "-":
            text = sys.stdin.read(MAX_MESSAGE + 1)
        else:
            with Path(source).expanduser().open(encoding="utf-8") as fh:
                text = fh.read(MAX_MESSAGE + 1)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise UsageError(f"Cannot read {_where(source)}: {reason}.",
                         "Give the path of a file holding the notification's JSON, or - and "
                         "pipe it in.") from None
    if len(text) > MAX_MESSAGE:
        raise UsageError(f"{_where(source)} is larger than an SQS message can be (256 KiB).",
                         "Give one notification's JSON.")
    return text


def _record(args: argparse.Namespace, record: ProfileRecord, notice: ExpiryNotice) -> None:
    def change(current: ProfileRecord) -> ProfileRecord:
        return replace(current, client_secret_expires=notice.expires)

    try:
        profile_store(args).update(record.name, change)
    except StoreError as exc:
        raise store_failure(exc) from None
    if record.client_secret_expires not in (None, notice.expires):
        note(f"this replaces the expiry date recorded before ({record.client_secret_expires}).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard secret-notice``."""
    parser.description = (
        "Record the client secret's expiry date from Amazon's "
        "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY notification, so status counts down from "
        "Amazon's date instead of the 180-day estimate. Give the queue (--queue-url) or the "
        "message (--from-message). Exit 0 when recorded, 2 for a message it cannot use.")
    add_store_options(parser)
    parser.set_defaults(handler=cmd_secret_notice)
    parser.add_argument("name", metavar="NAME", help="the profile")
    add_queue_options(parser, "the notice")
    parser.add_argument("--from-message", metavar="FILE",
                        help="the notification's JSON (or an SQS message, or `aws sqs "
                        "receive-message` output) in FILE, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
