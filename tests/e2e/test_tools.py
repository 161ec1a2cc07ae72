"""The end-to-end layer's rule for missing tools: fail in CI, skip elsewhere, name the package."""

from __future__ import annotations

import pytest
from e2e_tools import require

MISSING = "oauth-wizard-e2e-no-such-tool"


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_a_missing_tool_fails_in_ci_naming_the_debian_package(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="apt-get install gnome-keyring"):
        require(MISSING, "gnome-keyring")


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_missing_tool_skips_outside_ci_naming_the_debian_package(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="Debian package 'chromium'"):
        require("/nonexistent/" + MISSING, "chromium")


def test_a_present_tool_is_found_by_name_and_by_path():
    assert require("sh", "dash").endswith("/sh")
    assert require("/bin/sh", "dash") == "/bin/sh"
