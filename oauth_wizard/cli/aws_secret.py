"""AWS Secrets Manager in the commands: ``export --format aws-secrets-manager``, ``profile add
--from-aws-secret`` and ``rotate-secret --update-aws-secret`` (``keep.aws_secret`` does the
work). boto3 missing is a usage error naming what to install (exit 2); AWS refusing is exit 1.
"""

from __future__ import annotations

import argparse

from oauth_wizard.cli.common import CommandError, UsageError
from oauth_wizard.core.records import ProfileRecord
from oauth_wizard.keep.rotation import RotationReport, RotationStep


def check_aws_available(what: str) -> None:
    """boto3 importable, before anything else happens; UsageError (exit 2) otherwise."""
    import importlib.util

    from oauth_wizard.aws.session import AwsUnavailable

    if importlib.util.find_spec("boto3") is None:
        exc = AwsUnavailable(what)
        raise UsageError(exc.message, exc.fix)


def secrets_manager(args: argparse.Namespace, what: str):
    from oauth_wizard.aws.secrets_manager import SecretsManager
    from oauth_wizard.aws.session import AwsError, AwsUnavailable

    try:
        return SecretsManager(what, getattr(args, "aws_region", None))
    except AwsUnavailable as exc:
        raise UsageError(exc.message, exc.fix) from None
    except AwsError as exc:
        raise CommandError(exc.message, exc.fix) from None


def failure(exc: Exception) -> CommandError:
    """An AWS or secret-shape failure as the command's error (exit 1)."""
    return CommandError(getattr(exc, "message", str(exc)), getattr(exc, "fix", ""))


def update_aws_secret(args: argparse.Namespace, record: ProfileRecord, new_secret: str,
                      report: RotationReport) -> RotationReport:
    """After a stored rotation: put the new secret in ``--update-aws-secret``'s secret."""
    from oauth_wizard.aws.session import AwsError
    from oauth_wizard.keep.aws_secret import AwsSecretError, update_client_secret
    from oauth_wizard.keep.reports import Failure

    secret_id = args.update_aws_secret
    try:
        written = update_client_secret(secrets_manager(args, "--update-aws-secret"), secret_id,
                                       record.app.client_id, new_secret)
    except (AwsError, AwsSecretError, CommandError) as exc:
        step = RotationStep("update the AWS secret", False, exc.message)
        return RotationReport((*report.steps, step), Failure(
            f"The new secret is stored here, but AWS secret {secret_id} was not updated: "
            f"{exc.message}", exc.fix or "Fix that, then run: oauth-wizard export "
            f"{record.name} --format aws-secrets-manager --secret-id {secret_id}"))
    return RotationReport((*report.steps, RotationStep(
        "update the AWS secret", True, f"{secret_id} has a new version ({written.version}), "
        "read back and compared")))
