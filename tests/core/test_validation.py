"""Every message the field checks can give: what is wrong, where, and the fix."""

from __future__ import annotations

import pytest

from oauth_wizard.core.uris import check_uri
from oauth_wizard.core.validation import (
    Checked,
    Problem,
    check_app_id,
    check_client_id,
    check_client_secret,
    check_dev_id,
    check_profile_name,
)

UUID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
APP_ID = f"amzn1.sp.solution.{UUID}"
OLD_APP_ID = f"amzn1.sellerapps.app.{UUID}"
HEX32 = "0123456789abcdef0123456789abcdef"
CLIENT_ID = f"amzn1.application-oa2-client.{HEX32}"
SECRET_HEX = "5ec7e75ec7e75ec7e7c0ffee" + "d00d" * 10
SECRET = f"amzn1.oa2-cs.v1.{SECRET_HEX}"
REFRESH = "Atzr|IwEBIPlantedRefreshTokenValue0123456789abcdefXYZ"
ACCESS = "Atza|IwEBIPlantedAccessTokenValue0123456789"


def errors(checked: Checked) -> list[Problem]:
    return [p for p in checked.problems if p.severity == "error"]


def only(checked: Checked, severity: str) -> Problem:
    found = [p for p in checked.problems if p.severity == severity]
    assert len(found) == 1, checked.problems
    return found[0]


def text_of(checked: Checked) -> str:
    return " ".join(f"{p.message} {p.fix}" for p in checked.problems)


def assert_actionable(checked: Checked) -> None:
    for p in checked.problems:
        assert p.message.strip()
        if p.severity != "note":
            assert p.fix.strip(), p


# --- app id -----------------------------------------------------------------------------------

@pytest.mark.parametrize("good", [APP_ID, OLD_APP_ID, APP_ID.upper().replace("AMZN1.SP.SOLUTION.",
                                                                             "amzn1.sp.solution.")])
def test_app_id_good_for_both_prefixes(good):
    checked = check_app_id(good)
    assert checked.ok and checked.problems == () and checked.value == good


def test_client_id_given_as_app_id_is_called_swapped_and_names_md1000():
    checked = check_app_id(CLIENT_ID)
    p = only(checked, "error")
    assert "client ID" in p.message and "not the app ID" in p.message
    assert "MD1000" in p.message
    assert "amzn1.sp.solution." in p.fix
    assert p.field == "app_id"


def test_app_id_given_as_client_id_is_called_swapped():
    p = only(check_client_id(APP_ID), "error")
    assert "app ID" in p.message and "swapped" in p.message
    assert "amzn1.application-oa2-client." in p.fix
    assert p.field == "client_id"


def test_old_app_id_given_as_client_id_is_also_swapped():
    assert "swapped" in only(check_client_id(OLD_APP_ID), "error").message


def test_app_id_uuid_only_gets_the_prefix_back_in_the_fix():
    p = only(check_app_id(UUID), "error")
    assert "prefix" in p.message
    assert f"amzn1.sp.solution.{UUID}" in p.fix and f"amzn1.sellerapps.app.{UUID}" in p.fix


@pytest.mark.parametrize("cut", [APP_ID[:-1], APP_ID[:30], "amzn1.sp.solution.", OLD_APP_ID + "0"])
def test_app_id_truncated(cut):
    p = only(check_app_id(cut), "error")
    assert "cut short or mistyped" in p.message
    assert "UUID" in p.message


def test_app_id_with_capitalised_prefix_says_so():
    p = only(check_app_id("AMZN1.SP.SOLUTION." + UUID), "error")
    assert "lower case" in p.message
    assert APP_ID in p.fix


@pytest.mark.parametrize("junk", ["hello", "A3FHEXAMPLE", "https://example.com", "1234"])
def test_app_id_garbage(junk):
    p = only(check_app_id(junk), "error")
    assert "not an SP-API app ID" in p.message
    assert "amzn1.sp.solution.<uuid>" in p.message


@pytest.mark.parametrize(("raw", "what", "where"), [
    (APP_ID[:20] + "\n" + APP_ID[20:], "a line break", APP_ID[:20]),
    (APP_ID[:20] + " " + APP_ID[20:], "a space", APP_ID[:20]),
    (APP_ID[:20] + '"' + APP_ID[20:], "a quote", APP_ID[:20]),
    (APP_ID[:20] + "\t" + APP_ID[20:], "a tab", APP_ID[:20]),
])
def test_app_id_inner_damage_names_the_character_and_position(raw, what, where):
    p = only(check_app_id(raw), "error")
    assert what in p.message
    assert repr(where) in p.message
    assert "one line" in p.fix


def test_inner_damage_at_the_very_start_says_so():
    p = only(check_app_id("\x00" + APP_ID), "error")
    assert "U+0000" in p.message
    assert "at the start" in p.message


@pytest.mark.parametrize(("raw", "removed"), [
    (f"  {APP_ID}\n", ["a line break", "a space"]),
    (f'"{APP_ID}"', ["a quote"]),
    (f"'{APP_ID}'", ["a quote"]),
    (f"\u201c{APP_ID}\u201d", ["a quote"]),
    (f"{APP_ID}\r\n", ["a carriage return", "a line break"]),
    (f"\ufeff{APP_ID}", ["U+FEFF"]),
])
def test_edge_damage_is_cleaned_with_a_note(raw, removed):
    checked = check_app_id(raw)
    assert checked.ok and checked.value == APP_ID
    note = only(checked, "note")
    for thing in removed:
        assert thing in note.message
    assert "app ID" in note.message


@pytest.mark.parametrize(("raw", "kind"), [
    (REFRESH, "refresh token"), (ACCESS, "access token"), (SECRET, "client secret"),
    ("amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE", "MWS auth token"),
])
def test_other_identifiers_pasted_as_app_id(raw, kind):
    p = only(check_app_id(raw), "error")
    assert kind in p.message and "app ID" in p.message
    assert p.fix


def test_empty_app_id():
    for raw in ("", "   ", '""', "\n"):
        p = only(check_app_id(raw), "error")
        assert "empty" in p.message
        assert "Develop Apps" in p.fix


# --- client id --------------------------------------------------------------------------------

def test_client_id_good():
    checked = check_client_id(f" {CLIENT_ID} ")
    assert checked.ok and checked.value == CLIENT_ID


def test_client_id_hex_only_gets_the_prefix_back():
    p = only(check_client_id(HEX32), "error")
    assert "missing its prefix" in p.message
    assert p.fix == f"Use {CLIENT_ID}."


@pytest.mark.parametrize(("raw", "detail"), [
    (CLIENT_ID[:-3], "29 characters"),
    (CLIENT_ID + "0", "33 characters"),
    (CLIENT_ID[:-1] + "g", "not lower-case hex"),
    (CLIENT_ID.replace("abcdef", "ABCDEF"), "not lower-case hex"),
])
def test_client_id_wrong_tail(raw, detail):
    p = only(check_client_id(raw), "error")
    assert detail in p.message
    assert "cut short or mistyped" in p.message


def test_client_id_with_capitalised_prefix_says_so():
    p = only(check_client_id("AMZN1.APPLICATION-OA2-CLIENT." + HEX32), "error")
    assert "lower case" in p.message
    assert CLIENT_ID in p.fix


@pytest.mark.parametrize("junk", ["client", "amzn1.application-oa2.x", "12345"])
def test_client_id_garbage(junk):
    p = only(check_client_id(junk), "error")
    assert "not an LWA client ID" in p.message


def test_client_id_inner_newline():
    p = only(check_client_id(CLIENT_ID[:25] + "\n" + CLIENT_ID[25:]), "error")
    assert "a line break" in p.message and repr(CLIENT_ID[:25]) in p.message


@pytest.mark.parametrize(("raw", "kind"), [(REFRESH, "refresh token"), (SECRET, "client secret")])
def test_secrets_pasted_as_client_id(raw, kind):
    assert kind in only(check_client_id(raw), "error").message


def test_empty_client_id():
    p = only(check_client_id("  "), "error")
    assert "empty" in p.message and "LWA credentials" in p.fix


# --- client secret ----------------------------------------------------------------------------

@pytest.mark.parametrize("good", [SECRET, SECRET_HEX, f"  {SECRET}\n"])
def test_client_secret_good_shapes(good):
    checked = check_client_secret(good)
    assert checked.ok
    assert not [p for p in checked.problems if p.severity != "note"]


@pytest.mark.parametrize("odd", [SECRET[:-4], SECRET + "ab", "s3cr3t-s3cr3t", SECRET.upper()])
def test_client_secret_odd_shape_only_warns(odd):
    checked = check_client_secret(odd)
    assert checked.ok
    p = only(checked, "warning")
    assert "usual shape" in p.message and f"{len(odd)} characters" in p.message
    assert "invalid_client" in p.fix


def test_refresh_token_pasted_as_secret_is_an_error():
    p = only(check_client_secret(REFRESH), "error")
    assert "refresh token" in p.message and "client secret" in p.message


def test_client_id_pasted_as_secret_is_an_error():
    assert "client ID" in only(check_client_secret(CLIENT_ID), "error").message


def test_client_secret_empty_is_an_error_only_when_required():
    assert check_client_secret("").ok
    p = only(check_client_secret("", required=True), "error")
    assert "empty" in p.message


def test_client_secret_inner_damage_gives_a_position_not_the_value():
    p = only(check_client_secret(SECRET[:20] + " " + SECRET[20:]), "error")
    assert "at character 21" in p.message
    assert SECRET[:20] not in p.message


PLANTED = [SECRET, REFRESH, ACCESS]


def _damaged(value: str) -> list[str]:
    mid = len(value) // 2
    return [value, f' "{value}"\n', value[:mid] + " " + value[mid:],
            value[:mid] + "\n" + value[mid:], value[:-5], value + "'x",
            value[:mid] + '"' + value[mid:]]


FIELD_CHECKS = {
    "app_id": check_app_id,
    "client_id": check_client_id,
    "dev_id": lambda v: check_dev_id(v, "EU"),
    "redirect_uri": lambda v: check_uri(v, "redirect_uri", "Redirect URI"),
    "login_uri": lambda v: check_uri(v, "login_uri", "Login URI"),
    "name": check_profile_name,
}


def _leaks(planted: str, said: str) -> list[str]:
    """Any 10-character piece of the secret part (the public prefix may be named)."""
    body = planted.split("|", 1)[-1].removeprefix("amzn1.oa2-cs.v1.")
    return [body[i:i + 10] for i in range(len(body) - 9) if body[i:i + 10] in said]


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_secret_never_appears_in_any_message(planted):
    for raw in _damaged(planted):
        for check in (check_client_secret, lambda v: check_client_secret(v, required=True)):
            assert not _leaks(planted, text_of(check(raw))), raw
        for name, check in FIELD_CHECKS.items():
            checked = check(raw)
            assert not checked.ok, f"a secret must be refused as {name}: {raw!r}"
            assert not _leaks(planted, text_of(checked)), (name, raw, text_of(checked))


@pytest.mark.parametrize("raw", [SECRET_HEX, f" '{SECRET_HEX}'\n"])
def test_an_old_style_bare_hex_secret_is_recognised_and_not_echoed(raw):
    for name, check in FIELD_CHECKS.items():
        checked = check(raw)
        assert not checked.ok, name
        assert "client secret" in text_of(checked), name
        assert not _leaks(SECRET_HEX, text_of(checked)), name


# --- URIs -------------------------------------------------------------------------------------

def uri(raw: str) -> Checked:
    return check_uri(raw, "redirect_uri_0", "Redirect URI")


@pytest.mark.parametrize("good", [
    "https://spapi-dev.example.com/cb", "https://example.com", "https://example.com:8443/a/b?x=1",
    "HTTPS://Example.COM/Callback", "https://xn--bcher-kva.example/caf\u00e9",
])
def test_good_uris(good):
    checked = uri(good)
    assert checked.ok and checked.problems == () and checked.value == good


def test_http_uri_is_an_error_with_the_https_fix():
    checked = uri("http://spapi-dev.example.com/cb")
    p = only(checked, "error")
    assert "http" in p.message and "only https" in p.message
    assert "https://spapi-dev.example.com/cb" in p.fix
    assert p.field == "redirect_uri_0"


def test_uri_without_scheme_is_an_error_with_the_https_fix():
    checked = uri("spapi-dev.example.com/cb")
    p = only(checked, "error")
    assert "no scheme" in p.message
    assert "https://spapi-dev.example.com/cb" in p.fix


def test_uri_without_scheme_but_with_port_is_still_no_scheme():
    p = only(uri("spapi-dev.example.com:8443/cb"), "error")
    assert "no scheme" in p.message
    assert "https://spapi-dev.example.com:8443/cb" in p.fix


def test_other_scheme():
    p = only(uri("ftp://example.com/cb"), "error")
    assert "ftp" in p.message and "https://" in p.fix


def test_fragment_names_md5110_and_the_fragment():
    p = only(uri("https://example.com/cb#done"), "error")
    assert "MD5110" in p.message and "fragment" in p.message
    assert "#done" in p.fix


def test_empty_fragment_is_still_a_fragment():
    assert "MD5110" in only(uri("https://example.com/cb#"), "error").message


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "app.localhost", "127.0.0.2",
                                  "LOCALHOST", "localhost.localdomain"])
def test_loopback_is_a_warning_naming_alternatives(host):
    checked = uri(f"https://{host}:8443/cb")
    assert checked.ok, "loopback is a warning, not an error"
    p = only(checked, "warning")
    assert "refuses http://" in p.message and "uncertain" in p.message
    assert "hosts-file" in p.fix and "tunnel" in p.fix and "paste-back" in p.fix


@pytest.mark.parametrize("raw", ["http://localhost:8080/cb", "localhost:8080/cb"])
def test_http_localhost_gets_one_consistent_piece_of_advice(raw):
    checked = uri(raw)
    p = only(checked, "error")  # not "use https://localhost" and then "localhost is refused"
    assert "accepts only https" in p.message and "refuses localhost" in p.message
    assert "https://localhost" not in p.fix and "hosts-file" in p.fix


@pytest.mark.parametrize("raw", ["http://127.0.0.1:42107/sp-api/callback",
                                 "http://localhost:42107/cb"])
def test_against_a_simulator_loopback_http_only_warns(raw):
    checked = check_uri(raw, "redirect_uri_0", "Redirect URI", simulated=True)
    assert checked.ok and checked.value == raw
    p = only(checked, "warning")
    assert "Real Amazon refuses" in p.message and "simulator" in p.message
    # the simulator rule is for this machine only
    assert not check_uri("http://example.com/cb", "x", "Redirect URI", simulated=True).ok


@pytest.mark.parametrize("raw", ["https://example.com:99999/cb", "https://example.com:abc/cb",
                                 "https://example.com:-1/cb"])
def test_bad_port(raw):
    p = only(uri(raw), "error")
    assert "port" in p.message
    assert p.fix


def test_unbalanced_ipv6_bracket_is_reported_not_raised():
    p = only(uri("https://[::1/cb"), "error")
    assert "not a valid URL" in p.message


@pytest.mark.parametrize("raw", ["https:///cb", "https://"])
def test_no_host(raw):
    assert any("no host" in p.message for p in errors(uri(raw)))


@pytest.mark.parametrize("raw", ["", "  ", "\n", '""'])
def test_empty_uri_names_md9100(raw):
    p = only(uri(raw), "error")
    assert "empty" in p.message and "MD9100" in p.fix


def test_uri_inner_space_names_where():
    p = only(uri("https://example.com/my cb"), "error")
    assert "a space" in p.message and "'https://example.com/my'" in p.message


def test_uri_edge_quotes_cleaned_with_note():
    checked = check_uri(' "https://example.com/cb"\n', "login_uri", "Login URI")
    assert checked.ok and checked.value == "https://example.com/cb"
    note = only(checked, "note")
    assert "Login URI" in note.message


# --- MWS developer ids ------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("123456789012", "123456789012"), (" 1234-5678-9012 ", "123456789012"),
    ("1234 5678 9012", "123456789012"), ('"123456789012"', "123456789012"),
])
def test_dev_id_good(raw, clean):
    checked = check_dev_id(raw, "NA")
    assert checked.ok and checked.value == clean
    assert not [p for p in checked.problems if p.severity != "note"]


@pytest.mark.parametrize("raw", ["12345678901", "1234567890123"])
def test_dev_id_wrong_length_warns(raw):
    checked = check_dev_id(raw, "EU")
    assert checked.ok
    p = only(checked, "warning")
    assert f"{len(raw)} digits" in p.message and "12" in p.message
    assert p.field == "dev_id_EU" and "EU" in p.message


@pytest.mark.parametrize("raw", ["12345678901A", "A3FHEXAMPLE123", "1234.5678.9012"])
def test_dev_id_not_digits_is_an_error_naming_the_character(raw):
    p = only(check_dev_id(raw, "FE"), "error")
    assert "digits only" in p.message and "FE" in p.message
    bad = next(c for c in raw if not c.isdigit())
    assert repr(bad) in p.message


def test_dev_id_that_is_an_app_id_says_what_it_is():
    p = only(check_dev_id(APP_ID, "NA"), "error")
    assert "app ID" in p.message


def test_dev_id_empty():
    assert "empty" in only(check_dev_id("  ", "NA"), "error").message


# --- profile names ----------------------------------------------------------------------------

@pytest.mark.parametrize("good", ["acme", "Acme-EU_2", "a", "x" * 64, "1.prod"])
def test_profile_name_good(good):
    checked = check_profile_name(f" {good} ")
    assert checked.ok and checked.value == good


@pytest.mark.parametrize("bad", ["my app", "-lead", ".hidden", "x" * 65, "a/b", "caf\u00e9"])
def test_profile_name_bad_names_it(bad):
    p = only(check_profile_name(bad), "error")
    assert repr(bad) in p.message
    assert "1–64" in p.fix


def test_profile_name_empty():
    assert "empty" in only(check_profile_name("   "), "error").message


# --- every problem is actionable --------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    CLIENT_ID, APP_ID, UUID, HEX32, REFRESH, SECRET, "", " x ", "http://localhost/a#b", "a\nb",
])
def test_every_problem_has_a_message_and_non_notes_a_fix(raw):
    for checked in (check_app_id(raw), check_client_id(raw), check_client_secret(raw, True),
                    check_dev_id(raw, "NA"), uri(raw), check_profile_name(raw)):
        assert_actionable(checked)
        for p in checked.problems:
            assert p.severity in ("error", "warning", "note")
            assert p.blocking == (p.severity == "error")


@pytest.mark.parametrize(("raw", "at"), [("1234-abc", "'a' at character 6"),
                                         ("1234 5678 x012", "'x' at character 11"),
                                         ("12x4", "'x' at character 3")])
def test_dev_id_bad_character_is_placed_as_typed(raw, at):
    checked = check_dev_id(raw, "EU")
    assert not checked.ok and at in only(checked, "error").message


@pytest.mark.parametrize("letter", ["g", "z", "G", "x"])
@pytest.mark.parametrize("group", [0, 1, 2, 3, 4])
def test_an_app_id_uuid_with_a_non_hex_letter_is_not_accepted(letter, group):
    """Every one of the five UUID groups holds hex digits only."""
    parts = ["5e1f0000", "de70", "4000", "8000", "000000000001"]
    parts[group] = letter + parts[group][1:]
    result = check_app_id("amzn1.sp.solution." + "-".join(parts))
    assert not result.ok
