"""Masks show a token's kind and a few characters, never enough of the secret to matter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth_wizard.core.masking import mask, mask_code, scrub

REFRESH = "Atzr|IwEBIHk3dGVzdHRva2VuLXBsYW50ZWQtZm9yLW1hc2tpbmc7fQ"
ACCESS = "Atza|IwEBIAccessTokenPlantedForMaskingTests0123456789"
SECRET = "amzn1.oa2-cs.v1." + "0123456789abcdef" * 4


def test_refresh_token_mask_shape():
    assert mask(REFRESH) == "Atzr|IwEB\u2026(ends 7fQ)"
    assert mask(ACCESS) == "Atza|IwEB\u2026(ends 789)"


def test_client_secret_shows_only_prefix_and_tail():
    assert mask(SECRET) == "amzn1.oa2-cs.v1.\u2026(ends def)"


def test_unknown_long_value_shows_only_its_tail():
    assert mask("0123456789abcdef0123456789abcdef") == "\u2026(ends def)"


@pytest.mark.parametrize("value,prefix", [("short", ""), ("0123456789abcde", ""),
                                          ("Atzr|abc", "Atzr|"),
                                          ("amzn1.oa2-cs.v1.ab", "amzn1.oa2-cs.v1.")])
def test_short_values_show_nothing_but_their_kind(value, prefix):
    assert mask(value) == f"{prefix}\u2026"
    assert mask(value, with_length=True) == f"{prefix}\u2026({len(value)} chars)"


def test_missing_value_is_not_a_mask():
    assert mask(None) == mask("") == "(none)"


def test_length_helps_spot_truncation():
    assert mask(REFRESH, with_length=True) == f"Atzr|IwEB\u2026(ends 7fQ, {len(REFRESH)} chars)"


@given(st.text(min_size=1, max_size=300))
def test_mask_never_reveals_more_than_seven_characters_beyond_a_public_prefix(value):
    shown = mask(value)
    for prefix in ("Atzr|", "Atza|", "amzn1.oa2-cs.v1."):
        if value.startswith(prefix) and shown.startswith(prefix):
            value, shown = value[len(prefix):], shown[len(prefix):]
    revealed = shown.replace("\u2026", "").replace("(ends ", "").replace(")", "")
    assert len(revealed) <= 7
    if len(value) >= 8:
        assert value not in shown


def test_scrub_removes_known_values_in_every_spelling():
    text = (f"raw {REFRESH} form {REFRESH.replace('|', '%7C')} "
            f"json {SECRET} code ABCdef+/= end")
    out = scrub(text, [REFRESH, SECRET, "ABCdef+/=", None, ""])
    for secret in (REFRESH, REFRESH.replace("|", "%7C"), SECRET, "ABCdef+/="):
        assert secret not in out
    assert "Atzr|IwEB\u2026(ends 7fQ)" in out and out.startswith("raw ") and out.endswith(" end")


def test_scrub_removes_token_shapes_it_was_not_told_about():
    unknown = "Atzr|IwEBIsomeoneElsesToken-abc_0123456789"
    out = scrub(f'{{"refresh_token": "{unknown}", "s": "{SECRET}"}}', [])
    assert unknown not in out and SECRET not in out


def test_scrub_leaves_ordinary_text_alone():
    text = "LWA answered HTTP 400 (invalid_grant) for client amzn1.application-oa2-client.x"
    assert scrub(text, ["ab"]) == text


def test_a_longer_secret_is_scrubbed_before_a_shorter_one_inside_it():
    """Shortest first would mask the short one inside the long one and leave its tail."""
    short = "plantedSecretValue"
    long = short + "-andItsPrivateTail"
    out = scrub(f"[{long}] [{short}]", [short, long])
    assert "PrivateTail" not in out and short not in out


# Each spelling of this value differs from every other: raw, form-encoded (quote_plus),
# percent-encoded with nothing safe (quote), and JSON-escaped slashes.
ODD = "my secret/with+plus=and more"
SPELLINGS = {"raw": ODD, "quote_plus": "my+secret%2Fwith%2Bplus%3Dand+more",
             "quote": "my%20secret%2Fwith%2Bplus%3Dand%20more",
             "json": "my secret\\/with+plus=and more"}


@pytest.mark.parametrize("kind", sorted(SPELLINGS))
def test_scrub_removes_each_spelling_on_its_own(kind):
    assert len(set(SPELLINGS.values())) == 4
    out = scrub(f"before {SPELLINGS[kind]} after", [ODD])
    assert SPELLINGS[kind] not in out and "with" not in out
    assert out.startswith("before ") and out.endswith(" after")


@pytest.mark.parametrize("bar", ["%7C", "%7c", "|"])
def test_unknown_tokens_are_scrubbed_however_their_bar_is_spelled(bar):
    token = f"Atzr{bar}IwEBIsomeoneElsesToken0123456789"
    out = scrub(f"refresh_token={token}&x=1", [])
    assert "someoneElsesToken" not in out and out.endswith("&x=1")


@given(st.text(min_size=1, max_size=120))
def test_the_length_shown_is_always_the_values_length(value):
    assert f"{len(value)} chars" in mask(value, with_length=True)
    assert "chars" not in mask(value)


@pytest.mark.parametrize(("prefix", "shown"), [
    ("Atzr|", "Atzr|abcd\u2026(ends nop)"),
    ("amzn1.oa2-cs.v1.", "amzn1.oa2-cs.v1.\u2026(ends nop)"),
    ("", "\u2026(ends nop)")])
def test_sixteen_characters_beyond_the_prefix_are_the_least_that_show_any(prefix, shown):
    assert mask(prefix + "abcdefghijklmnop") == shown
    assert mask(prefix + "abcdefghijklmno") == f"{prefix}\u2026"


def test_a_code_shows_its_first_four_characters_and_a_missing_one_says_so():
    assert mask_code("ANdNAVhyhqirUelHGEHA") == "ANdN\u2026"
    assert mask_code(None) == mask_code("") == "(none)"


def test_the_longer_secret_goes_first_even_when_it_sorts_before_the_shorter():
    """Sorted by text instead of length, the short one ("p...") would go first here."""
    short = "plantedSecretValue"
    long = "a-" + short + "-andItsPrivateTail"
    out = scrub(f"[{long}] [{short}]", [short, long])
    assert "PrivateTail" not in out and short not in out and "a-" not in out


def test_four_characters_are_enough_to_be_scrubbed_and_three_are_not():
    assert scrub("pin ab12 here", ["ab12"]) == "pin \u2026 here"
    assert scrub("pin ab1 here", ["ab1"]) == "pin ab1 here"


def test_an_unknown_token_is_replaced_by_its_own_mask():
    unknown = "Atzr|IwEBIsomeoneElsesToken0123456789"
    assert scrub(f"t={unknown} end", []) == f"t={mask(unknown)} end"
