"""The demo app: the wizard prefilled with the simulator's demo app, for `oauth-wizard demo`.

The values are the built-in simulator registry's (``simulator.demo_registry``), so the
demo's consent URL, code exchange and token all work against the local simulator. Only the
Login/Redirect URIs vary: they point at the catcher on a free local port chosen at run time.
"""

from __future__ import annotations

from oauth_wizard.core.errors import WizardError
from oauth_wizard.simulator.demo_registry import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from oauth_wizard.tui.state import WizardState

__all__ = ["DEMO_APP_ID", "DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "DEMO_MARKETPLACES",
           "DEMO_PROFILE", "DEMO_SELLER_MARKETPLACE", "demo_state", "demo_uris"]

DEMO_MARKETPLACES = ("US", "CA", "MX", "DE", "FR", "UK", "IT", "ES")  # the registry's app
DEMO_SELLER_MARKETPLACE = "DE"  # Pat's store sells there (EU)
DEMO_PROFILE = "demo"
LOGIN_PATH = "/sp-api/login"
CALLBACK_PATH = "/sp-api/callback"


def demo_uris(port: int) -> tuple[str, str]:
    """The demo app's Login and Redirect URIs: the catcher on 127.0.0.1:``port``."""
    base = f"http://127.0.0.1:{port}"
    return base + LOGIN_PATH, base + CALLBACK_PATH


def demo_state(csrf_state: str, login_uri: str, redirect_uri: str) -> WizardState:
    """The wizard prefilled with the demo app: draft, seller, not hybrid, authorizing in DE.

    No redirect_uri in the consent URL: the simulator then uses the app's only registered one,
    as Amazon uses the first (and an http one would be flagged MD5101 by the linter).
    """
    return WizardState(
        app_id=DEMO_APP_ID,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        kind="seller",
        publish="draft",
        hybrid=False,
        marketplaces=DEMO_MARKETPLACES,
        seller_marketplace=DEMO_SELLER_MARKETPLACE,
        login_uri=login_uri,
        redirect_uris=(redirect_uri,),
        consent_redirect=None,
        csrf_state=csrf_state,
        demo=True,
        profile_name=DEMO_PROFILE,
    )


class DemoError(WizardError):
    """The demo could not do something; ``message`` says what, ``fix`` what to do."""
