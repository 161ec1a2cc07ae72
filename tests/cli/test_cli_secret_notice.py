"""``secret-notice NAME --from-message FILE|-``: Amazon's expiry notice recorded in the profile,
so ``status`` counts down from Amazon's date and says so; a notice for another client ID, a
new-secret notification (whose secret is never echoed) and damaged JSON are refused by name."""

from __future__ import annotations

import json

from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    flat,
    no_pause_fixture,
    record,
)

NEW_SECRET_VALUE = "amzn1.oa2-cs.v1." + "9" * 64


def _notice(client_id: str, when: str = "2026-12-20T00:00:00.000Z") -> dict:
    return {"notificationVersion": "1.0",
            "notificationType": "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY",
            "payloadVersion": "2023-11-30", "eventTime": "2026-11-20T00:00:00.000Z",
            "payload": {"applicationOAuthClientSecretExpiry": {
                "clientId": client_id, "clientSecretExpiryTime": when,
                "clientSecretExpiryReason": "PERIODIC_ROTATION"}},
            "notificationMetadata": {"applicationId": APPS["shop"][0],
                                     "subscriptionId": "s-1", "publishTime": "2026-11-20",
                                     "notificationId": "n-1"}}


async def test_the_expiry_date_is_recorded_and_status_counts_down_from_it(monkeypatch, cfg,
                                                                          tmp_path):
    add_profile(monkeypatch, "shop")
    message = tmp_path / "notice.json"
    message.write_text(json.dumps(_notice(APPS["shop"][1])))
    code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message",
                                str(message))
    assert code == 0, err
    assert "expires on 2026-12-20 (PERIODIC_ROTATION)" in flat(out)
    assert str(record(cfg).client_secret_expires) == "2026-12-20"
    code, out, _ = await arun(monkeypatch, "status", "shop", "--json")
    secret = json.loads(out)["profiles"][0]["client_secret"]
    assert secret["rotate_by"] == "2026-12-20" and secret["rotate_by_source"] == "amazon"
    code, out, _ = await arun(monkeypatch, "status", "shop")
    assert "rotate by 2026-12-20 (Amazon's expiry notice)" in flat(out)
    # a new secret entered afterwards is not the one the notice was about
    app_id, cid, _, markets = APPS["shop"]
    code, _, err = await arun(
        monkeypatch, "profile", "add", "shop", "--app-id", app_id, "--client-id", cid,
        "--app-state", "draft", "--marketplace", ",".join(markets), "--force",
        "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb", stdin="amzn1.oa2-cs.v1." + "7" * 64)
    assert code == 0, err
    assert record(cfg).client_secret_expires is None


async def test_an_sqs_message_from_stdin_is_unwrapped(monkeypatch, cfg):
    add_profile(monkeypatch, "shop")
    listing = {"Messages": [{"MessageId": "m", "ReceiptHandle": "r",
                             "Body": json.dumps(_notice(APPS["shop"][1], "2027-01-05T10:00:00Z"))}]}
    code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message", "-",
                                "--json", stdin=json.dumps(listing))
    assert code == 0, err
    assert json.loads(out) == {"profile": "shop", "client_id": APPS["shop"][1],
                               "expires": "2027-01-05", "reason": "PERIODIC_ROTATION",
                               "notification_id": "n-1", "recorded": True}


async def test_a_notice_for_another_app_is_refused_and_nothing_is_recorded(monkeypatch, cfg):
    add_profile(monkeypatch, "shop")
    code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message", "-",
                                stdin=json.dumps(_notice(APPS["world"][1])))
    assert code == 2 and not out
    assert "is for client ID" in flat(err) and APPS["world"][1] in err
    assert record(cfg).client_secret_expires is None


async def test_a_new_secret_notification_is_refused_without_echoing_the_secret(monkeypatch,
                                                                               cfg):
    add_profile(monkeypatch, "shop")
    new = {"notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
           "payload": {"applicationOAuthClientNewSecret": {
               "clientId": APPS["shop"][1], "newClientSecret": NEW_SECRET_VALUE}}}
    code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message", "-",
                                stdin=json.dumps(new))
    assert code == 2
    assert "carries a new client secret" in flat(err)
    assert NEW_SECRET_VALUE not in out + err


async def test_damaged_input_is_named(monkeypatch, cfg, tmp_path):
    add_profile(monkeypatch, "shop")
    for text, said in (("{not json", "stdin: the input is not JSON"),
                       ('{"notificationType": "ANY_OFFER_CHANGED"}', "not APPLICATION_OAUTH"),
                       (json.dumps(_notice(APPS["shop"][1], "soon")), "not an ISO 8601")):
        code, out, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message",
                                    "-", stdin=text)
        assert code == 2 and said in flat(err), err
    code, _, err = await arun(monkeypatch, "secret-notice", "shop", "--from-message",
                              str(tmp_path / "missing.json"))
    assert code == 2 and "Cannot read" in err
