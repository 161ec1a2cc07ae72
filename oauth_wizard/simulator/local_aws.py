"""A real local AWS for the simulator's notifications: moto's server on 127.0.0.1.

``simulate --aws`` and the tests start it, make a standard SQS queue, and let the simulated
Amazon deliver its notifications there through boto3, so ``rotate-secret --queue-url`` and
``secret-notice --queue-url`` read a real queue over a real socket. moto accepts any
credentials; ``settings`` are the environment a client needs to reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from oauth_wizard.simulator.server import SimulatorError

REGION = "us-east-1"
FAKE_KEY = "testing"  # moto's convention: any key works, none is real
INSTALL = "pip install 'oauth-wizard[aws]' 'moto[server]'"


class LocalAws:
    """moto's server mode on 127.0.0.1 (SQS, Secrets Manager and the rest of moto)."""

    def __init__(self) -> None:
        self._server: Any = None
        self.endpoint = ""

    def start(self) -> str:
        """Listen on 127.0.0.1 (a free port) and return the endpoint URL."""
        try:
            from moto.server import ThreadedMotoServer
        except ImportError:
            raise SimulatorError(f"needs moto's server for --aws: {INSTALL}") from None
        for name in ("werkzeug", "moto", "botocore", "boto3", "urllib3"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def settings(self) -> dict[str, str]:
        """The environment a boto3 client (or the AWS CLI) needs to use this endpoint."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": FAKE_KEY, "AWS_SECRET_ACCESS_KEY": FAKE_KEY}

    def client(self, service: str) -> Any:
        import boto3

        return boto3.session.Session().client(
            service, region_name=REGION, endpoint_url=self.endpoint,
            aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_KEY)

    def create_queue(self, name: str) -> str:
        """A standard queue named ``name``; its URL."""
        return str(self.client("sqs").create_queue(QueueName=name)["QueueUrl"])

    def sender(self, queue_url: str) -> Callable[[str], object]:
        """A sink for the simulator's outbox: sends each notification to ``queue_url``."""
        sqs = self.client("sqs")

        def send(body: str) -> object:
            return sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        return send
