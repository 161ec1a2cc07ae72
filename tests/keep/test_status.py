"""status: every rule at its boundary days with a frozen clock, the exact fixing commands, the
JSON shape, and no secret in any output even when the caller hands raw values in."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import (
    Authorization,
    ProfileRecord,
    VerifyResult,
    client_secret_key,
    refresh_token_key,
)
from oauth_wizard.keep.status import ROTATION_DAYS, compute_status

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "amzn1.oa2-cs.v1." + "5ec7e7" * 10 + "abcd"
REFRESH = "Atzr|IwEBIPlantedRefresh-token-value-0123456789abcdef"
SPID = "A1SIMPATSTORE"
APP = AppProfile(name="acme", app_id="amzn1.sp.solution.5e1f0000-de70-4000-8000-000000000001",
                 client_id="amzn1.application-oa2-client." + "de70" * 8, app_state="draft",
                 marketplaces=("US", "DE", "FR"), login_uri="https://x.test/login?a=1&b=2",
                 redirect_uris=("https://x.test/cb",))
CS_KEY = client_secret_key("acme")
RT_KEY = refresh_token_key("acme", "EU", SPID)
OK_VERIFY = VerifyResult(NOW - timedelta(days=1), True, "2 marketplace(s): DE, FR")


def auth(days_ago: float = 10, how: str = "oauth", last_verify=OK_VERIFY, **kw) -> Authorization:
    return Authorization(region="EU", selling_partner_id=SPID, how=how,
                         authorized_at=NOW - timedelta(days=days_ago), last_verify=last_verify,
                         marketplaces=("DE", "FR"), **kw)


def record(*auths: Authorization, first_seen: date | None = date(2026, 2, 1),
           rotated: date | None = None, storage: str | None = "keyring") -> ProfileRecord:
    return ProfileRecord(APP, storage, first_seen, rotated, auths)


def status(rec: ProfileRecord, presence=None, **kw):
    presence = {CS_KEY: True, RT_KEY: True} if presence is None else presence
    return compute_status([rec], presence, NOW, **kw)


def ids(report) -> dict[str, str]:
    return {p.id: p.severity for prof in report.profiles for p in prof.all_problems()}


def test_a_healthy_profile_needs_nothing():
    report = status(record(auth()))
    assert ids(report) == {} and not report.needs_action
    prof = report.profiles[0]
    assert prof.state == "ok" and prof.authorizations[0].days_left == 355


def test_no_profiles_tells_a_new_user_what_to_run():
    report = compute_status([], {}, NOW)
    assert report.needs_action
    (p,) = report.problems
    assert p.id == "no_profiles" and p.command.startswith("oauth-wizard profile add NAME")


def test_not_authorized_yet_suggests_authorize_and_self_auth():
    report = status(record())
    (p,) = report.profiles[0].problems
    assert (p.id, p.severity) == ("not_authorized", "action")
    assert p.command == "oauth-wizard authorize acme --marketplace US"
    assert "oauth-wizard self-auth acme" in p.fix


# 365 days: warn with 30 or fewer days left, action from the due moment on.
@pytest.mark.parametrize(("age", "expected", "days_left"), [
    (timedelta(days=334), None, 31),
    (timedelta(days=335), "warn", 30),
    (timedelta(days=365) - timedelta(seconds=1), "warn", 0),
    (timedelta(days=365), "action", 0),
    (timedelta(days=400), "action", -35),
])
def test_reauthorization_boundaries(age, expected, days_left):
    a = Authorization(region="EU", selling_partner_id=SPID, authorized_at=NOW - age,
                      last_verify=OK_VERIFY)
    report = status(record(a))
    st = report.profiles[0].authorizations[0]
    assert st.days_left == days_left
    assert st.reauthorize_by == a.authorized_at + timedelta(days=365)
    found = ids(report)
    if expected is None:
        assert found == {}
    else:
        key = "reauthorization_overdue" if expected == "action" else "reauthorization_soon"
        assert found == {key: expected}
        assert st.problems[0].command == "oauth-wizard authorize acme --marketplace DE"
    assert report.needs_action is (expected == "action")


def test_self_auth_past_365_days_is_only_a_warning_and_says_it_is_uncertain():
    report = status(record(auth(days_ago=366, how="self-auth")))
    (p,) = report.profiles[0].authorizations[0].problems
    assert (p.id, p.severity) == ("reauthorization_overdue", "warn")
    assert "[uncertain]" in p.message and p.command == "oauth-wizard verify acme"
    assert not report.needs_action
    soon = status(record(auth(days_ago=340, how="self-auth")))
    assert ids(soon) == {"reauthorization_soon": "note"}
    assert soon.profiles[0].all_problems()[0].command == "oauth-wizard self-auth acme --region EU"


# 180-day rotation: warn from day 150, action after day 180.
@pytest.mark.parametrize(("age", "expected"), [
    (149, None), (150, "client_secret_rotation_soon"), (180, "client_secret_rotation_soon"),
    (181, "client_secret_rotation_overdue"),
])
def test_client_secret_rotation_boundaries(age, expected):
    report = status(record(auth(), first_seen=NOW.date() - timedelta(days=age)))
    prof = report.profiles[0]
    assert prof.secret_age_days == age
    assert prof.rotate_by == NOW.date() - timedelta(days=age) + timedelta(days=180)
    if expected is None:
        assert prof.problems == ()
        return
    (p,) = prof.problems
    assert p.id == expected and "at least" in p.message
    assert p.severity == ("action" if age > 180 else "warn")
    # near the deadline: rotate through Amazon's API; past it: enter the portal's new secret
    expected_command = (["oauth-wizard", "profile", "add"] if age > 180
                        else ["oauth-wizard", "rotate-secret", "acme"])
    assert shlex.split(p.command)[:3] == expected_command
    assert report.needs_action is (age > 180)


def test_rotation_date_wins_over_first_seen_and_unknown_age_is_said():
    report = status(record(auth(), first_seen=date(2025, 1, 1), rotated=date(2026, 2, 20)))
    prof = report.profiles[0]
    assert (prof.secret_since_kind, prof.secret_age_days, prof.problems) == ("rotated", 9, ())
    unknown = status(record(auth(), first_seen=None))
    (p,) = unknown.profiles[0].problems
    assert (p.id, p.severity, p.command) == ("client_secret_age_unknown", "note", None)
    assert unknown.profiles[0].as_json()["client_secret"]["age_days"] is None


def test_missing_secrets_get_the_command_that_restores_them():
    report = status(record(auth(), first_seen=date(2025, 1, 1)),
                    presence={CS_KEY: False, RT_KEY: False})
    prof = report.profiles[0]
    assert ids(report) == {"client_secret_missing": "action", "refresh_token_missing": "action"}
    cmd = shlex.split(prof.problems[0].command)
    assert cmd[:4] == ["oauth-wizard", "profile", "add", "acme"]
    assert cmd[cmd.index("--client-id") + 1] == APP.client_id
    assert cmd[cmd.index("--login-uri") + 1] == APP.login_uri  # quoted, survives the shell
    assert cmd[cmd.index("--marketplace") + 1] == "US,DE,FR"
    assert cmd[-1] == "--force"  # the profile exists: profile add replaces it, keeping auths
    assert prof.client_secret.location == "missing"
    rt = prof.authorizations[0]
    assert rt.refresh_token.location == "missing"
    assert rt.problems[0].command == "oauth-wizard authorize acme --marketplace DE"
    selfauth = status(record(auth(how="self-auth")), presence={CS_KEY: True, RT_KEY: False})
    assert selfauth.profiles[0].authorizations[0].problems[0].command == \
        "oauth-wizard self-auth acme --region EU"


def test_unchecked_secrets_warn_and_file_storage_is_noted():
    report = status(record(auth(storage="file"), storage="file"), presence={})
    assert ids(report) == {"client_secret_unchecked": "warn", "refresh_token_unchecked": "warn"}
    assert report.profiles[0].client_secret.as_json() == {
        "location": "file", "checked": False, "masked": None}
    found = status(record(auth(storage="file", last_verify=None), storage="file"))
    assert ids(found) == {"insecure_storage": "note", "never_verified": "warn"}
    # secrets in the file are only found with the flag, so every command carries it
    assert found.profiles[0].all_problems()[1].command == \
        "oauth-wizard verify acme --insecure-storage"


def test_never_verified_and_failed_verify():
    never = status(record(auth(last_verify=None)))
    (p,) = never.profiles[0].authorizations[0].problems
    assert (p.id, p.severity, p.command) == ("never_verified", "warn", "oauth-wizard verify acme")
    cases = {"refresh_token_revoked_or_expired: LWA refused": "oauth-wizard authorize acme "
             "--marketplace DE", "client_secret_invalid_or_expired: expired": "profile add",
             "throttled: 429": "oauth-wizard verify acme", "": "oauth-wizard verify acme"}
    for detail, cmd in cases.items():
        failed = status(record(auth(last_verify=VerifyResult(NOW, False, detail))))
        (p,) = failed.profiles[0].authorizations[0].problems
        assert (p.id, p.severity) == ("verify_failed", "action") and cmd in p.command
        assert failed.needs_action


def test_json_shape():
    report = status(record(auth(last_verify=None)),
                    masks={CS_KEY: "amzn1.oa2-cs.v1.…(ends bcd)", RT_KEY: "Atzr|IwEB…(ends def)"})
    data = json.loads(json.dumps(report.as_json()))
    assert set(data) == {"format", "generated_at", "needs_action", "problems", "profiles"}
    prof = data["profiles"][0]
    assert set(prof) == {"name", "app_id", "client_id", "app_state", "kind", "state",
                         "needs_action", "client_secret", "problems", "authorizations"}
    assert prof["client_secret"] == {
        "location": "keyring", "checked": True, "masked": "amzn1.oa2-cs.v1.…(ends bcd)",
        "since": "2026-02-01", "since_kind": "first_seen", "age_days": 28,
        "rotate_by": "2026-07-31", "rotate_by_source": "estimate", "days_left": 152}
    a = prof["authorizations"][0]
    assert set(a) == {"region", "selling_partner_id", "how", "marketplaces", "refresh_token",
                      "authorized_at", "reauthorize_by", "days_left", "last_verify", "state",
                      "problems"}
    assert a["refresh_token"]["masked"] == "Atzr|IwEB…(ends def)"
    assert a["state"] == "warn" and prof["state"] == "warn" and data["needs_action"] is False
    assert set(a["problems"][0]) == {"id", "severity", "message", "fix", "command"}


def test_naive_clock_is_refused():
    with pytest.raises(ValueError):
        compute_status([], {}, datetime(2026, 1, 1))


def test_no_secret_in_any_output_even_from_careless_callers():
    detail = f"access_token_invalid: echoed {REFRESH} and {SECRET}"
    rec = record(auth(days_ago=400, last_verify=VerifyResult(NOW, False, detail)),
                 first_seen=date(2025, 1, 1))
    report = status(rec, masks={CS_KEY: SECRET, RT_KEY: REFRESH})  # raw values by mistake
    texts = [json.dumps(report.as_json()), repr(report)]
    texts += [f"{p.message} {p.fix} {p.command}" for prof in report.profiles
              for p in prof.all_problems()]
    for text in texts:
        assert SECRET not in text and REFRESH not in text
        assert "5ec7e75ec7e7" not in text


@pytest.mark.parametrize("hours", [0, 1, 23])
def test_on_the_day_of_authorizing_both_counts_are_whole(hours):
    """Day 0 shows 365 days left to re-authorize as the secret shows 180 of 180: both count
    calendar days, so an authorization made hours ago is not one day short."""
    a = Authorization(region="EU", selling_partner_id=SPID,
                      authorized_at=NOW.replace(hour=0, minute=0, second=0) + timedelta(
                          hours=min(hours, NOW.hour)), last_verify=OK_VERIFY)
    prof = status(record(a, first_seen=NOW.date())).profiles[0]
    assert prof.authorizations[0].days_left == 365
    assert ROTATION_DAYS - prof.secret_age_days == 180
    late = replace(a, authorized_at=NOW - timedelta(days=1, seconds=1))
    assert status(record(late)).profiles[0].authorizations[0].days_left == 364


def test_re_authorizing_suggests_the_marketplace_it_was_made_in():
    from oauth_wizard.keep.commands import reauthorize_command

    rec = replace(record(), app=replace(APP, marketplaces=("FR", "DE")))
    made_in_de = Authorization(region="EU", selling_partner_id=SPID, authorized_at=NOW,
                               marketplaces=("DE", "FR"))
    assert reauthorize_command(rec, made_in_de).endswith("--marketplace DE")
    unknown = replace(made_in_de, marketplaces=())
    assert reauthorize_command(rec, unknown).endswith("--marketplace FR")  # the app's first
