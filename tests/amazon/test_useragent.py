"""The SP-API user agent: Amazon's format, its escaping rules and the 500-character limit (§8)."""

from __future__ import annotations

import re
import sys

import httpx
import pytest

from oauth_wizard.amazon import useragent
from oauth_wizard.amazon.useragent import MAX_LENGTH, UNKNOWN_VERSION, build, user_agent


def test_default_format():
    ua = user_agent(version="1.2.3", python="3.11", platform="Linux")
    assert ua == "oauth-wizard/1.2.3 (Language=Python/3.11; Platform=Linux)"


def test_defaults_come_from_the_running_interpreter():
    ua = user_agent()
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert re.fullmatch(rf"oauth-wizard/\S+ \(Language=Python/{re.escape(py)}; Platform=.+\)", ua)


def test_version_falls_back_when_not_installed(monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert useragent.package_version() == UNKNOWN_VERSION == "0+unknown"


@pytest.mark.parametrize(("name", "version", "attrs", "expected"), [
    ("a/b\\c", "1", [], "a\\/b\\\\c/1"),
    ("app", "1(beta)", [], "app/1\\(beta)"),
    ("app", "1", [("k=x", "v")], "app/1 (k\\=x=v)"),
    ("app", "1", [("k", "a;b)c")], "app/1 (k=a\\;b\\)c)"),
    ("app", "1", [("Language", "Python/3.12")], "app/1 (Language=Python/3.12)"),
])
def test_escaping_rules(name, version, attrs, expected):
    assert build(name, version, attrs) == expected


def test_non_ascii_and_control_characters_cannot_reach_the_header():
    ua = user_agent(version="1\r\nX-Evil: 1", python="3.11", platform="Lïnux")
    assert "\r" not in ua and "\n" not in ua and ua.isascii()
    httpx.Headers({"user-agent": ua})  # encodable as a header


def test_too_long_drops_attributes_then_shortens_to_the_limit():
    long_platform = "P" * 600
    ua = user_agent(version="1.0", python="3.11", platform=long_platform)
    assert ua == "oauth-wizard/1.0 (Language=Python/3.11)"
    huge = user_agent(version="9" * 800, python="3.11", platform="Linux")
    assert len(huge) <= MAX_LENGTH and huge.startswith("oauth-wizard/999")
    assert huge.endswith("(Language=Python/3.11)")


def test_truncation_never_leaves_a_dangling_escape():
    ua = build("app", "(" * 400, [("Language", ";" * 400)], limit=120)
    assert len(ua) <= 120
    assert re.fullmatch(r"app/(?:\\\()+ \(Language=(?:\\;)+\)", ua), ua
