"""The house (DESIGN.md, docs/architecture.md): capability packages in layers, enforced by
import-linter in CI. These tests make sure the contracts cover every package, so a new one
cannot slip past, and check at run time what the contracts promise: importing a screen loads no
HTTP, keyring or socket library."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "oauth_wizard"
HEAVY = ("httpx", "aiohttp", "keyring", "boto3")
SCREENS = sorted(f"oauth_wizard.tui.screens.{p.stem}" for p in (PACKAGE / "tui" / "screens").glob(
    "*.py") if p.stem != "__init__")


def _contracts() -> list[dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["importlinter"]["contracts"]


def _contract(kind: str, word: str) -> dict:
    return next(c for c in _contracts() if c["type"] == kind and word in c["name"])


def _capability_packages() -> set[str]:
    return {f"oauth_wizard.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}


def test_the_root_holds_only_the_entry_points() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py"}


def test_the_layers_name_every_package_once() -> None:
    layers = _contract("layers", "layers")["layers"]
    named = [name.strip() for layer in layers for name in layer.split("|")]
    assert sorted(named) == sorted(_capability_packages())
    assert layers[-1] == "oauth_wizard.core"


def test_no_contract_allows_indirect_imports() -> None:
    assert not any(c.get("allow_indirect_imports") for c in _contracts())


def test_every_package_but_the_tui_is_barred_from_textual() -> None:
    contract = _contract("forbidden", "textual")
    assert contract["forbidden_modules"] == ["textual"]
    assert set(contract["source_modules"]) == _capability_packages() - {"oauth_wizard.tui"}


def test_screens_and_app_are_barred_from_network_keyring_and_sockets() -> None:
    contract = _contract("forbidden", "network")
    assert set(contract["source_modules"]) == {"oauth_wizard.tui.app", "oauth_wizard.tui.screens"}
    assert {*HEAVY, "socket", "ssl", "http"} <= set(contract["forbidden_modules"])


@pytest.mark.parametrize("module", ["oauth_wizard.tui.app", *SCREENS])
def test_importing_a_screen_loads_no_network_or_keyring_library(module: str) -> None:
    code = (f"import sys, importlib\nimportlib.import_module({module!r})\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=True, cwd=ROOT)
    assert done.stdout.strip() == "", f"{module} loads {done.stdout.strip()}"


def test_no_module_is_longer_than_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > 400}
    assert long == {}


def test_the_commands_load_boto3_only_when_an_aws_option_is_used() -> None:
    """boto3 is an optional extra: importing every command module must not need it."""
    code = ("import sys, importlib, pkgutil, oauth_wizard.cli as c\n"
            "[importlib.import_module(f'oauth_wizard.cli.{m.name}') for m in "
            "pkgutil.iter_modules(c.__path__)]\n"
            "print(','.join(m for m in ('boto3', 'botocore', 'moto') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=True, cwd=ROOT)
    assert done.stdout.strip() == ""
