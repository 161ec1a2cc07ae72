"""What the TUI's keep-and-use screens run in their workers (``keep_session``), against the
demo's in-process simulator and real loopback sockets; no UI."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring_kit import MemoryKeyring

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.reports import AuthRef
from oauth_wizard.keep.secrets import KeyringSecretStore, MemorySecretStore
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.tui.demo import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from oauth_wizard.tui.sessions.catch import RealRuntime
from oauth_wizard.tui.sessions.demo import DemoRuntime
from oauth_wizard.tui.sessions.keep import KeepSession

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
SELF_NA = AuthRef("demo", "NA", "self-NA")
TOKEN_KEY = refresh_token_key("demo", "NA", "self-NA")


class SlowKeyring(MemoryKeyring):
    """A keyring whose every call waits on an unlock prompt nobody answers."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.calls = 0

    def get_password(self, service, username):
        self.calls += 1
        time.sleep(self.delay)
        return super().get_password(service, username)


@pytest.fixture
async def demo():
    runtime = DemoRuntime(keyring_store=MemorySecretStore())
    await runtime.start()
    yield runtime
    await runtime.stop()


def session(runtime) -> KeepSession:
    return KeepSession(runtime, clock=lambda: NOW.timestamp())


async def self_authorized(runtime: DemoRuntime) -> KeepSession:
    keep = session(runtime)
    report = await keep.self_authorize("demo", "NA", keep.demo_token())
    assert report.failure is None and report.result is not None
    return keep


async def test_a_demo_run_starts_with_the_demo_profile_and_its_client_secret(demo):
    view = await session(demo).status()
    assert view.failure is None
    [profile] = view.report.profiles
    assert profile.name == "demo" and profile.client_id == DEMO_CLIENT_ID
    assert profile.client_secret.checked and profile.client_secret.location == "memory"
    assert DEMO_CLIENT_SECRET not in (profile.client_secret.masked or "")
    assert [p.id for p in profile.problems] == ["not_authorized"]
    assert await demo.secrets.get(client_secret_key("demo")) == DEMO_CLIENT_SECRET


async def test_self_authorization_with_the_demo_token_is_stored_and_verified(demo):
    keep = session(demo)
    token = keep.demo_token()
    progress: list[str] = []
    report = await keep.self_authorize("demo", "NA", token, progress=progress.append)
    assert report.failure is None and report.verify_failure is None
    auth = report.result.authorization
    assert (auth.region, auth.selling_partner_id, auth.how) == ("NA", "self-NA", "self-auth")
    assert set(auth.marketplaces) == {"US", "CA"}
    assert report.result.outcome.store_names == ("Pat's Demo Store",)
    assert await demo.secrets.get(TOKEN_KEY) == token
    assert token not in report.result.masked_token and progress
    [profile] = (await keep.status()).report.profiles
    [status] = profile.authorizations
    assert status.refresh_token.masked == report.result.masked_token
    assert status.last_verify is not None and status.last_verify.ok


async def test_a_token_lwa_refuses_or_of_the_wrong_shape_is_not_stored(demo):
    keep = session(demo)
    wrong = await keep.self_authorize("demo", "NA", "Atza|" + "x" * 60)
    assert "access token" in wrong.failure.message
    refused = await keep.self_authorize("demo", "NA", "Atzr|" + "Unknown0" * 10)
    assert refused.result is None and "was not stored" in refused.failure.message
    assert refused.failure.cause and refused.failure.fix
    assert await demo.secrets.get(TOKEN_KEY) is None
    assert not ProfileStore(demo.config_dir).get("demo").authorizations


async def test_verify_ok_shows_the_marketplaces_and_records_it(demo):
    keep = await self_authorized(demo)
    report = await keep.verify(SELF_NA)
    assert report.ok and report.recorded and report.failure is None
    assert {m.code for m in report.outcome.marketplaces} == {"US", "CA"}
    recorded = ProfileStore(demo.config_dir).get("demo").authorizations[0].last_verify
    assert recorded.ok and recorded.at == NOW


async def test_verify_of_a_revoked_token_explains_the_cause_fix_and_command(demo):
    keep = await self_authorized(demo)
    assert demo.simulator.revoke_refresh_token(await demo.secrets.get(TOKEN_KEY))
    report = await keep.verify(SELF_NA)
    assert not report.ok
    failure = report.failure
    assert failure.cause == "refresh_token_revoked_or_expired"
    assert failure.title and failure.steps and failure.fix
    assert failure.command == "oauth-wizard self-auth demo --region NA"
    [profile] = (await keep.status()).report.profiles
    assert "verify_failed" in [p.id for p in profile.authorizations[0].problems]


async def test_export_writes_a_0600_file_and_asks_before_replacing_it(demo, tmp_path):
    keep = await self_authorized(demo)
    outside = tmp_path / "out" / "sp.env"
    refused = await keep.export(SELF_NA, "dotenv", outside)  # the demo writes only its folder
    assert "only into its temporary folder" in refused.failure.message
    assert not outside.exists()
    target = keep.export_sandbox() / "sp.env"
    first = await keep.export(SELF_NA, "dotenv", target)
    assert first.failure is None and first.created and first.path == target
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert await demo.secrets.get(TOKEN_KEY) in target.read_text()
    assert first.notes
    again = await keep.export(SELF_NA, "dotenv", target)
    assert again.confirm == "exists" and again.path is None
    forced = await keep.export(SELF_NA, "psa-env", target, force=True)
    assert forced.failure is None and not forced.created
    assert "SP_API_REFRESH_TOKEN=" in target.read_text()


async def test_default_export_paths_name_a_file_for_every_format(demo):
    keep = session(demo)
    await keep.status()  # the demo's runtime (and its temporary folder) is ready
    sandbox = keep.export_sandbox()
    assert sandbox is not None
    assert (await keep.default_export_path("psa-yaml")).parent == sandbox
    assert (await keep.default_export_path("dotenv")).name == ".env"
    assert (await keep.default_export_path("psa-yaml")).name == "credentials.yml"


async def test_remove_deletes_the_secrets_then_the_profile_and_the_demo_does_not_re_add_it(demo):
    keep = await self_authorized(demo)
    report = await keep.remove("demo")
    assert report.removed and report.note and len(report.lines) == 2
    assert await demo.secrets.get(TOKEN_KEY) is None
    assert await demo.secrets.get(client_secret_key("demo")) is None
    view = await keep.status()
    assert view.report.profiles == () and view.report.problems[0].id == "no_profiles"


async def test_reauthorize_state_loads_the_profile_with_its_secret(demo):
    keep = await self_authorized(demo)
    state = await keep.reauthorize_state("demo", SELF_NA, "csrf")
    assert state.app_id == DEMO_APP_ID and state.client_secret == DEMO_CLIENT_SECRET
    assert state.seller_marketplace == "US" and state.demo and state.profile_name == "demo"


def real_runtime(tmp_path: Path, store, records=()) -> RealRuntime:
    profiles = ProfileStore(tmp_path / "cfg")
    for record in records:
        profiles.put(record)
    return RealRuntime(env={}, config_dir=tmp_path / "cfg", secrets=store)


APP = AppProfile("shop", DEMO_APP_ID, DEMO_CLIENT_ID, "draft", marketplaces=("DE",))
AUTH = Authorization("EU", "A1SHOP", NOW, storage="keyring")


async def test_a_slow_keyring_costs_one_timeout_and_is_reported_not_as_missing(tmp_path):
    backend = SlowKeyring(delay=2.0)
    store = KeyringSecretStore(backend=backend, timeout=0.2)
    runtime = real_runtime(tmp_path, store, [ProfileRecord(APP, "keyring", NOW.date(), None,
                                                           (AUTH,))])
    started = time.monotonic()
    view = await session(runtime).status()
    assert time.monotonic() - started < 1.5 and backend.calls == 1
    [trouble] = view.troubles
    assert "did not answer within 0.2 s" in trouble.message and trouble.fix
    assert "--insecure-storage" not in trouble.fix
    [profile] = view.report.profiles
    assert not profile.client_secret.checked
    assert "client_secret_missing" not in [p.id for p in profile.all_problems()]


async def test_remove_deletes_keyring_entries(tmp_path):
    backend = MemoryKeyring()
    store = KeyringSecretStore(backend=backend)
    runtime = real_runtime(tmp_path, store, [ProfileRecord(APP, "keyring", NOW.date(), None,
                                                           (AUTH,))])
    await store.set(client_secret_key("shop"), DEMO_CLIENT_SECRET)
    await store.set(refresh_token_key("shop", "EU", "A1SHOP"), "Atzr|" + "t" * 60)
    report = await session(runtime).remove("shop")
    assert report.removed and backend.data == {}
    assert ProfileStore(tmp_path / "cfg").load() == {}


async def test_secrets_in_the_insecure_file_are_read_and_announced(tmp_path):
    runtime = real_runtime(tmp_path, KeyringSecretStore(backend=MemoryKeyring()),
                           [ProfileRecord(APP, "file", NOW.date())])
    await FileSecretStore.in_config_dir(tmp_path / "cfg", lambda _: None).set(
        client_secret_key("shop"), DEMO_CLIENT_SECRET)
    view = await session(runtime).status()
    [profile] = view.report.profiles
    assert profile.client_secret.location == "file" and profile.client_secret.checked
    assert any("plain text" in line for line in view.announcements)


async def test_a_broken_profiles_file_is_reported_with_its_line(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "profiles.toml").write_text("format_version = 1\n[profiles\n")
    view = await session(real_runtime(tmp_path, MemorySecretStore())).status()
    assert view.report is None and "line 2" in view.failure.message
