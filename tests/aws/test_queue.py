"""The SQS side without Amazon: queue URLs checked before AWS is asked, a watch that keeps
every message it does not want (against a real moto queue), and the AWS commands without
boto3 saying what to install (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from aws_kit import local_aws_fixture, queue_fixture  # noqa: F401 - fixtures

from oauth_wizard.aws.queue import Queue, QueueUrlError, check_queue_url
from oauth_wizard.keep.queue_watch import QueueWatch

GOOD = "https://sqs.eu-west-1.amazonaws.com/123456789012/sp-api-notices"


def test_an_aws_queue_url_names_its_region():
    url = check_queue_url(GOOD, env={})
    assert (url.region, url.account, url.name) == ("eu-west-1", "123456789012", "sp-api-notices")
    legacy = check_queue_url("https://us-west-2.queue.amazonaws.com/123456789012/q.fifo", env={})
    assert legacy.region == "us-west-2"


@pytest.mark.parametrize("bad", [
    "sqs.us-east-1.amazonaws.com/123456789012/q",  # no scheme
    "http://sqs.us-east-1.amazonaws.com/123456789012/q",  # AWS is https only
    "https://sqs.us-east-1.amazonaws.com/12345/q",  # not a 12-digit account
    "https://sqs.us-east-1.amazonaws.com/123456789012/q?x=1",  # something after the name
    "https://sqs.us-east-1.amazonaws.com/123456789012/q/extra",
    "https://sqs.us-east-1.amazonaws.com.evil.example/123456789012/q",  # not AWS's host
    "https://arn:aws:sqs:us-east-1:123456789012:q",
    "http://127.0.0.1:4566/123456789012/q",  # local, but no AWS_ENDPOINT_URL says so
])
def test_what_is_not_a_queue_url_is_refused(bad):
    with pytest.raises(QueueUrlError):
        check_queue_url(bad, env={})


def test_a_local_endpoint_is_accepted_only_as_aws_endpoint_url_names_it():
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
    assert check_queue_url("http://127.0.0.1:4566/000000000000/q", env=env).region is None
    with pytest.raises(QueueUrlError):
        check_queue_url("http://127.0.0.1:4567/000000000000/q", env=env)  # another port
    with pytest.raises(QueueUrlError, match="loopback|127.0.0.1"):
        check_queue_url("http://aws.internal:4566/000000000000/q",
                        env={"AWS_ENDPOINT_URL": "http://aws.internal:4566"})


def _mine(text: str) -> str | None:
    data = json.loads(text)
    return data["n"] if data.get("for") == "me" else None


def test_the_watch_takes_its_message_and_hands_every_other_back(queue):
    for n in range(3):
        queue.send({"for": "them", "n": n})
    queue.send({"for": "me", "n": "mine"})
    queue.send({"for": "me", "n": "second"})
    watch = QueueWatch(Queue(check_queue_url(queue.url), "test"), _mine, poll_s=1)
    ticks: list[float] = []
    caught = watch.wait(10, ticks.append)
    assert caught is not None and caught.notice in ("mine", "second") and ticks
    watch.done(caught)
    left = sorted(str(b["n"]) for b in queue.bodies())
    assert left == sorted(["0", "1", "2", "second" if caught.notice == "mine" else "mine"])


def test_a_watch_that_times_out_leaves_the_queue_as_it_was(queue):
    queue.send({"for": "them", "n": 1})
    watch = QueueWatch(Queue(check_queue_url(queue.url), "test"), _mine, poll_s=1)
    assert watch.wait(1.5) is None and watch.others == 1
    watch.give_back()
    assert queue.bodies() == [{"for": "them", "n": 1}]


def test_without_boto3_the_aws_commands_say_what_to_install(tmp_path):
    code = ("import sys; sys.modules['boto3'] = None\n"
            "from oauth_wizard.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))")
    cfg = ["--config-dir", str(tmp_path / "cfg")]

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code, *cfg, *argv],  # noqa: S603
                              input=stdin, capture_output=True, text=True, timeout=60)
    added = run("profile", "add", "x", "--app-id",
                "amzn1.sp.solution.00000000-0000-4000-8000-0000000005a1", "--client-id",
                "amzn1.application-oa2-client." + "5a" * 16, "--app-state", "draft",
                "--marketplace", "US", "--login-uri", "https://dev.example.test/login",
                "--redirect-uri", "https://dev.example.test/cb", "--insecure-storage",
                stdin="amzn1.oa2-cs.v1." + "c0ffee" * 10 + "abcd")
    assert added.returncode == 0, added.stderr
    for argv in (["rotate-secret", "x", "--yes", "--queue-url", GOOD],
                 ["secret-notice", "x", "--queue-url", GOOD],
                 ["rotate-secret", "x", "--resume", "--from-message", "-",
                  "--update-aws-secret", "team/sp-api"]):
        done = run(*argv)
        assert done.returncode == 2, done.stderr
        assert "pip install 'oauth-wizard[aws]'" in " ".join(done.stderr.split())
        assert "Traceback" not in done.stderr
