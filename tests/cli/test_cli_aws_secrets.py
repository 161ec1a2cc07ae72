"""Credentials in AWS Secrets Manager (moto's server on 127.0.0.1): ``export --format
aws-secrets-manager`` writes what python-amazon-sp-api reads, and **python-amazon-sp-api
itself** loads it through its own provider chain (``SP_API_AWS_SECRET_ID``) and gets an access
token from the simulator; ``profile add --from-aws-secret`` imports one; ``rotate-secret
--update-aws-secret`` puts the rotated secret in, and refuses another app's secret."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from aws_kit import local_aws_fixture, queue_fixture  # noqa: F401 - fixtures
from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    client_secret,
    flat,
    no_pause_fixture,
    record,
    secret_of,
    self_auth,
    self_token,
    sim_fixture,
    token_of,
)

PSA_VARS = ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_AWS_SECRET_ID")


def _secret(queue, secret_id: str) -> dict:
    sm = queue.aws.client("secretsmanager")
    return json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"])


async def _authorized_shop(monkeypatch, sim) -> str:
    add_profile(monkeypatch, "shop")
    token = self_token(sim)
    code, _, err = await self_auth(monkeypatch, token)
    assert code == 0, err
    return token


async def test_python_amazon_sp_api_reads_the_export_and_gets_a_token(monkeypatch, sim, cfg,
                                                                      queue):
    token = await _authorized_shop(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "export", "shop", "--format",
                                "aws-secrets-manager", "--secret-id", "team/sp-api/shop")
    assert code == 0, err
    assert "Created AWS secret team/sp-api/shop" in flat(out) and "read back" in out
    assert token not in out + err and client_secret("shop") not in out + err
    assert _secret(queue, "team/sp-api/shop") == {
        "SP_API_REFRESH_TOKEN": token, "LWA_APP_ID": APPS["shop"][1],
        "LWA_CLIENT_SECRET": client_secret("shop")}

    from sp_api.auth.access_token_client import AccessTokenClient
    from sp_api.base.credential_provider import CredentialProvider

    for name in PSA_VARS[:3]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SP_API_AWS_SECRET_ID", "team/sp-api/shop")
    monkeypatch.setenv("HOME", str(cfg))  # no credentials.yml of the machine's
    lwa = urlsplit(sim.lwa_url)
    monkeypatch.setattr(AccessTokenClient, "scheme", "http://")
    monkeypatch.setattr(AccessTokenClient, "host", lwa.netloc)
    monkeypatch.setattr(AccessTokenClient, "path", lwa.path)
    provider = CredentialProvider()  # its own chain: env (empty), then the AWS secret
    assert provider.credentials.lwa_app_id == APPS["shop"][1]

    def fetch() -> str:
        return AccessTokenClient(credentials=provider.credentials).get_auth().access_token
    import asyncio
    access = await asyncio.to_thread(fetch)
    assert access.startswith("Atza|")


async def test_a_second_export_puts_a_new_version_and_keeps_other_keys(monkeypatch, sim, cfg,
                                                                       queue):
    await _authorized_shop(monkeypatch, sim)
    queue.aws.client("secretsmanager").create_secret(
        Name="shared", SecretString=json.dumps({"team_note": "kept", "LWA_APP_ID": "old"}))
    code, out, err = await arun(monkeypatch, "export", "shop", "--format",
                                "aws-secrets-manager", "--secret-id", "shared")
    assert code == 0, err
    assert out.startswith("Put a new version of AWS secret shared")
    data = _secret(queue, "shared")
    assert data["team_note"] == "kept" and data["LWA_APP_ID"] == APPS["shop"][1]


@pytest.mark.parametrize("argv, says", [
    ((), "needs --secret-id"),
    (("--secret-id", "x", "--output", "f"), "no meaning for an AWS secret"),
])
async def test_export_usage_errors(monkeypatch, sim, cfg, queue, argv, says):
    await _authorized_shop(monkeypatch, sim)
    code, _, err = await arun(monkeypatch, "export", "shop", "--format",
                              "aws-secrets-manager", *argv)
    assert code == 2 and says in flat(err)


async def test_profile_add_imports_the_secret_and_keeps_its_token(monkeypatch, sim, cfg, queue,
                                                                  isolated_keyring):
    token = self_token(sim)
    queue.aws.client("secretsmanager").create_secret(Name="from-team", SecretString=json.dumps({
        "SP_API_REFRESH_TOKEN": token, "LWA_APP_ID": APPS["shop"][1],
        "LWA_CLIENT_SECRET": client_secret("shop")}))
    code, out, err = await arun(
        monkeypatch, "profile", "add", "shop", "--from-aws-secret", "from-team", "--app-id",
        APPS["shop"][0], "--app-state", "draft", "--marketplace", "US,CA",
        "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb")
    assert code == 0, err
    assert record(cfg).app.client_id == APPS["shop"][1]
    assert secret_of(isolated_keyring) == client_secret("shop")
    assert token_of(isolated_keyring) == token
    assert token not in out + err and client_secret("shop") not in out + err


async def test_profile_add_refuses_a_client_id_that_differs(monkeypatch, sim, cfg, queue):
    queue.aws.client("secretsmanager").create_secret(Name="t", SecretString=json.dumps({
        "LWA_APP_ID": APPS["world"][1], "LWA_CLIENT_SECRET": client_secret("world")}))
    code, _, err = await arun(
        monkeypatch, "profile", "add", "shop", "--from-aws-secret", "t", "--client-id",
        APPS["shop"][1], "--app-id", APPS["shop"][0], "--app-state", "draft",
        "--marketplace", "US", "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb")
    assert code == 2 and "differs from the client ID" in flat(err)
    code, _, err = await arun(
        monkeypatch, "profile", "add", "shop", "--from-aws-secret", "missing", "--app-id",
        APPS["shop"][0], "--app-state", "draft", "--marketplace", "US",
        "--login-uri", "https://dev.example.test/login",
        "--redirect-uri", "https://dev.example.test/cb")
    assert code == 1 and "There is no Secrets Manager secret missing" in flat(err)


async def test_rotation_updates_the_teams_secret(monkeypatch, sim, cfg, queue,
                                                 isolated_keyring):
    await _authorized_shop(monkeypatch, sim)
    code, _, err = await arun(monkeypatch, "export", "shop", "--format",
                              "aws-secrets-manager", "--secret-id", "team")
    assert code == 0, err
    sim.deliver_notifications(queue.aws.sender(queue.url))
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes", "--queue-url",
                                queue.url, "--wait", "30", "--update-aws-secret", "team",
                                "--json")
    assert code == 0, err
    assert json.loads(out)["steps"][-1]["step"] == "update the AWS secret"
    assert _secret(queue, "team")["LWA_CLIENT_SECRET"] == secret_of(isolated_keyring) \
        != client_secret("shop")


async def test_another_apps_secret_is_not_updated(monkeypatch, sim, cfg, queue,
                                                  isolated_keyring):
    add_profile(monkeypatch, "shop")
    other = {"LWA_APP_ID": APPS["world"][1], "LWA_CLIENT_SECRET": client_secret("world")}
    queue.aws.client("secretsmanager").create_secret(Name="theirs",
                                                     SecretString=json.dumps(other))
    sim.deliver_notifications(queue.aws.sender(queue.url))
    code, out, err = await arun(monkeypatch, "rotate-secret", "shop", "--yes", "--queue-url",
                                queue.url, "--wait", "30", "--update-aws-secret", "theirs",
                                "--json")
    assert code == 1
    result = json.loads(out)
    assert "was not updated" in result["error"] and "is for client ID" in result["error"]
    assert secret_of(isolated_keyring) != client_secret("shop")  # the rotation itself stood
    assert _secret(queue, "theirs") == other
