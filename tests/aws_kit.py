"""A real local AWS for tests (no tests here): moto's server on 127.0.0.1, started once per
session, a fresh SQS queue per test, and the environment pointing boto3 at it the standard way
(``AWS_ENDPOINT_URL``, ``AWS_REGION``, fake keys). Nothing leaves the loopback.

A test module imports ``local_aws_fixture`` and ``queue_fixture``; tests ask for ``queue``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest

from oauth_wizard.simulator.local_aws import LocalAws


@pytest.fixture(name="local_aws", scope="session")
def local_aws_fixture():
    aws = LocalAws()
    aws.start()
    yield aws
    aws.stop()


@dataclass
class LocalQueue:
    aws: LocalAws
    url: str

    def send(self, notification: dict | str) -> None:
        body = notification if isinstance(notification, str) else json.dumps(notification)
        self.aws.client("sqs").send_message(QueueUrl=self.url, MessageBody=body)

    def bodies(self) -> list[dict | str]:
        """Every message visible now, left in the queue (each is released again)."""
        sqs = self.aws.client("sqs")
        seen: dict[str, tuple[str, str]] = {}
        for _ in range(5):
            answer = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=0, VisibilityTimeout=30)
            for m in answer.get("Messages", []):
                seen[m["MessageId"]] = (m["Body"], m["ReceiptHandle"])
        for _, receipt in seen.values():
            sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=receipt,
                                          VisibilityTimeout=0)
        out: list[dict | str] = []
        for body, _ in seen.values():
            try:
                out.append(json.loads(body))
            except ValueError:
                out.append(body)
        return out


@pytest.fixture(name="queue")
def queue_fixture(local_aws, monkeypatch):
    for key, value in local_aws.settings.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return LocalQueue(local_aws, local_aws.create_queue(f"q-{uuid.uuid4().hex[:12]}"))


def kinds(bodies: list) -> list[str]:
    return sorted(b.get("notificationType", "?") if isinstance(b, dict) else "text"
                  for b in bodies)
