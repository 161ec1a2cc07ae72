"""The built-in registry of ``oauth-wizard demo`` and ``oauth-wizard simulate``.

One draft seller app and two sellers, one of them with a secondary user, so the demo can show
both a successful authorization and Amazon's refusals. The URIs are the catcher's, known only
at run time.
"""

from __future__ import annotations

from oauth_wizard.simulator.registry import Registry, parse_registry

DEMO_APP_ID = "amzn1.sp.solution.5e1f0000-de70-4000-8000-000000000001"
DEMO_CLIENT_ID = "amzn1.application-oa2-client." + "de70" * 8
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1." + "5ec7" * 16  # noqa: S105 - the simulator's own fake


def demo_registry(login_uri: str, redirect_uri: str) -> Registry:
    """The built-in registry: one draft seller app and two sellers, one with a secondary user.

    The URIs are the catcher's, known only at run time. Lee's seller also sells in JP, which
    the app does not support, so the demo can show MD5100 in FE.
    """
    return parse_registry({
        "apps": [{
            "name": "Demo Repricer (simulated)", "app_id": DEMO_APP_ID,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
            "app_state": "draft", "kind": "seller", "login_uri": login_uri,
            "redirect_uris": [redirect_uri],
            "marketplaces": ["US", "CA", "MX", "DE", "FR", "UK", "IT", "ES"],
        }],
        "sellers": [
            {"selling_partner_id": "A1SIMPATSTORE", "store_name": "Pat's Demo Store",
             "marketplaces": ["US", "CA", "DE", "FR", "UK"],
             "users": [{"name": "Pat", "primary": True}, {"name": "Sam", "primary": False}]},
            {"selling_partner_id": "A2SIMLEESTORE", "store_name": "Lee's Demo Store",
             "marketplaces": ["US", "JP"], "users": [{"name": "Lee", "primary": True}]},
        ],
    }, "demo registry")
