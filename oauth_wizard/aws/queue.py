"""An SQS queue read the careful way: long polls, other readers' messages left alone.

``check_queue_url`` is pure (no boto3): an AWS queue URL is
``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`` (or the legacy ``REGION.queue.amazonaws.com``
host); with ``AWS_ENDPOINT_URL`` set (moto, LocalStack) a URL under that endpoint is accepted
too, plain HTTP only on the loopback. Reading keeps what is not ours: a message is deleted only
when its caller says it is done with it, and ``release`` hands any other message back at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from oauth_wizard.aws.session import AwsError, client, explain

MAX_WAIT_S = 20  # SQS's longest long poll
_AWS_HOST = re.compile(
    r"^(?:sqs\.(?P<a>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?"
    r"|(?P<b>[a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com)$")
_PATH = re.compile(r"^/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,75}(?:\.fifo)?)$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class QueueUrlError(ValueError):
    """The text is not an SQS queue URL; the message says which part is wrong."""


@dataclass(frozen=True)
class QueueUrl:
    url: str
    region: str | None  # None: a local endpoint's URL (the region comes from AWS_REGION)
    account: str
    name: str


def check_queue_url(text: str, env: Mapping[str, str] = os.environ) -> QueueUrl:
    """``text`` as a queue URL, or ``QueueUrlError`` naming what is wrong with it."""
    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise QueueUrlError(f"{url[:80]!r} is not a URL; an SQS queue URL looks like "
                            "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue.")
    path = _PATH.match(parts.path.rstrip("/") if parts.path != "/" else parts.path)
    if path is None or parts.query or parts.fragment:
        raise QueueUrlError(f"{url[:80]!r} does not end in /ACCOUNT/QUEUE-NAME (a 12-digit "
                            "account and the queue's name, nothing after them).")
    host = parts.hostname.lower()
    found = _AWS_HOST.match(host)
    if found is not None:
        if parts.scheme != "https":
            raise QueueUrlError("An AWS queue URL starts with https://.")
        return QueueUrl(url, found.group("a") or found.group("b"), path["account"], path["name"])
    endpoint = urlsplit(env.get("AWS_ENDPOINT_URL", "").strip())
    if endpoint.hostname and endpoint.hostname.lower() == host and endpoint.port == parts.port:
        if parts.scheme == "http" and host not in _LOOPBACK:
            raise QueueUrlError("Plain http:// is only for a local endpoint on 127.0.0.1.")
        return QueueUrl(url, None, path["account"], path["name"])
    raise QueueUrlError(f"{host} is not an SQS host (sqs.REGION.amazonaws.com). For a local "
                        "SQS such as moto or LocalStack, set AWS_ENDPOINT_URL to its address.")


@dataclass
class Message:
    """One received message; ``receipt`` is what deleting or releasing it needs."""

    body: str
    message_id: str
    receipt: str = field(repr=False)


class Queue:
    """One SQS queue through boto3 (blocking calls: run them off the event loop)."""

    def __init__(self, queue: QueueUrl, what: str, region: str | None = None,
                 settings: Mapping[str, str] | None = None) -> None:
        self.url = queue.url
        self._where = f"SQS queue {queue.name}"
        self._sqs = client("sqs", what, region or queue.region, wait_s=MAX_WAIT_S,
                           settings=settings)

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            return getattr(self._sqs, method)(QueueUrl=self.url, **params)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore raises many unrelated classes
            raise explain(exc, self._where) from None

    def receive(self, wait_s: int, hold_s: int) -> list[Message]:
        """Up to 10 messages, waiting at most ``wait_s`` (long polling); each is hidden from
        other readers for ``hold_s`` seconds unless deleted or released sooner."""
        answer = self._call("receive_message", MaxNumberOfMessages=10,
                            WaitTimeSeconds=max(0, min(MAX_WAIT_S, wait_s)),
                            VisibilityTimeout=max(0, hold_s))
        return [Message(str(m.get("Body", "")), str(m.get("MessageId", "")),
                        str(m.get("ReceiptHandle", ""))) for m in answer.get("Messages", [])]

    def delete(self, message: Message) -> None:
        self._call("delete_message", ReceiptHandle=message.receipt)

    def release(self, message: Message) -> None:
        """Make ``message`` visible to other readers again at once."""
        self._call("change_message_visibility", ReceiptHandle=message.receipt,
                   VisibilityTimeout=0)

    def send(self, body: str) -> str:
        return str(self._call("send_message", MessageBody=body).get("MessageId", ""))
