"""KeyringSecretStore against a real Secret Service (gnome-keyring on a private D-Bus session):
round trips under the product's own service name, what another program sees in the keyring,
and a locked collection.
"""

from __future__ import annotations

import subprocess
import uuid

import keyring
import pytest
from e2e_tools import KEYRING_BACKEND, require

from oauth_wizard.core.records import client_secret_key, refresh_token_key
from oauth_wizard.keep.secrets import SERVICE, KeyringSecretStore, SecretStoreError

pytestmark = pytest.mark.real_keyring

# Shaped like the real thing: '|', '/', '+' and '=' must survive the round trip unchanged.
REFRESH = "Atzr|IwEBIA" + "x/y+z=" * 60
CLIENT_SECRET = "amzn1.oa2-cs.v1." + "c0ffee" * 10 + "beef"


def fresh_name() -> str:
    return "e2e-" + uuid.uuid4().hex[:8]


def secret_tool_lookup(service, key: str) -> str | None:
    """What an independent libsecret client (secret-tool) finds for ``key``."""
    done = subprocess.run([require("secret-tool", "libsecret-tools"), "lookup", "service", SERVICE,  # noqa: S603
                           "username", key], env=service.env(), capture_output=True, text=True,
                          timeout=10, check=False)
    return done.stdout if done.returncode == 0 else None


async def test_round_trip_through_the_real_secret_service(system_keyring):
    assert type(keyring.get_keyring()).__module__ == KEYRING_BACKEND.rsplit(".", 1)[0]
    store = KeyringSecretStore()
    assert store.service == SERVICE == "oauth-wizard"
    await store.check()
    assert await store.is_available()
    assert "SecretService" in store.describe()

    name = fresh_name()
    token_key = refresh_token_key(name, "EU", "A1E2ESELLER")
    secret_key = client_secret_key(name)
    assert await store.get(token_key) is None
    await store.set(token_key, REFRESH)
    await store.set(secret_key, CLIENT_SECRET)
    assert await store.get(token_key) == REFRESH
    assert await store.get(secret_key) == CLIENT_SECRET
    assert keyring.get_password(SERVICE, token_key) == REFRESH  # keyring's own view agrees
    assert secret_tool_lookup(system_keyring, token_key) == REFRESH  # and another program's

    await store.set(token_key, REFRESH + "-rotated")  # one entry per key: replaced, not added
    assert await store.get(token_key) == REFRESH + "-rotated"

    assert await store.delete(token_key) is True
    assert await store.get(token_key) is None
    assert secret_tool_lookup(system_keyring, token_key) is None
    assert await store.delete(token_key) is False  # nothing left to delete
    assert await store.get(secret_key) == CLIENT_SECRET  # the other entry is untouched
    assert await store.delete(secret_key) is True


async def test_entries_are_per_profile_region_and_selling_partner(system_keyring):
    store = KeyringSecretStore()
    name = fresh_name()
    keys = [refresh_token_key(name, region, partner)
            for region in ("NA", "EU") for partner in ("A1FIRST", "A2SECOND")]
    for i, key in enumerate(keys):
        await store.set(key, f"{REFRESH}-{i}")
    assert [await store.get(key) for key in keys] == [f"{REFRESH}-{i}" for i in range(4)]
    assert await store.get(refresh_token_key(fresh_name(), "NA", "A1FIRST")) is None
    for key in keys:
        assert await store.delete(key)


async def test_a_locked_collection_is_reported_as_locked_with_what_to_do(
        private_secret_service):
    """A keyring of the test's own: locking cannot be undone without an unlock prompt."""
    from keyring.backends import SecretService

    store = KeyringSecretStore(backend=SecretService.Keyring())
    key = refresh_token_key(fresh_name(), "NA", "A1LOCKED")
    await store.set(key, REFRESH)
    assert await store.get(key) == REFRESH
    private_secret_service.lock()
    for operation in ("get", "set"):
        with pytest.raises(SecretStoreError) as info:
            if operation == "get":
                await store.get(key)
            else:
                await store.set(key, REFRESH + "-new")
        assert info.value.kind == "locked", operation
        assert "locked" in info.value.message
        assert any("Unlock" in option for option in info.value.options)
        assert REFRESH not in str(info.value) and REFRESH not in repr(info.value)
    assert not await store.is_available()  # the availability probe says so too
