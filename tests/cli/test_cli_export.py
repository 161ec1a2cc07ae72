"""``token`` (the value alone on stdout; --access from LWA; ambiguity is a usage error) and
``export`` (stdout formats, the libraries' default files written 0600, never overwritten
without --force, psa-yaml merged into an existing file, notes on stderr)."""

from __future__ import annotations

import os
import stat

import httpx
from cli_kit import arun
from keep_cli_kit import (  # noqa: F401 - fixtures
    APPS,
    add_profile,
    cfg_fixture,
    client_secret,
    flat,
    no_pause_fixture,
    self_auth,
    self_token,
    sim_fixture,
)

from oauth_wizard.cli.main import main as cli_main
from oauth_wizard.keep import export


async def _ready(monkeypatch, sim, name: str = "shop", *regions: str) -> dict[str, str]:
    add_profile(monkeypatch, name)
    tokens = {}
    for region in regions or ("NA",):
        tokens[region] = self_token(sim, name, region)
        code, _, err = await self_auth(monkeypatch, tokens[region], "--region", region,
                                       name=name)
        assert code == 0, err
    return tokens


async def test_token_prints_the_refresh_token_alone(monkeypatch, sim, cfg):
    tokens = await _ready(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "token", "shop")
    assert code == 0, err
    assert out == tokens["NA"] + "\n" and tokens["NA"] not in err


async def test_access_token_is_fresh_from_lwa_and_works(monkeypatch, sim, cfg):
    await _ready(monkeypatch, sim)
    code, out, err = await arun(monkeypatch, "token", "shop", "--access")
    assert code == 0, err
    access = out.strip()
    assert out == access + "\n" and access.startswith("Atza|")
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sim.spapi_url}/NA/sellers/v1/marketplaceParticipations",
                                headers={"x-amz-access-token": access})
    assert answer.status_code == 200


async def test_access_for_a_revoked_token_is_explained(monkeypatch, sim, cfg):
    tokens = await _ready(monkeypatch, sim)
    sim.revoke_refresh_token(tokens["NA"])
    code, out, err = await arun(monkeypatch, "token", "shop", "--access")
    assert code == 1 and out == ""
    assert "(cause: refresh_token_revoked_or_expired)" in err
    assert "next: oauth-wizard self-auth shop --region NA" in flat(err)


async def test_several_authorizations_need_a_choice(monkeypatch, sim, cfg):
    tokens = await _ready(monkeypatch, sim, "world", "NA", "EU")
    code, out, err = await arun(monkeypatch, "token", "world")
    assert code == 2 and out == ""
    text = flat(err)
    assert "has 2 authorizations" in text
    assert "--region NA --selling-partner self-NA" in text
    assert "--region EU --selling-partner self-EU" in text
    code, out, _ = await arun(monkeypatch, "token", "world", "--region", "eu")
    assert code == 0 and out == tokens["EU"] + "\n"
    code, out, _ = await arun(monkeypatch, "token", "world", "--selling-partner", "self-NA")
    assert code == 0 and out == tokens["NA"] + "\n"


async def test_stdout_formats_hold_only_the_export(monkeypatch, sim, cfg):
    tokens = await _ready(monkeypatch, sim)
    secret = client_secret("shop")
    code, out, err = await arun(monkeypatch, "export", "shop", "--format", "psa-env",
                                "--account", "SHOP")
    assert code == 0, err
    assert f"SP_API_REFRESH_TOKEN_SHOP='{tokens['NA']}'" in out
    assert f"LWA_CLIENT_SECRET_SHOP='{secret}'" in out
    assert "SP_API_DEFAULT_MARKETPLACE='US'" in out
    assert "account='SHOP'" in err and tokens["NA"] not in err
    code, out, _ = await arun(monkeypatch, "export", "shop", "--format", "mcp-env",
                              "--marketplace", "CA")
    assert "SP_API_REGION='NA'" in out and f"SP_API_CLIENT_ID='{APPS['shop'][1]}'" in out
    code, out, _ = await arun(monkeypatch, "export", "shop", "--format", "spapi-config")
    assert 'region="NA"' in out and tokens["NA"] not in out and secret not in out
    code, _, err = await arun(monkeypatch, "export", "shop", "--format", "dotenv",
                              "--marketplace", "DE")
    assert code == 2 and "DE is in EU" in flat(err)


async def test_library_files_are_private_and_never_overwritten(monkeypatch, sim, cfg, tmp_path):
    tokens = await _ready(monkeypatch, sim)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    code, out, err = await arun(monkeypatch, "export", "shop", "--format", "amz-tools")
    assert code == 0, err
    path = home / ".amzspapi" / "credentials"
    assert f"Wrote {path}" in out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert f"SELLING_PARTNER_APP_CLIENT_SECRET={client_secret('shop')}" in path.read_text()
    assert "refresh token" in flat(err)  # the note: the library takes it in the constructor
    before = path.read_text()
    code, _, err = await arun(monkeypatch, "export", "shop", "--format", "amz-tools")
    assert code == 2 and "already exists" in err and path.read_text() == before
    assert (await arun(monkeypatch, "export", "shop", "--format", "amz-tools", "--force"))[0] \
        == 0
    target = tmp_path / "creds.yml"
    target.write_text("version: '1.0'\nother:\n  refresh_token: 'Atzr|keep-me'\n")
    code, out, err = await arun(monkeypatch, "export", "shop", "--format", "psa-yaml",
                                "--output", str(target))
    assert code == 0, err
    text = target.read_text()
    assert "other:\n  refresh_token: 'Atzr|keep-me'" in text
    assert f"refresh_token: '{tokens['NA']}'" in text and "Updated" in out
    code, _, err = await arun(monkeypatch, "export", "shop", "--format", "psa-yaml",
                              "--output", str(target))
    assert code == 2 and "already has an account 'default'" in flat(err)


def test_the_parser_offers_every_export_format(capsys):
    code, out, _ = run_help(capsys)
    assert code == 0 and all(f in out for f in export.FORMATS)


def test_token_and_export_never_load_textual(tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom oauth_wizard.cli.main import main\n"
            "for argv in (['token', 'x'], ['export', 'x', '--format', 'dotenv'], ['status']):\n"
            "    main(argv)\n"
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False,
                          env={**os.environ, "OAUTH_WIZARD_CONFIG_DIR": str(tmp_path)})
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr


def run_help(capsys):
    code = cli_main(["export", "--help"])
    out, err = capsys.readouterr()
    return code, out, err
