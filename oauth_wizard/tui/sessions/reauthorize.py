"""The wizard's values for authorizing a saved profile again (Profiles screen, ``r``).

Pure: a ``ProfileRecord`` and the authorization chosen in, a ``WizardState`` out, so the
Review step opens with every value the profile holds and the marketplace that authorization
covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oauth_wizard.core.records import ProfileRecord
    from oauth_wizard.keep.reports import AuthRef
    from oauth_wizard.tui.state import WizardState


def wizard_state_for(record: ProfileRecord, ref: AuthRef | None, client_secret: str,
                     csrf_state: str, *, demo: bool) -> WizardState:
    """The wizard's values for authorizing ``record`` again: in a marketplace the authorization
    ``ref`` covers (else one of its region), or in the app's first marketplace."""
    from oauth_wizard.keep.commands import marketplace_for
    from oauth_wizard.tui.state import WizardState

    app = record.app
    auth = record.authorization(ref.region, ref.selling_partner_id) if ref else None
    known = [c for c in (auth.marketplaces if auth else ()) if c in app.marketplaces]
    market = (known[0] if known else marketplace_for(record, ref.region) if ref is not None
              else (app.marketplaces[0] if app.marketplaces else ""))
    publish = ("published_pending" if app.app_state == "published" and app.edits_pending
               else app.app_state)
    return WizardState(
        app_id=app.app_id, client_id=app.client_id, client_secret=client_secret, kind=app.kind,
        publish=publish, hybrid=app.hybrid, dev_ids=tuple(app.dev_ids),
        marketplaces=tuple(app.marketplaces), seller_marketplace=market,
        login_uri=app.login_uri or "", redirect_uris=tuple(app.redirect_uris) or ("",),
        csrf_state=csrf_state, demo=demo, profile_name=record.name)
