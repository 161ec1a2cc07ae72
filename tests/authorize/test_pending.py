"""The two-step mode's pending attempt on disk: private, atomic, one per profile, and every
unusable file named with what is wrong."""

from __future__ import annotations

import json
import os
import stat

import pytest

from oauth_wizard.authorize import pending as attempts
from oauth_wizard.authorize.pending import Attempt, AttemptError
from oauth_wizard.core.records import PendingState

URL = "https://sellercentral.amazon.de/apps/authorize/consent?application_id=x&state=S&version=beta"


def attempt(profile: str = "shop", expires_at: float = 2_000.0) -> Attempt:
    pending = PendingState("S" * 43, "https://app.example.com/cb", expires_at)
    return Attempt(profile, pending, "DE", "EU", URL, 200.0)


def test_round_trip_is_private_and_holds_only_the_attempt(tmp_path):
    cfg = tmp_path / "cfg"
    path = attempts.save(cfg, attempt())
    assert path == cfg / "pending" / "shop.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["shop.json"]  # no temp file left
    data = json.loads(path.read_text())
    assert set(data) == {"format_version", "profile", "state", "redirect_uri", "expires_at",
                         "used", "marketplace", "region", "consent_url", "created_at"}
    loaded = attempts.load(cfg, "shop")
    assert loaded == attempt()
    assert loaded.pending.state == "S" * 43 and not loaded.pending.used


def test_a_new_start_replaces_the_old_attempt_and_profiles_stay_apart(tmp_path):
    attempts.save(tmp_path, attempt(expires_at=1.0))
    attempts.save(tmp_path, attempt(expires_at=5.0))
    attempts.save(tmp_path, attempt("other"))
    assert attempts.load(tmp_path, "shop").pending.expires_at == 5.0
    assert attempts.load(tmp_path, "other").profile == "other"


def test_expiry_follows_the_pending_state(tmp_path):
    a = attempt(expires_at=100.0)
    assert not a.expired(99.9) and a.expired(100.0)


def test_missing_attempt_says_how_to_start_one(tmp_path):
    with pytest.raises(AttemptError) as caught:
        attempts.load(tmp_path, "shop")
    assert caught.value.kind == "missing"
    assert "authorize shop --start" in caught.value.fix


@pytest.mark.parametrize("content, what", [
    (b"{broken", "not valid JSON"),
    (b'{"format_version": 9}', "format_version"),
    (b'{"format_version": 1, "profile": "shop"}', "has no state"),
    (b'{"format_version": 1, "profile": "shop", "state": "s", "marketplace": "DE", '
     b'"region": "EU", "consent_url": "u", "expires_at": "soon", "created_at": 1}', "expires_at"),
    (b'{"format_version": 1, "profile": "else", "state": "s", "marketplace": "DE", '
     b'"region": "EU", "consent_url": "u", "expires_at": 1, "created_at": 1}', "belongs to"),
])
def test_unusable_files_are_named_and_reported(tmp_path, content, what):
    path = tmp_path / "pending" / "shop.json"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(AttemptError) as caught:
        attempts.load(tmp_path, "shop")
    assert caught.value.kind == "corrupt"
    assert what in caught.value.message and str(path) in caught.value.message


def test_delete(tmp_path):
    attempts.save(tmp_path, attempt())
    attempts.save(tmp_path, attempt("other"))
    assert attempts.delete(tmp_path, "shop") is True
    assert attempts.delete(tmp_path, "shop") is False
    assert (tmp_path / "pending" / "other.json").exists()
    assert attempts.delete(tmp_path, "other") is True
    assert not (tmp_path / "pending").exists()  # the empty directory goes too


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_names_cannot_leave_the_pending_directory(tmp_path, name):
    with pytest.raises(ValueError):
        attempts.attempt_path(tmp_path, name)


def test_unwritable_config_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "cfg"
    blocker.write_text("a file where the config directory should be")
    with pytest.raises(AttemptError) as caught:
        attempts.save(blocker, attempt())
    assert caught.value.kind == "io" and str(blocker) in caught.value.message
