"""Careful text for other libraries' files: quoting, python-amazon-sp-api's credentials.yml, and
where each library looks for its file.

``credentials.yml`` (credential-formats.md) is a two-level mapping: top-level ``version`` and one
block per account with three scalar keys. A user's file may hold accounts oauth-wizard never
wrote, so merging never re-serializes it: the file is read as lines, only the account's own block
is added or replaced, and every other byte stays as it was. Only the plain subset that format
needs is accepted (comments, ``key: scalar`` at two levels, plain or quoted scalars); anything
else (anchors, tags, flow or block scalars, deeper nesting, tabs, several documents, duplicate
accounts) is refused with the line and the reason, because a file we cannot fully read is a
file we must not edit. No YAML library is needed at run time.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PSA_DIR_ENV", "AccountExists", "PsaYamlError", "default_path", "dotenv_value",
           "merge_account", "parse_psa_yaml", "psa_config_dir", "yaml_key", "yaml_quote"]

PSA_DIR_ENV = "PYTHON-SP-APIDIR"  # confuse: appname.upper() + "DIR"
PSA_FILE = "credentials.yml"

PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Words YAML 1.1 (PyYAML, hence confuse) reads as booleans or null: keys like these are quoted.
YAML_SPECIAL = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}
_KEY = re.compile(r"""(?P<key>'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|"""
                  r"""[^\s'"#:\-?\[\]{},&*!|>%@`][^:#]*?)\s*:(?:[ \t]+(?P<rest>.*))?$""")
_SQ = re.compile(r"'((?:[^']|'')*)'[ \t]*(?:#.*)?$")
_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t]*(?:#.*)?$')
_DQ_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_INDICATORS = "[]{}&*!|>%@`'\""


class PsaYamlError(ValueError):
    """The file is outside the subset oauth-wizard edits; ``line`` is 1-based."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(f"line {line}: {what}")
        self.line, self.what = line, what


class AccountExists(ValueError):
    def __init__(self, account: str, line: int) -> None:
        super().__init__(f"account {account!r} exists at line {line}")
        self.account, self.line = account, line


def _unsafe_char(value: str) -> str | None:
    for ch in value:
        if ch in "\r\n":
            return "a line break"
        if not ch.isprintable() or ch == "\ufeff":
            return f"the control character U+{ord(ch):04X}"
    return None


def yaml_quote(value: str) -> str:
    """A YAML single-quoted scalar: ``'`` doubled, nothing else special inside."""
    bad = _unsafe_char(value)
    if bad:
        raise ValueError(f"contains {bad}, which a single-quoted YAML value cannot hold")
    return "'" + value.replace("'", "''") + "'"


def yaml_key(key: str) -> str:
    return key if PLAIN_KEY.fullmatch(key) and key.lower() not in YAML_SPECIAL \
        else yaml_quote(key)


def dotenv_value(value: str) -> str:
    """A single-quoted value that POSIX shells (``set -a; . FILE``), python-dotenv, Node's
    dotenv and docker compose all read back literally. A ``'`` or backslash has no spelling
    they agree on, so such a value is refused (tokens and client secrets never hold one)."""
    bad = _unsafe_char(value)
    if bad:
        raise ValueError(f"contains {bad}")
    for ch in "'\\":
        if ch in value:
            raise ValueError(f"contains {ch!r}, which shells and dotenv readers quote "
                             "differently")
    return f"'{value}'"


def _scalar(text: str, lineno: int) -> str | None:
    """Decode a scalar (the part after ``key:``); None for an empty value."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    if text[0] == "'":
        m = _SQ.fullmatch(text)
        if not m:
            raise PsaYamlError(lineno, "a single-quoted value is not closed on its line")
        return m.group(1).replace("''", "'")
    if text[0] == '"':
        m = _DQ.fullmatch(text)
        if not m:
            raise PsaYamlError(lineno, "a double-quoted value is not closed on its line")
        return _unescape(m.group(1), lineno)
    if text[0] in _INDICATORS or text.startswith(("- ", "? ", ": ")):
        raise PsaYamlError(lineno, f"the value starts with {text[0]!r} (an anchor, alias, tag, "
                           "flow or block value), which oauth-wizard does not edit")
    value = re.split(r"[ \t]#", text, maxsplit=1)[0].rstrip()
    if ": " in value or value.endswith(":"):
        raise PsaYamlError(lineno, "a plain value contains ': '")
    return value


_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(body: str, lineno: int) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if len(esc) > 1:
            return chr(int(esc[1:], 16))
        if esc not in _DQ_ESCAPES:
            raise PsaYamlError(lineno, f"the escape \\{esc} in a double-quoted value is not "
                               "one oauth-wizard reads")
        return _DQ_ESCAPES[esc]
    return _ESCAPE.sub(one, body)


def _key(raw: str, lineno: int) -> str:
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    if raw.startswith('"'):
        return _unescape(raw[1:-1], lineno)
    return raw.rstrip()


@dataclass
class Block:
    """A top-level key: its lines ``start..end`` (0-based, inclusive) and nested values."""

    key: str
    start: int
    end: int
    value: str | None
    indent: int | None = None
    children: dict[str, str | None] = field(default_factory=dict)


def parse_psa_yaml(text: str) -> tuple[list[str], list[Block]]:
    """The file's lines (without line ends) and its top-level blocks; raises PsaYamlError."""
    lines = text.splitlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    blocks: list[Block] = []
    seen_content = False
    for i, line in enumerate(lines):
        n = i + 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise PsaYamlError(n, "indentation uses a tab")
        if stripped in ("---", "...") or stripped.startswith("--- "):
            if stripped == "---" and not seen_content:
                continue  # an opening document marker
            raise PsaYamlError(n, "the file holds more than one YAML document")
        seen_content = True
        if stripped.startswith(("- ", "? ")) or stripped == "-":
            raise PsaYamlError(n, "a list or complex key where an account mapping is expected")
        indent = len(line) - len(line.lstrip(" "))
        m = _KEY.fullmatch(stripped)
        if not m:
            raise PsaYamlError(n, "the line is not 'key: value'")
        key, rest = _key(m.group("key"), n), m.group("rest") or ""
        value = _scalar(rest, n)
        if indent == 0:
            if any(b.key == key for b in blocks):
                raise PsaYamlError(n, f"the key {key!r} appears twice")
            blocks.append(Block(key, i, i, value))
            continue
        parent = blocks[-1] if blocks else None
        if parent is None or parent.value is not None:
            raise PsaYamlError(n, "an indented line that belongs to no account")
        if parent.indent is None:
            parent.indent = indent
        elif indent != parent.indent:
            raise PsaYamlError(n, "indentation differs from the account's other keys (nesting "
                               "deeper than account: key: value is not part of this format)")
        if key in parent.children:
            raise PsaYamlError(n, f"the key {key!r} appears twice in account {parent.key!r}")
        parent.children[key] = value
        parent.end = i
    return lines, blocks


def merge_account(existing: str | None, account: str, values: list[tuple[str, str]], *,
                  header: str, replace: bool = False) -> str:
    """``existing`` with the account's block added (or replaced when ``replace``).

    A new file gets ``header`` (comment lines) and ``version: '1.0'`` first. Raises
    PsaYamlError for a file outside the subset and AccountExists when the block exists and
    ``replace`` is False.
    """
    if existing is None or not existing.strip():
        body = [*header.splitlines(), "version: '1.0'", *_block(account, values, 2)]
        return "\n".join(body) + "\n"
    newline = "\r\n" if "\r\n" in existing else "\n"
    lines, blocks = parse_psa_yaml(existing)
    bom = "\ufeff" if existing.startswith("\ufeff") else ""
    indent = next((b.indent for b in blocks if b.indent), 2)
    new = _block(account, values, indent)
    found = next((b for b in blocks if b.key == account), None)
    if found is not None and not replace:
        raise AccountExists(account, found.start + 1)
    if found is not None:
        lines[found.start: found.end + 1] = new
    else:
        if lines and lines[-1].strip():
            lines.append("")
        lines.extend(new)
    merged = bom + newline.join(lines) + newline
    _check_round_trip(merged, account, values)
    return merged


def _block(account: str, values: list[tuple[str, str]], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{yaml_key(account)}:", *(f"{pad}{k}: {yaml_quote(v)}" for k, v in values)]


def _check_round_trip(text: str, account: str, values: list[tuple[str, str]]) -> None:
    """Read the merged text back: the account must hold exactly ``values``."""
    _, blocks = parse_psa_yaml(text)
    block = next(b for b in blocks if b.key == account)
    if block.children != dict(values):  # pragma: no cover - a bug, never user input
        raise AssertionError("the merged credentials.yml does not read back as written")


# --- where each file goes ------------------------------------------------------------------

def psa_config_dir(env: Mapping[str, str] = os.environ, system: str | None = None,
                   home: Path | None = None) -> Path:
    """The directory python-amazon-sp-api's confuse reads, by confuse's own rules."""
    if PSA_DIR_ENV in env:
        return Path(os.path.abspath(os.path.expanduser(env[PSA_DIR_ENV])))
    system = system or platform.system()
    home = home or Path.home()
    if system == "Windows":
        bases = [home / "AppData" / "Roaming"]
        if env.get("APPDATA"):
            bases.append(Path(env["APPDATA"]))
    else:
        bases = [home / ".config"]
        if system == "Darwin":
            bases.append(home / "Library" / "Application Support")
        if env.get("XDG_CONFIG_HOME") is not None:
            bases.append(Path(env["XDG_CONFIG_HOME"]))
        bases += [Path(p) for p in env.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":")]
        bases.append(Path("/etc"))
    for base in bases:  # confuse picks the first with a config.yaml, else the first
        if (base / "python-sp-api" / "config.yaml").is_file():
            return base / "python-sp-api"
    return bases[0] / "python-sp-api"


def default_path(fmt: str, *, env: Mapping[str, str] = os.environ, system: str | None = None,
                 home: Path | None = None) -> Path | None:
    """Where ``fmt`` goes when no ``--output`` is given; None means stdout."""
    if fmt == "psa-yaml":
        return psa_config_dir(env, system, home) / PSA_FILE
    if fmt == "amz-tools":  # the library's _getHomeDir: HOME, then USERPROFILE
        base = env.get("HOME") or env.get("USERPROFILE")
        return (Path(base) if base else home or Path.home()) / ".amzspapi" / "credentials"
    return None
