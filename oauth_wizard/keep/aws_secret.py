"""SP-API credentials in AWS Secrets Manager, as python-amazon-sp-api reads them.

python-amazon-sp-api loads ``SP_API_AWS_SECRET_ID``'s JSON with the keys ``SP_API_REFRESH_TOKEN``,
``LWA_APP_ID`` and ``LWA_CLIENT_SECRET`` (credential-formats.md). A write keeps every other key
the secret already holds (a team's own fields, Amazon's sample's ``AppClientId`` and
``AppClientSecret``, which a rotation updates too) and is read back and compared before it
counts as done. No secret value is ever put in a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from oauth_wizard.core.errors import WizardError

REFRESH, APP_ID, SECRET = "SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"  # noqa: S105
SAMPLE_ID, SAMPLE_SECRET = "AppClientId", "AppClientSecret"  # noqa: S105 - Amazon's sample's keys


class SecretsLike(Protocol):
    def read(self, secret_id: str) -> str | None: ...
    def write(self, secret_id: str, text: str, *, create: bool) -> str: ...


class AwsSecretError(WizardError):
    """The secret cannot be used as asked; the message names the secret and what is wrong."""


@dataclass(frozen=True)
class Written:
    secret_id: str
    version: str
    created: bool


@dataclass(frozen=True)
class Imported:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str | None = field(repr=False)


def _parse(secret_id: str, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise AwsSecretError(f"Secrets Manager secret {secret_id} does not hold a JSON object.",
                             "Give a secret whose value is JSON with the keys "
                             f"{REFRESH}, {APP_ID} and {SECRET}.")
    return data


def write_credentials(sm: SecretsLike, secret_id: str, client_id: str, client_secret: str,
                      refresh_token: str) -> Written:
    """Create ``secret_id`` or put a new version with the three keys (others kept)."""
    existing = sm.read(secret_id)
    data = _parse(secret_id, existing) if existing is not None else {}
    data.update({REFRESH: refresh_token, APP_ID: client_id, SECRET: client_secret})
    return _write_checked(sm, secret_id, data, create=existing is None)


def update_client_secret(sm: SecretsLike, secret_id: str, client_id: str,
                         new_secret: str) -> Written:
    """Put a version of ``secret_id`` with the rotated client secret (it must be this app's)."""
    data = _existing(sm, secret_id, "or create it with `oauth-wizard export NAME --format "
                     "aws-secrets-manager`.")
    theirs = data.get(APP_ID, data.get(SAMPLE_ID))
    if theirs != client_id:
        raise AwsSecretError(f"Secrets Manager secret {secret_id} is for client ID {theirs}, "
                             f"not this profile's {client_id}; it was left unchanged.",
                             "Name the secret of this app.")
    data[SECRET] = new_secret
    if SAMPLE_SECRET in data:
        data[SAMPLE_SECRET] = new_secret
    return _write_checked(sm, secret_id, data, create=False)


def read_credentials(sm: SecretsLike, secret_id: str) -> Imported:
    """The client ID, client secret and (when present) refresh token in ``secret_id``."""
    data = _existing(sm, secret_id, "and the region (--aws-region or AWS_REGION).")
    client_id = data.get(APP_ID, data.get(SAMPLE_ID))
    secret = data.get(SECRET, data.get(SAMPLE_SECRET))
    missing = [k for k, v in ((APP_ID, client_id), (SECRET, secret))
               if not isinstance(v, str) or not v.strip()]
    if missing:
        raise AwsSecretError(f"Secrets Manager secret {secret_id} has no {' or '.join(missing)}.",
                             "It needs the keys python-amazon-sp-api reads: "
                             f"{APP_ID}, {SECRET} (and {REFRESH}).")
    refresh = data.get(REFRESH)
    return Imported(client_id.strip(), secret.strip(),
                    refresh.strip() if isinstance(refresh, str) and refresh.strip() else None)


def _existing(sm: SecretsLike, secret_id: str, then: str) -> dict[str, Any]:
    """The JSON object ``secret_id`` holds; AwsSecretError when there is no such secret."""
    text = sm.read(secret_id)
    if text is None:
        raise AwsSecretError(f"There is no Secrets Manager secret {secret_id}.",
                             f"Check the name or ARN, {then}")
    return _parse(secret_id, text)


def _write_checked(sm: SecretsLike, secret_id: str, data: dict[str, Any], *,
                   create: bool) -> Written:
    text = json.dumps(data)
    version = sm.write(secret_id, text, create=create)
    back = sm.read(secret_id)
    if back is None or _parse(secret_id, back) != data:
        raise AwsSecretError(f"Secrets Manager secret {secret_id} does not read back as "
                             "written (another writer?).", "Run the command again; check who "
                             "else writes this secret.")
    return Written(secret_id, version, create)
