"""What a built consent URL records about itself, and the refusal of an unregistered redirect
when the app has none (issue 14: these fields and words were unheld)."""

from __future__ import annotations

import pytest

from oauth_wizard.consent.url import ConsentError, build_consent_url, parse_consent_params
from oauth_wizard.core.profile import AppProfile

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
STATE = "k3Jq9XvT2mWb8ZpR4sYc6NdF"


def app(kind: str = "seller", **kw) -> AppProfile:
    return AppProfile(name="shop", app_id=APP_ID, client_id="amzn1.application-oa2-client."
                      + "0" * 32, app_state="published", kind=kind, **kw)


@pytest.mark.parametrize(("kind", "portal"), [("seller", "Seller Central"),
                                              ("vendor", "Vendor Central")])
def test_a_consent_url_records_its_kind_and_names_its_portal(kind, portal):
    built = build_consent_url(app(kind), "DE", STATE)
    assert built.kind == kind
    assert built.notes[0].startswith(f"The host {built.host} is {portal} for DE")


def test_a_redirect_for_an_app_with_none_registered_says_none_are():
    with pytest.raises(ConsentError) as info:
        build_consent_url(app(), "DE", STATE, "https://x.example/cb")
    assert "registered Redirect URIs (none)" in str(info.value)
    with pytest.raises(ConsentError) as two:
        build_consent_url(app(redirect_uris=("https://a.example/cb", "https://b.example/cb")),
                          "DE", STATE, "https://x.example/cb")
    assert "(https://a.example/cb, https://b.example/cb)" in str(two.value)


def test_the_parameters_of_a_consent_url_read_back_the_last_value_of_each():
    url = "https://sellercentral.amazon.de/apps/authorize/consent?a=1&b=&a=2"
    assert parse_consent_params(url) == {"a": "2", "b": ""}
