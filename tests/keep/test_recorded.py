"""The two writes of a new authorization, in their order: record, then token; a refused token
takes the record back (restoring the one it replaced); a record that cannot be written still
lets the token be kept, and says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import Authorization, ProfileRecord, refresh_token_key
from oauth_wizard.keep.recorded import store_recorded
from oauth_wizard.keep.secrets import MemorySecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore, StoreError

APP = AppProfile(name="shop", app_id="amzn1.sp.solution.5e1f0000-de70-4000-8000-000000000001",
                 client_id="amzn1.application-oa2-client." + "de70" * 8, app_state="draft")
OLD = Authorization(region="EU", selling_partner_id="A1SELLER",
                    authorized_at=datetime(2026, 1, 1, tzinfo=UTC))
NEW = Authorization(region="EU", selling_partner_id="A1SELLER",
                    authorized_at=datetime(2026, 12, 7, tzinfo=UTC))
KEY = refresh_token_key("shop", "EU", "A1SELLER")


class Refusing(MemorySecretStore):
    async def set(self, key: str, value: str) -> None:
        raise SecretStoreError("write_failed", "The keyring refused it.")


async def test_record_then_token(tmp_path):
    profiles = ProfileStore(tmp_path)
    profiles.put(ProfileRecord(APP))
    secrets = MemorySecretStore()
    assert await store_recorded(profiles, "shop", NEW, secrets, "Atzr|new") is None
    assert profiles.get("shop").authorization("EU", "A1SELLER") == NEW
    assert await secrets.get(KEY) == "Atzr|new"


async def test_a_refused_token_takes_the_record_back(tmp_path):
    profiles = ProfileStore(tmp_path)
    profiles.put(ProfileRecord(APP).with_authorization(OLD))
    with pytest.raises(SecretStoreError):
        await store_recorded(profiles, "shop", NEW, Refusing(), "Atzr|new")
    assert profiles.get("shop").authorization("EU", "A1SELLER") == OLD


async def test_a_record_that_cannot_be_written_still_keeps_the_token(tmp_path):
    profiles = ProfileStore(tmp_path)  # no profile "shop": the record fails
    secrets = MemorySecretStore()
    failed = await store_recorded(profiles, "shop", NEW, secrets, "Atzr|new")
    assert isinstance(failed, StoreError) and await secrets.get(KEY) == "Atzr|new"
