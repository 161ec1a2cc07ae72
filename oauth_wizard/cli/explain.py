"""The doctor's word under another command's failure (``authorize``, ``verify``, ``self-auth``):
the top cause for the error with the facts the command already knows, in compact form, on
stderr. ``diagnose`` itself is ``cli/diagnose.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from oauth_wizard.cli.common import width
from oauth_wizard.doctor.facts import DoctorFactError

if TYPE_CHECKING:
    from oauth_wizard.core.profile import AppProfile


def explain_failure(message: str, cause: str | None, facts: Mapping[str, str],
                    profile: AppProfile | None = None, *, more: str | None = None,
                    stream: TextIO | None = None) -> bool:
    """Print the doctor's top cause and fix for a failure that named ``cause``; False (and
    nothing printed) when the doctor does not know the cause or the facts do not parse."""
    from oauth_wizard.doctor.diagnosis import diagnose
    from oauth_wizard.doctor.knowledge import KnowledgeError, load
    from oauth_wizard.doctor.render import compact_text

    try:
        kb = load()
    except KnowledgeError:
        return False
    if not cause or cause not in kb.causes:
        return False
    known = dict(facts)
    via = kb.causes[cause].via
    if "via" not in known and via:
        known["via"] = next((v for v in ("consent", "token-exchange") if v in via), via[0])
    known["cause"] = cause
    try:
        diagnosis = diagnose(message, known, profile, kb=kb)
    except DoctorFactError:
        return False
    out = sys.stderr if stream is None else stream
    out.write(compact_text(diagnosis, width=width(), more=more))
    out.flush()
    return True
