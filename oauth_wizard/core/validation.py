"""Checks for the identifiers a user pastes: app id, LWA client id and secret, MWS
developer ids, profile names (Login/Redirect URIs: ``uris.py``).

Each check returns the cleaned value and a list of ``Problem``s worded for a person: what is
wrong, where, and what to do. Pasting damage (surrounding spaces, quotes, a trailing newline)
is cleaned and reported; damage inside a value is an error, because guessing could authorize
the wrong thing. Secrets are never echoed in a message.
"""

from __future__ import annotations

import re
from typing import Literal

from oauth_wizard.core.frozen import Fresh, record

Severity = Literal["error", "warning", "note"]

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
APP_ID_PREFIXES = ("amzn1.sp.solution.", "amzn1.sellerapps.app.")
APP_ID_RE = re.compile(r"amzn1\.(?:sp\.solution|sellerapps\.app)\." + UUID)
CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
CLIENT_ID_RE = re.compile(re.escape(CLIENT_ID_PREFIX) + r"[0-9a-f]{32}")
CLIENT_SECRET_PREFIX = "amzn1.oa2-cs.v1."  # noqa: S105 - the public prefix, not a secret
CLIENT_SECRET_RE = re.compile(re.escape(CLIENT_SECRET_PREFIX) + r"[0-9a-f]{64}")
LEGACY_SECRET_RE = re.compile(r"[0-9a-f]{64}")
PROFILE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@record
class Problem:
    """One finding about one field, worded for the user."""

    field: str
    severity: Severity
    message: str
    fix: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


@record
class Checked:
    """A cleaned value and what was found on the way."""

    value: str
    problems: tuple[Problem, ...] = Fresh(tuple)

    @property
    def ok(self) -> bool:
        return not any(p.blocking for p in self.problems)


def describe_char(ch: str) -> str:
    names = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", " ": "a space"}
    if ch in names:
        return names[ch]
    if ch in "\"'`\u2018\u2019\u201c\u201d":
        return "a quote"
    if not ch.isprintable() or ch.isspace():
        return f"an invisible character (U+{ord(ch):04X})"
    return repr(ch)


_EDGE_JUNK = " \t\r\n\f\v\u00a0\u200b\ufeff\"'`\u2018\u2019\u201c\u201d<>"


def clean_paste(raw: str, fld: str, label: str) -> tuple[str, list[Problem]]:
    """Strip what pasting typically adds around a value, and say that the value is used without
    it (a field on screen may still show it, so the note says what is used, not what was done)."""
    problems: list[Problem] = []
    value = raw.strip(_EDGE_JUNK)
    if value != raw and value:
        removed = {describe_char(c) for c in raw[: len(raw) - len(raw.lstrip(_EDGE_JUNK))]}
        removed |= {describe_char(c) for c in raw[len(raw.rstrip(_EDGE_JUNK)):]}
        problems.append(
            Problem(fld, "note", f"The {label} is used without {' and '.join(sorted(removed))} "
                    "pasted around it.")
        )
    return value, problems


def inner_damage(value: str, fld: str, label: str, secret: bool = False) -> Problem | None:
    """An error for whitespace, quotes or control characters inside a value."""
    for i, ch in enumerate(value):
        if ch.isspace() or not ch.isprintable() or ch in "\"'`\u2018\u2019\u201c\u201d":
            if secret:
                where = f"at character {i + 1}"
            else:
                where = f"after {value[:i]!r}" if i else "at the start"
            return Problem(
                fld,
                "error",
                f"The {label} contains {describe_char(ch)} {where}; it was probably damaged "
                "when copied (wrapped line, chat formatting).",
                f"Copy the {label} again from its source and paste it on one line.",
            )
    return None


def _looks_like(value: str) -> str | None:
    """Name the kind of identifier a value actually is, to catch swapped fields."""
    v = value.lower()
    if v.startswith(CLIENT_ID_PREFIX):
        return "client_id"
    if v.startswith(APP_ID_PREFIXES):
        return "app_id"
    if v.startswith(CLIENT_SECRET_PREFIX):
        return "client_secret"
    if v.startswith("atzr|"):
        return "refresh_token"
    if v.startswith("atza|"):
        return "access_token"
    if v.startswith("amzn.mws."):
        return "mws_auth_token"
    if LEGACY_SECRET_RE.fullmatch(v):
        return "client_secret"
    return None


_KIND_NAMES = {
    "client_id": "an LWA client ID (amzn1.application-oa2-client.…)",
    "app_id": "an app ID (amzn1.sp.solution.… or amzn1.sellerapps.app.…)",
    "client_secret": "an LWA client secret",
    "refresh_token": "a refresh token (Atzr|…)",
    "access_token": "an access token (Atza|…)",
    "mws_auth_token": "an MWS auth token",
}


SECRET_KINDS = ("client_secret", "refresh_token", "access_token")


def pasted_secret(value: str, fld: str, label: str) -> Problem | None:
    """An error that does not repeat the value, when a secret was pasted into another field."""
    kind = _looks_like(value)
    if kind not in SECRET_KINDS:
        return None
    return Problem(
        fld, "error",
        f"This looks like {_KIND_NAMES[kind]}, not the {label}; it is not repeated here because "
        "it is a secret.",
        f"Paste the {label} in this field; secrets go only in their own masked fields.",
    )


def _lower_prefix(value: str, prefixes: tuple[str, ...]) -> str | None:
    """``value`` with a wrongly capitalised known prefix written in lower case, else None."""
    for prefix in prefixes:
        if value.lower().startswith(prefix) and not value.startswith(prefix):
            return prefix + value[len(prefix):]
    return None


def check_app_id(raw: str) -> Checked:
    """The app ID that goes into ``application_id`` of the consent URL."""
    fld, label = "app_id", "app ID"
    value, problems = clean_paste(raw, fld, label)
    if not value:
        return Checked(value, (*problems, Problem(fld, "error", "The app ID is empty.",
                       "Copy it from the Solution Provider Portal: Develop Apps, the app's "
                       "row, 'App ID'.")))
    damage = pasted_secret(value, fld, label) or inner_damage(value, fld, label)
    if damage:
        return Checked(value, (*problems, damage))
    kind = _looks_like(value)
    if kind == "client_id":
        problems.append(Problem(
            fld, "error",
            "This is the LWA client ID, not the app ID. Amazon answers a consent URL whose "
            "application_id holds the client ID with MD1000.",
            "Use the app ID (amzn1.sp.solution.… or amzn1.sellerapps.app.…) from Develop Apps; "
            "the client ID belongs in the 'LWA client ID' field.",
        ))
    elif kind and kind != "app_id":
        problems.append(Problem(fld, "error",
                                f"This looks like {_KIND_NAMES[kind]}, not an app ID.",
                                "Paste the app ID from Develop Apps (amzn1.sp.solution.<uuid>)."))
    elif APP_ID_RE.fullmatch(value):
        pass
    elif APP_ID_RE.fullmatch(_lower_prefix(value, APP_ID_PREFIXES) or ""):
        problems.append(Problem(
            fld, "error", "The app ID's prefix must be in lower case, as Develop Apps shows it.",
            f"Use {_lower_prefix(value, APP_ID_PREFIXES)}.",
        ))
    elif re.fullmatch(UUID, value):
        problems.append(Problem(
            fld, "error", "The app ID is missing its prefix: only the UUID part was pasted.",
            f"Use amzn1.sp.solution.{value} (or amzn1.sellerapps.app.{value} for an older app), "
            "exactly as Develop Apps shows it.",
        ))
    elif value.lower().startswith(APP_ID_PREFIXES):
        problems.append(Problem(
            fld, "error",
            "The app ID has the right prefix but the part after it is not a UUID "
            "(8-4-4-4-12 hex digits); it looks cut short or mistyped.",
            "Copy the whole app ID again from Develop Apps.",
        ))
    else:
        problems.append(Problem(
            fld, "error",
            "This is not an SP-API app ID; app IDs look like amzn1.sp.solution.<uuid> "
            "(or amzn1.sellerapps.app.<uuid> for older apps).",
            "Copy the app ID from the Solution Provider Portal: Develop Apps, the app's row.",
        ))
    return Checked(value, tuple(problems))


def check_client_id(raw: str) -> Checked:
    """The LWA client ID (``amzn1.application-oa2-client.`` + 32 hex)."""
    fld, label = "client_id", "LWA client ID"
    value, problems = clean_paste(raw, fld, label)
    if not value:
        return Checked(value, (*problems, Problem(
            fld, "error", "The LWA client ID is empty.",
            "Develop Apps → the app → LWA credentials → View: copy 'Client identifier'.")))
    damage = pasted_secret(value, fld, label) or inner_damage(value, fld, label)
    if damage:
        return Checked(value, (*problems, damage))
    kind = _looks_like(value)
    if kind == "app_id":
        problems.append(Problem(
            fld, "error",
            "This is the app ID, not the LWA client ID; the two fields look swapped.",
            "Put this value in 'App ID' and copy the client ID (amzn1.application-oa2-client.…) "
            "from the app's LWA credentials.",
        ))
    elif kind and kind != "client_id":
        problems.append(Problem(fld, "error",
                                f"This looks like {_KIND_NAMES[kind]}, not a client ID.",
                                "Copy 'Client identifier' from the app's LWA credentials."))
    elif CLIENT_ID_RE.fullmatch(value):
        pass
    elif re.fullmatch(r"[0-9a-f]{32}", value):
        problems.append(Problem(
            fld, "error",
            "The client ID is missing its prefix: only the 32 hex digits were pasted.",
            f"Use {CLIENT_ID_PREFIX}{value}.",
        ))
    elif CLIENT_ID_RE.fullmatch(_lower_prefix(value, (CLIENT_ID_PREFIX,)) or ""):
        problems.append(Problem(
            fld, "error", "The client ID's prefix must be in lower case, as the LWA credentials "
            "show it.", f"Use {_lower_prefix(value, (CLIENT_ID_PREFIX,))}.",
        ))
    elif value.lower().startswith(CLIENT_ID_PREFIX):
        tail = value[len(CLIENT_ID_PREFIX):]
        detail = (f"has {len(tail)} characters after the prefix; expected 32 hex digits"
                  if re.fullmatch(r"[0-9a-f]*", tail) else
                  "has characters that are not lower-case hex digits after the prefix")
        problems.append(Problem(fld, "error",
                                f"The client ID {detail}; it looks cut short or mistyped.",
                                "Copy 'Client identifier' again from the app's LWA credentials."))
    else:
        problems.append(Problem(
            fld, "error",
            "This is not an LWA client ID; it should look like "
            "amzn1.application-oa2-client.<32 hex digits>.",
            "Copy 'Client identifier' from the app's LWA credentials (Develop Apps → View).",
        ))
    return Checked(value, tuple(problems))


def check_client_secret(raw: str, required: bool = False) -> Checked:
    """The LWA client secret. Its shape is community-observed, so a mismatch only warns."""
    fld, label = "client_secret", "client secret"
    value, problems = clean_paste(raw, fld, label)
    if not value:
        if required:
            problems.append(Problem(fld, "error", "The client secret is empty.",
                                    "Copy 'Client secret' from the app's LWA credentials."))
        return Checked(value, tuple(problems))
    damage = inner_damage(value, fld, label, secret=True)
    if damage:
        return Checked(value, (*problems, damage))
    kind = _looks_like(value)
    if kind and kind != "client_secret":
        problems.append(Problem(fld, "error",
                                f"This looks like {_KIND_NAMES[kind]}, not a client secret.",
                                "Copy 'Client secret' from the app's LWA credentials."))
    elif not (CLIENT_SECRET_RE.fullmatch(value) or LEGACY_SECRET_RE.fullmatch(value)):
        problems.append(Problem(
            fld, "warning",
            f"The client secret does not have the usual shape ({CLIENT_SECRET_PREFIX} + 64 hex "
            f"digits; {len(value)} characters were given). This shape is observed, not documented, "
            "so it may still be right.",
            "If LWA later answers invalid_client, copy the secret again.",
        ))
    return Checked(value, tuple(problems))


def check_dev_id(raw: str, region: str) -> Checked:
    """An MWS developer ID: shown as a 12-digit number in Developer Central (community-observed)."""
    fld, label = f"dev_id_{region}", f"{region} MWS developer ID"
    value, problems = clean_paste(raw, fld, label)
    compact = re.sub(r"[\s-]", "", value).strip(_EDGE_JUNK)
    if not compact:
        return Checked(compact, (*problems, Problem(
            fld, "error", f"The {label} is empty.",
            "Copy it from the Developer Central page of that region, or leave the region out.")))
    kind = _looks_like(compact)
    if kind:
        wrong = pasted_secret(compact, fld, label) or Problem(
            fld, "error", f"This looks like {_KIND_NAMES[kind]}, not the {label}.",
            "Copy the developer ID (a number) from Developer Central for that region.")
        return Checked(compact, (*problems, wrong))
    if not compact.isdigit():
        # the position as the user typed it (dashes and spaces included), not in the compact form
        shown = value.strip(_EDGE_JUNK)
        i, ch = next((i, c) for i, c in enumerate(shown)
                     if not (c.isdigit() or c == "-" or c.isspace()))
        return Checked(compact, (*problems, Problem(
            fld, "error",
            f"The {label} must be digits only; it has {describe_char(ch)} at character {i + 1}.",
            "MWS developer IDs are numbers (12 digits in Developer Central), not account ids "
            "or tokens.")))
    if len(compact) != 12:
        problems.append(Problem(
            fld, "warning",
            f"The {label} has {len(compact)} digits; the ones seen in Developer Central have 12 "
            "(observed by users, not documented).",
            "Check it against Developer Central for that region.",
        ))
    return Checked(compact, tuple(problems))


def check_profile_name(raw: str) -> Checked:
    """A profile name: short and file-safe; never a secret, since names are stored in plain text."""
    value = raw.strip()
    secret = pasted_secret(value.strip(_EDGE_JUNK), "name", "profile name")
    if secret:
        return Checked(value, (secret,))
    if PROFILE_NAME_RE.fullmatch(value):
        return Checked(value)
    return Checked(value, (Problem(
        "name", "error",
        f"Profile name {value!r} is not allowed." if value else "The profile name is empty.",
        "Use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    ),))
