"""Checks for the Login and Redirect URIs a user registers or pastes, as Amazon's app
registration form and consent page accept them: https only, no fragment, and a warning for
``localhost`` with the alternatives that work.

One rule for every front end: when the endpoints point at a simulator (``simulated``: the demo,
or ``OAUTH_WIZARD_PORTAL_URL`` set), an http URI on this machine is accepted with a warning
that real Amazon refuses it, because the simulator and the catcher run on loopback without TLS.
Facts (spapi-authorization.md §7): http://localhost is refused by the registration form;
whether https://localhost is accepted is uncertain.
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (localhost names, loopback addresses)."""
    return _is_loopback(host)


def localhost_problem(host: str, fld: str, label: str) -> Problem:
    """What Amazon's app registration does with a loopback host, with the doubt the
    reference records (spapi-authorization.md §7): the wizard's URI step and lint-url say it
    the same way."""
    return Problem(
        fld, "warning",
        f"Amazon's app registration refuses http://{host}; whether it accepts "
        f"https://{host} as a {label} is uncertain (some guides show it).",
        "To be safe, " + LOCALHOST_ALTERNATIVES + ".")


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


SIMULATED_NOTE = ("accepted here because the endpoints point at a simulator (the demo, or "
                  "OAUTH_WIZARD_PORTAL_URL)")


def check_uri(raw: str, fld: str, label: str, *, simulated: bool = False) -> Checked:
    """A Login or Redirect URI as Amazon's app registration form accepts it (``simulated``:
    as the simulator accepts it, see the module docstring)."""
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
    loopback = bool(host) and _is_loopback(host)
    if simulated and loopback and scheme.lower() == "http":
        problems.append(Problem(
            fld, "warning", f"Real Amazon refuses this {label} (http, on this machine); it is "
            f"{SIMULATED_NOTE}.", "For a real app, " + LOCALHOST_ALTERNATIVES + "."))
        loopback = False  # said once, above
    elif scheme.lower() != "https":
        refuses = (f", and its app registration refuses {host}" if loopback else "")
        problems.append(Problem(
            fld, "error",
            f"The {label} uses {scheme or 'no scheme'}; Amazon accepts only https Login and "
            f"Redirect URIs{refuses}.",
            ("Instead, " + LOCALHOST_ALTERNATIVES + ".") if loopback
            else _https_fix(value, scheme),
        ))
        loopback = False  # one piece of advice per URI
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
    if loopback:
        problems.append(localhost_problem(host, fld, label))
    return Checked(value, tuple(problems))
