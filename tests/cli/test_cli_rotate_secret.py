"""``rotate-secret`` against the simulator's Application Management API: request, then resume
with the queue's message; the new secret is proven before it is stored and never printed; a
second request is refused (no double rotation) and Amazon's one-a-minute limit is explained; a
message for another app, a damaged secret and a keyring that refuses the write store nothing
and keep the old secret."""

from __future__ import annotations

import json

import keyring
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


async def _requested(monkeypatch, sim, tmp_path, *argv: str):
    add_profile(monkeypatch, "shop")
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes", *argv)
    assert code == 0, err
    (sent,) = sim.outbox.sent
    message = tmp_path / "message.json"
    message.write_text(json.dumps({"Body": json.dumps(sent)}))
    return sent, message, out, err


async def test_request_then_resume_stores_the_proven_secret(monkeypatch, sim, cfg, tmp_path,
                                                            isolated_keyring):
    sent, message, out, err = await _requested(monkeypatch, sim, tmp_path)
    assert "rotate-secret shop --resume --from-message FILE" in flat(out)
    assert record(cfg).client_secret_rotation_requested is not None
    new = sent["payload"]["applicationOAuthClientNewSecret"]["newClientSecret"]
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                                "--from-message", str(message))
    assert code == 0, err
    assert secret_of(isolated_keyring) == new
    rec = record(cfg)
    assert rec.client_secret_rotated is not None and rec.client_secret_rotation_requested is None
    assert rec.client_secret_expires is not None
    for text in (out, err):
        assert new not in text and client_secret("shop") not in text
    code, out, _ = await arun(monkeypatch, "status", "shop", "--json")
    assert json.loads(out)["profiles"][0]["client_secret"]["rotate_by_source"] == "amazon"


async def test_a_second_request_is_refused_before_amazon_is_called(monkeypatch, sim, cfg,
                                                                  tmp_path):
    await _requested(monkeypatch, sim, tmp_path)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes")
    assert code == 2 and "already requested" in flat(err) and "--resume" in err
    assert len(sim.outbox.sent) == 1


async def test_amazons_one_a_minute_limit_is_explained_not_looped(monkeypatch, sim, cfg,
                                                                  tmp_path):
    _, message, _, _ = await _requested(monkeypatch, sim, tmp_path)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--from-message", str(message))
    assert code == 0, err
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes", "--json")
    assert code == 1
    result = json.loads(out)
    assert not result["ok"] and "one rotation a minute" in result["fix"]
    assert [s["ok"] for s in result["steps"]] == [True, False]


async def test_without_a_terminal_the_queue_must_be_confirmed(monkeypatch, sim, cfg):
    add_profile(monkeypatch, "shop")
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop")
    assert code == 2 and "Application Client New Secret" in flat(err) and "--yes" in err
    assert not sim.outbox.sent


async def test_a_message_for_another_app_stores_nothing(monkeypatch, sim, cfg, tmp_path,
                                                        isolated_keyring):
    sent, message, _, _ = await _requested(monkeypatch, sim, tmp_path)
    sent["payload"]["applicationOAuthClientNewSecret"]["clientId"] = APPS["world"][1]
    message.write_text(json.dumps(sent))
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--from-message", str(message))
    assert code == 1 and "is for client ID" in flat(err)
    assert secret_of(isolated_keyring) == client_secret("shop")
    assert record(cfg).client_secret_rotation_requested is not None  # still resumable


async def test_a_damaged_new_secret_is_not_stored(monkeypatch, sim, cfg, tmp_path,
                                                  isolated_keyring):
    sent, message, _, _ = await _requested(monkeypatch, sim, tmp_path)
    body = sent["payload"]["applicationOAuthClientNewSecret"]
    body["newClientSecret"] = body["newClientSecret"][:-8] + "0" * 8  # well-shaped, wrong
    message.write_text(json.dumps(sent))
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--from-message", str(message))
    assert code == 1 and "LWA refused the new secret" in flat(err)
    assert secret_of(isolated_keyring) == client_secret("shop")


async def test_a_keyring_that_refuses_the_write_keeps_the_old_secret_and_the_message(
        monkeypatch, sim, cfg, tmp_path, isolated_keyring):
    sent, message, _, _ = await _requested(monkeypatch, sim, tmp_path)
    faulty = Faulty("set", on="real")
    faulty.data.update(isolated_keyring.data)
    monkeypatch.setattr(keyring.core, "_keyring_backend", faulty)
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--from-message", str(message))
    assert code == 1
    assert faulty.data[("oauth-wizard", client_secret_key("shop"))] == client_secret("shop")
    assert message.exists() and record(cfg).client_secret_rotation_requested is not None
    monkeypatch.setattr(keyring.core, "_keyring_backend", isolated_keyring)  # fixed: resume
    code, _, err = await arun(monkeypatch, "rotate-secret", "shop", "--resume",
                              "--from-message", str(message))
    assert code == 0, err
    assert secret_of(isolated_keyring) == \
        sent["payload"]["applicationOAuthClientNewSecret"]["newClientSecret"]
