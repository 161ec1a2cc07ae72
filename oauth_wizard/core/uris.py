"""Checks for the Login and Redirect URIs a user registers or pastes, as Amazon's app
registration form and consent page accept them: https only, no fragment, and a warning for
``localhost`` with the alternatives that work.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from oauth_wizard.core.validation import Checked, Problem, clean_paste, inner_damage, pasted_secret

LOCAL_HOST_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

LOCALHOST_ALTERNATIVES = (
    "register a name you control that resolves to this machine (a hosts-file entry such as "
    "'127.0.0.1 spapi-dev.example.com', or a public DNS name pointing at 127.0.0.1) and let the "
    "wizard serve HTTPS there; or put an HTTPS tunnel/reverse proxy in front; or use paste-back "
    "mode with any HTTPS URI you own"
)


def _is_loopback(host: str) -> bool:
    if host in LOCAL_HOST_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _https_fix(value: str, scheme: str) -> str:
    if scheme.lower() == "http":
        return f"Use https{value[4:]} (and serve HTTPS there)."
    if not scheme:
        return f"Use https://{value.lstrip('/')}."
    return "Start it with https://."


def check_uri(raw: str, fld: str, label: str) -> Checked:
    """A Login or Redirect URI as Amazon's app registration form accepts it."""
    value, problems = clean_paste(raw, fld, label)
    if not value:
        return Checked(value, (*problems, Problem(
            fld, "error", f"The {label} is empty.",
            "Amazon needs both a Login URI and a Redirect URI for OAuth (MD9100 otherwise).")))
    damage = pasted_secret(value, fld, label) or inner_damage(value, fld, label)
    if damage:
        return Checked(value, (*problems, damage))
    try:
        parts = urlsplit(value)
        scheme = parts.scheme
        if "://" not in value and scheme.lower() not in ("http", "https"):
            # "host:8443/cb" parses as scheme "host"; read it as the scheme-less URL it is.
            scheme = ""
            parts = urlsplit("https://" + value.lstrip("/"))
        host = parts.hostname or ""
    except ValueError as exc:
        return Checked(value, (*problems, Problem(
            fld, "error", f"The {label} is not a valid URL ({exc}).",
            "Write it as https://host/path.")))
    if scheme.lower() != "https":
        problems.append(Problem(
            fld, "error",
            f"The {label} uses {scheme or 'no scheme'}; Amazon accepts only https Login and "
            "Redirect URIs.",
            _https_fix(value, scheme),
        ))
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        problems.append(Problem(
            fld, "error",
            f"The {label} has an invalid port in {parts.netloc!r}; a port is a number from 1 to "
            "65535.", "Write it as https://host:port/path, or leave the port out."))
        return Checked(value, tuple(problems))
    if not host:
        problems.append(Problem(fld, "error", f"The {label} has no host name.",
                                "Write it as https://host/path."))
    if "#" in value:
        problems.append(Problem(
            fld, "error",
            f"The {label} contains a fragment ('#…'); Amazon refuses it (MD5110) because "
            "OAuth redirect URIs may not have fragments.",
            f"Remove '#{parts.fragment}'.",
        ))
    if host and _is_loopback(host):
        problems.append(Problem(
            fld, "warning",
            f"Amazon's app registration refuses {host} as a {label} host.",
            "Instead, " + LOCALHOST_ALTERNATIVES + ".",
        ))
    return Checked(value, tuple(problems))
