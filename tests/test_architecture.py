"""The wall between UI and I/O (DESIGN.md) is enforced by import-linter in CI; this test makes
sure every module is actually covered by those contracts, so a new module cannot slip past."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_MODULES = {"oauth_wizard.app", "oauth_wizard.screens"}
EXEMPT = {"oauth_wizard.__init__", "oauth_wizard.__main__"}


def _contracts() -> list[dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["importlinter"]["contracts"]


def _package_modules() -> set[str]:
    return {f"oauth_wizard.{p.stem}" for p in (ROOT / "oauth_wizard").glob("*.py")} - EXEMPT


def test_every_non_ui_module_is_barred_from_textual() -> None:
    textual_contract = next(c for c in _contracts() if "textual" in c["forbidden_modules"])
    expected = _package_modules() - UI_MODULES
    assert set(textual_contract["source_modules"]) == expected


def test_ui_modules_are_barred_from_network_keyring_and_sockets() -> None:
    io_contract = next(c for c in _contracts() if "httpx" in c["forbidden_modules"])
    assert set(io_contract["source_modules"]) == UI_MODULES
    assert {"httpx", "aiohttp", "keyring", "socket", "ssl", "http"} <= set(
        io_contract["forbidden_modules"]
    )


def test_domain_modules_never_reach_up_into_the_ui() -> None:
    up = next(c for c in _contracts() if "oauth_wizard.app" in c["forbidden_modules"])
    assert set(up["source_modules"]) == _package_modules() - UI_MODULES - {"oauth_wizard.cli"}


def test_screens_do_not_import_io_modules_directly() -> None:
    forbidden = ("import httpx", "import keyring", "import socket", "import ssl", "http.server",
                 "import aiohttp", "from httpx", "from keyring", "from aiohttp")
    screens = (ROOT / "oauth_wizard" / "screens").glob("*.py")
    for path in [ROOT / "oauth_wizard" / "app.py", *screens]:
        if not path.exists():
            continue
        text = path.read_text("utf-8")
        assert not any(f in text for f in forbidden), path
