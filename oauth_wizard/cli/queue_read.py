"""Reading Amazon's notifications from the user's SQS queue, for ``rotate-secret`` and
``secret-notice``: the queue URL checked before AWS is asked, boto3 missing explained (exit 2),
a visible countdown while waiting, and Ctrl-C that leaves every message in the queue.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from oauth_wizard.cli.common import (
    EXIT_CANCELLED,
    CommandError,
    UsageError,
    is_terminal,
    note,
)
from oauth_wizard.keep.queue_watch import Caught, QueueWatch

T = TypeVar("T")
DEFAULT_WAIT_S = 600


def open_queue(args: argparse.Namespace, command: str):
    """The queue ``--queue-url`` names (checked first, then boto3); UsageError otherwise."""
    from oauth_wizard.aws.queue import Queue, QueueUrlError, check_queue_url
    from oauth_wizard.aws.session import AwsError, AwsUnavailable

    try:
        url = check_queue_url(args.queue_url)
    except QueueUrlError as exc:
        raise UsageError(f"--queue-url: {exc}", "Copy the queue's URL from the SQS console "
                         "(the one set in the Solution Provider Portal's Notification "
                         "Preferences).") from None
    try:
        return Queue(url, f"{command} --queue-url", getattr(args, "aws_region", None))
    except AwsUnavailable as exc:
        raise UsageError(exc.message, exc.fix) from None
    except AwsError as exc:
        raise CommandError(exc.message, exc.fix) from None


def add_queue_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--queue-url", metavar="URL",
                        help=f"read {what} from this SQS queue (needs oauth-wizard[aws]; AWS "
                        "credentials, AWS_REGION and AWS_ENDPOINT_URL as usual)")
    parser.add_argument("--wait", metavar="SECONDS", type=_seconds, default=DEFAULT_WAIT_S,
                        help=f"with --queue-url: how long to wait for the message (default "
                        f"{DEFAULT_WAIT_S})")


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if not 1 <= value <= 43200:
        raise argparse.ArgumentTypeError("give 1 to 43200 seconds (12 hours)")
    return value


def wait_for(queue, pick: Callable[[str], T | None], seconds: int, what: str,
             resume: str) -> tuple[QueueWatch[T], Caught[T] | None]:
    """Wait on ``queue`` for the message ``pick`` wants, counting down on stderr. Ctrl-C and
    a failed read hand every message back and say how to ``resume``.

    Ctrl-C stops the wait after the poll in flight (at most ``POLL_S`` seconds), never inside
    it: a poll cut short after SQS handed out a message would leave that message hidden, its
    receipt unknown, until its hold ends. A second Ctrl-C stops at once."""
    from oauth_wizard.aws.session import AwsError

    watch: QueueWatch[T] = QueueWatch(queue, pick)
    live = is_terminal(sys.stderr)
    print(f"Waiting up to {_clock(seconds)} for this app's {what} on the queue (Ctrl-C stops; "
          "nothing is lost).", file=sys.stderr)

    def tick(left: float) -> None:
        if live:
            print(f"\r  {_clock(left)} left, {watch.seen} message(s) seen ", end="",
                  file=sys.stderr, flush=True)
    caught: Caught[T] | None = None
    try:
        with _ctrl_c_between_polls(live) as stopped:
            caught = watch.wait(seconds, tick, stopped.is_set)
            if stopped.is_set():
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        _end_line(live)
        _give_back(watch, caught)  # a notice caught in the last poll goes back too
        raise CommandError("Stopped while waiting; every message is still in the queue.",
                           f"Pick it up later: {resume}", code=EXIT_CANCELLED) from None
    except AwsError as exc:
        _end_line(live)
        _give_back(watch)
        raise CommandError(exc.message, f"{exc.fix} Then: {resume}") from None
    _end_line(live)
    if caught is None:
        kept = f" {watch.others} other message(s) stay in the queue." if watch.others else ""
        _give_back(watch)
        raise CommandError(f"No {what} for this app arrived within {_clock(seconds)}.{kept}",
                           f"Amazon may take longer; wait again: {resume}")
    return watch, caught


@contextlib.contextmanager
def _ctrl_c_between_polls(live: bool) -> Iterator[threading.Event]:
    """An event Ctrl-C sets (the first time; the second raises KeyboardInterrupt). Outside the
    main thread, where no handler can be set, Ctrl-C keeps Python's default."""
    stopped = threading.Event()

    def on_ctrl_c(_signum: int, _frame: object) -> None:
        if stopped.is_set():
            raise KeyboardInterrupt
        stopped.set()
        print(f"{chr(10) if live else ''}Stopping after this poll (a few seconds; Ctrl-C again "
              "stops at once)...", file=sys.stderr, flush=True)
    try:
        previous = signal.signal(signal.SIGINT, on_ctrl_c)
    except ValueError:  # not the main thread
        yield stopped
        return
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGINT, previous)


def _give_back(watch: QueueWatch, caught: Caught | None = None) -> None:
    """Hand the messages back; when AWS refuses, say they reappear by themselves."""
    from oauth_wizard.aws.session import AwsError

    try:
        watch.give_back(caught)
    except AwsError as exc:
        note(f"some messages could not be handed back at once ({exc.message}); they reappear "
             "in the queue by themselves within a few minutes.")


def release(watch: QueueWatch, caught: Caught) -> None:
    """Leave the caught message in the queue (what it carried was not stored)."""
    _give_back(watch, caught)


def _end_line(live: bool) -> None:
    if live:
        print(file=sys.stderr)


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"
