"""The exact command that fixes a problem, for the status report, a failed verify and the
screens: written with the profile's own values, so it can be pasted as it is.

Secrets kept with ``--insecure-storage`` are only found with that flag, so a command for such a
profile carries it.
"""

from __future__ import annotations

import shlex

from oauth_wizard.core.marketplaces import by_region
from oauth_wizard.core.records import Authorization, ProfileRecord

PROG = "oauth-wizard"
# Verify causes (diagnosis.md) whose fix is a new authorization, or a new client secret.
REAUTH_CAUSES = {"refresh_token_revoked_or_expired", "access_token_invalid", "role_missing",
                 "reauthorize_after_role_change", "restricted_role_missing"}
SECRET_CAUSES = {"client_secret_invalid_or_expired", "client_id_invalid", "credentials_garbled"}
RETRY_CAUSES = ("throttled", "amazon_side_issue", "lwa_unreachable", "spapi_unreachable")


def command_line(*args: str) -> str:
    """``oauth-wizard ARGS``, quoted for a shell."""
    return shlex.join([PROG, *args])


def _store_flag(rec: ProfileRecord) -> list[str]:
    """Secrets kept with --insecure-storage are only found with it."""
    where = {rec.secret_storage, *(a.storage for a in rec.authorizations)}
    return ["--insecure-storage"] if "file" in where else []


def rotate_command(rec: ProfileRecord) -> str:
    """Rotate the client secret through Amazon's API (``rotate-secret``)."""
    return command_line("rotate-secret", rec.name, *_store_flag(rec))


def verify_command(rec: ProfileRecord) -> str:
    return command_line("verify", rec.name, *_store_flag(rec))


def marketplace_for(rec: ProfileRecord, region: str,
                    auth: Authorization | None = None) -> str:
    """A marketplace of ``region`` to authorize in: the one the authorization was made in (its
    first), else the app's first there, else the region's first."""
    codes = [m.code for m in by_region()[region]]
    made_in = auth.marketplaces if auth is not None else ()
    return next((c for c in (*made_in, *rec.app.marketplaces) if c in codes), codes[0])


def reauthorize_command(rec: ProfileRecord, auth: Authorization) -> str:
    if auth.how == "self-auth":
        return command_line("self-auth", rec.name, "--region", auth.region, *_store_flag(rec))
    return command_line("authorize", rec.name, "--marketplace",
                        marketplace_for(rec, auth.region, auth), *_store_flag(rec))


def secret_command(rec: ProfileRecord) -> str:
    """Re-enter the client secret: ``profile add --force`` with the profile's own values (its
    authorizations are kept, and a changed secret is recorded as rotated today)."""
    app = rec.app
    args = ["profile", "add", rec.name, "--app-id", app.app_id, "--client-id", app.client_id,
            "--app-state", app.app_state]
    if app.marketplaces:
        args += ["--marketplace", ",".join(app.marketplaces)]
    if app.kind == "vendor":
        args.append("--vendor")
    if app.edits_pending:
        args.append("--edits-pending")
    if app.login_uri:
        args += ["--login-uri", app.login_uri]
    for uri in app.redirect_uris:
        args += ["--redirect-uri", uri]
    if app.hybrid:
        args.append("--hybrid")
        for region, dev in app.dev_ids:
            args += ["--dev-id", f"{region}={dev}"]
    return command_line(*args, "--force", *_store_flag(rec))


def fix_command(record: ProfileRecord, auth: Authorization, cause: str | None,
                detected: str | None) -> str | None:
    """The exact command that fixes a failed verify, when there is one."""
    if cause == "wrong_region_endpoint" and detected:
        if auth.how == "self-auth":
            return shlex.join([PROG, "self-auth", record.name, "--region", detected])
        return None
    if cause in REAUTH_CAUSES:
        return reauthorize_command(record, auth)
    if cause in SECRET_CAUSES:
        return secret_command(record)
    if cause in RETRY_CAUSES:
        return shlex.join([PROG, "verify", record.name, "--region", auth.region])
    return None
