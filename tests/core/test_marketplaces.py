"""Marketplace registry: every marketplace and portal, checked against an independent table.

``EXPECTED`` is written by hand from shared/reference/spapi-authorization.md §2 and
shared/reference/marketplaces.json; it is the oracle. The project's own data file and (when it is
present next to the checkout) the shared reference are compared with it too.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from oauth_wizard.consent.url import build_consent_url
from oauth_wizard.core import marketplaces
from oauth_wizard.core.marketplaces import UnknownMarketplaceError, identify_portal_host, lookup
from oauth_wizard.core.profile import AppProfile

# code: (region, seller central host, vendor central host, marketplace id)
EXPECTED = {
    "CA": ("NA", "sellercentral.amazon.ca", "vendorcentral.amazon.ca", "A2EUQ1WTGCTBG2"),
    "US": ("NA", "sellercentral.amazon.com", "vendorcentral.amazon.com", "ATVPDKIKX0DER"),
    "MX": ("NA", "sellercentral.amazon.com.mx", "vendorcentral.amazon.com.mx", "A1AM78C64UM0Y8"),
    "BR": ("NA", "sellercentral.amazon.com.br", "vendorcentral.amazon.com.br", "A2Q3Y263D00KWC"),
    "IE": ("EU", "sellercentral.amazon.ie", "vendorcentral.amazon.ie", "A28R8C7NBKEWEA"),
    "ES": ("EU", "sellercentral.amazon.es", "vendorcentral.amazon.es", "A1RKKUPIHCS9HS"),
    "UK": ("EU", "sellercentral.amazon.co.uk", "vendorcentral.amazon.co.uk", "A1F83G8C2ARO7P"),
    "FR": ("EU", "sellercentral.amazon.fr", "vendorcentral.amazon.fr", "A13V1IB3VIYZZH"),
    "BE": ("EU", "sellercentral.amazon.com.be", "vendorcentral.amazon.com.be", "AMEN7PMS3EDWL"),
    "NL": ("EU", "sellercentral.amazon.nl", "vendorcentral.amazon.nl", "A1805IZSGTT6HS"),
    "DE": ("EU", "sellercentral.amazon.de", "vendorcentral.amazon.de", "A1PA6795UKMFR9"),
    "IT": ("EU", "sellercentral.amazon.it", "vendorcentral.amazon.it", "APJ6JRA9NG5V4"),
    "SE": ("EU", "sellercentral.amazon.se", "vendorcentral.amazon.se", "A2NODRKZP88ZB9"),
    "ZA": ("EU", "sellercentral.amazon.co.za", "vendorcentral.amazon.co.za", "AE08WJ6YKNBMC"),
    "PL": ("EU", "sellercentral.amazon.pl", "vendorcentral.amazon.pl", "A1C3SOZRARQ6R3"),
    "EG": ("EU", "sellercentral.amazon.eg", "vendorcentral.amazon.me", "ARBP9OOSHTCHU"),
    "TR": ("EU", "sellercentral.amazon.com.tr", "vendorcentral.amazon.com.tr", "A33AVAJ2PDY3EV"),
    "SA": ("EU", "sellercentral.amazon.sa", "vendorcentral.amazon.me", "A17E79C6D8DWNP"),
    "AE": ("EU", "sellercentral.amazon.ae", "vendorcentral.amazon.me", "A2VIGQ35RCS4UG"),
    "IN": ("EU", "sellercentral.amazon.in", "www.vendorcentral.in", "A21TJRUUN4KGV"),
    "SG": ("FE", "sellercentral.amazon.sg", "vendorcentral.amazon.com.sg", "A19VAU5U5O7RUS"),
    "AU": ("FE", "sellercentral.amazon.com.au", "vendorcentral.amazon.com.au", "A39IBJ37TRP1C6"),
    "JP": ("FE", "sellercentral.amazon.co.jp", "vendorcentral.amazon.co.jp", "A1VC38T7YXB528"),
}
ENDPOINTS = {
    "NA": ("https://sellingpartnerapi-na.amazon.com",
           "https://sandbox.sellingpartnerapi-na.amazon.com", "us-east-1"),
    "EU": ("https://sellingpartnerapi-eu.amazon.com",
           "https://sandbox.sellingpartnerapi-eu.amazon.com", "eu-west-1"),
    "FE": ("https://sellingpartnerapi-fe.amazon.com",
           "https://sandbox.sellingpartnerapi-fe.amazon.com", "us-west-2"),
}
UNCERTAIN = {("IE", "seller"), ("IE", "vendor"), ("SA", "seller"), ("IN", "vendor")}
SECONDARY = {("BE", "seller"), ("BE", "vendor"), ("ZA", "seller"), ("ZA", "vendor"),
             ("EG", "seller"), ("SA", "vendor")}
KINDS = ("seller", "vendor")
CASES = [(code, kind) for code in EXPECTED for kind in KINDS]
APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "marketplaces.json"


def _expected_host(code: str, kind: str) -> str:
    return EXPECTED[code][1] if kind == "seller" else EXPECTED[code][2]


def _project_data() -> dict:
    text = resources.files("oauth_wizard").joinpath("data/marketplaces.json").read_text("utf-8")
    return json.loads(text)


def _profile(kind: str, app_state: str = "draft") -> AppProfile:
    return AppProfile(name="t", app_id=APP_ID, client_id=CLIENT_ID, app_state=app_state, kind=kind)


def test_registry_has_exactly_the_23_marketplaces():
    assert sorted(m.code for m in marketplaces.all_marketplaces()) == sorted(EXPECTED)
    assert len(EXPECTED) == 23


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_consent_url_host_is_the_marketplace_portal(code, kind):
    url = build_consent_url(_profile(kind), code, "s1").url
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.hostname == _expected_host(code, kind)
    assert parts.path == "/apps/authorize/consent"


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_consent_url_reports_region_and_host(code, kind):
    built = build_consent_url(_profile(kind), code, "s1")
    assert built.region == EXPECTED[code][0]
    assert built.host == _expected_host(code, kind)
    assert built.marketplace == code


@pytest.mark.parametrize("code", EXPECTED)
def test_lookup_by_code_and_by_marketplace_id(code):
    region, seller, vendor, mid = EXPECTED[code]
    for key in (code, code.lower(), f"  {code} ", mid, mid.lower(), f"'{mid}'"):
        m = lookup(key)
        assert m.code == code
        assert m.marketplace_id == mid
        assert m.region == region
        assert m.portal("seller").host == seller
        assert m.portal("vendor").host == vendor


@pytest.mark.parametrize("code", EXPECTED)
def test_endpoints_follow_the_region(code):
    m = lookup(code)
    endpoint, sandbox, _aws = ENDPOINTS[EXPECTED[code][0]]
    assert m.endpoint == endpoint
    assert m.sandbox_endpoint == sandbox


@pytest.mark.parametrize("reg", ENDPOINTS)
def test_region_lookup(reg):
    endpoint, sandbox, aws = ENDPOINTS[reg]
    for key in (reg, reg.lower(), f" {reg} "):
        r = marketplaces.region(key)
        assert (r.endpoint, r.sandbox_endpoint, r.aws_region) == (endpoint, sandbox, aws)


def test_unknown_region_names_the_valid_ones():
    with pytest.raises(ValueError, match="NA, EU, FE"):
        marketplaces.region("APAC")


def test_uk_and_gb_are_the_same_marketplace():
    assert lookup("UK") == lookup("GB") == lookup("gb") == lookup("A1F83G8C2ARO7P")
    assert lookup("GB").code == "UK"
    assert build_consent_url(_profile("seller"), "GB", "s").url == \
        build_consent_url(_profile("seller"), "UK", "s").url


@pytest.mark.parametrize("bad", ["XX", "EU", "", "   ", "A1PA6795UKMFR", "germany", "D E"])
def test_unknown_marketplace_lists_every_valid_code(bad):
    with pytest.raises(UnknownMarketplaceError) as info:
        lookup(bad)
    message = str(info.value)
    for code in EXPECTED:
        assert code in message
    assert isinstance(info.value, ValueError)


def test_unknown_marketplace_names_what_was_given():
    with pytest.raises(UnknownMarketplaceError, match="'XQ'"):
        lookup("XQ")


def test_by_region_groups_in_region_order():
    groups = marketplaces.by_region()
    assert list(groups) == ["NA", "EU", "FE"]
    for reg, members in groups.items():
        assert sorted(m.code for m in members) == sorted(
            c for c, row in EXPECTED.items() if row[0] == reg)


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_confidence_of_every_portal(code, kind):
    portal = lookup(code).portal(kind)
    if (code, kind) in UNCERTAIN:
        assert portal.confidence == "uncertain"
        assert portal.note, "an uncertain row must say why"
    elif (code, kind) in SECONDARY:
        assert portal.confidence == "secondary"
        assert portal.note
    else:
        assert portal.confidence == "official"


@pytest.mark.parametrize(("code", "kind"), sorted(UNCERTAIN | SECONDARY))
def test_unofficial_hosts_are_flagged_in_the_consent_url_notes(code, kind):
    notes = " ".join(build_consent_url(_profile(kind), code, "s").notes)
    assert lookup(code).portal(kind).note in notes
    if (code, kind) in UNCERTAIN:
        assert "Uncertain host" in notes
    else:
        assert "Unconfirmed host" in notes and "Uncertain" not in notes


def test_official_hosts_carry_no_uncertainty_note():
    notes = " ".join(build_consent_url(_profile("seller"), "DE", "s").notes)
    assert "ncertain" not in notes


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_identify_primary_portal_host(code, kind):
    match = identify_portal_host(_expected_host(code, kind))
    assert match is not None
    assert match.kind == kind
    assert match.region == EXPECTED[code][0]
    assert code in match.marketplaces
    assert code in match.primary_for


def test_identify_host_is_case_and_trailing_dot_insensitive():
    match = identify_portal_host("SellerCentral.Amazon.DE.")
    assert match is not None
    assert (match.kind, match.region, match.primary_for) == ("seller", "EU", ("DE",))


@pytest.mark.parametrize(
    ("host", "kind", "reg", "members"),
    [
        ("sellercentral-europe.amazon.com", "seller", "EU", {"IE", "ES", "UK", "FR", "DE", "IT"}),
        ("sellercentral.amazon.com.sg", "seller", "FE", {"SG"}),
        ("sellercentral.amazon.com.sa", "seller", "EU", {"SA"}),
        ("vendorcentral.amazon.in", "vendor", "EU", {"IN"}),
        ("sellercentral-japan.amazon.com", "seller", "FE", {"JP"}),
    ],
)
def test_identify_alternative_hosts(host, kind, reg, members):
    match = identify_portal_host(host)
    assert match is not None
    assert (match.kind, match.region) == (kind, reg)
    assert set(match.marketplaces) == members
    assert match.primary_for == ()


def test_shared_vendor_host_names_every_marketplace_it_serves():
    match = identify_portal_host("vendorcentral.amazon.me")
    assert match is not None
    assert (match.kind, match.region) == ("vendor", "EU")
    assert set(match.primary_for) == {"EG", "SA", "AE"}


@pytest.mark.parametrize("host", [
    "sellingpartnerapi-na.amazon.com", "sandbox.sellingpartnerapi-eu.amazon.com",
    "api.amazon.com", "amazon.com", "www.amazon.de", "example.com", "",
    "sellercentral.amazon.de.example.com", "evil-sellercentral.amazon.com",
])
def test_non_portal_hosts_are_not_identified(host):
    assert identify_portal_host(host) is None
    assert not marketplaces.is_amazon_portal_host(host)


def test_consent_path_and_token_endpoint():
    assert marketplaces.consent_path() == "/apps/authorize/consent"
    assert marketplaces.lwa_token_endpoint() == "https://api.amazon.com/auth/o2/token"


def test_marketplace_label_names_code_and_country():
    assert lookup("JP").label() == "JP Japan"


# The project's data file, read raw, must agree with the hand table and the reference's rules.

def test_project_data_file_agrees_with_the_hand_table():
    data = _project_data()
    assert data["consent_path"] == "/apps/authorize/consent"
    rows = {m["code"]: m for m in data["marketplaces"]}
    assert set(rows) == set(EXPECTED)
    for code, (reg, seller, vendor, mid) in EXPECTED.items():
        row = rows[code]
        assert (row["region"], row["marketplace_id"]) == (reg, mid), code
        assert row["seller_central"]["url"] == f"https://{seller}", code
        assert row["vendor_central"]["url"] == f"https://{vendor}", code
        for portal in (row["seller_central"], row["vendor_central"]):
            assert all(u.startswith("https://") for u in portal["alternatives"]), code
    for reg, (endpoint, sandbox, aws) in ENDPOINTS.items():
        assert data["regions"][reg] == {"endpoint": endpoint, "sandbox_endpoint": sandbox,
                                        "aws_region": aws}


def test_marketplace_ids_and_hosts_are_unique_where_they_must_be():
    ids = [m.marketplace_id for m in marketplaces.all_marketplaces()]
    assert len(set(ids)) == len(ids)
    for kind in KINDS:
        for m in marketplaces.all_marketplaces():
            portal = m.portal(kind)
            assert portal.host not in portal.alternative_hosts


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference not next to this checkout")
def test_project_data_matches_the_shared_reference():
    ref = json.loads(REFERENCE.read_text("utf-8"))
    assert ref["consent_path"] == marketplaces.consent_path()
    by_code = {r["country_code"]: r for r in ref["marketplaces"]}
    assert set(by_code) == set(EXPECTED)
    for code, r in by_code.items():
        m = lookup(code)
        assert (m.region, m.marketplace_id) == (r["region"], r["marketplace_id"])
        assert (m.region, _expected_host(code, "seller"), _expected_host(code, "vendor"),
                m.marketplace_id) == EXPECTED[code]
        assert m.seller_central.url == r["seller_central_url"]
        assert m.vendor_central.url == r["vendor_central_url"]
        assert list(m.seller_central.alternatives) == r["seller_central_url_alternatives"]
        assert list(m.vendor_central.alternatives) == r["vendor_central_url_alternatives"]
        for kind in KINDS:
            doubt = r.get(f"{kind}_central_url_alternatives_note", "")
            portal = m.portal(kind)
            for host in portal.alternative_hosts:
                # An alternative the reference calls uncertain is shown as uncertain.
                assert bool(portal.alternative_doubt(host)) == ("uncertain" in doubt), (code, host)
        assert m.endpoint == r["sp_api_endpoint"]
        assert m.sandbox_endpoint == r["sandbox_endpoint"]
        assert marketplaces.region(m.region).aws_region == r["aws_region"]
        for alias in r.get("country_code_aliases", []):
            assert lookup(alias).code == code
        confidence = r["confidence"]
        ours = {m.seller_central.confidence, m.vendor_central.confidence}
        if "uncertain" in confidence:
            assert "uncertain" in ours, code
        if "secondary" in confidence or "uncertain" in confidence:
            assert ours != {"official"}, code
        else:
            assert ours == {"official"}, code
