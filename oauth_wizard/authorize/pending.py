"""The two-step mode's pending attempt: ``pending/<profile>.json`` in the config directory.

``authorize NAME --start`` and ``authorize NAME --complete URL`` run as separate processes, maybe
minutes apart, so the attempt's ``state`` must survive in between. The file holds the state (the
only secret-ish value: it ties a redirect to this attempt), the chosen Redirect URI, the
marketplace and region, the consent URL and the times; never a code, token or client secret.
It is written atomically with mode 0600 in a 0700 directory, one file per profile, so starting
a new attempt replaces the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.records import PendingState
from oauth_wizard.core.validation import PROFILE_NAME_RE
from oauth_wizard.keep.files import atomic_write, ensure_private_dir

PENDING_DIR = "pending"
FORMAT_VERSION = 1


class AttemptError(WizardError):
    """No usable pending attempt. ``kind``: missing, corrupt, io; ``str()`` is the message."""

    fix_in_str = False

    def __init__(self, kind: str, message: str, fix: str = "") -> None:
        super().__init__(message, fix)
        self.kind = kind


@dataclass
class Attempt:
    """One started authorization waiting for its pasted legs."""

    profile: str
    pending: PendingState
    marketplace: str
    region: str
    consent_url: str
    created_at: float

    def expired(self, now: float) -> bool:
        return self.pending.expired(now)

    def as_json(self) -> dict:
        return {"format_version": FORMAT_VERSION, "profile": self.profile,
                **self.pending.as_json(), "marketplace": self.marketplace,
                "region": self.region, "consent_url": self.consent_url,
                "created_at": self.created_at}

    @classmethod
    def from_json(cls, data: object, path: Path) -> Attempt:
        def corrupt(what: str) -> AttemptError:
            return AttemptError("corrupt", f"The saved attempt {path} {what}; it cannot be "
                                "completed.", "Start a new one with --start (it replaces this "
                                "file).")

        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise corrupt(f"has no format_version {FORMAT_VERSION}")
        try:
            pending = PendingState.from_json(data)
        except ValueError:
            raise corrupt("has no state") from None
        for key in ("profile", "marketplace", "region", "consent_url"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise corrupt(f"has no {key}")
        for key in ("expires_at", "created_at"):
            if not isinstance(data.get(key), int | float) or isinstance(data[key], bool):
                raise corrupt(f"has no {key} time")
        if pending.redirect_uri is not None and not isinstance(pending.redirect_uri, str):
            raise corrupt("has a redirect_uri that is not text")
        return cls(data["profile"], pending, data["marketplace"], data["region"],
                   data["consent_url"], float(data["created_at"]))


def attempt_path(config_dir: Path, profile: str) -> Path:
    """Where the attempt of ``profile`` lives; profile names are file-safe by construction."""
    if not PROFILE_NAME_RE.fullmatch(profile):
        raise ValueError(f"not a profile name: {profile!r}")
    return Path(config_dir) / PENDING_DIR / f"{profile}.json"


def save(config_dir: Path, attempt: Attempt) -> Path:
    """Write the attempt (replacing an older one of the same profile); returns its path."""
    path = attempt_path(config_dir, attempt.profile)
    data = (json.dumps(attempt.as_json(), indent=2, sort_keys=True) + "\n").encode("utf-8")
    try:
        ensure_private_dir(Path(config_dir))
        ensure_private_dir(path.parent)
        atomic_write(path, data, 0o600)
    except OSError as exc:
        raise AttemptError("io", f"Could not save the attempt in {path} "
                           f"({exc.strerror or exc}).", "Check the permissions and free space "
                           "of the config directory (or choose one with --config-dir).") from None
    return path


def load(config_dir: Path, profile: str) -> Attempt:
    """The saved attempt of ``profile``; AttemptError when there is none or it is unreadable."""
    path = attempt_path(config_dir, profile)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AttemptError("missing", f"There is no started authorization for profile "
                           f"'{profile}' (nothing in {path.parent}).",
                           f"Start one first: oauth-wizard authorize {profile} --start "
                           "--json") from None
    except OSError as exc:
        raise AttemptError("io", f"Could not read {path} ({exc.strerror or exc}).",
                           "Check the file's permissions.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AttemptError("corrupt", f"The saved attempt {path} is not valid JSON.",
                           "Start a new one with --start (it replaces this file).") from None
    attempt = Attempt.from_json(data, path)
    if attempt.profile != profile:
        raise AttemptError("corrupt", f"The saved attempt {path} belongs to profile "
                           f"'{attempt.profile}', not '{profile}'.",
                           "Start a new one with --start (it replaces this file).")
    return attempt


def delete(config_dir: Path, profile: str) -> bool:
    """Remove the attempt of ``profile``; False when there was none."""
    path = attempt_path(config_dir, profile)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty: other profiles' attempts stay
    return True
