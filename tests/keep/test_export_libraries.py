"""Each export read back by the library it is for (installed from PyPI by the test extra), with
no network: python-amazon-sp-api's own CredentialProvider reads the psa-yaml file (through
confuse, pointed at a temp dir by its ``PYTHON-SP-APIDIR`` variable) and the psa-env variables
(as a shell loads them); the spapi-config snippet, run with the dotenv variables, builds
amzn-sp-api's SPAPIConfig. amz-tools is Node: its file parser is mirrored line for line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import confuse
import pytest
import yaml
from sp_api.base import Marketplaces
from sp_api.base.credential_provider import CredentialProvider, MissingCredentials
from spapi import SPAPIConfig

from oauth_wizard.keep.export import (
    PSA_DIR_ENV,
    ExportCredentials,
    default_path,
    export_to_file,
    render,
)
from oauth_wizard.keep.export_formats import dotenv_value, parse_psa_yaml, yaml_quote

CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16
REFRESH = "Atzr|IwEBIA+bC/d=Ef|gh-$HOME`x`;&#0123456789"
PSA_VARS = ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_AWS_SECRET_ID",
            "SP_API_DEFAULT_MARKETPLACE")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No SP-API variables from the machine, and HOME in a temp dir (confuse creates dirs)."""
    for name in list(os.environ):
        if name.startswith(PSA_VARS) or name in (PSA_DIR_ENV, "XDG_CONFIG_HOME",
                                                 "XDG_CONFIG_DIRS", "APPDATA"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return monkeypatch


def load_env_file(path: Path) -> dict[str, str]:
    """What a POSIX shell exports after ``set -a; . FILE``."""
    bash = shutil.which("bash")
    assert bash, "these tests need bash to load the env files as a shell does"
    out = subprocess.run([bash, "-c", 'set -a; . "$1"; env -0', "_", str(path)],  # noqa: S603
                         capture_output=True, check=True, env={"PATH": os.environ["PATH"]})
    pairs = (item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)
    return {k: v for k, v in pairs if k.startswith(("SP_API_", "LWA_"))}


def psa_credentials(account: str = "default") -> tuple[str, str, str]:
    c = CredentialProvider(account=account).credentials
    return c.refresh_token, c.lwa_app_id, c.lwa_client_secret


def test_python_amazon_sp_api_reads_the_psa_yaml_file(clean_env, tmp_path):
    conf = tmp_path / "psa"
    clean_env.setenv(PSA_DIR_ENV, str(conf))
    target = default_path("psa-yaml")
    assert target == conf / "credentials.yml"
    target.parent.mkdir()
    target.write_text("version: '1.0'\nother:\n  refresh_token: 'Atzr|other'\n"
                      "  lwa_app_id: other-id\n  lwa_client_secret: \"other-secret\"\n")
    export_to_file("psa-yaml", ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", "DE"), target)
    export_to_file("psa-yaml", ExportCredentials(CLIENT_ID, SECRET + "2", "Atzr|it's-#2", "NA",
                                                 account="second"), target)
    assert psa_credentials() == (REFRESH, CLIENT_ID, SECRET)
    assert psa_credentials("second") == ("Atzr|it's-#2", CLIENT_ID, SECRET + "2")
    assert psa_credentials("other") == ("Atzr|other", "other-id", "other-secret")


def test_python_amazon_sp_api_reads_the_psa_env_variables(clean_env, tmp_path):
    clean_env.setenv(PSA_DIR_ENV, str(tmp_path / "empty"))  # no credentials.yml to fall back to
    for account in (None, "SHOP_2"):
        path = tmp_path / f"psa-{account}.env"
        path.write_text(render("psa-env", ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU",
                                                            "UK", account=account)))
        env = load_env_file(path)
        for name, value in env.items():
            clean_env.setenv(name, value)
        assert psa_credentials(account or "default") == (REFRESH, CLIENT_ID, SECRET)
        assert Marketplaces[env["SP_API_DEFAULT_MARKETPLACE"]].marketplace_id == "A1F83G8C2ARO7P"
        for name in env:
            clean_env.delenv(name)
    with pytest.raises(MissingCredentials):  # nothing left over: the test above was real
        CredentialProvider(account="default")


def test_the_confuse_directory_is_the_one_oauth_wizard_writes_to(clean_env, tmp_path):
    home = tmp_path / "home"
    expected = Path(confuse.Configuration("python-sp-api", read=False).config_dir())
    assert default_path("psa-yaml", home=home) == expected / "credentials.yml"
    clean_env.setenv(PSA_DIR_ENV, str(tmp_path / "elsewhere"))
    expected = Path(confuse.Configuration("python-sp-api", read=False).config_dir())
    assert default_path("psa-yaml", home=home) == expected / "credentials.yml"


@pytest.mark.parametrize("embed", [False, True])
def test_spapi_config_snippet_builds_the_sdk_config(clean_env, tmp_path, embed):
    creds = ExportCredentials(CLIENT_ID, SECRET, REFRESH, "FE", "JP")
    if not embed:
        dotenv = tmp_path / ".env"
        dotenv.write_text(render("dotenv", creds))
        for name, value in load_env_file(dotenv).items():
            clean_env.setenv(name, value)
    namespace: dict = {}
    exec(render("spapi-config", creds, embed_secrets=embed), namespace)  # noqa: S102
    config = namespace["config"]
    assert isinstance(config, SPAPIConfig)
    assert (config.client_id, config.client_secret, config.refresh_token, config.region) == (
        CLIENT_ID, SECRET, REFRESH, "FE")
    assert config.scope is None and namespace["MARKETPLACE_ID"] == "A1VC38T7YXB528"


def test_mcp_env_variables_load_as_written(tmp_path):
    path = tmp_path / "mcp.env"
    path.write_text(render("mcp-env", ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", "DE")))
    assert load_env_file(path) == {"SP_API_CLIENT_ID": CLIENT_ID, "SP_API_CLIENT_SECRET": SECRET,
                                   "SP_API_REFRESH_TOKEN": REFRESH, "SP_API_REGION": "EU"}


def amz_tools_parse(text: str) -> dict[str, str]:
    """amz-tools/amazon-sp-api lib/Credentials.js ``_extractFromFile``, line for line."""
    keys = ("SELLING_PARTNER_APP_CLIENT_ID", "SELLING_PARTNER_APP_CLIENT_SECRET")
    found = {}
    for line in text.split("\n"):
        parts = line.split("=")
        key = parts[0].strip()
        if len(parts) == 2 and key in keys:
            found[key] = parts[1].strip()
    return found


def test_amz_tools_file_parses_to_both_keys_and_why_equals_is_refused():
    text = render("amz-tools", ExportCredentials(CLIENT_ID, SECRET, REFRESH, "NA"))
    assert amz_tools_parse(text) == {"SELLING_PARTNER_APP_CLIENT_ID": CLIENT_ID,
                                     "SELLING_PARTNER_APP_CLIENT_SECRET": SECRET}
    dropped = amz_tools_parse(f"SELLING_PARTNER_APP_CLIENT_SECRET={SECRET}=\n")
    assert dropped == {}  # the silent drop oauth-wizard refuses to produce


TRICKY = ["plain", "with space", "#hash", "a #b", "colon: x", "- dash", "'quote'", '"dq"',
          "back\\slash", "$HOME", "`cmd`", "a;b|c&d", "ünïcode ✓", "!bang", "%pct",
          "@at", "*star", "&amp", "? q", "[x]", "{y}", "~", "null", "yes", " lead", "trail ",
          "= eq", "Atzr|IwEB+/=="]


def test_yaml_quoting_round_trips_through_pyyaml():
    doc = "\n".join(f"k{i}: {yaml_quote(v)}" for i, v in enumerate(TRICKY))
    assert yaml.safe_load(doc) == {f"k{i}": v for i, v in enumerate(TRICKY)}


def test_dotenv_quoting_round_trips_through_a_shell(tmp_path):
    usable = [v for v in TRICKY if "'" not in v and "\\" not in v]
    path = tmp_path / "t.env"
    path.write_text("\n".join(f"SP_API_T{i}={dotenv_value(v)}" for i, v in enumerate(usable)))
    assert load_env_file(path) == {f"SP_API_T{i}": v for i, v in enumerate(usable)}


def test_the_yaml_subset_reader_agrees_with_pyyaml():
    text = """\
---
# comment
version: '1.0'
default:   # the main one
  refresh_token: "Atzr|d\\u00e9j\\x41 \\"q\\" \\\\ #x"
  lwa_app_id: plain value # trailing comment
  lwa_client_secret: 'it''s: fine #here'
"quoted key":
    a: 'x'

    # an inner comment
    b: a#b
empty:
"""
    _, blocks = parse_psa_yaml(text)
    ours = {b.key: b.children if b.indent else b.value for b in blocks}
    assert ours == yaml.safe_load(text)
