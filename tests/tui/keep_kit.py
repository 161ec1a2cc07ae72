"""Helpers of the keep-and-use TUI tests: keyring backends, a user's runtime with profiles on
disk, and Pilot steps to the Profiles and Self-authorize screens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring_kit import MemoryKeyring
from textual.pilot import Pilot
from tui_kit import FROZEN_NOW, screen_text, settle, step_of, wait_until

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    VerifyResult,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.keep.secrets import KeyringSecretStore
from oauth_wizard.keep.store import ProfileStore
from oauth_wizard.tui.demo import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from oauth_wizard.tui.screens.profiles import ProfilesScreen
from oauth_wizard.tui.screens.selfauth import SelfAuthScreen
from oauth_wizard.tui.screens.welcome import WelcomeScreen
from oauth_wizard.tui.sessions.catch import RealRuntime

NOW = datetime.fromtimestamp(FROZEN_NOW, UTC)
SHOP_SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16
SHOP_TOKEN = "Atzr|IwEBIshopTokenBody" + "0123456789" * 6


class SlowKeyring(MemoryKeyring):
    """A keyring whose every read waits on an unlock prompt nobody answers."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.waiting = 0  # reads started and not yet answered

    def get_password(self, service, username):
        self.waiting += 1
        try:
            time.sleep(self.delay)
        finally:
            self.waiting -= 1
        return super().get_password(service, username)


def shop_records() -> list[ProfileRecord]:
    """A profile with something to say about everything: the client secret near its 180-day
    rotation, an EU authorization near its 365 days whose last verify failed, and a
    self-authorization whose token is gone."""
    app = AppProfile("shop", DEMO_APP_ID, DEMO_CLIENT_ID, "published",
                     marketplaces=("US", "DE", "FR"),
                     login_uri="https://shop.example.com/login",
                     redirect_uris=("https://shop.example.com/callback",))
    failed = VerifyResult(NOW - timedelta(days=2), False,
                          "refresh_token_revoked_or_expired: LWA answered invalid_grant: the "
                          "refresh token was revoked or has expired.")
    eu = Authorization("EU", "A1SHOPSELLER", NOW - timedelta(days=350), "oauth", "keyring",
                       ("DE", "FR"), failed)
    na = Authorization("NA", "self-NA", NOW - timedelta(days=20), "self-auth", "keyring", ("US",))
    return [ProfileRecord(app, "keyring", (NOW - timedelta(days=160)).date(), None, (eu, na))]


def user_runtime(config_dir: Path, backend: KeyringBackend, *, timeout: float = 3.0,
                 records: list[ProfileRecord] | None = None) -> RealRuntime:
    """The user's machine: profiles on disk, the keyring ``backend``, Amazon's endpoints."""
    store = ProfileStore(config_dir)
    for record in records or []:
        store.put(record)
    secrets = KeyringSecretStore(backend=backend, timeout=timeout)
    return RealRuntime(env={}, config_dir=config_dir, secrets=secrets)


def shop_keyring() -> MemoryKeyring:
    """The shop's client secret and EU token are stored; the NA token is not."""
    backend = MemoryKeyring()
    backend.data[("oauth-wizard", client_secret_key("shop"))] = SHOP_SECRET
    backend.data[("oauth-wizard", refresh_token_key("shop", "EU", "A1SHOPSELLER"))] = SHOP_TOKEN
    return backend


async def to_welcome(pilot: Pilot) -> None:
    """Back to the Welcome screen (a demo run starts on the first step)."""
    app = pilot.app
    await settle(pilot, lambda: app.screen.is_mounted and (
        step_of(app) is not None or isinstance(app.screen, WelcomeScreen)))
    if not isinstance(app.screen, WelcomeScreen):
        await pilot.press("escape")
    await settle(pilot, lambda: isinstance(app.screen, WelcomeScreen))


async def open_profiles(pilot: Pilot) -> ProfilesScreen:
    """From wherever the app is, the Profiles screen with its status loaded."""
    app = pilot.app
    await to_welcome(pilot)
    app.open_keep("profiles")
    await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen)
                     and app.screen.view is not None)
    await pilot.pause()
    return app.screen


async def open_selfauth(pilot: Pilot) -> SelfAuthScreen:
    """The Self-authorize screen, its profiles loaded."""
    app = pilot.app
    await to_welcome(pilot)
    app.open_keep("self-auth")
    await wait_until(pilot, lambda: isinstance(app.screen, SelfAuthScreen)
                     and app.screen.loaded)
    await pilot.pause()
    return app.screen


async def highlight(pilot: Pilot, screen: ProfilesScreen, text: str) -> None:
    """Move the list's highlight to the row whose text contains ``text``."""
    rows = [str(o.prompt) for o in screen.query_one("#profile-list").options]
    index = next(i for i, row in enumerate(rows) if text in row)
    screen.query_one("#profile-list").highlighted = index
    await pilot.pause()


def all_text(app) -> str:
    """What the screen shows, as text and as the rendered SVG."""
    return screen_text(app) + app.export_screenshot()


__all__ = ["DEMO_CLIENT_SECRET", "NOW", "SHOP_SECRET", "SHOP_TOKEN", "MemoryKeyring",
           "SlowKeyring", "all_text", "highlight", "open_profiles", "open_selfauth",
           "shop_keyring", "shop_records", "to_welcome", "user_runtime"]
