"""The demo app: a draft seller app whose values prefill the wizard for `oauth-wizard demo`.

Fixed values (no randomness) so the demo and its tests always show the same URL. The host
names are under ``example.test``, a reserved name that never resolves on the internet.
"""

from __future__ import annotations

from .wizard_state import WizardState

DEMO_APP_ID = "amzn1.sp.solution.3f2a9c4e-7b1d-4e8a-9c6f-0d5b8e2a1c47"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.4c7e1f0a9b2d4e6f8a1c3e5b7d9f0a2c"
DEMO_MARKETPLACES = ("US", "CA", "MX", "DE")
DEMO_SELLER_MARKETPLACE = "DE"
DEMO_LOGIN_URI = "https://spapi-dev.example.test/amazon/login"
DEMO_REDIRECT_URIS = ("https://spapi-dev.example.test/amazon/callback",)


def demo_state(csrf_state: str) -> WizardState:
    """The wizard prefilled with the demo app: draft, seller, not hybrid, authorizing in DE."""
    return WizardState(
        app_id=DEMO_APP_ID,
        client_id=DEMO_CLIENT_ID,
        kind="seller",
        publish="draft",
        hybrid=False,
        marketplaces=DEMO_MARKETPLACES,
        seller_marketplace=DEMO_SELLER_MARKETPLACE,
        login_uri=DEMO_LOGIN_URI,
        redirect_uris=DEMO_REDIRECT_URIS,
        consent_redirect=0,
        csrf_state=csrf_state,
        demo=True,
    )
