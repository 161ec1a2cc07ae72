"""Every schema error of ``profiles.toml`` names the file, the profile, the key and the line of
the key that is wrong (issue 14: a dropped key or profile name in one of the checks left every
test green), and what a hand-written file leaves out takes the documented default."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from oauth_wizard.keep.store_format import StoreError, line_of, parse, serialize

PATH = Path("/config/oauth-wizard/profiles.toml")
# One profile with every key, two authorizations, the second with last_verify; line numbers
# below count from 1 in this text.
FULL = """format_version = 1

[profiles.shop]
app_id = "amzn1.sp.solution.11111111-2222-3333-4444-555555555555"
client_id = "amzn1.application-oa2-client.0123456789abcdef"
app_state = "draft"
kind = "seller"
edits_pending = false
hybrid = false
marketplaces = ["US"]
login_uri = "https://example.com/login"
redirect_uris = ["https://example.com/cb"]
dev_ids = {NA = "123456789012"}
secret_storage = "keyring"
client_secret_first_seen = 2026-01-01
client_secret_rotated = 2026-02-01
client_secret_expires = 2026-08-01
client_secret_rotation_requested = 2026-07-01
sandbox_app = false

[[profiles.shop.authorizations]]
region = "NA"
selling_partner_id = "A1"
authorized_at = 2026-01-01T00:00:00Z
how = "oauth"
storage = "keyring"
marketplaces = ["US"]

[[profiles.shop.authorizations]]
region = "EU"
selling_partner_id = "A2"
authorized_at = 2026-01-02T00:00:00Z
how = "self-auth"
storage = "file"
marketplaces = ["DE"]

[profiles.shop.authorizations.last_verify]
at = 2026-01-03T00:00:00Z
ok = true
detail = "fine"
"""
LINES = FULL.splitlines()


def line_with(start: str, after: int = 0) -> int:
    """The 1-based number of the first line from ``after`` on that starts with ``start``."""
    return next(i + 1 for i, ln in enumerate(LINES) if i >= after and ln.startswith(start))


def replaced(start: str, new: str, after: int = 0) -> tuple[str, int]:
    number = line_with(start, after)
    lines = list(LINES)
    lines[number - 1] = new
    return "\n".join(lines) + "\n", number


def schema_error(text: str) -> StoreError:
    with pytest.raises(StoreError) as info:
        parse(text.encode(), PATH)
    assert info.value.kind == "schema" and info.value.path == PATH
    return info.value


def test_the_full_document_reads_and_writes_back_the_same():
    records = parse(FULL.encode(), PATH)
    assert parse(serialize(records, PATH), PATH) == records


SECOND = line_with("[[profiles.shop.authorizations]]", line_with("marketplaces = [\"US\"]", 20))
PROFILE_CASES = [
    ("app_id =", "app_id = 5"),
    ("client_id =", "client_id = 5"),
    ("app_state =", 'app_state = "live"'),
    ("app_state =", "app_state = 1"),
    ("kind =", 'kind = "buyer"'),
    ("edits_pending =", 'edits_pending = "no"'),
    ("hybrid =", "hybrid = 1"),
    ("marketplaces =", 'marketplaces = "US"'),
    ("marketplaces =", "marketplaces = [1]"),
    ("login_uri =", "login_uri = 5"),
    ("redirect_uris =", "redirect_uris = [1]"),
    ("dev_ids =", 'dev_ids = {XX = "123456789012"}'),
    ("dev_ids =", "dev_ids = {NA = 5}"),
    ("dev_ids =", 'dev_ids = "123456789012"'),
    ("secret_storage =", 'secret_storage = "cloud"'),
    ("secret_storage =", "secret_storage = 1"),
    ("client_secret_first_seen =", 'client_secret_first_seen = "soon"'),
    ("client_secret_rotated =", "client_secret_rotated = 5"),
    ("client_secret_expires =", 'client_secret_expires = "2026-13-01"'),
    ("client_secret_rotation_requested =", 'client_secret_rotation_requested = "x"'),
    ("sandbox_app =", 'sandbox_app = "no"'),
    ("sandbox_app =", "colour = 1"),
]


@pytest.mark.parametrize(("start", "new"), PROFILE_CASES)
def test_a_bad_profile_key_is_named_with_its_own_line(start, new):
    text, number = replaced(start, new)
    err = schema_error(text)
    key = new.split(" =")[0]
    assert err.line == number
    assert str(err).startswith(f"{PATH}, line {number}: profile 'shop' ")
    assert key in str(err) and "authorization" not in str(err)


AUTH_CASES = [
    ("region =", 'region = "XX"'),
    ("selling_partner_id =", "selling_partner_id = 5"),
    ("authorized_at =", 'authorized_at = "yesterday"'),
    ("authorized_at =", "authorized_at = 5"),
    ("how =", 'how = "magic"'),
    ("storage =", 'storage = "cloud"'),
    ("marketplaces =", 'marketplaces = "DE"'),
    ("marketplaces =", "colour = 1"),
]


@pytest.mark.parametrize(("start", "new"), AUTH_CASES)
@pytest.mark.parametrize("which", [1, 2])
def test_a_bad_authorization_key_is_named_with_its_own_line(start, new, which):
    after = line_with("[[profiles.shop.authorizations]]") if which == 1 else SECOND
    text, number = replaced(start, new, after)
    err = schema_error(text)
    assert err.line == number
    assert str(err).startswith(f"{PATH}, line {number}: profile 'shop', authorization {which}")
    assert new.split(" =")[0] in str(err)


@pytest.mark.parametrize(("start", "new"), [
    ("at =", 'at = "then"'), ("ok =", 'ok = "yes"'), ("detail =", "detail = 5"),
    ("detail =", "colour = 1")])
def test_a_bad_last_verify_is_named_with_its_own_line_and_authorization(start, new):
    text, number = replaced(start, new, SECOND)
    err = schema_error(text)
    assert err.line == number
    assert str(err).startswith(f"{PATH}, line {number}: profile 'shop', authorization 2")


def test_last_verify_that_is_not_a_table_is_named_at_its_line():
    text = FULL.replace("[profiles.shop.authorizations.last_verify]\nat = 2026-01-03T00:00:00Z\n"
                        "ok = true\ndetail = \"fine\"\n", 'last_verify = "ok"\n')
    err = schema_error(text)
    assert err.line == len(text.splitlines())
    assert "authorization 2" in str(err) and "last_verify" in str(err)


@pytest.mark.parametrize("missing", ["app_id =", "client_id =", "app_state ="])
def test_a_missing_required_profile_key_points_at_the_profiles_header(missing):
    text, _ = replaced(missing, "")
    err = schema_error(text)
    assert err.line == line_with("[profiles.shop]")
    assert missing.split(" =")[0] in str(err)


@pytest.mark.parametrize("missing", ["region =", "selling_partner_id =", "authorized_at ="])
def test_a_missing_authorization_key_points_at_that_authorization(missing):
    text, _ = replaced(missing, "", SECOND)
    err = schema_error(text)
    assert err.line == SECOND
    assert "authorization 2" in str(err) and missing.split(" =")[0] in str(err)


def test_the_same_authorization_twice_points_at_the_second():
    text = FULL.replace('selling_partner_id = "A2"', 'selling_partner_id = "A1"').replace(
        'region = "EU"', 'region = "NA"')
    err = schema_error(text)
    assert err.line == SECOND
    assert "profile 'shop'" in str(err)


def test_authorizations_that_are_no_list_are_named_at_their_line():
    text = FULL.split("[[profiles.shop.authorizations]]")[0] + "authorizations = 5\n"
    text = text.replace("\n\nauthorizations", "\nauthorizations")
    err = schema_error(text)
    assert err.line == len(text.splitlines())
    assert "authorizations" in str(err)


def test_an_authorization_that_is_no_table_is_named_with_its_number():
    text = FULL.split("[[profiles.shop.authorizations]]")[0] + 'authorizations = ["NA"]\n'
    err = schema_error(text)
    assert "authorization 1" in str(err)


@pytest.mark.parametrize("bad", [1, 2])
def test_inline_authorizations_fall_back_to_the_profiles_line(bad):
    """Authorizations written inline have no ``[[...]]`` header of their own: the best line is
    the profile's."""
    regions = ["NA", "NA"]
    regions[bad - 1] = "XX"
    text = FULL.split("[[profiles.shop.authorizations]]")[0].rstrip() + (
        f'\nauthorizations = [{{region = "{regions[0]}", selling_partner_id = "A1", '
        f'authorized_at = 2026-01-01T00:00:00Z}}, {{region = "{regions[1]}", '
        'selling_partner_id = "A2", authorized_at = 2026-01-01T00:00:00Z}]\n')
    err = schema_error(text)
    assert err.line == line_with("[profiles.shop]")
    assert f"authorization {bad}" in str(err)


def test_a_key_kept_in_a_sub_table_stops_at_that_table_not_in_the_next_profile():
    """dev_ids written as its own table (indented, as are the tables after it): the search for
    ``dev_ids =`` stops at that table header and points at the profile, not at the next
    profile's ``dev_ids``."""
    text = FULL.replace('dev_ids = {NA = "123456789012"}\n', "").split(
        "[[profiles.shop.authorizations]]")[0] + (
        '  [profiles.shop.dev_ids]\nXX = "1"\n\n  [profiles.other]\napp_id = "a"\n'
        'client_id = "b"\napp_state = "draft"\ndev_ids = {}\n')
    err = schema_error(text)
    assert err.line == line_with("[profiles.shop]")
    assert "dev_ids" in str(err)


def test_an_error_in_a_profile_written_inline_has_no_line_but_still_a_clear_place():
    text = 'format_version = 1\nprofiles = {shop = {app_id = 5, client_id = "b", ' \
           'app_state = "draft"}}\n'
    err = schema_error(text)
    assert err.line is None
    assert str(err).startswith(f"{PATH}: profile 'shop' ") and "app_id" in str(err)


def test_a_document_error_names_the_file_without_a_line():
    err = schema_error("format_version = 1\nprofiles = 5\n")
    assert err.line is None and str(err).startswith(f"{PATH}: ")


def test_line_of_finds_quoted_profile_names_and_keys():
    text = "format_version = 1\n[profiles.\"my.shop\"]\n\"app_id\" = 5\n"
    assert line_of(text, "my.shop", "app_id") == 3
    assert line_of(text, "my.shop") == 2
    assert line_of(text, "missing", "app_id") is None


def test_what_a_hand_written_profile_leaves_out_takes_the_defaults():
    text = ('format_version = 1\n[profiles.shop]\napp_id = "a"\nclient_id = "b"\n'
            'app_state = "published"\n[[profiles.shop.authorizations]]\nregion = "FE"\n'
            'selling_partner_id = "A9"\nauthorized_at = 2026-03-04T05:06:07\n'
            "[profiles.shop.authorizations.last_verify]\nat = 2026-03-05T00:00:00+02:00\n"
            "ok = false\n")
    record = parse(text.encode(), PATH)["shop"]
    app = record.app
    assert (app.kind, app.edits_pending, app.hybrid, app.marketplaces, app.login_uri,
            app.redirect_uris, app.dev_ids) == ("seller", False, False, (), "", (), ())
    assert (record.secret_storage, record.client_secret_first_seen,
            record.client_secret_rotated, record.client_secret_expires,
            record.client_secret_rotation_requested, record.sandbox_app) == (
        None, None, None, None, None, False)
    (auth,) = record.authorizations
    assert (auth.how, auth.storage, auth.marketplaces) == ("oauth", "keyring", ())
    # a time without an offset is UTC; one with an offset keeps it
    assert auth.authorized_at == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert auth.last_verify.at.utcoffset() == timedelta(hours=2)
    assert (auth.last_verify.ok, auth.last_verify.detail) == (False, "")


def test_dates_written_as_text_or_as_date_times_read_as_days():
    text = FULL.replace("client_secret_first_seen = 2026-01-01",
                        'client_secret_first_seen = "2026-01-05"').replace(
        "client_secret_rotated = 2026-02-01", "client_secret_rotated = 2026-02-01T10:00:00Z")
    record = parse(text.encode(), PATH)["shop"]
    assert record.client_secret_first_seen == date(2026, 1, 5)
    assert record.client_secret_rotated == date(2026, 2, 1)


def test_a_secret_shaped_value_is_refused_with_its_profile_key_and_file():
    records = parse(FULL.encode(), PATH)
    rec = records["shop"]
    bad = rec.__class__(rec.app.__class__(**{**rec.app.__dict__,
                                            "login_uri": "https://x/?t=Atzr|IwEBIabcdefgh12345"}),
                        *[getattr(rec, f) for f in list(rec.__dataclass_fields__)[1:]])
    with pytest.raises(StoreError) as info:
        serialize({"shop": bad}, PATH)
    err = info.value
    assert err.kind == "secret_in_metadata" and err.path == PATH
    assert "profile 'shop', login_uri" in str(err) and str(PATH) in str(err)


def test_a_file_that_is_not_utf8_is_corrupt_with_its_path_and_the_way_out():
    with pytest.raises(StoreError) as info:
        parse(b"format_version = 1\n# caf\xe9\n", PATH)
    err = info.value
    assert (err.kind, err.path, err.line) == ("corrupt", PATH, None)
    assert f"mv {PATH} {PATH}.broken-" in err.fix
