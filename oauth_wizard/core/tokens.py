"""Checks on what a user pastes for a self-authorization: the refresh token Seller Central shows
and the selling partner id, and the placeholder id kept when the id is not known.

Pure rules with no I/O, shared by the ``self-auth`` command, the Self-authorize screen and the
status report.
"""

from __future__ import annotations

import re

from oauth_wizard.core.marketplaces import REGIONS
from oauth_wizard.core.masking import scrub
from oauth_wizard.core.validation import Checked, Problem, clean_paste, inner_damage

FIELD, LABEL = "refresh_token", "refresh token"
TOKEN_PREFIX = "Atzr|"  # noqa: S105 - the public prefix of every LWA refresh token
PLACEHOLDER_PREFIX = "self-"
SELLING_PARTNER_RE = re.compile(r"[A-Z0-9]{6,32}")
MIN_TOKEN_LEN = 40  # real refresh tokens are several hundred characters [observed]
WHERE = ("Copy the whole token Seller Central shows after Authorize app (Apps and Services, "
         "Develop Apps, the app's Authorize link); it starts with Atzr|.")


def placeholder_id(region: str) -> str:
    """The id a self-authorization of ``region`` is kept under when the real one is unknown."""
    return f"{PLACEHOLDER_PREFIX}{region.upper()}"


def is_placeholder(selling_partner_id: str) -> bool:
    return selling_partner_id in {placeholder_id(r) for r in REGIONS}


def check_refresh_token(raw: str) -> Checked:
    """A pasted self-authorization token: ``Atzr|``, no inner spaces or quotes, not another
    credential. Messages never repeat the value, not even a part of it."""
    value, problems = clean_paste(raw, FIELD, LABEL)
    if not value:
        return Checked(value, (*problems, Problem(FIELD, "error", "The refresh token is empty.",
                                                  WHERE)))
    damage = inner_damage(value, FIELD, LABEL, secret=True)
    if damage:
        return Checked(value, (*problems, damage))
    low = value.lower()
    if low.startswith("atza|"):
        problems.append(Problem(FIELD, "error", "This is an access token (it starts with Atza|), "
                                "which lasts one hour; self-authorization needs the refresh "
                                "token.", WHERE))
    elif low.startswith("amzn1.oa2-cs.") or low.startswith("amzn1.application-oa2-client."):
        problems.append(Problem(FIELD, "error", "This is the app's LWA client ID or secret, not "
                                "a refresh token.", WHERE))
    elif low.startswith("amzn.mws."):
        problems.append(Problem(FIELD, "error", "This is an MWS auth token, not an SP-API "
                                "refresh token.", WHERE))
    elif low.startswith("atzr|") and not value.startswith(TOKEN_PREFIX):
        problems.append(Problem(FIELD, "error", "The refresh token's prefix is not written "
                                "Atzr| (the case differs), so it was changed after copying.",
                                "Copy the token again without editing it."))
    elif not value.startswith(TOKEN_PREFIX):
        problems.append(Problem(FIELD, "error", f"The refresh token does not start with "
                                f"{TOKEN_PREFIX} ({len(value)} characters were given), so it is "
                                "not an LWA refresh token or its start was cut off.", WHERE))
    elif len(value) < MIN_TOKEN_LEN:
        problems.append(Problem(FIELD, "error", f"The refresh token is only {len(value)} "
                                "characters long; real ones are several hundred, so it was "
                                "probably cut off when copied.", WHERE))
    return Checked(value, tuple(problems))


def check_selling_partner_id(raw: str) -> Checked:
    """An id given with ``--selling-partner``: Amazon's are upper-case letters and digits
    (the Merchant Token, e.g. A1B2C3D4E5F6G7); the placeholders are accepted as they are."""
    fld = "selling_partner_id"
    value = raw.strip()
    if value.lower().startswith(PLACEHOLDER_PREFIX) and \
            value[len(PLACEHOLDER_PREFIX):].upper() in REGIONS:
        return Checked(placeholder_id(value[len(PLACEHOLDER_PREFIX):]))
    if SELLING_PARTNER_RE.fullmatch(value):
        return Checked(value)
    if SELLING_PARTNER_RE.fullmatch(value.upper()):
        return Checked(value.upper(), (Problem(fld, "note", "Selling partner ids are upper "
                                               "case; it was read as upper case."),))
    shown = scrub(value, [])[:40]
    return Checked(value, (Problem(
        fld, "error", f"{shown!r} is not a selling partner id (6 to 32 upper-case letters and "
        "digits, such as A1B2C3D4E5F6G7).",
        "Copy the Merchant Token from Seller Central (Settings, Account Info, Your Merchant "
        "Token), or leave --selling-partner out."),))
