"""No secret in any output of the keep-and-use commands, nor in profiles.toml: known client
secrets and refresh tokens are planted (plus one the simulator never issued), every command is
run through its success and failure paths, and each stdout and stderr is searched, both for the
planted values and for anything shaped like a token or secret. Only ``token``'s stdout and
``export``'s outputs may hold them: that is their job."""

from __future__ import annotations

from datetime import UTC, datetime

from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    add_profile,
    cfg_fixture,
    client_secret,
    no_pause_fixture,
    self_auth,
    self_token,
    sim_fixture,
)

from oauth_wizard.core.masking import SECRET_SHAPES
from oauth_wizard.core.records import Authorization, refresh_token_key
from oauth_wizard.keep.store import ProfileStore

PLANTED = "Atzr|IwEBIPlanted-never-issued-0123456789abcdefghijklmnopqrstuvwxyz"


async def test_no_command_leaks_a_secret(monkeypatch, sim, cfg, tmp_path, isolated_keyring):
    add_profile(monkeypatch)
    add_profile(monkeypatch, "world")
    shop = self_token(sim)
    na, eu = self_token(sim, "world", "NA"), self_token(sim, "world", "EU")
    secrets = [client_secret("shop"), client_secret("world"), shop, na, eu, PLANTED]
    leaks: list[tuple[str, str]] = []
    allowed: list[str] = []

    def check(label: str, *texts: str) -> None:
        for text in texts:
            for secret in secrets:
                if secret in text:
                    leaks.append((label, secret[:8]))
            if SECRET_SHAPES.search(text):
                leaks.append((label, "token-shaped text"))

    async def run(*argv: str, stdin: str = "", ok_stdout: bool = False) -> tuple[int, str]:
        code, out, err = await arun(monkeypatch, *argv, stdin=stdin)
        check(" ".join(argv) + " (stderr)", err)
        if ok_stdout:
            allowed.append(out)
        else:
            check(" ".join(argv) + " (stdout)", out)
        return code, out

    # self-auth: bad shapes, a revoked token, then the real ones
    await run("self-auth", "shop", stdin=shop[:25])
    await run("self-auth", "shop", stdin=shop.replace("|", "| ", 1))
    await run("self-auth", "shop", stdin=PLANTED)
    assert (await self_auth(monkeypatch, shop))[0] == 0
    for region, token in (("NA", na), ("EU", eu)):
        assert (await run("self-auth", "world", "--region", region, stdin=token))[0] == 0
    # a recorded authorization whose stored token LWA never issued
    ProfileStore(cfg).update("shop", lambda r: r.with_authorization(Authorization(
        "FE", "A9PLANTED", datetime(2026, 1, 1, tzinfo=UTC))))
    isolated_keyring.data[("oauth-wizard", refresh_token_key("shop", "FE", "A9PLANTED"))] = PLANTED

    for argv in (("profile", "list"), ("profile", "list", "--json"),
                 ("profile", "show", "shop"), ("profile", "show", "world", "--json"),
                 ("status",), ("status", "--json"), ("status", "world"),
                 ("verify", "shop"), ("verify", "shop", "--json"), ("verify", "world"),
                 ("verify", "world", "--sandbox", "--json"),
                 ("token", "world"), ("token", "shop", "--region", "FE", "--access")):
        await run(*argv)
    code, _ = await run("token", "world", "--region", "EU", ok_stdout=True)
    assert code == 0
    code, _ = await run("token", "shop", "--region", "NA", "--access", ok_stdout=True)
    assert code == 0
    for fmt in ("psa-env", "spapi-config", "mcp-env", "dotenv"):
        code, _ = await run("export", "shop", "--format", fmt, "--region", "NA", ok_stdout=True)
        assert code == 0
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for fmt in ("psa-yaml", "amz-tools"):
        assert (await run("export", "world", "--format", fmt, "--region", "EU"))[0] == 0
        assert (await run("export", "world", "--format", fmt, "--region", "EU"))[0] == 2
    sim.revoke_refresh_token(na)
    assert (await run("verify", "world"))[0] == 1
    assert (await run("status"))[0] == 1
    check("profiles.toml", (cfg / "profiles.toml").read_text())
    assert (await run("profile", "remove", "world", "--yes"))[0] == 0
    assert (await run("profile", "remove", "shop", "--yes"))[0] == 0

    assert leaks == []
    assert any(eu in text for text in allowed)  # the allowed outputs did carry secrets
