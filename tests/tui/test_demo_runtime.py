"""The demo's runtime: the in-process simulator, its config dir and secret store, and the
stand-in seller that approves on a headless machine. Real loopback sockets, no UI."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import httpx
import keyring
import pytest
from keyring.backends import fail
from keyring_kit import MemoryKeyring

from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.records import refresh_token_key
from oauth_wizard.keep.secrets import MemorySecretStore
from oauth_wizard.keep.store import default_config_dir
from oauth_wizard.tui.demo import DEMO_PROFILE, DemoError, demo_state
from oauth_wizard.tui.sessions.catch import CatchSession
from oauth_wizard.tui.sessions.demo import DEMO_SERVICE, DemoRuntime
from oauth_wizard.tui.state import to_profile

STATE = "demo-runtime-test-state-0123456789abcdef"


@pytest.fixture
def set_backend() -> Iterator:
    before = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(before)


@pytest.fixture
async def runtime(set_backend) -> DemoRuntime:
    set_backend(fail.Keyring())  # a fresh machine: no keyring backend at all
    rt = DemoRuntime()
    await rt.start()
    yield rt
    await rt.stop()


async def listen_and_approve(rt: DemoRuntime, user: str = "Pat"):
    """Run one demo attempt: the flow listens, the stand-in seller approves."""
    events: list = []
    session = CatchSession(rt, demo_state(STATE, rt.login_uri, rt.redirect_uri),
                           on_event=events.append, state_factory=lambda: STATE)
    await session.prepare()
    plan = await session.plan()
    listening = asyncio.Event()
    task = asyncio.create_task(session.catch(plan, timeout=20,
                                             listening=lambda _c: listening.set()))
    await asyncio.wait_for(listening.wait(), 10)
    try:
        approval = await rt.approve_as(session.consent_url, user)
        return approval, task, events, session
    except BaseException:
        task.cancel()
        raise


async def test_start_serves_the_simulator_and_stop_closes_it(runtime):
    base = runtime.simulator.portal_url
    assert base.startswith("http://127.0.0.1:")
    assert runtime.endpoints.portal_base == base
    assert runtime.endpoints.token_url() == base + "/auth/o2/token"
    assert runtime.login_uri == f"http://127.0.0.1:{runtime.catch_port}/sp-api/login"
    assert runtime.redirect_uri == f"http://127.0.0.1:{runtime.catch_port}/sp-api/callback"
    app = runtime.simulator.registry.apps[0]
    assert (app.login_uri, app.redirect_uris) == (runtime.login_uri, (runtime.redirect_uri,))
    config_dir = runtime.config_dir
    assert config_dir.is_dir() and config_dir != default_config_dir()
    await runtime.start()  # idempotent
    assert runtime.simulator.portal_url == base
    await runtime.stop()
    assert not config_dir.exists()
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(base + "/")
    await runtime.stop()  # twice is fine


async def test_no_usable_keyring_keeps_tokens_in_memory_and_says_so(runtime):
    assert isinstance(runtime.secrets, MemorySecretStore) and runtime.in_memory
    assert runtime.storage_note.startswith("kept in memory for this run")
    assert "nothing is written to disk" in runtime.storage_note


async def test_a_usable_keyring_gets_the_demo_service(set_backend):
    backend = MemoryKeyring()
    set_backend(backend)
    rt = DemoRuntime()
    await rt.start()
    try:
        assert rt.secrets.location == "keyring" and not rt.in_memory
        assert DEMO_SERVICE in rt.storage_note
        approval, task, _, session = await listen_and_approve(rt)
        await task
        await session.aclose()
        key = refresh_token_key(DEMO_PROFILE, "EU", "A1SIMPATSTORE")
        assert backend.data[(DEMO_SERVICE, key)].startswith("Atzr|")
        assert not any(service == "oauth-wizard" for service, _ in backend.data)
        assert "removed when the demo ends" in rt.storage_note
    finally:
        await rt.stop()
    assert not any(service == DEMO_SERVICE for service, _ in backend.data)  # nothing left


async def test_approve_as_goes_through_both_legs_and_the_token_is_stored(runtime):
    approval, task, events, session = await listen_and_approve(runtime)
    result = await task
    await session.aclose()
    assert approval.ok and approval.error_code is None
    assert "Approved as Pat" in approval.message
    sim, catcher = runtime.simulator.portal_url, f"http://127.0.0.1:{runtime.catch_port}"
    assert approval.hops == (
        f"{sim}/sellercentral.amazon.de/apps/authorize/consent", f"{catcher}/sp-api/login",
        f"{sim}/sellercentral.amazon.de/apps/authorize/confirm/{runtime.simulator.registry.apps[0].app_id}",
        f"{catcher}/sp-api/callback")
    assert result.authorization.selling_partner_id == "A1SIMPATSTORE"
    token = await runtime.secrets.get(refresh_token_key(DEMO_PROFILE, "EU", "A1SIMPATSTORE"))
    assert runtime.simulator.grant_for(token).selling_partner_id == "A1SIMPATSTORE"
    assert [type(e).__name__ for e in events][-2:] == ["Exchanging", "Stored"]
    assert all(token not in e.message for e in events)


async def test_a_secondary_user_is_refused_with_spdc8143(runtime):
    approval, task, _, session = await listen_and_approve(runtime, user="Sam")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await session.aclose()
    assert not approval.ok and approval.error_code == "SPDC8143"
    assert "Invalid Access: You do not have permissions to view this page." in approval.message
    assert "SPDC8143" in approval.message and "not the primary user" in approval.message
    assert len(approval.hops) == 1  # the browser never left the consent page


async def test_approve_without_a_listener_says_what_did_not_answer(runtime):
    session = CatchSession(runtime, demo_state(STATE, runtime.login_uri, runtime.redirect_uri),
                           on_event=lambda _e: None, state_factory=lambda: STATE)
    await session.prepare()
    await session.aclose()
    with pytest.raises(DemoError) as caught:
        await runtime.approve_as(session.consent_url)
    assert f"127.0.0.1:{runtime.catch_port}" in caught.value.message
    assert "paste-back" in caught.value.fix


async def test_approve_before_start_is_refused():
    rt = DemoRuntime()
    with pytest.raises(DemoError, match="not running"):
        await rt.approve_as("http://127.0.0.1:1/x?y=z")


def test_the_catch_port_is_free_when_chosen():
    rt = DemoRuntime()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", rt.catch_port))


async def test_the_session_uses_the_profile_review_validated_and_checks_only_without_one(runtime):
    state = demo_state(STATE, runtime.login_uri, runtime.redirect_uri)
    validated = to_profile(state).profile
    changed = state.with_(app_id="not an app id")  # what the session must not look at again
    session = CatchSession(runtime, changed, profile=validated, on_event=lambda _e: None,
                           state_factory=lambda: STATE)
    ready = await session.prepare()
    await session.aclose()
    assert f"application_id={validated.app_id}" in ready.consent.url
    unchecked = CatchSession(runtime, changed, on_event=lambda _e: None)
    with pytest.raises(FlowError, match="App ID"):
        await unchecked.prepare()
