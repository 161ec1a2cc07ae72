"""The wall between UI and I/O (DESIGN.md) is enforced by import-linter in CI; this test makes
sure every capability package is actually covered by those contracts, so a new package cannot
slip past."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "oauth_wizard"
UI_MODULES = {"oauth_wizard.tui.app", "oauth_wizard.tui.screens"}


def _contracts() -> list[dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["importlinter"]["contracts"]


def _capability_packages() -> set[str]:
    return {f"oauth_wizard.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}


def test_the_root_holds_only_the_entry_points() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py"}


def test_every_package_but_the_tui_is_barred_from_textual() -> None:
    textual_contract = next(c for c in _contracts() if "textual" in c["forbidden_modules"])
    assert set(textual_contract["source_modules"]) == _capability_packages() - {"oauth_wizard.tui"}


def test_ui_modules_are_barred_from_network_keyring_and_sockets() -> None:
    io_contract = next(c for c in _contracts() if "httpx" in c["forbidden_modules"])
    assert set(io_contract["source_modules"]) == UI_MODULES
    assert {"httpx", "aiohttp", "keyring", "socket", "ssl", "http"} <= set(
        io_contract["forbidden_modules"]
    )


def test_screens_do_not_import_io_modules_directly() -> None:
    forbidden = ("import httpx", "import keyring", "import socket", "import ssl", "http.server",
                 "import aiohttp", "from httpx", "from keyring", "from aiohttp")
    screens = (PACKAGE / "tui" / "screens").glob("*.py")
    for path in [PACKAGE / "tui" / "app.py", *screens]:
        text = path.read_text("utf-8")
        assert not any(f in text for f in forbidden), path
