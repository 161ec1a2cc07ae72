"""The whole authorization in a real headless Chromium, over HTTPS with the wizard's generated
certificate for ``localhost``, with the refresh token landing in a real Secret Service keyring.

The local Amazon runs in the test's event loop; the catcher listens on
``https://localhost:<port>/sp-api/callback``, the URI the simulated apps register. Chromium opens
the consent URL and follows both legs by itself; ``--dump-dom`` hands back the page it ends on.
The last test does the same through the ``oauth-wizard`` command in a subprocess.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import keyring
import pytest
from flow_kit import APPS, PAT, SAM, SELLER, World, profile_for, secret_of, world

from oauth_wizard.authorize import tls
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import CodeReceived, LoginLegReceived, Refused
from oauth_wizard.core.records import ProfileRecord, client_secret_key, refresh_token_key
from oauth_wizard.keep.secrets import SERVICE, KeyringSecretStore
from oauth_wizard.keep.store import ProfileStore

pytestmark = pytest.mark.real_keyring

ROOT = Path(__file__).resolve().parents[2]
CALLBACK_PATH = "/sp-api/callback"


def fresh_name() -> str:
    return "e2e-" + uuid.uuid4().hex[:8]


def issued_refresh_token(w: World) -> str:
    tokens = ["Atzr|" + raw for raw in w.minted.by_kind.get("refresh_token", [])]
    (token,) = [t for t in tokens if not w.sim.grant_for(t).self_auth]
    return token


@pytest.fixture
def cert(tmp_path):
    return tls.ensure_cert(tmp_path / "tls", "localhost")


async def test_consent_url_through_chromium_over_https_into_the_real_keyring(
        chromium, system_keyring, cert, tmp_path):
    name = fresh_name()
    async with world(scheme="https", host="localhost", path=CALLBACK_PATH,
                     auto_approve=True) as w:
        profiles = ProfileStore(tmp_path / "config")
        profiles.put(ProfileRecord(profile_for("draft", w.uri, name=name)))
        flow = w.flow("draft", profile=profile_for("draft", w.uri, name=name),
                      secrets=KeyringSecretStore(), profiles=profiles)
        dom: list[str] = []

        async def visit():
            dom.append(await chromium.dump_dom(w.consent_url(flow)))

        caught = await w.catch(flow, visit, within=40, ssl_context=cert.ssl_context())
        assert caught.error is None, caught.error
        token = issued_refresh_token(w)
        (code,) = w.minted.by_kind["code"]

    key = refresh_token_key(name, "NA", SELLER)
    try:
        assert keyring.get_password(SERVICE, key) == token  # read back from gnome-keyring
        assert await KeyringSecretStore().get(key) == token
        assert caught.result.storage.startswith("the system keyring (keyring.backends."
                                                "SecretService")
        (auth,) = profiles.get(name).authorizations
        assert (auth.selling_partner_id, auth.storage) == (SELLER, "keyring")

        page = dom[0]
        assert "Authorized: back to the terminal" in page and SELLER in page
        assert code not in page and "spapi_oauth_code" not in page and token not in page
        login = next(e for e in w.events if isinstance(e, LoginLegReceived))
        assert login.beta and login.region == "NA"
    finally:
        await KeyringSecretStore().delete(key)


async def test_published_app_in_europe_with_the_user_named_in_the_consent_url(
        chromium, system_keyring, cert):
    name = fresh_name()
    async with world(scheme="https", host="localhost", path=CALLBACK_PATH) as w:
        flow = w.flow("published", marketplace="DE",
                      profile=profile_for("published", w.uri, name=name),
                      secrets=KeyringSecretStore())
        dom: list[str] = []

        async def visit():
            dom.append(await chromium.dump_dom(w.consent_url(flow, sim_user=PAT)))

        caught = await w.catch(flow, visit, within=40, ssl_context=cert.ssl_context())
        assert caught.error is None, caught.error
        token = issued_refresh_token(w)
    key = refresh_token_key(name, "EU", SELLER)
    try:
        assert keyring.get_password(SERVICE, key) == token
        assert w.sim.grant_for(token).region == "EU"
        assert "Authorized" in dom[0] and token not in dom[0]
        assert not next(e for e in w.events if isinstance(e, LoginLegReceived)).beta
    finally:
        await KeyringSecretStore().delete(key)


async def test_a_secondary_user_sees_invalid_access_and_nothing_reaches_the_keyring(
        chromium, system_keyring, cert):
    name = fresh_name()
    async with world(scheme="https", host="localhost", path=CALLBACK_PATH) as w:
        flow = w.flow("draft", profile=profile_for("draft", w.uri, name=name),
                      secrets=KeyringSecretStore())
        dom: list[str] = []

        async def visit():
            dom.append(await chromium.dump_dom(w.consent_url(flow, sim_user=SAM)))

        caught = await w.catch(flow, visit, within=0.5, ssl_context=cert.ssl_context())
    assert "<h1>Invalid Access</h1>" in dom[0]  # the page the FAQ calls SPDC8143, uncoded
    assert isinstance(caught.error, FlowError) and "No redirect" in caught.error.message
    assert not any(isinstance(e, (LoginLegReceived, CodeReceived)) for e in w.events)
    assert keyring.get_password(SERVICE, refresh_token_key(name, "NA", SELLER)) is None


async def test_chromium_is_not_sent_on_to_a_foreign_callback_and_the_genuine_flow_completes(
        chromium, system_keyring, cert):
    name = fresh_name()
    async with world(scheme="https", host="localhost", path=CALLBACK_PATH) as w:
        flow = w.flow("draft", profile=profile_for("draft", w.uri, name=name),
                      secrets=KeyringSecretStore())
        evil = "https://sellercentral.amazon.com.evil.example/apps/authorize/confirm/" + \
            APPS["draft"]["app_id"]
        attack = (f"{w.uri}?amazon_callback_uri={evil}&amazon_state=amz"
                  f"&selling_partner_id={SELLER}&version=beta")
        dom: list[str] = []

        async def visit():
            dom.append(await chromium.dump_dom(attack))  # refused: the listener waits on
            dom.append(await chromium.dump_dom(w.consent_url(flow, sim_user=PAT)))  # the seller

        caught = await w.catch(flow, visit, within=40, ssl_context=cert.ssl_context())
        assert caught.error is None, caught.error
        token = issued_refresh_token(w)
    key = refresh_token_key(name, "NA", SELLER)
    try:
        assert "Authorization not completed" in dom[0] and "open-redirect guard" in dom[0]
        assert any(isinstance(e, Refused) for e in w.events)
        assert "Authorized: back to the terminal" in dom[1]
        assert keyring.get_password(SERVICE, key) == token
    finally:
        await KeyringSecretStore().delete(key)


async def run(*args: str, env: dict[str, str], stdin: bytes | None = None
              ) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "oauth_wizard", *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_cli_authorize_no_browser_completes_in_chromium_into_the_real_keyring(
        chromium, system_keyring, tmp_path):
    name = fresh_name()
    app = APPS["draft"]
    async with world(scheme="https", host="localhost", path=CALLBACK_PATH,
                     auto_approve=True) as w:
        env = {**system_keyring.env(), "OAUTH_WIZARD_CONFIG_DIR": str(tmp_path / "config"),
               "OAUTH_WIZARD_PORTAL_URL": w.endpoints.portal_base,
               "OAUTH_WIZARD_LWA_URL": w.endpoints.token_url(),
               "OAUTH_WIZARD_SPAPI_URL": w.endpoints.spapi_base}
        add = await run("profile", "add", name, "--app-id", app["app_id"], "--client-id",
                        app["client_id"], "--app-state", "draft", "--marketplace", "US",
                        "--login-uri", w.uri, "--redirect-uri", w.uri, env=env,
                        stdin=b"")
        out, err = await asyncio.wait_for(add.communicate(secret_of("draft").encode() + b"\n"),
                                          30)
        assert add.returncode == 0, err.decode()
        assert secret_of("draft").encode() not in out + err

        proc = await run("authorize", name, "--no-browser", "--timeout", "40", env=env)
        try:
            assert proc.stdout is not None
            url = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
            assert url.startswith(w.endpoints.portal_base + "/sellercentral.amazon.com/")
            page = await chromium.dump_dom(url)
            rest, err = await asyncio.wait_for(proc.communicate(), 40)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, err.decode()
        token = issued_refresh_token(w)
        (code,) = w.minted.by_kind["code"]

    key = refresh_token_key(name, "NA", SELLER)
    try:
        assert keyring.get_password(SERVICE, key) == token
        assert keyring.get_password(SERVICE, client_secret_key(name)) == secret_of("draft")
        assert "Authorized" in page and code not in page
        for stream in (rest, err):
            assert token.encode() not in stream and code.encode() not in stream
            assert b"Traceback" not in stream
    finally:
        for entry in (key, client_secret_key(name)):
            await KeyringSecretStore().delete(entry)
