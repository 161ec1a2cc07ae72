"""Property tests: every valid profile builds a URL the linter accepts and that parses back;
junk never crashes the linter or the field checks; the checks are idempotent."""

from __future__ import annotations

import json
import string
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from oauth_wizard.consent.url import (
    build_consent_url,
    lint_consent_url,
    new_state,
    parse_consent_params,
)
from oauth_wizard.core import marketplaces
from oauth_wizard.core.profile import APP_STATES, build_profile
from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import (
    Checked,
    check_app_id,
    check_client_id,
    check_client_secret,
    check_dev_id,
    check_profile_name,
)

CAUSE_IDS = {
    "beta_missing_for_draft", "beta_on_published_app", "client_id_as_application_id",
    "malformed_consent_url", "wrong_portal_host", "redirect_uri_not_registered",
    "redirect_uri_fragment",
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JUNK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKETS = marketplaces.all_marketplaces()
CODES = [m.code for m in MARKETS]
QUOTES = "\"'`\u2018\u2019\u201c\u201d"

# --- strategies for valid input -----------------------------------------------------------------

hex_digits = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
uuids = st.builds(lambda u, up: str(u).upper() if up else str(u), st.uuids(), st.booleans())
app_ids = st.builds(lambda p, u: p + u,
                    st.sampled_from(["amzn1.sp.solution.", "amzn1.sellerapps.app."]), uuids)
client_ids = hex_digits.map(lambda h: "amzn1.application-oa2-client." + h)
names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.builds(lambda labels, tld: ".".join([*labels, tld]),
                  st.lists(label, min_size=1, max_size=3),
                  st.sampled_from(["com", "example", "de", "io", "co.uk", "xn--p1ai"]))
ports = st.none() | st.integers(min_value=1, max_value=65535)
path_chars = st.sampled_from(list(string.ascii_letters + string.digits + "-._~!$&()*+,;=:@")) | \
    st.characters(categories=("Ll", "Lu", "Lo", "Nd")) | \
    st.builds(lambda a, b: f"%{a}{b}", st.sampled_from("0123456789ABCDEF"),
              st.sampled_from("0123456789abcdef"))
segments = st.lists(path_chars, max_size=8).map("".join)
paths = st.lists(segments, max_size=4).map(lambda segs: "/" + "/".join(segs))
query_chars = path_chars | st.sampled_from(list("/?"))
queries = st.none() | st.lists(
    st.tuples(st.lists(query_chars, min_size=1, max_size=6).map("".join),
              st.lists(query_chars, max_size=8).map("".join)),
    min_size=1, max_size=3,
).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv))


@st.composite
def https_uris(draw) -> str:
    uri = "https://" + draw(hosts)
    port = draw(ports)
    if port is not None:
        uri += f":{port}"
    uri += draw(paths)
    q = draw(queries)
    if q is not None:
        uri += "?" + q
    return uri


states = st.just(None) | st.text(
    alphabet=st.characters(exclude_categories=("Z", "C"), exclude_characters=QUOTES),
    min_size=1, max_size=40,
)
market_keys = st.sampled_from(MARKETS).flatmap(
    lambda m: st.sampled_from([m.code, m.code.lower(), m.marketplace_id, *m.aliases]))


@st.composite
def valid_profiles(draw):
    app_state = draw(st.sampled_from(APP_STATES))
    redirects = draw(st.lists(https_uris(), max_size=3, unique=True))
    built = build_profile(
        name=draw(names),
        app_id=draw(app_ids),
        client_id=draw(client_ids),
        app_state=app_state,
        kind=draw(st.sampled_from(["seller", "vendor"])),
        edits_pending=app_state == "published" and draw(st.booleans()),
        marketplace_codes=draw(st.lists(st.sampled_from(CODES), max_size=5)),
        login_uri=draw(https_uris()),
        redirect_uris=redirects,
        require_uris=bool(redirects),
    )
    return built


@FAST
@given(built=valid_profiles(), market=market_keys, state=states, data=st.data())
def test_any_valid_profile_builds_a_url_the_linter_accepts_and_that_parses_back(
        built, market, state, data):
    assert built.ok, built.errors()
    profile = built.profile
    state = state if state is not None else new_state()
    redirect = data.draw(st.none() | st.sampled_from(profile.redirect_uris)
                         if profile.redirect_uris else st.none())

    consent = build_consent_url(profile, market, state, redirect_uri=redirect)

    result = lint_consent_url(consent.url, app_state=profile.app_state, marketplace=market,
                              kind=profile.kind, registered_redirects=profile.redirect_uris)
    assert result.ok, (consent.url, result.problems)

    expected = {"application_id": profile.app_id, "state": state}
    if redirect is not None:
        expected["redirect_uri"] = redirect
    if profile.app_state != "published":
        expected["version"] = "beta"
    assert parse_consent_params(consent.url) == expected
    pairs = parse_qsl(urlsplit(consent.url).query, keep_blank_values=True)
    assert len(pairs) == len(expected), "no parameter appears twice"

    parts = urlsplit(consent.url)
    m = marketplaces.lookup(market)
    assert parts.scheme == "https"
    assert parts.hostname == m.portal(profile.kind).host
    assert parts.path == "/apps/authorize/consent"
    assert consent.region == m.region
    assert consent.beta is (profile.app_state != "published")


# --- junk never crashes ---------------------------------------------------------------------------

URLISH = [
    "https://", "http://", "//", "sellercentral.amazon.de", "vendorcentral.amazon.me",
    "sellercentral-europe.amazon.com", "sellingpartnerapi-na.amazon.com", "example.com", "[::1]",
    "[", "]", ":", ":99999", "@", "/apps/authorize/consent", "/apps/authorize/confirm/", "/",
    "?", "&", "=", "#", "%", "%2", "%22", "%23", "%3F", "%ZZ", "+", "application_id", "state",
    "version", "beta", "Beta", "redirect_uri", "client_id", "amazon_callback_uri",
    "spapi_oauth_code", "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", " ", '"', "'", "\n", "\t",
    "\x00", "\u2028", "\ufeff", "\u00a0", "\u201c", "<", ">", "\\", "\udcff", "\U0001f600",
]
urlish = st.lists(st.sampled_from(URLISH) | st.text(max_size=4), max_size=30).map("".join)
def _decode(raw: bytes, enc: tuple[str, str]) -> str:
    if enc[0] == "utf-16-le":
        raw = raw[: len(raw) // 2 * 2]  # whole code units; lone surrogates still pass through
    return raw.decode(*enc)


decoded_bytes = st.builds(
    _decode, st.binary(max_size=200),
    st.sampled_from([("utf-8", "surrogateescape"), ("utf-8", "replace"), ("latin-1", "strict"),
                     ("cp1252", "replace"), ("utf-16-le", "surrogatepass")]),
)
junk = st.text(max_size=300) | decoded_bytes | urlish
contexts = st.fixed_dictionaries({
    "app_state": st.none() | st.sampled_from([*APP_STATES, "Draft", " published ", "live", ""]),
    "marketplace": st.none() | market_keys,
    "kind": st.none() | st.sampled_from(["seller", "vendor"]),
    "registered_redirects": st.lists(st.text(max_size=40) | https_uris(), max_size=3),
})


def _assert_sane(result) -> None:
    assert isinstance(result.ok, bool)
    assert result.ok == (not result.problems)
    for f in result.problems:
        assert f.id in CAUSE_IDS
        assert isinstance(f.message, str) and f.message.strip()
        assert isinstance(f.fix, str) and f.fix.strip()
    assert all(isinstance(n, str) and n for n in result.notes)
    json.dumps(result.as_json())


@JUNK
@given(text=junk, context=contexts)
@example(text="https://[::1/apps", context={"app_state": None, "marketplace": None, "kind": None,
                                            "registered_redirects": []})
@example(text="https://sellercentral.amazon.de:bad/apps/authorize/consent?#", context={
    "app_state": "draft", "marketplace": "DE", "kind": "vendor", "registered_redirects": ["#"]})
def test_junk_never_crashes_the_linter(text, context):
    _assert_sane(lint_consent_url(text, **context))


def test_a_huge_url_is_linted():
    base = ("https://sellercentral.amazon.de/apps/authorize/consent?application_id="
            "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d&state=")
    many = "".join(f"&p{i}" for i in range(30_000))
    many += "".join(f"&d{i}=1&d{i}=2" for i in range(9000))
    for tail in ("x" * 500_000, "&utm=1" * 50_000, '&state="a b"' * 20_000, "?#%" * 100_000, many):
        result = lint_consent_url(base + tail, app_state="draft", marketplace="DE", kind="seller",
                                  registered_redirects=["https://a.example/cb"] * 100)
        _assert_sane(result)
        assert len(result.notes) < 50, "notes stay readable however long the URL is"
        assert len(result.problems) < 50, "so do problems"


def _checks():
    return {
        "app_id": check_app_id,
        "client_id": check_client_id,
        "client_secret": check_client_secret,
        "dev_id": lambda v: check_dev_id(v, "NA"),
        "uri": lambda v: check_uri(v, "redirect_uri_0", "Redirect URI"),
        "name": check_profile_name,
    }


def _assert_checked(checked: Checked) -> None:
    assert isinstance(checked.value, str)
    for p in checked.problems:
        assert p.severity in ("error", "warning", "note")
        assert p.message.strip()


@JUNK
@given(text=junk)
def test_junk_never_crashes_the_field_checks_and_they_are_idempotent(text):
    for name, check in _checks().items():
        first = check(text)
        _assert_checked(first)
        again = check(first.value)
        assert again.value == first.value, name
        assert not [p for p in again.problems if p.severity == "note"], (name, again.problems)
        if first.ok:
            assert again.ok, name


@FAST
@given(value=app_ids | client_ids | https_uris() | names,
       pad=st.sampled_from(["", " ", "\n", '"', "'", "\u201c", " \r\n", "\ufeff"]))
def test_edge_paste_damage_is_cleaned_back_to_the_value(value, pad):
    for name, check in _checks().items():
        clean = check(value)
        padded = check(pad + value + pad[::-1])
        if name == "name":
            continue
        assert padded.value == clean.value, name
        assert padded.ok == clean.ok, name


def test_huge_field_values_are_checked():
    for value in ("a" * 1_000_000, "amzn1.sp.solution." + "0" * 500_000,
                  "https://" + "a" * 300_000 + ".com/" + "é" * 100_000, " " * 100_000):
        for check in _checks().values():
            _assert_checked(check(value))
