"""One error base for everything oauth-wizard reports to a person.

Every failure a user can meet says what went wrong (``message``), what to do about it (``fix``)
and, when the doctor knows the cause, its id (``cause``, an id of data/causes.toml). Front ends
render these three fields and never a traceback, so every error class a user can see derives
from :class:`WizardError`:

    WizardError                        message, fix, cause
    ├── LegError                       authorize/legs.py: a Login or Redirect leg cannot be used
    │   ├── MalformedQuery · MissingParameter · CallbackRefused · NotALegUrl
    │   ├── StateMismatch · StateMissing · StateAlreadyUsed · StateExpired
    │   └── AmazonRefused              Amazon sent error= instead of a code
    ├── CatcherError                   authorize/catcher_checks.py: the listener cannot listen
    │   └── CatcherConfigError · HostNotLocalError · PortBusyError · PrivilegedPortError
    │       · CatchTimeout
    ├── FlowError                      below: one authorization attempt failed
    │   └── TokenNotSaved              authorize/flow.py: the token exists but no store took it
    ├── AttemptError                   authorize/pending.py: no usable pending two-step attempt
    ├── LwaError                       amazon/lwa_errors.py: LWA said no, or could not be asked
    │   └── LwaNetworkError
    ├── SpApiError                     amazon/spapi_errors.py: SP-API said no, or was unreachable
    │   └── SpApiNetworkError
    ├── StoreError                     keep/store_format.py: profiles.toml unreadable or unwritable
    ├── SecretStoreError               keep/secrets.py: the keyring or secrets file said no
    ├── ExportError                    keep/export.py: an export was not written
    ├── SelfAuthError                  keep/selfauth.py: a pasted self-authorization not kept
    ├── DemoError                      tui/sessions/demo.py: the demo's simulator failed
    ├── PromptError                    cli/prompts.py: nothing usable was entered
    └── CommandError                   cli/common.py: a command failed, with its exit code
        └── UsageError                 bad input on the command line (exit code 2)

Subclasses add what only they know (a ``kind`` for machine use, a path and line, HTTP status).
"""

from __future__ import annotations

from typing import ClassVar


class WizardError(Exception):
    """A failure a person will read: what went wrong, what to do, and the doctor's cause id.

    ``str()`` is the message followed by the fix, so a plain ``print(error)`` is already
    useful; classes whose callers show the fix on its own line set ``fix_in_str = False``.
    """

    fix_in_str: ClassVar[bool] = True

    def __init__(self, message: str, fix: str = "", *, cause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.cause = cause

    @property
    def cause_id(self) -> str | None:
        """The same as ``cause`` (the name the LWA and SP-API errors report it under)."""
        return self.cause

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip() if self.fix_in_str else self.message


class FlowError(WizardError):
    """The attempt failed: a message, the fix, and the doctor's cause id when one fits.
    ``keepable`` names a secret the user has in hand that the store refused ("the refresh
    token"), so a front end can offer the announced plain-text file before it is lost."""

    keepable: str | None = None

    def __init__(self, message: str, fix: str = "", cause: str | None = None) -> None:
        super().__init__(message, fix, cause=cause)
