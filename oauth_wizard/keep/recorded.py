"""The order of the two writes of a new authorization: its record in ``profiles.toml`` first,
then its refresh token in the secret store.

A kill in between then leaves a record whose token ``status`` reports missing, never a token
that nothing names; a store that refuses the token takes the record back. The authorize flow,
self-authorization and the 0600-file fallback all store tokens through here.
"""

from __future__ import annotations

import asyncio
import contextlib

from oauth_wizard.core.records import Authorization, refresh_token_key
from oauth_wizard.keep.secrets import SecretStore
from oauth_wizard.keep.store import ProfileStore, StoreError


async def store_recorded(profiles: ProfileStore | None, name: str, auth: Authorization,
                         secrets: SecretStore, token: str) -> StoreError | None:
    """Record ``auth`` for profile ``name``, then store ``token``. Raises the store's
    ``SecretStoreError`` (the record taken back); returns the ``StoreError`` when only the
    record could not be written (the token is stored: losing it would be worse)."""
    failed: StoreError | None = None
    previous: Authorization | None = None
    if profiles is not None:
        try:
            previous = await asyncio.to_thread(profiles.swap_authorization, name, auth)
        except StoreError as exc:
            failed = exc
    try:
        await secrets.set(refresh_token_key(name, auth.region, auth.selling_partner_id), token)
    except BaseException:
        if profiles is not None and failed is None:
            with contextlib.suppress(StoreError):
                await asyncio.to_thread(profiles.take_back_authorization, name, auth,
                                        previous)
        raise
    return failed
