"""Exports: golden text per format, the credentials.yml merge that leaves other accounts alone,
refusals (amz-tools '=', unsafe values, files outside the YAML subset), and the file rules (0600,
never overwrite without force, merges only into the file that was read)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from oauth_wizard.keep.export import (
    FORMATS,
    ExportCredentials,
    ExportError,
    default_path,
    export_to_file,
    notes,
    render,
    write,
)

CLIENT_ID = "amzn1.application-oa2-client." + "0123456789abcdef" * 2
SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16
REFRESH = "Atzr|IwEBIA+bC/d=Ef|gh-0123456789"
CREDS = ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", "DE")

GOLDEN = {
    "psa-yaml": f"""\
# python-amazon-sp-api credentials, written by oauth-wizard.
# Use an account with e.g. Orders(account='default', marketplace=Marketplaces.DE).
version: '1.0'
default:
  refresh_token: '{REFRESH}'
  lwa_app_id: '{CLIENT_ID}'
  lwa_client_secret: '{SECRET}'
""",
    "psa-env": f"""\
# python-amazon-sp-api environment (region EU, marketplace DE), written by oauth-wizard.
# Load with: set -a; . ./THIS_FILE; set +a
SP_API_REFRESH_TOKEN='{REFRESH}'
LWA_APP_ID='{CLIENT_ID}'
LWA_CLIENT_SECRET='{SECRET}'
SP_API_DEFAULT_MARKETPLACE='DE'
""",
    "amz-tools": f"""\
# amz-tools/amazon-sp-api credentials, written by oauth-wizard.
# The library reads only the two keys below from this file. It never reads the
# refresh token from a file or the environment: pass it to the constructor, e.g.
#   new SellingPartner({{region: 'eu', refresh_token: process.env.SP_API_REFRESH_TOKEN}})
#   with SP_API_REFRESH_TOKEN set from: oauth-wizard token NAME
SELLING_PARTNER_APP_CLIENT_ID={CLIENT_ID}
SELLING_PARTNER_APP_CLIENT_SECRET={SECRET}
""",
    "spapi-config": """\
# amzn-sp-api (the official SDK): SPAPIConfig, written by oauth-wizard.
# Secrets come from the environment, never from this file; write them with:
#   oauth-wizard export NAME --format dotenv --output .env
import os

from spapi import SPAPIConfig

MARKETPLACE_ID = "A1PA6795UKMFR9"  # DE

config = SPAPIConfig(
    client_id=os.environ["SP_API_CLIENT_ID"],
    client_secret=os.environ["SP_API_CLIENT_SECRET"],
    refresh_token=os.environ["SP_API_REFRESH_TOKEN"],
    region="EU",  # always explicit: SPAPIConfig defaults to "SANDBOX"
)
""",
    "mcp-env": f"""\
# Amazon's SP-API MCP server environment (region EU, marketplace DE), written by oauth-wizard.
SP_API_CLIENT_ID='{CLIENT_ID}'
SP_API_CLIENT_SECRET='{SECRET}'
SP_API_REFRESH_TOKEN='{REFRESH}'
SP_API_REGION='EU'
""",
    "dotenv": f"""\
# SP-API credentials for your own code (read by the spapi-config snippet) (region EU, \
marketplace DE), written by oauth-wizard.
SP_API_CLIENT_ID='{CLIENT_ID}'
SP_API_CLIENT_SECRET='{SECRET}'
SP_API_REFRESH_TOKEN='{REFRESH}'
SP_API_REGION='EU'
SP_API_MARKETPLACE='DE'
SP_API_MARKETPLACE_ID='A1PA6795UKMFR9'
""",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(fmt):
    assert render(fmt, CREDS) == GOLDEN[fmt]


def test_psa_env_with_account_suffix_and_no_marketplace():
    creds = ExportCredentials(CLIENT_ID, SECRET, REFRESH, "na", None, account="SHOP_2")
    assert render("psa-env", creds) == f"""\
# python-amazon-sp-api environment (region NA), written by oauth-wizard.
# Load with: set -a; . ./THIS_FILE; set +a
# Select these with account='SHOP_2', e.g. Orders(account='SHOP_2').
SP_API_REFRESH_TOKEN_SHOP_2='{REFRESH}'
LWA_APP_ID_SHOP_2='{CLIENT_ID}'
LWA_CLIENT_SECRET_SHOP_2='{SECRET}'
"""


def test_spapi_config_can_embed_secrets_when_asked():
    text = render("spapi-config", CREDS, embed_secrets=True)
    assert f"client_secret={SECRET!r}," in text and "import os" not in text
    assert "CONTAINS SECRETS" in text and 'region="EU"' in text
    compile(text, "snippet.py", "exec")  # valid Python (it is run against the SDK elsewhere)


EXISTING = """\
# my hand-written file
version: '1.0'

default:
    refresh_token: "Atzr|old-default"   # keep me
    lwa_app_id: plain-old-id
    lwa_client_secret: 'it''s old'
# the shop below is another app
shop:
    refresh_token: 'Atzr|shop'
    lwa_app_id: shop-id
    lwa_client_secret: shop-secret
"""


def test_merge_adds_a_new_account_and_leaves_every_other_byte():
    creds = ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", "DE", account="eu-store")
    merged = render("psa-yaml", creds, EXISTING)
    assert merged.startswith(EXISTING)
    assert merged[len(EXISTING):] == f"""
eu-store:
    refresh_token: '{REFRESH}'
    lwa_app_id: '{CLIENT_ID}'
    lwa_client_secret: '{SECRET}'
"""


def test_existing_account_needs_replace_and_replacing_keeps_the_rest():
    with pytest.raises(ExportError) as err:
        render("psa-yaml", CREDS, EXISTING)
    assert err.value.kind == "account_exists" and err.value.line == 4
    assert "--force" in err.value.fix
    replaced = render("psa-yaml", CREDS, EXISTING, replace=True)
    before, _, after = EXISTING.partition("default:")
    assert replaced.startswith(before + "default:\n    refresh_token: '")
    assert replaced.endswith(after[after.index("# the shop below"):])
    assert "Atzr|old-default" not in replaced and "it''s old" not in replaced


def test_merge_keeps_crlf_and_a_byte_order_mark():
    text = "\ufeffversion: '1.0'\r\nshop:\r\n  lwa_app_id: x\r\n"
    merged = render("psa-yaml", CREDS, text)
    assert merged.startswith(text) and "\r\ndefault:\r\n  refresh_token: '" in merged
    assert "\n" not in merged.replace("\r\n", "")


@pytest.mark.parametrize(("text", "line", "why"), [
    ("default: &base\n  a: b\n", 1, "anchor"),
    ("default:\n  refresh_token: *base\n", 2, "anchor"),
    ("default: {refresh_token: x}\n", 1, "flow"),
    ("default:\n  refresh_token: |\n    x\n", 2, "block"),
    ("default:\n\trefresh_token: x\n", 2, "tab"),
    ("default:\n  refresh_token:\n    nested: x\n", 3, "deeper"),
    ("default:\n  a: x\ndefault:\n  a: y\n", 3, "twice"),
    ("a: 1\n---\nb: 2\n", 2, "more than one"),
    ("- default\n", 1, "list"),
    ("default:\n  a: 'unclosed\n", 2, "not closed"),
    ("default:\n  a: !!str x\n", 2, "tag"),
    ("  indented: x\n", 1, "no account"),
    ("key:value\n", 1, "not 'key: value'"),
])
def test_files_outside_the_subset_are_refused_with_line_and_reason(text, line, why):
    with pytest.raises(ExportError) as err:
        render("psa-yaml", ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", account="new"),
               text)
    assert err.value.kind == "unreadable" and err.value.line == line
    assert f"line {line}" in err.value.message and why in err.value.message


def test_amz_tools_refuses_a_value_with_equals_and_says_why():
    creds = ExportCredentials(CLIENT_ID, "abc=def-secret-value", REFRESH, "NA")
    with pytest.raises(ExportError) as err:
        render("amz-tools", creds)
    msg = str(err.value)
    assert err.value.kind == "unsafe_value" and "'='" in msg
    assert "silently" in msg and "exactly two parts" in msg and "constructor" in msg
    assert "abc=def-secret-value" not in msg


@pytest.mark.parametrize("fmt", FORMATS)
def test_line_breaks_in_a_secret_are_refused_everywhere_but_never_shown(fmt):
    creds = ExportCredentials(CLIENT_ID, "amzn1.oa2-cs.v1.half\npasted", REFRESH, "EU")
    if fmt == "spapi-config":  # the secret is not in the snippet at all
        assert "half" not in render(fmt, creds)
        return
    with pytest.raises(ExportError) as err:
        render(fmt, creds)
    assert err.value.kind == "unsafe_value" and "client secret" in str(err.value)
    assert "half" not in str(err.value)


def test_quote_in_a_token_is_escaped_in_yaml_and_refused_in_env_files():
    creds = ExportCredentials(CLIENT_ID, SECRET, "Atzr|it's", "EU")
    assert "refresh_token: 'Atzr|it''s'" in render("psa-yaml", creds)
    with pytest.raises(ExportError, match="shells and dotenv readers"):
        render("dotenv", creds)


@pytest.mark.parametrize(("creds", "fmt", "needle"), [
    (ExportCredentials(CLIENT_ID, SECRET, REFRESH, "NA", "DE"), "dotenv", "DE is in EU"),
    (ExportCredentials(CLIENT_ID, SECRET, REFRESH, "XX"), "dotenv", "unknown region"),
    (ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", "ZZ"), "dotenv", "unknown marketplace"),
    (ExportCredentials(CLIENT_ID, SECRET, "", "EU"), "dotenv", "no refresh token"),
    (ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", account="a-b"), "psa-env", "a-b"),
    (ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", account="version"), "psa-yaml",
     "version"),
    (CREDS, "yaml", "Unknown export format"),
])
def test_bad_input_is_named(creds, fmt, needle):
    with pytest.raises(ExportError) as err:
        render(fmt, creds)
    assert err.value.kind == "bad_input" and needle in str(err.value)


def test_credentials_repr_and_notes_hold_no_secret():
    text = repr(CREDS) + " ".join(n for f in FORMATS for n in notes(f, CREDS, profile="acme"))
    assert SECRET not in text and REFRESH not in text
    assert "$(oauth-wizard token acme)" in " ".join(notes("amz-tools", CREDS, profile="acme"))


# --- files -----------------------------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_creates_0600_in_a_new_0700_directory(tmp_path):
    target = tmp_path / "new" / "dir" / "creds"
    result = write(target, "x=1\n")
    assert result.created and target.read_text() == "x=1\n"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700


def test_write_never_overwrites_without_force(tmp_path):
    target = tmp_path / ".env"
    target.write_text("mine\n")
    os.chmod(target, 0o644)
    with pytest.raises(ExportError) as err:
        write(target, "theirs\n")
    assert err.value.kind == "exists" and str(target) in str(err.value)
    assert "--force" in err.value.fix and target.read_text() == "mine\n"
    result = write(target, "theirs\n", force=True)
    assert not result.created and target.read_text() == "theirs\n" and mode(target) == 0o600


def test_write_follows_a_symlink_and_refuses_a_directory(tmp_path):
    real = tmp_path / "real.yml"
    real.write_text("old\n")
    link = tmp_path / "link.yml"
    link.symlink_to(real)
    write(link, "new\n", force=True)
    assert link.is_symlink() and real.read_text() == "new\n"
    with pytest.raises(ExportError, match="is a directory"):
        write(tmp_path, "x", force=True)


def test_merge_is_refused_when_the_file_changed_since_it_was_read(tmp_path):
    target = tmp_path / "credentials.yml"
    target.write_text(EXISTING)
    with pytest.raises(ExportError) as err:
        write(target, "whatever", expected_existing="something else", force=True)
    assert err.value.kind == "changed_on_disk" and target.read_text() == EXISTING


def test_export_to_file_merges_then_refuses_then_replaces_with_force(tmp_path):
    target = tmp_path / "python-sp-api" / "credentials.yml"
    target.parent.mkdir()
    target.write_text(EXISTING)
    creds = ExportCredentials(CLIENT_ID, SECRET, REFRESH, "EU", account="eu")
    assert not export_to_file("psa-yaml", creds, target).created
    merged = target.read_text()
    assert merged.startswith(EXISTING) and mode(target) == 0o600
    with pytest.raises(ExportError) as err:
        export_to_file("psa-yaml", creds, target)
    assert err.value.kind == "account_exists" and str(target) in str(err.value)
    assert target.read_text() == merged
    newer = ExportCredentials(CLIENT_ID, SECRET, "Atzr|newer-token", "EU", account="eu")
    export_to_file("psa-yaml", newer, target, force=True)
    assert target.read_text() == merged.replace(REFRESH, "Atzr|newer-token")


def test_export_to_file_refuses_an_unreadable_yaml_and_keeps_it(tmp_path):
    target = tmp_path / "credentials.yml"
    target.write_text("default: {a: b}\n")
    with pytest.raises(ExportError) as err:
        export_to_file("psa-yaml", CREDS, target, force=True)
    assert err.value.kind == "unreadable" and str(target) in str(err.value)
    assert target.read_text() == "default: {a: b}\n"


def test_other_formats_never_merge(tmp_path):
    target = tmp_path / "credentials"
    target.write_text("SELLING_PARTNER_APP_CLIENT_ID=other\n")
    with pytest.raises(ExportError) as err:
        export_to_file("amz-tools", CREDS, target)
    assert err.value.kind == "exists"


def test_default_paths(tmp_path):
    home = tmp_path
    assert default_path("psa-yaml", env={}, system="Linux", home=home) == \
        home / ".config" / "python-sp-api" / "credentials.yml"
    assert default_path("psa-yaml", env={}, system="Windows", home=home) == \
        home / "AppData" / "Roaming" / "python-sp-api" / "credentials.yml"
    assert default_path("psa-yaml", env={"PYTHON-SP-APIDIR": str(home / "d")}, system="Linux",
                        home=home) == home / "d" / "credentials.yml"
    mac = home / "Library" / "Application Support" / "python-sp-api"
    mac.mkdir(parents=True)
    (mac / "config.yaml").write_text("")
    assert default_path("psa-yaml", env={}, system="Darwin", home=home) == \
        mac / "credentials.yml"
    assert default_path("amz-tools", env={"HOME": str(home)}) == home / ".amzspapi" / "credentials"
    assert default_path("amz-tools", env={"USERPROFILE": "C:/Users/x"}) == \
        Path("C:/Users/x/.amzspapi/credentials")
    for fmt in ("psa-env", "spapi-config", "mcp-env", "dotenv"):
        assert default_path(fmt, env={}) is None
