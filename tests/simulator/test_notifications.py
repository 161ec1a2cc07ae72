"""The simulated Amazon's notifications: expiry warnings at 90, 60, 30, 15, 7 and 1 days (one
per threshold crossed, never twice), and a delivery that fails is counted, not raised (the
rotation happened all the same, as at Amazon)."""

from __future__ import annotations

from oauth_wizard.simulator.notifications import EXPIRY, Outbox

DAY = 86400.0


def test_one_warning_per_threshold_crossed():
    box, expires = Outbox(), 200 * DAY
    days_left = [100, 95, 89, 70, 59, 31, 30, 16, 10, 6, 2, 0.5, 0]
    posted = [left for left in days_left
              if box.warn_expiry("cid", "app", expires, expires - left * DAY)]
    assert posted == [89, 59, 30, 10, 6, 0.5]
    assert all(n["notificationType"] == EXPIRY for n in box.sent)
    body = box.sent[0]["payload"]["applicationOAuthClientSecretExpiry"]
    assert body["clientId"] == "cid" and body["clientSecretExpiryTime"].startswith("1970-07-20")


def test_a_jump_past_several_thresholds_sends_only_the_nearest():
    box = Outbox()
    assert box.warn_expiry("cid", "app", 100 * DAY, 95 * DAY)  # 5 days left: the 7-day one
    assert not box.warn_expiry("cid", "app", 100 * DAY, 96 * DAY)
    assert len(box.sent) == 1


def test_a_new_secret_starts_its_own_warnings():
    box = Outbox()
    assert box.warn_expiry("cid", "app", 100 * DAY, 95 * DAY)
    assert box.warn_expiry("cid", "app", 280 * DAY, 275 * DAY)  # rotated: new expiry


def test_a_failed_delivery_is_counted_and_the_notice_kept():
    box = Outbox()

    def broken(_body: str) -> None:
        raise OSError("queue unreachable")
    box.sink = broken
    box.warn_expiry("cid", "app", 10 * DAY, 5 * DAY)
    assert box.undelivered == 1 and len(box.sent) == 1
