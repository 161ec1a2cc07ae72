"""Every schema error in an authorization of profiles.toml points at its own line (issue 14:
mutants that dropped the profile, the key or the authorization's index from an error's
location survived the suite). Each case breaks one thing in the *second* authorization, so an
error located at the first, at the profile, or nowhere is caught."""

from __future__ import annotations

import pytest

from oauth_wizard.keep.store import ProfileStore, StoreError

LINES = [
    'format_version = 1',                                    # 1
    '',                                                      # 2
    '[profiles.shop]',                                       # 3
    'app_id = "amzn1.sp.solution.3b4ce5f4-0d0c-4c8a-9b1e-6f2f1d1e2a3b"',  # 4
    'client_id = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"',  # 5
    'app_state = "draft"',                                   # 6
    'client_secret_first_seen = 2026-01-01',                 # 7
    '',                                                      # 8
    '[[profiles.shop.authorizations]]',                      # 9
    'region = "NA"',                                         # 10
    'selling_partner_id = "A1FIRST"',                        # 11
    'authorized_at = 2026-01-02T00:00:00Z',                  # 12
    'how = "oauth"',                                         # 13
    '',                                                      # 14
    '[[profiles.shop.authorizations]]',                      # 15
    'region = "EU"',                                         # 16
    'selling_partner_id = "A2SECOND"',                       # 17
    'authorized_at = 2026-01-03T00:00:00Z',                  # 18
    'how = "self-auth"',                                     # 19
    'storage = "keyring"',                                   # 20
    'marketplaces = ["DE"]',                                 # 21
    '',                                                      # 22
    '[profiles.shop.authorizations.last_verify]',            # 23
    'at = 2026-01-04T00:00:00Z',                             # 24
    'ok = true',                                             # 25
    'detail = "DE"',                                         # 26
]
GOOD = "\n".join(LINES) + "\n"


def _with(line: int, new: str | None) -> str:
    lines = list(LINES)
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


def test_the_good_file_loads(tmp_path):
    store = _store(tmp_path, GOOD)
    (record,) = store.load().values()
    assert [a.selling_partner_id for a in record.authorizations] == ["A1FIRST", "A2SECOND"]
    assert record.authorizations[1].last_verify is not None


def _store(tmp_path, text: str) -> ProfileStore:
    store = ProfileStore(tmp_path / "cfg")
    store.config_dir.mkdir()
    store.path.write_text(text)
    return store


@pytest.mark.parametrize("line,new,expected", [
    (16, 'region = "XX"', 16),                 # not a region
    (16, "region = 3", 16),                    # wrong type
    (17, "selling_partner_id = 5", 17),
    (18, 'authorized_at = "soon"', 18),        # not a date and time
    (18, "authorized_at = true", 18),
    (19, 'how = "magic"', 19),                 # not a way of authorizing
    (20, 'storage = "floppy"', 20),
    (21, 'marketplaces = "DE"', 21),           # not a list
    (20, 'colour = "blue"', 20),               # an unknown key
    (24, 'at = "yesterday"', 24),              # in last_verify
    (25, 'ok = "yes"', 25),
    (26, "detail = 7", 26),
    (26, 'shade = "x"', 26),                   # an unknown key in last_verify
    (16, None, 15),                            # region missing: the authorization's header
    (17, None, 15),
])
def test_an_error_in_the_second_authorization_names_its_line(tmp_path, line, new, expected):
    text = _with(line, new)
    store = _store(tmp_path, text)
    with pytest.raises(StoreError) as info:
        store.load()
    assert info.value.line == expected
    assert info.value.path == store.path
    assert f"line {expected} of {store.path}" in info.value.fix
    assert store.path.read_text() == text  # left untouched


def test_an_authorization_that_is_not_a_table_names_its_profile(tmp_path):
    text = GOOD.replace("[profiles.shop]\n", "[profiles.shop]\nauthorizations = [1]\n", 1)
    text = text.split("\n[[profiles.shop.authorizations]]")[0] + "\n"
    store = _store(tmp_path, text)
    with pytest.raises(StoreError) as info:
        store.load()
    assert info.value.line == 3 and info.value.path == store.path
