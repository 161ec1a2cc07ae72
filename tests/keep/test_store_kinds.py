"""The kind and the path of every store failure, which front ends act on (an exit code, an
offer to set a broken file aside), held by tests (issue 14: mutants that blanked a kind or
dropped the path survived the suite). Nothing is written when a store says no."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from test_store import app, full_record

from oauth_wizard.core.records import ProfileRecord, VerifyResult
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.secrets import SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

VERIFY = VerifyResult(datetime(2026, 1, 1, tzinfo=UTC), True, "ok")


@pytest.fixture
def store(tmp_path) -> ProfileStore:
    store = ProfileStore(tmp_path / "cfg")
    store.put(full_record())
    return store


@pytest.mark.parametrize("act", [
    lambda s: s.get("nobody"),
    lambda s: s.remove("nobody"),
    lambda s: s.update("nobody", lambda r: r),
    lambda s: s.record_verify("nobody", "NA", "A3EXAMPLE1", VERIFY),
    lambda s: s.record_verify("shop", "FE", "A3EXAMPLE1", VERIFY),  # no such authorization
], ids=["get", "remove", "update", "verify-profile", "verify-authorization"])
def test_an_unknown_profile_or_authorization_is_named_as_such(store, act):
    before = store.path.read_bytes()
    with pytest.raises(StoreError) as info:
        act(store)
    assert info.value.kind == "unknown_profile" and info.value.path == store.path
    assert store.path.read_bytes() == before


def test_adding_an_existing_name_is_refused_as_exists(store):
    before = store.path.read_bytes()
    with pytest.raises(StoreError) as info:
        store.put(ProfileRecord(app("shop")))
    assert info.value.kind == "exists" and info.value.path == store.path
    assert store.path.read_bytes() == before
    store.put(ProfileRecord(app("shop")), overwrite=True)  # the way that is allowed
    assert store.get("shop").authorizations == ()


def test_a_file_changed_behind_the_stores_back_is_refused_as_changed_on_disk(store, tmp_path):
    store.load()
    text = store.path.read_text() + "# a hand edit\n"
    store.path.write_text(text)
    with pytest.raises(StoreError) as info:
        store.update("shop", lambda r: r)
    assert info.value.kind == "changed_on_disk" and info.value.path == store.path
    assert store.path.read_text() == text


def test_an_unreadable_file_is_an_io_error_with_its_path(tmp_path, monkeypatch):
    store = ProfileStore(tmp_path / "cfg")
    store.put(full_record())

    def refuse(_self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(type(store.path), "read_bytes", refuse)
    with pytest.raises(StoreError) as info:
        store.load()
    assert info.value.kind == "io" and info.value.path == store.path


async def test_a_secrets_file_that_cannot_be_written_is_a_file_error(tmp_path, monkeypatch):
    store = FileSecretStore(tmp_path / "s.json", lambda _m: None)

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("oauth_wizard.keep.files.atomic_write", refuse)
    with pytest.raises(SecretStoreError) as info:
        await store.set("oauth-wizard:shop:client_secret", "amzn1.oa2-cs.v1." + "ab" * 32)
    assert info.value.kind == "file_error" and info.value.options
    assert not store.path.exists()


def test_what_the_keep_learned_survives_a_round_trip(tmp_path):
    """sandbox_app, Amazon's expiry date and a pending rotation are written and read back."""
    from dataclasses import replace
    from datetime import date

    store = ProfileStore(tmp_path / "cfg")
    record = replace(full_record(), sandbox_app=True, client_secret_expires=date(2027, 1, 2),
                     client_secret_rotation_requested=date(2026, 12, 7))
    store.put(record)
    again = ProfileStore(tmp_path / "cfg").get("shop")
    assert again == record
    plain = replace(full_record(), sandbox_app=False)
    store.put(plain, overwrite=True)
    assert "sandbox_app" not in store.path.read_text()  # the default is not written
    assert ProfileStore(tmp_path / "cfg").get("shop").sandbox_app is False


def test_an_unknown_profile_names_the_ones_there_are(tmp_path):
    store = ProfileStore(tmp_path / "cfg")
    with pytest.raises(StoreError) as empty:
        store.get("shop")
    assert "(profiles: none yet)" in str(empty.value)
    store.put(ProfileRecord(app("alpha")))
    store.put(ProfileRecord(app("beta")))
    with pytest.raises(StoreError) as info:
        store.get("gamma")
    assert "(profiles: alpha, beta)" in str(info.value)


@pytest.mark.parametrize("act", ["update", "remove"])
def test_a_change_to_one_profile_merges_with_another_stores_new_profile(tmp_path, act):
    """Another terminal added a profile since this store read the file: changing (or removing)
    a profile it did not touch is applied to what is on disk, and theirs is kept."""
    ProfileStore(tmp_path).put(ProfileRecord(app("shop")))
    first = ProfileStore(tmp_path)
    first.load()
    ProfileStore(tmp_path).put(ProfileRecord(app("other")))
    if act == "update":
        first.update("shop", lambda rec: rec)
        assert list(ProfileStore(tmp_path).load()) == ["shop", "other"]
    else:
        first.remove("shop")
        assert list(ProfileStore(tmp_path).load()) == ["other"]


def test_a_hand_edit_after_our_own_write_is_never_dropped(tmp_path):
    """After a write the store remembers what it wrote: a comment added by hand afterwards
    makes the next write refuse instead of silently rewriting the file without it."""
    store = ProfileStore(tmp_path)
    store.put(ProfileRecord(app("shop")))
    edited = "# my note\n" + store.path.read_text("utf-8")
    store.path.write_text(edited, "utf-8")
    with pytest.raises(StoreError) as info:
        store.put(ProfileRecord(app("two")))
    assert info.value.kind == "changed_on_disk"
    assert store.path.read_text("utf-8") == edited
