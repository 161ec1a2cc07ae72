"""AWS Secrets Manager through boto3: read a secret's current string, create it, or put a new
version. Blocking calls: run them off the event loop."""

from __future__ import annotations

from typing import Any

from oauth_wizard.aws.session import AwsError, client, explain


class SecretsManager:
    def __init__(self, what: str, region: str | None = None) -> None:
        self._sm = client("secretsmanager", what, region)

    def _call(self, method: str, where: str, **params: Any) -> dict[str, Any]:
        try:
            return getattr(self._sm, method)(**params)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore raises many unrelated classes
            raise explain(exc, where) from None

    def read(self, secret_id: str) -> str | None:
        """The secret's current string; None when no such secret exists."""
        try:
            answer = self._call("get_secret_value", f"Secrets Manager secret {secret_id}",
                                SecretId=secret_id)
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise
        text = answer.get("SecretString")
        if not isinstance(text, str):
            raise AwsError(f"Secrets Manager secret {secret_id} holds binary data, not JSON.",
                           "Give a secret whose value is a JSON text.")
        return text

    def write(self, secret_id: str, text: str, *, create: bool) -> str:
        """Create the secret, or put ``text`` as its new current version; the version id."""
        where = f"Secrets Manager secret {secret_id}"
        if create:
            answer = self._call("create_secret", where, Name=secret_id, SecretString=text,
                                Description="SP-API credentials written by oauth-wizard")
        else:
            answer = self._call("put_secret_value", where, SecretId=secret_id, SecretString=text)
        return str(answer.get("VersionId", ""))
