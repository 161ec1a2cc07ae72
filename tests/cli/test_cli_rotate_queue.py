"""``rotate-secret --queue-url`` end to end: the simulator's Application Management API
rotates, delivers the new secret to a real SQS queue (moto's server on 127.0.0.1), and the
command waits there, proves the secret, stores it, and only then deletes the message. Each
interruption the issue names loses nothing: stopped after the API call then ``--resume``; the
store failing after the message arrived; another app's message; an invalid new secret; Ctrl-C
while waiting (a real SIGINT to a real process)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import keyring
from aws_kit import kinds, local_aws_fixture, queue_fixture  # noqa: F401 - fixtures
from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    client_secret,
    flat,
    no_pause_fixture,
    record,
    secret_of,
    sim_fixture,
)
from keyring_kit import Faulty

from oauth_wizard.core.records import client_secret_key

NEW = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"


def _new_secret(notice: dict) -> str:
    return notice["payload"]["applicationOAuthClientNewSecret"]["newClientSecret"]


def _foreign(notice: dict) -> dict:
    other = json.loads(json.dumps(notice))
    other["payload"]["applicationOAuthClientNewSecret"]["clientId"] = APPS["world"][1]
    return other


async def test_the_whole_rotation_through_the_queue(monkeypatch, sim, cfg, queue,
                                                    isolated_keyring):
    add_profile(monkeypatch, "shop")
    queue.send({"notificationType": "ANY_OFFER_CHANGED", "payload": {}})  # someone else's
    sim.deliver_notifications(queue.aws.sender(queue.url))
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                                "--queue-url", queue.url, "--wait", "30", "--json")
    assert code == 0, err
    (sent,) = sim.outbox.sent
    new = _new_secret(sent)
    assert secret_of(isolated_keyring) == new
    result = json.loads(out)
    assert result["ok"] and [s["step"] for s in result["steps"]] == [
        "grantless token", "rotateApplicationClientSecret", "prove the new secret",
        "store the new secret", "record the rotation", "delete the queue message"]
    assert kinds(queue.bodies()) == ["ANY_OFFER_CHANGED"]  # ours deleted, theirs kept
    rec = record(cfg)
    assert rec.client_secret_rotated is not None and rec.client_secret_rotation_requested is None
    for text in (out, err):
        assert new not in text and client_secret("shop") not in text


async def test_stopped_after_the_api_call_then_resume_calls_amazon_once(
        monkeypatch, sim, cfg, queue, isolated_keyring):
    add_profile(monkeypatch, "shop")
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                              "--queue-url", queue.url, "--wait", "1")
    assert code == 1 and "No new-secret message for this app arrived" in flat(err)
    assert "--resume --queue-url" in flat(err)
    assert record(cfg).client_secret_rotation_requested is not None
    code, out, _ = await arun(monkeypatch, "rotate-secret", "shop", "--resume", "--json",
                              "--queue-url", queue.url, "--wait", "1")
    result = json.loads(out)  # --json: why it stopped, on stdout
    assert code == 1 and not result["ok"] and "--resume --queue-url" in result["fix"]
    (sent,) = sim.outbox.sent  # Amazon's message arrives late
    queue.send(sent)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                              "--queue-url", queue.url)
    assert code == 2 and "already requested" in err  # no second rotation
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--queue-url", queue.url, "--wait", "30")
    assert code == 0, err
    assert len(sim.outbox.sent) == 1 and secret_of(isolated_keyring) == _new_secret(sent)
    assert queue.bodies() == []


async def test_a_store_failing_after_the_message_arrived_keeps_the_message(
        monkeypatch, sim, cfg, queue, isolated_keyring):
    add_profile(monkeypatch, "shop")
    sim.deliver_notifications(queue.aws.sender(queue.url))
    faulty = Faulty("set", on="real")
    faulty.data.update(isolated_keyring.data)
    monkeypatch.setattr(keyring.core, "_keyring_backend", faulty)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                              "--queue-url", queue.url, "--wait", "30")
    assert code == 1
    assert faulty.data[("oauth-wizard", client_secret_key("shop"))] == client_secret("shop")
    (sent,) = sim.outbox.sent
    assert queue.bodies() == [sent]  # still there, visible again at once
    monkeypatch.setattr(keyring.core, "_keyring_backend", isolated_keyring)  # fixed: resume
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--queue-url", queue.url, "--wait", "30")
    assert code == 0, err
    assert secret_of(isolated_keyring) == _new_secret(sent) and queue.bodies() == []


async def test_another_apps_message_is_left_and_ours_is_taken(monkeypatch, sim, cfg, queue,
                                                              isolated_keyring):
    add_profile(monkeypatch, "shop")
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes")
    assert code == 0, err
    (sent,) = sim.outbox.sent
    queue.send(_foreign(sent))
    queue.send(sent)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--queue-url", queue.url, "--wait", "30")
    assert code == 0, err
    (left,) = queue.bodies()
    assert left["payload"]["applicationOAuthClientNewSecret"]["clientId"] == APPS["world"][1]
    assert secret_of(isolated_keyring) == _new_secret(sent)


async def test_only_another_apps_message_stores_nothing_and_keeps_it(
        monkeypatch, sim, cfg, queue, isolated_keyring):
    add_profile(monkeypatch, "shop")
    code, _, _ = await arun(monkeypatch, "rotate-secret", "shop", "--yes")
    queue.send(_foreign(sim.outbox.sent[0]))
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--queue-url", queue.url, "--wait", "2")
    assert code == 1 and "1 other message(s) stay in the queue" in flat(err)
    assert len(queue.bodies()) == 1 and secret_of(isolated_keyring) == client_secret("shop")


async def test_an_invalid_new_secret_is_not_stored_and_its_message_stays(
        monkeypatch, sim, cfg, queue, isolated_keyring):
    add_profile(monkeypatch, "shop")
    code, _, _ = await arun(monkeypatch, "rotate-secret", "shop", "--yes")
    damaged = json.loads(json.dumps(sim.outbox.sent[0]))
    body = damaged["payload"]["applicationOAuthClientNewSecret"]
    body["newClientSecret"] = body["newClientSecret"][:-8] + "0" * 8  # well-shaped, wrong
    queue.send(damaged)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--queue-url", queue.url, "--wait", "30")
    assert code == 1 and "LWA refused the new secret" in flat(err)
    assert secret_of(isolated_keyring) == client_secret("shop")
    assert queue.bodies() == [damaged]


async def test_a_sandbox_app_is_refused_with_amazons_400_explained(monkeypatch, sim, cfg,
                                                                   queue):
    add_profile(monkeypatch, "shop")
    object.__setattr__(sim.registry.app(APPS["shop"][0]), "sandbox", True)
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                                "--queue-url", queue.url, "--json")
    assert code == 1
    result = json.loads(out)
    assert "production" in result["fix"] and not sim.outbox.sent
    assert record(cfg).client_secret_rotation_requested is None


async def test_a_queue_url_that_is_not_one_is_a_usage_error(monkeypatch, sim, cfg):
    add_profile(monkeypatch, "shop")
    for bad in ("https://example.com/123456789012/q", "sqs.us-east-1.amazonaws.com/1/q",
                "https://sqs.us-east-1.amazonaws.com/123/q"):
        code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                                  "--queue-url", bad)
        assert code == 2 and "--queue-url" in err, bad
    assert not sim.outbox.sent


def test_ctrl_c_while_waiting_leaves_every_message_and_says_how_to_resume(tmp_path, queue):
    """A real process, a real SIGINT once it says it is waiting; exit 130, messages kept."""
    cfg = tmp_path / "cfg"
    profile = {"app_id": APPS["shop"][0], "client_id": APPS["shop"][1]}
    env = {**os.environ, "OAUTH_WIZARD_CONFIG_DIR": str(cfg), "PYTHONUNBUFFERED": "1"}
    add = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "oauth_wizard", "profile", "add", "shop", "--app-id",
         profile["app_id"], "--client-id", profile["client_id"], "--app-state", "draft",
         "--marketplace", "US", "--login-uri", "https://dev.example.test/login",
         "--redirect-uri", "https://dev.example.test/cb", "--insecure-storage"],
        input=client_secret("shop"), capture_output=True, text=True, env=env, timeout=60)
    assert add.returncode == 0, add.stderr
    queue.send({"notificationType": "ANY_OFFER_CHANGED", "payload": {}})
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "oauth_wizard", "rotate-secret", "shop", "--resume",
         "--queue-url", queue.url, "--wait", "120"],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if line.startswith("Waiting up to"):
                break
        assert lines[-1].startswith("Waiting up to"), lines
        seen = 0
        while seen < 1 and time.monotonic() < deadline:  # it has the other message in hand
            time.sleep(0.2)
            seen = 0 if queue.bodies() else 1
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "every message is still in the queue" in flat(err) and "--resume" in err
    assert "Traceback" not in err
    assert kinds(queue.bodies()) == ["ANY_OFFER_CHANGED"], err


async def test_a_profile_marked_sandbox_is_refused_before_amazon_is_asked(monkeypatch, sim, cfg,
                                                                         queue):
    app_id, cid, secret, _ = APPS["shop"]
    code, _, err = await arun(
        monkeypatch, "profile", "add", "shop", "--app-id", app_id, "--client-id", cid,
        "--app-state", "draft", "--marketplace", "US", "--sandbox-app",
        "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb", stdin=secret)
    assert code == 0, err
    assert record(cfg).sandbox_app
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes",
                              "--queue-url", queue.url)
    assert code == 2 and "sandbox application" in flat(err)
    assert not sim.outbox.sent
    code, out, _ = await arun(monkeypatch, "profile", "show", "shop", "--json")
    assert json.loads(out)["app"]["sandbox_app"] is True
