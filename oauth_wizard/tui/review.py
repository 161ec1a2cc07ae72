"""What the Review step shows: the consent URL built from the wizard's values, the linter's
findings on it, and every warning the steps left, with the step that still blocks, if any."""

from __future__ import annotations

from dataclasses import dataclass

from oauth_wizard.consent.url import ConsentError, LintResult, build_consent_url, lint_consent_url
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import ConsentUrl
from oauth_wizard.core.validation import Problem
from oauth_wizard.tui.state import (
    STEP_TITLES,
    STEPS,
    WizardState,
    blocking_message,
    check_step,
    errors,
    first_invalid_step,
    to_profile,
)


@dataclass(frozen=True)
class Review:
    """Everything the Review step shows: the URL (if it can be built), lint findings, warnings."""

    consent: ConsentUrl | None
    lint: LintResult | None
    warnings: tuple[Problem, ...]
    error: str | None = None
    profile: AppProfile | None = None  # the validated profile the URL was built for


def build_review(ws: WizardState) -> Review:
    """Build and lint the consent URL for the entered values.

    Warnings are the non-blocking problems of every step, except the seller-marketplace ones
    that the consent URL's own notes already state. The linter's notes are not returned: for a
    URL the builder made they only repeat the builder's notes.
    """
    warnings: list[Problem] = []
    for step in STEPS[:-1]:
        warnings += [p for p in check_step(ws, step)
                     if not p.blocking and p.field != "seller_marketplace" and p not in warnings]
    invalid = first_invalid_step(ws)
    if invalid:
        first = errors(check_step(ws, invalid))[0]
        return Review(None, None, tuple(warnings), f"Step '{STEP_TITLES[invalid]}' still has an "
                      f"error: {blocking_message(first)}")
    built = to_profile(ws)
    if not built.ok:
        return Review(None, None, tuple(warnings), blocking_message(built.errors()[0]))
    profile = built.profile
    try:
        consent = build_consent_url(profile, ws.seller_marketplace, ws.csrf_state,
                                    ws.consent_redirect_uri())
    except ConsentError as exc:
        return Review(None, None, tuple(warnings), str(exc))
    lint = lint_consent_url(consent.url, app_state=profile.app_state,
                            marketplace=consent.marketplace, kind=profile.kind,
                            registered_redirects=profile.redirect_uris)
    return Review(consent, lint, tuple(warnings), profile=profile)
