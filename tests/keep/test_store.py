"""profiles.toml: round trips, atomic writes, modes, corrupt files, concurrent edits, no secrets."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import Authorization, ProfileRecord, VerifyResult
from oauth_wizard.keep.files import atomic_write
from oauth_wizard.keep.store import ProfileStore, StoreError, default_config_dir

APP_ID = "amzn1.sp.solution.3b4ce5f4-0d0c-4c8a-9b1e-6f2f1d1e2a3b"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1." + "ab12" * 16
REFRESH = "Atzr|IwEBIPlantedRefreshTokenForStoreTests-0123456789"


def app(name="shop", **kw) -> AppProfile:
    base = dict(name=name, app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                marketplaces=("US", "CA"), login_uri="https://dev.example.com/login",
                redirect_uris=("https://dev.example.com/cb",))
    return AppProfile(**{**base, **kw})


def full_record(name="shop") -> ProfileRecord:
    a = app(name, kind="vendor", hybrid=True, dev_ids=(("NA", "1234-5678-9012"),),
            app_state="published", edits_pending=True)
    auths = (
        Authorization("NA", "A3EXAMPLE1", datetime(2026, 1, 3, 4, 5, 6, tzinfo=UTC),
                      "oauth", "keyring", ("US", "CA"),
                      VerifyResult(datetime(2026, 1, 4, tzinfo=UTC), True, "US, CA")),
        Authorization("EU", "A1EUROPE", datetime(2026, 2, 1, tzinfo=UTC), "self-auth", "file"),
    )
    return ProfileRecord(a, "keyring", date(2025, 12, 1), date(2026, 3, 1), auths)


@pytest.fixture
def store(tmp_path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg")


def files_in(path: Path) -> list[str]:
    """The directory's files, without the inter-process lock files (empty, kept by design)."""
    return sorted(p.name for p in path.iterdir() if not p.name.endswith(".lock"))


# --- config dir ------------------------------------------------------------------------------

def test_default_config_dir_env_override_and_platform_default(tmp_path, monkeypatch):
    assert default_config_dir({"OAUTH_WIZARD_CONFIG_DIR": str(tmp_path)}) == tmp_path
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_config_dir({"OAUTH_WIZARD_CONFIG_DIR": "~/x"}) == tmp_path / "x"
    assert default_config_dir({}).name == "oauth-wizard"
    assert default_config_dir({"OAUTH_WIZARD_CONFIG_DIR": "  "}).name == "oauth-wizard"


# --- round trips -----------------------------------------------------------------------------

def test_round_trip_keeps_every_field_and_order(store):
    store.put(full_record("b-shop"))
    store.put(ProfileRecord(app("a.shop")))
    again = ProfileStore(store.config_dir).load()
    assert list(again) == ["b-shop", "a.shop"]
    assert again["b-shop"] == full_record("b-shop")
    assert again["a.shop"] == ProfileRecord(app("a.shop"))


def test_record_authorization_and_verify(store):
    store.put(ProfileRecord(app()))
    auth = Authorization("FE", "AJAPAN", datetime(2026, 5, 1, tzinfo=UTC))
    store.record_authorization("shop", auth)
    store.record_authorization("shop", Authorization("FE", "AJAPAN",
                                                     datetime(2026, 6, 1, tzinfo=UTC)))
    result = VerifyResult(datetime(2026, 6, 2, tzinfo=UTC), False, "403 Unauthorized")
    rec = store.record_verify("shop", "FE", "AJAPAN", result)
    loaded = ProfileStore(store.config_dir).get("shop")
    assert loaded == rec
    assert len(loaded.authorizations) == 1  # re-authorizing replaces, never duplicates
    assert loaded.authorizations[0].authorized_at == datetime(2026, 6, 1, tzinfo=UTC)
    assert loaded.authorizations[0].last_verify == result


def test_put_refuses_to_replace_without_overwrite(store):
    store.put(ProfileRecord(app()))
    with pytest.raises(StoreError) as info:
        store.put(ProfileRecord(app(app_state="published")))
    assert info.value.kind == "exists"
    assert store.get("shop").app.app_state == "draft"
    store.put(ProfileRecord(app(app_state="published")), overwrite=True)
    assert store.get("shop").app.app_state == "published"


def test_remove_returns_the_profile_and_unknown_names_are_clear(store):
    store.put(full_record())
    removed = store.remove("shop")
    assert removed == full_record()
    assert removed.secret_keys() == ["profile:shop:client_secret",
                                     "profile:shop:refresh:NA:A3EXAMPLE1",
                                     "profile:shop:refresh:EU:A1EUROPE"]
    assert store.load() == {}
    with pytest.raises(StoreError) as info:
        store.get("shop")
    assert info.value.kind == "unknown_profile" and "'shop'" in str(info.value)


def test_missing_file_is_an_empty_store(store):
    assert store.load() == {}
    assert not store.config_dir.exists()


def test_hand_written_values_are_accepted(store):
    store.config_dir.mkdir()
    store.path.write_text(
        'format_version = 1\n[profiles.hand]\napp_id = "x"\nclient_id = "y"\n'
        'app_state = "submitted"\nclient_secret_first_seen = "2026-01-02"\n'
        '[[profiles.hand.authorizations]]\nregion = "EU"\nselling_partner_id = "A1"\n'
        'authorized_at = 2026-01-03T10:00:00\n')
    rec = store.get("hand")
    assert rec.client_secret_first_seen == date(2026, 1, 2)
    assert rec.authorizations[0].authorized_at == datetime(2026, 1, 3, 10, tzinfo=UTC)
    assert (rec.app.kind, rec.authorizations[0].how) == ("seller", "oauth")


# --- file safety -----------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_modes_file_0600_dir_0700(store):
    store.put(ProfileRecord(app()))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.config_dir.stat().st_mode) == 0o700


@pytest.mark.parametrize("fail_at", ["fsync", "replace", "write"])
def test_crash_mid_write_leaves_old_file_and_no_temp(store, monkeypatch, fail_at):
    store.put(ProfileRecord(app()))
    before = store.path.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    if fail_at == "write":
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfFile(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, fail_at, boom)
    with pytest.raises(StoreError) as info:
        store.put(ProfileRecord(app("other")))
    monkeypatch.undo()
    assert info.value.kind == "io" and "previous file is unchanged" in str(info.value)
    assert store.path.read_bytes() == before
    assert files_in(store.config_dir) == ["profiles.toml"]


def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.toml"
    target.write_bytes(b"old")

    def killed(*a):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old" and files_in(tmp_path) == ["f.toml"]


def test_corrupt_file_reports_line_and_is_untouched(store):
    store.config_dir.mkdir()
    text = ('format_version = 1\n\n[profiles.shop]\napp_id = "x"\nclient_id = "y\n'
            'app_state = "draft"\n')
    store.path.write_text(text)
    mtime = store.path.stat().st_mtime_ns
    with pytest.raises(StoreError) as info:
        store.load()
    err = info.value
    assert err.kind == "corrupt" and err.line == 5 and err.path == store.path
    assert str(store.path) in str(err) and "line 5" in str(err)
    with pytest.raises(StoreError):
        store.put(ProfileRecord(app("new")))
    assert store.path.read_text() == text and store.path.stat().st_mtime_ns == mtime


BASE = ('format_version = 1\n\n[profiles.shop]\napp_id = "x"\nclient_id = "y"\n'
        'app_state = "draft"\n')


@pytest.mark.parametrize("text,line,words", [
    (BASE.replace('app_id = "x"\n', ""), 3, "profile 'shop' has no app_id"),
    (BASE.replace('"draft"', '"beta"'), 6, "app_state 'beta'; use one of draft"),
    (BASE + 'app_sate = "draft"\n', 7, "unknown key 'app_sate'"),
    (BASE + "hybrid = \"yes\"\n", 7, "has a hybrid of the wrong type"),
    (BASE.replace('"draft"', "3"), 6, "has an app_state of the wrong type (int)"),
    (BASE + '[[profiles.shop.authorizations]]\nregion = "NA"\nselling_partner_id = "A1"\n'
            'authorized_at = 2026-01-01T00:00:00Z\n[[profiles.shop.authorizations]]\n'
            'region = "US"\nselling_partner_id = "A2"\nauthorized_at = 2026-01-01T00:00:00Z\n',
     12, "authorization 2, has region 'US'; use one of NA, EU, FE"),
    (BASE + '[[profiles.shop.authorizations]]\nregion = "NA"\nselling_partner_id = "A1"\n'
            'authorized_at = "last tuesday"\n', 10, "not a date and time"),
    (BASE.replace("format_version = 1", 'format_version = "1"'), None, "format_version is '1'"),
    (BASE.replace("format_version = 1\n", ""), None, "format_version is missing"),
])
def test_schema_errors_name_line_and_leave_file(store, text, line, words):
    store.config_dir.mkdir()
    store.path.write_text(text)
    with pytest.raises(StoreError) as info:
        store.load()
    assert info.value.kind == "schema" and info.value.line == line
    assert words in str(info.value) and str(store.path) in str(info.value)
    # the way out is an edit or a set-aside, never a command that cannot read the file
    fix = info.value.fix
    assert "add it again" not in fix and f"mv {store.path} {store.path}.broken-" in fix
    assert (f"line {line} of {store.path}" if line else f"Edit {store.path}") in fix
    with pytest.raises(StoreError):
        store.put(ProfileRecord(app("new")))
    assert store.path.read_text() == text


def test_newer_format_version_is_refused(store):
    store.config_dir.mkdir()
    store.path.write_text(BASE.replace("format_version = 1", "format_version = 2"))
    with pytest.raises(StoreError) as info:
        store.load()
    assert info.value.kind == "version" and "newer oauth-wizard" in str(info.value)


# --- concurrent modification -----------------------------------------------------------------

def test_write_after_external_edit_is_refused(store):
    store.put(ProfileRecord(app()))
    store.load()
    edited = store.path.read_text() + "\n# my note\n"
    store.path.write_text(edited)  # a hand edit while the wizard holds the file
    with pytest.raises(StoreError) as info:
        store.put(ProfileRecord(app("two")))
    assert info.value.kind == "changed_on_disk" and "nothing was written" in str(info.value)
    assert store.path.read_text() == edited
    store.load()  # reading again picks the edit up, and then writing works
    store.put(ProfileRecord(app("two")))
    assert list(store.load()) == ["shop", "two"]


def test_two_stores_adding_different_profiles_both_land(tmp_path):
    first, second = ProfileStore(tmp_path), ProfileStore(tmp_path)
    first.load()
    second.load()
    second.put(ProfileRecord(app("from-second")))
    first.put(ProfileRecord(app("from-first")))  # applied to what is on disk now
    assert list(ProfileStore(tmp_path).load()) == ["from-second", "from-first"]


def test_a_profile_changed_by_another_store_is_not_overwritten(tmp_path):
    ProfileStore(tmp_path).put(ProfileRecord(app()))
    first, second = ProfileStore(tmp_path), ProfileStore(tmp_path)
    first.load()
    second.load()
    second.update("shop", lambda rec: replace(rec, secret_storage="file"))
    with pytest.raises(StoreError) as info:
        first.update("shop", lambda rec: replace(rec, secret_storage="keyring"))
    assert info.value.kind == "changed_on_disk"
    assert ProfileStore(tmp_path).get("shop").secret_storage == "file"


def test_file_deleted_or_created_behind_our_back_is_merged_not_clobbered(tmp_path):
    first = ProfileStore(tmp_path)
    assert first.load() == {}
    ProfileStore(tmp_path).put(ProfileRecord(app("other")))
    first.put(ProfileRecord(app()))
    assert list(ProfileStore(tmp_path).load()) == ["other", "shop"]
    first.path.unlink()  # removed by hand: the removal is respected
    first.put(ProfileRecord(app("third")))
    assert list(ProfileStore(tmp_path).load()) == ["third"]


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n"])
def test_an_empty_file_is_no_profiles_and_can_be_added_to(tmp_path, content):
    store = ProfileStore(tmp_path)
    store.path.write_bytes(content)
    assert store.load() == {}
    store.put(ProfileRecord(app()))
    assert list(ProfileStore(tmp_path).load()) == ["shop"]


def test_a_held_lock_is_named_and_nothing_is_written(store, monkeypatch):
    import filelock

    from oauth_wizard.keep import files

    store.put(ProfileRecord(app()))
    before = store.path.read_bytes()
    monkeypatch.setattr(files, "LOCK_TIMEOUT_S", 0.2)
    with filelock.FileLock(str(files.lock_path(store.path))):
        held = ProfileStore(store.config_dir)
        held.load()
        with pytest.raises(StoreError) as info:
            held.put(ProfileRecord(app("two")))
    assert info.value.kind == "locked" and str(store.path) in info.value.message
    assert info.value.path == store.path
    assert "Let the other command" in info.value.fix
    assert store.path.read_bytes() == before


def test_stale_temp_files_of_ours_are_swept_on_the_next_write(store):
    store.put(ProfileRecord(app()))
    stale = store.config_dir / ".profiles.toml.abc123.tmp"
    fresh = store.config_dir / ".profiles.toml.def456.tmp"
    theirs = store.config_dir / ".other.toml.abc.tmp"
    for path in (stale, fresh, theirs):
        path.write_text("secret copy")
    old = time.time() - 120
    os.utime(stale, (old, old))
    os.utime(theirs, (old, old))
    store.put(ProfileRecord(app("two")))
    assert not stale.exists() and fresh.exists() and theirs.exists()


# --- no secrets ------------------------------------------------------------------------------

def test_no_secret_in_profiles_file(store):
    store.put(full_record())
    store.record_verify("shop", "NA", "A3EXAMPLE1",
                        VerifyResult(datetime(2026, 7, 1, tzinfo=UTC), True, "verified"))
    raw = store.path.read_bytes()
    for secret in (SECRET, REFRESH, "Atzr|", "Atza|", "amzn1.oa2-cs"):
        assert secret.encode() not in raw


@pytest.mark.parametrize("bad", [REFRESH, f"token {SECRET} leaked"])
def test_secret_shaped_metadata_is_refused(store, bad):
    store.put(ProfileRecord(app()))
    before = store.path.read_bytes()
    with pytest.raises(StoreError) as info:
        store.record_authorization("shop", Authorization(
            "NA", "A1", datetime(2026, 1, 1, tzinfo=UTC),
            last_verify=VerifyResult(datetime(2026, 1, 1, tzinfo=UTC), False, bad)))
    assert info.value.kind == "secret_in_metadata" and info.value.path == store.path
    assert bad not in str(info.value) and SECRET not in str(info.value)
    assert store.path.read_bytes() == before
