"""Rotating the client secret from the TUI (the Profiles screen's ``o``): the same two steps as
``rotate-secret --queue-url`` (``keep.rotation``), with the queue read in a thread so the screen
stays live, progress lines and a countdown posted back to the event loop, and a stop that
hands every message back and leaves the rotation resumable.

In a demo run the queue is a real local SQS: moto's server on 127.0.0.1, started on first use
when moto is installed (the test extra), with the demo simulator sending its notifications
there. Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oauth_wizard.keep.notices import QUEUE_NEEDED, SANDBOX, SANDBOX_FIX
from oauth_wizard.keep.reports import Failure
from oauth_wizard.keep.rotation import (
    RotationReport,
    RotationStep,
    complete_from_queue,
    request_rotation,
)

WAIT_S = 600
INSTALL_DEMO = ("Install the AWS extras, then press o again: pip install 'oauth-wizard[aws]' "
                "'moto[server]'.")
DEMO_QUEUE = "oauth-wizard-demo-notifications"


@dataclass(frozen=True)
class RotationPlan:
    """What the dialog shows before anything happens."""

    profile: str
    requested: str | None  # the date a rotation was asked for and not finished, else None
    queue_url: str  # a known queue (the demo's), else ""
    needs: str = QUEUE_NEEDED


class RotationSession:
    """One profile's rotation at a time; ``stop()`` ends a wait (between two polls)."""

    def __init__(self, keep) -> None:
        self.keep = keep
        self._stop = threading.Event()
        self._aws: Mapping[str, str] | None = None  # the demo's local AWS settings

    def stop(self) -> None:
        self._stop.set()

    async def plan(self, name: str) -> RotationPlan | Failure:
        ready = await self.keep._ready()
        if ready is not None:
            return ready
        record = await self.keep._record(name)
        if isinstance(record, Failure):
            return record
        if record.sandbox_app:
            return Failure(SANDBOX.format(name=name), SANDBOX_FIX)
        queue = await self._demo_queue() if self.keep.demo else ""
        if isinstance(queue, Failure):
            return queue
        requested = record.client_secret_rotation_requested
        return RotationPlan(name, requested.isoformat() if requested else None, queue)

    async def _demo_queue(self) -> str | Failure:
        """The demo's local queue, started once (moto's server, when installed)."""
        runtime = self.keep.runtime
        known = getattr(runtime.simulator, "local_aws", None)
        if known:
            self._aws = known
            return known["queue_url"]

        def start() -> dict[str, str]:
            from oauth_wizard.simulator.local_aws import LocalAws

            aws = LocalAws()
            aws.start()
            url = aws.create_queue(DEMO_QUEUE)
            runtime.simulator.deliver_notifications(aws.sender(url))
            return {"endpoint": aws.endpoint, "queue_url": url, **aws.settings}
        try:
            runtime.simulator.local_aws = await asyncio.to_thread(start)
        except ImportError:  # moto's server or boto3: the base install has neither
            return Failure("Rotation in the demo needs a local SQS queue (moto's server), and "
                           "moto is not installed.", INSTALL_DEMO)
        except Exception as exc:  # noqa: BLE001 - moto failing to start: say so, keep going
            missing = "moto" in str(exc) and "install" in str(exc)
            return Failure("Rotation in the demo needs a local SQS queue (moto's server)"
                           + (", and moto is not installed." if missing else
                              f", which could not start ({exc.__class__.__name__})."),
                           INSTALL_DEMO)
        self._aws = runtime.simulator.local_aws
        return runtime.simulator.local_aws["queue_url"]

    async def rotate(self, name: str, queue_url: str,
                     progress: Callable[[str], object]) -> RotationReport:
        """Request (unless a request is recorded), wait on the queue, prove, store, delete."""
        from oauth_wizard.aws.queue import Queue, QueueUrlError, check_queue_url
        from oauth_wizard.aws.session import AwsError
        from oauth_wizard.keep.notices import new_secret_for
        from oauth_wizard.keep.queue_watch import QueueWatch

        self._stop.clear()
        record = await self.keep._record(name)
        if isinstance(record, Failure):
            return RotationReport((), record)
        env = self._aws if self._aws is not None else None
        try:
            url = check_queue_url(queue_url, **({"env": env} if env else {}))
            queue = await asyncio.to_thread(Queue, url, "Rotation", None, env)
        except QueueUrlError as exc:
            return RotationReport((), Failure(str(exc), "Copy the queue's URL from the SQS "
                                              "console."))
        except AwsError as exc:  # also boto3 missing (AwsUnavailable)
            return RotationReport((), Failure(exc.message, exc.fix))
        service = self.keep._service()
        steps: list[RotationStep] = []
        if record.client_secret_rotation_requested is None:
            progress("Asking Amazon for a new client secret…")
            first = await request_rotation(service, record)
            steps.extend(first.steps)
            if not first.ok:
                return first
            record = await self.keep._record(name)
            if isinstance(record, Failure):
                return RotationReport(tuple(steps), record)
        loop = asyncio.get_running_loop()
        watch = QueueWatch(queue, new_secret_for(record.app.client_id))

        def tick(left: float) -> None:
            whole = int(left + 0.999)
            loop.call_soon_threadsafe(progress, f"Waiting for Amazon's message on the queue: "
                                      f"{whole // 60}:{whole % 60:02d} left, "
                                      f"{watch.seen} message(s) seen (Esc stops; nothing is "
                                      "lost).")
        try:
            caught = await asyncio.to_thread(watch.wait, WAIT_S, tick, self._stop.is_set)
        except AwsError as exc:
            await asyncio.to_thread(_quietly, watch.give_back)
            return RotationReport(tuple(steps), Failure(exc.message, exc.fix))
        if caught is None:
            await asyncio.to_thread(_quietly, watch.give_back)
            why = ("Stopped." if self._stop.is_set() else
                   f"No new-secret message for this app arrived within {WAIT_S // 60} minutes.")
            return RotationReport(tuple(steps), Failure(
                f"{why} The rotation stays requested; every message is still in the queue.",
                "Press o again to read the queue again (Amazon is not asked twice)."))
        progress("Proving the new secret with LWA, then storing it…")
        done = await complete_from_queue(service, record, watch, caught)
        return RotationReport((*steps, *done.steps), done.failure)


def _quietly(call: Callable[..., object], *args: object) -> None:
    """Hand messages back; one that cannot be reappears by itself when its hold ends."""
    with contextlib.suppress(Exception):
        call(*args)
