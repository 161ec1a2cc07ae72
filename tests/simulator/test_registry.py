"""The simulator's registry: loading, field-path errors, the demo registry, participation data."""

from __future__ import annotations

import copy
import json

import pytest

from oauth_wizard.core import marketplaces
from oauth_wizard.core.validation import check_app_id, check_client_id, check_client_secret
from oauth_wizard.simulator.demo_registry import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    demo_registry,
)
from oauth_wizard.simulator.participations import MARKET_FACTS, participation
from oauth_wizard.simulator.registry import RegistryError, load_registry, parse_registry

APP = {
    "app_id": "amzn1.sp.solution.11111111-2222-4333-8444-555555555555",
    "client_id": "amzn1.application-oa2-client." + "a" * 32,
    "client_secret": "amzn1.oa2-cs.v1." + "b" * 64,
    "app_state": "draft",
    "login_uri": "https://127.0.0.1:8443/login",
    "redirect_uris": ["https://127.0.0.1:8443/cb"],
    "marketplaces": ["US"],
}
SELLER = {"selling_partner_id": "A1TEST", "marketplaces": ["US"],
          "users": [{"name": "Pat", "primary": True}]}


def registry(**changes) -> dict:
    data = {"apps": [copy.deepcopy(APP)], "sellers": [copy.deepcopy(SELLER)]}
    for path, value in changes.items():
        section, field = path.split("__")
        data[section][0][field] = value
    return data


def problems(data: object) -> list[str]:
    with pytest.raises(RegistryError) as info:
        parse_registry(data, "reg.json")
    return info.value.problems


def test_minimal_registry_loads_with_defaults():
    reg = parse_registry(registry())
    app = reg.apps[0]
    assert (app.kind, app.hybrid, app.mws_developer_ids) == ("seller", False, ())
    assert reg.app_by_client_id(APP["client_id"]) is app
    assert reg.user("Pat") == (reg.sellers[0], reg.sellers[0].users[0])


@pytest.mark.parametrize("uri", [
    "http://127.0.0.1:9/cb", "https://localhost/cb", "http://localhost:8080/a?b=c",
    "https://127.0.0.1/cb#fragment-kept-to-model-MD5110",
])
def test_loopback_http_and_fragment_uris_are_accepted(uri):
    reg = parse_registry(registry(apps__redirect_uris=[uri], apps__login_uri=uri))
    assert reg.apps[0].redirect_uris == (uri,)


def test_app_without_uris_is_accepted_to_model_md9100():
    reg = parse_registry(registry(apps__login_uri="", apps__redirect_uris=[]))
    assert reg.apps[0].login_uri == "" and reg.apps[0].redirect_uris == ()


@pytest.mark.parametrize(("changes", "expected"), [
    ({"apps__redirect_uris": ["https://ok/cb", "ftp://x/cb"]},
     "apps[0].redirect_uris[1]: must be http or https (got 'ftp://x/cb')"),
    ({"apps__login_uri": "https://exa mple/login"},
     "apps[0].login_uri: The Login URI contains a space"),
    ({"apps__redirect_uris": ["https:///cb"]},
     "apps[0].redirect_uris[0]: The Redirect URI has no host"),
    ({"apps__redirect_uris": "https://one/cb"}, "apps[0].redirect_uris: must be a list (got str)"),
    ({"apps__app_id": APP["client_id"]}, "apps[0].app_id: This is the LWA client ID"),
    ({"apps__client_id": "amzn1.application-oa2-client.abc"},
     "apps[0].client_id: The client ID has"),
    ({"apps__client_secret": "abc def"},
     "apps[0].client_secret: The client secret contains a space"),
    ({"apps__client_secret": " padded"},
     "apps[0].client_secret: has spaces or line breaks around it"),
    ({"apps__app_state": "live"}, "apps[0].app_state: must be one of draft, submitted, published"),
    ({"apps__kind": "buyer"}, "apps[0].kind: must be seller or vendor (got 'buyer')"),
    ({"apps__hybrid": "yes"}, "apps[0].hybrid: must be true or false (got 'yes')"),
    ({"apps__marketplaces": ["US", "XX"]}, "apps[0].marketplaces[1]: unknown marketplace 'XX'"),
    ({"apps__marketplaces": []}, "apps[0].marketplaces: must not be empty"),
    ({"apps__mws_developer_ids": {"APAC": "123456789012"}},
     "apps[0].mws_developer_ids.APAC: unknown region; use NA, EU, FE"),
    ({"apps__mws_developer_ids": {"NA": "12ab"}}, "apps[0].mws_developer_ids.NA: The NA MWS"),
    ({"apps__mws_developer_ids": ["123"]}, "apps[0].mws_developer_ids: must be an object"),
    ({"apps__colour": "red"}, "apps[0].colour: unknown field"),
    ({"sellers__selling_partner_id": "a1-bad"}, "sellers[0].selling_partner_id: must be 2-32"),
    ({"sellers__users": []}, "sellers[0].users: must not be empty"),
    ({"sellers__users": [{"name": "Pat", "primary": 1}]}, "sellers[0].users[0].primary: must be"),
    ({"sellers__users": [{"primary": True}]}, "sellers[0].users[0].name: missing"),
])
def test_bad_fields_are_named_by_path(changes, expected):
    found = problems(registry(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_missing_required_app_field_is_named():
    data = registry()
    del data["apps"][0]["client_secret"]
    assert "apps[0].client_secret: missing" in problems(data)


def test_error_message_names_the_source_on_every_line():
    with pytest.raises(RegistryError) as info:
        parse_registry(registry(apps__app_state="x", apps__kind="y"), "my.json")
    lines = str(info.value).splitlines()
    assert len(lines) == 2 and all(line.startswith("my.json: apps[0].") for line in lines)


@pytest.mark.parametrize(("data", "expected"), [
    ([], "(top level): must be an object with 'apps' and 'sellers'"),
    ({"apps": []}, "sellers: missing"),
    ({"apps": [], "sellers": [SELLER]}, "apps: must not be empty"),
    ({"apps": ["x"], "sellers": [SELLER]}, "apps[0]: must be an object (got str)"),
])
def test_bad_structure(data, expected):
    assert expected in problems(data)


def test_duplicates_are_reported_at_the_second_occurrence():
    data = registry()
    data["apps"].append(copy.deepcopy(APP))
    data["sellers"].append({"selling_partner_id": "A2OTHER", "marketplaces": ["DE"],
                            "users": [{"name": "Pat"}]})
    found = problems(data)
    assert f"apps[1].app_id: app ID {APP['app_id']!r} is already used at apps[0].app_id" in found
    assert any(p.startswith("apps[1].client_id: client ID") for p in found)
    assert any(p.startswith("sellers[1].users[0].name: user name") for p in found)


def test_marketplace_aliases_are_normalised():
    reg = parse_registry(registry(apps__marketplaces=["GB", "A1PA6795UKMFR9", "UK"]))
    assert reg.apps[0].marketplaces == ("UK", "DE")


def test_load_registry_reports_file_and_json_errors(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(RegistryError, match="nope.json: cannot read the file"):
        load_registry(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"apps": [\n  {"app_id": }\n]}', "utf-8")
    with pytest.raises(RegistryError, match=r"broken.json: line 2 column 14: not valid JSON"):
        load_registry(broken)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(registry()), "utf-8")
    assert load_registry(good).apps[0].app_id == APP["app_id"]


def test_demo_registry_matches_the_brief():
    reg = demo_registry("http://127.0.0.1:5000/login", "http://127.0.0.1:5000/cb")
    (app,) = reg.apps
    assert (app.app_id, app.client_id, app.client_secret) == (
        DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    assert check_app_id(app.app_id).ok and check_client_id(app.client_id).ok
    assert check_client_secret(app.client_secret).problems == ()
    assert (app.app_state, app.kind, app.hybrid) == ("draft", "seller", False)
    assert {"US", "CA", "MX", "DE", "FR", "UK"} <= set(app.marketplaces)
    assert app.login_uri == "http://127.0.0.1:5000/login"
    assert app.redirect_uris == ("http://127.0.0.1:5000/cb",)
    assert len(reg.sellers) == 2
    labels = [u.label() for u in reg.sellers[0].users]
    assert labels == ["Pat (primary)", "Sam (secondary)"]


def test_self_auth_target_is_a_primary_users_seller_in_the_apps_first_region():
    reg = parse_registry({
        "apps": [{**APP, "marketplaces": ["DE", "US"]}],
        "sellers": [
            {"selling_partner_id": "A1US", "marketplaces": ["US"],
             "users": [{"name": "U", "primary": True}]},
            {"selling_partner_id": "A2EUSEC", "marketplaces": ["FR"], "users": [{"name": "S"}]},
            {"selling_partner_id": "A3EU", "marketplaces": ["FR"],
             "users": [{"name": "P", "primary": True}]},
        ],
    })
    seller, region = reg.self_auth_target(reg.apps[0])
    assert (seller.selling_partner_id, region) == ("A3EU", "EU")


def test_market_facts_cover_every_marketplace_and_participation_shape():
    assert {m.code for m in marketplaces.all_marketplaces()} <= set(MARKET_FACTS)
    entry = participation("UK", "My Store")
    assert entry == {
        "marketplace": {"id": "A1F83G8C2ARO7P", "name": "Amazon.co.uk", "countryCode": "GB",
                        "defaultCurrencyCode": "GBP", "defaultLanguageCode": "en_GB",
                        "domainName": "www.amazon.co.uk"},
        "storeName": "My Store",
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    }
    # The model's own example (sellers.json) for the US marketplace.
    assert participation("US", "x")["marketplace"] == {
        "id": "ATVPDKIKX0DER", "name": "Amazon.com", "countryCode": "US",
        "defaultCurrencyCode": "USD", "defaultLanguageCode": "en_US",
        "domainName": "www.amazon.com"}
