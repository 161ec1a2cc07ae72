"""What one authorization attempt reports as it goes: the catcher's events, the flow's events
and the result, for the CLI's progress lines and the TUI's timeline alike.

None of them carries a code, a token or a secret (only masked forms). They live here, with no
I/O, so a screen can match on them without importing the listener or the HTTP clients.
"""

from __future__ import annotations

from dataclasses import dataclass

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.records import Authorization, ConsentUrl


# Events for the flow's timeline; none of them carries the code.
@dataclass(frozen=True)
class Listening:
    local_url: str
    port: int
    login_uri: str
    redirect_uri: str

    @property
    def message(self) -> str:
        return f"Listening on {self.local_url} for {self.redirect_uri}"


@dataclass(frozen=True)
class LoginLegReceived:
    selling_partner_id: str
    callback_host: str
    region: str | None
    beta: bool

    @property
    def message(self) -> str:
        return f"Login leg received for {self.selling_partner_id} (from {self.callback_host})"


@dataclass(frozen=True)
class SentBackToAmazon:
    callback_host: str

    @property
    def message(self) -> str:
        return f"Sent the browser back to {self.callback_host} with our state"


@dataclass(frozen=True)
class CodeReceived:
    selling_partner_id: str
    masked_code: str
    has_mws_auth_token: bool
    received_at: float

    @property
    def message(self) -> str:
        return f"Code {self.masked_code} received for {self.selling_partner_id}"


@dataclass(frozen=True)
class Failed:
    error: WizardError  # the leg's error (authorize.legs.LegError)

    @property
    def message(self) -> str:
        return str(self.error)


@dataclass(frozen=True)
class Refused:
    """The catcher refused a request that failed a check and went on waiting (a forged or stale
    redirect, junk). ``count`` is how many it has refused in this attempt."""

    what: str
    peer: str
    count: int

    @property
    def message(self) -> str:
        more = f" ({self.count} refused so far; still waiting)" if self.count > 1 else \
            "; still waiting for Amazon's redirect"
        return f"Refused a request with {self.what} from {self.peer}{more}"


CatcherEvent = (Listening | LoginLegReceived | SentBackToAmazon | CodeReceived | Failed
                | Refused)


@dataclass(frozen=True)
class ConsentReady:
    consent: ConsentUrl
    expires_at: float

    @property
    def message(self) -> str:
        return f"Consent URL ready for {self.consent.marketplace} ({self.consent.region})."


@dataclass(frozen=True)
class Exchanging:
    """The code arrived; the exchange runs now, and must finish before ``deadline``."""

    selling_partner_id: str
    received_at: float
    deadline: float

    @property
    def message(self) -> str:
        return "Exchanging the code with Login with Amazon (it expires 5 minutes after issue)."


@dataclass(frozen=True)
class Retrying:
    attempt: int
    delay: float

    @property
    def message(self) -> str:
        return (f"LWA did not answer cleanly; trying again in {self.delay:g} s "
                f"(attempt {self.attempt}).")


@dataclass(frozen=True)
class Notice:
    text: str

    @property
    def message(self) -> str:
        return self.text


@dataclass(frozen=True)
class Stored:
    """The refresh token is in the secret store and the authorization is recorded."""

    profile: str
    authorization: Authorization
    masked_token: str
    storage: str

    @property
    def message(self) -> str:
        a = self.authorization
        return (f"Stored the refresh token for {a.selling_partner_id} ({a.region}) in "
                f"{self.storage}: {self.masked_token}")


@dataclass(frozen=True)
class FlowFailed:
    cause: str | None
    text: str
    fix: str

    @property
    def message(self) -> str:
        return self.text


FlowEvent = ConsentReady | CatcherEvent | Exchanging | Retrying | Notice | Stored | FlowFailed


@dataclass(frozen=True)
class Authorized:
    """The result of a completed attempt."""

    authorization: Authorization
    masked_token: str
    storage: str
    mws_auth_token: bool
