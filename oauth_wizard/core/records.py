"""The records every layer shares: profiles as stored, authorizations, verify results, keyring
key names, one attempt's pending state and the consent URL it opens.

They live here, with no I/O, so that a screen can name a ``ProfileRecord`` or a ``PendingState``
without importing the store, the keyring or the catcher that produce them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from oauth_wizard.core.masking import mask_code
from oauth_wizard.core.profile import AppProfile

Location = Literal["keyring", "file", "memory"]
HOW = ("oauth", "self-auth")
STORAGE = ("keyring", "file", "memory")


def client_secret_key(profile: str) -> str:
    """Keyring entry of a profile's LWA client secret."""
    return f"profile:{profile}:client_secret"


def refresh_token_key(profile: str, region: str, selling_partner_id: str) -> str:
    """Keyring entry of one authorization's refresh token."""
    return f"profile:{profile}:refresh:{region.upper()}:{selling_partner_id}"


def describe_key(key: str) -> str:
    """A key in words, for messages: "the refresh token of profile 'x' (EU, A1B2…)"."""
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == "profile" and parts[2] == "client_secret":
        return f"the client secret of profile '{parts[1]}'"
    if len(parts) == 5 and parts[0] == "profile" and parts[2] == "refresh":
        return f"the refresh token of profile '{parts[1]}' ({parts[3]}, {parts[4]})"
    return f"the secret '{key}'"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of the last ``verify`` of an authorization."""

    at: datetime
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Authorization:
    """One stored refresh token's metadata: the token itself is in the secret store."""

    region: str
    selling_partner_id: str
    authorized_at: datetime
    how: str = "oauth"  # oauth | self-auth
    storage: str = "keyring"  # keyring | file | memory: where the refresh token lives
    marketplaces: tuple[str, ...] = ()
    last_verify: VerifyResult | None = None

    @property
    def ident(self) -> tuple[str, str]:
        return self.region, self.selling_partner_id


@dataclass(frozen=True)
class ProfileRecord:
    """An app profile plus what the wizard learned about its secrets and authorizations."""

    app: AppProfile
    secret_storage: str | None = None  # where the client secret lives; None: not stored
    client_secret_first_seen: date | None = None
    client_secret_rotated: date | None = None
    authorizations: tuple[Authorization, ...] = ()
    # The expiry date Amazon's APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY notice gave for the
    # current secret (``secret-notice``); None: only the 180-day estimate is known.
    client_secret_expires: date | None = None
    # A rotation asked of Amazon's API whose new secret has not been stored yet (rotate-secret).
    client_secret_rotation_requested: date | None = None
    # A sandbox application (profile add --sandbox-app): Amazon's API cannot rotate its secret.
    sandbox_app: bool = False

    @property
    def name(self) -> str:
        return self.app.name

    def authorization(self, region: str, selling_partner_id: str) -> Authorization | None:
        return next((a for a in self.authorizations
                     if a.ident == (region, selling_partner_id)), None)

    def with_authorization(self, auth: Authorization) -> ProfileRecord:
        """Add ``auth``, replacing the one for the same region and selling partner."""
        kept = tuple(a for a in self.authorizations if a.ident != auth.ident)
        return replace(self, authorizations=(*kept, auth))

    def secret_keys(self) -> list[str]:
        """Every secret-store key this profile may own (client secret, refresh tokens)."""
        return [client_secret_key(self.name), *(
            refresh_token_key(self.name, a.region, a.selling_partner_id)
            for a in self.authorizations)]

    def secret_entries(self) -> list[tuple[str, str | None]]:
        """Every secret-store key this profile owns, with where its record says it is kept."""
        return [(client_secret_key(self.name), self.secret_storage), *(
            (refresh_token_key(self.name, a.region, a.selling_partner_id), a.storage)
            for a in self.authorizations)]

    def without_authorization(self, region: str, selling_partner_id: str) -> ProfileRecord:
        return replace(self, authorizations=tuple(
            a for a in self.authorizations if a.ident != (region, selling_partner_id)))


@dataclass
class PendingState:
    """Our ``state`` for one authorization attempt; it delivers at most one code.

    ``redirect_uri`` is the registered Redirect URI chosen for the consent URL (passed on in the
    Login leg), ``expires_at`` epoch seconds after which the state is refused.
    """

    state: str
    redirect_uri: str | None = None
    expires_at: float | None = None
    used: bool = False

    def __repr__(self) -> str:
        return (f"PendingState(state={mask_code(self.state)!r}, "
                f"redirect_uri={self.redirect_uri!r}, expires_at={self.expires_at!r}, "
                f"used={self.used!r})")

    def expired(self, now: float | None) -> bool:
        return self.expires_at is not None and now is not None and now >= self.expires_at

    def as_json(self) -> dict:
        return {"state": self.state, "redirect_uri": self.redirect_uri,
                "expires_at": self.expires_at, "used": self.used}

    @classmethod
    def from_json(cls, data: dict) -> PendingState:
        if not isinstance(data, dict) or not isinstance(data.get("state"), str):
            raise ValueError("The saved authorization attempt has no 'state'; start a new one.")
        return cls(data["state"], data.get("redirect_uri"), data.get("expires_at"),
                   bool(data.get("used", False)))


@dataclass(frozen=True)
class Param:
    """One query parameter of a consent URL, with the reason it is there."""

    name: str
    value: str
    why: str


@dataclass(frozen=True)
class ConsentUrl:
    """A built consent URL with every parameter explained (``consent.url`` builds it)."""

    url: str
    host: str
    region: str
    marketplace: str
    kind: str
    beta: bool
    state: str
    redirect_uri: str | None
    params: tuple[Param, ...]
    notes: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "host": self.host,
            "region": self.region,
            "marketplace": self.marketplace,
            "kind": self.kind,
            "beta": self.beta,
            "state": self.state,
            "redirect_uri": self.redirect_uri,
            "params": [{"name": p.name, "value": p.value, "why": p.why} for p in self.params],
            "notes": list(self.notes),
        }
