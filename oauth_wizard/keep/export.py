"""Hand credentials to the library the developer already uses, in exactly the form it reads.

Formats (names from credential-formats.md): ``psa-yaml`` (python-amazon-sp-api's
credentials.yml, one account block merged into an existing file), ``psa-env`` (its environment
variables, optional ``_<ACCOUNT>`` suffix), ``amz-tools`` (``~/.amzspapi/credentials``),
``spapi-config`` (a snippet for the official SDK's ``SPAPIConfig``), ``mcp-env`` (Amazon's MCP
server) and ``dotenv`` (the variables the spapi-config snippet reads).

Decisions:
- ``spapi-config`` reads the three secrets from the environment (``SP_API_CLIENT_ID``,
  ``SP_API_CLIENT_SECRET``, ``SP_API_REFRESH_TOKEN``, as written by ``dotenv`` or ``mcp-env``)
  and writes only the region literally, because SPAPIConfig's default is SANDBOX and a .py file
  is the kind of file that gets committed. ``embed_secrets=True`` writes them into the code.
- ``psa-yaml`` merges into an existing file only by adding a new account block; replacing an
  existing block needs ``replace``/``force``. Other accounts, comments and layout stay as they
  were, and a file outside the simple subset is refused (``export_formats``).
- Env-style values are single-quoted (shells, python-dotenv, Node dotenv, docker compose agree
  on that); a value holding ``'`` or a backslash is refused rather than spelled ambiguously.
- Files are written 0600, never over an existing file without ``force`` (the psa-yaml merge
  checks the file is still what it read), and a new file never replaces one that appeared
  meanwhile. ``render`` is pure; only ``write``/``export_to_file``/``read_existing`` touch disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from oauth_wizard.core import marketplaces
from oauth_wizard.core.errors import WizardError
from oauth_wizard.core.masking import mask
from oauth_wizard.keep.export_formats import (
    PSA_DIR_ENV,
    AccountExists,
    PsaYamlError,
    default_path,
    dotenv_value,
    merge_account,
    psa_config_dir,
    yaml_quote,
)
from oauth_wizard.keep.files import atomic_write

__all__ = ["FORMATS", "PSA_DIR_ENV", "ExportCredentials", "ExportError", "WriteResult",
           "default_path", "export_to_file", "notes", "psa_config_dir", "read_existing",
           "render", "write"]

FORMATS = ("psa-yaml", "psa-env", "amz-tools", "spapi-config", "mcp-env", "dotenv")
ENV_ACCOUNT = re.compile(r"[A-Za-z0-9_]+")
YAML_ACCOUNT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
FIELD = {"client_id": "the client ID", "client_secret": "the client secret",
         "refresh_token": "the refresh token"}


class ExportError(WizardError):
    """The export was not written. ``str()`` is the message plus the fix.

    ``kind``: bad_input, unsafe_value, account_exists, unreadable, exists, changed_on_disk, io.
    """

    def __init__(self, kind: str, message: str, fix: str = "", *, path: Path | None = None,
                 line: int | None = None) -> None:
        super().__init__(message, fix)
        self.kind, self.path, self.line = kind, path, line


@dataclass(frozen=True, repr=False)
class ExportCredentials:
    client_id: str
    client_secret: str
    refresh_token: str
    region: str
    marketplace: str | None = None  # a country code of the region, e.g. DE
    account: str | None = None  # psa-yaml account / psa-env suffix

    def __repr__(self) -> str:
        return (f"ExportCredentials(client_id={self.client_id!r}, "
                f"client_secret={mask(self.client_secret)!r}, "
                f"refresh_token={mask(self.refresh_token)!r}, region={self.region!r}, "
                f"marketplace={self.marketplace!r}, account={self.account!r})")


@dataclass(frozen=True)
class WriteResult:
    path: Path
    created: bool  # False: an existing file was updated (merge) or replaced (force)


def _checked(fmt: str, c: ExportCredentials) -> tuple[str, marketplaces.Marketplace | None]:
    if fmt not in FORMATS:
        raise ExportError("bad_input", f"Unknown export format {fmt!r}.",
                          f"Use one of {', '.join(FORMATS)}.")
    for key, what in FIELD.items():
        if not getattr(c, key):
            raise ExportError("bad_input", f"There is no {what[4:]} to export.",
                              "Store it in the profile first.")
    try:
        region = marketplaces.region(c.region).code
    except ValueError as exc:
        raise ExportError("bad_input", f"{exc}.") from None
    market = None
    if c.marketplace:
        try:
            market = marketplaces.lookup(c.marketplace)
        except marketplaces.UnknownMarketplaceError as exc:
            raise ExportError("bad_input", f"{exc}.") from None
        if market.region != region:
            raise ExportError("bad_input", f"Marketplace {market.code} is in {market.region}, "
                              f"but this authorization is for {region}.",
                              f"Choose a marketplace of {region}.")
    if c.account is not None:
        pattern = ENV_ACCOUNT if fmt == "psa-env" else YAML_ACCOUNT
        if not pattern.fullmatch(c.account) or c.account == "version":
            allowed = "letters, digits and _" if fmt == "psa-env" else "letters, digits, _ . -"
            raise ExportError("bad_input", f"The account name {c.account!r} cannot be used for "
                              f"{fmt} (allowed: {allowed}; not 'version').",
                              "Choose another account name.")
    return region, market


def _env_lines(pairs: list[tuple[str, str, str]]) -> list[str]:
    out = []
    for name, value, what in pairs:
        try:
            out.append(f"{name}={dotenv_value(value)}")
        except ValueError as exc:
            raise ExportError("unsafe_value", f"{what.capitalize()} {exc}, so it cannot be "
                              "written as an environment file value.",
                              "Check the stored value (it may have been pasted damaged).") from None
    return out


def render(fmt: str, creds: ExportCredentials, existing: str | None = None, *,
           replace: bool = False, embed_secrets: bool = False) -> str:
    """The text of ``fmt`` for ``creds``. ``existing`` (psa-yaml) is the current file, merged
    into; ``replace`` allows replacing that account's block. Raises ``ExportError``."""
    region, market = _checked(fmt, creds)
    c = creds
    where = f"region {region}" + (f", marketplace {market.code}" if market else "")
    if fmt == "psa-yaml":
        return _psa_yaml(c, existing, replace, market)
    if fmt == "psa-env":
        sfx = f"_{c.account}" if c.account else ""
        lines = [f"# python-amazon-sp-api environment ({where}), written by oauth-wizard.",
                 "# Load with: set -a; . ./THIS_FILE; set +a"]
        if c.account:
            lines.append(f"# Select these with account='{c.account}', e.g. "
                         f"Orders(account='{c.account}').")
        pairs = [(f"SP_API_REFRESH_TOKEN{sfx}", c.refresh_token, FIELD["refresh_token"]),
                 (f"LWA_APP_ID{sfx}", c.client_id, FIELD["client_id"]),
                 (f"LWA_CLIENT_SECRET{sfx}", c.client_secret, FIELD["client_secret"])]
        if market:
            pairs.append(("SP_API_DEFAULT_MARKETPLACE", market.code, "the marketplace"))
        return "\n".join(lines + _env_lines(pairs)) + "\n"
    if fmt == "amz-tools":
        return _amz_tools(c, region)
    if fmt == "spapi-config":
        return _spapi_config(c, region, market, embed_secrets)
    title = ("Amazon's SP-API MCP server environment" if fmt == "mcp-env"
             else "SP-API credentials for your own code (read by the spapi-config snippet)")
    pairs = [("SP_API_CLIENT_ID", c.client_id, FIELD["client_id"]),
             ("SP_API_CLIENT_SECRET", c.client_secret, FIELD["client_secret"]),
             ("SP_API_REFRESH_TOKEN", c.refresh_token, FIELD["refresh_token"]),
             ("SP_API_REGION", region, "the region")]
    if fmt == "dotenv" and market:
        pairs += [("SP_API_MARKETPLACE", market.code, "the marketplace"),
                  ("SP_API_MARKETPLACE_ID", market.marketplace_id, "the marketplace id")]
    return "\n".join([f"# {title} ({where}), written by oauth-wizard.",
                      *_env_lines(pairs)]) + "\n"


def _psa_yaml(c: ExportCredentials, existing: str | None, replace: bool,
              market: marketplaces.Marketplace | None) -> str:
    account = c.account or "default"
    values = [("refresh_token", c.refresh_token), ("lwa_app_id", c.client_id),
              ("lwa_client_secret", c.client_secret)]
    for key, value in values:
        try:
            yaml_quote(value)
        except ValueError as exc:
            what = {"refresh_token": FIELD["refresh_token"], "lwa_app_id": FIELD["client_id"],
                    "lwa_client_secret": FIELD["client_secret"]}[key]
            raise ExportError("unsafe_value", f"{what.capitalize()} {exc}.",
                              "Check the stored value (it may have been pasted damaged).") from None
    example = f", marketplace=Marketplaces.{market.code}" if market else ""
    header = ("# python-amazon-sp-api credentials, written by oauth-wizard.\n"
              f"# Use an account with e.g. Orders(account='{account}'{example}).")
    try:
        return merge_account(existing, account, values, header=header, replace=replace)
    except AccountExists as exc:
        raise ExportError("account_exists", f"The credentials file already has an account "
                          f"'{account}' (line {exc.line}); it was left as it is.",
                          "Add --force to replace that account's block (other accounts stay "
                          "as they are), or export under another account name.",
                          line=exc.line) from None
    except PsaYamlError as exc:
        raise ExportError("unreadable", f"The credentials file, line {exc.line}: {exc.what}; "
                          "oauth-wizard edits only the plain account: key: value layout "
                          "python-amazon-sp-api documents, so the file was left as it is.",
                          "Simplify that line by hand, or write to a new file with --output.",
                          line=exc.line) from None


def _amz_tools(c: ExportCredentials, region: str) -> str:
    lines = ["# amz-tools/amazon-sp-api credentials, written by oauth-wizard.",
             "# The library reads only the two keys below from this file. It never reads the",
             "# refresh token from a file or the environment: pass it to the constructor, e.g.",
             f"#   new SellingPartner({{region: '{region.lower()}', "
             "refresh_token: process.env.SP_API_REFRESH_TOKEN})",
             "#   with SP_API_REFRESH_TOKEN set from: oauth-wizard token NAME"]
    for key, value, what in (("SELLING_PARTNER_APP_CLIENT_ID", c.client_id, FIELD["client_id"]),
                             ("SELLING_PARTNER_APP_CLIENT_SECRET", c.client_secret,
                              FIELD["client_secret"])):
        if "=" in value:
            raise ExportError(
                "unsafe_value", f"{what.capitalize()} contains '=': amz-tools/amazon-sp-api "
                "splits each line of its credentials file on '=' and silently skips any line "
                "that does not split into exactly two parts, so it would never see "
                f"{what}.", "Pass the credentials in the SellingPartner constructor instead "
                "(credentials: {SELLING_PARTNER_APP_CLIENT_ID, SELLING_PARTNER_APP_CLIENT_SECRET}),"
                " or use the environment variables of the same names (read only when the "
                "credentials file does not exist).")
        if value != value.strip() or any(ch in value for ch in "\r\n") or not value.isprintable():
            raise ExportError("unsafe_value", f"{what.capitalize()} has surrounding spaces or "
                              "control characters, which that file format cannot keep.",
                              "Check the stored value (it may have been pasted damaged).")
        lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def _spapi_config(c: ExportCredentials, region: str, market: marketplaces.Marketplace | None,
                  embed: bool) -> str:
    def source(env: str, value: str) -> str:
        return repr(value) if embed else f'os.environ["{env}"]'

    lines = ["# amzn-sp-api (the official SDK): SPAPIConfig, written by oauth-wizard."]
    if embed:
        lines += ["# This file CONTAINS SECRETS: keep it out of version control."]
    else:
        lines += ["# Secrets come from the environment, never from this file; write them with:",
                  "#   oauth-wizard export NAME --format dotenv --output .env", "import os", ""]
    lines += ["from spapi import SPAPIConfig", ""]
    if market:
        lines += [f'MARKETPLACE_ID = "{market.marketplace_id}"  # {market.code}', ""]
    lines += ["config = SPAPIConfig(",
              f"    client_id={source('SP_API_CLIENT_ID', c.client_id)},",
              f"    client_secret={source('SP_API_CLIENT_SECRET', c.client_secret)},",
              f"    refresh_token={source('SP_API_REFRESH_TOKEN', c.refresh_token)},",
              f'    region="{region}",  # always explicit: SPAPIConfig defaults to "SANDBOX"',
              ")"]
    return "\n".join(lines) + "\n"


def notes(fmt: str, creds: ExportCredentials, *, path: Path | None = None,
          profile: str = "NAME") -> tuple[str, ...]:
    """What to tell the user next to the export (no secrets in it)."""
    region = creds.region.upper()
    market = creds.marketplace.upper() if creds.marketplace else None
    if fmt == "psa-yaml":
        where = path or default_path("psa-yaml")
        pick = f" and marketplace=Marketplaces.{market}" if market else ""
        return (f"python-amazon-sp-api reads {where}; use account='{creds.account or 'default'}'"
                f"{pick} (the file holds no region: pass a marketplace of {region}).",
                f"Another directory can be chosen with the environment variable {PSA_DIR_ENV}, "
                "whose hyphen most shells cannot set directly (use env 'PYTHON-SP-APIDIR=…').")
    if fmt == "psa-env":
        extra = (f" and pass account='{creds.account}'" if creds.account else "")
        return (f"Load the variables (set -a; . FILE; set +a){extra}; python-amazon-sp-api "
                "prefers them over credentials.yml.",)
    if fmt == "amz-tools":
        return ("amz-tools/amazon-sp-api does not read the refresh token from this file: pass "
                f"it to the SellingPartner constructor (refresh_token), e.g. from "
                f"$(oauth-wizard token {profile}).",)
    if fmt == "spapi-config":
        return ("The snippet reads SP_API_CLIENT_ID, SP_API_CLIENT_SECRET and "
                "SP_API_REFRESH_TOKEN from the environment; write them with: oauth-wizard "
                f"export {profile} --format dotenv --output .env",)
    if fmt == "mcp-env":
        return ('Put these under "env" in your MCP client\'s entry for the SP-API MCP server, '
                "or pass them with env or an --env-file.",)
    return ("Values are single-quoted: shells (set -a; . FILE), python-dotenv, Node dotenv and "
            "docker compose read them as written; `docker run --env-file` would keep the "
            "quotes.",)


# --- where files go, and writing them ----------------------------------------------------------

def read_existing(path: Path) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        return Path(path).read_text("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ExportError("unreadable", f"{path} is not UTF-8 text; it was left as it is.",
                          "Write to another file with --output.", path=path) from None
    except OSError as exc:
        raise ExportError("io", f"Could not read {path} ({exc.strerror or exc}).",
                          "Check the file's permissions.", path=path) from None


def _create_new(target: Path, data: bytes) -> None:
    """Create ``target`` atomically, failing if it appeared meanwhile (never clobbers)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.link(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write(path: Path, text: str, *, force: bool = False,
          expected_existing: str | None = None) -> WriteResult:
    """Write ``text`` to ``path`` with mode 0600, creating parent directories 0700.

    An existing file is replaced only with ``force``, or when ``expected_existing`` (the text
    a merge was computed from) still equals the file; a merge is never written over a file
    that changed since it was read, even with ``force``. A symlink is followed, not replaced.
    """
    target = Path(path).expanduser()
    if target.is_symlink():
        target = target.resolve()
    if target.is_dir():
        raise ExportError("io", f"{target} is a directory.", "Give a file name with --output.",
                          path=target)
    current = read_existing(target)
    if current is not None and expected_existing is None and not force:
        raise ExportError("exists", f"{target} already exists; it was left as it is.",
                          "Add --force to replace it, or choose another file with --output.",
                          path=target)
    if expected_existing is not None and current != expected_existing:
        raise ExportError("changed_on_disk", f"{target} changed while oauth-wizard was "
                          "updating it, so nothing was written.", "Run the export again.",
                          path=target)
    data = text.encode("utf-8")
    try:
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if current is None:
            try:
                _create_new(target, data)
            except FileExistsError:
                raise ExportError("changed_on_disk", f"{target} appeared while oauth-wizard "
                                  "was writing it; it was left as it is.",
                                  "Run the export again.", path=target) from None
        else:
            atomic_write(target, data, 0o600)
    except OSError as exc:
        raise ExportError("io", f"Could not write {target} ({exc.strerror or exc}); nothing "
                          "was changed.", "Check the directory's permissions and free space.",
                          path=target) from None
    return WriteResult(target, created=current is None)


def export_to_file(fmt: str, creds: ExportCredentials, path: Path, *, force: bool = False,
                   embed_secrets: bool = False) -> WriteResult:
    """Render and write in one step; psa-yaml merges into the file that is there."""
    target = Path(path).expanduser()
    existing = read_existing(target) if fmt == "psa-yaml" else None
    try:
        text = render(fmt, creds, existing, replace=force, embed_secrets=embed_secrets)
    except ExportError as exc:
        if exc.kind in ("account_exists", "unreadable"):
            exc.message = f"{target}: {exc.message}"
            exc.path = target
            exc.args = (f"{exc.message} {exc.fix}",)
        raise
    return write(target, text, force=force,
                 expected_existing=existing if fmt == "psa-yaml" else None)
