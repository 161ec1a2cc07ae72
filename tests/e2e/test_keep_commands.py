"""Keep and use tokens through the product's own commands, with a real Secret Service keyring.

`profile add` (secret on stdin) → `self-auth` (token on stdin) → `verify` → `status` → `token`
→ `profile remove --yes`, each as a subprocess against the in-process simulator, with the
secrets read back from gnome-keyring by `keyring` itself and gone again after `remove`.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import keyring
import pytest
from flow_kit import APPS, SELLER, secret_of, world

from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.secrets import SERVICE

pytestmark = pytest.mark.real_keyring

ROOT = Path(__file__).resolve().parents[2]


async def oauth_wizard(*args: str, env: dict[str, str], stdin: bytes = b""
                       ) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "oauth_wizard", *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(stdin), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_self_auth_verify_status_token_remove_round_trip_in_the_real_keyring(
        system_keyring, tmp_path):
    name = "keep-" + uuid.uuid4().hex[:8]
    app = APPS["draft"]
    async with world(auto_approve=True) as w:
        env = {**system_keyring.env(), "OAUTH_WIZARD_CONFIG_DIR": str(tmp_path / "config"),
               "OAUTH_WIZARD_PORTAL_URL": w.endpoints.portal_base,
               "OAUTH_WIZARD_LWA_URL": w.endpoints.token_url(),
               "OAUTH_WIZARD_SPAPI_URL": w.endpoints.spapi_base}
        token = w.sim.self_authorize(app["app_id"], SELLER, "NA")
        secret = secret_of("draft")

        code, out, err = await oauth_wizard(
            "profile", "add", name, "--app-id", app["app_id"], "--client-id", app["client_id"],
            "--app-state", "draft", "--marketplace", "US", "--login-uri", w.uri,
            "--redirect-uri", w.uri, env=env, stdin=secret.encode() + b"\n")
        assert code == 0, err
        assert keyring.get_password(SERVICE, client_secret_key(name)) == secret

        code, out, err = await oauth_wizard("self-auth", name, "--selling-partner", SELLER,
                                            env=env, stdin=token.encode())
        assert code == 0, err
        key = refresh_token_key(name, "NA", SELLER)
        assert keyring.get_password(SERVICE, key) == token

        code, out, err = await oauth_wizard("verify", name, env=env)
        assert code == 0, err
        assert "US" in out + err

        code, status_out, status_err = await oauth_wizard("status", name, "--json", env=env)
        assert '"keyring"' in status_out

        code, out, err = await oauth_wizard("token", name, env=env)
        assert code == 0, err
        assert out.strip() == token

        outputs = [status_out, status_err]
        code, out, err = await oauth_wizard("profile", "remove", name, "--yes", env=env)
        assert code == 0, err
        outputs += [out, err]

    assert keyring.get_password(SERVICE, key) is None
    assert keyring.get_password(SERVICE, client_secret_key(name)) is None
    for text in outputs:
        assert token not in text and secret not in text and "Traceback" not in text
