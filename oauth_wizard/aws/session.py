"""boto3 clients with a bounded life, and AWS failures in words a person can act on.

Every call is bounded in total, not only per read: at most ``ATTEMPTS`` attempts, each at most
``CONNECT_S`` to connect plus its read timeout (a long poll's wait plus ``READ_SLACK_S``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from oauth_wizard.core.errors import WizardError

INSTALL = "pip install 'oauth-wizard[aws]'"
CONNECT_S = 5.0
READ_SLACK_S = 10.0
ATTEMPTS = 2


class AwsUnavailable(WizardError):
    """boto3 is not installed: the AWS commands need the ``aws`` extra."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} needs boto3, which is not installed.",
                         f"Install the AWS extra: {INSTALL}")


class AwsError(WizardError):
    """AWS said no, or could not be reached; ``code`` is AWS's error code when it gave one."""

    def __init__(self, message: str, fix: str = "", code: str | None = None) -> None:
        super().__init__(message, fix)
        self.code = code


def client(service: str, what: str, region: str | None = None, wait_s: float = 0.0,
           settings: Mapping[str, str] | None = None) -> Any:
    """A boto3 client for ``service``; ``what`` names the command for the install hint.
    ``settings`` replace the environment's ``AWS_*`` values (the demo's local AWS)."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise AwsUnavailable(what) from None
    for name in ("botocore", "boto3", "urllib3"):  # their loggers print nothing to a user
        logging.getLogger(name).setLevel(logging.CRITICAL)
    config = Config(connect_timeout=CONNECT_S, read_timeout=wait_s + READ_SLACK_S,
                    retries={"max_attempts": ATTEMPTS, "mode": "standard"})
    env = settings if settings is not None else os.environ
    region = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    given = {} if settings is None else {
        "endpoint_url": settings.get("AWS_ENDPOINT_URL"),
        "aws_access_key_id": settings.get("AWS_ACCESS_KEY_ID"),
        "aws_secret_access_key": settings.get("AWS_SECRET_ACCESS_KEY")}
    try:
        return boto3.session.Session().client(service, region_name=region, config=config,
                                              **given)
    except Exception as exc:  # noqa: BLE001 - botocore's setup errors have many classes
        raise explain(exc, f"AWS {service}") from None


def explain(exc: BaseException, where: str) -> AwsError:
    """``exc`` from boto3 or botocore as what happened and what to do (no traceback)."""
    name = exc.__class__.__name__
    if name == "NoRegionError":
        return AwsError(f"No AWS region is set for {where}.",
                        "Set AWS_REGION (or pass --aws-region), or give a queue URL that "
                        "names its region.")
    if name in ("NoCredentialsError", "PartialCredentialsError", "ProfileNotFound"):
        return AwsError(f"No usable AWS credentials for {where} ({name}).",
                        "Configure them the standard way: AWS_PROFILE, AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, or `aws configure`.")
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                "ConnectionClosedError"):
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        extra = f" (AWS_ENDPOINT_URL is {endpoint})" if endpoint else ""
        return AwsError(f"{where} could not be reached{extra}: {name}.",
                        "Check the network, the region, and AWS_ENDPOINT_URL if you set it; "
                        "nothing was changed.")
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        code = str(error.get("Code") or name)
        said = str(error.get("Message") or "").strip()
        return AwsError(f"{where} said {code}" + (f": {said}" if said else "."),
                        _fix(code), code)
    return AwsError(f"{where} failed: {name}.", "Check the AWS settings and try again.")


def _fix(code: str) -> str:
    if code in ("AccessDenied", "AccessDeniedException", "UnrecognizedClientException",
                "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"):
        return ("The AWS identity in use lacks permission or its credentials are wrong: check "
                "AWS_PROFILE and the IAM policy for this queue or secret.")
    if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
        return "Check the queue URL (the region and account are part of it)."
    if code == "ResourceNotFoundException":
        return "Check the secret's name or ARN and its region (--aws-region or AWS_REGION)."
    return "Check the AWS settings and try again."
