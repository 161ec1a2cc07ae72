"""``secret-notice NAME --queue-url URL``: the simulator warns of an expiring secret on a real
SQS queue (moto's server on 127.0.0.1); the command records Amazon's date, deletes that notice
only once the date is on disk, and leaves every other message in the queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aws_kit import kinds, local_aws_fixture, queue_fixture  # noqa: F401 - fixtures
from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    flat,
    no_pause_fixture,
    record,
    sim_fixture,
)

DAY = 86400.0


def _expiring_in(sim, days: float) -> float:
    """Give the shop app's current secret an expiry ``days`` from the simulator's now."""
    expires = sim.now() + days * DAY
    sim.tokens.secrets.add(APPS["shop"][1], APPS["shop"][2], expires)  # the newest counts
    return expires


async def test_amazons_expiry_notice_on_the_queue_is_recorded_and_deleted(
        monkeypatch, sim, cfg, queue):
    add_profile(monkeypatch, "shop")
    expires = _expiring_in(sim, 20)
    queue.send({"notificationType": "ANY_OFFER_CHANGED", "payload": {}})
    sim.deliver_notifications(queue.aws.sender(queue.url))  # the 30-day warning is due
    assert kinds(queue.bodies()) == ["ANY_OFFER_CHANGED", "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"]
    code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--queue-url", queue.url,
                                "--wait", "30", "--json")
    assert code == 0, err
    day = datetime.fromtimestamp(expires, UTC).date()
    assert json.loads(out)["expires"] == day.isoformat()
    assert record(cfg).client_secret_expires == day
    assert kinds(queue.bodies()) == ["ANY_OFFER_CHANGED"]
    code, out, _ = await arun(monkeypatch, "status", "shop", "--json")
    assert json.loads(out)["profiles"][0]["client_secret"]["rotate_by_source"] == "amazon"


async def test_another_apps_notice_is_not_recorded_and_stays(monkeypatch, sim, cfg, queue):
    add_profile(monkeypatch, "world")
    _expiring_in(sim, 5)
    sim.deliver_notifications(queue.aws.sender(queue.url))  # the shop app's warning
    code, _, err = await arun(monkeypatch, "secret-notice", "world", "--queue-url", queue.url,
                              "--wait", "2")
    assert code == 1 and "No expiry notice for this app arrived" in flat(err)
    assert record(cfg, "world").client_secret_expires is None
    code, out, _ = await arun(monkeypatch, "secret-notice", "world", "--queue-url", queue.url,
                              "--wait", "1", "--json")
    assert code == 1 and json.loads(out)["recorded"] is False
    assert kinds(queue.bodies()) == ["APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"]


async def test_one_of_queue_url_or_from_message_is_required(monkeypatch, cfg, tmp_path):
    add_profile(monkeypatch, "shop")
    code, _, err = await arun(monkeypatch, "secret-notice", "shop")
    assert code == 2 and "--queue-url URL or --from-message FILE" in flat(err)
    code, _, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message", "-",
                              "--queue-url", "https://sqs.us-east-1.amazonaws.com/1/q")
    assert code == 2
